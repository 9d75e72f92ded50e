"""Did a change help? The weather-normalised before/after comparison of two periods.

Units: energy kWh, temperatures °C, time hours, degree-hours K·h. No Home Assistant here.

Input: each period as a list of :class:`Interval` figures (hourly or daily; one
interval per hour or day of history, see :func:`interval_from_summary`).

The method, per purpose (space heating and hot water are judged separately,
because only heating follows the weather in the same way):

* **Plain change**: ``cop_change_pct`` = (COP after / COP before − 1) × 100,
  COP = Σ heat / Σ electricity of the period.
* **Weather-normalised change**: a straight line COP = a + b × T (T = the
  interval's heat-weighted outdoor temperature) is fitted to the *before*
  intervals, weighted by their heat (intervals with less than
  :attr:`Rules.min_point_heat_kwh` of heat are left out; with less than
  :data:`~.fit.MIN_SPREAD_K` of temperature spread the line is flat, the mean COP).
  The line is used only within the outdoor range the before-period saw
  (± :data:`~.fit.RANGE_MARGIN_K`); after-intervals outside it are left out of the
  comparison, and the share of the after-period's heat inside it is the
  ``temperature_overlap_pct``. For the after-intervals inside, the expected
  electricity is Σ heatᵢ / COP_fit(Tᵢ), so the expected COP is
  Σ heatᵢ / Σ (heatᵢ / COP_fit(Tᵢ)) and
  ``weather_normalized_cop_change_pct`` = (actual COP of those intervals /
  expected COP − 1) × 100. A colder after-week lowers both the actual and
  the expected COP, so the weather cancels and the change remains.
* **Heat demand** (space heating only): plain, heat per heating degree-hour
  (Σ max(0, :data:`~.intervals.HEATING_BASE_C` − T) over the hours), after against
  before; normalised, a line heat per hour = a + b × T fitted to the before
  intervals (T = the time-weighted outdoor temperature, weights = hours
  covered) predicts the after-period's heat for its weather, inside the same
  range rule: (actual / predicted − 1) × 100.
* **Confidence** (``low`` | ``medium`` | ``high``) from the days covered in
  both periods, the temperature overlap and the fit: the fit's scatter
  (heat-weighted RMS of the relative residuals) divided by √(points) estimates
  the error of the expected COP (``prediction_error_pct``); the comparison's
  ``error_pct`` is the scatter × √(1/points before + 1/points after), the
  after-intervals scattering as much. ``low`` always
  names its ``reason``; see :class:`Rules` for the limits.
* **Combined**: the purposes' in-range heat and actual and expected
  electricity are added; a purpose with at least :attr:`Rules.min_share_pct`
  of the after-period's heat but no normalised figure makes the combined
  figure unknown. The combined confidence is the lowest of the purposes that
  count.

The intervals it reads are :mod:`.intervals`', the line fit :mod:`.fit`'s; the
figures and the judgement here are one method (each step exists only for the
next), which is why this module stays whole at a little over 400 lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
import math
from typing import Any, Final, Literal

from custom_components.heatpump_stats.model.timeutil import dt_to_json

from .fit import RANGE_MARGIN_K, LinearFit, fit_line
from .intervals import (
    HEATING_BASE_C,
    PURPOSE_COMBINED,
    PURPOSE_DHW,
    PURPOSE_HEATING,
    PURPOSES,
    Interval,
)

MIN_EXPECTED_COP: Final = 0.5  # a line predicting less is not used there


type Confidence = Literal["low", "medium", "high"]
CONFIDENCE_LOW: Final = "low"
CONFIDENCE_MEDIUM: Final = "medium"
CONFIDENCE_HIGH: Final = "high"
_RANK: Final[dict[str, int]] = {CONFIDENCE_LOW: 0, CONFIDENCE_MEDIUM: 1, CONFIDENCE_HIGH: 2}

# Reasons for `low` (codes; README and translations explain them).
REASON_NO_DATA: Final = "no_data"  # no heat in the before- or after-period
REASON_TOO_FEW_POINTS: Final = "too_few_points"  # too few before-intervals to fit
REASON_TOO_FEW_DAYS: Final = "too_few_days"
REASON_NO_OVERLAP: Final = "no_temperature_overlap"
REASON_POOR_FIT: Final = "poor_fit"
REASON_PURPOSE_UNKNOWN: Final = "purpose_not_comparable"  # combined: a purpose has no figure
REASON_TEXT: Final[dict[str, str]] = {
    REASON_NO_DATA: "No heat recorded in one of the periods.",
    REASON_TOO_FEW_POINTS: "Too few hours or days with heat before the change to fit a curve.",
    REASON_TOO_FEW_DAYS: "Too few days of data in one of the periods.",
    REASON_NO_OVERLAP: (
        "The outdoor temperatures after the change were mostly outside the range seen before it."
    ),
    REASON_POOR_FIT: "COP before the change scatters too much for a reliable expectation.",
    REASON_PURPOSE_UNKNOWN: "Heating or hot water cannot be compared yet.",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    """Limits of the comparison and its confidence (days, %, kWh)."""

    min_days: float = 3.0  # each period; fewer: low
    min_days_after: float | None = None  # the after-period's own minimum (None: min_days)
    high_days: float = 7.0  # each period, for high
    min_points: int = 3  # before-intervals with heat; fewer: no fit
    min_point_heat_kwh: float = 0.2  # an interval with less heat is not a fit point
    min_overlap_pct: float = 30.0  # share of after-heat inside the fit's range; less: low
    high_overlap_pct: float = 80.0
    max_prediction_error_pct: float = 5.0  # above: low
    high_prediction_error_pct: float = 2.0  # at or below (and the rest): high
    min_share_pct: float = 10.0  # a purpose with this share of after-heat must be comparable


# ---------------------------------------------------------------- periods


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def _pct(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old <= 0:
        return None
    return (new / old - 1.0) * 100.0


def _purpose_totals(intervals: Sequence[Interval], name: str) -> dict[str, Any]:
    elec = heat = w_out = out = w_flow = flow = 0.0
    for iv in intervals:
        p = iv.purpose(name)
        elec += p.electrical_energy
        heat += p.thermal_energy
        if p.thermal_energy > 0:
            if p.outside_temperature is not None:
                w_out += p.thermal_energy
                out += p.thermal_energy * p.outside_temperature
            if p.flow_temperature is not None:
                w_flow += p.thermal_energy
                flow += p.thermal_energy * p.flow_temperature
    return {
        "thermal_energy": heat,
        "electrical_energy": elec,
        "cop": _ratio(heat, elec),
        "outside_temperature_mean": _ratio(out, w_out) if w_out > 0 else None,
        "flow_temperature_mean": _ratio(flow, w_flow) if w_flow > 0 else None,
    }


def period_figures(
    intervals: Sequence[Interval], start: datetime | None = None, end: datetime | None = None
) -> dict[str, Any]:
    """Figures of one period (kWh, °C, K·h); the outdoor mean is time-weighted."""
    covered = sum(iv.covered_hours for iv in intervals)
    out_h = sum(iv.outside_hours for iv in intervals if iv.outside_temperature is not None)
    out_sum = sum(
        iv.outside_hours * iv.outside_temperature
        for iv in intervals
        if iv.outside_temperature is not None
    )
    degree_hours = sum(iv.heating_degree_hours for iv in intervals)
    combined = _purpose_totals(intervals, PURPOSE_COMBINED)
    heating = _purpose_totals(intervals, PURPOSE_HEATING)
    first = start if start is not None else (intervals[0].start if intervals else None)
    last = end if end is not None else (intervals[-1].end if intervals else None)
    return {
        "start": dt_to_json(first),
        "end": dt_to_json(last),
        "days": covered / 24.0,
        "thermal_energy": combined["thermal_energy"],
        "electrical_energy": combined["electrical_energy"],
        "cop": combined["cop"],
        "outside_temperature_mean": _ratio(out_sum, out_h) if out_h > 0 else None,
        "flow_temperature_mean": combined["flow_temperature_mean"],
        "heating_degree_hours": degree_hours,
        "heat_per_degree_hour": _ratio(heating["thermal_energy"], degree_hours)
        if degree_hours >= 1.0
        else None,
        PURPOSE_HEATING: heating,
        PURPOSE_DHW: _purpose_totals(intervals, PURPOSE_DHW),
    }


# ------------------------------------------------------------- comparison


@dataclass(slots=True)
class _Expected:
    """After-intervals inside the fit's range: heat, actual and expected electricity."""

    heat: float = 0.0
    electricity: float = 0.0
    expected_electricity: float = 0.0
    heat_total: float = 0.0  # all after-heat (for the overlap share)
    points: int = 0  # in-range after-intervals with at least min_point_heat_kwh


