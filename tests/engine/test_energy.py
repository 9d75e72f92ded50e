"""Known answers for the trapezoid integrator and the counter tracker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import logging

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
    """A true reset: a fall to near zero, confirmed by the readings that follow.

    Samples every 10 s: 100.0, 100.5, then the counter restarts: 0.2, 0.4, 0.7.
    0.2 ≤ bound(10 s) = 50 kW × 10/3600 h + 1 kWh = 1.139 kWh, so it is a
    reset; nothing is booked until three samples agree (0.2, 0.4, 0.7), then
    the energy since zero, 0.7, is booked at once: 0.5 + 0.7 = 1.2 kWh in all.
    """
    counter = CounterTracker(max_gap_s=50.0)
    values = [100.0, 100.5, 0.2, 0.4, 0.7, 0.9]
    incs = [counter.add(at(10 * i), v).kwh for i, v in enumerate(values)]
    assert incs == pytest.approx([0.0, 0.5, 0.0, 0.0, 0.7, 0.2])
    assert sum(incs) == pytest.approx(1.4)
    assert all(i >= 0.0 for i in incs)
    # The mirrored value continues: 100.5 before, + 0.7 + 0.2 → 101.4; the raw reading is 0.9.
    assert counter.shown == pytest.approx(101.4)
    assert counter.last_value == pytest.approx(0.9)


def test_counter_jitter_is_not_a_reset() -> None:
    counter = CounterTracker()
    counter.add(at(0), 50.0)
    # 49.995 is 0.005 below 50.0 ≤ max(0.01, 0.1 % × 50 = 0.05): jitter, 0 booked
    assert counter.add(at(10), 49.995).kwh == 0.0
    # reference stays 50.0: 50.1 − 50.0 = 0.1 (not 0.105)
    assert counter.add(at(20), 50.1).kwh == pytest.approx(0.1)


def test_counter_never_negative_on_big_drop() -> None:
    """A fall to 3.0 kWh is no reset (3.0 > bound(10 s) = 1.139 kWh): nothing is booked."""
    counter = CounterTracker()
    counter.add(at(0), 12345.6)
    assert counter.add(at(10), 3.0).kwh == 0.0
    assert counter.add(at(20), 3.25).kwh == 0.0
    assert counter.shown == pytest.approx(12345.6)


def test_spike_once_is_rejected_and_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    """A Shelly reporting 1e15 Wh = 1e12 kWh once: not a kWh of it is booked.

    10 s after 1000.0 kWh, at most 50 kW × 10/3600 h + 1 kWh = 1.139 kWh fit.
    The next reading (1000.02, 20 s after the reference) is plausible: 0.02 kWh.
    """
    counter = CounterTracker(name="meter")
    counter.add(at(0), 1000.0)
    with caplog.at_level(logging.INFO):
        assert counter.add(at(10), 1e12).kwh == 0.0
        assert counter.add(at(20), 1000.02).kwh == pytest.approx(0.02)
        assert counter.add(at(30), 1e12).kwh == 0.0  # again: not logged again above debug
        assert counter.add(at(40), 1000.04).kwh == pytest.approx(0.02)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "implausible" in warnings[0].getMessage()
    assert counter.shown == pytest.approx(1000.04)


def test_dip_and_back_books_nothing_twice() -> None:
    """A counter that reads 10 % low for one poll and then correct (the 3000 kWh bug).

    30000.0 → 27000.0 (a dip: not near zero) → 30000.01: 0.01 kWh in all, not
    27000 (reset) + 3000.01 (the old rule).
    """
    counter = CounterTracker()
    counter.add(at(0), 30000.0)
    assert counter.add(at(10), 27000.0).kwh == 0.0
    assert counter.add(at(20), 30000.01).kwh == pytest.approx(0.01)
    assert counter.shown == pytest.approx(30000.01)


def test_dip_that_stays_an_hour_is_a_new_basis_without_the_jump() -> None:
    """A replacement meter that reads lower (5000 kWh after 30000 kWh).

    Held for DIP_CONFIRM_S (1 h) and CONFIRM_SAMPLES readings; then only the
    energy within the new meter's readings is booked: 5000 → 5002 = 2 kWh at
    the first reading after an hour, and the shown total continues from
    30000 → 30002 (offset 25000).
    """
    counter = CounterTracker()
    counter.add(at(0), 30000.0)
    booked = [counter.add(at(60 * i), 5000.0 + 2.0 * (i - 1) / 60).kwh for i in range(1, 61)]
    assert sum(booked[:-1]) == 0.0
    # the 60th reading (3600 s after the first new one is at 60 s: not yet an hour) ...
    assert booked[-1] == 0.0
    inc = counter.add(at(3660), 5002.0)
    # ... the reading at 3660 s is an hour after the first (60 s): 5002 − 5000 = 2 kWh
    assert inc.kwh == pytest.approx(2.0)
    assert counter.shown == pytest.approx(30002.0)
    assert counter.offset == pytest.approx(25000.0)
    assert counter.add(at(3670), 5002.1).kwh == pytest.approx(0.1)


def test_replacement_meter_reading_higher_continues_without_the_jump() -> None:
    """A new meter at 40000 kWh after 1200 kWh: three agreeing readings, the jump is not booked.

    40000.0, 40000.01, 40000.02 confirm the new basis: booked 0.02 (within the
    chain); shown 1200.02, raw 40000.02.
    """
    counter = CounterTracker()
    counter.add(at(0), 1200.0)
    incs = [counter.add(at(10 * i), 40000.0 + 0.01 * (i - 1)).kwh for i in (1, 2, 3)]
    assert incs == pytest.approx([0.0, 0.0, 0.02])
    assert counter.shown == pytest.approx(1200.02)
    assert counter.last_value == pytest.approx(40000.02)


def test_bulk_counter_catching_up_is_booked() -> None:
    """A counter that updates once a day (40 kWh after 24 h still) is real energy.

    40 kWh after 10 s is implausible, but it fits the 24 h since the counter
    last moved (50 kW × 24 h = 1200 kWh): once confirmed it is booked in full.
    """
    counter = CounterTracker()
    counter.add(at(0), 500.0)
    for hour in range(1, 25):
        assert counter.add(at(3600 * hour - 10), 500.0).kwh == 0.0
    day = 86400
    incs = [counter.add(at(day + 10 * i), 540.0).kwh for i in range(3)]
    assert incs == pytest.approx([0.0, 0.0, 40.0])


def test_wrap_at_a_register_width() -> None:
    """A 16-bit kWh register wraps: 65535.5 → 0.3 is 0.5 + 0.3 = 0.8 kWh, not 0.3.

    65536 − 65535.5 = 0.5 kWh fits the room left by the bound:
    bound(10 s) = 1.139 kWh − 0.3 = 0.839 kWh ≥ 0.5.
    """
    counter = CounterTracker()
    counter.add(at(0), 65535.5)
    incs = [counter.add(at(10 * i), v).kwh for i, v in ((1, 0.3), (2, 0.31), (3, 0.32))]
    assert incs == pytest.approx([0.0, 0.0, 0.5 + 0.32])
    assert counter.shown == pytest.approx(65536.32)


def test_zero_glitch_is_not_a_reset() -> None:
    """One reading of 0 (a meter rebooting its API) and back: nothing booked twice."""
    counter = CounterTracker()
    counter.add(at(0), 30000.0)
    assert counter.add(at(10), 0.0).kwh == 0.0
    assert counter.add(at(20), 30000.03).kwh == pytest.approx(0.03)


def test_tracker_state_with_a_pending_chain_round_trips() -> None:
    """A chain being confirmed survives a restart (to_dict / from_dict)."""
    counter = CounterTracker()
    counter.add(at(0), 100.0)
    counter.add(at(10), 0.1)
    counter.add(at(20), 0.2)
    restored = CounterTracker.from_dict(json.loads(json.dumps(counter.to_dict())))
    # 0.1, 0.2, 0.3: a reset confirmed; the energy since zero is 0.3
    assert restored.add(at(30), 0.3).kwh == pytest.approx(0.3)
    assert restored.shown == pytest.approx(100.3)


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
