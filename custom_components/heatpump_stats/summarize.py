"""The `summarize` service: a period's summary computed from the recorder's history.

The summary is built from the entry's own entities as the recorder stored them
(see :mod:`.history`), so it works for any period the recorder still holds,
also for an entry that is not loaded right now. The reading runs in the
recorder's executor; the event loop only validates and hands back the result.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.recorder import DATA_INSTANCE, async_migration_in_progress
from homeassistant.helpers.selector import ConfigEntrySelector
import probatio as vol
from sqlalchemy.exc import SQLAlchemyError

from .const import DOMAIN
from .history import async_entry_entity_ids, async_summarize_history, builder_options
from .validation import service_utc

SERVICE_SUMMARIZE: Final = "summarize"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
# The longest period one call may summarise: a little over three years (three
# heating seasons to compare). The work grows with the period, also where there
# is no history, and it runs in the recorder's one executor thread.
MAX_PERIOD: Final = timedelta(days=1100)

SUMMARIZE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
    }
)


def _utc(value: datetime) -> datetime:
    """Times without a zone are local to Home Assistant, as in the UI (see validation)."""
    return service_utc(value)


async def async_handle_summarize(call: ServiceCall) -> ServiceResponse:
    """Return the summary of (start, end] for one entry (register with SupportsResponse.ONLY)."""
    hass = call.hass
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": str(entry_id)},
        )
    start, end = _utc(call.data[ATTR_START]), _utc(call.data[ATTR_END])
    if end <= start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="end_before_start")
    if end - start > MAX_PERIOD:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="summary_period_too_long",
            translation_placeholders={"days": str(MAX_PERIOD.days)},
        )
    if DATA_INSTANCE not in hass.data or async_migration_in_progress(hass):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="recorder_unavailable"
        )
    entity_ids = async_entry_entity_ids(hass, entry)
    if not entity_ids:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_history_entities",
            translation_placeholders={"title": entry.title},
        )
    try:
        summary = await async_summarize_history(
            hass, entity_ids, start, end, **builder_options(entry)
        )
    except SQLAlchemyError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="history_error",
            translation_placeholders={"error": str(err)},
        ) from err
    data = summary.to_dict()
    data["entities"] = dict(entity_ids)
    return data
