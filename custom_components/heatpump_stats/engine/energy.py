"""Energy increments (kWh) from power samples (trapezoid) or cumulative counters.

Every ``add`` returns an :class:`Increment`: the energy (kWh) of the interval
that ends at the new sample, where that interval started, and whether it was
*bridged* (short enough to be a rate over a known interval; only bridged
increments are used for time-resolved figures like the 5-minute COP).

Samples with a timestamp at or before the previous sample's are ignored
(duplicates, out of order): they return a zero increment and change nothing.
NaN/inf values count as missing (None).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from .timeutil import as_utc, dt_from_json, dt_to_json, finite_or_none, opt_float, seconds_between

SECONDS_PER_HOUR = 3600.0


class Increment(NamedTuple):
    """Energy (kWh) for the interval [start, end-of-sample]."""

    kwh: float
    # Start of the interval; None when nothing was booked (first sample, gap, missing value).
    start: datetime | None
    # True when the interval is no longer than the gap limit.
    bridged: bool


NO_INCREMENT = Increment(0.0, None, False)


class PowerIntegrator:
    """Trapezoid integration of a power series (kW) into energy (kWh).

    The increment for samples (t0, P0), (t1, P1) is (P0 + P1) / 2 × (t1 − t0),
    in kW × h = kWh. A gap longer than ``max_gap_s`` seconds is not bridged:
    increment 0 and the chain restarts at the new sample. A ``None`` power
    breaks the chain the same way (nothing is booked for the interval before or
    after it). Negative powers are integrated as they are (defrost heat).
    """

    def __init__(self, max_gap_s: float) -> None:
        """Create an integrator that bridges gaps of at most `max_gap_s` seconds."""
        self.max_gap_s = max_gap_s
        self._last_ts: datetime | None = None
        self._last_kw: float | None = None

    @property
    def last_ts(self) -> datetime | None:
        """Timestamp (UTC) of the latest accepted sample."""
        return self._last_ts

    def add(self, ts: datetime, power_kw: float | None) -> Increment:
        """Add a sample of `power_kw` (kW) at `ts`; return the kWh since the previous sample."""
        ts = as_utc(ts)
        if self._last_ts is not None and ts <= self._last_ts:
            return NO_INCREMENT
        power_kw = finite_or_none(power_kw)
        prev_ts, prev_kw = self._last_ts, self._last_kw
        self._last_ts, self._last_kw = ts, power_kw
        if power_kw is None or prev_ts is None or prev_kw is None:
            return NO_INCREMENT
        dt_s = seconds_between(prev_ts, ts)
        if dt_s > self.max_gap_s:
            return NO_INCREMENT
        return Increment((prev_kw + power_kw) / 2.0 * dt_s / SECONDS_PER_HOUR, prev_ts, True)

    def add_w(self, ts: datetime, power_w: float | None) -> Increment:
        """Like :meth:`add` for a power in W (converted to kW; the increment is kWh)."""
        return self.add(ts, None if power_w is None else power_w / 1000.0)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {
            "max_gap_s": self.max_gap_s,
            "last_ts": dt_to_json(self._last_ts),
            "last_kw": self._last_kw,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PowerIntegrator:
        """Restore what :meth:`to_dict` wrote."""
        obj = cls(float(data["max_gap_s"]))
        obj._last_ts = dt_from_json(data.get("last_ts"))
        obj._last_kw = opt_float(data.get("last_kw"))
        return obj


class CounterTracker:
    """Turns a cumulative energy counter (kWh) into increments; never books negative energy.

    Rules, for a new value v after the reference value r (the last accepted one):

    * the first value (no reference yet) only sets the reference: increment 0;
    * ``None`` (or NaN/inf, or a negative value) books nothing and keeps the
      reference, so the next valid value is differenced against r — energy
      across an outage is still counted (the counter is the truth);
    * v ≥ r: increment v − r;
    * v < r by at most the jitter tolerance max(``jitter_abs_kwh``,
      ``jitter_rel`` × r) (default 0.01 kWh or 0.1 % of r): rounding jitter,
      increment 0 and r is kept (so the energy is not counted twice when the
      counter comes back up);
    * v < r by more: the counter was reset (meter replaced, device restarted) and
      restarted from 0, so the energy since the reset is v itself: increment v,
      reference v.

    ``bridged`` is True when the interval since the reference sample is at most
    ``max_gap_s`` (always True when ``max_gap_s`` is None).
    """

    def __init__(
        self,
        max_gap_s: float | None = None,
        jitter_abs_kwh: float = 0.01,
        jitter_rel: float = 0.001,
    ) -> None:
        """Create a tracker; see the class docstring for the tolerances (kWh, fraction)."""
        self.max_gap_s = max_gap_s
        self.jitter_abs_kwh = jitter_abs_kwh
        self.jitter_rel = jitter_rel
        self._last_ts: datetime | None = None
        self._last_value: float | None = None

    @property
    def has_reference(self) -> bool:
        """Whether a previous value exists to difference against."""
        return self._last_value is not None

    @property
    def last_value(self) -> float | None:
        """The reference counter value (kWh)."""
        return self._last_value

    def drop_reference(self) -> None:
        """Forget the reference: the next value starts a new chain (increment 0)."""
        self._last_value = None

    def add(self, ts: datetime, value: float | None) -> Increment:
        """Add a counter reading `value` (kWh) at `ts`; return the kWh since the reference."""
        ts = as_utc(ts)
        if self._last_ts is not None and ts <= self._last_ts:
            return NO_INCREMENT
        value = finite_or_none(value)
        if value is None or value < 0.0:
            return NO_INCREMENT
        prev_ts, ref = self._last_ts, self._last_value
        self._last_ts = ts
        if ref is None or prev_ts is None:
            self._last_value = value
            return NO_INCREMENT
        dt_s = seconds_between(prev_ts, ts)
        bridged = self.max_gap_s is None or dt_s <= self.max_gap_s
        if value >= ref:
            self._last_value = value
            return Increment(value - ref, prev_ts, bridged)
        if ref - value <= max(self.jitter_abs_kwh, self.jitter_rel * ref):
            return Increment(0.0, prev_ts, bridged)
        self._last_value = value
        return Increment(value, prev_ts, bridged)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {
            "max_gap_s": self.max_gap_s,
            "jitter_abs_kwh": self.jitter_abs_kwh,
            "jitter_rel": self.jitter_rel,
            "last_ts": dt_to_json(self._last_ts),
            "last_value": self._last_value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CounterTracker:
        """Restore what :meth:`to_dict` wrote."""
        obj = cls(
            opt_float(data.get("max_gap_s")),
            float(data.get("jitter_abs_kwh", 0.01)),
            float(data.get("jitter_rel", 0.001)),
        )
        obj._last_ts = dt_from_json(data.get("last_ts"))
        obj._last_value = opt_float(data.get("last_value"))
        return obj


class CounterOrPowerIntegrator:
    """Energy increments from a counter when there is one, else from power (trapezoid).

    Per sample (power in kW, counter in kWh):

    * counter present and a counter reference exists: the counter difference
      (see :class:`CounterTracker`; across a long gap it is booked with
      ``bridged=False``);
    * counter present, no reference yet: the counter is seeded and the power
      trapezoid for this interval (if any) is booked;
    * counter missing: the power trapezoid is booked; once it books an interval
      the counter reference is dropped so the same energy is not counted again
      when the counter returns. If neither is available nothing is booked and
      the counter reference is kept.

    The power chain is fed on every sample, so it is ready whenever the counter
    is missing.
    """

    def __init__(self, max_gap_s: float) -> None:
        """Create one with the same gap limit (s) for both paths."""
        self.power = PowerIntegrator(max_gap_s)
        self.counter = CounterTracker(max_gap_s)

    @property
    def max_gap_s(self) -> float:
        """Longest interval (s) bridged by the power path / marked bridged by the counter."""
        return self.power.max_gap_s

    @max_gap_s.setter
    def max_gap_s(self, value: float) -> None:
        self.power.max_gap_s = value
        self.counter.max_gap_s = value

    def add(self, ts: datetime, power_kw: float | None, counter_kwh: float | None) -> Increment:
        """Add one sample (power kW, counter kWh, either may be None); return the kWh increment."""
        last = self.power.last_ts
        if last is not None and as_utc(ts) <= last:
            return NO_INCREMENT
        by_power = self.power.add(ts, power_kw)
        counter_kwh = finite_or_none(counter_kwh)
        if counter_kwh is not None and counter_kwh >= 0.0:
            if self.counter.has_reference:
                return self.counter.add(ts, counter_kwh)
            self.counter.add(ts, counter_kwh)
            return by_power
        if by_power.start is not None:
            self.counter.drop_reference()
        return by_power

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {"power": self.power.to_dict(), "counter": self.counter.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CounterOrPowerIntegrator:
        """Restore what :meth:`to_dict` wrote."""
        power = PowerIntegrator.from_dict(data["power"])
        obj = cls(power.max_gap_s)
        obj.power = power
        obj.counter = CounterTracker.from_dict(data["counter"])
        return obj
