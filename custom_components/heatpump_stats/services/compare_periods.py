"""The `compare_periods` service: two periods of one entry side by side, from history.

What is compared and how the history is read is :mod:`..compare`'s.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import ConfigEntrySelector
import probatio as vol

from custom_components.heatpump_stats.compare import Periods, async_compare
from custom_components.heatpump_stats.const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    HISTORIES,
    HISTORY_RECORDER,
)
from custom_components.heatpump_stats.validation import service_utc

from .common import ATTR_HISTORY, call_entry, check_period

SERVICE_COMPARE_PERIODS: Final = "compare_periods"
ATTR_BEFORE_START: Final = "before_start"
ATTR_BEFORE_END: Final = "before_end"
ATTR_AFTER_START: Final = "after_start"
ATTR_AFTER_END: Final = "after_end"
MAX_PERIOD: Final = timedelta(days=92)  # per period: at most 2208 hourly reads

COMPARE_PERIODS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_BEFORE_START): cv.datetime,
        vol.Required(ATTR_BEFORE_END): cv.datetime,
        vol.Required(ATTR_AFTER_START): cv.datetime,
        vol.Required(ATTR_AFTER_END): cv.datetime,
        vol.Optional(ATTR_HISTORY, default=HISTORY_RECORDER): vol.In(HISTORIES),
    }
)


async def async_handle_compare_periods(call: ServiceCall) -> ServiceResponse:
    """The comparison of two periods for one entry (register with SupportsResponse.ONLY)."""
    hass = call.hass
    entry = call_entry(call)
    history = call.data.get(ATTR_HISTORY, HISTORY_RECORDER)
    periods = Periods(
        before_start=service_utc(call.data[ATTR_BEFORE_START]),
        before_end=service_utc(call.data[ATTR_BEFORE_END]),
        after_start=service_utc(call.data[ATTR_AFTER_START]),
        after_end=service_utc(call.data[ATTR_AFTER_END]),
    )
    if periods.before_end <= periods.before_start or periods.after_end <= periods.after_start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="end_before_start")
    if periods.after_start < periods.before_end:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="periods_overlap")
    check_period(periods.before_start, periods.before_end, MAX_PERIOD, "period_too_long")
    check_period(periods.after_start, periods.after_end, MAX_PERIOD, "period_too_long")
    (result,) = await async_compare(hass, entry, [periods], history)
    result["history"] = history
    return result
