"""The plain, typed readings every source returns.

Field names are the contract's entity keys. Units: temperatures °C, power of
electricity W, thermal power kW, energy kWh, flow l/min, modulation %.
A value the source does not have (or could not read this time) is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Final


class OperatingMode(StrEnum):
    """What the heat pump is doing (the contract's `operating_mode` states)."""

    OFF = "off"
    STANDBY = "standby"
    HEATING = "heating"
    DHW = "dhw"
    DEFROST = "defrost"
    COOLING = "cooling"


# The reading's numeric fields and the unit a source must deliver each in.
READING_UNITS: Final[Mapping[str, str]] = {
    "outside_temperature": "°C",
    "flow_temperature": "°C",
    "return_temperature": "°C",
    "dhw_temperature": "°C",
    "compressor_modulation": "%",
    "flow_rate": "l/min",
    "electrical_power": "W",
    "electrical_energy": "kWh",
    "thermal_power": "kW",
    "thermal_energy": "kWh",
    "thermal_energy_heating": "kWh",
    "thermal_energy_dhw": "kWh",
    "electrical_energy_heating": "kWh",
    "electrical_energy_dhw": "kWh",
    "rated_thermal_power": "kW",
}
# The reading's on/off fields.
READING_FLAGS: Final = frozenset({"compressor_running", "defrost_active", "circulation_pump"})


@dataclass(frozen=True, slots=True)
class DeviceIdentity:
    """What a source knows about the device it talks to."""

    manufacturer: str
    model: str
    serial_number: str | None = None
    sw_version: str | None = None


@dataclass(frozen=True, slots=True)
class HeatPumpReading:
    """One poll of a heat pump; every value shares `timestamp` (UTC, tz-aware)."""

    timestamp: datetime
    outside_temperature: float | None = None
    flow_temperature: float | None = None
    return_temperature: float | None = None
    dhw_temperature: float | None = None
    compressor_modulation: float | None = None
    flow_rate: float | None = None
    operating_mode: OperatingMode | None = None
    compressor_running: bool | None = None
    defrost_active: bool | None = None
    circulation_pump: bool | None = None
    # The heat pump's own electricity readings (meter choice `source`).
    electrical_power: float | None = None
    electrical_energy: float | None = None
    # Heat measured by the device itself beats any estimate.
    thermal_power: float | None = None
    thermal_energy: float | None = None
    # The device's own lifetime counters by purpose (kWh), where it keeps them
    # (Luxtronik heat quantities, ISG totals, Viessmann summaries). The engine
    # mirrors them in the entities of the same key instead of counting.
    thermal_energy_heating: float | None = None
    thermal_energy_dhw: float | None = None
    electrical_energy_heating: float | None = None
    electrical_energy_dhw: float | None = None
    # Device-reported rated thermal power (kW), e.g. Viessmann's compressor power.
    rated_thermal_power: float | None = None
    # Configuration the device reports (setpoints, schedules, program) for the
    # change log: key -> comparable value.
    settings: dict[str, str | float | None] = field(default_factory=dict)
    # Further raw values for disabled-by-default entities and diagnostics.
    extra: dict[str, str | float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MeterReading:
    """One poll of an electricity meter (W, kWh cumulative)."""

    timestamp: datetime
    power: float | None = None
    energy: float | None = None
    phases_power: tuple[float | None, ...] = ()
    phases_energy: tuple[float | None, ...] = ()