@dataclass(slots=True)
class PurposeImpact:
    """The comparison of one purpose."""

    purpose: str
    cop_before: float | None
    cop_after: float | None
    fit: LinearFit | None
    expected: _Expected = field(default_factory=_Expected)
    confidence: Confidence = CONFIDENCE_LOW
    reason: str | None = None

    @property
    def cop_change_pct(self) -> float | None:
        """Plain change of the period COPs (%)."""
        return _pct(self.cop_after, self.cop_before)

    @property
    def overlap_pct(self) -> float | None:
        """Share of the after-heat inside the fit's range (%)."""
        e = self.expected
        return None if e.heat_total <= 0 else 100.0 * e.heat / e.heat_total

    @property
    def expected_cop(self) -> float | None:
        """The before-period's COP for the after-period's weather (in-range intervals)."""
        e = self.expected
        return _ratio(e.heat, e.expected_electricity) if e.heat > 0 else None

    @property
    def actual_cop_in_range(self) -> float | None:
        """The after-period's COP over the same in-range intervals."""
        e = self.expected
        return _ratio(e.heat, e.electricity) if e.heat > 0 else None

    @property
    def error_pct(self) -> float | None:
        """Error of the normalised change: scatter × √(1/points before + 1/points after)."""
        if self.fit is None or self.expected.points == 0:
            return None
        return self.fit.scatter_pct * math.sqrt(1.0 / self.fit.points + 1.0 / self.expected.points)

    @property
    def weather_normalized_cop_change_pct(self) -> float | None:
        """Actual against expected COP (%)."""
        return _pct(self.actual_cop_in_range, self.expected_cop)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "cop_before": self.cop_before,
            "cop_after": self.cop_after,
            "cop_change_pct": self.cop_change_pct,
            "expected_cop": self.expected_cop,
            "actual_cop_in_range": self.actual_cop_in_range,
            "weather_normalized_cop_change_pct": self.weather_normalized_cop_change_pct,
            "temperature_overlap_pct": self.overlap_pct,
            "error_pct": self.error_pct,
            "fit": None if self.fit is None else self.fit.to_dict(),
            "confidence": self.confidence,
            "reason": self.reason,
        }


