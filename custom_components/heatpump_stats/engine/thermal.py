"""Thermal power of a heat pump from what it reports.

Units: thermal power kW, flow l/min, temperatures °C, modulation %.
"""

from __future__ import annotations

from custom_components.heatpump_stats.model.metrics import ThermalMethod

# Volumetric heat capacity of water around 20-50 °C, kJ/(l·K).
WATER_HEAT_CAPACITY_KJ_PER_L_K = 4.186


# Plausibility of heat while the compressor runs (not defrosting): more than
# 0 kW; COP heat/electricity between these bounds when the electricity is known
# (0.05 kW and more); at most this factor × the rated thermal power.
PLAUSIBLE_COP: tuple[float, float] = (1.0, 10.0)
PLAUSIBLE_RATED_FACTOR = 1.5
_MIN_ELECTRICAL_KW = 0.05
_PLAUSIBLE_METHOD = {
    ThermalMethod.DELTA_T: ThermalMethod.DELTA_T_PLAUSIBLE,
    ThermalMethod.MODULATION: ThermalMethod.MODULATION_PLAUSIBLE,
}


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
    if flow_l_min == 0:
        return 0.0  # no flow, no heat (and not -0.0 from a negative spread)
    return flow_l_min / 60.0 * WATER_HEAT_CAPACITY_KJ_PER_L_K * (flow_temp - return_temp)


def plausible_heat(
    kw: float, electrical_kw: float | None = None, rated_kw: float | None = None
) -> bool:
    """Whether `kw` of heat can come from a running compressor (not defrosting).

    > 0 kW; with electricity ≥ 0.05 kW known, 1 ≤ kw / electrical_kw ≤ 10;
    with a rated thermal power known, kw ≤ 1.5 × rated.
    """
    if kw <= 0:
        return False
    if electrical_kw is not None and electrical_kw >= _MIN_ELECTRICAL_KW:
        cop = kw / electrical_kw
        if not PLAUSIBLE_COP[0] <= cop <= PLAUSIBLE_COP[1]:
            return False
    return not (rated_kw is not None and rated_kw > 0 and kw > PLAUSIBLE_RATED_FACTOR * rated_kw)


def best_thermal_power(
    measured: float | None,
    delta_t: float | None,
    modulation: float | None,
    *,
    running: bool | None = None,
    defrost: bool = False,
    electrical_kw: float | None = None,
    rated_kw: float | None = None,
) -> tuple[float | None, ThermalMethod | None]:
    """Pick the best available thermal power (kW) and say which method it came from.

    Order: a value measured by the device, then the ΔT estimate, then the
    modulation estimate. ``(None, None)`` when none is available.

    While the compressor runs (`running` True, not `defrost`), a value that is
    not physically plausible (:func:`plausible_heat`: 0 kW, say, because the
    flow was taken as 0, or 12 kW of ΔT heat from 0.9 kW of electricity) is
    passed over for the next plausible one, and the method says so
    (``delta_t_plausible`` / ``modulation_plausible``). When none is
    plausible the heat is unknown (None): a running compressor never shows 0 kW.
    """
    ranked = [
        (value, method)
        for value, method in (
            (measured, ThermalMethod.MEASURED),
            (delta_t, ThermalMethod.DELTA_T),
            (modulation, ThermalMethod.MODULATION),
        )
        if value is not None
    ]
    if not ranked:
        return None, None
    if running is not True or defrost:
        return ranked[0]
    for index, (value, method) in enumerate(ranked):
        if plausible_heat(value, electrical_kw, rated_kw):
            return value, method if index == 0 else _PLAUSIBLE_METHOD[method]
    return None, None
