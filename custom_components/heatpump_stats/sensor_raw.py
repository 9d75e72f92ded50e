"""Raw-value sensors: the further values a source reports, named and unit-typed from their key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    UnitOfElectricCurrent,
    UnitOfEnergy,
    UnitOfFrequency,
    UnitOfPower,
    UnitOfPressure,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolumeFlowRate,
)
from homeassistant.helpers.typing import StateType

from .coordinator import (
    HeatPumpCoordinator,
    HeatPumpData,
    HeatPumpStatsConfigEntry,
)
from .entity import HeatPumpStatsEntity
from .model.reading import READING_FLAGS
from .sensor_descriptions import SENSORS

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


# Device classes of the units a register map or brand table may state.
_STATED_UNIT_CLASSES: Final[dict[str, tuple[SensorDeviceClass, SensorStateClass]]] = {
    UnitOfTemperature.CELSIUS: (SensorDeviceClass.TEMPERATURE, SensorStateClass.MEASUREMENT),
    UnitOfTemperature.KELVIN: (SensorDeviceClass.TEMPERATURE, SensorStateClass.MEASUREMENT),
    UnitOfEnergy.KILO_WATT_HOUR: (SensorDeviceClass.ENERGY, SensorStateClass.TOTAL_INCREASING),
    UnitOfEnergy.MEGA_WATT_HOUR: (SensorDeviceClass.ENERGY, SensorStateClass.TOTAL_INCREASING),
    UnitOfEnergy.WATT_HOUR: (SensorDeviceClass.ENERGY, SensorStateClass.TOTAL_INCREASING),
    UnitOfPower.WATT: (SensorDeviceClass.POWER, SensorStateClass.MEASUREMENT),
    UnitOfPower.KILO_WATT: (SensorDeviceClass.POWER, SensorStateClass.MEASUREMENT),
    UnitOfPressure.BAR: (SensorDeviceClass.PRESSURE, SensorStateClass.MEASUREMENT),
    UnitOfElectricCurrent.AMPERE: (SensorDeviceClass.CURRENT, SensorStateClass.MEASUREMENT),
    UnitOfFrequency.HERTZ: (SensorDeviceClass.FREQUENCY, SensorStateClass.MEASUREMENT),
    UnitOfTime.HOURS: (SensorDeviceClass.DURATION, SensorStateClass.TOTAL_INCREASING),
    UnitOfVolumeFlowRate.LITERS_PER_MINUTE: (
        SensorDeviceClass.VOLUME_FLOW_RATE,
        SensorStateClass.MEASUREMENT,
    ),
}


def extra_description(
    key: str, stated: Mapping[str, str | None] | None = None
) -> SensorEntityDescription:
    """A disabled-by-default sensor for a raw value.

    The unit is the one the source states for the key (a register map's or brand
    table's `unit`), else guessed from the key's name.
    """
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
    if stated is not None and key in stated and stated[key] != unit:
        unit = stated[key]
        device_class, state_class = _STATED_UNIT_CLASSES.get(
            unit or "", (None, SensorStateClass.MEASUREMENT)
        )
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
        stated_units: Mapping[str, str | None] | None = None,
    ) -> None:
        """Bind to the raw key (its unit from `stated_units` where the source states one)."""
        super().__init__(
            entry=entry, coordinator=coordinator, description=extra_description(key, stated_units)
        )
        self._key = key

    @property
    def native_value(self) -> StateType:
        """The latest raw value (None when this poll did not have it)."""
        value = self.coordinator.config_entry.runtime_data.heat_pump.data.reading.extra.get(
            self._key
        )
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
