"""Alerts from the live readings: short cycling, and a COP below what the weather lets expect.

Units: s, h, kWh, °C. Fed with every heat-pump snapshot (:meth:`AlertTracker.observe`);
the state is a few small buckets, persisted with :meth:`~AlertTracker.to_dict`.

Booking: the interval (previous sample, sample] is booked to the bucket that
holds the sample's time (bucket k covers ((k − 1) × width, k × width]), with
the previous sample's running state and outdoor temperature. Intervals longer
than ``max_gap_s`` are not covered: no running time, no starts, no energy.

* **Short cycling** (:meth:`AlertTracker.short_cycling`): over the last
  :data:`SHORT_CYCLING_WINDOW_S` (6 h, 5-min buckets), starts = increments of
  the engine's ``compressor_starts``, running hours = time the compressor ran.
  On when starts / running hours > the threshold (option
  ``short_cycling_max_starts_per_hour``, default 3, i.e. runs shorter than
  20 min on average) and there were at least :data:`SHORT_CYCLING_MIN_STARTS`
  starts; unknown with less than :data:`SHORT_CYCLING_MIN_COVERED_S` (3 h) of
  data in the window.
* **COP below expected** (:meth:`AlertTracker.cop_below_expected`): hourly
  heat and electricity per purpose (increments of the engine's
  ``thermal/electrical_energy_heating/dhw``) and the hour's time-weighted
  outdoor temperature. The last 24 h are compared with the 30 days before
  them by :func:`~.impact.compare_periods` (COP fitted against the outdoor
  temperature, per purpose, used only within the range it saw). On when the
  last 24 h's weather-normalised COP is more than the threshold (option
  ``cop_below_expected_pct``, default 15 %) below the expectation; unknown
  while the comparison's confidence is low (fewer than
  :attr:`COP_ALERT_RULES.min_days` days of reference, less than 18 h of the
  last 24 h, weather outside the range the 30 days saw, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
import math
from typing import Any, Final

from custom_components.heatpump_stats.model.metrics import Metrics
from custom_components.heatpump_stats.model.timeutil import as_utc

from .impact import CONFIDENCE_LOW, Rules, compare_periods
from .intervals import Interval, PurposeFigures
from .summary import SECONDS_PER_HOUR

STORAGE_VERSION: Final = 1
MAX_GAP_S: Final = 900.0
SHORT_CYCLING_WINDOW_S: Final = 6 * 3600.0
SHORT_CYCLING_BUCKET_S: Final = 300.0
SHORT_CYCLING_MIN_COVERED_S: Final = 3 * 3600.0
SHORT_CYCLING_MIN_STARTS: Final = 3
COP_BUCKET_S: Final = 3600.0
COP_RECENT_S: Final = 24 * 3600.0
COP_REFERENCE_S: Final = 30 * 86_400.0
COP_ALERT_RULES: Final = Rules(min_days=7.0, min_days_after=0.75)
# The COP verdict (a fit over 720 hours, about 30 ms) is recomputed at most this often.
COP_EVALUATE_EVERY_S: Final = 600.0
REASON_TOO_LITTLE_DATA: Final = "too_little_data"

# Slots of an hour bucket.
_COVERED, _OUT_SUM, _OUT_S, _HEAT_H, _ELEC_H, _HEAT_D, _ELEC_D = range(7)
# Slots of a cycling bucket.
_STARTS, _RUN_S, _CYC_COVERED = range(3)


@dataclass(frozen=True, slots=True)
class ShortCycling:
    """The short-cycling verdict over the last 6 h."""

    state: bool | None
    starts: int
    running_hours: float
    covered_hours: float
    starts_per_running_hour: float | None
    mean_run_minutes: float | None
    threshold: float
    reason: str | None = None

    def attributes(self) -> dict[str, Any]:
        """Entity attributes."""
        return {
            "starts": self.starts,
            "running_hours": round(self.running_hours, 3),
            "mean_run_minutes": None
            if self.mean_run_minutes is None
            else round(self.mean_run_minutes, 1),
            "starts_per_running_hour": None
            if self.starts_per_running_hour is None
            else round(self.starts_per_running_hour, 2),
            "window_hours": SHORT_CYCLING_WINDOW_S / SECONDS_PER_HOUR,
            "threshold": self.threshold,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class CopBelowExpected:
    """The last 24 h's COP against the expectation of the 30 days before."""

    state: bool | None
    cop: float | None
    expected_cop: float | None
    change_pct: float | None
    threshold_pct: float
    confidence: str
    reason: str | None = None

    def attributes(self) -> dict[str, Any]:
        """Entity attributes."""

        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {
            "cop": r(self.cop),
            "expected_cop": r(self.expected_cop),
            "weather_normalized_cop_change_pct": r(self.change_pct),
            "threshold_pct": self.threshold_pct,
            "confidence": self.confidence,
            "reason": self.reason,
        }


