"""The ``entities`` source: a heat pump that is already in Home Assistant.

The main case is ESPAltherma over MQTT (leaving / inlet water temperature,
outdoor air temperature, "Operation Mode", "Flow sensor (l/min)", an
electricity sensor), but any entities work. The Home Assistant glue takes, for
each configured field, a plain :class:`RawState` snapshot of the entity's state
and calls :func:`build_reading`; everything about *interpreting* those states
lives here, free of Home Assistant imports.

Field keys (:data:`FIELDS`) are the contract's ``entities`` step fields. A
field missing from ``states`` (or mapped to ``None``) is "not configured" and
its reading value is ``None``; required fields (:data:`REQUIRED_FIELDS`) are no
exception: the glue decides what a missing required value means
(:func:`missing_required` lists them).

Numbers
    States are parsed leniently: surrounding whitespace, comma decimals
    (``"35,5"``) and a unit suffix in the state itself (``"35.2 °C"``) are
    accepted. ``unavailable``, ``unknown``, ``none`` and ``""`` (any case) and
    anything that is not a finite number (``"abc"``, ``"nan"``, ``"1.2.3"``,
    ``"1,234.5"``) give ``None``; nothing raises.

Units (converted to the reading's units)
    * temperatures -> °C: ``°C`` (also ``C``, ``ºC``, ``℃``), ``°F``, ``K``;
    * ``electrical_power`` -> W: ``W``, ``kW`` (``KW``), ``MW``;
    * ``electrical_energy`` -> kWh: ``Wh``, ``kWh``, ``MWh``, ``GWh``,
      ``kJ``, ``MJ``, ``GJ``;
    * ``flow_rate`` -> l/min: ``L/min``/``l/min``, ``L/h``, ``L/s``, ``mL/s``,
      ``m³/h`` (also ``m3/h``), ``m³/s``, ``gal/min``, ``gal/h``, ``ft³/min``;
    * ``compressor_modulation``: ``%`` only.

    Power and energy prefixes are matched case-sensitively (``mW`` is not
    ``MW``). A missing unit (no ``unit_of_measurement`` and no suffix) means the
    reading's own unit (°C, W, kWh, l/min, %). A unit that does not fit the
    field (``A`` for ``electrical_power``), a ``device_class`` of another
    quantity (``current`` for ``electrical_power``) or a state suffix that
    contradicts the unit attribute gives ``None`` for that field.

Problems
    Why a configured field is ``None`` is reported in two ways:

    * :func:`check_units` (for the config flow): field -> message for units and
      device classes that do not fit, i.e. the things a user fixes by picking
      another entity. Transient states (unavailable, stale) are not reported.
    * :func:`build_reading` puts ``extra["problem_<field>"] = message`` into
      the reading for every configured field that came out ``None`` (wrong
      unit, unavailable, not a number, stale, unmapped mode);
      :func:`reading_problems` collects them as field -> message.

Staleness
    A state whose ``last_updated`` is *more than* ``stale_after`` before
    ``now`` is stale and gives ``None`` (ESPAltherma can freeze while the MQTT
    sensor keeps its last value). Exactly ``stale_after`` old is still fresh
    (the boundary is inclusive of fresh). A ``stale_after`` of zero or less
    turns the check off. ``last_updated`` should be the newest of HA's
    ``last_changed`` / ``last_reported`` so that a steady value that keeps being
    re-published is not stale. Naive datetimes are taken as UTC.

Operating mode
    The state is normalised (whitespace collapsed, casefolded) and looked up in
    ``mode_map`` (whose keys are normalised the same way).
    :data:`ESPALTHERMA_MODE_MAP` holds the defaults: ESPAltherma's "Operation
    Mode" labels ("Fan Only" = idle -> standby, "Heating", "Cooling", "Auto",
    "Heating Storage", ...), its "I/U operation mode" labels ("Stop", "DHW",
    "Heating + DHW", ...) and generic labels ("off", "standby", "idle",
    "hot water", "DHW", "defrost", HA climate ``hvac_action`` values). "on" is
    never a mode. An unmapped state gives ``None`` and
    ``extra["operating_mode_raw"]`` = the state as received (stripped).
    ESPAltherma's "Operation Mode" does not tell space heating from hot water:
    use its "I/U operation mode" entity (or edit the map) for DHW. Its ON/OFF
    registers ("Defrost Operation", ...) are not mode entities: their "OFF"
    would read as mode ``off``, so the config flow should not offer binary
    sensors for ``operating_mode``.

    The user-editable form of a map is text, one ``state = mode`` per line
    (:func:`parse_mode_map`, :func:`format_mode_map`).

Defrost
    ESPAltherma reports defrost only in its ON/OFF "Defrost Operation" value,
    never in "Operation Mode". The optional field ``defrost``
    (:data:`DEFROST_FIELD`, not in :data:`FIELDS`: it is an on/off entity, not
    a number) takes such an entity: ``on``/``ON``/``true``/``1``/``yes`` is
    defrosting, ``off``/``false``/``0``/``no`` is not (a binary sensor, an
    input_boolean or ESPAltherma's text sensor); unavailable, unknown, other
    text or stale gives ``None`` and a ``problem_defrost``. While it says on,
    ``operating_mode`` is ``defrost`` whatever the mode entity says.

"Fan Only" while the water is being heated
    An Altherma can report "Fan Only" in "Operation Mode" while the
    compressor heats (ESPAltherma issue 437). "Fan Only" (:data:`FAN_ONLY`)
    therefore counts as standby only while the flow is no more than
    :data:`HEATING_SPREAD_K` (2 K) above the return; with a larger spread it is
    heating, unless a configured electrical power says the unit draws less
    than :data:`RUNNING_POWER_W` (200 W: no compressor runs). Without flow and
    return values it stays standby.

Derived flags
    ``defrost_active`` comes from the ``defrost`` entity when one is
    configured and has a value; otherwise it is ``True`` when the mode is
    defrost, ``False`` for any other known mode and ``None`` without a mode.
    ``compressor_running`` and ``circulation_pump`` stay ``None`` (the engine
    classifies from power).
    The reading's ``timestamp`` is ``now`` (in UTC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import math
import re
from typing import Final

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode

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

UNAVAILABLE_STATES: Final = frozenset({"unavailable", "unknown", "none", ""})
# A binary "on" says nothing about which mode; never looked up.
BINARY_ON: Final = frozenset({"on"})


@dataclass(frozen=True, slots=True)
class RawState:
    """A plain snapshot of one Home Assistant entity's state."""

    state: str
    unit: str | None
    last_updated: datetime
    device_class: str | None = None


