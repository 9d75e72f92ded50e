"""Known-answer tests of the weather-normalised before/after comparison (no Home Assistant).

The synthetic heat pump (the truth the comparison must find):

* outdoor temperature, hour h of day d: T = mean + 3 sin(2πh/24) + (d mod 3 − 1) K;
  the before-week has mean 6 °C (T in 2..10), the after-week mean 2 °C (−2..6);
* space heating: heat per hour q(T) = 0.45 × (16 − T) kWh (demand × `demand`);
  COP = 0.45 × Carnot, Carnot = (flow + 2 + 273.15) / (flow + 2 − (T − 6)) with a
  heating curve flow = 35 − 0.6 (T − 5) °C: at 5 °C 0.45 × 310.15 / 38 = 3.67,
  at −1 °C 0.45 × 313.75 / 47.6 = 2.97 (curved: the fit is a line, the truth not);
* hot water two hours a day (hours 6d mod 24 and (6d + 9) mod 24 on day d):
  3 kWh each at COP 2.6 + 0.04 T;
* a change lifts a COP curve by a factor (1.08 = +8 %), electricity = heat / COP,
  with ±3 % deterministic scatter per hour.

The colder after-week lowers the heating COP by about 0.1 per K × 4 K ≈ 11 %, so
with the +8 % lift the plain comparison shows a loss; the normalised one must
show +8 % ± 1.5 %.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import math
import random

import pytest

from custom_components.heatpump_stats.engine.analytics import summarize
from custom_components.heatpump_stats.engine.fit import fit_line
from custom_components.heatpump_stats.engine.impact import (
    REASON_NO_DATA,
    REASON_NO_OVERLAP,
    REASON_TOO_FEW_DAYS,
    REASON_TOO_FEW_POINTS,
    compare_periods,
)
from custom_components.heatpump_stats.engine.intervals import (
    HEATING_BASE_C,
    Interval,
    PurposeFigures,
    interval_from_summary,
)
from custom_components.heatpump_stats.engine.sample import Sample
from custom_components.heatpump_stats.model.reading import OperatingMode

T0 = datetime(2026, 1, 5, tzinfo=UTC)


def heating_cop(t: float) -> float:
    """0.45 × Carnot with the heating curve of the module docstring."""
    flow = 35.0 - 0.6 * (t - 5.0)
    hot = flow + 2.0 + 273.15
    cold = t - 6.0 + 273.15
    return 0.45 * hot / (hot - cold)


def dhw_cop(t: float) -> float:
    """Hot water: 2.6 + 0.04 T."""
    return 2.6 + 0.04 * t


def week(
    start: datetime,
    *,
    mean_t: float,
    days: int = 7,
    heating_lift: float = 1.0,
    dhw_lift: float = 1.0,
    demand: float = 1.0,
    seed: int = 1,
) -> list[Interval]:
    """Hourly intervals of the synthetic heat pump (see the module docstring)."""
    rng = random.Random(seed)
    out: list[Interval] = []
    for i in range(days * 24):
        d, h = divmod(i, 24)
        t = mean_t + 3.0 * math.sin(2 * math.pi * h / 24) + (d % 3 - 1)
        heat = demand * 0.45 * (16.0 - t)
        elec = heat / (heating_cop(t) * heating_lift) * (1 + rng.uniform(-0.03, 0.03))
        heating = PurposeFigures(elec, heat, t, 35.0 - 0.6 * (t - 5.0))
        dhw = PurposeFigures()
        if h in ((6 * d) % 24, (6 * d + 9) % 24):
            dhw_heat = 3.0
            dhw_elec = dhw_heat / (dhw_cop(t) * dhw_lift) * (1 + rng.uniform(-0.03, 0.03))
            dhw = PurposeFigures(dhw_elec, dhw_heat, t, 52.0)
        combined = PurposeFigures(
            heating.electrical_energy + dhw.electrical_energy,
            heating.thermal_energy + dhw.thermal_energy,
            t,
            None,
        )
        begin = start + timedelta(hours=i)
        out.append(
            Interval(
                start=begin,
                end=begin + timedelta(hours=1),
                covered_hours=1.0,
                outside_hours=1.0,
                outside_temperature=t,
                heating_degree_hours=max(0.0, HEATING_BASE_C - t),
                combined=combined,
                heating=heating,
                dhw=dhw,
            )
        )
    return out


BEFORE = T0
AFTER = T0 + timedelta(days=7)


def test_lifted_cop_in_a_colder_week_is_found() -> None:
    """+8 % on both COP curves, after-week 4 K colder: plain < 0, normalised +8 ± 1.5 %."""
    result = compare_periods(
        week(BEFORE, mean_t=6.0),
        week(AFTER, mean_t=2.0, heating_lift=1.08, dhw_lift=1.08, seed=2),
    )
    assert result["cop_change_pct"] < 0  # the weather hides the improvement
    assert result["heating"]["cop_change_pct"] < 0
    assert result["weather_normalized_cop_change_pct"] == pytest.approx(8.0, abs=1.5)
    assert result["heating"]["weather_normalized_cop_change_pct"] == pytest.approx(8.0, abs=1.5)
    assert result["dhw"]["weather_normalized_cop_change_pct"] == pytest.approx(8.0, abs=1.5)
    assert result["confidence"] in ("medium", "high")
    assert result["reason"] is None
    # Only the after-hours at 1.5 °C or warmer (the before-range 2..10 °C − 0.5 K) count.
    assert 20.0 < result["heating"]["temperature_overlap_pct"] < 80.0
    before, after = result["before"], result["after"]
    assert before["days"] == pytest.approx(7.0)
    # Means: the day offsets −1, 0, +1, −1, 0, +1, −1 add −1 K over 7 days: 6 − 1/7 °C.
    assert before["outside_temperature_mean"] == pytest.approx(6.0 - 1 / 7, abs=0.01)
    assert after["outside_temperature_mean"] == pytest.approx(2.0 - 1 / 7, abs=0.01)
    # Degree-hours: Σ (15 − T) over 168 h = 168 × (15 − 6) + 24 × 1 = 1536 (T < 15
    # throughout; the sine sums to 0 over a day, the offsets to −1 K × 24 h).
    assert before["heating_degree_hours"] == pytest.approx(168 * 9.0 + 24.0, abs=0.01)


def test_no_change_is_zero() -> None:
    """Same heat pump, colder week: plain shows a loss, normalised 0 ± 1.5 %."""
    result = compare_periods(week(BEFORE, mean_t=6.0), week(AFTER, mean_t=2.0, seed=2))
    assert result["cop_change_pct"] < -5.0
    assert result["weather_normalized_cop_change_pct"] == pytest.approx(0.0, abs=1.5)
    assert result["heating"]["weather_normalized_cop_change_pct"] == pytest.approx(0.0, abs=1.5)
    assert result["dhw"]["weather_normalized_cop_change_pct"] == pytest.approx(0.0, abs=1.5)
    assert result["heat_demand"]["weather_normalized_heat_demand_change_pct"] == pytest.approx(
        0.0, abs=1.5
    )


def test_only_hot_water_improved() -> None:
    """Judged separately: dhw +8 %, heating 0 %; combined between them."""
    result = compare_periods(
        week(BEFORE, mean_t=6.0), week(AFTER, mean_t=2.0, dhw_lift=1.08, seed=2)
    )
    assert result["heating"]["weather_normalized_cop_change_pct"] == pytest.approx(0.0, abs=1.5)
    assert result["dhw"]["weather_normalized_cop_change_pct"] == pytest.approx(8.0, abs=1.5)
    assert 0.0 < result["weather_normalized_cop_change_pct"] < 8.0


def test_heat_demand_lowered_by_ten_percent() -> None:
    """After-demand × 0.9 in a colder week: normalised heat demand −10 ± 1.5 %.

    The plain heat per degree-hour is biased by the weather: q/DH = 0.45 (16 − T)/(15 − T),
    about 0.45 × 10/9 = 0.500 at 6 °C and 0.45 × 14/13 = 0.485 at 2 °C.
    """
    result = compare_periods(week(BEFORE, mean_t=6.0), week(AFTER, mean_t=2.0, demand=0.9, seed=2))
    demand = result["heat_demand"]
    assert demand["weather_normalized_heat_demand_change_pct"] == pytest.approx(-10.0, abs=1.5)
    assert demand["heat_per_degree_hour_change_pct"] < -10.0


def test_too_little_data_says_low_and_why() -> None:
    """One day before, one day after: too few days."""
    result = compare_periods(week(BEFORE, mean_t=6.0, days=1), week(AFTER, mean_t=6.0, days=1))
    assert result["confidence"] == "low"
    assert result["reason"] == REASON_TOO_FEW_DAYS
    assert result["reason_text"]
    assert result["heating"]["confidence"] == "low"


def test_no_history_says_too_few_days() -> None:
    """Nothing at all: 0 days of data on both sides, low for too few days, no figures."""
    result = compare_periods([], [])
    assert result["confidence"] == "low"
    assert result["reason"] == REASON_TOO_FEW_DAYS
    assert result["cop_change_pct"] is None
    assert result["weather_normalized_cop_change_pct"] is None
    assert result["before"]["days"] == 0.0


def _idle(start: datetime, hours: int) -> list[Interval]:
    """Covered hours without heat (the heat pump off, e.g. heating season over)."""
    return [
        Interval(
            start=start + timedelta(hours=i),
            end=start + timedelta(hours=i + 1),
            covered_hours=1.0,
            outside_hours=1.0,
            outside_temperature=18.0,
            heating_degree_hours=0.0,
            combined=PurposeFigures(),
            heating=PurposeFigures(),
            dhw=PurposeFigures(),
        )
        for i in range(hours)
    ]


def test_change_just_made_says_too_few_days_not_no_data() -> None:
    """A week before, a change two hours ago with no heat since: the after-period has
    barely begun (2 h < 3 days), so the reason is too few days, for every part of the
    comparison; "no heat recorded" would blame the data."""
    result = compare_periods(week(BEFORE, mean_t=6.0), _idle(AFTER, 2))
    assert result["after"]["days"] == pytest.approx(2 / 24)
    for part in (result, result["heating"], result["dhw"], result["heat_demand"]):
        assert (part["confidence"], part["reason"]) == ("low", REASON_TOO_FEW_DAYS)
    assert result["reason_text"] == "Too few days of data in one of the periods."


def test_week_without_heat_after_says_no_data() -> None:
    """A week before, a full week after with data but no heat (heating off): enough days,
    no heat to compare: no data."""
    result = compare_periods(week(BEFORE, mean_t=6.0), _idle(AFTER, 7 * 24))
    for part in (result, result["heat_demand"]):
        assert (part["confidence"], part["reason"]) == ("low", REASON_NO_DATA)
    assert result["reason_text"] == "No heat recorded in one of the periods."


def test_no_heat_before_with_enough_days_says_no_data() -> None:
    """The before-week idle, the after-week heating: the purposes have nothing to fit."""
    result = compare_periods(_idle(BEFORE, 7 * 24), week(AFTER, mean_t=6.0))
    assert (result["heating"]["confidence"], result["heating"]["reason"]) == (
        "low",
        REASON_NO_DATA,
    )
    assert result["reason"] == REASON_NO_DATA


def test_after_period_outside_the_temperature_range() -> None:
    """Before 6 ± 4 °C, after −10 ± 4 °C: nothing inside the fit's range -> low, no overlap."""
    result = compare_periods(week(BEFORE, mean_t=6.0), week(AFTER, mean_t=-10.0))
    assert result["heating"]["confidence"] == "low"
    assert result["heating"]["reason"] == REASON_NO_OVERLAP
    assert result["heating"]["weather_normalized_cop_change_pct"] is None
    assert result["confidence"] == "low"
    assert result["weather_normalized_cop_change_pct"] is None


