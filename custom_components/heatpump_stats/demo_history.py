"""A new demo heat pump starts with a month of simulated history in its long-term statistics.

So a new user's dashboard shows daily bars, daily COP and heat by outdoor
temperature at once, not "No statistics found" for an hour.

When: the config flow puts ``demo_history_days`` (30) in a new demo entry's
options; the import runs once (``demo_history`` in the entry's store says it
is done), when the recorder is loaded, after the recorder's first 5-minute
statistics of the entry's electricity sensor exist
(``EVENT_RECORDER_5MIN_STATISTICS_GENERATED``, within five minutes of setup):
only then do the live sums have their zero point, so the imported month ends
at the hour of that first statistic and the live hours are shifted onto the
imported sum (:mod:`.history_import`): no jump at the seam. Entries made
otherwise (tests, older demo entries) have no such option and import nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.const import EVENT_RECORDER_5MIN_STATISTICS_GENERATED
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .const import (
    CONF_NAME,
    DEMO_FLOW_RATE_L_MIN,
    DEMO_RATED_THERMAL_POWER_KW,
    LOGGER,
)
from .history_import import simulate_demo_hours
from .import_service import async_import_and_wait, import_entity_ids, statistics_ready_ids

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .coordinator import EntryStore
    from .options import EntryOptions

#: Store key: the import is done (what it imported).
STORE_DEMO_HISTORY: Final = "demo_history"


def _ready_ids(hass: HomeAssistant, entity_ids: Mapping[str, str]) -> dict[str, str] | None:
    """Blocking: the sensors to fill, or None while the electricity has no statistics yet."""
    ready = statistics_ready_ids(hass, entity_ids)
    if entity_ids.get("electrical_energy") not in ready.values():
        return None
    return ready


async def async_import_demo_history(
    hass: HomeAssistant, entry: ConfigEntry, store: EntryStore, options: EntryOptions, days: int
) -> dict[str, Any] | None:
    """Import `days` of simulated hours before the first live statistic; None if not ready."""
    instance = get_instance(hass)
    entity_ids = await instance.async_add_executor_job(
        _ready_ids, hass, import_entity_ids(hass, entry)
    )
    if entity_ids is None:
        return None
    tz = dt_util.get_default_time_zone()
    end = dt_util.utcnow().replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    hours = await hass.async_add_executor_job(
        lambda: simulate_demo_hours(
            str(entry.data[CONF_NAME]),
            start,
            end,
            rated_thermal_power_kw=DEMO_RATED_THERMAL_POWER_KW,
            flow_rate_l_min=options.flow_rate_l_min or DEMO_FLOW_RATE_L_MIN,
            time_zone=tz,
        )
    )
    result = await async_import_and_wait(hass, entity_ids, hours, start, tz, entry=entry)
    store.data[STORE_DEMO_HISTORY] = {"start": start.isoformat(), **result}
    await store.async_save()
    LOGGER.info(
        "%s: imported %s hours of simulated history (%.1f kWh electricity, %.1f kWh heat)",
        entry.title,
        result["hours"],
        result["electrical_energy"],
        result["thermal_energy"],
    )
    return result


@callback
def async_setup_demo_history(
    hass: HomeAssistant, entry: ConfigEntry, store: EntryStore, options: EntryOptions
) -> None:
    """Import the demo's month once, after the first 5-minute statistics (see the module)."""
    days = options.demo_history_days
    if (
        days is None
        or store.data.get(STORE_DEMO_HISTORY)
        or "recorder" not in hass.config.components
    ):
        return
    running = False
    unsubscribe: CALLBACK_TYPE | None = None

    async def _attempt() -> None:
        nonlocal running, unsubscribe
        try:
            if await async_import_demo_history(hass, entry, store, options, days) is not None and (
                unsubscribe is not None
            ):
                unsubscribe()
                unsubscribe = None
        finally:
            running = False

    @callback
    def _compiled(_event: Event) -> None:
        nonlocal running
        if running or unsubscribe is None:
            return
        running = True
        entry.async_create_background_task(hass, _attempt(), "heatpump_stats demo history")

    unsubscribe = hass.bus.async_listen(EVENT_RECORDER_5MIN_STATISTICS_GENERATED, _compiled)

    @callback
    def _unload() -> None:
        if unsubscribe is not None:
            unsubscribe()

    entry.async_on_unload(_unload)
