"""After an import, the live period figures include the imported hours (issue 13).

The demo imports 30 days of simulated history into long-term statistics after
its first 5-minute statistics; the seasonal COP, the daily COP and the energy
of today … this year must then say what those statistics say, nothing counted
twice, and still after a restart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import statistic_during_period
from homeassistant.components.recorder.tasks import StatisticsTask
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.engine.periods import EnergyPeriods

from .common import advance, state_float

T_ENTRY = datetime(2026, 1, 15, 5, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


def test_imported_hours_are_booked_only_before_the_live_data() -> None:
    """Hours ending at or before the first live data are booked to their local day; later
    ones (the engine measured them itself) are not; the data then starts at the earliest.

    Live data from 10:00 UTC with 1.0 kWh. Imported: 08:00 (0.5), 09:00 (0.25), 10:00 (4,
    overlaps the live data: dropped). Day total 1.0 + 0.5 + 0.25 = 1.75 kWh.
    """
    periods = EnergyPeriods(UTC)
    live = datetime(2026, 1, 15, 10, 0, tzinfo=UTC)
    periods.add(live, 0.0)
    periods.add(live + timedelta(minutes=30), 1.0)
    hour = timedelta(hours=1)
    booked = periods.add_history({live - 2 * hour: 0.5, live - hour: 0.25, live: 4.0})
    assert booked == 0.75
    assert periods.day(date(2026, 1, 15)) == 1.75
    assert periods.first_ts == live - 2 * hour
    # The day before: an hour ending at midnight is booked to the day it ended.
    midnight = datetime(2026, 1, 15, tzinfo=UTC)
    assert periods.add_history({midnight - hour: 2.0}) == 2.0
    assert periods.day(date(2026, 1, 14)) == 2.0


async def _change(hass: HomeAssistant, statistic_id: str, start: datetime, end: datetime) -> float:
    """Σ change (kWh) of the sensor's statistics in [start, end)."""
    found: dict[str, Any] = await get_instance(hass).async_add_executor_job(
        statistic_during_period, hass, start, end, statistic_id, {"change"}, None
    )
    return float(found["change"])


def _local_midnight(day: date) -> datetime:
    return dt_util.as_utc(
        datetime(day.year, day.month, day.day, tzinfo=dt_util.get_default_time_zone())
    )


@pytest.mark.freeze_time(T_ENTRY)
async def test_live_period_figures_include_the_imported_month(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A new demo: after its month is imported, seasonal COP = season heat ÷ season
    electricity, as the statistics have them (imported hours before 05:00 UTC, plus the
    live minutes the engine measured itself); the same for daily COP and the energy of
    today / month / year; unchanged by a restart.

    The time zone is US/Pacific: at 05:05 UTC on 15 January it is 21:05 on 14 January;
    the season began on 1 July 2025, the year on 1 January 2026, the day at 08:00 UTC.
    """
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Month demo"}
    )
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"meter": "source"})
    entry: ConfigEntry = result["result"]
    await hass.async_block_till_done()
    registry = er.async_get(hass)

    def _eid(key: str) -> str:
        found = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_{key}")
        assert found is not None
        return found

    await advance(hass, freezer, 330)
    await async_wait_recording_done(hass)
    # What the engine measured live (5.5 minutes): per local day, electricity and heat.
    live = entry.runtime_data.heat_pump.engine.to_dict()
    live_elec = sum(live["elec_days"]["days"].values())
    live_heat = sum(live["heat_days"]["days"].values())
    assert 0 < live_elec < 1
    live_year = state_float(hass, _eid("energy_year"))
    assert live_year == pytest.approx(live_elec)

    # The recorder's own 5-minute run (with its event) starts the demo's import.
    get_instance(hass).queue_task(StatisticsTask(T_ENTRY, True))
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await async_wait_recording_done(hass)
    assert entry.runtime_data.store.data["demo_history"]["hours"] == 720

    now = dt_util.utcnow()
    today = dt_util.as_local(now).date()
    assert today == date(2026, 1, 14)
    elec_id, heat_id = _eid("electrical_energy"), _eid("thermal_energy")
    # Imported hours only: they end at 05:00 UTC, where the live data begins.
    season_elec = await _change(hass, elec_id, _local_midnight(date(2025, 7, 1)), T_ENTRY)
    season_heat = await _change(hass, heat_id, _local_midnight(date(2025, 7, 1)), T_ENTRY)
    day_elec = await _change(hass, elec_id, _local_midnight(today), T_ENTRY)
    day_heat = await _change(hass, heat_id, _local_midnight(today), T_ENTRY)
    month_elec = await _change(hass, elec_id, _local_midnight(date(2026, 1, 1)), T_ENTRY)
    # The month is 30 days before 05:00 UTC: 16 December 05:00 UTC on.
    assert season_elec == pytest.approx(
        entry.runtime_data.store.data["demo_history"]["electrical_energy"]
    )
    assert 100 < season_elec < 3000

    expected = {
        "seasonal_cop": (season_heat + live_heat) / (season_elec + live_elec),
        "daily_cop": (day_heat + live_heat) / (day_elec + live_elec),
        "energy_today": day_elec + live_elec,
        "energy_month": month_elec + live_elec,
        "energy_year": month_elec + live_elec,  # the year began within the imported month
    }
    shown = {key: state_float(hass, _eid(key)) for key in expected}
    assert shown == pytest.approx(expected, rel=1e-6, abs=0.01)
    assert 2.0 < shown["seasonal_cop"] < 5.0
    # The card's season figure and the tile agree: both are heat ÷ electricity of the
    # same hours; the statistics' season COP without the live minutes is within 1 %.
    assert shown["seasonal_cop"] == pytest.approx(season_heat / season_elec, rel=0.01)

    # A restart (reload): the stored engine keeps the imported hours, nothing is added twice.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    after = {key: state_float(hass, _eid(key)) for key in expected}
    assert after == pytest.approx(shown, rel=1e-6, abs=0.01)
    await advance(hass, freezer, 330, step=30)
    await async_wait_recording_done(hass)
    get_instance(hass).queue_task(StatisticsTask(T_ENTRY + timedelta(minutes=5), True))
    await async_wait_recording_done(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    later = state_float(hass, _eid("energy_year"))
    assert shown["energy_year"] < later < shown["energy_year"] + 1
