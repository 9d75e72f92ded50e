"""Coefficient of performance over a sliding time window (ratio of sums).

Heat (from heat-pump polls, every 30-60 s) and electricity (from a meter, e.g.
every 10 s) arrive on different cadences, so both are kept as time segments
``(start, end, kWh)``. The COP at time t is

    COP = Σ heat / Σ electricity

over the part of [t − window, t] that is covered by heat data *and* by
electricity data (time covered by only one of them would bias the ratio). A
segment only partly inside that time counts pro rata by time (energy spread
evenly over the segment). It is a ratio of sums, never a mean of ratios.

The COP is unknown (None) when

* no time of the window is covered by both heat and electricity, or
* the electricity over the covered time is below ``min_electrical_kwh`` scaled
  to the covered time, i.e. the average electrical power is below
  ``min_electrical_kwh`` / ``window_s``. The default 0.004 kWh per 300 s is
  48 W: below that the compressor is off and the ratio is meaningless, or
* the electricity is not positive.

The heat is net heat, so a window dominated by a defrost may give a negative COP.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NamedTuple

from custom_components.heatpump_stats.model.timeutil import (
    as_utc,
    dt_from_json,
    dt_to_json,
    seconds_between,
)

DEFAULT_WINDOW_S = 300.0
# 0.004 kWh in 300 s = 48 W average electrical power.
DEFAULT_MIN_ELECTRICAL_KWH = 0.004


class Segment(NamedTuple):
    """Energy (kWh) spread evenly over [start, end] (UTC)."""

    start: datetime
    end: datetime
    kwh: float


class WindowSums(NamedTuple):
    """Sums over the covered part of a window."""

    heat_kwh: float
    electrical_kwh: float
    covered_s: float


def _clip(
    segments: list[Segment], at: datetime, window_s: float
) -> list[tuple[float, float, float, float]]:
    """Segments overlapping the window as (lo, hi, kWh, length) in seconds relative to `at`."""
    out = []
    for seg in segments:
        s = seconds_between(at, seg.start)
        e = seconds_between(at, seg.end)
        if e <= s:
            continue
        lo, hi = max(s, -window_s), min(e, 0.0)
        if hi > lo:
            out.append((s, e, seg.kwh, e - s))
    return out


def _union(parts: list[tuple[float, float, float, float]], window_s: float) -> list[list[float]]:
    """Merged intervals [lo, hi] covered by the segments, clipped to [−window_s, 0]."""
    ivs = sorted((max(s, -window_s), min(e, 0.0)) for s, e, _, _ in parts)
    merged: list[list[float]] = []
    for lo, hi in ivs:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged


def _intersect(a: list[list[float]], b: list[list[float]]) -> list[tuple[float, float]]:
    """Intersection of two sorted lists of disjoint intervals."""
    out: list[tuple[float, float]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if hi > lo:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _pro_rata(
    parts: list[tuple[float, float, float, float]], covered: list[tuple[float, float]]
) -> float:
    """Σ kWh × (time of the segment inside `covered`) / (segment length)."""
    total = 0.0
    for s, e, kwh, length in parts:
        inside = sum(max(0.0, min(e, hi) - max(s, lo)) for lo, hi in covered)
        if inside > 0.0:
            total += kwh * inside / length
    return total


class CopWindow:
    """Sliding-window COP from heat and electricity segments; see the module docstring."""

    def __init__(
        self,
        window_s: float = DEFAULT_WINDOW_S,
        min_electrical_kwh: float = DEFAULT_MIN_ELECTRICAL_KWH,
        retention_s: float | None = None,
    ) -> None:
        """Window length (s), electricity threshold per full window (kWh), retention (s).

        Segments ending more than `retention_s` (default 2 × window) before the
        newest segment end are pruned when segments are added.
        """
        self.window_s = window_s
        self.min_electrical_kwh = min_electrical_kwh
        self.retention_s = 2.0 * window_s if retention_s is None else retention_s
        self._heat: list[Segment] = []
        self._elec: list[Segment] = []

    @property
    def heat_segments(self) -> list[Segment]:
        """Held heat segments (copy)."""
        return list(self._heat)

    @property
    def electricity_segments(self) -> list[Segment]:
        """Held electricity segments (copy)."""
        return list(self._elec)

    def add_heat(self, start: datetime, end: datetime, kwh: float) -> None:
        """Add heat (kWh, net; may be negative) delivered over [start, end]."""
        self._add(self._heat, start, end, kwh)

    def add_electricity(self, start: datetime, end: datetime, kwh: float) -> None:
        """Add electricity (kWh) consumed over [start, end]."""
        self._add(self._elec, start, end, kwh)

    def _add(self, target: list[Segment], start: datetime, end: datetime, kwh: float) -> None:
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            return
        target.append(Segment(start, end, kwh))
        newest = max(seg.end for seg in (*self._heat[-1:], *self._elec[-1:]))
        self.prune(newest - timedelta(seconds=self.retention_s))

    def prune(self, before: datetime) -> None:
        """Drop segments that end before `before`."""
        before = as_utc(before)
        self._heat = [seg for seg in self._heat if seg.end >= before]
        self._elec = [seg for seg in self._elec if seg.end >= before]

    def sums(self, at: datetime) -> WindowSums:
        """Heat (kWh), electricity (kWh) and covered time (s) in [at − window, at]."""
        at = as_utc(at)
        heat = _clip(self._heat, at, self.window_s)
        elec = _clip(self._elec, at, self.window_s)
        covered = _intersect(_union(heat, self.window_s), _union(elec, self.window_s))
        covered_s = sum(hi - lo for lo, hi in covered)
        return WindowSums(_pro_rata(heat, covered), _pro_rata(elec, covered), covered_s)

    def cop(self, at: datetime) -> float | None:
        """COP (dimensionless) over [at − window_s, at]; None when unknown (module docstring)."""
        heat_kwh, elec_kwh, covered_s = self.sums(at)
        if covered_s <= 0.0:
            return None
        threshold = self.min_electrical_kwh * covered_s / self.window_s
        if elec_kwh <= 0.0 or elec_kwh < threshold:
            return None
        return heat_kwh / elec_kwh

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state."""

        def dump(segments: list[Segment]) -> list[list[Any]]:
            return [[dt_to_json(s.start), dt_to_json(s.end), s.kwh] for s in segments]

        return {
            "window_s": self.window_s,
            "min_electrical_kwh": self.min_electrical_kwh,
            "retention_s": self.retention_s,
            "heat": dump(self._heat),
            "electricity": dump(self._elec),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CopWindow:
        """Restore what :meth:`to_dict` wrote."""
        obj = cls(
            float(data.get("window_s", DEFAULT_WINDOW_S)),
            float(data.get("min_electrical_kwh", DEFAULT_MIN_ELECTRICAL_KWH)),
            float(data["retention_s"]) if data.get("retention_s") is not None else None,
        )

        def load(raw: list[list[Any]]) -> list[Segment]:
            out = []
            for start, end, kwh in raw:
                s, e = dt_from_json(start), dt_from_json(end)
                if s is not None and e is not None:
                    out.append(Segment(s, e, float(kwh)))
            return out

        obj._heat = load(data.get("heat", []))
        obj._elec = load(data.get("electricity", []))
        return obj
