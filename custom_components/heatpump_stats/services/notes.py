"""The change-log services: `add_note`, `get_changelog` (with `impact_days`), `update_note`,
`delete_note`.

The log itself is :mod:`..change_recorder`'s (writing, events) over
:mod:`..store.changelog` (the SQLite table); the impact of an entry is
:func:`..compare.async_change_impacts`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv, service
from homeassistant.helpers.selector import ConfigEntrySelector
from homeassistant.util import dt as dt_util
import probatio as vol

from custom_components.heatpump_stats.compare import async_change_impacts
from custom_components.heatpump_stats.const import ATTR_CONFIG_ENTRY_ID, DOMAIN, EVENT_TYPES
from custom_components.heatpump_stats.store.changelog import (
    SOURCE_NOTE,
    ChangeEntry,
)
from custom_components.heatpump_stats.validation import (
    async_changelog,
    note_message,
    service_utc,
)

if TYPE_CHECKING:
    from custom_components.heatpump_stats.coordinator import HeatPumpStatsConfigEntry

ATTR_MESSAGE = "message"
ATTR_TIMESTAMP = "timestamp"
ATTR_START = "start"
ATTR_END = "end"
ATTR_KIND = "kind"
ATTR_ID = "id"
ATTR_IMPACT_DAYS = "impact_days"

SERVICE_ADD_NOTE = "add_note"
SERVICE_GET_CHANGELOG = "get_changelog"
SERVICE_UPDATE_NOTE = "update_note"
SERVICE_DELETE_NOTE = "delete_note"
MAX_IMPACT_DAYS = 30

MAX_NOTE_LENGTH = 2000
# A note may be dated this far ahead of Home Assistant's clock (a caller's clock skew).
MAX_NOTE_CLOCK_SKEW: Final = timedelta(minutes=5)

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
        vol.Optional(ATTR_IMPACT_DAYS): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_IMPACT_DAYS)
        ),
    }
)
UPDATE_NOTE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_ID): vol.All(vol.Coerce(int), vol.Range(min=1)),
        vol.Required(ATTR_MESSAGE): cv.string,
        vol.Optional(ATTR_TIMESTAMP): cv.datetime,
    }
)
DELETE_NOTE_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_ID): vol.All(vol.Coerce(int), vol.Range(min=1)),
    }
)


def _utc(value: datetime | None) -> datetime | None:
    """Times without a zone are local to Home Assistant, as in the UI."""
    if value is None:
        return None
    return service_utc(value)


def _entry(call: ServiceCall) -> HeatPumpStatsConfigEntry:
    entry: HeatPumpStatsConfigEntry = service.async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    return entry


async def async_handle_add_note(call: ServiceCall) -> ServiceResponse:
    """The ``add_note`` service."""
    entry = _entry(call)
    message = note_message(call.data[ATTR_MESSAGE], MAX_NOTE_LENGTH)
    stored = await async_changelog(
        entry.runtime_data.changes.async_add_note(message, _note_time(call))
    )
    return _entry_response(call, stored)


async def async_handle_get_changelog(call: ServiceCall) -> ServiceResponse:
    """The ``get_changelog`` service."""
    entry = _entry(call)
    start = _utc(call.data.get(ATTR_START))
    end = _utc(call.data.get(ATTR_END))
    if start is not None and end is not None and end <= start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="end_before_start")
    rows = await async_changelog(
        entry.runtime_data.changes.async_query(start=start, end=end, kind=call.data.get(ATTR_KIND))
    )
    entries: list[Any] = [row.to_dict() for row in rows]
    if (days := call.data.get(ATTR_IMPACT_DAYS)) is not None:
        await _async_add_impacts(entry, rows, entries, days)
    return {"entries": entries}


async def _async_add_impacts(
    entry: HeatPumpStatsConfigEntry,
    rows: list[ChangeEntry],
    entries: list[dict[str, Any]],
    days: int,
) -> None:
    """`impact` of each entry: compare_periods over `days` either side, cut at its neighbours."""
    if not rows:
        return
    span = timedelta(days=days)
    # Neighbours of every kind cut the periods, also those the `kind` filter hides.
    neighbours = await async_changelog(
        entry.runtime_data.changes.async_query(
            start=rows[0].timestamp - span, end=rows[-1].timestamp + span, kind=None
        )
    )
    impacts = await async_change_impacts(
        entry.runtime_data.heat_pump.hass,
        entry,
        [row.timestamp for row in rows],
        [row.timestamp for row in neighbours],
        days,
    )
    for data, impact in zip(entries, impacts, strict=True):
        data["impact"] = impact


def _note_id(call: ServiceCall) -> int:
    change_id: int = call.data[ATTR_ID]
    return change_id


def _note_time(call: ServiceCall) -> datetime | None:
    """The call's `timestamp` in UTC; refused (translated) beyond the clock skew ahead of now."""
    when = _utc(call.data.get(ATTR_TIMESTAMP))
    if when is not None and when > dt_util.utcnow() + MAX_NOTE_CLOCK_SKEW:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="note_in_future",
            translation_placeholders={"timestamp": when.isoformat()},
        )
    return when


def _not_found(change_id: int) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="change_not_found",
        translation_placeholders={"id": str(change_id)},
    )


def _entry_response(call: ServiceCall, stored: ChangeEntry | None) -> ServiceResponse:
    """``{"entry": ...}`` when asked for; an entry deleted in between is not found."""
    if stored is None:
        raise _not_found(_note_id(call))
    return {"entry": stored.to_dict()} if call.return_response else None


async def _async_check_note(entry: HeatPumpStatsConfigEntry, change_id: int) -> None:
    """Raise the translated reason when `change_id` is no note of the entry."""
    found = await async_changelog(entry.runtime_data.changes.async_get(change_id))
    if found is None:
        raise _not_found(change_id)
    if found.source != SOURCE_NOTE:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="not_a_note",
            translation_placeholders={"id": str(change_id), "kind": found.kind},
        )


async def async_handle_update_note(call: ServiceCall) -> ServiceResponse:
    """The ``update_note`` service."""
    entry = _entry(call)
    change_id = _note_id(call)
    message = note_message(call.data[ATTR_MESSAGE], MAX_NOTE_LENGTH)
    when = _note_time(call)
    await _async_check_note(entry, change_id)
    stored = await async_changelog(
        entry.runtime_data.changes.async_update_note(change_id, message, when)
    )
    return _entry_response(call, stored)


async def async_handle_delete_note(call: ServiceCall) -> ServiceResponse:
    """The ``delete_note`` service."""
    entry = _entry(call)
    change_id = _note_id(call)
    await _async_check_note(entry, change_id)
    deleted = await async_changelog(entry.runtime_data.changes.async_delete_note(change_id))
    return _entry_response(call, deleted)
