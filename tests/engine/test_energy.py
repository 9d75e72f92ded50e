"""Known answers for the trapezoid integrator and the counter tracker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

import pytest

from custom_components.heatpump_stats.engine.energy import (
    CounterOrPowerIntegrator,
    CounterTracker,
    PowerIntegrator,
)

T0 = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_trapezoid_known_answer_in_watts() -> None:
    integ = PowerIntegrator(max_gap_s=150.0)
    assert integ.add_w(at(0), 2000.0).kwh == 0.0  # first sample: nothing yet
    inc = integ.add_w(at(30), 4000.0)
    # (2000 W + 4000 W)/2 = 3000 W × 30/3600 h = 0.025 kWh
    assert inc.kwh == pytest.approx(0.025)
    assert inc.start == at(0)
    assert inc.bridged is True


def test_trapezoid_in_kw_may_be_negative() -> None:
    integ = PowerIntegrator(max_gap_s=150.0)
    integ.add(at(0), 6.0)
    # (6 kW + (−3 kW))/2 = 1.5 kW × 60/3600 h = 0.025 kWh
    assert integ.add(at(60), -3.0).kwh == pytest.approx(0.025)
    # (−3 − 3)/2 = −3 kW × 30/3600 h = −0.025 kWh
    assert integ.add(at(90), -3.0).kwh == pytest.approx(-0.025)


def test_gap_longer_than_limit_is_not_bridged() -> None:
    integ = PowerIntegrator(max_gap_s=150.0)
    integ.add(at(0), 2.0)
    # 2 kW × 30 s = 0.016667 kWh
    assert integ.add(at(30), 2.0).kwh == pytest.approx(2.0 * 30 / 3600)
    # 200 s > 150 s: not bridged, chain restarts here
    gap = integ.add(at(230), 2.0)
    assert gap.kwh == 0.0
    assert gap.start is None
    assert gap.bridged is False
    # exactly 150 s is still bridged: 2 kW × 150/3600 h = 0.083333 kWh
    inc = integ.add(at(380), 2.0)
    assert inc.kwh == pytest.approx(2.0 * 150 / 3600)
    assert inc.start == at(230)


def test_none_sample_breaks_the_chain() -> None:
    integ = PowerIntegrator(max_gap_s=150.0)
    integ.add(at(0), 1.0)
    assert integ.add(at(30), None).kwh == 0.0
    assert integ.add(at(60), 1.0).kwh == 0.0  # restarts at 60
    # 1 kW × 30/3600 h = 0.008333 kWh
    assert integ.add(at(90), 1.0).kwh == pytest.approx(1.0 * 30 / 3600)


def test_duplicate_and_out_of_order_samples_are_ignored() -> None:
    integ = PowerIntegrator(max_gap_s=150.0)
    integ.add(at(0), 1.0)
    integ.add(at(30), 1.0)
    assert integ.add(at(30), 99.0).kwh == 0.0
    assert integ.add(at(10), 99.0).kwh == 0.0
    # continues from (30 s, 1 kW): 1 kW × 30 s = 0.008333
    assert integ.add(at(60), 1.0).kwh == pytest.approx(30 / 3600)


def test_counter_with_reset_known_answer() -> None:
    counter = CounterTracker(max_gap_s=50.0)
    values = [100.0, 100.5, 0.2, 0.7]
    incs = [counter.add(at(10 * i), v).kwh for i, v in enumerate(values)]
    # first 0; 100.5 − 100.0 = 0.5; reset → 0.2 (the new value itself); 0.7 − 0.2 = 0.5
    assert incs == pytest.approx([0.0, 0.5, 0.2, 0.5])
    assert sum(incs) == pytest.approx(1.2)
    assert all(i >= 0.0 for i in incs)


def test_counter_jitter_is_not_a_reset() -> None:
    counter = CounterTracker()
    counter.add(at(0), 50.0)
    # 49.995 is 0.005 below 50.0 ≤ max(0.01, 0.1 % × 50 = 0.05): jitter, 0 booked
    assert counter.add(at(10), 49.995).kwh == 0.0
    # reference stays 50.0: 50.1 − 50.0 = 0.1 (not 0.105)
    assert counter.add(at(20), 50.1).kwh == pytest.approx(0.1)


def test_counter_never_negative_on_big_drop() -> None:
    counter = CounterTracker()
    counter.add(at(0), 12345.6)
    # drop far beyond the tolerance (12.3456 kWh): a reset, booked as the new value
    inc = counter.add(at(10), 3.0)
    assert inc.kwh == pytest.approx(3.0)
    assert counter.add(at(20), 3.25).kwh == pytest.approx(0.25)


def test_counter_that_stays_none() -> None:
    counter = CounterTracker()
    for i in range(5):
        inc = counter.add(at(10 * i), None)
        assert inc.kwh == 0.0
        assert inc.start is None
    assert counter.has_reference is False
    assert counter.add(at(60), 7.0).kwh == 0.0  # first real value only seeds
    assert counter.add(at(70), 7.5).kwh == pytest.approx(0.5)


def test_counter_none_in_between_keeps_reference_and_long_gap_is_counted() -> None:
    counter = CounterTracker(max_gap_s=50.0)
    counter.add(at(0), 10.0)
    assert counter.add(at(10), None).kwh == 0.0
    inc = counter.add(at(20), 10.3)
    # 10.3 − 10.0 = 0.3 over [0 s, 20 s], 20 s ≤ 50 s → bridged
    assert inc.kwh == pytest.approx(0.3)
    assert inc.start == at(0)
    assert inc.bridged is True
    # 400 s later: counted (the counter is the truth) but marked not bridged
    gap = counter.add(at(420), 11.0)
    assert gap.kwh == pytest.approx(0.7)
    assert gap.bridged is False


def test_counter_or_power_no_double_counting() -> None:
    acc = CounterOrPowerIntegrator(max_gap_s=50.0)
    assert acc.add(at(0), 3.6, 100.0).kwh == 0.0
    # counter: 100.01 − 100.0 = 0.01
    assert acc.add(at(10), 3.6, 100.01).kwh == pytest.approx(0.01)
    # counter missing: trapezoid 3.6 kW × 10/3600 h = 0.01; counter reference dropped
    assert acc.add(at(20), 3.6, None).kwh == pytest.approx(0.01)
    # counter back (100.03): re-seeded, the interval comes from the trapezoid = 0.01 —
    # not 100.03 − 100.01 = 0.02, which would count [10 s, 20 s] twice
    assert acc.add(at(30), 3.6, 100.03).kwh == pytest.approx(0.01)
    assert acc.add(at(40), 3.6, 100.04).kwh == pytest.approx(0.01)


def test_integrators_round_trip_through_json() -> None:
    integ = PowerIntegrator(max_gap_s=150.0)
    integ.add(at(0), 2.0)
    restored = PowerIntegrator.from_dict(json.loads(json.dumps(integ.to_dict())))
    # (2 + 4)/2 = 3 kW × 30/3600 h = 0.025 kWh
    assert restored.add(at(30), 4.0).kwh == pytest.approx(0.025)

    counter = CounterTracker(max_gap_s=50.0)
    counter.add(at(0), 5.0)
    restored_c = CounterTracker.from_dict(json.loads(json.dumps(counter.to_dict())))
    assert restored_c.add(at(10), 5.2).kwh == pytest.approx(0.2)

    acc = CounterOrPowerIntegrator(max_gap_s=50.0)
    acc.add(at(0), 1.0, None)
    restored_a = CounterOrPowerIntegrator.from_dict(json.loads(json.dumps(acc.to_dict())))
    assert restored_a.max_gap_s == 50.0
    assert restored_a.add(at(36), 1.0, None).kwh == pytest.approx(0.01)
