"""What the device's state says: the operating mode (rule in the package docstring), water flow."""

from __future__ import annotations

from custom_components.heatpump_stats.model.reading import OperatingMode


def circulation_pump_from(
    pumps: list[bool], compressor_running: bool | None, *, internal_pump: bool | None = None
) -> bool | None:
    """The heat pump's water side: on when a pump of it runs; off only when nothing moves.

    `internal_pump` is the heat pump's own secondary pump where the device
    reports it (E3 ``heating.boiler.pumps.internal``): it decides. Otherwise
    `pumps` are the pumps of its water side the device reports (heating-circuit
    pumps, the DHW charging pump; never the DHW circulation pump to the taps).
    A running compressor moves water even when the pumps read off (the
    internal pump is often not listed), so that case is unknown (None), never
    "no flow".
    """
    if internal_pump is not None:
        return True if internal_pump else (None if compressor_running is True else False)
    if any(pumps):
        return True
    if compressor_running is True or not pumps:
        return None
    return False


# ---------------------------------------------------------------------------
# Operating mode
# ---------------------------------------------------------------------------
def operating_mode_from(
    *,
    defrost: bool | None,
    compressor_running: bool | None,
    dhw_charging: bool | None,
    valve_position: str | None,
    compressor_phase: str | None,
    circuit_programs: list[str | None],
    circuit_modes: list[str | None],
    dhw_mode: str | None,
) -> OperatingMode | None:
    """The operating mode from the device's state (rule in the package docstring)."""
    phase = (compressor_phase or "").lower()
    if defrost is True or phase in ("defrost", "defrosting"):
        return OperatingMode.DEFROST
    if dhw_charging is True or (
        compressor_running is True and valve_position == "domesticHotWater"
    ):
        return OperatingMode.DHW
    known_modes = [m.lower() for m in circuit_modes if m]
    switched_off = (
        bool(known_modes)
        and all(m in ("standby", "off") for m in known_modes)
        and (dhw_mode is None or dhw_mode.lower() == "off")
    )
    if compressor_running is True:
        cooling = (
            phase == "cooling"
            or any("cooling" in p.lower() for p in circuit_programs if p)
            or any(m == "cooling" for m in known_modes)
        )
        return OperatingMode.COOLING if cooling else OperatingMode.HEATING
    if switched_off:
        return OperatingMode.OFF
    if compressor_running is False:
        return OperatingMode.STANDBY
    return None
