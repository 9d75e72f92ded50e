"""Energy per local calendar period (day, ISO week, month, year) and the annual projection.

Energy is kept as a per-local-day history (kWh per date, ~400 days). Every
period figure is a sum over that history, computed for the local date of
``now``; so a period rolls over (and reads 0) at its local boundary even when no
energy has arrived since.

Booking rule: an increment is booked to the local day that contains the *end*
of its interval. For booking, a local day is the interval (00:00, next 00:00]:
an interval ending exactly at local midnight belongs to the day that just ended
(its energy was used then), so increments ending on every full hour give each
day exactly its hours. A local day is 23 h or 25 h long on DST change days;
nothing assumes 24 h.

Local boundaries: day = local midnight, week = Monday 00:00 (ISO week), month =
the 1st 00:00, year = 1 January 00:00, all in the given ``tzinfo`` (zoneinfo
semantics). Absolute time spans are computed in UTC.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from custom_components.heatpump_stats.model.timeutil import as_utc, dt_from_json, dt_to_json

DEFAULT_KEEP_DAYS = 400
# Projection: the running rate is the mean of up to this many complete local days.
PROJECTION_DAYS = 14
# A year of operation, in local days.
DAYS_PER_YEAR = 365
SECONDS_PER_DAY = 86400.0
_EPSILON = timedelta(microseconds=1)
_HOUR = timedelta(hours=1)


def local_date(ts: datetime, tz: tzinfo) -> date:
    """The local calendar date of the instant `ts` in `tz`."""
    return as_utc(ts).astimezone(tz).date()


def booking_date(end: datetime, tz: tzinfo) -> date:
    """The local day an interval ending at `end` is booked to (midnight → the day before)."""
    return local_date(as_utc(end) - _EPSILON, tz)


def local_midnight(day: date, tz: tzinfo) -> datetime:
    """The instant (UTC) at which local `day` starts in `tz`."""
    return as_utc(datetime(day.year, day.month, day.day, tzinfo=tz))


def week_start(day: date) -> date:
    """Monday of the ISO week containing `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """First day of the month of `day`."""
    return day.replace(day=1)


def year_start(day: date) -> date:
    """1 January of the year of `day`."""
    return date(day.year, 1, 1)


def season_start(day: date, month: int, start_day: int) -> date:
    """The latest season start (month/start_day) on or before `day`.

    A day beyond the month's end (e.g. 29 February in a common year) is clamped
    to the month's last day.
    """

    def start_in(year: int) -> date:
        last = calendar.monthrange(year, month)[1]
        return date(year, month, min(start_day, last))

    this_year = start_in(day.year)
    return this_year if this_year <= day else start_in(day.year - 1)


@dataclass(frozen=True, slots=True)
class PeriodTotals:
    """Energy (kWh) booked in the current local day, ISO week, month and year."""

    today: float
    week: float
    month: float
    year: float


class EnergyPeriods:
    """Per-local-day energy history (kWh) with period sums and the annual projection."""

    def __init__(self, tz: tzinfo, keep_days: int = DEFAULT_KEEP_DAYS) -> None:
        """History in time zone `tz`, keeping `keep_days` days before the newest booked day."""
        self._tz = tz
        self.keep_days = keep_days
        self._days: dict[date, float] = {}
        self._first_ts: datetime | None = None

    @property
    def first_ts(self) -> datetime | None:
        """Start (UTC) of the first data: the first booked interval's start (or end)."""
        return self._first_ts

    @property
    def days(self) -> dict[date, float]:
        """Copy of the per-day history (local date -> kWh)."""
        return dict(sorted(self._days.items()))

    def add(self, end: datetime, kwh: float, start: datetime | None = None) -> None:
        """Book `kwh` (kWh) to the local day containing `end`.

        `start` (the interval start, if known) only matters for the very first
        booking: data is then taken to begin at `start` (else at `end`). Book
        a 0 kWh increment for a first sample to mark where the data begins.
        """
        end = as_utc(end)
        if self._first_ts is None:
            self._first_ts = as_utc(start) if start is not None else end
        day = booking_date(end, self._tz)
        self._days[day] = self._days.get(day, 0.0) + kwh
        oldest = day - timedelta(days=self.keep_days)
        for old in [d for d in self._days if d < oldest]:
            del self._days[old]

    def add_history(self, hours: Mapping[datetime, float]) -> float:
        """Book imported hours (hour start → kWh of that hour); return the kWh booked.

        Only hours that end at or before the first data are booked, so what was
        measured live is never counted twice; the data then begins at the
        earliest booked hour (its days count as complete for the projection).
        """
        first = self._first_ts
        booked = 0.0
        for start, kwh in sorted((as_utc(start), kwh) for start, kwh in hours.items()):
            end = start + _HOUR
            if first is not None and end > first:
                continue
            day = booking_date(end, self._tz)
            self._days[day] = self._days.get(day, 0.0) + kwh
            booked += kwh
            if self._first_ts is None or start < self._first_ts:
                self._first_ts = start
        if self._days:
            oldest = max(self._days) - timedelta(days=self.keep_days)
            for old in [d for d in self._days if d < oldest]:
                del self._days[old]
        return booked

    def has_day(self, day: date) -> bool:
        """Whether anything (even 0 kWh) was booked to local `day`."""
        return day in self._days

    def has_data_between(self, first: date, last: date) -> bool:
        """Whether anything was booked to a local day in [first, last]."""
        return any(first <= d <= last for d in self._days)

    def day(self, day: date) -> float:
        """Energy (kWh) booked to local `day` (0 when none)."""
        return self._days.get(day, 0.0)

    def total_between(self, first: date, last: date) -> float:
        """Energy (kWh) booked to the local days first..last inclusive."""
        return sum(v for d, v in sorted(self._days.items()) if first <= d <= last)

    def totals(self, now: datetime) -> PeriodTotals:
        """Energy (kWh) of the local day, ISO week, month and year that contain `now`."""
        today = local_date(now, self._tz)
        return PeriodTotals(
            today=self.day(today),
            week=self.total_between(week_start(today), today),
            month=self.total_between(month_start(today), today),
            year=self.total_between(year_start(today), today),
        )

    def complete_days(self, now: datetime) -> list[date]:
        """Local days before today that began at or after the first data, newest first.

        At most :data:`DAYS_PER_YEAR`; a day partly before the first data is
        incomplete and not among them (days inside that range without bookings
        count as 0 kWh: the data was there, the heat pump used nothing).
        """
        if self._first_ts is None:
            return []
        today = local_date(now, self._tz)
        days = []
        for n in range(1, DAYS_PER_YEAR + 1):
            day = today - timedelta(days=n)
            if local_midnight(day, self._tz) < self._first_ts:
                break
            days.append(day)
        return days

    def average_daily(self, now: datetime) -> float | None:
        """Mean energy (kWh/day) of the last up-to-14 complete local days; None without one."""
        recent = self.complete_days(now)[:PROJECTION_DAYS]
        if not recent:
            return None
        return sum(self.day(d) for d in recent) / len(recent)

    def projected_annual_energy(self, now: datetime) -> float | None:
        """Projected energy (kWh) of one year of operation, from what is known.

        * None until a complete local day exists (an hour of a winter morning
          says nothing about a year).
        * With a year of complete days (:data:`DAYS_PER_YEAR`): the sum of the last
          365 complete days. That history holds a whole season, so the
          seasonality is the house's own, not a model's.
        * Else: the known complete days plus the mean of the last up-to-14
          complete days (:meth:`average_daily`) for each of the year's days not
          yet seen: Σ known + mean × (365 − known days). Until a season of data
          exists this is the running rate: it reads high in winter and low in
          summer, and it converges to the measured year as the days come in.

        Today (incomplete) is not used.
        """
        days = self.complete_days(now)
        average = self.average_daily(now)
        if not days or average is None:
            return None
        known = sum(self.day(d) for d in days)
        return known + average * (DAYS_PER_YEAR - len(days))

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state (the time zone is not stored)."""
        return {
            "keep_days": self.keep_days,
            "first_ts": dt_to_json(self._first_ts),
            "days": {d.isoformat(): v for d, v in sorted(self._days.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], tz: tzinfo) -> EnergyPeriods:
        """Restore what :meth:`to_dict` wrote, in time zone `tz`."""
        obj = cls(tz, int(data.get("keep_days", DEFAULT_KEEP_DAYS)))
        obj._first_ts = dt_from_json(data.get("first_ts"))
        obj._days = {date.fromisoformat(k): float(v) for k, v in data.get("days", {}).items()}
        return obj
