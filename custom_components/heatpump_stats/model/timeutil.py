"""Time helpers shared by the engine: UTC normalisation and JSON (ISO 8601) round trips.

All engine arithmetic is done on UTC datetimes. Subtracting or comparing two
datetimes that share one ``zoneinfo`` tzinfo uses wall-clock time and is wrong
across a DST change; converting to UTC first avoids that.
"""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any


def as_utc(ts: datetime) -> datetime:
    """Return `ts` as an aware UTC datetime; a naive datetime is taken to be UTC."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        return ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def seconds_between(start: datetime, end: datetime) -> float:
    """Seconds from `start` to `end` (s), computed in UTC."""
    return (as_utc(end) - as_utc(start)).total_seconds()


def dt_to_json(ts: datetime | None) -> str | None:
    """ISO 8601 text of `ts` in UTC (microseconds kept), or None."""
    return None if ts is None else as_utc(ts).isoformat()


def dt_from_json(value: Any) -> datetime | None:
    """Parse what `dt_to_json` wrote; None stays None."""
    if value is None:
        return None
    return as_utc(datetime.fromisoformat(str(value)))


def finite_or_none(value: float | None) -> float | None:
    """`value` as float when it is a finite number, else None (NaN/inf mean 'no reading')."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def opt_float(value: Any) -> float | None:
    """JSON helper: a float or None."""
    return None if value is None else float(value)
