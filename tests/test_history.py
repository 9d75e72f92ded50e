"""history.py: the recorder read through its public history API, window by window."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.heatpump_stats import history
from custom_components.heatpump_stats.summaries import async_summarize_history

# The recorder before `hass` (conftest's autouse fixtures ask for it): those of that module.
from .test_statistics_history import recorder_before_hass  # noqa: F401

IDS = {
    "operating_mode": "sensor.hp_operating_mode",
    "electrical_energy": "sensor.hp_electrical_energy",
}


async def test_rows_on_window_boundaries_are_read_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A row exactly at the period's start is its start state; one at a window's end is read once.

    Heating throughout; the counter is 10.0 kWh at t=0 (= start) and rises by 0.5 kWh
    every 30 s up to t=150 (= end): 5 × 0.5 = 2.5 kWh. Read in one window and in
    30-s windows (every row then sits on a window's end) the summaries are the same.
    Losing the start row would give 2.0 kWh; losing a boundary row keeps the total (a
    counter) but not the samples, so the whole summaries are compared.
    """
    t0 = dt_util.utcnow().replace(microsecond=0)
    freezer.move_to(t0)
    hass.states.async_set(IDS["operating_mode"], "heating")
    for step in range(6):
        freezer.move_to(t0 + timedelta(seconds=30 * step))
        hass.states.async_set(IDS["electrical_energy"], str(10.0 + 0.5 * step))
        await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    start, end = t0, t0 + timedelta(seconds=150)

    whole = await async_summarize_history(hass, IDS, start, end, max_gap_s=float("inf"))
    monkeypatch.setattr(history, "WINDOW_S", 30.0)
    windowed = await async_summarize_history(hass, IDS, start, end, max_gap_s=float("inf"))

    assert whole.purposes["heating"].electrical_energy == pytest.approx(2.5)
    assert windowed.to_dict() == whole.to_dict()


async def test_entities_without_history_read_nothing(hass: HomeAssistant) -> None:
    """No row of any entity: no samples at all (not one of unknowns at the end)."""
    await async_wait_recording_done(hass)
    end = dt_util.utcnow()
    summary = await async_summarize_history(
        hass, IDS, end - timedelta(hours=1), end, max_gap_s=float("inf")
    )
    assert summary.data_quality.samples == 0
