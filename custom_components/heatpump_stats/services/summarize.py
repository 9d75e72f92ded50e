"""The `summarize` service: a period's summary from the recorder, statistics or InfluxDB.

The summary is built by :func:`..summaries.async_summarize` (the one factory of
summaries) from the entry's own entities as the chosen history holds them
(``history``, see :mod:`.histories`), so it works also for an entry that is
not loaded right now. Reading runs in an executor; the event loop only
validates and hands back the result.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.core import ServiceCall, ServiceResponse
import probatio as vol

from custom_components.heatpump_stats.const import HISTORIES
from custom_components.heatpump_stats.summaries import async_summarize
from custom_components.heatpump_stats.validation import service_utc

from .common import (
    ATTR_END,
    ATTR_HISTORY,
    ATTR_START,
    PERIOD_FIELDS,
    call_entry,
    check_period,
)

SERVICE_SUMMARIZE: Final = "summarize"
# The longest period one call may summarise: a little over three years (three
# heating seasons to compare). The work grows with the period, also where there
# is no history, and it runs in the recorder's one executor thread.
MAX_PERIOD: Final = timedelta(days=1100)

SUMMARIZE_SCHEMA: Final = vol.Schema(
    {
        **PERIOD_FIELDS,
        # No default: without it the period decides (see .histories).
        vol.Optional(ATTR_HISTORY): vol.In(HISTORIES),
    }
)


async def async_handle_summarize(call: ServiceCall) -> ServiceResponse:
    """Return the summary of (start, end] for one entry (register with SupportsResponse.ONLY)."""
    entry = call_entry(call)
    # Times without a zone are local to Home Assistant, as in the UI (see validation).
    start, end = service_utc(call.data[ATTR_START]), service_utc(call.data[ATTR_END])
    check_period(start, end, MAX_PERIOD, "summary_period_too_long")
    return await async_summarize(call.hass, entry, start, end, call.data.get(ATTR_HISTORY))
