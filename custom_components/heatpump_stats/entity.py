"""The one base entity of Heat Pump Stats."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.core import Event, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import HeatPumpCoordinator, HeatPumpStatsConfigEntry, MeterCoordinator


class HeatPumpStatsEntity(CoordinatorEntity[HeatPumpCoordinator | MeterCoordinator]):
    """An entity of one heat pump system; reads the coordinator's data only."""

    _attr_has_entity_name = True

    def __init__(
        self,
        *,
        entry: HeatPumpStatsConfigEntry,
        coordinator: HeatPumpCoordinator | MeterCoordinator,
        description: EntityDescription,
    ) -> None:
        """Bind the entity to its description and the system's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        identity = entry.runtime_data.identity
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, str(entry.unique_id))},
            manufacturer=identity.manufacturer,
            model=identity.model,
            serial_number=identity.serial_number,
            sw_version=identity.sw_version,
            name=entry.title,
        )

    def async_on_entry_event(
        self, event_type: str, action: Callable[[Event[Mapping[str, Any]]], None]
    ) -> None:
        """Call the callback `action` for each bus event `event_type` of this entry."""
        entry_id = self.coordinator.config_entry.entry_id

        @callback
        def _of_this_entry(event_data: Mapping[str, Any]) -> bool:
            return event_data.get("entry_id") == entry_id

        self.async_on_remove(
            self.hass.bus.async_listen(event_type, action, event_filter=_of_this_entry)
        )
