"""Heat Pump Stats: measure any heat pump (COP, heat delivered, seasonal COP)."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .card import async_register_card
from .changelog import ChangeRecorder
from .const import (
    CONF_SOURCE,
    DOMAIN,
    LOGGER,
    SOURCE_DEMO,
)
from .coordinator import (
    EntryStore,
    HeatPumpCoordinator,
    HeatPumpStatsConfigEntry,
    HeatPumpStatsRuntimeData,
    MeterCoordinator,
    engine_config,
)
from .csv_reports import CsvReports, async_remove_samples
from .daily_cop import DailyCopStatistic
from .demo_history import async_setup_demo_history
from .engine.core import Engine
from .factory import async_create_meter, async_create_source
from .ha_sources import EntitiesSource
from .sensor import has_electricity
from .services import async_setup_services
from .sources.entities import ModeMapError
from .sources.modbus import RegisterMapError
from .store.changelog import ChangeLogError
from .vicare import ViessmannHASource, poll_interval
from .websocket import async_setup_websocket

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR, Platform.TEXT]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the integration (services, websocket commands and the card: here, once)."""
    async_setup_services(hass)
    async_setup_websocket(hass)
    await async_register_card(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: HeatPumpStatsConfigEntry) -> bool:
    """Set up one heat pump system from a config entry."""
    store = EntryStore(hass, entry.entry_id)
    stored = await store.async_load()
    config = engine_config(entry)
    tz = dt_util.get_default_time_zone()
    engine = (
        Engine.from_dict(stored["engine"], config, tz)
        if stored.get("engine")
        else Engine(config, tz)
    )
    # Neither raises: a change log or sample table that cannot be used is
    # reported (repair issue, log line) while the heat pump is still measured.
    changes = ChangeRecorder(hass, entry.entry_id)
    await changes.async_open()
    csv = CsvReports(hass, entry)
    await csv.async_open()
    try:
        source = await async_create_source(
            hass, entry.data, entry.options, stored.get("source"), entry
        )
    except (RegisterMapError, ModeMapError) as err:
        await changes.async_close()
        await csv.async_close()
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="invalid_configuration",
            translation_placeholders={"error": str(err)},
        ) from err
    meter_source = await async_create_meter(hass, entry.data, entry.options)
    coordinator = HeatPumpCoordinator(
        hass,
        entry,
        source=source,
        engine=engine,
        store=store,
        min_interval=poll_interval(source.account, source.calls_per_poll)
        if isinstance(source, ViessmannHASource)
        else None,
    )
    coordinator.changes = changes
    coordinator.csv = csv
    if isinstance(source, ViessmannHASource):
        # Every entry of the account follows the account's interval from now on.
        source.attach(coordinator)
    if isinstance(source, EntitiesSource):
        # Push: a changed entity asks for a refresh (the debouncer batches bursts).
        @callback
        def _entities_changed() -> None:
            entry.async_create_background_task(
                hass, coordinator.async_request_refresh(), "heatpump_stats entities refresh"
            )

        entry.async_on_unload(source.async_listen(_entities_changed))
    meter = (
        MeterCoordinator(hass, entry, meter=meter_source, engine=engine, store=store)
        if meter_source is not None
        else None
    )
    try:
        refreshes = [coordinator.async_config_entry_first_refresh()]
        if meter is not None:
            refreshes.append(meter.async_config_entry_first_refresh())
        await asyncio.gather(*refreshes)
    except BaseException:
        if isinstance(source, ViessmannHASource):
            source.leave()
        await source.async_close()
        if meter_source is not None:
            await meter_source.async_close()
        await changes.async_close()
        await csv.async_close()
        raise
    entry.runtime_data = HeatPumpStatsRuntimeData(
        heat_pump=coordinator,
        meter=meter,
        identity=source.identity,
        store=store,
        changes=changes,
        csv=csv,
    )
    entry.async_on_unload(csv.async_start_schedule())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if "recorder" in hass.config.components and has_electricity(entry):
        entry.async_on_unload(DailyCopStatistic(hass, entry).async_start(coordinator))
    if entry.data.get(CONF_SOURCE) == SOURCE_DEMO:
        async_setup_demo_history(hass, entry, store)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: HeatPumpStatsConfigEntry) -> bool:
    """Unload an entry; its accumulated state is written before it goes."""
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    runtime = entry.runtime_data
    await runtime.store.async_save()
    await runtime.heat_pump.source.async_close()
    if runtime.meter is not None:
        await runtime.meter.meter.async_close()
    await runtime.changes.async_close()
    await runtime.csv.async_close()
    if isinstance(runtime.heat_pump.source, ViessmannHASource):
        runtime.heat_pump.source.leave()
    return True


async def async_remove_entry(hass: HomeAssistant, entry: HeatPumpStatsConfigEntry) -> None:
    """Delete the entry's stored state and change log when the user deletes the entry."""
    await EntryStore(hass, entry.entry_id).async_remove()
    try:
        await ChangeRecorder(hass, entry.entry_id).async_delete()
    except ChangeLogError as err:
        LOGGER.warning("Could not delete the change log of %s: %s", entry.title, err)
    try:
        await async_remove_samples(hass, entry.entry_id)
    except ChangeLogError as err:
        LOGGER.warning("Could not delete the CSV samples of %s: %s", entry.title, err)
