"""Heat Pump Stats: measure any heat pump (COP, heat delivered, seasonal COP)."""

from __future__ import annotations

import asyncio

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .changelog import ChangeRecorder
from .const import (
    CONF_FLOW_RATE_L_MIN,
    CONF_NAME,
    CONF_SOURCE,
    DEMO_FLOW_RATE_L_MIN,
    DEMO_RATED_THERMAL_POWER_KW,
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
from .engine.core import Engine
from .services import async_setup_services
from .sources.base import HeatPumpSource, MeterSource
from .sources.demo_source import DemoSource
from .store.changelog import ChangeLogError

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Set up the integration (services are registered here, once)."""
    async_setup_services(hass)
    return True


def _create_source(
    hass: HomeAssistant, entry: HeatPumpStatsConfigEntry, stored: dict[str, object] | None
) -> HeatPumpSource:
    """Build the entry's heat pump source."""
    source = entry.data[CONF_SOURCE]
    if source == SOURCE_DEMO:
        return DemoSource(
            name=entry.data[CONF_NAME],
            clock=dt_util.utcnow,
            rated_thermal_power_kw=DEMO_RATED_THERMAL_POWER_KW,
            flow_rate_l_min=entry.options.get(CONF_FLOW_RATE_L_MIN) or DEMO_FLOW_RATE_L_MIN,
            stored=stored,
        )
    raise ConfigEntryError(
        translation_domain=DOMAIN,
        translation_key="unsupported_source",
        translation_placeholders={"source": str(source)},
    )


def _create_meter(hass: HomeAssistant, entry: HeatPumpStatsConfigEntry) -> MeterSource | None:
    """Build the entry's separate electricity meter (None: no meter, or the heat pump's own)."""
    return None


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
    changes = ChangeRecorder(hass, entry.entry_id)
    try:
        await changes.async_open()
    except ChangeLogError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="changelog_error",
            translation_placeholders={"error": str(err)},
        ) from err
    source = _create_source(hass, entry, stored.get("source"))
    meter_source = _create_meter(hass, entry)
    coordinator = HeatPumpCoordinator(hass, entry, source=source, engine=engine, store=store)
    coordinator.changes = changes
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
        await source.async_close()
        if meter_source is not None:
            await meter_source.async_close()
        await changes.async_close()
        raise
    entry.runtime_data = HeatPumpStatsRuntimeData(
        heat_pump=coordinator,
        meter=meter,
        identity=source.identity,
        store=store,
        changes=changes,
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
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
    return True


async def async_remove_entry(hass: HomeAssistant, entry: HeatPumpStatsConfigEntry) -> None:
    """Delete the entry's stored state and change log when the user deletes the entry."""
    await EntryStore(hass, entry.entry_id).async_remove()
    try:
        await ChangeRecorder(hass, entry.entry_id).async_delete()
    except ChangeLogError as err:
        LOGGER.warning("Could not delete the change log of %s: %s", entry.title, err)