class EntityValueError(ValueError):
    """A state that cannot be turned into a value for its field."""


class ModeMapError(ValueError):
    """A bad line in a user-written mode map (``line_number`` is 1-based)."""

    def __init__(self, line_number: int, message: str) -> None:
        """Keep the line number and message apart for the options form."""
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.message = message


# --- operating mode maps ---------------------------------------------------


def normalize_state(state: str) -> str:
    """Key used for mode lookups: whitespace collapsed, casefolded."""
    return " ".join(state.split()).casefold()


def _mode_map(pairs: Mapping[str, OperatingMode]) -> dict[str, OperatingMode]:
    return {normalize_state(key): mode for key, mode in pairs.items()}


_H = OperatingMode.HEATING
_C = OperatingMode.COOLING
_S = OperatingMode.STANDBY
_D = OperatingMode.DHW

ESPALTHERMA_MODE_MAP: Final[dict[str, OperatingMode]] = _mode_map(
    {
        # ESPAltherma "Operation Mode" (conversion 217, outdoor unit).
        "Fan Only": _S,  # what an idle Altherma reports
        "Heating": _H,
        "Cooling": _C,
        "Auto": _H,  # heat/cool changeover; almost always heating
        "Ventilation": _S,
        "Auto Cool": _C,
        "Auto Heat": _H,
        "Dry": _C,
        "Aux.": _H,
        "Aux": _H,
        "Cooling Storage": _C,
        "Heating Storage": _H,
        **{f"UseStrdThrm(cl){n}": _C for n in range(1, 5)},
        **{f"UseStrdThrm(ht){n}": _H for n in range(1, 5)},
        # ESPAltherma "I/U operation mode" (conversion 315, indoor unit).
        "Stop": _S,
        "DHW": _D,
        "Heating + DHW": _D,  # the 3-way valve serves the tank first
        "Cooling + DHW": _D,
        # Generic labels (other integrations, HA climate hvac_action / mode).
        "off": OperatingMode.OFF,
        "standby": _S,
        "idle": _S,
        "fan": _S,
        "heat": _H,
        "cool": _C,
        "hot water": _D,
        "domestic hot water": _D,
        "water heating": _D,
        "defrost": OperatingMode.DEFROST,
        "defrosting": OperatingMode.DEFROST,
    }
)

_MODES_TEXT: Final = ", ".join(mode.value for mode in OperatingMode)


