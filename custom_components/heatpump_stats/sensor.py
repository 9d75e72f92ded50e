"""Sensors: readings, thermal power, energy, COP and period figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfPressure,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolumeFlowRate,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import CONF_METER, DOMAIN, EVENT_CONFIG_CHANGE, METER_SOURCE
from .coordinator import (
    HeatPumpCoordinator,
    HeatPumpData,
    HeatPumpStatsConfigEntry,
    MeterCoordinator,
)
from .engine.analytics import carnot_percent
from .engine.core import Metrics
from .entity import HeatPumpStatsEntity
from .sources.reading import OperatingMode

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HeatPumpStatsSensorDescription(SensorEntityDescription):
    """A sensor read from the engine's metrics."""

    value_fn: Callable[[Metrics], StateType]
    exists_fn: Callable[[HeatPumpData], bool] = lambda _: True
    attr_fn: Callable[[Metrics], Mapping[str, Any]] | None = None
    # Electricity figures follow the meter's coordinator when there is one.
    meter_bound: bool = False


def _temperature(key: str) -> HeatPumpStatsSensorDescription:
    return HeatPumpStatsSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=lambda m: getattr(m, key),
        exists_fn=lambda d: getattr(d.reading, key) is not None,
    )


def _energy(
    key: str, *, enabled: bool = True, meter_bound: bool = False
) -> HeatPumpStatsSensorDescription:
    """A monotonic energy total (kWh) that the Energy dashboard accepts."""
    return HeatPumpStatsSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        entity_registry_enabled_default=enabled,
        value_fn=lambda m: getattr(m, key),
        meter_bound=meter_bound,
    )


def _cop(key: str) -> HeatPumpStatsSensorDescription:
    return HeatPumpStatsSensorDescription(
        key=key,
        translation_key=key,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda m: _rounded(getattr(m, key), 3),
    )


def _thermal_power(key: str, value_fn: Callable[[Metrics], float | None], **kwargs: Any) -> Any:
    return HeatPumpStatsSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.KILO_WATT,
        suggested_display_precision=2,
        value_fn=lambda m: _rounded(value_fn(m), 3),
        **kwargs,
    )


def _hours_in_mode(mode: str, metrics: Metrics) -> float:
    return round(metrics.time_in_mode.get(mode, 0.0) / 3600, 4)


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _has_delta_t_inputs(data: HeatPumpData) -> bool:
    reading = data.reading
    return (
        reading.flow_temperature is not None
        and reading.return_temperature is not None
        and data.metrics.flow_rate is not None
    )


