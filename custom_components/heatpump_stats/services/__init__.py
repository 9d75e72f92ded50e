"""The integration's services, registered once in `async_setup`.

Layout: one module per service family; each holds its services' names, field
schemas and handlers (validation, the translated errors, the response), and
calls the glue or the engine for the work. Registration is here, in one table.

- :mod:`.notes`: `add_note`, `get_changelog`, `update_note`, `delete_note`
  (the change log).
- :mod:`.summarize`: `summarize` (a period's summary from a history).
- :mod:`.compare_periods`: `compare_periods` (two periods side by side).
- :mod:`.export_csv`: `export_csv` (the daily / weekly CSV file now).
- :mod:`.import_history`: `import_history` (hourly long-term statistics).

Every service takes `config_entry_id` (`const.ATTR_CONFIG_ENTRY_ID`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
import probatio as vol

from custom_components.heatpump_stats.const import DOMAIN

from .compare_periods import (
    COMPARE_PERIODS_SCHEMA,
    SERVICE_COMPARE_PERIODS,
    async_handle_compare_periods,
)
from .export_csv import EXPORT_CSV_SCHEMA, SERVICE_EXPORT_CSV, async_handle_export_csv
from .import_history import (
    IMPORT_HISTORY_SCHEMA,
    SERVICE_IMPORT_HISTORY,
    async_handle_import_history,
)
from .notes import (
    ADD_NOTE_SCHEMA,
    DELETE_NOTE_SCHEMA,
    GET_CHANGELOG_SCHEMA,
    SERVICE_ADD_NOTE,
    SERVICE_DELETE_NOTE,
    SERVICE_GET_CHANGELOG,
    SERVICE_UPDATE_NOTE,
    UPDATE_NOTE_SCHEMA,
    async_handle_add_note,
    async_handle_delete_note,
    async_handle_get_changelog,
    async_handle_update_note,
)
from .summarize import SERVICE_SUMMARIZE, SUMMARIZE_SCHEMA, async_handle_summarize

type _Handler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]

#: name, handler, schema, response: every service of the integration.
SERVICES: Final[tuple[tuple[str, _Handler, vol.Schema, SupportsResponse], ...]] = (
    (SERVICE_SUMMARIZE, async_handle_summarize, SUMMARIZE_SCHEMA, SupportsResponse.ONLY),
    (SERVICE_ADD_NOTE, async_handle_add_note, ADD_NOTE_SCHEMA, SupportsResponse.OPTIONAL),
    (
        SERVICE_GET_CHANGELOG,
        async_handle_get_changelog,
        GET_CHANGELOG_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (SERVICE_EXPORT_CSV, async_handle_export_csv, EXPORT_CSV_SCHEMA, SupportsResponse.OPTIONAL),
    (
        SERVICE_COMPARE_PERIODS,
        async_handle_compare_periods,
        COMPARE_PERIODS_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (
        SERVICE_UPDATE_NOTE,
        async_handle_update_note,
        UPDATE_NOTE_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_DELETE_NOTE,
        async_handle_delete_note,
        DELETE_NOTE_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_IMPORT_HISTORY,
        async_handle_import_history,
        IMPORT_HISTORY_SCHEMA,
        SupportsResponse.ONLY,
    ),
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's services."""
    for name, handler, schema, supports_response in SERVICES:
        hass.services.async_register(
            DOMAIN, name, handler, schema=schema, supports_response=supports_response
        )
