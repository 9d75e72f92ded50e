"""The `import_history` service: hourly long-term statistics of an entry's energy sensors.

How the hours are read and imported is :mod:`..import_service`'s (the demo's
month uses the same).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.recorder import (
    get_instance,
)
from homeassistant.util import dt as dt_util
import probatio as vol

from custom_components.heatpump_stats.const import (
    DOMAIN,
    HISTORY_INFLUXDB,
    HISTORY_RECORDER,
)
from custom_components.heatpump_stats.import_service import (
    async_entry_hours,
    async_import_and_wait,
    import_entity_ids,
    statistics_ready_ids,
)
from custom_components.heatpump_stats.summaries import history_errors, require_recorder
from custom_components.heatpump_stats.validation import service_utc

from .common import ATTR_END, ATTR_HISTORY, ATTR_START, PERIOD_FIELDS, call_entry, check_period

SERVICE_IMPORT_HISTORY: Final = "import_history"
#: A little over three years, as summarize: the replay's work grows with the period.
MAX_IMPORT_PERIOD: Final = timedelta(days=1100)

IMPORT_HISTORY_SCHEMA: Final = vol.Schema(
    {
        **PERIOD_FIELDS,
        vol.Optional(ATTR_HISTORY, default=HISTORY_RECORDER): vol.In(
            (HISTORY_RECORDER, HISTORY_INFLUXDB)
        ),
    }
)


async def async_handle_import_history(call: ServiceCall) -> ServiceResponse:
    """Import (start, end) for one entry; return hours and energy imported."""
    hass = call.hass
    entry = call_entry(call)
    start = service_utc(call.data[ATTR_START])
    # Hours that have not happened have nothing to import.
    end = min(service_utc(call.data[ATTR_END]), dt_util.utcnow())
    check_period(start, end, MAX_IMPORT_PERIOD, "import_period_too_long")
    require_recorder(hass)
    entity_ids = import_entity_ids(hass, entry)
    energy = [entity_ids[k] for k in ("electrical_energy", "thermal_energy") if k in entity_ids]
    if not energy:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_history_entities",
            translation_placeholders={"title": entry.title},
        )
    ready = await get_instance(hass).async_add_executor_job(statistics_ready_ids, hass, entity_ids)
    for statistic_id in energy:
        if statistic_id not in ready.values():
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="statistics_not_ready",
                translation_placeholders={"entity_id": statistic_id},
            )
    entity_ids = ready
    history = call.data.get(ATTR_HISTORY, HISTORY_RECORDER)
    with history_errors():
        hours = await async_entry_hours(
            hass, entry, entity_ids, start=start, end=end, history=history
        )
        result = await async_import_and_wait(
            hass, entity_ids, hours, start, dt_util.get_default_time_zone(), entry=entry
        )
    return {**result, "history": history}
