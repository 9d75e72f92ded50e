"""Known-answer tests of the alerts: short cycling and COP below expected (no Home Assistant)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math

import pytest

from custom_components.heatpump_stats.engine.alerts import (
    REASON_TOO_LITTLE_DATA,
    AlertTracker,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def cycle(tracker: AlertTracker, *, minutes: int, on: int, off: int) -> None:
    """One sample a minute; the compressor runs `on` minutes of every `on + off`.

    The starts counter counts each off → on switch; the first sample is no start.
    """
    starts = 0
    was = None
    for m in range(minutes + 1):
        running = m % (on + off) < on
        if running and was is False:
            starts += 1
        was = running
        tracker.update(
            T0 + timedelta(minutes=m),
            compressor_starts=starts,
            running=running,
            outside_temperature=2.0,
            heat_heating=None,
            electricity_heating=None,
            heat_dhw=None,
            electricity_dhw=None,
        )


def test_short_cycling_on() -> None:
    """10 min on, 10 off for 8 h; the window is (2 h, 8 h].

    Starts at minutes 20, 40, ...: those in (120, 480] are 140..480, (480 − 140)/20 + 1 = 18.
    Running minutes m with m mod 20 < 10 whose interval (m, m + 1] ends in (120, 480]:
    m = 120..479, 18 cycles × 10 = 180 min = 3 h. 18 / 3 = 6 starts per running hour > 3;
    mean run 180 / 18 = 10 min.
    """
    tracker = AlertTracker()
    cycle(tracker, minutes=480, on=10, off=10)
    result = tracker.short_cycling(T0 + timedelta(hours=8), 3)
    assert result.starts == 18
    assert result.running_hours == pytest.approx(3.0)
    assert result.starts_per_running_hour == pytest.approx(6.0)
    assert result.mean_run_minutes == pytest.approx(10.0)
    assert result.state is True
    # A higher threshold: 6 is not above 6.
    assert tracker.short_cycling(T0 + timedelta(hours=8), 6).state is False


def test_long_runs_are_not_short_cycling() -> None:
    """60 on, 30 off: starts at 90, 180, ..., in (120, 480]: 180, 270, 360, 450 = 4;
    running 4 × 60 = 240 min − the part of the run from 90..150 before 120 (30 min) + ...

    Running minutes m = 120..479 with m mod 90 < 60: 120..149 (30), 180..239 (60),
    270..329 (60), 360..419 (60), 450..479 (30) = 240 min = 4 h; 4 / 4 = 1 per hour: off.
    """
    tracker = AlertTracker()
    cycle(tracker, minutes=480, on=60, off=30)
    result = tracker.short_cycling(T0 + timedelta(hours=8), 3)
    assert result.starts == 4
    assert result.running_hours == pytest.approx(4.0)
    assert result.state is False


def test_short_cycling_unknown_with_little_data() -> None:
    """Two hours of samples: less than the 3 h the window needs -> unknown, and why.

    5 on / 5 off: starts at minutes 10, 20, ..., 120 = 12 (the attributes still count them).
    """
    tracker = AlertTracker()
    cycle(tracker, minutes=120, on=5, off=5)
    result = tracker.short_cycling(T0 + timedelta(hours=2), 3)
    assert result.state is None
    assert result.reason == REASON_TOO_LITTLE_DATA
    assert result.attributes()["starts"] == 12


def heating_cop(t: float) -> float:
    """0.45 × Carnot with flow = 35 − 0.6 (T − 5) (as tests/engine/test_impact.py)."""
    flow = 35.0 - 0.6 * (t - 5.0)
    hot = flow + 2.0 + 273.15
    return 0.45 * hot / (hot - (t - 6.0 + 273.15))


def run_month(days: int, last_day_factor: float) -> AlertTracker:
    """Samples every 10 min for `days`; on the last day the COP is × `last_day_factor`.

    T = 3 + 4 sin(2πh/24) + (d mod 5 − 2) °C (the last day's range lies inside the
    month's); heat 0.5 (16 − T) kW; electricity = heat / COP(T). Counters are the
    left rectangle (the previous sample's T holds for 10 min), as the tracker books them.
    """
    tracker = AlertTracker()
    heat = elec = 0.0
    step = 1 / 6  # h
    prev_t: float | None = None
    samples = days * 144
    for i in range(samples + 1):
        hours = i * step
        d = int(hours // 24)
        t = 3.0 + 4.0 * math.sin(2 * math.pi * hours / 24) + (d % 5 - 2)
        if prev_t is not None:
            factor = last_day_factor if i > samples - 144 else 1.0
            q = 0.5 * (16.0 - prev_t) * step
            heat += q
            elec += q / (heating_cop(prev_t) * factor)
        prev_t = t
        tracker.update(
            T0 + timedelta(hours=hours),
            compressor_starts=0,
            running=True,
            outside_temperature=t,
            heat_heating=heat,
            electricity_heating=elec,
            heat_dhw=0.0,
            electricity_dhw=0.0,
        )
    return tracker


def test_cop_below_expected_on() -> None:
    """COP × 0.75 on the last day: (0.75 − 1) × 100 = −25 % < −15 % -> on."""
    tracker = run_month(31, 0.75)
    result = tracker.cop_below_expected(T0 + timedelta(days=31), 15)
    assert result.change_pct == pytest.approx(-25.0, abs=1.5)
    assert result.state is True
    assert result.confidence != "low"
    assert result.expected_cop is not None
    assert result.cop == pytest.approx(result.expected_cop * 0.75, rel=0.02)


def test_cop_slightly_lower_is_not_an_alert() -> None:
    """COP × 0.95: −5 % is within 15 % -> off."""
    tracker = run_month(31, 0.95)
    result = tracker.cop_below_expected(T0 + timedelta(days=31), 15)
    assert result.change_pct == pytest.approx(-5.0, abs=1.5)
    assert result.state is False


def test_cop_below_expected_unknown_with_little_history() -> None:
    """Three days of history: 2 days of reference < 7 -> unknown (low, too few days)."""
    tracker = run_month(3, 0.5)
    result = tracker.cop_below_expected(T0 + timedelta(days=3), 15)
    assert result.state is None
    assert result.confidence == "low"
    assert result.reason == "too_few_days"


def test_persistence_round_trip() -> None:
    """to_dict / from_dict keep every verdict; garbage starts empty."""
    tracker = run_month(10, 0.75)
    cycle(tracker, minutes=0, on=1, off=1)  # an older sample is ignored
    restored = AlertTracker.from_dict(tracker.to_dict())
    now = T0 + timedelta(days=10)
    # Stored to 6 decimals (kWh, s): the verdict and its figures stay.
    kept, live = restored.cop_below_expected(now, 15), tracker.cop_below_expected(now, 15)
    assert kept.state == live.state
    assert kept.change_pct == pytest.approx(live.change_pct, abs=1e-3)
    assert restored.short_cycling(now, 3) == tracker.short_cycling(now, 3)
    empty = AlertTracker.from_dict({"version": 1, "hours": [["x"]]})
    assert empty.short_cycling(now, 3).state is None
    assert AlertTracker.from_dict(None).to_dict()["hours"] == []
