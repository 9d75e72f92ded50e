"""Logbook lines for change-log entries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.components.logbook.const import LOGBOOK_ENTRY_MESSAGE, LOGBOOK_ENTRY_NAME
from homeassistant.core import Event, HomeAssistant, callback

from .const import DOMAIN, EVENT_CONFIG_CHANGE


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, Any]]], None],
) -> None:
    """Describe `heatpump_stats_config_change` events."""

    @callback
    def _describe(event: Event) -> dict[str, Any]:
        data = event.data
        entry = hass.config_entries.async_get_entry(str(data.get("entry_id")))
        name = entry.title if entry else "Heat Pump Stats"
        key = str(data.get("key", "")).replace("_", " ")
        if data.get("source") == "note":
            message = f"note: {data.get('message')}"
        else:
            message = f"changed {key} from {data.get('old')} to {data.get('new')}"
        return {LOGBOOK_ENTRY_NAME: name, LOGBOOK_ENTRY_MESSAGE: message}

    async_describe_event(DOMAIN, EVENT_CONFIG_CHANGE, _describe)