def test_two_points_are_too_few() -> None:
    """A week before the change with only two hours of heat: no curve."""
    before = week(BEFORE, mean_t=6.0)
    before[2:] = [
        replace(iv, combined=PurposeFigures(), heating=PurposeFigures(), dhw=PurposeFigures())
        for iv in before[2:]
    ]
    result = compare_periods(before, week(AFTER, mean_t=6.0))
    assert result["heating"]["reason"] == REASON_TOO_FEW_POINTS
    assert result["confidence"] == "low"


def test_fit_line_known_answer() -> None:
    """(0, 3), (10, 4), (20, 5), equal weights: y = 3 + 0.1 x, no scatter."""
    fit = fit_line([(0.0, 3.0, 1.0), (10.0, 4.0, 1.0), (20.0, 5.0, 1.0)])
    assert fit is not None
    assert fit.intercept == pytest.approx(3.0)
    assert fit.slope == pytest.approx(0.1)
    assert fit.scatter_pct == pytest.approx(0.0, abs=1e-9)
    assert fit.predict(25.0) is None  # outside 0..20 (+ 0.5 K)
    assert fit.predict(20.4) == pytest.approx(5.04)


def test_fit_line_narrow_range_is_flat() -> None:
    """0.5 K of spread: the slope is noise, the fit is the weighted mean (3×1 + 4×3)/4 = 3.75."""
    fit = fit_line([(5.0, 3.0, 1.0), (5.5, 4.0, 3.0)])
    assert fit is not None
    assert fit.slope == 0.0
    assert fit.intercept == pytest.approx(3.75)


