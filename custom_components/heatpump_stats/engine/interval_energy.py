"""The energy of one summary interval: a total's counter-or-power path, per-purpose counters.

The live engine's rules (:mod:`.energy`) on epoch seconds, for
:class:`~.analytics.SummaryBuilder`'s hot path (slots, no datetimes). Units:
power kW, energy kWh, time s.
"""

from __future__ import annotations

from .energy import CounterTracker
from .sample import COUNTER_JITTER_ABS_KWH, COUNTER_JITTER_REL
from .summary import SECONDS_PER_HOUR


class EnergyPath:
    """CounterOrPowerIntegrator's rules on epoch seconds (kW, kWh); see :mod:`.energy`.

    The counter rules (plausibility, resets, new bases) are the live engine's
    own :class:`~.energy.CounterTracker`, fed epoch seconds.
    """

    __slots__ = ("c_ref", "c_t", "left", "max_gap_s", "p_kw", "p_t", "signed", "tracker")

    def __init__(self, max_gap_s: float, left: bool, signed: bool = False) -> None:
        self.max_gap_s = max_gap_s
        self.left = left
        self.signed = signed  # a net counter: falls are real, never resets
        self.p_t: float | None = None  # power chain
        self.p_kw: float | None = None
        self.c_t: float | None = None  # signed counter: last ts, reference value
        self.c_ref: float | None = None
        self.tracker = CounterTracker(max_gap_s, log=False)

    def add(self, t: float, kw: float | None, counter: float | None) -> tuple[float, bool, bool]:
        """(kWh of the interval ending at t, booked?, bridged?)."""
        prev_t, prev_kw = self.p_t, self.p_kw
        self.p_t, self.p_kw = t, kw
        p_kwh = 0.0
        p_booked = False
        if prev_t is not None and prev_kw is not None and t - prev_t <= self.max_gap_s:
            if self.left:
                p_kwh = prev_kw * (t - prev_t) / SECONDS_PER_HOUR
                p_booked = True
            elif kw is not None:
                p_kwh = (prev_kw + kw) / 2.0 * (t - prev_t) / SECONDS_PER_HOUR
                p_booked = True
        if counter is not None and self.signed:
            ref, c_t = self.c_ref, self.c_t
            self.c_t = t
            self.c_ref = counter
            if ref is None or c_t is None:
                return p_kwh, p_booked, p_booked
            return counter - ref, True, t - c_t <= self.max_gap_s
        if counter is not None and counter >= 0.0:
            tracker = self.tracker
            if not tracker.has_reference:
                # Seed the counter; the power path books this interval.
                tracker.add_epoch(t, counter)
                return p_kwh, p_booked, p_booked
            kwh, _start, bridged = tracker.add_epoch(t, counter)
            return kwh, True, bridged
        if p_booked:
            self.tracker.drop_reference()  # the power path booked it: do not count it again
        return p_kwh, p_booked, p_booked


class PurposeCounter:
    """One by-purpose counter (kWh): its difference over an interval, or None when unknown.

    Unlike the totals' counters, a missing value forgets the reference: the
    difference must cover exactly the interval the total's increment covers.
    """

    __slots__ = ("ref",)

    def __init__(self) -> None:
        self.ref: float | None = None

    def add(self, value: float | None) -> float | None:
        ref = self.ref
        if value is None or value - value != 0.0:  # None, NaN, ±inf
            self.ref = None
            return None
        self.ref = value
        if ref is None or value < ref:
            return None
        return value - ref


def split_by_purpose(
    total: float, parts: tuple[float | None, float | None]
) -> tuple[float, float] | None:
    """(heating, dhw) share of `total` (kWh) per the by-purpose counters, or None."""
    heating, dhw = parts
    if heating is None and dhw is None:
        return None
    h, d = heating or 0.0, dhw or 0.0
    tolerance = max(COUNTER_JITTER_ABS_KWH, COUNTER_JITTER_REL * abs(total))
    if h + d > total + tolerance:
        return None  # the counters do not fit the total's increment: attribute it whole
    return h, d