def parse_mode_map(text: str) -> dict[str, OperatingMode]:
    """Parse the user's mode map: one ``state = mode`` per line.

    The state is everything before the last ``=`` (normalised like
    :func:`normalize_state`), the mode one of the :class:`OperatingMode` values
    (any case). Blank lines and lines starting with ``#`` are ignored, as is a
    ``# comment`` after the mode. The same state twice with different modes is
    an error. Raises :class:`ModeMapError` (1-based line number) on a bad line.
    An empty text gives an empty map (every state unmapped).
    """
    result: dict[str, OperatingMode] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        label, sep, mode_text = stripped.rpartition("=")
        if not sep:
            raise ModeMapError(number, f"expected 'state = mode', got {stripped!r}")
        key = normalize_state(label)
        if not key:
            raise ModeMapError(number, "missing the state before '='")
        if key in BINARY_ON:
            raise ModeMapError(number, f"{key!r} is a binary state, not a mode")
        mode_name = mode_text.partition("#")[0].strip().casefold()
        if not mode_name:
            raise ModeMapError(number, f"missing the mode after '=' (one of {_MODES_TEXT})")
        try:
            mode = OperatingMode(mode_name)
        except ValueError:
            raise ModeMapError(
                number, f"unknown mode {mode_name!r} (expected one of {_MODES_TEXT})"
            ) from None
        previous = result.get(key)
        if previous is not None and previous is not mode:
            raise ModeMapError(number, f"state {key!r} is already mapped to {previous.value!r}")
        result[key] = mode
    return result


def format_mode_map(mapping: Mapping[str, OperatingMode]) -> str:
    """Text form of a mode map (inverse of :func:`parse_mode_map`), in map order.

    Keys are written normalised. Raises ValueError for a key that cannot be
    written back (empty, starting with ``#``, or ``on``).
    """
    lines: list[str] = []
    for label, mode in mapping.items():
        key = normalize_state(label)
        if not key or key.startswith("#") or key in BINARY_ON:
            raise ValueError(f"state {label!r} cannot be written in a mode map")
        lines.append(f"{key} = {OperatingMode(mode).value}")
    return "\n".join(lines) + ("\n" if lines else "")


# --- units -----------------------------------------------------------------


class Quantity(StrEnum):
    """What kind of value a numeric field holds."""

    TEMPERATURE = "temperature"
    POWER = "power"
    ENERGY = "energy"
    FLOW = "volume flow rate"
    PERCENT = "percentage"


@dataclass(frozen=True, slots=True)
class _Linear:
    """``(value + offset) * mul / div``."""

    offset: float = 0.0
    mul: float = 1.0
    div: float = 1.0

    def __call__(self, value: float) -> float:
        return (value + self.offset) * self.mul / self.div


_SAME: Final = _Linear()

FIELD_QUANTITY: Final[dict[str, Quantity]] = {
    "outside_temperature": Quantity.TEMPERATURE,
    "flow_temperature": Quantity.TEMPERATURE,
    "return_temperature": Quantity.TEMPERATURE,
    "dhw_temperature": Quantity.TEMPERATURE,
    "compressor_modulation": Quantity.PERCENT,
    "flow_rate": Quantity.FLOW,
    "electrical_power": Quantity.POWER,
    "electrical_energy": Quantity.ENERGY,
}

_EXPECTED_UNITS: Final[dict[Quantity, str]] = {
    Quantity.TEMPERATURE: "°C, °F or K",
    Quantity.POWER: "W, kW or MW",
    Quantity.ENERGY: "Wh, kWh or MWh",
    Quantity.FLOW: "L/min, L/h or m³/h",
    Quantity.PERCENT: "%",
}

# Device classes a field accepts (None always passes). PERCENT: any.
_DEVICE_CLASSES: Final[dict[Quantity, frozenset[str]]] = {
    Quantity.TEMPERATURE: frozenset({"temperature"}),
    Quantity.POWER: frozenset({"power"}),
    Quantity.ENERGY: frozenset({"energy"}),
    Quantity.FLOW: frozenset({"volume_flow_rate"}),
}

