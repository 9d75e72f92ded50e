"""Heat Pump Stats: measure any heat pump (COP, heat delivered, seasonal COP)."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .card import async_register_card
from .change_recorder import ChangeRecorder
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
from .factory import async_create_entry_source, async_create_meter
from .options import EntryOptions
from .sensor_descriptions import has_electricity
from .services import async_setup_services
from .sources.entities import ModeMapError
from .sources.modbus import RegisterMapError
from .store.changelog import ChangeLogError
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
    """Set up one heat pump system from a config entry.

    Each resource's close is registered with `entry.async_on_unload` as soon as
    it is open: Home Assistant runs those callbacks (newest first) when setup
    fails after them, as on unload, so no cleanup is written out here.
    """
    try:
        options = EntryOptions.from_entry(entry)
    except ModeMapError as err:
        raise _invalid_configuration(err) from err
    store = EntryStore(hass, entry.entry_id)
    stored = await store.async_load()
    tz = dt_util.get_default_time_zone()
    config = engine_config(options, entry.data)
    engine = (
        Engine.from_dict(stored["engine"], config, tz)
        if stored.get("engine")
        else Engine(config, tz)
    )
    # Neither raises: a change log or sample table that cannot be used is
    # reported (repair issue, log line) while the heat pump is still measured.
    changes = ChangeRecorder(hass, entry.entry_id)
    await changes.async_open()
    entry.async_on_unload(changes.async_close)
    csv = CsvReports(hass, entry, options)
    await csv.async_open()
    entry.async_on_unload(csv.async_close)
    try:
        built = await async_create_entry_source(hass, entry, options, stored.get("source"))
    except RegisterMapError as err:
        raise _invalid_configuration(err) from err
    source = built.source
    entry.async_on_unload(source.async_close)
    meter_source = await async_create_meter(hass, entry.data, options)
    if meter_source is not None:
        entry.async_on_unload(meter_source.async_close)
    coordinator = HeatPumpCoordinator(
        hass,
        entry,
        options=options,
        source=source,
        engine=engine,
        store=store,
        recorders=(changes, csv),
        min_interval=built.hooks.min_update_interval,
    )
    entry.async_on_unload(built.hooks.async_bind(coordinator))
    meter = (
        MeterCoordinator(
            hass, entry, options=options, meter=meter_source, engine=engine, store=store
        )
        if meter_source is not None
        else None
    )
    refreshes = [coordinator.async_config_entry_first_refresh()]
    if meter is not None:
        refreshes.append(meter.async_config_entry_first_refresh())
    await asyncio.gather(*refreshes)
    entry.runtime_data = HeatPumpStatsRuntimeData(
        heat_pump=coordinator,
        meter=meter,
        identity=source.identity,
        options=options,
        store=store,
        changes=changes,
        csv=csv,
    )
    entry.async_on_unload(csv.async_start_schedule())
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    if "recorder" in hass.config.components and has_electricity(entry):
        entry.async_on_unload(DailyCopStatistic(hass, entry).async_start(coordinator))
    if entry.data.get(CONF_SOURCE) == SOURCE_DEMO:
        async_setup_demo_history(hass, entry, store, options)
    return True


def _invalid_configuration(err: Exception) -> ConfigEntryError:
    """A register map or mode map that cannot be used: the user has to fix it."""
    return ConfigEntryError(
        translation_domain=DOMAIN,
        translation_key="invalid_configuration",
        translation_placeholders={"error": str(err)},
    )


async def async_unload_entry(hass: HomeAssistant, entry: HeatPumpStatsConfigEntry) -> bool:
    """Unload an entry; its accumulated state is written before it goes.

    The sources, the change log and the sample table close in the callbacks
    setup registered (Home Assistant runs them after this).
    """
    if not await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        return False
    await entry.runtime_data.store.async_save()
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
