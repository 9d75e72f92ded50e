"""What a summary is made of: the sample, its value fields, the purposes, the Carnot reference.

Units: temperatures °C, electrical power W, thermal power kW, energy kWh.
:class:`~.analytics.SummaryBuilder` takes :class:`Sample` (or the same values
positionally, :data:`VALUE_FIELDS`); the purposes name the summary's buckets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from custom_components.heatpump_stats.model.reading import OperatingMode

KELVIN = 273.15
CARNOT_HOT_OFFSET_K = 2.0  # condensing above the flow temperature
CARNOT_COLD_OFFSET_K = 6.0  # evaporating below the outdoor air
# Counter jitter tolerance, as CounterTracker's defaults.
COUNTER_JITTER_ABS_KWH = 0.01
COUNTER_JITTER_REL = 0.001

PURPOSE_COMBINED = "combined"
PURPOSE_RUNNING = "running"
PURPOSE_UNKNOWN = "unknown"
HEATING = OperatingMode.HEATING.value
DHW = OperatingMode.DHW.value
# Buckets that add up to `combined` (defrost is never a purpose of its own).
BUCKETS: tuple[str, ...] = (
    HEATING,
    DHW,
    OperatingMode.COOLING.value,
    OperatingMode.STANDBY.value,
    OperatingMode.OFF.value,
    PURPOSE_UNKNOWN,
)
SUMMARY_PURPOSES: tuple[str, ...] = (PURPOSE_COMBINED, PURPOSE_RUNNING, *BUCKETS)
# By-purpose counters (kWh) that split an interval's energy (see "By-purpose counters").
BY_PURPOSE_FIELDS: tuple[str, ...] = (
    "electrical_energy_heating",
    "electrical_energy_dhw",
    "thermal_energy_heating",
    "thermal_energy_dhw",
)
# Sample's fields after `ts` = SummaryBuilder.add_values' arguments after `t`, in order.
VALUE_FIELDS: tuple[str, ...] = (
    "mode",
    "electrical_power",
    "thermal_power",
    "electrical_energy",
    "thermal_energy",
    "flow_temperature",
    "outside_temperature",
    "compressor_running",
    "defrost_active",
    "circulation_pump",
    *BY_PURPOSE_FIELDS,
)
STATE_KEYS: tuple[str, ...] = ("compressor", "circulation_pump", "heating", "dhw", "defrost")


@dataclass(frozen=True, slots=True)
class Sample:
    """One moment of the heat pump system; None = unknown.

    Units: electrical power W, thermal power kW, counters kWh (cumulative),
    temperatures °C.
    """

    ts: datetime
    mode: OperatingMode | None = None
    electrical_power: float | None = None
    thermal_power: float | None = None
    electrical_energy: float | None = None
    thermal_energy: float | None = None
    flow_temperature: float | None = None
    outside_temperature: float | None = None
    compressor_running: bool | None = None
    defrost_active: bool | None = None
    circulation_pump: bool | None = None
    electrical_energy_heating: float | None = None
    electrical_energy_dhw: float | None = None
    thermal_energy_heating: float | None = None
    thermal_energy_dhw: float | None = None


def carnot_cop(flow_c: float | None, outdoor_c: float | None) -> float | None:
    """Carnot COP for a flow and an outdoor temperature (°C).

    T_hot = flow + 2 K, T_cold = outdoor − 6 K (kelvin); COP = T_hot / (T_hot − T_cold).
    None when a temperature is unknown or T_hot ≤ T_cold.
    """
    if flow_c is None or outdoor_c is None:
        return None
    hot = flow_c + CARNOT_HOT_OFFSET_K + KELVIN
    cold = outdoor_c - CARNOT_COLD_OFFSET_K + KELVIN
    if hot <= cold:
        return None
    return hot / (hot - cold)


def carnot_percent(
    cop: float | None, flow_c: float | None, outdoor_c: float | None
) -> float | None:
    """COP as % of the Carnot COP of :func:`carnot_cop` (None when either is unknown)."""
    carnot = carnot_cop(flow_c, outdoor_c)
    if cop is None or carnot is None:
        return None
    return 100.0 * cop / carnot
