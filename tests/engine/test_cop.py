"""Known answers for the sliding-window COP (ratio of sums, time segments)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

import pytest

from custom_components.heatpump_stats.engine.cop import CopWindow

T0 = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_heat_every_30s_meter_every_10s_with_partial_overlap() -> None:
    win = CopWindow(window_s=300.0, min_electrical_kwh=0.004)
    # Heat pump polled every 30 s: segments [0,30], [30,60], ..., [300,330], 0.040 kWh each.
    for start in range(0, 330, 30):
        win.add_heat(at(start), at(start + 30), 0.040)
    # Meter every 10 s, offset by 5 s: [5,15], [15,25], ..., [325,335].
    # [25,35] holds 0.010 kWh, [325,335] 0.002 kWh, all others 0.005 kWh.
    for start in range(5, 335, 10):
        kwh = {25: 0.010, 325: 0.002}.get(start, 0.005)
        win.add_electricity(at(start), at(start + 10), kwh)
    # Evaluated at the heat pump poll t = 330 s: window [30, 330], fully covered by both.
    # Heat: [0,30] ends at the window start (0 s inside); [30,60]..[300,330] = 10 × 0.040 = 0.400
    # Electricity: [25,35] 5 of 10 s inside → 0.010 × 0.5 = 0.005
    #              [35,45]..[315,325]: 29 full segments × 0.005 = 0.145
    #              [325,335] 5 of 10 s inside → 0.002 × 0.5 = 0.001
    #              total 0.151 kWh
    # COP = 0.400 / 0.151 = 2.649007
    sums = win.sums(at(330))
    assert sums.heat_kwh == pytest.approx(0.400)
    assert sums.electrical_kwh == pytest.approx(0.151)
    assert sums.covered_s == pytest.approx(300.0)
    assert win.cop(at(330)) == pytest.approx(0.400 / 0.151)
    assert win.cop(at(330)) == pytest.approx(2.649007, abs=1e-6)


def test_ratio_of_sums_not_mean_of_ratios() -> None:
    win = CopWindow()
    # First half: 0.5 kWh heat / 0.1 kWh electricity (COP 5);
    # second half: 0.3 / 0.15 (COP 2). Mean of ratios would be 3.5.
    win.add_heat(at(0), at(150), 0.5)
    win.add_electricity(at(0), at(150), 0.1)
    win.add_heat(at(150), at(300), 0.3)
    win.add_electricity(at(150), at(300), 0.15)
    # (0.5 + 0.3) / (0.1 + 0.15) = 0.8 / 0.25 = 3.2
    assert win.cop(at(300)) == pytest.approx(3.2)


def test_only_time_covered_by_heat_counts() -> None:
    win = CopWindow()
    # Heat data only from 180 s on (e.g. the heat pump source just started):
    # [180,210], ..., [300,330], 5 × 0.05 kWh
    for start in range(180, 330, 30):
        win.add_heat(at(start), at(start + 30), 0.05)
    # Meter the whole time: 3600 W (0.010 kWh / 10 s) until 180 s, 1800 W (0.005) after.
    for start in range(0, 330, 10):
        win.add_electricity(at(start), at(start + 10), 0.010 if start < 180 else 0.005)
    # Window [30, 330], heat covers [180, 330] → 150 s in common.
    # Heat 5 × 0.05 = 0.25; electricity in [180,330]: 15 × 0.005 = 0.075
    # COP = 0.25 / 0.075 = 3.3333 (using all of the window's electricity, 0.225, would give 1.11)
    assert win.sums(at(330)).covered_s == pytest.approx(150.0)
    assert win.cop(at(330)) == pytest.approx(0.25 / 0.075)


def test_threshold_means_compressor_off() -> None:
    # 0.0035 kWh in 300 s = 42 W average < 48 W → None
    off = CopWindow(window_s=300.0, min_electrical_kwh=0.004)
    off.add_heat(at(0), at(300), 0.01)
    off.add_electricity(at(0), at(300), 0.0035)
    assert off.cop(at(300)) is None
    # 0.0045 kWh in 300 s = 54 W ≥ 48 W → 0.01 / 0.0045 = 2.2222
    on = CopWindow(window_s=300.0, min_electrical_kwh=0.004)
    on.add_heat(at(0), at(300), 0.01)
    on.add_electricity(at(0), at(300), 0.0045)
    assert on.cop(at(300)) == pytest.approx(2.222222, abs=1e-6)
    # Threshold scales with the covered time: 150 s covered, 0.0025 kWh = 60 W ≥ 48 W
    half = CopWindow(window_s=300.0, min_electrical_kwh=0.004)
    half.add_heat(at(150), at(300), 0.006)
    half.add_electricity(at(150), at(300), 0.0025)
    assert half.cop(at(300)) == pytest.approx(0.006 / 0.0025)


def test_no_heat_data_means_unknown() -> None:
    win = CopWindow()
    win.add_electricity(at(0), at(300), 0.1)
    assert win.cop(at(300)) is None
    # Heat that ended before the window does not cover it either.
    win.add_heat(at(-400), at(-370), 0.05)
    assert win.cop(at(300)) is None


def test_old_segments_are_pruned_and_state_round_trips() -> None:
    win = CopWindow(window_s=300.0)
    for start in range(0, 3000, 30):
        win.add_heat(at(start), at(start + 30), 0.04)
        win.add_electricity(at(start), at(start + 30), 0.01)
    # retention 2 × 300 s: only segments ending at or after 3000 − 600 = 2400 s remain
    assert len(win.heat_segments) == 21
    assert min(s.end for s in win.electricity_segments) == at(2400)
    restored = CopWindow.from_dict(json.loads(json.dumps(win.to_dict())))
    # 10 segments × 0.04 / (10 × 0.01) = 4.0
    assert restored.cop(at(3000)) == pytest.approx(4.0)
    assert restored.cop(at(3000)) == win.cop(at(3000))
