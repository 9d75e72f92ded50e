"""Sensors: readings, thermal power, energy, COP and period figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.components.sensor import (
    DOMAIN as SENSOR_DOMAIN,
    RestoreSensor,
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
from .engine.core import MIRRORED_COUNTERS
from .engine.sample import carnot_percent
from .entity import HeatPumpStatsEntity
from .logbook import describe_change
from .model.metrics import Metrics
from .model.reading import READING_FLAGS, OperatingMode

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HeatPumpStatsSensorDescription(SensorEntityDescription):
    """A sensor read from the engine's metrics."""

    value_fn: Callable[[Metrics], StateType]
    exists_fn: Callable[[HeatPumpData], bool] = lambda _: True
    attr_fn: Callable[[Metrics], Mapping[str, Any] | None] | None = None
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
    """A monotonic energy total (kWh) that the Energy dashboard accepts.

    Totals that mirror a device's lifetime counter (engine.core.MIRRORED_COUNTERS)
    carry the raw reading (`device_counter`) and the offset the basis rule
    added (`counter_offset`; 0 when the total is the device's reading).
    """
    return HeatPumpStatsSensorDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        entity_registry_enabled_default=enabled,
        value_fn=lambda m: getattr(m, key),
        attr_fn=partial(_counter_attributes, key) if key in MIRRORED_COUNTERS else None,
        meter_bound=meter_bound,
    )


def _counter_attributes(key: str, metrics: Metrics) -> Mapping[str, Any] | None:
    raw = metrics.device_counters.get(key)
    if raw is None:
        return None
    return {
        ATTR_DEVICE_COUNTER: round(raw, 3),
        ATTR_COUNTER_OFFSET: round(metrics.counter_offsets.get(key, 0.0), 3),
    }


ATTR_DEVICE_COUNTER = "device_counter"
ATTR_COUNTER_OFFSET = "counter_offset"
# A restored total further above the count than this is from another basis
# (a deleted store): not a floor. 2 kWh is 50 kW for 2.4 minutes, more than
# the store can lag behind (one minute).
RESTORE_FLOOR_MAX_KWH = 2.0


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
    HeatPumpStatsSensorDescription(
        key="lifetime_cop",
        translation_key="lifetime_cop",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        value_fn=lambda m: _rounded(m.lifetime_cop, 3),
        # Heat and electricity both from the heat pump's own lifetime counters.
        exists_fn=lambda d: (
            d.reading.thermal_energy is not None and d.reading.electrical_energy is not None
        ),
    ),
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
_EXTRA_CLOSED_WINDOWS = ("_last_seven_days_", "_last_month_", "_last_year_")
# Keys of our own entities (sensors and the reading's flags, the binary sensors).
_OWN_KEYS: Final = frozenset(
    {description.key for description in SENSORS} | READING_FLAGS | {"last_config_change"}
)


# Raw-value names: words a key spells in capitals, unit words a key may end
# with (the unit is shown already), and a qualifier when the key is also one of
# our own entities' keys (Luxtronik's compressor_starts is the controller's
# counter beside ours): no two entities of a device share a name.
_NAME_ACRONYMS: Final = {
    word: word.upper()
    for word in (
        "cop", "scop", "spf", "jaz", "dhw", "hp", "pv", "sg", "evu", "buh", "lin",
        "isg", "wpm", "id", "ac", "dc", "l1", "l2", "l3", "co2", "rpm", "hz",
    )
}  # fmt: skip
_NAME_UNIT_WORDS: Final = frozenset({"kwh", "wh", "kw", "w", "pct"})
_DEVICE_QUALIFIER: Final = "(device)"


def raw_value_name(key: str) -> str:
    """The name a raw value's sensor shows: ``building_deficit_kwh`` -> "Building deficit".

    Underscores become spaces, acronyms are capitals (``cop_true`` -> "True COP",
    ``dhw_tank_target`` -> "DHW tank target"), a trailing unit word is dropped,
    and a key that one of our own entities also uses gets "(device)".
    """
    words = [word for word in key.split("_") if word]
    while len(words) > 1 and words[-1] in _NAME_UNIT_WORDS:
        words.pop()
    if len(words) > 1 and words[-1] == "true":
        words = ["true", *words[:-1]]  # "cop true" reads "true COP"
    shown = [_NAME_ACRONYMS.get(word, word) for word in words] or [key]
    name = " ".join(shown)
    name = name[0].upper() + name[1:]
    if key in _OWN_KEYS:
        name = f"{name} {_DEVICE_QUALIFIER}"
    return name


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
    if state_class is SensorStateClass.TOTAL_INCREASING and any(
        marker in key for marker in _EXTRA_CLOSED_WINDOWS
    ):
        # A closed or rolling window (Viessmann's last 7 days, last month, last
        # year) rises and falls without a reset: no long-term statistics sum.
        state_class = None
    return SensorEntityDescription(
        key=f"extra_{key}",
        translation_key="extra",
        translation_placeholders={"name": raw_value_name(key)},
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