_TEMPERATURE: Final = {
    "°c": _SAME,
    "°": _SAME,
    "c": _SAME,
    "degc": _SAME,
    "celsius": _SAME,
    "°f": _Linear(-32.0, 5.0, 9.0),
    "f": _Linear(-32.0, 5.0, 9.0),
    "degf": _Linear(-32.0, 5.0, 9.0),
    "fahrenheit": _Linear(-32.0, 5.0, 9.0),
    "k": _Linear(-273.15),
    "°k": _Linear(-273.15),
    "kelvin": _Linear(-273.15),
}
# Case-sensitive: the prefix case matters (m = milli, M = mega).
_POWER: Final = {
    "W": _SAME,
    "w": _SAME,
    "kW": _Linear(mul=1000.0),
    "KW": _Linear(mul=1000.0),
    "kw": _Linear(mul=1000.0),
    "MW": _Linear(mul=1e6),
}
_ENERGY: Final = {
    "Wh": _Linear(div=1000.0),
    "wh": _Linear(div=1000.0),
    "kWh": _SAME,
    "KWh": _SAME,
    "kwh": _SAME,
    "KWH": _SAME,
    "MWh": _Linear(mul=1000.0),
    "MWH": _Linear(mul=1000.0),
    "GWh": _Linear(mul=1e6),
    "kJ": _Linear(div=3600.0),
    "MJ": _Linear(div=3.6),
    "GJ": _Linear(mul=1000.0, div=3.6),
}
_FLOW: Final = {
    "l/min": _SAME,
    "lpm": _SAME,
    "l/h": _Linear(div=60.0),
    "l/s": _Linear(mul=60.0),
    "ml/s": _Linear(mul=60.0, div=1000.0),
    "m3/h": _Linear(mul=1000.0, div=60.0),
    "m3/s": _Linear(mul=60000.0),
    "gal/min": _Linear(mul=3.785411784),
    "gpm": _Linear(mul=3.785411784),
    "gal/h": _Linear(mul=3.785411784, div=60.0),
    "ft3/min": _Linear(mul=28.316846592),
    "cfm": _Linear(mul=28.316846592),
}
_OTHER_QUANTITIES: Final = {
    "a": "a current",
    "ma": "a current",
    "v": "a voltage",
    "va": "an apparent power",
    "kva": "an apparent power",
    "var": "a reactive power",
    "hz": "a frequency",
    "bar": "a pressure",
    "pa": "a pressure",
    "kpa": "a pressure",
    "rpm": "a speed",
    "s": "a duration",
    "min": "a duration",
    "h": "a duration",
    "l": "a volume",
    "m³": "a volume",
    "m3": "a volume",
}


def _compact(unit: str) -> str:
    return "".join(unit.split())


def _temperature_key(unit: str) -> str:
    key = _compact(unit).casefold()
    key = key.replace("º", "°").replace("˚", "°")
    return key.replace("℃", "°c").replace("℉", "°f")


def _flow_key(unit: str) -> str:
    key = _compact(unit).casefold()
    return key.replace("³", "3").replace("^3", "3").replace("**3", "3")


def _lookup(quantity: Quantity, unit: str) -> _Linear | None:
    match quantity:
        case Quantity.TEMPERATURE:
            return _TEMPERATURE.get(_temperature_key(unit))
        case Quantity.POWER:
            return _POWER.get(_compact(unit))
        case Quantity.ENERGY:
            return _ENERGY.get(_compact(unit))
        case Quantity.FLOW:
            return _FLOW.get(_flow_key(unit))
        case Quantity.PERCENT:
            return _SAME if _compact(unit) == "%" else None


def _describe(unit: str) -> str | None:
    """What quantity a unit measures ("a current"), if recognisable."""
    for quantity in Quantity:
        if _lookup(quantity, unit) is not None:
            article = "an" if quantity.value[0] in "aeiou" else "a"
            return f"{article} {quantity.value}"
    return _OTHER_QUANTITIES.get(_compact(unit).casefold())


def _unit_mismatch(field: str, quantity: Quantity, unit: str) -> str:
    what = _describe(unit)
    is_what = f"is {what}" if what else "is not a known unit"
    return f"unit {unit!r} {is_what}; {field} needs {_EXPECTED_UNITS[quantity]}"


def _converter(field: str, unit: str | None) -> _Linear:
    """Conversion of ``unit`` into the field's unit; raises EntityValueError."""
    quantity = FIELD_QUANTITY[field]
    if unit is None or not unit.strip():
        return _SAME
    conversion = _lookup(quantity, unit)
    if conversion is None:
        raise EntityValueError(_unit_mismatch(field, quantity, unit.strip()))
    return conversion


