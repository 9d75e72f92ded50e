"""What several services share: the entry a call names, its period fields and the period check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import ServiceCall
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.selector import ConfigEntrySelector
import probatio as vol

from custom_components.heatpump_stats.const import ATTR_CONFIG_ENTRY_ID, DOMAIN

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_HISTORY: Final = "history"

#: `config_entry_id`, `start`, `end` (summarize, import_history).
PERIOD_FIELDS: Final[dict[Any, Any]] = {
    vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
    vol.Required(ATTR_START): cv.datetime,
    vol.Required(ATTR_END): cv.datetime,
}


def call_entry(call: ServiceCall) -> ConfigEntry:
    """The entry `config_entry_id` names, loaded or not; translated error if there is none."""
    entry_id = call.data[ATTR_CONFIG_ENTRY_ID]
    entry = call.hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="entry_not_found",
            translation_placeholders={"entry_id": str(entry_id)},
        )
    return entry


def check_period(start: datetime, end: datetime, longest: timedelta, too_long: str) -> None:
    """Translated errors for an empty period or one longer than `longest` (key `too_long`)."""
    if end <= start:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="end_before_start")
    if end - start > longest:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key=too_long,
            translation_placeholders={"days": str(longest.days)},
        )