def _cop_points(intervals: Iterable[Interval], name: str, min_heat: float) -> list[Any]:
    points: list[tuple[float, float, float]] = []
    for iv in intervals:
        p = iv.purpose(name)
        if (
            p.thermal_energy >= min_heat
            and p.electrical_energy > 0
            and p.outside_temperature is not None
        ):
            points.append(
                (p.outside_temperature, p.thermal_energy / p.electrical_energy, p.thermal_energy)
            )
    return points


def _too_few_days(days: tuple[float, float], rules: Rules) -> bool:
    """Either period is shorter than its minimum (right after a change: the after-period)."""
    min_after = rules.min_days if rules.min_days_after is None else rules.min_days_after
    return days[0] < rules.min_days or days[1] < min_after


def _no_data(days: tuple[float, float], rules: Rules) -> tuple[Confidence, str]:
    """Low, and why: too few days comes first (a period still filling is not "no heat")."""
    return CONFIDENCE_LOW, REASON_TOO_FEW_DAYS if _too_few_days(days, rules) else REASON_NO_DATA


def _judge(
    *,
    fit: LinearFit | None,
    overlap_pct: float | None,
    days: tuple[float, float],
    prediction_error_pct: float | None,
    rules: Rules,
) -> tuple[Confidence, str | None]:
    """(confidence, reason when low) from days, overlap and fit quality.

    Too few days is the first reason: right after a change the after-period
    has no heat yet because it has barely begun, not because none was recorded.
    """
    if _too_few_days(days, rules):
        return CONFIDENCE_LOW, REASON_TOO_FEW_DAYS
    if overlap_pct is None:
        return CONFIDENCE_LOW, REASON_NO_DATA
    if fit is None or fit.points < rules.min_points:
        return CONFIDENCE_LOW, REASON_TOO_FEW_POINTS
    if overlap_pct < rules.min_overlap_pct:
        return CONFIDENCE_LOW, REASON_NO_OVERLAP
    if prediction_error_pct is None or prediction_error_pct > rules.max_prediction_error_pct:
        return CONFIDENCE_LOW, REASON_POOR_FIT
    if (
        min(days) >= rules.high_days
        and overlap_pct >= rules.high_overlap_pct
        and prediction_error_pct <= rules.high_prediction_error_pct
    ):
        return CONFIDENCE_HIGH, None
    return CONFIDENCE_MEDIUM, None


