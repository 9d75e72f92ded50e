"""The sensor descriptions: what each of our sensors shows, from the engine's metrics.

One table (`SENSORS`) of `EntityDescription`s with `value_fn`/`exists_fn`, the
helpers that build its rows, and the electricity figures that need a meter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolumeFlowRate,
)
from homeassistant.helpers.typing import StateType

from .const import CONF_METER, METER_SOURCE
from .coordinator import (
    HeatPumpData,
    HeatPumpStatsConfigEntry,
)
from .engine.core import MIRRORED_COUNTERS
from .engine.sample import carnot_percent
from .model.metrics import Metrics
from .model.reading import OperatingMode


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
