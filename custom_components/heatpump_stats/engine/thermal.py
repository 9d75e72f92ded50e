"""Thermal power of a heat pump from what it reports.

Units: thermal power kW, flow l/min, temperatures °C, modulation %.
"""

from __future__ import annotations

from enum import StrEnum

# Volumetric heat capacity of water around 20-50 °C, kJ/(l·K).
WATER_HEAT_CAPACITY_KJ_PER_L_K = 4.186


class ThermalMethod(StrEnum):
    """How the thermal power was obtained (best first)."""

    MEASURED = "measured"
    DELTA_T = "delta_t"
    MODULATION = "modulation"


def thermal_power_modulation(rated_kw: float | None, modulation_pct: float | None) -> float | None:
    """Thermal power (kW) estimated as rated thermal power (kW) × modulation (%) / 100.

    None when either input is None.
    """
    if rated_kw is None or modulation_pct is None:
        return None
    return rated_kw * modulation_pct / 100.0


def thermal_power_delta_t(
    flow_l_min: float | None, flow_temp: float | None, return_temp: float | None
) -> float | None:
    """Thermal power (kW) from the water circuit: flow (l/min) / 60 × 4.186 kJ/(l·K) × ΔT (K).

    ΔT = flow temperature − return temperature (°C); ≈ 0.0698 kW × flow × ΔT.
    Negative when the return is warmer than the flow (defrost draws heat from
    the circuit). None when any input is None.
    """
    if flow_l_min is None or flow_temp is None or return_temp is None:
        return None
    return flow_l_min / 60.0 * WATER_HEAT_CAPACITY_KJ_PER_L_K * (flow_temp - return_temp)


def best_thermal_power(
    measured: float | None, delta_t: float | None, modulation: float | None
) -> tuple[float | None, ThermalMethod | None]:
    """Pick the best available thermal power (kW) and say which method it came from.

    Order: a value measured by the device, then the ΔT estimate, then the
    modulation estimate. ``(None, None)`` when none is available.
    """
    if measured is not None:
        return measured, ThermalMethod.MEASURED
    if delta_t is not None:
        return delta_t, ThermalMethod.DELTA_T
    if modulation is not None:
        return modulation, ThermalMethod.MODULATION
    return None, None