def _delta(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or not math.isfinite(new) or not math.isfinite(old):
        return None
    d = new - old
    return d if d >= 0 else None


class AlertTracker:
    """Short cycling and COP-below-expected state of one heat pump."""

    def __init__(self, max_gap_s: float = MAX_GAP_S) -> None:
        """Start empty."""
        self._max_gap_s = float(max_gap_s)
        self._prev: dict[str, Any] | None = None
        self._cycling: dict[int, list[float]] = {}
        self._hours: dict[int, list[float]] = {}
        self._cop_cache: tuple[float, float, CopBelowExpected] | None = None

    # ---------------------------------------------------------------- input

    def observe(self, ts: datetime, metrics: Metrics) -> None:
        """Take one heat-pump snapshot."""
        self.update(
            ts,
            compressor_starts=metrics.compressor_starts,
            running=metrics.compressor_running,
            outside_temperature=metrics.outside_temperature,
            heat_heating=metrics.thermal_energy_heating,
            electricity_heating=metrics.electrical_energy_heating,
            heat_dhw=metrics.thermal_energy_dhw,
            electricity_dhw=metrics.electrical_energy_dhw,
        )

    def update(
        self,
        ts: datetime,
        *,
        compressor_starts: int | None,
        running: bool | None,
        outside_temperature: float | None,
        heat_heating: float | None,
        electricity_heating: float | None,
        heat_dhw: float | None,
        electricity_dhw: float | None,
    ) -> None:
        """One sample; counters are cumulative (kWh, starts)."""
        t = as_utc(ts).timestamp()
        out = outside_temperature
        if out is not None and not math.isfinite(out):
            out = None
        sample = {
            "t": t,
            "starts": compressor_starts,
            "running": running,
            "out": out,
            "hh": heat_heating,
            "eh": electricity_heating,
            "hd": heat_dhw,
            "ed": electricity_dhw,
        }
        prev = self._prev
        if prev is not None and t <= prev["t"]:
            return
        self._prev = sample
        if prev is None:
            return
        dt = t - prev["t"]
        if dt > self._max_gap_s:
            return
        c = self._cycling.setdefault(math.ceil(t / SHORT_CYCLING_BUCKET_S), [0.0, 0.0, 0.0])
        c[_CYC_COVERED] += dt
        if prev["running"] is True:
            c[_RUN_S] += dt
        if (starts := _delta(compressor_starts, prev["starts"])) is not None:
            c[_STARTS] += starts
        h = self._hours.setdefault(math.ceil(t / COP_BUCKET_S), [0.0] * 7)
        h[_COVERED] += dt
        if prev["out"] is not None:
            h[_OUT_SUM] += prev["out"] * dt
            h[_OUT_S] += dt
        for slot, key in ((_HEAT_H, "hh"), (_ELEC_H, "eh"), (_HEAT_D, "hd"), (_ELEC_D, "ed")):
            if (d := _delta(sample[key], prev[key])) is not None:
                h[slot] += d
        self._prune(t)

    def _prune(self, t: float) -> None:
        oldest_c = (t - SHORT_CYCLING_WINDOW_S) / SHORT_CYCLING_BUCKET_S - 1
        for k in [k for k in self._cycling if k < oldest_c]:
            del self._cycling[k]
        oldest_h = (t - COP_RECENT_S - COP_REFERENCE_S) / COP_BUCKET_S - 1
        for k in [k for k in self._hours if k < oldest_h]:
            del self._hours[k]

    # -------------------------------------------------------------- verdicts

    def short_cycling(self, now: datetime, max_starts_per_hour: float) -> ShortCycling:
        """Starts per running hour over the 6 h up to `now` (see the module docstring)."""
        lower = as_utc(now).timestamp() - SHORT_CYCLING_WINDOW_S
        starts = running_s = covered_s = 0.0
        for k, c in self._cycling.items():
            if k * SHORT_CYCLING_BUCKET_S > lower:
                starts += c[_STARTS]
                running_s += c[_RUN_S]
                covered_s += c[_CYC_COVERED]
        n = round(starts)
        running_h = running_s / SECONDS_PER_HOUR
        rate = n / running_h if running_h > 0 else None
        mean_run = running_s / 60.0 / n if n > 0 else None
        state: bool | None
        reason = None
        if covered_s < SHORT_CYCLING_MIN_COVERED_S:
            state, reason = None, REASON_TOO_LITTLE_DATA
        elif n < SHORT_CYCLING_MIN_STARTS or rate is None:
            state = False
        else:
            state = rate > max_starts_per_hour
        return ShortCycling(
            state=state,
            starts=n,
            running_hours=running_h,
            covered_hours=covered_s / SECONDS_PER_HOUR,
            starts_per_running_hour=rate,
            mean_run_minutes=mean_run,
            threshold=float(max_starts_per_hour),
            reason=reason,
        )

    def _interval(self, k: int) -> Interval:
        h = self._hours[k]
        end = datetime.fromtimestamp(k * COP_BUCKET_S, UTC)
        out = h[_OUT_SUM] / h[_OUT_S] if h[_OUT_S] > 0 else None
        heating = PurposeFigures(h[_ELEC_H], h[_HEAT_H], out)
        dhw = PurposeFigures(h[_ELEC_D], h[_HEAT_D], out)
        return Interval(
            start=end - timedelta(seconds=COP_BUCKET_S),
            end=end,
            covered_hours=h[_COVERED] / SECONDS_PER_HOUR,
            outside_hours=h[_OUT_S] / SECONDS_PER_HOUR,
            outside_temperature=out,
            heating_degree_hours=0.0,
            combined=PurposeFigures(h[_ELEC_H] + h[_ELEC_D], h[_HEAT_H] + h[_HEAT_D], out),
            heating=heating,
            dhw=dhw,
        )

    def cop_below_expected(self, now: datetime, threshold_pct: float) -> CopBelowExpected:
        """The last 24 h against the 30 days before them (see the module docstring).

        Recomputed at most every COP_EVALUATE_EVERY_S (the hours change slowly).
        """
        t = as_utc(now).timestamp()
        cached = self._cop_cache
        if (
            cached is not None
            and cached[1] == threshold_pct
            and 0 <= t - cached[0] < COP_EVALUATE_EVERY_S
        ):
            return cached[2]
        split, lower = t - COP_RECENT_S, t - COP_RECENT_S - COP_REFERENCE_S
        reference, recent = [], []
        for k in sorted(self._hours):
            end = k * COP_BUCKET_S
            if end > split:
                recent.append(self._interval(k))
            elif end > lower:
                reference.append(self._interval(k))
        result = compare_periods(reference, recent, COP_ALERT_RULES)
        change = result["weather_normalized_cop_change_pct"]
        confidence = str(result["confidence"])
        state: bool | None
        if change is None or confidence == CONFIDENCE_LOW:
            state = None
        else:
            state = change < -float(threshold_pct)
        verdict = CopBelowExpected(
            state=state,
            cop=result["after"]["cop"],
            expected_cop=result["expected_cop"],
            change_pct=change,
            threshold_pct=float(threshold_pct),
            confidence=confidence,
            reason=result["reason"],
        )
        self._cop_cache = (t, threshold_pct, verdict)
        return verdict

    # ----------------------------------------------------------- persistence

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {
            "version": STORAGE_VERSION,
            "prev": self._prev,
            "cycling": [[k, *(round(v, 3) for v in c)] for k, c in sorted(self._cycling.items())],
            "hours": [[k, *(round(v, 6) for v in h)] for k, h in sorted(self._hours.items())],
        }

    @classmethod
    def from_dict(cls, data: Any, max_gap_s: float = MAX_GAP_S) -> AlertTracker:
        """Restore; anything unreadable starts empty (alerts are unknown until data returns)."""
        tracker = cls(max_gap_s)
        if not isinstance(data, dict) or data.get("version") != STORAGE_VERSION:
            return tracker
        try:
            prev = data.get("prev")
            if isinstance(prev, dict) and isinstance(prev.get("t"), int | float):
                tracker._prev = dict(prev)
            for row in data.get("cycling", []):
                tracker._cycling[int(row[0])] = [float(v) for v in row[1:4]]
            for row in data.get("hours", []):
                tracker._hours[int(row[0])] = [float(v) for v in row[1:8]]
        except TypeError, ValueError, IndexError:
            return cls(max_gap_s)
        return tracker