SENSORS: tuple[HeatPumpStatsSensorDescription, ...] = (
    _temperature("outside_temperature"),
    _temperature("flow_temperature"),
    _temperature("return_temperature"),
    _temperature("dhw_temperature"),
    HeatPumpStatsSensorDescription(
        key="compressor_modulation",
        translation_key="compressor_modulation",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda m: m.compressor_modulation,
        exists_fn=lambda d: d.reading.compressor_modulation is not None,
    ),
    HeatPumpStatsSensorDescription(
        key="flow_rate",
        translation_key="flow_rate",
        device_class=SensorDeviceClass.VOLUME_FLOW_RATE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfVolumeFlowRate.LITERS_PER_MINUTE,
        suggested_display_precision=1,
        value_fn=lambda m: m.flow_rate,
        exists_fn=lambda d: d.metrics.flow_rate is not None,
    ),
    HeatPumpStatsSensorDescription(
        key="operating_mode",
        translation_key="operating_mode",
        device_class=SensorDeviceClass.ENUM,
        options=[mode.value for mode in OperatingMode],
        value_fn=lambda m: None if m.operating_mode is None else m.operating_mode.value,
    ),
    HeatPumpStatsSensorDescription(
        key="electrical_power",
        translation_key="electrical_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=lambda m: _rounded(m.electrical_power, 1),
        meter_bound=True,
    ),
    _energy("electrical_energy", meter_bound=True),
    _thermal_power(
        "thermal_power",
        lambda m: m.thermal_power,
        attr_fn=lambda m: {
            "method": None if m.thermal_power_method is None else m.thermal_power_method.value
        },
    ),
    _thermal_power(
        "thermal_power_modulation",
        lambda m: m.thermal_power_modulation,
        exists_fn=lambda d: d.reading.compressor_modulation is not None,
    ),
    _thermal_power(
        "thermal_power_delta_t",
        lambda m: m.thermal_power_delta_t,
        exists_fn=_has_delta_t_inputs,
    ),
    _energy("thermal_energy"),
    _cop("cop"),
    _cop("daily_cop"),
    _cop("seasonal_cop"),
    _energy("electrical_energy_heating"),
    _energy("electrical_energy_dhw"),
    _energy("electrical_energy_defrost"),
    _energy("thermal_energy_heating"),
    _energy("thermal_energy_dhw"),
    # Period figures fall back to 0 at each period start: TOTAL_INCREASING
    # reads that drop as a new cycle, so statistics stay right.
    _energy("energy_today", meter_bound=True),
    _energy("energy_week", meter_bound=True),
    _energy("energy_month", meter_bound=True),
    _energy("energy_year", meter_bound=True),
    HeatPumpStatsSensorDescription(
        key="projected_annual_energy",
        translation_key="projected_annual_energy",
        device_class=SensorDeviceClass.ENERGY,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=0,
        value_fn=lambda m: _rounded(m.projected_annual_energy, 1),
        meter_bound=True,
    ),
    HeatPumpStatsSensorDescription(
        key="carnot_efficiency",
        translation_key="carnot_efficiency",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        suggested_display_precision=0,
        value_fn=lambda m: _rounded(
            carnot_percent(m.cop, m.flow_temperature, m.outside_temperature), 1
        ),
        exists_fn=lambda d: (
            d.reading.flow_temperature is not None and d.reading.outside_temperature is not None
        ),
    ),
    *(
        HeatPumpStatsSensorDescription(
            key=f"time_{mode.value}",
            translation_key=f"time_{mode.value}",
            device_class=SensorDeviceClass.DURATION,
            native_unit_of_measurement=UnitOfTime.HOURS,
            state_class=SensorStateClass.TOTAL_INCREASING,
            entity_category=EntityCategory.DIAGNOSTIC,
            suggested_display_precision=1,
            value_fn=partial(_hours_in_mode, mode.value),
        )
        for mode in OperatingMode
    ),
    HeatPumpStatsSensorDescription(
        key="compressor_starts",
        translation_key="compressor_starts",
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda m: m.compressor_starts,
    ),
)


# Figures made of electricity: without a meter (meter "none") they have no input and
# are not created (reading 0 kWh would say the heat pump used nothing).
ELECTRICITY_KEYS: frozenset[str] = frozenset(
    {
        "electrical_power",
        "electrical_energy",
        "cop",
        "daily_cop",
        "seasonal_cop",
        "electrical_energy_heating",
        "electrical_energy_dhw",
        "electrical_energy_defrost",
        "energy_today",
        "energy_week",
        "energy_month",
        "energy_year",
        "projected_annual_energy",
        "carnot_efficiency",
    }
)


def has_electricity(entry: HeatPumpStatsConfigEntry) -> bool:
    """Whether the entry measures electricity (a meter, or the heat pump's own readings)."""
    return entry.runtime_data.meter is not None or entry.data.get(CONF_METER) == METER_SOURCE


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
    async_add_entities(
        HeatPumpStatsExtraSensor(entry=entry, coordinator=coordinator, key=key)
        for key in extra_keys(coordinator.data)
    )
    if meter is not None:
        reading = meter.data.reading
        async_add_entities(
            MeterPhaseSensor(entry=entry, coordinator=meter, phase=phase, energy=energy)
            for energy, values in ((False, reading.phases_power), (True, reading.phases_energy))
            for phase in range(min(len(values), len(PHASES)))
        )


