"""The hard Viessmann call budget: known answers with a fake clock, and a property check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import math
import random
import threading

import pytest

from custom_components.heatpump_stats.model.api_rate_limit import BudgetExceeded, CallBudget

T0 = datetime(2026, 1, 10, 8, 0, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
BURST = timedelta(minutes=10)


def _book(budget: CallBudget, start: datetime, count: int, step: timedelta) -> list[datetime]:
    times = [start + i * step for i in range(count)]
    for ts in times:
        budget.acquire(ts)
    return times


def test_exactly_daily_limit_calls_in_24h_then_retry_at_first_plus_24h() -> None:
    budget = CallBudget(daily_limit=1450)
    # 1450 calls 30 s apart (12 h 05 min): 5 per 2.5 min, far below the burst limit.
    times = _book(budget, T0, 1450, timedelta(seconds=30))
    after_last = times[-1] + timedelta(seconds=30)
    assert budget.available(after_last) == 0

    with pytest.raises(BudgetExceeded) as exc:
        budget.acquire(after_last)
    assert exc.value.retry_at == T0 + DAY
    assert budget.next_allowed(after_last) == T0 + DAY
    # Refused calls are not booked: one second before the first call leaves, still no.
    with pytest.raises(BudgetExceeded):
        budget.acquire(T0 + DAY - timedelta(seconds=1))
    assert budget.used(T0 + DAY - timedelta(seconds=1)) == 1450
    # At first call + 24 h exactly one slot is free again.
    assert budget.available(T0 + DAY) == 1
    budget.acquire(T0 + DAY)
    with pytest.raises(BudgetExceeded) as exc:
        budget.acquire(T0 + DAY)
    assert exc.value.retry_at == times[1] + DAY


def test_burst_limit_120_per_10_minutes() -> None:
    budget = CallBudget()
    times = _book(budget, T0, 120, timedelta(seconds=1))
    assert budget.available(times[-1]) == 0
    with pytest.raises(BudgetExceeded) as exc:
        budget.acquire(T0 + timedelta(seconds=120))
    assert exc.value.retry_at == T0 + BURST
    assert "burst" in str(exc.value)
    # The daily budget is untouched by the refusal: 1450 - 120 left once the burst passes.
    assert budget.available(T0 + BURST) == 1
    assert budget.available(T0 + BURST + timedelta(seconds=119)) == 120
    budget.acquire(T0 + BURST)
    assert budget.used(T0 + BURST) == 121


def test_windows_slide_they_are_not_calendar_days() -> None:
    budget = CallBudget(daily_limit=10, burst_limit=10)
    evening = datetime(2026, 1, 10, 23, 0, tzinfo=UTC)
    _book(budget, evening, 10, timedelta(seconds=60))
    # A calendar-day budget would start afresh at midnight; the sliding one does not.
    after_midnight = datetime(2026, 1, 11, 0, 30, tzinfo=UTC)
    with pytest.raises(BudgetExceeded) as exc:
        budget.acquire(after_midnight)
    assert exc.value.retry_at == evening + DAY
    budget.acquire(evening + DAY)


def test_retry_at_counts_the_calls_that_must_leave() -> None:
    budget = CallBudget(daily_limit=5, burst_limit=5)
    times = [T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2)]
    for ts in times:
        budget.acquire(ts)
    budget.acquire(T0 + timedelta(hours=3))
    budget.acquire(T0 + timedelta(hours=3))
    budget.set_daily_limit(3)  # now 5 booked > 3: 3 calls must leave before one fits
    now = T0 + timedelta(hours=4)
    assert budget.available(now) == 0
    assert budget.next_allowed(now) == times[2] + DAY
    assert budget.available(times[2] + DAY) == 1


def test_persistence_round_trip_keeps_the_limits_across_a_restart() -> None:
    budget = CallBudget(daily_limit=100, burst_limit=100)
    _book(budget, T0 - timedelta(hours=30), 20, timedelta(minutes=1))  # older than 24 h
    times = _book(budget, T0, 100, timedelta(minutes=5))
    budget.block_until(T0 + timedelta(hours=20))
    now = times[-1] + timedelta(minutes=1)
    stored = json.loads(json.dumps(budget.to_dict(now)))  # what HA's Store writes

    assert stored["calls"] == [int(ts.timestamp()) for ts in times]  # compact, last 24 h only
    assert all(isinstance(t, int) for t in stored["calls"])

    restored = CallBudget.from_dict(stored, daily_limit=100, burst_limit=100)
    assert restored.blocked_until == T0 + timedelta(hours=20)
    with pytest.raises(BudgetExceeded) as exc:
        restored.acquire(T0 + timedelta(hours=21))
    assert exc.value.retry_at == T0 + DAY  # the first of the 100 leaves
    assert restored.used(now) == 100
    restored.acquire(T0 + DAY)


def test_fractional_seconds_are_booked_late_never_early() -> None:
    budget = CallBudget(daily_limit=1, burst_limit=1)
    first = T0 + timedelta(milliseconds=300)
    budget.acquire(first)
    restored = CallBudget.from_dict(budget.to_dict(), daily_limit=1, burst_limit=1)
    for b in (budget, restored):
        with pytest.raises(BudgetExceeded) as exc:
            b.acquire(first + DAY - timedelta(milliseconds=1))
        assert exc.value.retry_at == T0 + timedelta(seconds=1) + DAY
        assert exc.value.retry_at >= first + DAY


def test_from_dict_tolerates_damaged_data() -> None:
    assert CallBudget.from_dict(None).available(T0) == 120
    budget = CallBudget.from_dict(
        {"calls": ["x", None, True, float("nan"), int(T0.timestamp())], "blocked_until": "soon"},
        daily_limit=1,
    )
    assert budget.blocked_until is None
    assert budget.used(T0) == 1
    with pytest.raises(BudgetExceeded):
        budget.acquire(T0 + timedelta(hours=1))


def test_two_entries_share_one_budget() -> None:
    shared = CallBudget(daily_limit=10, burst_limit=10)
    entry_a, entry_b = shared, shared  # two config entries of one account hold the same object
    granted = {"a": 0, "b": 0}
    now = T0
    for _ in range(20):
        for name, budget in (("a", entry_a), ("b", entry_b)):
            try:
                budget.acquire(now)
            except BudgetExceeded:
                continue
            granted[name] += 1
        now += timedelta(minutes=2)
    assert granted == {"a": 5, "b": 5}
    assert shared.used(now) == 10


def test_concurrent_acquire_never_exceeds_the_limit() -> None:
    budget = CallBudget(daily_limit=1450, burst_limit=120)
    granted: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(100):
            try:
                budget.acquire(T0)
            except BudgetExceeded:
                continue
            with lock:
                granted.append(1)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(granted) == 120
    assert budget.used(T0) == 120


def test_block_until_is_honoured_and_never_shortened() -> None:
    budget = CallBudget()
    until = T0 + timedelta(hours=3)
    budget.block_until(until)
    budget.block_until(T0 + timedelta(hours=1))  # an earlier reset does not lift it
    assert budget.blocked_until == until
    assert budget.available(T0) == 0
    assert budget.next_allowed(T0) == until
    with pytest.raises(BudgetExceeded) as exc:
        budget.acquire(until - timedelta(seconds=1))
    assert exc.value.retry_at == until
    assert budget.used(until) == 0
    budget.acquire(until)
    assert budget.blocked_until is None
    assert budget.available(until) == 119


@pytest.mark.parametrize(
    ("daily", "burst", "calls_per_poll", "minimum_s", "expected_s"),
    [
        # 1450 × 0.9 = 1305 polls per 24 h: 86400 / 1305 = 66.2 s -> 67 s.
        (1450, 120, 1, 60, 67),
        # Two heat pumps on one account, one call each per round: 172800 / 1305 = 132.4 -> 133.
        (1450, 120, 2, 60, 133),
        # The 5-minute poll of the plan: 86400 / 300 s = 288 polls, well inside.
        (320, 120, 1, 300, 300),
        # A small budget: 100 × 0.9 = 90 polls: 86400 / 90 = 960 s.
        (100, 120, 1, 60, 960),
        # A huge daily budget: the floor (`minimum`) wins.
        (1_000_000, 1_000_000, 1, 60, 60),
        # The burst limit binds: 10 × 0.9 = 9 polls per 600 s = 66.7 s -> 67 s.
        (1_000_000, 10, 1, 1, 67),
    ],
)
def test_poll_interval_arithmetic(
    daily: int, burst: int, calls_per_poll: int, minimum_s: int, expected_s: int
) -> None:
    budget = CallBudget(daily_limit=daily, burst_limit=burst)
    interval = budget.poll_interval(calls_per_poll, minimum=timedelta(seconds=minimum_s))
    assert interval == timedelta(seconds=expected_s)
    # Polling at that interval uses at most 90 % of the daily limit.
    assert DAY / interval * calls_per_poll <= daily * 0.9


def test_poll_interval_follows_the_configured_limit() -> None:
    budget = CallBudget()
    budget.set_daily_limit(725)  # half: 652 polls -> 132.5 s -> 133 s
    assert budget.poll_interval(1) == timedelta(seconds=133)
    with pytest.raises(ValueError, match="calls_per_poll"):
        budget.poll_interval(0)
    with pytest.raises(ValueError, match="daily_limit"):
        budget.set_daily_limit(0)


def _violations(accepted: list[datetime], window: timedelta, limit: int) -> list[datetime]:
    """Starts of windows [t, t + window) holding more than `limit` accepted calls.

    Every window's count is at most that of the window starting at its first
    call, so checking the windows that start at a call checks all windows.
    """
    bad = []
    j = 0
    for i, start in enumerate(accepted):
        j = max(j, i)
        while j < len(accepted) and accepted[j] < start + window:
            j += 1
        if j - i > limit:
            bad.append(start)
    return bad


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_random_attempts_over_48h_never_exceed_any_sliding_window(seed: int) -> None:
    rng = random.Random(seed)
    daily, burst = 300, 40
    budget = CallBudget(daily_limit=daily, burst_limit=burst)
    accepted: list[datetime] = []
    refused = 0
    now = T0
    end = T0 + timedelta(hours=48)
    while now < end:
        # Mostly steady polling, sometimes a storm of retries, sometimes a 429 block.
        roll = rng.random()
        if roll < 0.02:
            now += timedelta(seconds=rng.uniform(0, 5))
        elif roll < 0.025:
            budget.block_until(now + timedelta(minutes=rng.uniform(1, 90)))
        else:
            now += timedelta(seconds=rng.expovariate(1 / 240))
        # Occasionally a restart: persist and restore.
        if rng.random() < 0.003:
            budget = CallBudget.from_dict(
                json.loads(json.dumps(budget.to_dict(now))), daily_limit=daily, burst_limit=burst
            )
        if rng.random() < 0.3:
            now += timedelta(microseconds=rng.randrange(1_000_000))
        blocked = budget.blocked_until
        retry_at: datetime | None = None
        try:
            budget.acquire(now)
        except BudgetExceeded as err:
            retry_at = err.retry_at
        if retry_at is not None:
            refused += 1
            # A refusal is justified: blocked, or a limit is really full (booked seconds).
            booked = [math.ceil(t.timestamp()) for t in accepted]
            ts = now.timestamp()
            full_day = sum(1 for t in booked if t > ts - DAY.total_seconds()) >= daily
            full_burst = sum(1 for t in booked if t > ts - BURST.total_seconds()) >= burst
            assert (blocked is not None and now < blocked) or full_day or full_burst
            assert retry_at > now
            continue
        assert blocked is None or now >= blocked
        accepted.append(now)

    assert refused > 0
    assert len(accepted) > daily  # the limits were actually exercised
    assert _violations(accepted, DAY, daily) == []
    assert _violations(accepted, BURST, burst) == []
