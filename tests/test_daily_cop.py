"""The day's real COP as a long-term statistic (issue 13: the dashboard's daily COP).

Known answers: a day's COP is that day's heat ÷ that day's electricity, never the mean
of a running ratio; the row a statistics graph reads for a day equals the tile.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.heatpump_stats.daily_cop import (
    _row_start,
    daily_cop_statistic_id,
    daily_cops,
)
from custom_components.heatpump_stats.engine.hourly import Hour

from .common import advance, entity_id, state_float


def test_a_days_cop_is_its_heat_over_its_electricity() -> None:
    """Worked by hand: a night hour at COP 2 (1 kWh → 2 kWh) and a noon hour at COP 5
    (0.2 kWh → 1 kWh) make the day 3 kWh / 1.2 kWh = 2.5, where the mean of the two
    hourly ratios would say 3.5. A day below the floor of electricity has no row."""
    day = datetime(2026, 1, 15, tzinfo=UTC)
    hours = [
        Hour(start=day + timedelta(hours=2), electrical_energy=1.0, thermal_energy=2.0),
        Hour(start=day + timedelta(hours=12), electrical_energy=0.2, thermal_energy=1.0),
        Hour(start=day + timedelta(hours=26), electrical_energy=0.01, thermal_energy=0.05),
        Hour(start=day + timedelta(hours=27), electrical_energy=None, thermal_energy=3.0),
    ]
    assert daily_cops(hours, UTC) == {day: pytest.approx(2.5)}


def test_a_row_starts_on_a_utc_hour_within_its_day() -> None:
    """India's midnight is 18:30 UTC: the row starts 19:00 UTC (00:30 local), same day."""
    kolkata = ZoneInfo("Asia/Kolkata")
    midnight = datetime(2026, 1, 15, tzinfo=kolkata)
    start = _row_start(midnight)
    assert start == datetime(2026, 1, 14, 19, 0, tzinfo=UTC)
    assert start.astimezone(kolkata).date() == midnight.date()
    assert _row_start(datetime(2026, 1, 15, tzinfo=ZoneInfo("Europe/Berlin"))) == datetime(
        2026, 1, 14, 23, 0, tzinfo=UTC
    )


@pytest.mark.freeze_time("2026-01-15T20:00:00+00:00")
async def test_the_daily_row_is_the_days_cop_as_the_tile_shows_it(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Across midnight: yesterday's row is the tile's last value of yesterday (heat ÷
    electricity of that day), today's row follows today's tile."""
    await hass.config.async_set_time_zone("UTC")
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    tile = entity_id(hass, "daily_cop")
    # Up to one poll before midnight: the day's last value.
    await advance(hass, freezer, 4 * 3600 - 30, step=60)
    last_of_day = state_float(hass, tile)
    await advance(hass, freezer, 2 * 3600, step=60)
    today = state_float(hass, tile)
    await advance(hass, freezer, 300, step=60)  # today's row is rewritten every 5 minutes
    today = state_float(hass, tile)
    await async_wait_recording_done(hass)
    statistic_id = daily_cop_statistic_id(demo_entry.unique_id)
    day = datetime(2026, 1, 15, tzinfo=UTC)
    stats = await recorder_mock.async_add_executor_job(
        statistics_during_period,
        hass,
        day,
        day + timedelta(days=2),
        {statistic_id},
        "day",
        None,
        {"mean"},
    )
    rows = stats[statistic_id]
    assert [dt_util.utc_from_timestamp(row["start"]) for row in rows] == [
        day,
        day + timedelta(days=1),
    ]
    assert rows[0]["mean"] == pytest.approx(last_of_day, abs=0.002)
    assert rows[1]["mean"] == pytest.approx(today, abs=0.05)
