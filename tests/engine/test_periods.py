"""Known answers for local calendar periods and the annual projection (Europe/Berlin)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.heatpump_stats.engine.periods import (
    EnergyPeriods,
    local_midnight,
    season_start,
)

BERLIN = ZoneInfo("Europe/Berlin")


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def test_increment_is_booked_to_the_day_containing_its_end() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 1, 15, 23, 59, 50), 0.3, start=local(2025, 1, 15, 23, 59, 40))
    # 23:59:50 → 00:00:00: ends exactly at midnight → still the 15th (used on the 15th)
    p.add(local(2025, 1, 16, 0, 0, 0), 0.5, start=local(2025, 1, 15, 23, 59, 50))
    # 23:59:55 → 00:00:05 straddles midnight: its end is on the 16th → the 16th
    p.add(local(2025, 1, 16, 0, 0, 5), 0.7, start=local(2025, 1, 15, 23, 59, 55))
    assert p.day(date(2025, 1, 15)) == pytest.approx(0.8)  # 0.3 + 0.5
    assert p.day(date(2025, 1, 16)) == pytest.approx(0.7)
    # 2025-01-16 00:00 CET is 2025-01-15 23:00 UTC: the UTC date does not decide
    assert local(2025, 1, 16).astimezone(UTC).date() == date(2025, 1, 15)


def _hourly(p: EnergyPeriods, first_utc: datetime, last_utc: datetime) -> None:
    ts = first_utc
    while ts <= last_utc:
        p.add(ts, 1.0, start=ts - timedelta(hours=1))
        ts += timedelta(hours=1)


def test_dst_days_have_23_and_25_hours() -> None:
    p = EnergyPeriods(BERLIN)
    # 1 kWh per hour, increments ending on every UTC hour
    _hourly(p, datetime(2025, 3, 29, 0, tzinfo=UTC), datetime(2025, 4, 1, 0, tzinfo=UTC))
    _hourly(p, datetime(2025, 10, 25, 0, tzinfo=UTC), datetime(2025, 10, 28, 0, tzinfo=UTC))
    # Spring forward (2025-03-30): 23 h → 23 kWh; the days around it have 24
    assert p.day(date(2025, 3, 29)) == pytest.approx(24.0)
    assert p.day(date(2025, 3, 30)) == pytest.approx(23.0)
    assert p.day(date(2025, 3, 31)) == pytest.approx(24.0)
    # Fall back (2025-10-26): 25 h → 25 kWh
    assert p.day(date(2025, 10, 26)) == pytest.approx(25.0)
    assert p.day(date(2025, 10, 27)) == pytest.approx(24.0)
    # Fed only up to 12:00 local on the DST day: 12 h on the wall clock, but
    # 00:00 CET → 12:00 CEST is 11 h → 11 increments so far (the one ending at
    # 00:00 CET = 23:00Z belongs to the 29th)
    q = EnergyPeriods(BERLIN)
    _hourly(q, datetime(2025, 3, 29, 23, tzinfo=UTC), datetime(2025, 3, 30, 10, tzinfo=UTC))
    assert q.totals(local(2025, 3, 30, 12)).today == pytest.approx(11.0)


def test_midnight_rollover_resets_today_without_new_energy() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 6, 10, 22, 0), 4.0, start=local(2025, 6, 10, 21, 0))
    assert p.totals(local(2025, 6, 10, 23, 59, 59)).today == pytest.approx(4.0)
    after = p.totals(local(2025, 6, 11, 0, 0, 1))
    assert after.today == 0.0
    assert after.week == pytest.approx(4.0)  # Tue 10th and Wed 11th share an ISO week
    assert after.month == pytest.approx(4.0)


def test_week_rolls_over_on_monday() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 6, 14, 12), 2.0)  # Saturday
    p.add(local(2025, 6, 15, 12), 3.0)  # Sunday
    sunday = p.totals(local(2025, 6, 15, 23, 30))
    assert sunday.week == pytest.approx(5.0)
    monday = p.totals(local(2025, 6, 16, 0, 0, 1))  # 2025-06-16 is a Monday
    assert monday.today == 0.0
    assert monday.week == 0.0
    assert monday.month == pytest.approx(5.0)
    assert monday.year == pytest.approx(5.0)


def test_year_rollover_keeps_the_iso_week() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 12, 28, 12), 7.0)  # Sunday of the previous ISO week
    p.add(local(2025, 12, 29, 12), 1.0)  # Monday
    p.add(local(2025, 12, 31, 12), 2.0)  # Wednesday
    p.add(local(2026, 1, 1, 0, 30), 0.5)  # Thursday, new year
    t = p.totals(local(2026, 1, 1, 1, 0))
    assert t.today == pytest.approx(0.5)
    # ISO week Mon 2025-12-29 .. : 1.0 + 2.0 + 0.5 = 3.5 (the 28th is last week)
    assert t.week == pytest.approx(3.5)
    assert t.month == pytest.approx(0.5)
    assert t.year == pytest.approx(0.5)
    t_old = p.totals(local(2025, 12, 31, 23, 0))
    # 2025: 7 + 1 + 2 = 10
    assert t_old.year == pytest.approx(10.0)


def test_projection_with_complete_days_worked_by_hand() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 3, 1, 0, 0), 0.0)  # data starts 2025-03-01 00:00 local
    for day in range(1, 21):  # 1..20 March: day N consumes N kWh
        p.add(local(2025, 3, day, 12), float(day))
    p.add(local(2025, 3, 21, 11), 5.0)  # today so far: not used
    now = local(2025, 3, 21, 12)
    # Complete days: 1..20 March, 1 + 2 + ... + 20 = 210 kWh known
    # Running rate: last 14 complete days 7..20 → (7 + 20) × 14 / 2 = 189 → 13.5 kWh/day
    # Projection = 210 + 13.5 × (365 − 20) = 210 + 4657.5 = 4867.5 kWh
    assert p.average_daily(now) == pytest.approx(13.5)
    assert p.projected_annual_energy(now) == pytest.approx(4867.5)


def test_projection_ignores_the_partial_first_day() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 3, 1, 15), 0.0)  # data starts 15:00: 1 March is incomplete
    p.add(local(2025, 3, 1, 20), 100.0)
    p.add(local(2025, 3, 2, 12), 10.0)
    p.add(local(2025, 3, 3, 12), 20.0)
    p.add(local(2025, 3, 4, 12), 30.0)
    p.add(local(2025, 3, 5, 11), 6.0)
    now = local(2025, 3, 5, 12)
    # Complete days 2..4 March: 60 kWh known, (10 + 20 + 30)/3 = 20 kWh/day
    # Projection = 60 + 20 × (365 − 3) = 7300 kWh (the partial 1 March and today are out)
    assert p.projected_annual_energy(now) == pytest.approx(7300.0)


def test_no_projection_before_a_complete_day() -> None:
    """An hour after setup on 2 December (10.3 kWh/day running rate) the old rule said
    'energy since 1 January + rate × days left' = 0.43 + 10.3 × 29 ≈ 300 kWh: a year
    cannot be told from an hour. Unknown until the first complete local day."""
    p = EnergyPeriods(BERLIN)
    p.add(local(2026, 12, 2, 10), 0.0)
    p.add(local(2026, 12, 2, 11), 0.43, start=local(2026, 12, 2, 10))
    assert p.projected_annual_energy(local(2026, 12, 2, 11)) is None
    assert p.projected_annual_energy(local(2026, 12, 3, 9)) is None  # 2 Dec began before data
    # The first complete day, 3 December, used 24 × 0.43 = 10.32 kWh:
    p.add(local(2026, 12, 3, 23), 10.32)
    # On 4 December: 10.32 known + 10.32 × 364 = 10.32 × 365 = 3766.8 kWh
    assert p.projected_annual_energy(local(2026, 12, 4, 1)) == pytest.approx(3766.8)


def test_a_year_of_history_projects_its_own_season() -> None:
    """Two years at a seasonal rate (winter days 20 kWh, summer days 2 kWh): with a year of
    complete days the projection is the last 365 days' sum, whatever today's rate.
    From 2025-01-01: 1 Jan..31 Mar (90 d) winter, 1 Apr..30 Sep (183 d) summer, rest winter.
    On 2026-07-01 the last 365 complete days are 2025-07-01..2026-06-30:
    summer 2025-07-01..09-30 (92) + 2026-04-01..06-30 (91) = 183 × 2 = 366;
    winter 2025-10-01..2026-03-31 = 182 × 20 = 3640; projection 4006 kWh
    (the running rate alone would say 2 × 365 = 730)."""
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 1, 1, 0, 0), 0.0)
    d = date(2025, 1, 1)
    while d < date(2026, 7, 1):
        p.add(local(d.year, d.month, d.day, 12), 2.0 if 4 <= d.month <= 9 else 20.0)
        d += timedelta(days=1)
    assert p.projected_annual_energy(local(2026, 7, 1, 8)) == pytest.approx(4006.0)


def test_no_data_means_no_projection() -> None:
    assert EnergyPeriods(BERLIN).projected_annual_energy(local(2025, 6, 10, 12)) is None


def test_history_is_pruned_and_round_trips() -> None:
    p = EnergyPeriods(BERLIN, keep_days=400)
    d0 = date(2024, 1, 1)
    for n in range(500):
        d = d0 + timedelta(days=n)
        p.add(local(d.year, d.month, d.day, 12), 1.0)
    assert len(p.days) == 401  # newest day and the 400 before it
    restored = EnergyPeriods.from_dict(json.loads(json.dumps(p.to_dict())), BERLIN)
    now = local(2025, 5, 14, 13)
    assert restored.totals(now) == p.totals(now)
    assert restored.first_ts == p.first_ts


def test_season_start_and_local_midnight() -> None:
    assert season_start(date(2025, 6, 30), 7, 1) == date(2024, 7, 1)
    assert season_start(date(2025, 7, 1), 7, 1) == date(2025, 7, 1)
    assert season_start(date(2025, 3, 1), 2, 29) == date(2025, 2, 28)  # clamped
    assert season_start(date(2024, 3, 1), 2, 29) == date(2024, 2, 29)
    # 2025-03-31 00:00 CEST = 2025-03-30 22:00Z; the day before had 23 h
    assert local_midnight(date(2025, 3, 31), BERLIN) == datetime(2025, 3, 30, 22, tzinfo=UTC)
    span = local_midnight(date(2025, 3, 31), BERLIN) - local_midnight(date(2025, 3, 30), BERLIN)
    assert span == timedelta(hours=23)
