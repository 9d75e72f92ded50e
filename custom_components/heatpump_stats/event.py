"""The `config_change` event entity: one trigger per change-log entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import EVENT_CONFIG_CHANGE, EVENT_NOTE_DELETED, EVENT_NOTE_UPDATED, EVENT_TYPES
from .coordinator import HeatPumpStatsConfigEntry
from .entity import HeatPumpStatsEntity

PARALLEL_UPDATES = 0

CONFIG_CHANGE = EventEntityDescription(
    key="config_change",
    translation_key="config_change",
    event_types=[*EVENT_TYPES, EVENT_NOTE_UPDATED, EVENT_NOTE_DELETED],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeatPumpStatsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the change event entity."""
    async_add_entities(
        [
            ConfigChangeEvent(
                entry=entry, coordinator=entry.runtime_data.heat_pump, description=CONFIG_CHANGE
            )
        ]
    )


class ConfigChangeEvent(HeatPumpStatsEntity, EventEntity):
    """Fires with every detected configuration change and every note."""

    @property
    def available(self) -> bool:
        """Notes can be added while the heat pump is unreachable (not while the log is broken)."""
        return self.coordinator.config_entry.runtime_data.changes.available

    async def async_added_to_hass(self) -> None:
        """Follow the bus event for this entry."""
        await super().async_added_to_hass()
        entry_id = self.coordinator.config_entry.entry_id

        @callback
        def _filter(event_data: Mapping[str, Any]) -> bool:
            return event_data.get("entry_id") == entry_id

        self.async_on_remove(
            self.hass.bus.async_listen(
                EVENT_CONFIG_CHANGE, self._handle_change, event_filter=_filter
            )
        )

    # Entity.async_remove is final for typing only; the one place that decides between
    # "write unavailable" and "remove the state" gives no other hook.
    async def async_remove(self, *, force_remove: bool = False) -> None:  # type: ignore[misc]
        """Unload drops the state instead of writing `unavailable`.

        The state is the time of the last change. An `unavailable` (and then a
        restored or `unknown`) state across a reload, e.g. after saving the
        options, would be a row of its own in the change-log card and in
        Activity. EventEntity saved the last event for restoring before this
        runs, and a state that comes back after a removal is no logbook row.
        """
        await super().async_remove(force_remove=True)

    @callback
    def _handle_change(self, event: Event[Mapping[str, Any]]) -> None:
        data = event.data
        self._trigger_event(
            str(data["kind"]),
            {key: data.get(key) for key in ("key", "old", "new", "source", "message", "timestamp")},
        )
        self.async_write_ha_state()
