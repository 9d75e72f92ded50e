"""Builds an entry's heat pump source and meter from its data and options.

`async_create_entry_source` is setup's: the source and its hooks
(`source_hooks.SourceHooks`), from the one branch that knows which source it
made, so nothing else tests for a source's type. `async_create_source` is the
config flow's: the bare source, to try the connection.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from aiohttp import ClientError, ClientResponseError
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BAUDRATE,
    CONF_BRAND,
    CONF_CONNECTION,
    CONF_DEVICE,
    CONF_ENERGY_ENTITY,
    CONF_HOST,
    CONF_METER,
    CONF_MODEL,
    CONF_NAME,
    CONF_PORT,
    CONF_POWER_ENTITY,
    CONF_REGISTER_MAP,
    CONF_SERIAL_PORT,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_SOURCE,
    CONF_UNIT_ID,
    DEMO_FLOW_RATE_L_MIN,
    DEMO_RATED_THERMAL_POWER_KW,
    DOMAIN,
    METER_ENTITY,
    METER_SHELLY_PRO_3EM,
    MODEL_CUSTOM,
    SOURCE_DEMO,
    SOURCE_ENTITIES,
    SOURCE_H66,
    SOURCE_LUXTRONIK,
    SOURCE_MODBUS,
    SOURCE_VIESSMANN,
)
from .ha_sources import EntitiesSource, EntityMeter
from .options import EntryOptions
from .source_hooks import NO_HOOKS, SourceHooks
from .sources.base import HeatPumpSource, MeterSource
from .sources.demo import DemoSource
from .sources.h66 import H66Source
from .sources.luxtronik import LuxtronikSource
from .sources.modbus import ModbusSource, load_register_map
from .sources.shelly import ShellyPro3EM
from .sources.viessmann import ViessmannDevice
from .vicare import ConfigEntryAuth, ViessmannHASource, async_get_budget


def _register_map_path(hass: HomeAssistant, value: str) -> Path:
    """A custom map path as entered: absolute, or relative to the config folder."""
    path = Path(value)
    return path if path.is_absolute() else Path(hass.config.path(value))


@dataclass(frozen=True, slots=True)
class EntrySource:
    """An entry's heat pump source and what it needs of the entry beyond its polls."""

    source: HeatPumpSource
    hooks: SourceHooks = NO_HOOKS


async def _async_viessmann(
    hass: HomeAssistant, entry: ConfigEntry, options: EntryOptions
) -> ViessmannHASource:
    """The entry's OAuth2 session (token checked now) and the account's shared budget."""
    try:
        implementation = await config_entry_oauth2_flow.async_get_config_entry_implementation(
            hass, entry
        )
    except config_entry_oauth2_flow.ImplementationUnavailableError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="oauth_unavailable"
        ) from err
    session = config_entry_oauth2_flow.OAuth2Session(hass, entry, implementation)
    try:
        await session.async_ensure_token_valid()
    except ClientResponseError as err:
        # 400-499 means the sign-in is gone (reauth); 429 (too many requests)
        # and 5xx are transient, as Home Assistant's own token errors map them.
        if 400 <= err.status < 500 and err.status != HTTPStatus.TOO_MANY_REQUESTS:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="auth_failed",
                translation_placeholders={"device": "Viessmann account"},
            ) from err
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"device": "Viessmann cloud", "error": str(err)},
        ) from err
    except ClientError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"device": "Viessmann cloud", "error": str(err)},
        ) from err
    daily_limit = options.viessmann_daily_call_budget
    account = await async_get_budget(hass, entry.data["auth_implementation"], daily_limit)
    manager = await hass.async_add_executor_job(ConfigEntryAuth, hass, session)
    return ViessmannHASource(
        hass,
        entry_id=entry.entry_id,
        entry_title=entry.title,
        manager=manager,
        account=account,
        device=ViessmannDevice.from_dict(entry.data[CONF_DEVICE]),
        daily_limit=daily_limit,
    )


