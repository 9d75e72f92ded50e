"""What a heat pump source asks of its entry in Home Assistant beyond being polled.

The HA-free sources (`sources/`) only read. A few Home Assistant-side sources
need more, and say so through this one interface instead of setup and the
coordinator testing for their type:

- a minimum poll interval (Viessmann: the account's call budget);
- binding to the running coordinator, undone at unload (Viessmann: the
  account sets every entry's interval; `entities`: a changed entity asks for a
  refresh);
- when they may be asked again after a refusal (:class:`SourceRetryLaterError`:
  a call budget spent, a rate limit): the coordinator does not poll before.

`SourceHooks` has the defaults (nothing of that); `NO_HOOKS` is what the
factory hands the coordinator for every other source. A source's joining and
leaving of shared bookkeeping belongs to its construction and `async_close`,
so that a failed setup, which runs the entry's unload callbacks, undoes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, callback

from .sources.base import SourceConnectionError

if TYPE_CHECKING:
    from .coordinator import HeatPumpCoordinator


class SourceRetryLaterError(SourceConnectionError):
    """The source may not be asked before `retry_at` (UTC): a spent budget, a rate limit."""

    def __init__(self, message: str, retry_at: datetime) -> None:
        """Say why and until when."""
        super().__init__(message)
        self.retry_at = retry_at


@callback
def _nothing_to_undo() -> None:
    """The unbind of a source that bound nothing."""


class SourceHooks:
    """The defaults: a source that needs nothing of its entry but its polls."""

    @property
    def min_update_interval(self) -> timedelta | None:
        """The shortest interval the source may be polled at (None: the entry's own)."""
        return None

    @callback
    def async_bind(self, coordinator: HeatPumpCoordinator) -> CALLBACK_TYPE:
        """Start working with the entry's coordinator; returns what undoes it at unload."""
        return _nothing_to_undo


NO_HOOKS: Final = SourceHooks()
