"""Importing hourly history into the long-term statistics of the entry's sensors."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.heatpump_stats.history_import import (
    async_import_hours,
    simulate_demo_hours,
)
from custom_components.heatpump_stats.statistics_history import async_statistics_entity_ids
from custom_components.heatpump_stats.summaries import async_summarize_statistics

from .common import advance

START = "2026-01-15T05:00:00+00:00"


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


def test_simulated_demo_hours_are_physical() -> None:
    """A January day of the demo: 24 full hours, kWh not Wh, a winter COP of 2-5."""
    end = dt_util.parse_datetime(START)
    assert end is not None
    hours = simulate_demo_hours(
        "Test heat pump",
        end - timedelta(days=1),
        end,
        rated_thermal_power_kw=8.0,
        flow_rate_l_min=20.0,
        time_zone=dt_util.UTC,
    )
    assert len(hours) == 24
    assert [h.start for h in hours] == [end - timedelta(hours=24 - i) for i in range(24)]
    electricity = sum(h.electrical_energy or 0 for h in hours)
    heat = sum(h.thermal_energy or 0 for h in hours)
    assert 5 < electricity < 80
    assert 2 < heat / electricity < 5
    assert all(h.outside_temperature is not None for h in hours)
    assert sum(h.electrical_energy_dhw or 0 for h in hours) > 0  # hot water every day


@pytest.mark.freeze_time(START)
async def test_import_continues_into_live_statistics(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A live hour, then two simulated days before it are imported.

    The imported sums run from 0 and the live hour is shifted by what was
    inserted, so no hour shows a negative or lifetime-sized change and the
    live hour keeps its own change; importing again adds nothing; a statistics
    summary over the two days gives back the simulated totals; the next live
    hour continues from the shifted sum.
    """
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    now = dt_util.utcnow()
    await advance(hass, freezer, 3600 + 60)
    await async_wait_recording_done(hass)
    for slot in range(12):
        do_adhoc_statistics(hass, start=now + timedelta(minutes=5 * slot))
    await async_wait_recording_done(hass)
    ids = async_statistics_entity_ids(hass, demo_entry)
    past = now - timedelta(days=2)
    hours = await hass.async_add_executor_job(
        lambda: simulate_demo_hours(
            "Test heat pump",
            past,
            now,
            rated_thermal_power_kw=8.0,
            flow_rate_l_min=20.0,
            time_zone=dt_util.UTC,
        )
    )
    result = await async_import_hours(hass, ids, hours, past)
    await async_wait_recording_done(hass)
    expected_kwh = sum(h.electrical_energy or 0 for h in hours)
    assert result["hours"] == 48
    assert result["electrical_energy"] == pytest.approx(expected_kwh)
    assert result["thermal_energy"] == pytest.approx(sum(h.thermal_energy or 0 for h in hours))

    # A second live hour, compiled after the import: it continues from the shifted sum.
    await advance(hass, freezer, 3600)
    await async_wait_recording_done(hass)
    for slot in range(12, 24):
        do_adhoc_statistics(hass, start=now + timedelta(minutes=5 * slot))
    await async_wait_recording_done(hass)

    rows = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        past,
        now + timedelta(hours=2),
        {ids["electrical_energy"]},
        "hour",
        None,
        {"sum", "change"},
    )
    series = rows[ids["electrical_energy"]]
    assert len(series) == 50
    changes = [row["change"] for row in series]
    assert all(c is not None and 0 <= c < 20 for c in changes), changes
    assert sum(changes[:48]) == pytest.approx(expected_kwh)
    assert series[47]["sum"] == pytest.approx(expected_kwh)  # sums run from 0
    assert changes[48] > 0.1  # the first live hour keeps its change
    assert changes[49] > 0.1  # and the next one continues from the shifted sum

    starts = await hass.async_add_executor_job(
        statistics_during_period,
        hass,
        past,
        now + timedelta(hours=2),
        {ids["compressor_starts"]},
        "hour",
        None,
        {"change"},
    )
    assert all(row["change"] >= 0 for row in starts[ids["compressor_starts"]])

    again = await async_import_hours(hass, ids, hours, past)
    assert again["hours"] == 0
    assert again["electrical_energy"] == 0.0

    summary = await async_summarize_statistics(hass, ids, past, now, dt_util.UTC)
    assert summary["energy"]["combined"]["electrical_energy"] == pytest.approx(expected_kwh)
    assert summary["data_quality"]["hours_with_data"] == 48.0
