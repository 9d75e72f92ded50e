"""A hard budget of cloud API calls (the Viessmann API bans owners who poll too often).

Guarantee: :meth:`CallBudget.acquire` never lets more than ``daily_limit`` calls
into *any* sliding 24 h window, nor more than ``burst_limit`` calls into any
sliding ``burst_window`` (10 min by default). Every call counts: installations
and device lists, feature fetches, retries, token refreshes; the caller asks
before each one and does not make the call when :class:`BudgetExceeded` is
raised. The windows slide (they are not calendar days): a call made at ``t``
counts against every window that contains ``t`` and stops counting at exactly
``t + 24 h`` (resp. ``t + burst_window``).

One budget belongs to one Viessmann account and is shared by all config
entries of that account (the API counts per account and client). It is
thread-safe: PyViCare runs in executor threads, so several entries may call
:meth:`~CallBudget.acquire` at the same time; the check and the booking are
one atomic step under a lock, so the limits hold under any interleaving.

Timestamps are stored as whole epoch seconds, rounded *up* (a call at
12:00:00.3 is booked at 12:00:01). Booking a call a fraction of a second late
only makes it count a little longer, so the rounding can never let a window
hold more calls than allowed; it keeps the persisted form compact (one int per
call, at most ``daily_limit`` of them).

A rate-limit answer from the API (HTTP 429 with its reset time) is recorded
with :meth:`~CallBudget.block_until`: no call is allowed before that time,
whatever the local count says.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime, timedelta
import math
import threading
from typing import Any, Final

from .timeutil import as_utc

DEFAULT_DAILY_LIMIT: Final = 1450
DEFAULT_BURST_LIMIT: Final = 120
DEFAULT_BURST_WINDOW: Final = timedelta(minutes=10)
DAY: Final = timedelta(hours=24)

# Share of the daily limit that regular polling may use. The other 10 % are
# kept for what polling does not plan for: setup (the device list), reloads,
# retries after errors, token refreshes, a second entry starting up.
POLL_SHARE: Final = 0.9

_STORAGE_VERSION: Final = 1


class BudgetExceeded(Exception):
    """No call is allowed now; the next one is allowed at ``retry_at`` (UTC)."""

    def __init__(self, retry_at: datetime, reason: str = "call budget exhausted") -> None:
        """Store the earliest time a call is allowed again."""
        self.retry_at = as_utc(retry_at)
        self.reason = reason
        super().__init__(f"{reason}; next call allowed at {self.retry_at.isoformat()}")


def _epoch_ceil(ts: datetime) -> int:
    """Whole epoch seconds of `ts`, rounded up (booking late is the safe side)."""
    return math.ceil(as_utc(ts).timestamp())


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


class CallBudget:
    """Sliding-window call budget: ``daily_limit`` per 24 h and ``burst_limit`` per burst window.

    All methods take the current time from the caller (``now``, tz-aware or
    naive UTC) so the budget can be tested with a fake clock.
    """

    def __init__(
        self,
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        burst_limit: int = DEFAULT_BURST_LIMIT,
        burst_window: timedelta = DEFAULT_BURST_WINDOW,
    ) -> None:
        """Create an empty budget."""
        _check_limit("daily_limit", daily_limit)
        _check_limit("burst_limit", burst_limit)
        if burst_window <= timedelta(0) or burst_window > DAY:
            raise ValueError("burst_window must be > 0 and at most 24 h")
        self._lock = threading.Lock()
        self._daily_limit = daily_limit
        self._burst_limit = burst_limit
        self._burst_window = burst_window
        self._day_s = int(DAY.total_seconds())
        self._burst_s = burst_window.total_seconds()
        # Booked calls, whole epoch seconds, ascending.
        self._calls: list[int] = []
        self.blocked_until: datetime | None = None

    # ------------------------------------------------------------------ limits
    @property
    def daily_limit(self) -> int:
        """Calls allowed in any sliding 24 h."""
        return self._daily_limit

    @property
    def burst_limit(self) -> int:
        """Calls allowed in any sliding burst window."""
        return self._burst_limit

    @property
    def burst_window(self) -> timedelta:
        """Length of the burst window."""
        return self._burst_window

    def set_daily_limit(self, limit: int) -> None:
        """Change the daily limit (options flow). Calls already booked keep counting.

        Lowering the limit below the calls of the last 24 h simply allows no
        call until enough of them have left the window.
        """
        _check_limit("daily_limit", limit)
        with self._lock:
            self._daily_limit = limit

    # ------------------------------------------------------------------ core
    def acquire(self, now: datetime) -> None:
        """Book one call at `now`, or raise :class:`BudgetExceeded` without booking it."""
        with self._lock:
            retry_at = self._retry_at_locked(now)
            if retry_at is not None:
                raise BudgetExceeded(retry_at[0], retry_at[1])
            bisect.insort(self._calls, _epoch_ceil(now))

    def available(self, now: datetime) -> int:
        """How many calls would be allowed right now (0 while blocked)."""
        with self._lock:
            if self._blocked_locked(now) is not None:
                return 0
            now_s = as_utc(now).timestamp()
            self._prune_locked(now_s)
            daily_left = self._daily_limit - self._count_since_locked(now_s - self._day_s)
            burst_left = self._burst_limit - self._count_since_locked(now_s - self._burst_s)
            return max(0, min(daily_left, burst_left))

    def next_allowed(self, now: datetime) -> datetime:
        """The earliest time (UTC) a call is allowed: `now` when one is allowed now."""
        with self._lock:
            retry_at = self._retry_at_locked(now)
            return as_utc(now) if retry_at is None else retry_at[0]

    def used(self, now: datetime) -> int:
        """Calls booked in the sliding 24 h before `now` (for diagnostics)."""
        with self._lock:
            now_s = as_utc(now).timestamp()
            return self._count_since_locked(now_s - self._day_s)

    def block_until(self, until: datetime) -> None:
        """Allow no call before `until` (the API said so, e.g. HTTP 429 with a reset time).

        A later block extends an earlier one; an earlier one never shortens it.
        """
        until = as_utc(until)
        with self._lock:
            if self.blocked_until is None or until > self.blocked_until:
                self.blocked_until = until

    def poll_interval(
        self, calls_per_poll: int, *, minimum: timedelta = timedelta(seconds=60)
    ) -> timedelta:
        """The shortest poll interval that keeps regular polling inside the limits.

        Polling may use ``POLL_SHARE`` (90 %) of each limit; the other 10 % are
        headroom for setup, reloads, retries and token refreshes:

        * day:   24 h × calls_per_poll / floor(daily_limit × 0.9)
          e.g. 1450 → 1305 polls of 1 call: 86400 s / 1305 = 66.2 s → 67 s;
          2 heat pumps on one account (2 calls per poll round) → 133 s.
        * burst: burst_window × calls_per_poll / floor(burst_limit × 0.9)
          e.g. 600 s / 108 = 5.6 s (never the binding one with the defaults).

        The larger of both and `minimum`, rounded *up* to whole seconds (so
        the number of polls per day never exceeds the share). When several
        entries share this budget, pass the calls of all of them per round.
        """
        if calls_per_poll < 1:
            raise ValueError("calls_per_poll must be >= 1")
        with self._lock:
            daily_polls = max(1, math.floor(self._daily_limit * POLL_SHARE))
            burst_polls = max(1, math.floor(self._burst_limit * POLL_SHARE))
            day_s = self._day_s * calls_per_poll / daily_polls
            burst_s = self._burst_s * calls_per_poll / burst_polls
        seconds = max(day_s, burst_s, minimum.total_seconds())
        return timedelta(seconds=math.ceil(seconds - 1e-9))

    # ------------------------------------------------------------------ persistence
    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        """JSON-ready state: the calls of the last 24 h (epoch seconds) and the block.

        Calls older than 24 h before `now` (default: before the newest call)
        can never count again and are left out.
        """
        with self._lock:
            if now is not None:
                horizon = as_utc(now).timestamp() - self._day_s
            elif self._calls:
                horizon = self._calls[-1] - self._day_s
            else:
                horizon = -math.inf
            calls = [t for t in self._calls if t > horizon]
            blocked = self.blocked_until
        return {
            "version": _STORAGE_VERSION,
            "calls": calls,
            "blocked_until": None if blocked is None else blocked.isoformat(),
            "daily_limit": self._daily_limit,
        }

    @classmethod
    def from_dict(
        cls,
        data: Any,
        daily_limit: int = DEFAULT_DAILY_LIMIT,
        burst_limit: int = DEFAULT_BURST_LIMIT,
        burst_window: timedelta = DEFAULT_BURST_WINDOW,
    ) -> CallBudget:
        """Restore what :meth:`to_dict` wrote. `daily_limit` is the configured one.

        Unreadable entries are skipped (a damaged store must not lift the
        limits more than the damage itself does).
        """
        budget = cls(daily_limit, burst_limit, burst_window)
        if not isinstance(data, dict):
            return budget
        calls: list[int] = []
        raw_calls = data.get("calls")
        if isinstance(raw_calls, list):
            for item in raw_calls:
                if isinstance(item, bool) or not isinstance(item, (int, float)):
                    continue
                if math.isfinite(item):
                    calls.append(math.ceil(item))
        calls.sort()
        budget._calls = calls
        blocked = data.get("blocked_until")
        if isinstance(blocked, str):
            try:
                budget.blocked_until = as_utc(datetime.fromisoformat(blocked))
            except ValueError:
                budget.blocked_until = None
        return budget

    # ------------------------------------------------------------------ internals
    def _blocked_locked(self, now: datetime) -> datetime | None:
        """The block still in force at `now` (an expired one is dropped)."""
        blocked = self.blocked_until
        if blocked is None:
            return None
        if as_utc(now) < blocked:
            return blocked
        self.blocked_until = None
        return None

    def _prune_locked(self, now_s: float) -> None:
        """Forget calls that left the 24 h window (they can never count again)."""
        cut = bisect.bisect_right(self._calls, now_s - self._day_s)
        if cut:
            del self._calls[:cut]

    def _count_since_locked(self, start_s: float) -> int:
        """Booked calls strictly after `start_s` (a call at exactly t - W has left)."""
        return len(self._calls) - bisect.bisect_right(self._calls, start_s)

    def _retry_at_locked(self, now: datetime) -> tuple[datetime, str] | None:
        """None when a call is allowed at `now`, else (earliest allowed time, reason)."""
        now_utc = as_utc(now)
        now_s = now_utc.timestamp()
        self._prune_locked(now_s)
        candidates: list[tuple[datetime, str]] = []
        blocked = self._blocked_locked(now_utc)
        if blocked is not None:
            candidates.append((blocked, "blocked by the API's rate limit"))
        for limit, window_s, reason in (
            (self._daily_limit, self._day_s, "daily call budget exhausted"),
            (self._burst_limit, self._burst_s, "burst call budget exhausted"),
        ):
            start = bisect.bisect_right(self._calls, now_s - window_s)
            in_window = len(self._calls) - start
            if in_window >= limit:
                # The call that has to leave so that one more fits: the
                # (in_window - limit + 1)-th oldest one in the window.
                leaving = self._calls[start + in_window - limit]
                candidates.append((_from_epoch(leaving + window_s), reason))
        if not candidates:
            return None
        return max(candidates, key=lambda c: c[0])


def _check_limit(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
