"""Long-term statistics (the Energy dashboard's sums) of totals that mirror device counters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise as pairs
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.heatpump_stats.const import DOMAIN

from .common import advance, entity_id
from .simulators.modbus_server import ModbusSimulator, isg_tables


@pytest.mark.freeze_time("2026-01-15T05:00:00+00:00")
async def test_energy_sum_starts_at_the_device_reading_without_a_jump(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The demo's electricity counter starts at years of use (thousands of kWh).

    The entity shows that lifetime reading from its first state; HA's compiler
    takes a new statistic's first state as zero point, so the sum over the
    first hour is that hour's electricity (simulator truth), not the lifetime.
    """
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    sim = demo_entry.runtime_data.heat_pump.source.simulator
    await advance(hass, freezer, 3600 + 300, step=60)
    await async_wait_recording_done(hass)
    start = datetime(2026, 1, 15, 5, 0, tzinfo=dt_util.UTC)
    for slot in range(12):
        do_adhoc_statistics(hass, start=start + timedelta(minutes=5 * slot))
        await async_wait_recording_done(hass)
    eid = entity_id(hass, "electrical_energy")
    stats = await recorder_mock.async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        start + timedelta(hours=1),
        {eid},
        "5minute",
        None,
        {"sum", "state"},
    )
    rows = stats[eid]
    assert rows[-1]["state"] > 6000  # the lifetime reading is shown
    # the sum is what the hour used (a few kWh on a cold morning), not thousands of kWh
    assert 0 < rows[-1]["sum"] < 10
    assert rows[-1]["sum"] <= sim.truth.electrical_energy


async def _sums(
    hass: HomeAssistant, recorder: Recorder, eid: str, start: datetime, slots: int
) -> list[dict[str, Any]]:
    """Compile `slots` 5-minute statistics from `start` and return the rows of `eid`."""
    for slot in range(slots):
        do_adhoc_statistics(hass, start=start + timedelta(minutes=5 * slot))
        await async_wait_recording_done(hass)
    stats = await recorder.async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        start + timedelta(minutes=5 * slots),
        {eid},
        "5minute",
        None,
        {"sum", "state"},
    )
    rows: list[dict[str, Any]] = stats[eid]
    assert len(rows) == slots
    return rows


def _deltas(rows: list[dict[str, Any]]) -> list[float]:
    """Each 5-minute period's sum change (the first: since the statistic's zero point)."""
    sums = [float(row["sum"]) for row in rows]
    return [sums[0], *(b - a for a, b in pairs(sums))]


# A heat pump draws at most 50 kW (engine.energy.DEFAULT_MAX_ELECTRICAL_KW), and a
# counter may move by one 1 kWh step at once: 50 kW × 5 min + 1 kWh per 5 minutes.
MAX_KWH_PER_5_MIN = 50.0 * 5 / 60 + 1.0


