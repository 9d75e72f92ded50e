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
    p.add(local(2025, 3, 21, 11), 5.0)  # today so far
    now = local(2025, 3, 21, 12)  # = 11:00 UTC
    # Consumed since 1 Jan: 1 + 2 + ... + 20 = 210, + 5 today = 215
    # Last 14 complete days: 7..20 March → (7 + 20) × 14 / 2 = 189 → 13.5 kWh/day
    # Remaining: 2025-03-21 11:00Z → 2026-01-01 00:00 CET = 2025-12-31 23:00Z
    #   day-of-year 365 − 80 = 285 days (to 12-31 11:00Z) + 12 h = 285.5 days
    # Projection = 215 + 13.5 × 285.5 = 215 + 3854.25 = 4069.25 kWh
    assert p.average_daily(now) == pytest.approx(13.5)
    assert p.projected_annual_energy(now) == pytest.approx(4069.25)


def test_projection_ignores_the_partial_first_day() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 3, 1, 15), 0.0)  # data starts 15:00: 1 March is incomplete
    p.add(local(2025, 3, 1, 20), 100.0)
    p.add(local(2025, 3, 2, 12), 10.0)
    p.add(local(2025, 3, 3, 12), 20.0)
    p.add(local(2025, 3, 4, 12), 30.0)
    p.add(local(2025, 3, 5, 11), 6.0)
    now = local(2025, 3, 5, 12)  # 11:00 UTC
    # Complete days 2..4 March: (10 + 20 + 30)/3 = 20 kWh/day
    # Consumed: 100 + 60 + 6 = 166; remaining (365 − 64) = 301 days + 12 h = 301.5
    # Projection = 166 + 20 × 301.5 = 6196
    assert p.projected_annual_energy(now) == pytest.approx(6196.0)


def test_projection_extrapolates_the_first_day() -> None:
    p = EnergyPeriods(BERLIN)
    p.add(local(2025, 6, 10, 8), 0.0)  # first sample 08:00 local (06:00Z)
    p.add(local(2025, 6, 10, 14), 3.0, start=local(2025, 6, 10, 13))
    # Less than an hour of data → unknown
    assert p.projected_annual_energy(local(2025, 6, 10, 8, 59)) is None
    now = local(2025, 6, 10, 14)  # 12:00Z, 6 h of data
    # No complete day: 3 kWh / 6 h × 24 h = 12 kWh/day
    # Remaining: 2025-06-10 12:00Z → 2025-12-31 23:00Z = (365 − 161) days + 11 h
    #   = 204.458333 days; projection = 3 + 12 × 204.458333 = 2456.5 kWh
    assert p.average_daily(now) == pytest.approx(12.0)
    assert p.projected_annual_energy(now) == pytest.approx(2456.5)


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