async def async_create_source(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    options: Mapping[str, Any],
    stored: dict[str, Any] | None,
) -> HeatPumpSource:
    """Build the heat pump source a config flow is testing (no entry yet; not Viessmann).

    Raises `sources.modbus.RegisterMapError` for an unusable register map.
    """
    built = await _async_build(hass, data, EntryOptions.from_options(options), stored, None)
    return built.source


async def async_create_entry_source(
    hass: HomeAssistant,
    entry: ConfigEntry,
    options: EntryOptions,
    stored: dict[str, Any] | None,
) -> EntrySource:
    """Build an entry's heat pump source with its hooks.

    Raises `sources.modbus.RegisterMapError` for an unusable register map.
    """
    return await _async_build(hass, entry.data, options, stored, entry)


async def _async_build(
    hass: HomeAssistant,
    data: Mapping[str, Any],
    options: EntryOptions,
    stored: dict[str, Any] | None,
    entry: ConfigEntry | None,
) -> EntrySource:
    """The one place that knows which source is which."""
    source = data[CONF_SOURCE]
    if source == SOURCE_VIESSMANN and entry is not None:
        viessmann = await _async_viessmann(hass, entry, options)
        return EntrySource(viessmann, hooks=viessmann)
    if source == SOURCE_DEMO:
        return EntrySource(
            DemoSource(
                name=data[CONF_NAME],
                clock=dt_util.utcnow,
                rated_thermal_power_kw=DEMO_RATED_THERMAL_POWER_KW,
                flow_rate_l_min=options.flow_rate_l_min or DEMO_FLOW_RATE_L_MIN,
                stored=stored,
            )
        )
    if source == SOURCE_LUXTRONIK:
        return EntrySource(LuxtronikSource(data[CONF_HOST], int(data[CONF_PORT])))
    if source == SOURCE_MODBUS:
        model = data[CONF_MODEL]
        where: str | Path = (
            _register_map_path(hass, data[CONF_REGISTER_MAP]) if model == MODEL_CUSTOM else model
        )
        register_map = await hass.async_add_executor_job(load_register_map, where)
        return EntrySource(
            ModbusSource(
                connection=data[CONF_CONNECTION],
                host=data.get(CONF_HOST) or None,
                port=int(data.get(CONF_PORT, 502)),
                unit_id=int(data.get(CONF_UNIT_ID, 1)),
                serial_port=data.get(CONF_SERIAL_PORT) or None,
                baudrate=int(data.get(CONF_BAUDRATE, 9600)),
                register_map=register_map,
            )
        )
    if source == SOURCE_H66:
        return EntrySource(
            H66Source(async_get_clientsession(hass), data[CONF_HOST], data[CONF_BRAND])
        )
    if source == SOURCE_ENTITIES:
        entities = EntitiesSource(
            hass, data, mode_map=options.mode_map, stale_after=options.stale_after
        )
        return EntrySource(entities, hooks=entities)
    raise ConfigEntryError(
        translation_domain=DOMAIN,
        translation_key="unsupported_source",
        translation_placeholders={"source": str(source)},
    )


async def async_create_meter(
    hass: HomeAssistant, data: Mapping[str, Any], options: EntryOptions | None = None
) -> MeterSource | None:
    """The entry's separate meter; None for no meter or the heat pump's own readings.

    `options` are the entry's (a config flow testing a meter has none: the defaults).
    """
    options = options or EntryOptions()
    meter = data.get(CONF_METER)
    if meter == METER_SHELLY_PRO_3EM:
        return ShellyPro3EM(
            async_get_clientsession(hass),
            data[CONF_SHELLY_HOST],
            data.get(CONF_SHELLY_PASSWORD) or None,
        )
    if meter == METER_ENTITY:
        return EntityMeter(
            hass,
            power_entity=data.get(CONF_POWER_ENTITY) or None,
            energy_entity=data.get(CONF_ENERGY_ENTITY) or None,
            stale_after=options.stale_after,
        )
    return None
