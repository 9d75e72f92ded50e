"""The import_history service and the demo's month of history, with the real recorder."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import (
    statistic_during_period,
    statistics_during_period,
)
from homeassistant.components.recorder.tasks import StatisticsTask
from homeassistant.const import EVENT_RECORDER_5MIN_STATISTICS_GENERATED
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
from influxdb import InfluxDBClient
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)
import pytest_socket

from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.statistics_history import async_statistics_entity_ids
from custom_components.heatpump_stats.summaries import async_summarize_statistics

from .common import advance
from .simulators.influxdb_server import influxd_binary, run_influxd

T_ENTRY = datetime(2026, 1, 15, 5, 0, tzinfo=UTC)
T_HISTORY = T_ENTRY - timedelta(days=3)
_TEMP = {"unit_of_measurement": "°C", "device_class": "temperature"}
_ESP: dict[str, tuple[str, dict[str, str]]] = {
    "sensor.esp_outdoor": ("5.0", _TEMP),
    "sensor.esp_leaving_water": ("35.0", _TEMP),
    "sensor.esp_inlet_water": ("30.0", _TEMP),
    "sensor.esp_flow": ("12.0", {"unit_of_measurement": "L/min"}),
    "sensor.esp_mode": ("Heating", {}),
    "sensor.esp_power": ("1200", {"unit_of_measurement": "W", "device_class": "power"}),
}
_ENERGY = "sensor.esp_energy"
_ENERGY_ATTRS = {
    "unit_of_measurement": "kWh",
    "device_class": "energy",
    "state_class": "total_increasing",
}


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


def _publish(hass: HomeAssistant, energy: float) -> None:
    """ESPAltherma re-publishes every value (last_reported moves on)."""
    for eid, (state, attrs) in _ESP.items():
        hass.states.async_set(eid, state, attrs, force_update=True)
    hass.states.async_set(_ENERGY, f"{energy:.1f}", _ENERGY_ATTRS, force_update=True)


def _esp_entry(options: dict[str, Any] | None = None) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Altherma",
        unique_id="entities_altherma",
        data={
            "source": "entities",
            "outside_temperature": "sensor.esp_outdoor",
            "flow_temperature": "sensor.esp_leaving_water",
            "return_temperature": "sensor.esp_inlet_water",
            "flow_rate": "sensor.esp_flow",
            "operating_mode": "sensor.esp_mode",
            "electrical_power": "sensor.esp_power",
            "electrical_energy": _ENERGY,
            "meter": "source",
        },
        options=options or {},
    )


async def _compile(hass: HomeAssistant, start: datetime, slots: range) -> None:
    for slot in slots:
        do_adhoc_statistics(hass, start=start + timedelta(minutes=5 * slot))
    await async_wait_recording_done(hass)


async def _import(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "import_history", data, blocking=True, return_response=True
    )
    assert response is not None
    return dict(response)


async def _hourly(
    hass: HomeAssistant, statistic_id: str, start: datetime, end: datetime
) -> list[Any]:
    rows = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        start,
        end,
        {statistic_id},
        "hour",
        None,
        {"sum", "change", "mean"},
    )
    return list(rows.get(statistic_id, []))


@pytest.mark.freeze_time(T_HISTORY)
async def test_entities_source_history_before_the_entry_is_imported(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Three days of ESPAltherma states before the entry, imported from their history.

    Recorded: outdoor 5 °C, flow 35 → return 30 °C at 12 l/min, mode Heating,
    1200 W, and the energy counter at 100 kWh + 1.2 kWh at every full hour
    (100.0 at T−72 h, 101.2 at T−71 h, ..., 186.4 at T). The replay polls
    every 30 s from T−72 h; the hours before the entry's first statistic
    (hour T) are imported: 72.

    * Electricity: a counter's hour is its last value in the hour minus the
      last value before it; the first poll (T−72 h) is the reference, and
      the value reached at T belongs to hour T. So 186.4 − 1.2 − 100 =
      71 × 1.2 = 85.2 kWh.
    * Heat: P = 12 / 60 × 4.186 × 5 = 4.186 kW from the first poll to the last
      poll before T (T − 30 s): 4.186 × (72 h − 30 s) = 4.186 × 71.991667 h
      = 301.3571 kWh.

    Then the live hour T is compiled and the Energy dashboard's view over the
    imported and the live hours is imported + live, every hour ≥ 0, the seam
    included; a second import adds nothing.
    """
    energy = 100.0
    _publish(hass, energy)
    for _ in range(72):
        freezer.tick(timedelta(hours=1))
        energy += 1.2
        _publish(hass, energy)
    await async_wait_recording_done(hass)
    assert energy == pytest.approx(186.4)

    entry = _esp_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(12):  # six minutes live
        await advance(hass, freezer, 30)
        _publish(hass, energy)
    await async_wait_recording_done(hass)
    await _compile(hass, T_ENTRY, range(1))  # the first 5-minute statistics exist

    result = await _import(
        hass,
        config_entry_id=entry.entry_id,
        start=T_HISTORY.isoformat(),
        end=(T_ENTRY + timedelta(minutes=6)).isoformat(),
    )
    assert result["history"] == "recorder"
    assert result["hours"] == 72
    assert result["electrical_energy"] == pytest.approx(85.2)
    assert result["thermal_energy"] == pytest.approx(4.186 * (72 - 30 / 3600), rel=1e-6)

    # The rest of the live hour: +0.1 kWh every 5 minutes from minute 10 (11 steps: 1.1 kWh).
    for step in range(108):
        await advance(hass, freezer, 30)
        if step % 10 == 7:
            energy += 0.1
        _publish(hass, energy)
    await async_wait_recording_done(hass)
    await _compile(hass, T_ENTRY, range(1, 12))

    elec = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, "entities_altherma_electrical_energy"
    )
    assert elec is not None
    series = await _hourly(hass, elec, T_HISTORY, T_ENTRY + timedelta(hours=1))
    assert len(series) == 73
    changes = [row["change"] for row in series]
    assert all(c is not None and c >= -1e-9 for c in changes), changes
    assert changes[0] == pytest.approx(0.0)
    assert changes[1:72] == pytest.approx([1.2] * 71)
    live = changes[72]
    assert live == pytest.approx(energy - 186.4, abs=0.11)  # the live hour keeps its own change
    assert live > 0.9
    dashboard = await hass.async_add_executor_job(
        statistic_during_period,
        hass,
        T_HISTORY,
        T_ENTRY + timedelta(hours=1),
        elec,
        {"change"},
        None,
    )
    assert dashboard["change"] == pytest.approx(85.2 + live)

    again = await _import(
        hass,
        config_entry_id=entry.entry_id,
        start=T_HISTORY.isoformat(),
        end=T_ENTRY.isoformat(),
    )
    assert again["hours"] == 0
    assert again["electrical_energy"] == 0.0
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failed, failed


