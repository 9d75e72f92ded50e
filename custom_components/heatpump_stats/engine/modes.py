"""The operating mode of a heat pump that does not report one (power in W)."""

from __future__ import annotations

from custom_components.heatpump_stats.model.reading import OperatingMode


def classify_operating_mode(
    *,
    defrost_active: bool | None,
    compressor_running: bool | None,
    circulation_pump: bool | None,
    electrical_power_w: float | None,
    running_threshold_w: float,
) -> OperatingMode:
    """Classify the mode when the source does not report one (power in W).

    defrost_active → defrost; compressor_running, or (when compressor_running
    is unknown) power ≥ `running_threshold_w` → heating; otherwise off when the
    power is 0/None and the circulation pump is not reported running, else
    standby.
    """
    if defrost_active:
        return OperatingMode.DEFROST
    if compressor_running:
        return OperatingMode.HEATING
    if (
        compressor_running is None
        and electrical_power_w is not None
        and electrical_power_w >= running_threshold_w
    ):
        return OperatingMode.HEATING
    if (electrical_power_w is None or electrical_power_w == 0) and not circulation_pump:
        return OperatingMode.OFF
    return OperatingMode.STANDBY
