"""Builds an entry's heat pump source and meter from its data and options."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
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
    CONF_FLOW_RATE_L_MIN,
    CONF_HOST,
    CONF_METER,
    CONF_MODE_MAP,
    CONF_MODEL,
    CONF_NAME,
    CONF_PORT,
    CONF_POWER_ENTITY,
    CONF_REGISTER_MAP,
    CONF_SERIAL_PORT,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_SOURCE,
    CONF_STALE_AFTER_MIN,
    CONF_UNIT_ID,
    CONF_VIESSMANN_DAILY_CALL_BUDGET,
    DEFAULT_STALE_AFTER_MIN,
    DEFAULT_VIESSMANN_DAILY_CALL_BUDGET,
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
from .sources.base import HeatPumpSource, MeterSource
from .sources.demo_source import DemoSource
from .sources.entities import ESPALTHERMA_MODE_MAP, parse_mode_map
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


async def _async_viessmann(hass: HomeAssistant, entry: ConfigEntry) -> ViessmannHASource:
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
    daily_limit = int(
        entry.options.get(CONF_VIESSMANN_DAILY_CALL_BUDGET, DEFAULT_VIESSMANN_DAILY_CALL_BUDGET)
    )
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
    entry: ConfigEntry | None = None,
) -> HeatPumpSource:
    """Build the heat pump source an entry (or a flow being tested) describes.

    Raises `sources.modbus.RegisterMapError` for an unusable register map.
    """
    source = data[CONF_SOURCE]
    if source == SOURCE_VIESSMANN and entry is not None:
        return await _async_viessmann(hass, entry)
    if source == SOURCE_DEMO:
        return DemoSource(
            name=data[CONF_NAME],
            clock=dt_util.utcnow,
            rated_thermal_power_kw=DEMO_RATED_THERMAL_POWER_KW,
            flow_rate_l_min=options.get(CONF_FLOW_RATE_L_MIN) or DEMO_FLOW_RATE_L_MIN,
            stored=stored,
        )
    if source == SOURCE_LUXTRONIK:
        return LuxtronikSource(data[CONF_HOST], int(data[CONF_PORT]))
    if source == SOURCE_MODBUS:
        model = data[CONF_MODEL]
        where: str | Path = (
            _register_map_path(hass, data[CONF_REGISTER_MAP]) if model == MODEL_CUSTOM else model
        )
        register_map = await hass.async_add_executor_job(load_register_map, where)
        return ModbusSource(
            connection=data[CONF_CONNECTION],
            host=data.get(CONF_HOST) or None,
            port=int(data.get(CONF_PORT, 502)),
            unit_id=int(data.get(CONF_UNIT_ID, 1)),
            serial_port=data.get(CONF_SERIAL_PORT) or None,
            baudrate=int(data.get(CONF_BAUDRATE, 9600)),
            register_map=register_map,
        )
    if source == SOURCE_H66:
        return H66Source(async_get_clientsession(hass), data[CONF_HOST], data[CONF_BRAND])
    if source == SOURCE_ENTITIES:
        mode_map = (
            parse_mode_map(options[CONF_MODE_MAP])
            if options.get(CONF_MODE_MAP)
            else ESPALTHERMA_MODE_MAP
        )
        return EntitiesSource(
            hass,
            data,
            mode_map=mode_map or ESPALTHERMA_MODE_MAP,
            stale_after=timedelta(
                minutes=options.get(CONF_STALE_AFTER_MIN, DEFAULT_STALE_AFTER_MIN)
            ),
        )
    raise ConfigEntryError(
        translation_domain=DOMAIN,
        translation_key="unsupported_source",
        translation_placeholders={"source": str(source)},
    )


async def async_create_meter(
    hass: HomeAssistant, data: Mapping[str, Any], options: Mapping[str, Any] | None = None
) -> MeterSource | None:
    """The entry's separate meter; None for no meter or the heat pump's own readings."""
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
            stale_after=timedelta(
                minutes=(options or {}).get(CONF_STALE_AFTER_MIN, DEFAULT_STALE_AFTER_MIN)
            ),
        )
    return None