@pytest.mark.freeze_time(T_ENTRY)
async def test_import_needs_compiled_statistics_and_an_influxdb_server(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Before the first compile the sums have no zero point; influxdb needs its options."""
    _publish(hass, 100.0)
    entry = _esp_entry()
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    data = {
        "config_entry_id": entry.entry_id,
        "start": (T_ENTRY - timedelta(days=1)).isoformat(),
        "end": T_ENTRY.isoformat(),
    }
    with pytest.raises(ServiceValidationError) as err:
        await _import(hass, **data)
    assert err.value.translation_key == "statistics_not_ready"
    await advance(hass, freezer, 300)
    _publish(hass, 100.0)
    await async_wait_recording_done(hass)
    await _compile(hass, T_ENTRY, range(1))
    with pytest.raises(ServiceValidationError) as err:
        await _import(hass, **data, history="influxdb")
    assert err.value.translation_key == "influxdb_not_configured"
    with pytest.raises(ServiceValidationError) as err:
        await _import(hass, **{**data, "end": data["start"]})
    assert err.value.translation_key == "end_before_start"


@pytest.mark.freeze_time(T_ENTRY)
async def test_new_demo_entry_starts_with_a_month_of_history(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """A demo made in the config flow imports 30 simulated days after its first 5-minute compile.

    Its energy sensors then have 30 × 24 = 720 hourly statistics before the
    live hour, none negative; the live hour continues from the imported sum;
    the statistics summary over the month gives a winter COP; the daily COP
    and the outdoor temperature have hourly means for those days; a later
    compile imports nothing more.
    """
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Month demo"}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"meter": "source"})
    entry = result["result"]
    assert entry.options == {"demo_history_days": 30}
    await hass.async_block_till_done()
    registry = er.async_get(hass)

    def _eid(key: str) -> str:
        found = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_{key}")
        assert found is not None
        return found

    await advance(hass, freezer, 330)
    await async_wait_recording_done(hass)
    # The recorder's own 5-minute run (with its event), as its timer queues it.
    get_instance(hass).queue_task(StatisticsTask(T_ENTRY, True))
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)

    month = T_ENTRY - timedelta(days=30)
    for key in ("electrical_energy", "thermal_energy", "thermal_energy_heating"):
        series = await _hourly(hass, _eid(key), month - timedelta(days=1), T_ENTRY)
        assert len(series) == 720, key
        assert datetime.fromtimestamp(series[0]["start"], UTC) == month
        assert all(row["change"] >= 0 for row in series), key
    elec_month = await _hourly(hass, _eid("electrical_energy"), month, T_ENTRY)
    assert elec_month[-1]["sum"] == pytest.approx(sum(row["change"] for row in elec_month))
    outdoor = await _hourly(hass, _eid("outside_temperature"), month, T_ENTRY)
    assert len(outdoor) == 720
    assert all(-30 < row["mean"] < 30 for row in outdoor)
    daily = await _hourly(hass, _eid("daily_cop"), month, T_ENTRY)
    assert len(daily) > 600  # every hour with 0.1 kWh used that day so far
    assert all(1.0 < row["mean"] < 8.0 for row in daily)
    assert entry.runtime_data.store.data["demo_history"]["hours"] == 720

    summary = await async_summarize_statistics(
        hass, async_statistics_entity_ids(hass, entry), month, T_ENTRY, UTC
    )
    combined = summary["energy"]["combined"]
    assert summary["data_quality"]["hours_with_data"] == 720.0
    assert 2.0 < combined["cop"] < 5.0
    assert 100 < combined["electrical_energy"] < 3000
    assert summary["outside_temperature_bins"]["all"]

    # The rest of the live hour, compiled: it continues from the imported sum.
    await advance(hass, freezer, 3600 - 330, step=60)
    await async_wait_recording_done(hass)
    await _compile(hass, T_ENTRY, range(1, 12))
    get_instance(hass).queue_task(StatisticsTask(T_ENTRY + timedelta(hours=1), True))
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    series = await _hourly(hass, _eid("electrical_energy"), month, T_ENTRY + timedelta(hours=1))
    assert len(series) == 721  # nothing imported twice
    assert 0.05 < series[-1]["change"] < 10
    assert series[-1]["sum"] == pytest.approx(elec_month[-1]["sum"] + series[-1]["change"])
    # Compressor starts (a unitless sum) are shifted too: no negative hour at the seam.
    starts = await _hourly(hass, _eid("compressor_starts"), month, T_ENTRY + timedelta(hours=1))
    assert len(starts) == 721
    assert sum(row["change"] for row in starts[:720]) >= 1  # the month has started the compressor
    assert all(row["change"] >= 0 for row in starts), starts[-3:]

    # After a restart (a reload) the stored flag keeps the month from coming again.
    listening = hass.bus.async_listeners().get(EVENT_RECORDER_5MIN_STATISTICS_GENERATED, 0)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.bus.async_listeners().get(EVENT_RECORDER_5MIN_STATISTICS_GENERATED, 0) == listening
    await advance(hass, freezer, 330, step=60)
    await async_wait_recording_done(hass)
    get_instance(hass).queue_task(StatisticsTask(T_ENTRY + timedelta(hours=1), True))
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    again = await _hourly(hass, _eid("electrical_energy"), month, T_ENTRY + timedelta(hours=1))
    assert [row["sum"] for row in again] == pytest.approx([row["sum"] for row in series])
    # Every import and shift task ran (the recorder logs a failed one and goes on).
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failed, failed


@pytest.fixture
def influx_database() -> Iterator[tuple[str, str]]:
    """A real InfluxDB 1.x server holding ESPAltherma's three days as HA's integration writes."""
    binary = influxd_binary()
    if binary is None:
        pytest.skip("influxd is not installed: scripts/setup unpacks it into .toolchain/influxdb")
    pytest_socket.enable_socket()
    with run_influxd(binary) as url:
        port = int(url.rsplit(":", 1)[1])
        client = InfluxDBClient(host="127.0.0.1", port=port, database="home_assistant")
        client.create_database("home_assistant")

        def _point(eid: str, ts: datetime, state: str, attrs: dict[str, str]) -> dict[str, Any]:
            domain, _, object_id = eid.partition(".")
            try:
                fields: dict[str, Any] = {"value": float(state)}
            except ValueError:
                fields = {"state": state}
            return {
                "measurement": attrs.get("unit_of_measurement", eid),
                "tags": {"domain": domain, "entity_id": object_id},
                "time": ts.isoformat(),
                "fields": fields,
            }

        points = [_point(eid, T_HISTORY, state, attrs) for eid, (state, attrs) in _ESP.items()]
        points += [
            _point(_ENERGY, T_HISTORY + timedelta(hours=h), f"{100 + 1.2 * h:.1f}", _ENERGY_ATTRS)
            for h in range(73)
        ]
        client.write_points(points)
        client.close()
        yield url, "home_assistant"


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.freeze_time(T_ENTRY)
async def test_entities_source_history_from_influxdb(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, influx_database: tuple[str, str]
) -> None:
    """The same three days as above, read from InfluxDB: the same known answer.

    85.2 kWh of electricity (71 × 1.2) and 4.186 kW × (72 h − 30 s) of heat in
    72 hours; nothing of it is in the recorder.
    """
    url, database = influx_database
    _publish(hass, 186.4)
    entry = _esp_entry(
        {"influxdb_url": url, "influxdb_api_version": "1", "influxdb_database": database}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for _ in range(12):
        await advance(hass, freezer, 30)
        _publish(hass, 186.4)
    await async_wait_recording_done(hass)
    await _compile(hass, T_ENTRY, range(1))
    result = await _import(
        hass,
        config_entry_id=entry.entry_id,
        start=T_HISTORY.isoformat(),
        end=T_ENTRY.isoformat(),
        history="influxdb",
    )
    assert result["history"] == "influxdb"
    assert result["hours"] == 72
    assert result["electrical_energy"] == pytest.approx(85.2)
    assert result["thermal_energy"] == pytest.approx(4.186 * (72 - 30 / 3600), rel=1e-6)


@pytest.mark.freeze_time(T_ENTRY)
async def test_card_opened_before_the_demo_month_shows_it_once_imported(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: Any,
) -> None:
    """A new owner opens the dashboard at once: the card reads the season before the
    month is imported (only the live minutes). Once the month is in the statistics the
    next request shows it, not the season of a few minutes for hours (the card keeps the
    season's hours between requests)."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Card demo"}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"meter": "source"})
    entry = result["result"]
    await hass.async_block_till_done()

    async def season() -> dict[str, Any]:
        # A client per request: the frozen clock jumps between them.
        client = await hass_ws_client(hass)
        await client.send_json_auto_id(
            {"type": "heatpump_stats/summary", "config_entry_id": entry.entry_id}
        )
        response = await client.receive_json()
        assert response["success"], response
        return dict(response["result"])

    await advance(hass, freezer, 120)
    await async_wait_recording_done(hass)
    before = await season()
    assert not before["season"]["months"]  # nothing compiled yet
    assert entry.runtime_data.card_hours is not None  # kept for the next request

    await advance(hass, freezer, 210)
    await async_wait_recording_done(hass)
    get_instance(hass).queue_task(StatisticsTask(T_ENTRY, True))
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    imported = entry.runtime_data.store.data["demo_history"]
    assert imported["hours"] == 720

    after = await season()
    assert after["history"] == "statistics"
    assert after["energy"]["total"]["electrical_energy"] == pytest.approx(
        imported["electrical_energy"], rel=0.01
    )
    assert [m["month"] for m in after["season"]["months"]] == ["2025-12", "2026-01"]
    assert len(after["bins"]) > 3
