"""Services: add_note and get_changelog (registered once, in async_setup)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.helpers.selector import ConfigEntrySelector
from homeassistant.util import dt as dt_util
import probatio as vol

from .const import DOMAIN, EVENT_TYPES
from .csv_reports import EXPORT_CSV_SCHEMA, SERVICE_EXPORT_CSV, async_handle_export_csv
from .dashboard_service import (
    INSTALL_DASHBOARD_SCHEMA,
    SERVICE_INSTALL_DASHBOARD,
    async_handle_install_dashboard,
)
from .store.changelog import ChangeLogError
from .summarize import SERVICE_SUMMARIZE, SUMMARIZE_SCHEMA, async_handle_summarize

if TYPE_CHECKING:
    from .coordinator import HeatPumpStatsConfigEntry

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_MESSAGE = "message"
ATTR_TIMESTAMP = "timestamp"
ATTR_START = "start"
ATTR_END = "end"
ATTR_KIND = "kind"

SERVICE_ADD_NOTE = "add_note"
SERVICE_GET_CHANGELOG = "get_changelog"

MAX_NOTE_LENGTH = 2000
# A note's timestamp may be this far ahead of Home Assistant's clock (another device's clock).
NOTE_CLOCK_SKEW = timedelta(minutes=5)

ADD_NOTE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_TIMESTAMP): cv.datetime,
    }
)
GET_CHANGELOG_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Optional(ATTR_START): cv.datetime,
        vol.Optional(ATTR_END): cv.datetime,
        vol.Optional(ATTR_KIND): vol.In(EVENT_TYPES),
    }
)


def _utc(value: datetime | None) -> datetime | None:
    """Times without a zone are local to Home Assistant, as in the UI."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt_util.get_default_time_zone())
    return dt_util.as_utc(value)


def _entry(call: ServiceCall) -> HeatPumpStatsConfigEntry:
    entry: HeatPumpStatsConfigEntry = service.async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    return entry


async def _async_add_note(call: ServiceCall) -> ServiceResponse:
    entry = _entry(call)
    message = call.data[ATTR_MESSAGE].strip()
    if not message or len(message) > MAX_NOTE_LENGTH:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="invalid_note",
            translation_placeholders={"max": str(MAX_NOTE_LENGTH)},
        )
    when = _utc(call.data.get(ATTR_TIMESTAMP))
    if when is not None and when > dt_util.utcnow() + NOTE_CLOCK_SKEW:
        # A note is about something done: a future time would pin "last change" ahead.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="note_in_future",
            translation_placeholders={"timestamp": dt_util.as_local(when).isoformat()},
        )
    try:
        stored = await entry.runtime_data.changes.async_add_note(message, when)
    except ChangeLogError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="changelog_error",
            translation_placeholders={"error": str(err)},
        ) from err
    if call.return_response:
        return {"entry": stored.to_dict()}
    return None


async def _async_get_changelog(call: ServiceCall) -> ServiceResponse:
    entry = _entry(call)
    start = _utc(call.data.get(ATTR_START))
    end = _utc(call.data.get(ATTR_END))
    if start is not None and end is not None and end <= start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="end_before_start")
    try:
        rows = await entry.runtime_data.changes.async_query(
            start=start, end=end, kind=call.data.get(ATTR_KIND)
        )
    except ChangeLogError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="changelog_error",
            translation_placeholders={"error": str(err)},
        ) from err
    return {"entries": [row.to_dict() for row in rows]}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services."""
    # Creating a dashboard is an admin's business, as lovelace's own command is.
    service.async_register_admin_service(
        hass,
        DOMAIN,
        SERVICE_INSTALL_DASHBOARD,
        async_handle_install_dashboard,
        schema=INSTALL_DASHBOARD_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_SUMMARIZE,
        async_handle_summarize,
        schema=SUMMARIZE_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_ADD_NOTE,
        _async_add_note,
        schema=ADD_NOTE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_CHANGELOG,
        _async_get_changelog,
        schema=GET_CHANGELOG_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_EXPORT_CSV,
        async_handle_export_csv,
        schema=EXPORT_CSV_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