@pytest.mark.freeze_time("2026-01-15T05:00:00+00:00")
async def test_switching_the_meter_books_no_jump_in_statistics(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The demo's own counter (years of use) is the meter for 20 minutes; then the meter is
    switched (reconfigure) to an energy entity that reads 20 000 kWh and rises 0.02 kWh
    per 30 s poll for 20 minutes.

    Without the basis rule the total would jump to 20 000 kWh (a rise of ~14 000 kWh in
    one 5-minute statistic). Known answer: the sum over the 40 minutes is the demo's own
    electricity of the first 20 minutes (simulator truth) + what the total rose by under
    the new meter, 0.02 kWh per poll after the entity's first reading (its basis). No
    5-minute period moves by more than physics allows.
    """
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    sim = demo_entry.runtime_data.heat_pump.source.simulator
    eid = entity_id(hass, "electrical_energy")
    await advance(hass, freezer, 20 * 60)
    before = float(hass.states.get(eid).state)  # type: ignore[union-attr]
    assert before > 6000  # the demo's lifetime reading
    demo_used = sim.truth.electrical_energy

    meter_reading = 20_000.0
    attributes = {"unit_of_measurement": "kWh", "device_class": "energy"}
    hass.states.async_set("sensor.new_meter", str(meter_reading), attributes)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": demo_entry.entry_id}
    )
    assert result["step_id"] == "meter"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"meter": "entity"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"energy_entity": "sensor.new_meter"}
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    for _ in range(40):
        meter_reading += 0.02
        hass.states.async_set("sensor.new_meter", f"{meter_reading:.2f}", attributes)
        await advance(hass, freezer, 30)
    await async_wait_recording_done(hass)

    after = float(hass.states.get(eid).state)  # type: ignore[union-attr]
    assert before <= after < before + 1.0  # continues from what it showed, no 20 000
    rows = await _sums(hass, recorder_mock, eid, datetime(2026, 1, 15, 5, 0, tzinfo=UTC), 8)
    deltas = _deltas(rows)
    assert all(0.0 <= d <= MAX_KWH_PER_5_MIN for d in deltas), deltas
    # The last 5-minute period ends at 05:40:00, before the final poll's state: its state
    # is what the total showed then. What the entity added is that minus `before`.
    rise = float(rows[-1]["state"]) - before
    assert 0.74 <= rise <= 0.80 + 1e-9  # 37-40 rises of 0.02 kWh: never 20 000 - 6 000
    assert float(rows[-1]["sum"]) == pytest.approx(demo_used + rise, abs=1e-6)


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.freeze_time("2026-01-15T22:30:00+00:00")
async def test_isg_midnight_refresh_books_no_jump_in_statistics(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A Stiebel Eltron ISG over Modbus from 22:30 to 00:00, its refresh at 23:00.

    Each ISG total is MWh part × 1000 + kWh part + today. Every 10 minutes (at :05,
    :15, ...) the compressor's electricity today rises by 1 kWh and its heat today by
    4 kWh. At 23:00 the ISG folds the day into the totals, the two steps polls apart and
    in opposite orders: electricity: today 5 → 0 at 23:00, the totals take in the 5 kWh
    at 23:02 (kWh part 998 + 5 = 1003: MWh part 3 → 4, kWh part 3); heat: the totals
    take in 18 kWh first (kWh part 990 + 18: MWh part 12 → 13, kWh part 8), today
    18 → 0 at 23:03.

    Known answer: 9 rises in the 90 minutes, so the electricity sum is exactly 9 kWh
    and the heat sum 36 kWh; no 5-minute period moves by more than one rise.
    """
    inputs, holding = isg_tables()
    inputs.update({3510: 2, 3511: 998, 3512: 3, 3500: 6, 3501: 990, 3502: 12})
    async with ModbusSimulator(inputs, holding) as sim:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        for step in (
            {"source": "modbus"},
            {"connection": "tcp"},
            {"host": "127.0.0.1", "port": sim.port, "unit_id": 1, "model": "stiebel_eltron_isg"},
            {"meter": "source"},
        ):
            result = await hass.config_entries.flow.async_configure(result["flow_id"], step)
        await hass.async_block_till_done()
        entry = result["result"]
        registry = er.async_get(hass)
        elec = registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.unique_id}_electrical_energy"
        )
        heat = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_thermal_energy")
        assert elec is not None
        assert heat is not None
        elec_start = float(hass.states.get(elec).state)  # type: ignore[union-attr]
        # 3 MWh + 998 + 2 (heating) + 1 MWh + 234 + 1 (hot water) = 4000 + 1235 = 5235 kWh
        assert elec_start == pytest.approx(5235.0)

        words = dict(inputs)

        def set_input(address: int, word: int) -> None:
            words[address] = word
            sim.set_input(address, word)

        for minute in range(1, 91):
            if minute % 10 == 5:
                set_input(3510, words[3510] + 1)  # electricity heating today
                set_input(3500, words[3500] + 4)  # heat heating today
            if minute == 30:
                set_input(3510, 0)  # the day part restarts first ...
                set_input(3501, 8)  # ... while the heat totals take in 18 kWh first
                set_input(3502, 13)
            if minute == 32:
                set_input(3511, 3)  # electricity totals: 998 + 5 = 1003
                set_input(3512, 4)
            if minute == 33:
                set_input(3500, 0)  # heat today restarts
            await advance(hass, freezer, 60)
        await async_wait_recording_done(hass)
        assert float(hass.states.get(elec).state) == pytest.approx(elec_start + 9)  # type: ignore[union-attr]
        assert await hass.config_entries.async_unload(entry.entry_id)

    start = datetime(2026, 1, 15, 22, 30, tzinfo=UTC)
    elec_rows = await _sums(hass, recorder_mock, elec, start, 18)
    heat_rows = await _sums(hass, recorder_mock, heat, start, 18)
    elec_deltas, heat_deltas = _deltas(elec_rows), _deltas(heat_rows)
    assert all(0.0 <= d <= 1.0 + 1e-6 for d in elec_deltas), elec_deltas
    assert all(0.0 <= d <= 4.0 + 1e-6 for d in heat_deltas), heat_deltas
    assert float(elec_rows[-1]["sum"]) == pytest.approx(9.0)
    assert float(heat_rows[-1]["sum"]) == pytest.approx(36.0)
