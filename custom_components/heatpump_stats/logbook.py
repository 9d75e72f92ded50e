"""Logbook lines for change-log entries: one line per change or note, saying what changed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_ENTITY_ID,
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CONFIG_CHANGE, EVENT_NOTE_DELETED, EVENT_NOTE_UPDATED


def describe_change(data: dict[str, Any]) -> str:
    """The line's text: the note itself, or `<setting>: <old> → <new>`."""
    if data.get("source") == "note":
        if data.get("kind") == EVENT_NOTE_UPDATED:
            return f"note edited: {data.get('old')} → {data.get('new')}"
        if data.get("kind") == EVENT_NOTE_DELETED:
            return f"note deleted: {data.get('old')}"
        return f"note: {data.get('message')}"
    key = str(data.get("key") or "").replace("_", " ")
    old, new = data.get("old"), data.get("new")
    if old is None:
        return f"{key} set to {new}"
    return f"{key}: {old} → {new}"


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe `heatpump_stats_config_change` events."""

    @callback
    def _describe(event: Event) -> dict[str, Any]:
        data = dict(event.data)
        line: dict[str, Any] = {LOGBOOK_ENTRY_MESSAGE: describe_change(data)}
        if entity_id := data.get(ATTR_ENTITY_ID):
            # The event entity's name and icon (a line without them has a blank icon).
            line[LOGBOOK_ENTRY_ENTITY_ID] = entity_id
            state = hass.states.get(str(entity_id))
            line[LOGBOOK_ENTRY_NAME] = state.name if state else str(entity_id)
        else:
            entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
            line[LOGBOOK_ENTRY_NAME] = entry.title if entry else "Heat Pump Stats"
        return line

    async_describe_event(DOMAIN, EVENT_CONFIG_CHANGE, _describe)
