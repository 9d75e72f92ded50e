"""ChangeRecorder as the coordinator's recorder: a failing change log never fails a poll."""

from __future__ import annotations

from datetime import UTC, datetime
import logging
from unittest.mock import AsyncMock, MagicMock, patch

from homeassistant.core import HomeAssistant
import pytest

from custom_components.heatpump_stats.change_recorder import ChangeRecorder
from custom_components.heatpump_stats.engine.core import Metrics
from custom_components.heatpump_stats.model.reading import HeatPumpReading
from custom_components.heatpump_stats.store.changelog import ChangeLogError

READING = HeatPumpReading(
    timestamp=datetime(2026, 1, 15, 5, 0, tzinfo=UTC), settings={"dhw_setpoint": 48.0}
)


async def test_failed_writes_are_logged_once_until_one_succeeds(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Fail, fail, succeed, fail: two error lines, and no poll sees an exception."""
    recorder = ChangeRecorder(hass, "entry")
    outcomes = [ChangeLogError("disk full"), ChangeLogError("disk full"), 1, ChangeLogError("x")]
    with (
        patch.object(recorder, "async_process", AsyncMock(side_effect=outcomes)) as process,
        caplog.at_level(logging.ERROR),
    ):
        for _ in outcomes:
            await recorder.async_record_poll(READING, MagicMock(spec=Metrics))
    assert process.await_count == 4
    process.assert_awaited_with({"dhw_setpoint": 48.0}, READING.timestamp)
    errors = [r for r in caplog.records if "Cannot write the change log" in r.getMessage()]
    assert len(errors) == 2
