"""The plain, typed readings every source returns.

Field names are the contract's entity keys. Units: temperatures °C, power of
electricity W, thermal power kW, energy kWh, flow l/min, modulation %.
A value the source does not have (or could not read this time) is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class OperatingMode(StrEnum):
    """What the heat pump is doing (the contract's `operating_mode` states)."""

    OFF = "off"
    STANDBY = "standby"
    HEATING = "heating"
    DHW = "dhw"
    DEFROST = "defrost"
    COOLING = "cooling"


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
