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
    ours = [line for line in lines if line.get("domain") != DOMAIN]
    by_domain = {line["entity_id"].split(".")[0]: line for line in ours}
    assert sorted(by_domain) == ["event", "sensor"], ours
    assert len(ours) == 2, ours
    # The event entity's line carries its event type: the frontend (2026.10) shows it
    # translated ("Note added"), not "detected an event".
    assert by_domain["event"]["attributes"] == {"event_type": "note_added"}
    assert by_domain["event"]["entity_id"] == described[0]["entity_id"]
    # The last-change sensor's line is its timestamp state (Home Assistant lists
    # every non-numeric sensor's changes; see README, known limitations).
    assert dt_util.parse_datetime(by_domain["sensor"]["state"]) is not None


@pytest.mark.freeze_time("2026-01-15T05:00:00+00:00")
async def test_activity_lines_of_a_detected_change(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The demo's first change (8-14 min after start): our line says old → new."""
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow()
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 16 * 60)
    await async_wait_recording_done(hass)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {
            "type": "logbook/get_events",
            "start_time": start.isoformat(),
            "end_time": dt_util.utcnow().isoformat(),
        }
    )
    response = await client.receive_json()
    assert response["success"], response
    lines = response["result"]
    described = [line for line in lines if line.get("domain") == DOMAIN]
    assert len(described) == 1, lines
    assert " → " in described[0]["message"] or " set to " in described[0]["message"]
    event_lines = [
        line
        for line in lines
        if line.get("entity_id") == described[0]["entity_id"] and "state" in line
    ]
    # One trigger of the event entity, with the kind of change as its event type
    # (never "unknown"/"unavailable" rows from the setup).
    assert len(event_lines) == 1, lines
    assert event_lines[0]["attributes"]["event_type"] in {
        "setpoint_changed",
        "schedule_changed",
        "mode_changed",
    }


@pytest.mark.parametrize(
    "recorder_config",
    [{"exclude": {"entity_globs": ["sensor.*_last_configuration_change"]}}],
)
@pytest.mark.freeze_time("2026-01-15T05:00:00+00:00")
async def test_readme_recorder_exclude_leaves_one_line(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """README's workaround: with the sensor excluded, a note is two lines, ours first.

    Excluding the event entity as well would also drop our line: the logbook applies
    the recorder's entity filter to events that name the entity (ours does, for the
    event entity's name and icon, and so that the dashboard's logbook card finds it).
    """
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
    lines = [
        line for line in response["result"] if "configuration_change" in str(line.get("entity_id"))
    ]
    assert [line.get("message") for line in lines if "message" in line] == [
        "note: Bled the radiators"
    ], lines
    assert [line["entity_id"].split(".")[0] for line in lines] == ["event", "event"], lines
    assert [line.get("attributes") for line in lines if "state" in line] == [
        {"event_type": "note_added"}
    ]