class HeatPumpStatsSensor(HeatPumpStatsEntity, SensorEntity):
    """A value of the heat pump system."""

    entity_description: HeatPumpStatsSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the value from the latest metrics."""
        return self.entity_description.value_fn(self.coordinator.data.metrics)

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
        """The change log is readable while the heat pump is not."""
        return True

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
        }

    async def async_added_to_hass(self) -> None:
        """Write the state as soon as a change is recorded."""
        await super().async_added_to_hass()
        entry_id = self.coordinator.config_entry.entry_id

        @callback
        def _filter(event_data: Mapping[str, Any]) -> bool:
            return event_data.get("entry_id") == entry_id

        @callback
        def _changed(_event: Event[Mapping[str, Any]]) -> None:
            self.async_write_ha_state()

        self.async_on_remove(
            self.hass.bus.async_listen(EVENT_CONFIG_CHANGE, _changed, event_filter=_filter)
        )


# Further raw values a source reports (Luxtronik's 1800 values, the ISG's
# extra registers, Viessmann's own SCOP/SPF and energy summaries, ...): shown
# as disabled-by-default sensors, named after their key. Units follow the
# sources' key conventions.
_EXTRA_SUFFIXES: tuple[tuple[str, str | None, SensorDeviceClass | None, SensorStateClass], ...] = (
    (
        "_temperature",
        UnitOfTemperature.CELSIUS,
        SensorDeviceClass.TEMPERATURE,
        SensorStateClass.MEASUREMENT,
    ),
    (
        "_kwh",
        UnitOfEnergy.KILO_WATT_HOUR,
        SensorDeviceClass.ENERGY,
        SensorStateClass.TOTAL_INCREASING,
    ),
    (
        "_counter",
        UnitOfEnergy.KILO_WATT_HOUR,
        SensorDeviceClass.ENERGY,
        SensorStateClass.TOTAL_INCREASING,
    ),
    (
        "_total",
        UnitOfEnergy.KILO_WATT_HOUR,
        SensorDeviceClass.ENERGY,
        SensorStateClass.TOTAL_INCREASING,
    ),
    (
        "_today",
        UnitOfEnergy.KILO_WATT_HOUR,
        SensorDeviceClass.ENERGY,
        SensorStateClass.TOTAL_INCREASING,
    ),
    ("_pressure", UnitOfPressure.BAR, SensorDeviceClass.PRESSURE, SensorStateClass.MEASUREMENT),
    (
        "_frequency",
        UnitOfFrequency.HERTZ,
        SensorDeviceClass.FREQUENCY,
        SensorStateClass.MEASUREMENT,
    ),
    (
        "_flow_rate",
        UnitOfVolumeFlowRate.LITERS_PER_MINUTE,
        SensorDeviceClass.VOLUME_FLOW_RATE,
        SensorStateClass.MEASUREMENT,
    ),
    ("_hours", UnitOfTime.HOURS, SensorDeviceClass.DURATION, SensorStateClass.TOTAL_INCREASING),
    ("_starts", None, None, SensorStateClass.TOTAL_INCREASING),
)
_EXTRA_PREFIXES: tuple[tuple[str, str | None, SensorDeviceClass | None, SensorStateClass], ...] = (
    (
        "operating_hours_",
        UnitOfTime.HOURS,
        SensorDeviceClass.DURATION,
        SensorStateClass.TOTAL_INCREASING,
    ),
    ("vendor_", None, None, SensorStateClass.MEASUREMENT),
)
_EXTRA_SKIP = ("problem_",)


def extra_description(key: str) -> SensorEntityDescription:
    """A disabled-by-default sensor for a raw value, its unit guessed from the key."""
    unit: str | None = None
    device_class: SensorDeviceClass | None = None
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT
    for prefix, p_unit, p_class, p_state in _EXTRA_PREFIXES:
        if key.startswith(prefix):
            unit, device_class, state_class = p_unit, p_class, p_state
            break
    else:
        for suffix, s_unit, s_class, s_state in _EXTRA_SUFFIXES:
            if key.endswith(suffix):
                unit, device_class, state_class = s_unit, s_class, s_state
                break
    return SensorEntityDescription(
        key=f"extra_{key}",
        translation_key="extra",
        translation_placeholders={"name": key.replace("_", " ").capitalize()},
        native_unit_of_measurement=unit,
        device_class=device_class,
        state_class=state_class,
        entity_registry_enabled_default=False,
    )


def extra_keys(data: HeatPumpData) -> list[str]:
    """Numeric raw values of the first reading (text and flags are left to diagnostics)."""
    return [
        key
        for key, raw in data.reading.extra.items()
        if isinstance(raw, (int, float))
        and not isinstance(raw, bool)
        and not key.startswith(_EXTRA_SKIP)
    ]


class HeatPumpStatsExtraSensor(HeatPumpStatsEntity, SensorEntity):
    """A raw value of the heat pump, as the source reports it."""

    def __init__(
        self,
        *,
        entry: HeatPumpStatsConfigEntry,
        coordinator: HeatPumpCoordinator,
        key: str,
    ) -> None:
        """Bind to the raw key."""
        super().__init__(entry=entry, coordinator=coordinator, description=extra_description(key))
        self._key = key

    @property
    def native_value(self) -> StateType:
        """The latest raw value (None when this poll did not have it)."""
        value = self.coordinator.config_entry.runtime_data.heat_pump.data.reading.extra.get(
            self._key
        )
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


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