def test_interval_from_summary() -> None:
    """One hour at a constant 5 °C, 2 kW heat for 1 kW electricity, heating.

    Samples every 60 s with counters: heat 2/60 kWh, electricity 1/60 kWh per minute
    -> 2 kWh, 1 kWh, COP 2.0; degree-hours (15 − 5) × 1 h = 10 (bin 5.0..5.1, middle 5.05,
    so 9.95 with 0.1 K bins).
    """
    start = T0
    samples = [
        Sample(
            ts=start + timedelta(minutes=m),
            mode=OperatingMode.HEATING,
            electrical_energy=m / 60.0,
            thermal_energy=2 * m / 60.0,
            flow_temperature=35.0,
            outside_temperature=5.0,
            compressor_running=True,
        )
        for m in range(61)
    ]
    summary = summarize(
        samples,
        start=start,
        end=start + timedelta(hours=1),
        expected_interval_s=60,
        max_gap_s=300,
        bin_width_k=0.1,
    )
    iv = interval_from_summary(summary)
    assert iv.covered_hours == pytest.approx(1.0)
    assert iv.heating.thermal_energy == pytest.approx(2.0)
    assert iv.heating.electrical_energy == pytest.approx(1.0)
    assert iv.outside_temperature == pytest.approx(5.05, abs=1e-6)
    assert iv.heating_degree_hours == pytest.approx(9.95, abs=1e-6)
    assert iv.dhw.thermal_energy == 0.0
