"""Energy increments (kWh) from power samples (trapezoid) or cumulative counters.

Every ``add`` returns an :class:`Increment`: the energy (kWh) of the interval
that ends at the new sample, where that interval started, and whether it was
*bridged* (short enough to be a rate over a known interval; only bridged
increments are used for time-resolved figures like the 5-minute COP).

Samples with a timestamp at or before the previous sample's are ignored
(duplicates, out of order): they return a zero increment and change nothing.
NaN/inf values count as missing (None).

Over 400 lines on purpose: :class:`CounterTracker` (the counter rules: glitch,
reset, wrap, replaced meter, bulk update) is one algorithm; the two integrators
around it are small.
"""

from __future__ import annotations

from datetime import UTC, datetime
import logging
from typing import Any, NamedTuple

from custom_components.heatpump_stats.model.timeutil import (
    as_utc,
    dt_from_json,
    dt_to_json,
    finite_or_none,
    opt_float,
    seconds_between,
)

SECONDS_PER_HOUR = 3600.0

_LOGGER = logging.getLogger(__name__)


class Increment(NamedTuple):
    """Energy (kWh) for the interval [start, end-of-sample]."""

    kwh: float
    # Start of the interval; None when nothing was booked (first sample, gap, missing value).
    start: datetime | None
    # True when the interval is no longer than the gap limit.
    bridged: bool


NO_INCREMENT = Increment(0.0, None, False)
_NOTHING: tuple[float, float | None, bool] = (0.0, None, False)


def _epoch_to_json(t: float | None) -> str | None:
    return None if t is None else dt_to_json(datetime.fromtimestamp(t, UTC))


def _epoch_from_json(value: Any) -> float | None:
    ts = dt_from_json(value)
    return None if ts is None else ts.timestamp()


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


# Plausibility (see :class:`CounterTracker`). A heat pump draws at most a few
# tens of kW: 50 kW of electricity is a large commercial unit (a 63 A
# three-phase supply is 43 kW); 250 kW of heat is that at COP 5.
DEFAULT_MAX_ELECTRICAL_KW = 50.0
DEFAULT_MAX_THERMAL_KW = 250.0
# A counter may move by one quantum at once (the ISG counts whole kWh).
COUNTER_ALLOWANCE_KWH = 1.0
# Samples (the first implausible one included) that must agree before an
# implausible value is taken as the counter's new basis.
CONFIRM_SAMPLES = 3
# A fall that is not to near zero (a dip) is also held this long (s) before it
# is taken as a new basis: a daily refresh or a glitch comes back within it.
DIP_CONFIRM_S = 3600.0
# Counter widths a wrap can come from, in kWh: 16/32-bit registers in kWh, Wh
# and 0.1 kWh, and decimal displays (999 999 kWh → 0).
WRAP_MODULI_KWH: tuple[float, ...] = tuple(
    sorted(
        {float(2**bits) * scale for bits in (16, 32) for scale in (1.0, 0.1, 0.001)}
        | {10.0**digits for digits in range(4, 10)}
    )
)


