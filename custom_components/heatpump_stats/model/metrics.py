"""What the engine shows: one snapshot of every entity's value.

Units: temperatures °C, electrical power W, thermal power kW, energy kWh,
flow l/min, modulation %, time s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from .reading import OperatingMode


class ThermalMethod(StrEnum):
    """How the thermal power was obtained (best first)."""

    MEASURED = "measured"
    DELTA_T = "delta_t"
    MODULATION = "modulation"
    # Chosen over a better-ranked value that was not physically plausible
    # while the compressor ran (see best_thermal_power).
    DELTA_T_PLAUSIBLE = "delta_t_plausible"
    MODULATION_PLAUSIBLE = "modulation_plausible"


@dataclass(frozen=True, slots=True)
class Metrics:
    """One snapshot of everything the entities show; None = unknown."""

    outside_temperature: float | None  # °C
    flow_temperature: float | None  # °C
    return_temperature: float | None  # °C
    dhw_temperature: float | None  # °C
    compressor_modulation: float | None  # %
    flow_rate: float | None  # l/min, measured, else configured
    operating_mode: OperatingMode | None  # the source's, else classified
    compressor_running: bool | None
    defrost_active: bool | None
    circulation_pump: bool | None
    electrical_power: float | None  # W, latest
    electrical_energy: float | None  # kWh, accumulated since setup (survives meter resets)
    thermal_power: float | None  # kW, best method
    thermal_power_method: ThermalMethod | None
    thermal_power_modulation: float | None  # kW
    thermal_power_delta_t: float | None  # kW
    thermal_energy: float | None  # kWh, net heat since setup, never decreasing (see Engine)
    cop: float | None  # 5-minute window
    daily_cop: float | None
    seasonal_cop: float | None
    electrical_energy_heating: float  # kWh
    electrical_energy_dhw: float  # kWh
    electrical_energy_defrost: float  # kWh (subset of heating + dhw)
    thermal_energy_heating: float  # kWh
    thermal_energy_dhw: float  # kWh
    compressor_starts: int
    energy_today: float  # kWh electricity, local day
    energy_week: float  # kWh electricity, ISO week (Monday)
    energy_month: float  # kWh electricity
    energy_year: float  # kWh electricity
    projected_annual_energy: float | None  # kWh electricity, current local year
    time_in_mode: dict[str, float]  # s per OperatingMode value since setup
    # Heat counter / electricity counter of the heat pump itself (lifetime).
    lifetime_cop: float | None = None
    # Raw device readings (kWh) and offsets of the mirrored totals (see MIRRORED_COUNTERS).
    device_counters: dict[str, float] = field(default_factory=dict)
    counter_offsets: dict[str, float] = field(default_factory=dict)
