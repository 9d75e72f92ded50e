"""The configured entities' states to one reading (rules in the package docstring)."""

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Final

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode
from custom_components.heatpump_stats.model.timeutil import as_utc

from .modes import lookup_mode, normalize_state
from .states import EntityValueError, RawState, is_unavailable, parse_number, stale_problem
from .units import attribute_problem, read_number, state_conversion

FIELDS: Final[tuple[str, ...]] = (
    "outside_temperature",
    "flow_temperature",
    "return_temperature",
    "dhw_temperature",
    "operating_mode",
    "compressor_modulation",
    "flow_rate",
    "electrical_power",
    "electrical_energy",
)
REQUIRED_FIELDS: Final[tuple[str, ...]] = (
    "outside_temperature",
    "flow_temperature",
    "return_temperature",
)
MODE_FIELD: Final = "operating_mode"
# An on/off entity (ESPAltherma's "Defrost Operation"); entry data key `defrost`.
DEFROST_FIELD: Final = "defrost"
FAN_ONLY: Final = "fan only"
HEATING_SPREAD_K: Final = 2.0
RUNNING_POWER_W: Final = 200.0
_ON_STATES: Final = frozenset({"on", "true", "1", "yes"})
_OFF_STATES: Final = frozenset({"off", "false", "0", "no"})
MODE_RAW_KEY: Final = "operating_mode_raw"
PROBLEM_PREFIX: Final = "problem_"


# --- public entry points ---------------------------------------------------


def _check_fields(states: Mapping[str, RawState | None]) -> None:
    unknown = sorted(set(states) - set(FIELDS) - {DEFROST_FIELD})
    if unknown:
        raise ValueError(f"unknown entities field(s): {', '.join(unknown)}")


def check_units(states: Mapping[str, RawState | None]) -> dict[str, str]:
    """Field -> problem for entities whose unit or device class does not fit.

    For the config flow: it looks at the ``unit`` attribute, the
    ``device_class`` and a unit suffix in the current state (``"5 A"``), not at
    availability or age. Unconfigured fields, ``operating_mode`` and
    ``defrost`` never appear. Raises ValueError for a key that is not in :data:`FIELDS`.
    """
    _check_fields(states)
    problems: dict[str, str] = {}
    for field in FIELDS:
        raw = states.get(field)
        if raw is None or field == MODE_FIELD:
            continue
        problem = attribute_problem(field, raw)
        parsed = None if is_unavailable(raw.state) else parse_number(raw.state)
        if problem is None and parsed is not None:
            try:
                state_conversion(field, raw, parsed[1])
            except EntityValueError as err:
                problem = str(err)
        if problem is not None:
            problems[field] = problem
    return problems


def _read_mode(
    raw: RawState,
    now: datetime,
    mode_map: Mapping[str, OperatingMode],
    stale_after: timedelta,
    extra: dict[str, str | float | None],
) -> tuple[OperatingMode | None, str | None]:
    if is_unavailable(raw.state):
        return None, raw.state.strip() or "no state"
    stale = stale_problem(raw, now, stale_after)
    if stale is not None:
        return None, stale
    mode = lookup_mode(raw.state, mode_map)
    if mode is None:
        extra[MODE_RAW_KEY] = raw.state.strip()
        return None, f"state {raw.state.strip()!r} is not in the mode map"
    return mode, None


def read_flag(
    raw: RawState, *, now: datetime, stale_after: timedelta
) -> tuple[bool | None, str | None]:
    """An on/off entity: ``(True/False, None)`` or ``(None, reason)``."""
    if is_unavailable(raw.state):
        return None, raw.state.strip() or "no state"
    key = normalize_state(raw.state)
    if key in _ON_STATES:
        value = True
    elif key in _OFF_STATES:
        value = False
    else:
        return None, f"state {raw.state.strip()!r} is neither on nor off"
    stale = stale_problem(raw, now, stale_after)
    if stale is not None:
        return None, stale
    return value, None


def _fan_only_heats(values: Mapping[str, float | None]) -> bool:
    """True when "Fan Only" is reported while the flow is clearly being heated."""
    flow, ret = values.get("flow_temperature"), values.get("return_temperature")
    if flow is None or ret is None or flow - ret <= HEATING_SPREAD_K:
        return False
    power = values.get("electrical_power")
    return power is None or power >= RUNNING_POWER_W


def build_reading(
    states: Mapping[str, RawState | None],
    *,
    now: datetime,
    mode_map: Mapping[str, OperatingMode],
    stale_after: timedelta,
) -> HeatPumpReading:
    """One reading from the configured entities' states (pure; never raises on data).

    ``states`` maps field keys (:data:`FIELDS`) to snapshots; a missing key or
    ``None`` is an unconfigured field. Raises ValueError only for a key that is
    not in :data:`FIELDS` (a bug in the caller). See the package docstring for
    the rules; ``extra`` carries ``problem_<field>`` messages and
    ``operating_mode_raw`` for an unmapped mode.
    """
    _check_fields(states)
    values: dict[str, float | None] = {}
    extra: dict[str, str | float | None] = {}
    mode: OperatingMode | None = None
    mode_state: str | None = None
    for field in FIELDS:
        raw = states.get(field)
        if raw is None:
            if field != MODE_FIELD:
                values[field] = None
            continue
        if field == MODE_FIELD:
            mode, problem = _read_mode(raw, now, mode_map, stale_after, extra)
            mode_state = normalize_state(raw.state)
        else:
            values[field], problem = read_number(field, raw, now=now, stale_after=stale_after)
        if problem is not None:
            extra[PROBLEM_PREFIX + field] = problem
    if mode is OperatingMode.STANDBY and mode_state == FAN_ONLY and _fan_only_heats(values):
        mode = OperatingMode.HEATING
    defrost: bool | None = None if mode is None else mode is OperatingMode.DEFROST
    defrost_raw = states.get(DEFROST_FIELD)
    if defrost_raw is not None:
        flag, problem = read_flag(defrost_raw, now=now, stale_after=stale_after)
        if problem is not None:
            extra[PROBLEM_PREFIX + DEFROST_FIELD] = problem
        if flag is not None:
            defrost = flag
            if flag:
                mode = OperatingMode.DEFROST
            elif mode is OperatingMode.DEFROST:
                mode = None  # the mode entity says defrost, the defrost entity says not
    return HeatPumpReading(
        timestamp=as_utc(now),
        outside_temperature=values["outside_temperature"],
        flow_temperature=values["flow_temperature"],
        return_temperature=values["return_temperature"],
        dhw_temperature=values["dhw_temperature"],
        compressor_modulation=values["compressor_modulation"],
        flow_rate=values["flow_rate"],
        operating_mode=mode,
        compressor_running=None,
        defrost_active=defrost,
        circulation_pump=None,
        electrical_power=values["electrical_power"],
        electrical_energy=values["electrical_energy"],
        extra=extra,
    )


def reading_problems(reading: HeatPumpReading) -> dict[str, str]:
    """Field -> why it is None, from a reading made by :func:`build_reading`."""
    return {
        key.removeprefix(PROBLEM_PREFIX): str(value)
        for key, value in reading.extra.items()
        if key.startswith(PROBLEM_PREFIX) and value is not None
    }


def missing_required(reading: HeatPumpReading) -> tuple[str, ...]:
    """The required fields (:data:`REQUIRED_FIELDS`) that are None in ``reading``."""
    return tuple(field for field in REQUIRED_FIELDS if getattr(reading, field) is None)