class CounterTracker:
    """Turns a cumulative energy counter (kWh) into increments; never books implausible energy.

    Physics bounds what a counter can do between two samples: it cannot rise
    by more than ``max_power_kw`` × the time since the reference sample (plus
    one counter quantum, ``allowance_kwh``), and it never falls except when it
    restarts from zero (a reset, or a wrap at its width). For a new value v
    after the reference value r (the last accepted one, taken at t_r):

    * the first value (no reference yet) only sets the reference: increment 0;
    * ``None`` (or NaN/inf, or a negative value) books nothing and keeps the
      reference, so the next valid value is differenced against r — energy
      across an outage is still counted (the counter is the truth);
    * 0 ≤ v − r ≤ bound(t − t_r): increment v − r;
    * r − v ≤ the jitter tolerance max(``jitter_abs_kwh``, ``jitter_rel`` × r)
      (0.01 kWh or 0.1 % of r): rounding jitter, increment 0, r is kept;
    * anything else is *implausible*: a spike (1e15 Wh once), a dip (10 % low
      for one poll), a reset, a wrap or a replaced meter. It books nothing and
      is logged once; r is kept. When the next values return to a plausible
      distance of r, it was a glitch and is forgotten. When instead
      ``CONFIRM_SAMPLES`` values in a row (dips: also for ``DIP_CONFIRM_S``)
      chain plausibly from the first implausible one, the counter has a new
      basis, and what is booked is:

      - a rise that fits the time since the counter last *moved* (a counter
        that updates in bulk, e.g. once a day): the whole rise;
      - a fall to near zero (the first new value fits the time since t_r): a
        reset, the energy since zero (v) plus, when r lay within that bound
        below a counter width M (:data:`WRAP_MODULI_KWH`), M − r (a wrap);
      - any other jump (a replaced meter, a dip that stayed): only the energy
        within the confirming chain, never the jump itself.

    ``shown`` is what an entity mirroring this counter displays: ``offset`` + r.
    The offset is 0 when the counter is shown as the device reports it; at
    every new basis it is set so that ``shown`` continues by exactly what was
    booked (never a jump for statistics), and the raw reading stays available
    as ``last_value``. ``bridged`` is True when the interval since the
    reference sample is at most ``max_gap_s`` (always True when None).
    """

    def __init__(
        self,
        max_gap_s: float | None = None,
        jitter_abs_kwh: float = 0.01,
        jitter_rel: float = 0.001,
        *,
        max_power_kw: float = DEFAULT_MAX_ELECTRICAL_KW,
        allowance_kwh: float = COUNTER_ALLOWANCE_KWH,
        name: str = "energy counter",
        log: bool = True,
    ) -> None:
        """Create a tracker; see the class docstring for the tolerances (kWh, fraction, kW)."""
        self.max_gap_s = max_gap_s
        self.jitter_abs_kwh = jitter_abs_kwh
        self.jitter_rel = jitter_rel
        self.max_power_kw = max_power_kw
        self.allowance_kwh = allowance_kwh
        self.name = name
        self.log = log
        self.offset = 0.0
        # Times are epoch seconds (UTC), so the history builder can use the same rules.
        self._last_ts: float | None = None  # latest sample of any kind (ordering)
        self._last_value: float | None = None  # reference r
        self._ref_ts: float | None = None  # when r was accepted
        self._moved_ts: float | None = None  # when r last changed
        # The chain of implausible values being confirmed: first, last, count.
        self._cand_first: float | None = None
        self._cand_first_ts: float | None = None
        self._cand_last: float | None = None
        self._cand_last_ts: float | None = None
        self._cand_count = 0
        self._warned = False

    @property
    def has_reference(self) -> bool:
        """Whether a previous value exists to difference against."""
        return self._last_value is not None

    @property
    def last_value(self) -> float | None:
        """The reference counter value (kWh): the device's raw reading last accepted."""
        return self._last_value

    @property
    def shown(self) -> float | None:
        """What a mirroring entity shows (kWh): offset + reference; None before any value."""
        return None if self._last_value is None else self.offset + self._last_value

    def drop_reference(self) -> None:
        """Forget the reference: the next value starts a new chain (increment 0)."""
        self._last_value = None
        self._clear_candidate()

    def bound_kwh(self, seconds: float) -> float:
        """Most energy (kWh) the device can add in `seconds`: max power × time + one quantum."""
        return self.max_power_kw * max(seconds, 0.0) / SECONDS_PER_HOUR + self.allowance_kwh

    def _jitter(self, ref: float) -> float:
        return max(self.jitter_abs_kwh, self.jitter_rel * ref)

    def _plausible_step(self, old: float, new: float, seconds: float) -> bool:
        return -self._jitter(old) <= new - old <= self.bound_kwh(seconds)

    def _clear_candidate(self) -> None:
        self._cand_first = self._cand_last = None
        self._cand_first_ts = self._cand_last_ts = None
        self._cand_count = 0

    def add(self, ts: datetime, value: float | None) -> Increment:
        """Add a counter reading `value` (kWh) at `ts`; return the kWh since the reference."""
        kwh, start, bridged = self.add_epoch(as_utc(ts).timestamp(), value)
        if start is None:
            return NO_INCREMENT
        return Increment(kwh, datetime.fromtimestamp(start, UTC), bridged)

    def add_epoch(self, t: float, value: float | None) -> tuple[float, float | None, bool]:
        """:meth:`add` on epoch seconds: (kWh, start of the interval or None, bridged)."""
        if self._last_ts is not None and t <= self._last_ts:
            return _NOTHING
        value = finite_or_none(value)
        if value is None or value < 0.0:
            return _NOTHING
        ref, ref_ts = self._last_value, self._ref_ts
        self._last_ts = t
        if ref is None or ref_ts is None:
            self._last_value = value
            self._ref_ts = self._moved_ts = t
            return _NOTHING
        dt_s = t - ref_ts
        bridged = self.max_gap_s is None or dt_s <= self.max_gap_s
        if self._plausible_step(ref, value, dt_s):
            if self._cand_count:
                _LOGGER.debug(
                    "%s: %s kWh was a glitch, back at %s kWh", self.name, self._cand_first, value
                )
                self._clear_candidate()
            self._ref_ts = t
            if value <= ref:  # jitter: keep r so nothing is counted twice
                return 0.0, ref_ts, bridged
            self._last_value, self._moved_ts = value, t
            return value - ref, ref_ts, bridged
        return self._implausible(t, value, ref, ref_ts)

    def _implausible(
        self, t: float, value: float, ref: float, ref_ts: float
    ) -> tuple[float, float | None, bool]:
        first, first_ts = self._cand_first, self._cand_first_ts
        last, last_ts = self._cand_last, self._cand_last_ts
        if (
            first is None
            or first_ts is None
            or last is None
            or last_ts is None
            or not self._plausible_step(last, value, t - last_ts)
        ):
            self._cand_first = self._cand_last = value
            self._cand_first_ts = self._cand_last_ts = t
            self._cand_count = 1
            level = logging.WARNING if self.log and not self._warned else logging.DEBUG
            self._warned = self._warned or level == logging.WARNING
            _LOGGER.log(
                level,
                "%s: %s kWh after %s kWh %.0f s earlier is implausible (more than %s kW, or a "
                "fall that is no reset); not counted unless the next readings confirm it",
                self.name,
                value,
                ref,
                t - ref_ts,
                self.max_power_kw,
            )
            first, first_ts = value, t
        else:
            self._cand_last = max(last, value)
            self._cand_last_ts = t
            self._cand_count += 1
        if self._cand_count < CONFIRM_SAMPLES:
            return _NOTHING
        is_dip = ref > first > self.bound_kwh(first_ts - ref_ts)
        if is_dip and t - first_ts < DIP_CONFIRM_S:
            return _NOTHING
        return self._rebase(t, ref, ref_ts)

    def _rebase(self, t: float, ref: float, ref_ts: float) -> tuple[float, float | None, bool]:
        """Take the confirmed chain as the counter's new basis (see the class docstring)."""
        first, first_ts, last = self._cand_first, self._cand_first_ts, self._cand_last
        assert first is not None
        assert first_ts is not None
        assert last is not None
        moved_ts = ref_ts if self._moved_ts is None else self._moved_ts
        kind: str
        if first > ref and first - ref <= self.bound_kwh(first_ts - moved_ts):
            kind, kwh = "caught up", last - ref
        elif first < ref and first <= self.bound_kwh(first_ts - ref_ts):
            room = self.bound_kwh(first_ts - ref_ts) - first
            wrap = next((m for m in WRAP_MODULI_KWH if 0.0 <= m - ref <= room), None)
            if wrap is None:
                kind, kwh = "reset", last
            else:
                kind, kwh = f"wrapped at {wrap:g} kWh", wrap - ref + last
        else:
            kind, kwh = "new basis (replaced or switched)", last - first
        shown = self.offset + ref
        self.offset = shown + kwh - last
        if self.log:
            _LOGGER.info(
                "%s: %s from %s kWh to %s kWh; %.3f kWh counted, the total continues",
                self.name,
                kind,
                ref,
                last,
                kwh,
            )
        self._last_value = last
        self._ref_ts = self._moved_ts = t
        self._clear_candidate()
        return kwh, ref_ts, self.max_gap_s is None or t - ref_ts <= self.max_gap_s

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state."""
        return {
            "max_gap_s": self.max_gap_s,
            "jitter_abs_kwh": self.jitter_abs_kwh,
            "jitter_rel": self.jitter_rel,
            "max_power_kw": self.max_power_kw,
            "last_ts": _epoch_to_json(self._last_ts),
            "last_value": self._last_value,
            "ref_ts": _epoch_to_json(self._ref_ts),
            "moved_ts": _epoch_to_json(self._moved_ts),
            "offset": self.offset,
            "cand_first": self._cand_first,
            "cand_first_ts": _epoch_to_json(self._cand_first_ts),
            "cand_last": self._cand_last,
            "cand_last_ts": _epoch_to_json(self._cand_last_ts),
            "cand_count": self._cand_count,
        }

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, name: str = "energy counter", log: bool = True
    ) -> CounterTracker:
        """Restore what :meth:`to_dict` wrote."""
        obj = cls(
            opt_float(data.get("max_gap_s")),
            float(data.get("jitter_abs_kwh", 0.01)),
            float(data.get("jitter_rel", 0.001)),
            max_power_kw=float(data.get("max_power_kw", DEFAULT_MAX_ELECTRICAL_KW)),
            name=name,
            log=log,
        )
        obj._last_ts = _epoch_from_json(data.get("last_ts"))
        obj._last_value = opt_float(data.get("last_value"))
        # Older versions stored no reference time: the latest sample was the reference.
        obj._ref_ts = _epoch_from_json(data.get("ref_ts"))
        if obj._ref_ts is None:
            obj._ref_ts = obj._last_ts
        obj._moved_ts = _epoch_from_json(data.get("moved_ts"))
        if obj._moved_ts is None:
            obj._moved_ts = obj._ref_ts
        obj.offset = float(data.get("offset", 0.0))
        obj._cand_first = opt_float(data.get("cand_first"))
        obj._cand_first_ts = _epoch_from_json(data.get("cand_first_ts"))
        obj._cand_last = opt_float(data.get("cand_last"))
        obj._cand_last_ts = _epoch_from_json(data.get("cand_last_ts"))
        obj._cand_count = int(data.get("cand_count", 0))
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

    def __init__(
        self,
        max_gap_s: float,
        *,
        max_power_kw: float = DEFAULT_MAX_ELECTRICAL_KW,
        name: str = "energy counter",
    ) -> None:
        """Create one with the same gap limit (s) for both paths; counter bounded by max power."""
        self.power = PowerIntegrator(max_gap_s)
        self.counter = CounterTracker(max_gap_s, max_power_kw=max_power_kw, name=name)
        self.name = name

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
    def from_dict(
        cls,
        data: dict[str, Any],
        *,
        max_power_kw: float = DEFAULT_MAX_ELECTRICAL_KW,
        name: str = "energy counter",
    ) -> CounterOrPowerIntegrator:
        """Restore what :meth:`to_dict` wrote (bounds are the current configuration's)."""
        power = PowerIntegrator.from_dict(data["power"])
        obj = cls(power.max_gap_s, max_power_kw=max_power_kw, name=name)
        obj.power = power
        obj.counter = CounterTracker.from_dict(data["counter"], name=name)
        obj.counter.max_power_kw = max_power_kw
        return obj
