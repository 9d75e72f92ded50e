"""Units of the entities' values and their conversion to the reading's units."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from .states import EntityValueError, RawState, is_unavailable, parse_number, stale_problem


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


def attribute_problem(field: str, raw: RawState) -> str | None:
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


def state_conversion(field: str, raw: RawState, suffix: str | None) -> _Linear:
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
    problem = attribute_problem(field, raw)
    if problem is not None:
        return None, problem
    if is_unavailable(raw.state):
        return None, raw.state.strip() or "no state"
    parsed = parse_number(raw.state)
    if parsed is None:
        return None, f"state {raw.state.strip()!r} is not a number"
    value, suffix = parsed
    try:
        conversion = state_conversion(field, raw, suffix)
    except EntityValueError as err:
        return None, str(err)
    stale = stale_problem(raw, now, stale_after)
    if stale is not None:
        return None, stale
    return conversion(value), None
