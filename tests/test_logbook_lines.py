"""What Home Assistant's Activity (logbook) shows for a note and a detected change.

Issue 13: one line per change or note, saying what changed; no second line with a blank
icon. Read through the logbook's own websocket command, as the frontend does.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.heatpump_stats.const import DOMAIN

from .common import advance


@pytest.mark.freeze_time("2026-01-15T05:00:00+00:00")
async def test_activity_line_of_a_note_says_the_note(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A note: one Activity line carries the note's text, on the event entity."""
    assert await async_setup_component(hass, "logbook", {})
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 60)
    start = dt_util.utcnow()
    await hass.services.async_call(
        DOMAIN,
        "add_note",
        {"config_entry_id": demo_entry.entry_id, "message": "Bled the radiators"},
        blocking=True,
    )
    await advance(hass, freezer, 60)
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": (start - timedelta(hours=1)).isoformat(),
            "end_time": (start + timedelta(hours=1)).isoformat(),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    lines = response["result"]
    described = [line for line in lines if line.get("domain") == DOMAIN]
    # One line says what happened (the note's text), on the event entity (its icon).
    assert [line["message"] for line in described] == ["note: Bled the radiators"]
    assert described[0]["entity_id"].startswith("event.")
    # Home Assistant adds its own state lines of the event entity and the
    # last-change sensor (no text of ours); none of them is a line without an entity.
    assert all(line.get("entity_id") for line in lines), lines
