"""One entity's state: the snapshot, number parsing, availability and staleness."""

from dataclasses import dataclass
from datetime import datetime, timedelta
import math
import re
from typing import Final

from custom_components.heatpump_stats.model.timeutil import as_utc

UNAVAILABLE_STATES: Final = frozenset({"unavailable", "unknown", "none", ""})


@dataclass(frozen=True, slots=True)
class RawState:
    """A plain snapshot of one Home Assistant entity's state."""

    state: str
    unit: str | None
    last_updated: datetime
    device_class: str | None = None


class EntityValueError(ValueError):
    """A state that cannot be turned into a value for its field."""


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


def is_stale(last_updated: datetime, *, now: datetime, stale_after: timedelta) -> bool:
    """True if ``last_updated`` is more than ``stale_after`` before ``now``.

    Exactly ``stale_after`` old is fresh; ``stale_after <= 0`` disables the check;
    a ``last_updated`` in the future (clock skew) is fresh.
    """
    if stale_after <= timedelta(0):
        return False
    return as_utc(now) - as_utc(last_updated) > stale_after


def stale_problem(raw: RawState, now: datetime, stale_after: timedelta) -> str | None:
    if not is_stale(raw.last_updated, now=now, stale_after=stale_after):
        return None
    age = as_utc(now) - as_utc(raw.last_updated)
    return (
        f"stale: last updated {int(age.total_seconds())} s ago "
        f"(limit {int(stale_after.total_seconds())} s)"
    )