def compare_purpose(
    before: Sequence[Interval],
    after: Sequence[Interval],
    name: str,
    rules: Rules,
    days: tuple[float, float],
) -> PurposeImpact:
    """The COP comparison of one purpose (see the module docstring)."""
    b = _purpose_totals(before, name)
    a = _purpose_totals(after, name)
    points = _cop_points(before, name, rules.min_point_heat_kwh)
    fit = fit_line(points) if len(points) >= rules.min_points else None
    impact = PurposeImpact(purpose=name, cop_before=b["cop"], cop_after=a["cop"], fit=fit)
    e = impact.expected
    for iv in after:
        p = iv.purpose(name)
        if p.thermal_energy <= 0 or p.electrical_energy <= 0 or p.outside_temperature is None:
            continue
        e.heat_total += p.thermal_energy
        cop = None if fit is None else fit.predict(p.outside_temperature)
        if cop is None or cop < MIN_EXPECTED_COP:
            continue
        if p.thermal_energy >= rules.min_point_heat_kwh:
            e.points += 1
        e.heat += p.thermal_energy
        e.electricity += p.electrical_energy
        e.expected_electricity += p.thermal_energy / cop
    if b["thermal_energy"] <= 0:
        impact.confidence, impact.reason = _no_data(days, rules)
        return impact
    impact.confidence, impact.reason = _judge(
        fit=fit,
        overlap_pct=impact.overlap_pct,
        days=days,
        prediction_error_pct=impact.error_pct,
        rules=rules,
    )
    return impact


