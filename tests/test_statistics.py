"""Long-term statistics (the Energy dashboard's sums) of totals that mirror device counters."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

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

from .common import advance, entity_id


@pytest.fixture(autouse=True)
def recorder_before_hass(request: pytest.FixtureRequest) -> None:
    """The recorder fixture must be set up before `hass` (conftest's autouse fixtures)."""
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_mock")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_before_hass: None, enable_custom_integrations: None
) -> None:
    """conftest's fixture, after the recorder."""


@pytest.fixture(autouse=True)
def config_dir_in_tmp(recorder_before_hass: None, hass: HomeAssistant, tmp_path: Path) -> None:
    """conftest's fixture, after the recorder."""
    hass.config.config_dir = str(tmp_path)


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
