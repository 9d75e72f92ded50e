"""The `summarize` service: a period's summary from the recorder, statistics or InfluxDB.

The summary is built from the entry's own entities as the chosen history holds
them (``history``, see :mod:`.histories`): the recorder's states
(:mod:`.history`), the long-term statistics (:mod:`.statistics_history`) or
the points Home Assistant's InfluxDB integration wrote (:mod:`.influx_history`),
so it works also for an entry that is not loaded right now. Reading runs in
an executor; the event loop only validates and hands back the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.recorder import (
    DATA_INSTANCE,
    async_migration_in_progress,
    get_instance,
)
from homeassistant.helpers.selector import ConfigEntrySelector
from homeassistant.util import dt as dt_util
import probatio as vol
from sqlalchemy.exc import SQLAlchemyError

from custom_components.heatpump_stats.const import (
    ATTR_CONFIG_ENTRY_ID,
    DOMAIN,
    HISTORIES,
    HISTORY_INFLUXDB,
    HISTORY_STATISTICS,
)
from custom_components.heatpump_stats.engine.hourly import summarize_hours
from custom_components.heatpump_stats.histories import (
    NOT_FROM_HOURS,
    async_default_history,
    coverage,
    influx_error,
    require_influx,
)
from custom_components.heatpump_stats.history import (
    async_entry_entity_ids,
    async_summarize_history,
    builder_options,
)
from custom_components.heatpump_stats.influx_history import summarize_influx
from custom_components.heatpump_stats.statistics_history import (
    async_statistics_entity_ids,
    read_hours,
)
from custom_components.heatpump_stats.store.influxdb import InfluxConfig, InfluxError, InfluxHistory
from custom_components.heatpump_stats.validation import service_utc

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

SERVICE_SUMMARIZE: Final = "summarize"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_HISTORY: Final = "history"
# The longest period one call may summarise: a little over three years (three
# heating seasons to compare). The work grows with the period, also where there
# is no history, and it runs in the recorder's one executor thread.
MAX_PERIOD: Final = timedelta(days=1100)

SUMMARIZE_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_START): cv.datetime,
        vol.Required(ATTR_END): cv.datetime,
        # No default: without it the period decides (see .histories).
        vol.Optional(ATTR_HISTORY): vol.In(HISTORIES),
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
    history = call.data.get(ATTR_HISTORY)
    # InfluxDB needs no recorder; the recorder and its statistics do.
    influx = require_influx(entry) if history == HISTORY_INFLUXDB else None
    if influx is None and (DATA_INSTANCE not in hass.data or async_migration_in_progress(hass)):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="recorder_unavailable"
        )
    entity_ids = async_entry_entity_ids(hass, entry)
    statistics_ids = async_statistics_entity_ids(hass, entry)
    if not entity_ids:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_history_entities",
            translation_placeholders={"title": entry.title},
        )
    try:
        if influx is not None:
            data = await _async_influx(
                hass,
                entry,
                config=influx,
                entity_ids=entity_ids,
                statistics_ids=statistics_ids,
                start=start,
                end=end,
            )
        else:
            if history is None:
                history = await async_default_history(hass, statistics_ids, start, end)
            if history == HISTORY_STATISTICS:
                data = await _async_hourly(hass, statistics_ids, start, end)
            else:
                summary = await async_summarize_history(
                    hass, entity_ids, start, end, **builder_options(entry)
                )
                data = summary.to_dict()
    except SQLAlchemyError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="history_error",
            translation_placeholders={"error": str(err)},
        ) from err
    data["history"] = history
    data["coverage"] = coverage(data)
    if not data.get("sessions_available", True):
        # Hourly figures have no sessions, defrost counts or time per mode: say so.
        data["not_available"] = list(NOT_FROM_HOURS)
    data["entities"] = dict(entity_ids)
    return data


async def _async_hourly(
    hass: HomeAssistant, statistics_ids: Mapping[str, str], start: datetime, end: datetime
) -> dict[str, Any]:
    """Hours up to now are read; the coverage is a share of the whole period (as the recorder's)."""
    time_zone = dt_util.get_default_time_zone()
    cut = min(end, dt_util.utcnow())
    if cut <= start:
        return summarize_hours([], start=start, end=end, time_zone=time_zone)
    ids = dict(statistics_ids)

    def _read() -> dict[str, Any]:
        hours = read_hours(hass, ids, start, cut)
        return summarize_hours(hours, start=start, end=end, time_zone=time_zone)

    return await get_instance(hass).async_add_executor_job(_read)


async def _async_influx(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    config: InfluxConfig,
    entity_ids: Mapping[str, str],
    statistics_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
) -> dict[str, Any]:
    time_zone = dt_util.get_default_time_zone()
    options = builder_options(entry)

    def _read() -> dict[str, Any]:
        reader = InfluxHistory(config)
        try:
            return summarize_influx(
                reader,
                entity_ids,
                statistics_ids,
                start,
                end,
                time_zone=time_zone,
                options=options,
                now=dt_util.utcnow(),
            )
        finally:
            reader.close()

    try:
        return await hass.async_add_executor_job(_read)
    except InfluxError as err:
        raise influx_error(err) from err
