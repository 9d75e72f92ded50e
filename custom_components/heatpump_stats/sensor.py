"""Sensors: readings, thermal power, energy, COP and period figures.

The descriptions are in `sensor_descriptions`, the raw values a source reports in
`sensor_raw`; this module adds the entities.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    UnitOfEnergy,
    UnitOfPower,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import DOMAIN, EVENT_CONFIG_CHANGE
from .coordinator import (
    HeatPumpStatsConfigEntry,
    MeterCoordinator,
)
from .engine.core import MIRRORED_COUNTERS
from .entity import HeatPumpStatsEntity
from .logbook import describe_change
from .sensor_descriptions import (
    ATTR_DEVICE_COUNTER,
    ELECTRICITY_KEYS,
    RESTORE_FLOOR_MAX_KWH,
    SENSORS,
    HeatPumpStatsSensorDescription,
    has_electricity,
)
from .sensor_raw import HeatPumpStatsExtraSensor, extra_keys
from .sources.base import StatesExtraUnits

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeatPumpStatsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors the source can fill."""
    coordinator = entry.runtime_data.heat_pump
    meter = entry.runtime_data.meter
    electricity = has_electricity(entry)
    if not electricity:
        # A meter removed later: its figures leave the registry (their history stays).
        registry = er.async_get(hass)
        for key in ELECTRICITY_KEYS:
            if entity_id := registry.async_get_entity_id(
                SENSOR_DOMAIN, DOMAIN, f"{entry.unique_id}_{key}"
            ):
                registry.async_remove(entity_id)
    async_add_entities(
        HeatPumpStatsSensor(
            entry=entry,
            coordinator=meter if meter is not None and description.meter_bound else coordinator,
            description=description,
        )
        for description in SENSORS
        if description.exists_fn(coordinator.data)
        and (electricity or description.key not in ELECTRICITY_KEYS)
    )
    async_add_entities(
        [
            LastConfigChangeSensor(
                entry=entry, coordinator=coordinator, description=LAST_CONFIG_CHANGE
            )
        ]
    )
    source = coordinator.source
    stated_units = source.extra_units if isinstance(source, StatesExtraUnits) else None
    async_add_entities(
        HeatPumpStatsExtraSensor(
            entry=entry, coordinator=coordinator, key=key, stated_units=stated_units
        )
        for key in extra_keys(coordinator.data)
    )
    if meter is not None:
        reading = meter.data.reading
        async_add_entities(
            MeterPhaseSensor(entry=entry, coordinator=meter, phase=phase, energy=energy)
            for energy, values in ((False, reading.phases_power), (True, reading.phases_energy))
            for phase in range(min(len(values), len(PHASES)))
        )


class HeatPumpStatsSensor(HeatPumpStatsEntity, RestoreSensor):
    """A value of the heat pump system."""

    entity_description: HeatPumpStatsSensorDescription
    # The raw reading changes every poll; the state already has it.
    _unrecorded_attributes = frozenset({ATTR_DEVICE_COUNTER})

    async def async_added_to_hass(self) -> None:
        """Totals never show less than Home Assistant last recorded for them.

        After a crash the engine's stored state can be up to a minute older
        than the state Home Assistant last saved; the energy of that minute is
        counted again, but by purpose it may land elsewhere, and a
        total_increasing sensor must not go down (statistics read a fall as a
        meter reset).
        """
        await super().async_added_to_hass()
        key = self.entity_description.key
        if key not in MIRRORED_COUNTERS:
            return
        last = await self.async_get_last_sensor_data()
        current = self.native_value
        if last is None or not isinstance(current, (int, float)):
            return
        try:
            restored = float(last.native_value)  # type: ignore[arg-type]
        except TypeError, ValueError:
            return
        if current < restored <= current + RESTORE_FLOOR_MAX_KWH:
            self.coordinator.engine.hold_at_least(key, restored)
            self._floor = restored

    _floor: float | None = None

    @property
    def native_value(self) -> StateType:
        """Return the value from the latest metrics."""
        value = self.entity_description.value_fn(self.coordinator.data.metrics)
        floor = self._floor
        if floor is not None and isinstance(value, (int, float)):
            if value >= floor:
                self._floor = None
            else:
                return floor
        return value

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """Return extra attributes (e.g. the thermal power method)."""
        if self.entity_description.attr_fn is None:
            return None
        return self.entity_description.attr_fn(self.coordinator.data.metrics)


LAST_CONFIG_CHANGE = SensorEntityDescription(
    key="last_config_change",
    translation_key="last_config_change",
    device_class=SensorDeviceClass.TIMESTAMP,
)


class LastConfigChangeSensor(HeatPumpStatsEntity, SensorEntity):
    """When the newest change-log entry happened; its details as attributes."""

    @property
    def available(self) -> bool:
        """The change log is readable while the heat pump is not (unless the log is broken)."""
        return self.coordinator.config_entry.runtime_data.changes.available

    @property
    def native_value(self) -> datetime | None:
        """The newest entry's time."""
        latest = self.coordinator.config_entry.runtime_data.changes.latest
        return None if latest is None else latest.timestamp

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        """What changed."""
        latest = self.coordinator.config_entry.runtime_data.changes.latest
        if latest is None:
            return None
        return {
            "kind": latest.kind,
            "key": latest.key,
            "old": latest.old,
            "new": latest.new,
            "source": latest.source,
            "message": latest.message,
            # In words, as the logbook says it (a tile shows this, not the raw key).
            "description": describe_change(latest.to_dict()),
        }

    async def async_added_to_hass(self) -> None:
        """Write the state as soon as a change is recorded."""
        await super().async_added_to_hass()
        self.async_on_entry_event(EVENT_CONFIG_CHANGE, self._changed)

    @callback
    def _changed(self, _event: Event[Mapping[str, Any]]) -> None:
        self.async_write_ha_state()


PHASES = ("a", "b", "c")


class MeterPhaseSensor(HeatPumpStatsEntity, SensorEntity):
    """One phase (or channel) of a three-phase meter, disabled by default."""

    def __init__(
        self,
        *,
        entry: HeatPumpStatsConfigEntry,
        coordinator: MeterCoordinator,
        phase: int,
        energy: bool,
    ) -> None:
        """Phase `phase` (0..2) power (W) or energy (kWh)."""
        name = PHASES[phase]
        super().__init__(
            entry=entry,
            coordinator=coordinator,
            description=SensorEntityDescription(
                key=f"{'energy' if energy else 'power'}_phase_{name}",
                translation_key=f"{'energy' if energy else 'power'}_phase",
                translation_placeholders={"phase": name.upper()},
                device_class=SensorDeviceClass.ENERGY if energy else SensorDeviceClass.POWER,
                native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR
                if energy
                else UnitOfPower.WATT,
                state_class=SensorStateClass.TOTAL_INCREASING
                if energy
                else SensorStateClass.MEASUREMENT,
                entity_registry_enabled_default=False,
            ),
        )
        self._meter = coordinator
        self._phase = phase
        self._energy = energy

    @property
    def native_value(self) -> StateType:
        """The phase's latest value."""
        reading = self._meter.data.reading
        values = reading.phases_energy if self._energy else reading.phases_power
        return values[self._phase] if self._phase < len(values) else None