def compare_heat_demand(
    before: Sequence[Interval],
    after: Sequence[Interval],
    rules: Rules,
    days: tuple[float, float],
) -> dict[str, Any]:
    """Space-heating heat per degree-hour, plain and weather-normalised (see module docstring)."""
    b_dh = sum(iv.heating_degree_hours for iv in before)
    a_dh = sum(iv.heating_degree_hours for iv in after)
    b_heat = sum(iv.heating.thermal_energy for iv in before)
    a_heat = sum(iv.heating.thermal_energy for iv in after)
    plain = _pct(
        _ratio(a_heat, a_dh) if a_dh >= 1.0 else None,
        _ratio(b_heat, b_dh) if b_dh >= 1.0 else None,
    )
    points = [
        (iv.outside_temperature, iv.heating.thermal_energy / iv.covered_hours, iv.covered_hours)
        for iv in before
        if iv.outside_temperature is not None and iv.covered_hours >= 0.5 * iv.hours
    ]
    fit = fit_line(points) if len(points) >= rules.min_points else None
    actual = predicted = total = 0.0
    for iv in after:
        if iv.outside_temperature is None or iv.covered_hours <= 0:
            continue
        total += iv.heating.thermal_energy
        value = None if fit is None else fit.predict(iv.outside_temperature)
        if value is None:
            continue
        actual += iv.heating.thermal_energy
        predicted += max(0.0, value) * iv.covered_hours
    normalized = _pct(actual, predicted) if predicted >= rules.min_point_heat_kwh else None
    overlap = 100.0 * actual / total if total > 0 else None
    confidence: Confidence
    reason: str | None
    if b_heat <= 0 or a_heat <= 0:
        confidence, reason = _no_data(days, rules)
    else:
        # The scatter of heat per hour is relative to the fitted heat; hours near
        # the heating limit have little heat and count little (weights = hours).
        confidence, reason = _judge(
            fit=fit,
            overlap_pct=overlap,
            days=days,
            prediction_error_pct=None if fit is None else fit.prediction_error_pct,
            rules=rules,
        )
    return {
        "heat_per_degree_hour_change_pct": plain,
        "expected_thermal_energy": predicted if fit is not None else None,
        "actual_thermal_energy_in_range": actual if fit is not None else None,
        "weather_normalized_heat_demand_change_pct": normalized,
        "fit": None if fit is None else fit.to_dict(),
        "confidence": confidence,
        "reason": reason,
    }


def compare_periods(
    before: Sequence[Interval],
    after: Sequence[Interval],
    rules: Rules | None = None,
    *,
    before_bounds: tuple[datetime, datetime] | None = None,
    after_bounds: tuple[datetime, datetime] | None = None,
) -> dict[str, Any]:
    """The full comparison, JSON-ready (the `compare_periods` service response)."""
    rules = rules or Rules()
    b_fig = period_figures(before, *(before_bounds or (None, None)))
    a_fig = period_figures(after, *(after_bounds or (None, None)))
    days = (float(b_fig["days"]), float(a_fig["days"]))
    impacts = {name: compare_purpose(before, after, name, rules, days) for name in PURPOSES}

    # Combined: add the purposes that have a normalised figure; a purpose with a
    # real share of the after-heat but none makes the combined figure unknown.
    after_heat = sum(i.expected.heat_total for i in impacts.values())
    heat = elec = expected = 0.0
    confidence: Confidence = CONFIDENCE_HIGH
    reason: str | None = None
    comparable = True
    counted = 0
    for impact in impacts.values():
        share = 100.0 * impact.expected.heat_total / after_heat if after_heat > 0 else 0.0
        if share < rules.min_share_pct:
            continue
        counted += 1
        if impact.weather_normalized_cop_change_pct is None:
            comparable = False
        heat += impact.expected.heat
        elec += impact.expected.electricity
        expected += impact.expected.expected_electricity
        if _RANK[impact.confidence] < _RANK[confidence]:
            confidence, reason = impact.confidence, impact.reason
    normalized: float | None = None
    if counted == 0:
        confidence, reason = _no_data(days, rules)
    elif not comparable:
        confidence = CONFIDENCE_LOW
        reason = reason or REASON_PURPOSE_UNKNOWN
    else:
        normalized = _pct(_ratio(heat, elec), _ratio(heat, expected))
    return {
        "before": b_fig,
        "after": a_fig,
        "cop_change_pct": _pct(a_fig["cop"], b_fig["cop"]),
        "expected_cop": _ratio(heat, expected) if normalized is not None else None,
        "actual_cop_in_range": _ratio(heat, elec) if normalized is not None else None,
        "weather_normalized_cop_change_pct": normalized,
        "confidence": confidence,
        "reason": reason,
        "reason_text": None if reason is None else REASON_TEXT.get(reason),
        "heating": impacts[PURPOSE_HEATING].to_dict(),
        "dhw": impacts[PURPOSE_DHW].to_dict(),
        "heat_demand": compare_heat_demand(before, after, rules, days),
        "method": {
            "heating_base_temperature": HEATING_BASE_C,
            "range_margin_k": RANGE_MARGIN_K,
            "intervals_before": len(before),
            "intervals_after": len(after),
        },
    }