def _attribute_problem(field: str, raw: RawState) -> str | None:
    """A unit attribute or device class that does not fit the field."""
    quantity = FIELD_QUANTITY[field]
    try:
        _converter(field, raw.unit)
    except EntityValueError as err:
        return str(err)
    allowed = _DEVICE_CLASSES.get(quantity)
    if allowed is not None and raw.device_class and raw.device_class not in allowed:
        return (
            f"device class {raw.device_class!r} does not fit {field} "
            f"(needs {quantity.value} in {_EXPECTED_UNITS[quantity]})"
        )
    return None


# --- numbers ---------------------------------------------------------------

_NUMBER_RE: Final = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)\s*(?P<suffix>.*)$",
    re.DOTALL,
)


def parse_number(text: str) -> tuple[float, str | None] | None:
    """``(value, unit suffix or None)`` from a state string, or None if not a number.

    ``"35,5"`` -> ``(35.5, None)``; ``" 35.2 °C "`` -> ``(35.2, "°C")``;
    ``"unavailable"``, ``"abc"``, ``"nan"``, ``"1.2.3"`` -> None.
    """
    match = _NUMBER_RE.match(text.strip())
    if match is None:
        return None
    suffix = match.group("suffix").strip()
    if suffix and (suffix[0] in ".,+-" or any(ch.isdigit() for ch in suffix)):
        return None
    value = float(match.group("number").replace(",", "."))
    if not math.isfinite(value):
        return None
    return value, (suffix or None)


def is_unavailable(state: str) -> bool:
    """``unavailable``, ``unknown``, ``none`` or empty (any case, whitespace)."""
    return state.strip().casefold() in UNAVAILABLE_STATES


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_stale(last_updated: datetime, *, now: datetime, stale_after: timedelta) -> bool:
    """True if ``last_updated`` is more than ``stale_after`` before ``now``.

    Exactly ``stale_after`` old is fresh; ``stale_after <= 0`` disables the check;
    a ``last_updated`` in the future (clock skew) is fresh.
    """
    if stale_after <= timedelta(0):
        return False
    return _utc(now) - _utc(last_updated) > stale_after


def _stale_problem(raw: RawState, now: datetime, stale_after: timedelta) -> str | None:
    if not is_stale(raw.last_updated, now=now, stale_after=stale_after):
        return None
    age = _utc(now) - _utc(raw.last_updated)
    return (
        f"stale: last updated {int(age.total_seconds())} s ago "
        f"(limit {int(stale_after.total_seconds())} s)"
    )


def _state_conversion(field: str, raw: RawState, suffix: str | None) -> _Linear:
    """Conversion for a state, given the unit suffix found in it.

    The suffix is used when there is no unit attribute; with both, they must
    agree. Raises EntityValueError otherwise.
    """
    conversion = _converter(field, raw.unit)
    if suffix is None:
        return conversion
    from_suffix = _converter(field, suffix)
    if raw.unit and raw.unit.strip() and from_suffix != conversion:
        raise EntityValueError(f"state {raw.state.strip()!r} contradicts unit {raw.unit.strip()!r}")
    return from_suffix


def read_number(
    field: str, raw: RawState, *, now: datetime, stale_after: timedelta
) -> tuple[float | None, str | None]:
    """One numeric field: ``(value in the reading's unit, None)`` or ``(None, reason)``."""
    problem = _attribute_problem(field, raw)
    if problem is not None:
        return None, problem
    if is_unavailable(raw.state):
        return None, raw.state.strip() or "no state"
    parsed = parse_number(raw.state)
    if parsed is None:
        return None, f"state {raw.state.strip()!r} is not a number"
    value, suffix = parsed
    try:
        conversion = _state_conversion(field, raw, suffix)
    except EntityValueError as err:
        return None, str(err)
    stale = _stale_problem(raw, now, stale_after)
    if stale is not None:
        return None, stale
    return conversion(value), None


def lookup_mode(state: str, mode_map: Mapping[str, OperatingMode]) -> OperatingMode | None:
    """The mode a state maps to (normalised lookup; ``"on"`` is never a mode)."""
    key = normalize_state(state)
    if key in BINARY_ON:
        return None
    mode = _mode_map(mode_map).get(key)
    return None if mode is None else OperatingMode(mode)


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
        problem = _attribute_problem(field, raw)
        parsed = None if is_unavailable(raw.state) else parse_number(raw.state)
        if problem is None and parsed is not None:
            try:
                _state_conversion(field, raw, parsed[1])
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
    stale = _stale_problem(raw, now, stale_after)
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
    stale = _stale_problem(raw, now, stale_after)
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
    not in :data:`FIELDS` (a bug in the caller). See the module docstring for
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
        timestamp=_utc(now),
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
