"""Config flow of Heat Pump Stats: source, source details, meter; options, reauth, reconfigure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
import logging
from pathlib import Path
from typing import Any, override

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
from homeassistant.util import slugify
import probatio as vol

from .const import (
    AVAILABLE_SOURCES,
    CONF_BAUDRATE,
    CONF_BRAND,
    CONF_CONNECTION,
    CONF_DEVICE,
    CONF_ENERGY_ENTITY,
    CONF_FLOW_RATE_L_MIN,
    CONF_HOST,
    CONF_METER,
    CONF_METER_SCAN_INTERVAL_S,
    CONF_MODE_MAP,
    CONF_MODEL,
    CONF_NAME,
    CONF_PORT,
    CONF_POWER_ENTITY,
    CONF_RATED_THERMAL_POWER_KW,
    CONF_REGISTER_MAP,
    CONF_SCAN_INTERVAL_S,
    CONF_SEASON_START,
    CONF_SERIAL_PORT,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_SOURCE,
    CONF_STALE_AFTER_MIN,
    CONF_UNIT_ID,
    CONF_VIESSMANN_DAILY_CALL_BUDGET,
    CONNECTION_RTU,
    CONNECTION_TCP,
    DEFAULT_LUXTRONIK_PORT,
    DEFAULT_METER_SCAN_INTERVAL_S,
    DEFAULT_MODBUS_PORT,
    DEFAULT_SCAN_INTERVAL_S,
    DEFAULT_SEASON_START,
    DEFAULT_STALE_AFTER_MIN,
    DEFAULT_VIESSMANN_DAILY_CALL_BUDGET,
    DOMAIN,
    H66_BRANDS,
    LOGGER,
    MAX_SCAN_INTERVAL_S,
    METER_ENTITY,
    METER_NONE,
    METER_SHELLY_PRO_3EM,
    METER_SOURCE,
    MIN_SCAN_INTERVAL_S,
    MODBUS_MODELS,
    MODEL_CUSTOM,
    SOURCE_DEMO,
    SOURCE_ENTITIES,
    SOURCE_H66,
    SOURCE_LUXTRONIK,
    SOURCE_MODBUS,
    SOURCE_VIESSMANN,
)
from .coordinator import HeatPumpStatsConfigEntry, parse_season_start
from .csv_reports import (
    CONF_CSV_DIRECTORY,
    CONF_CSV_RETENTION_DAYS,
    CONF_CSV_TIME,
    DEFAULT_CSV_RETENTION_DAYS,
    DEFAULT_CSV_TIME,
    directory_allowed,
)
from .engine.budget import BudgetExceeded
from .factory import async_create_meter, async_create_source
from .ha_sources import raw_state
from .sources.base import SourceAuthError, SourceDataError, SourceError
from .sources.entities import (
    ESPALTHERMA_MODE_MAP,
    FIELDS,
    REQUIRED_FIELDS,
    ModeMapError,
    check_units,
    format_mode_map,
    parse_mode_map,
)
from .sources.http import parse_host
from .sources.modbus import RegisterMapError
from .sources.reading import DeviceIdentity, HeatPumpReading
from .sources.viessmann import ViessmannDevice
from .vicare import async_get_budget, async_list_devices

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()


def _select(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=key, mode=SelectSelectorMode.LIST)
    )


def _number(minimum: float, maximum: float, step: float, unit: str | None = None) -> NumberSelector:
    config = NumberSelectorConfig(min=minimum, max=maximum, step=step, mode=NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def _has_electricity(reading: HeatPumpReading) -> bool:
    return reading.electrical_power is not None or reading.electrical_energy is not None


def _error_key(err: SourceError) -> str:
    if isinstance(err, SourceAuthError):
        return "invalid_auth"
    if isinstance(err, SourceDataError):
        return "invalid_response"
    return "cannot_connect"


class HeatPumpStatsConfigFlow(config_entry_oauth2_flow.AbstractOAuth2FlowHandler, domain=DOMAIN):
    """Set up one heat pump system: a source plus, optionally, a meter.

    The flow is an OAuth2 flow handler so the Viessmann source can use Home
    Assistant's application credentials (pick_implementation, the external
    sign-in, the token); every other source goes its own way from `user`.
    """

    DOMAIN = DOMAIN
    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        super().__init__()
        self._data: dict[str, Any] = {}
        self._title = ""
        self._reports_electricity = False
        self._devices: dict[str, ViessmannDevice] = {}
        self._reauth_updates: dict[str, Any] = {}

    @property
    @override
    def logger(self) -> logging.Logger:
        """The flow's logger."""
        return LOGGER

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: HeatPumpStatsConfigEntry) -> OptionsFlowHandler:
        """Return the options flow."""
        return OptionsFlowHandler()

    # ----------------------------------------------------------------- helpers

    async def _async_probe(self, data: Mapping[str, Any]) -> tuple[DeviceIdentity, HeatPumpReading]:
        """Read the heat pump once with the entered settings (raises SourceError)."""
        source = await async_create_source(self.hass, {**self._data, **data}, {}, None)
        try:
            reading = await source.async_read()
            return source.identity, reading
        finally:
            await source.async_close()

    async def _async_finish_source(
        self, unique_id: str, title: str, data: Mapping[str, Any], *, reports_electricity: bool
    ) -> ConfigFlowResult:
        """Source step done: reconfigure ends here, setup goes on to the meter."""
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            return self.async_update_reload_and_abort(entry, data_updates=dict(data))
        await self.async_set_unique_id(unique_id)
        self._abort_if_unique_id_configured()
        self._data.update(data)
        self._title = title
        self._reports_electricity = reports_electricity
        return await self.async_step_meter()

    def _defaults(self, user_input: Mapping[str, Any] | None) -> dict[str, Any]:
        """Values to show again: what was entered, else the entry's (reconfigure)."""
        if user_input is not None:
            return dict(user_input)
        if self.source == SOURCE_RECONFIGURE:
            return dict(self._get_reconfigure_entry().data)
        return {}

    # ------------------------------------------------------------------ steps

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the heat pump source."""
        if user_input is not None:
            self._data[CONF_SOURCE] = user_input[CONF_SOURCE]
            step: Callable[[], Awaitable[ConfigFlowResult]] = getattr(
                self, f"async_step_{user_input[CONF_SOURCE]}"
            )
            return await step()
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_SOURCE, default=SOURCE_DEMO): _select(
                        list(AVAILABLE_SOURCES), CONF_SOURCE
                    )
                }
            ),
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the connection settings of a network heat pump."""
        entry = self._get_reconfigure_entry()
        source = entry.data[CONF_SOURCE]
        if source == SOURCE_VIESSMANN:
            # Sign in again (perhaps with other application credentials); the
            # heat pump must still be on the account.
            self._data = dict(entry.data)
            return await self.async_step_pick_implementation()
        if source not in (SOURCE_LUXTRONIK, SOURCE_MODBUS, SOURCE_H66):
            return self.async_abort(reason="reconfigure_not_supported")
        self._data = {CONF_SOURCE: source}
        step: Callable[[dict[str, Any] | None], Awaitable[ConfigFlowResult]] = getattr(
            self, f"async_step_{source}"
        )
        return await step(user_input)

    async def async_step_viessmann(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in to the Viessmann cloud with the user's own client id."""
        return await self.async_step_pick_implementation()

    @override
    async def async_oauth_create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Signed in: test the account (1 budgeted call) and pick the heat pump."""
        if self.source == SOURCE_REAUTH:
            entry = self._get_reauth_entry()
            if entry.data.get("auth_implementation") != data["auth_implementation"]:
                return self.async_abort(reason="wrong_account")
            return self.async_update_reload_and_abort(
                entry, data_updates={"token": data["token"], **self._reauth_updates}
            )
        if self.source != SOURCE_RECONFIGURE:
            self._data.update(data)
        account = await async_get_budget(
            self.hass, data["auth_implementation"], DEFAULT_VIESSMANN_DAILY_CALL_BUDGET
        )
        try:
            devices = await async_list_devices(self.hass, account, data["token"]["access_token"])
        except SourceAuthError:
            return self.async_abort(reason="invalid_auth")
        except (SourceError, BudgetExceeded) as err:
            LOGGER.warning("Cannot list the Viessmann account's devices: %s", err)
            return self.async_abort(reason="cannot_connect")
        if not devices:
            return self.async_abort(reason="no_devices")
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            current = ViessmannDevice.from_dict(entry.data[CONF_DEVICE]).unique_id
            if current not in {device.unique_id for device in devices}:
                return self.async_abort(reason="device_not_found")
            return self.async_update_reload_and_abort(
                entry,
                data_updates={
                    "auth_implementation": data["auth_implementation"],
                    "token": data["token"],
                },
            )
        self._devices = {device.unique_id: device for device in devices}
        if len(devices) == 1:
            return await self._async_finish_viessmann(devices[0])
        return await self.async_step_device()

    async def async_step_device(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The account has several heat pumps: choose one (add the integration again for more)."""
        if user_input is not None:
            return await self._async_finish_viessmann(self._devices[user_input[CONF_DEVICE]])
        return self.async_show_form(
            step_id="device",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_DEVICE): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(
                                    value=key,
                                    label=f"{device.model} ({device.gateway_serial})",
                                )
                                for key, device in self._devices.items()
                            ],
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def _async_finish_viessmann(self, device: ViessmannDevice) -> ConfigFlowResult:
        return await self._async_finish_source(
            f"viessmann_{device.unique_id}",
            f"Viessmann {device.model}",
            {CONF_DEVICE: device.to_dict()},
            reports_electricity=False,
        )

    async def async_step_demo(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the simulated heat pump (no hardware needed)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not any(char.isalnum() for char in name):
                errors[CONF_NAME] = "invalid_name"
            else:
                return await self._async_finish_source(
                    f"demo_{slugify(name)}",
                    name,
                    {CONF_NAME: name},
                    reports_electricity=True,
                )
        return self.async_show_form(
            step_id="demo",
            data_schema=vol.Schema({vol.Required(CONF_NAME, default="Demo heat pump"): _TEXT}),
            errors=errors,
        )

    async def async_step_luxtronik(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Host and port of a Luxtronik 2 controller (port 8889, not the web port 8888)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_HOST: user_input[CONF_HOST].strip(), CONF_PORT: int(user_input[CONF_PORT])}
            if data[CONF_PORT] in (80, 8888):
                errors[CONF_PORT] = "web_port"
            else:
                try:
                    identity, reading = await self._async_probe(data)
                except SourceError as err:
                    LOGGER.debug("Luxtronik probe of %s failed: %s", data[CONF_HOST], err)
                    errors[CONF_HOST] = _error_key(err)
                else:
                    unique = identity.serial_number or f"{data[CONF_HOST]}_{data[CONF_PORT]}"
                    return await self._async_finish_source(
                        f"luxtronik_{slugify(unique)}",
                        f"{identity.model} ({data[CONF_HOST]})",
                        data,
                        reports_electricity=_has_electricity(reading),
                    )
        defaults = self._defaults(user_input)
        return self.async_show_form(
            step_id="luxtronik",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, "")): _TEXT,
                    vol.Required(
                        CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_LUXTRONIK_PORT)
                    ): _number(1, 65535, 1),
                }
            ),
            errors=errors,
        )

    async def async_step_modbus(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A Modbus heat pump over TCP or RTU, with a shipped or custom register map."""
        errors: dict[str, str] = {}
        placeholders = {"problem": ""}
        if user_input is not None:
            data = {
                CONF_CONNECTION: user_input[CONF_CONNECTION],
                CONF_HOST: (user_input.get(CONF_HOST) or "").strip(),
                CONF_PORT: int(user_input.get(CONF_PORT, DEFAULT_MODBUS_PORT)),
                CONF_UNIT_ID: int(user_input.get(CONF_UNIT_ID, 1)),
                CONF_SERIAL_PORT: (user_input.get(CONF_SERIAL_PORT) or "").strip(),
                CONF_BAUDRATE: int(user_input.get(CONF_BAUDRATE, 9600)),
                CONF_MODEL: user_input[CONF_MODEL],
                CONF_REGISTER_MAP: (user_input.get(CONF_REGISTER_MAP) or "").strip(),
            }
            if data[CONF_CONNECTION] == CONNECTION_TCP and not data[CONF_HOST]:
                errors[CONF_HOST] = "host_required"
            elif data[CONF_CONNECTION] == CONNECTION_RTU and not data[CONF_SERIAL_PORT]:
                errors[CONF_SERIAL_PORT] = "serial_port_required"
            elif data[CONF_MODEL] == MODEL_CUSTOM and not data[CONF_REGISTER_MAP]:
                errors[CONF_REGISTER_MAP] = "register_map_required"
            else:
                try:
                    identity, reading = await self._async_probe(data)
                except RegisterMapError as err:
                    errors[CONF_REGISTER_MAP] = "invalid_register_map"
                    placeholders["problem"] = str(err)
                except SourceError as err:
                    field = (
                        CONF_HOST if data[CONF_CONNECTION] == CONNECTION_TCP else CONF_SERIAL_PORT
                    )
                    errors[field] = _error_key(err)
                else:
                    where = (
                        f"{data[CONF_HOST]}:{data[CONF_PORT]}"
                        if data[CONF_CONNECTION] == CONNECTION_TCP
                        else data[CONF_SERIAL_PORT]
                    )
                    return await self._async_finish_source(
                        f"modbus_{slugify(where)}_{data[CONF_UNIT_ID]}",
                        f"{identity.manufacturer} {identity.model} ({where})",
                        data,
                        reports_electricity=_has_electricity(reading),
                    )
        defaults = self._defaults(user_input)
        return self.async_show_form(
            step_id="modbus",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_CONNECTION, default=defaults.get(CONF_CONNECTION, CONNECTION_TCP)
                    ): _select([CONNECTION_TCP, CONNECTION_RTU], CONF_CONNECTION),
                    vol.Optional(CONF_HOST, default=defaults.get(CONF_HOST, "")): _TEXT,
                    vol.Required(
                        CONF_PORT, default=defaults.get(CONF_PORT, DEFAULT_MODBUS_PORT)
                    ): _number(1, 65535, 1),
                    vol.Required(CONF_UNIT_ID, default=defaults.get(CONF_UNIT_ID, 1)): _number(
                        0, 247, 1
                    ),
                    vol.Optional(
                        CONF_SERIAL_PORT, default=defaults.get(CONF_SERIAL_PORT, "")
                    ): _TEXT,
                    vol.Required(CONF_BAUDRATE, default=defaults.get(CONF_BAUDRATE, 9600)): _select(
                        ["2400", "4800", "9600", "19200", "38400", "57600", "115200"],
                        CONF_BAUDRATE,
                    ),
                    vol.Required(
                        CONF_MODEL, default=defaults.get(CONF_MODEL, MODBUS_MODELS[0])
                    ): _select(list(MODBUS_MODELS), CONF_MODEL),
                    vol.Optional(
                        CONF_REGISTER_MAP, default=defaults.get(CONF_REGISTER_MAP, "")
                    ): _TEXT,
                }
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_h66(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The H66 gateway of a Thermia, IVT or NIBE heat pump."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {CONF_HOST: user_input[CONF_HOST].strip(), CONF_BRAND: user_input[CONF_BRAND]}
            try:
                parse_host(data[CONF_HOST])
            except ValueError:
                errors[CONF_HOST] = "invalid_host"
            else:
                try:
                    identity, reading = await self._async_probe(data)
                except SourceError as err:
                    errors[CONF_HOST] = _error_key(err)
                else:
                    return await self._async_finish_source(
                        f"h66_{slugify(data[CONF_HOST])}",
                        f"{identity.manufacturer} ({data[CONF_HOST]})",
                        data,
                        reports_electricity=_has_electricity(reading),
                    )
        defaults = self._defaults(user_input)
        return self.async_show_form(
            step_id="h66",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_HOST, default=defaults.get(CONF_HOST, "")): _TEXT,
                    vol.Required(
                        CONF_BRAND, default=defaults.get(CONF_BRAND, H66_BRANDS[0])
                    ): _select(list(H66_BRANDS), CONF_BRAND),
                }
            ),
            errors=errors,
        )

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Entities of a heat pump already in Home Assistant (ESPAltherma and others)."""
        errors: dict[str, str] = {}
        placeholders = {"problems": ""}
        if user_input is not None:
            data = {key: user_input[key] for key in FIELDS if user_input.get(key)}
            states = {key: raw_state(self.hass, entity_id) for key, entity_id in data.items()}
            for key, state in states.items():
                if state is None:
                    errors[key] = "entity_not_found"
            problems = check_units({k: v for k, v in states.items() if v is not None})
            for key in problems:
                errors.setdefault(key, "wrong_unit")
            placeholders["problems"] = "; ".join(f"{k}: {v}" for k, v in problems.items())
            if not errors:
                flow_entity = data["flow_temperature"]
                flow_state = self.hass.states.get(flow_entity)
                title = flow_state.name if flow_state is not None else flow_entity
                return await self._async_finish_source(
                    f"entities_{slugify(flow_entity)}",
                    f"Heat pump ({title})",
                    data,
                    reports_electricity=bool(
                        data.get("electrical_power") or data.get("electrical_energy")
                    ),
                )
        schema: dict[Any, Any] = {}
        for key in FIELDS:
            marker = vol.Required if key in REQUIRED_FIELDS else vol.Optional
            domains = ["sensor", "input_number", "number"]
            if key == "operating_mode":
                domains = ["sensor", "select", "input_select"]
            schema[marker(key)] = EntitySelector(EntitySelectorConfig(domain=domains))
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(schema), user_input or {}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_meter(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose where the electricity readings come from."""
        meters = [METER_SHELLY_PRO_3EM, METER_ENTITY, METER_NONE]
        if self._reports_electricity:
            meters.insert(0, METER_SOURCE)
        if user_input is not None:
            meter = user_input[CONF_METER]
            self._data[CONF_METER] = meter
            if meter in (METER_SHELLY_PRO_3EM, METER_ENTITY):
                step: Callable[[], Awaitable[ConfigFlowResult]] = getattr(
                    self, f"async_step_{meter}"
                )
                return await step()
            return self.async_create_entry(title=self._title, data=self._data)
        return self.async_show_form(
            step_id="meter",
            data_schema=vol.Schema(
                {vol.Required(CONF_METER, default=meters[0]): _select(meters, CONF_METER)}
            ),
        )

    async def async_step_shelly_pro_3em(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Shelly Pro 3EM on the local network."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_SHELLY_HOST: user_input[CONF_SHELLY_HOST].strip(),
                CONF_SHELLY_PASSWORD: user_input.get(CONF_SHELLY_PASSWORD) or "",
            }
            errors = await self._async_check_shelly(data)
            if not errors:
                self._data.update(data)
                return self.async_create_entry(title=self._title, data=self._data)
        return self.async_show_form(
            step_id="shelly_pro_3em",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_SHELLY_HOST): _TEXT,
                        vol.Optional(CONF_SHELLY_PASSWORD): _PASSWORD,
                    }
                ),
                {CONF_SHELLY_HOST: (user_input or {}).get(CONF_SHELLY_HOST, "")},
            ),
            errors=errors,
        )

    async def _async_check_shelly(self, data: Mapping[str, Any]) -> dict[str, str]:
        try:
            parse_host(data[CONF_SHELLY_HOST])
        except ValueError:
            return {CONF_SHELLY_HOST: "invalid_host"}
        meter = await async_create_meter(
            self.hass, {**self._data, **data, CONF_METER: METER_SHELLY_PRO_3EM}
        )
        assert meter is not None
        try:
            await meter.async_read()
        except SourceAuthError:
            return {CONF_SHELLY_PASSWORD: "invalid_auth"}
        except SourceError as err:
            return {CONF_SHELLY_HOST: _error_key(err)}
        finally:
            await meter.async_close()
        return {}

    async def async_step_entity(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A power and/or energy entity as the meter."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_POWER_ENTITY: user_input.get(CONF_POWER_ENTITY) or "",
                CONF_ENERGY_ENTITY: user_input.get(CONF_ENERGY_ENTITY) or "",
            }
            if not data[CONF_POWER_ENTITY] and not data[CONF_ENERGY_ENTITY]:
                errors["base"] = "meter_entity_required"
            else:
                fields = {
                    "electrical_power": data[CONF_POWER_ENTITY],
                    "electrical_energy": data[CONF_ENERGY_ENTITY],
                }
                states = {k: raw_state(self.hass, v) for k, v in fields.items() if v}
                conf = {
                    "electrical_power": CONF_POWER_ENTITY,
                    "electrical_energy": CONF_ENERGY_ENTITY,
                }
                for key, state in states.items():
                    if state is None:
                        errors[conf[key]] = "entity_not_found"
                for key in check_units({k: v for k, v in states.items() if v is not None}):
                    errors.setdefault(conf[key], "wrong_unit")
            if not errors:
                self._data.update(data)
                return self.async_create_entry(title=self._title, data=self._data)
        return self.async_show_form(
            step_id="entity",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Optional(CONF_POWER_ENTITY): EntitySelector(
                            EntitySelectorConfig(domain=Platform.SENSOR, device_class="power")
                        ),
                        vol.Optional(CONF_ENERGY_ENTITY): EntitySelector(
                            EntitySelectorConfig(domain=Platform.SENSOR, device_class="energy")
                        ),
                    }
                ),
                user_input or {},
            ),
            errors=errors,
        )

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Credentials stopped working: the Viessmann sign-in and/or the Shelly's password."""
        self._reauth_updates = {}
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Shelly password again (if there is one), then sign in again (Viessmann)."""
        entry = self._get_reauth_entry()
        viessmann = entry.data.get(CONF_SOURCE) == SOURCE_VIESSMANN
        shelly = entry.data.get(CONF_METER) == METER_SHELLY_PRO_3EM
        errors: dict[str, str] = {}
        if user_input is not None:
            self._data = dict(entry.data)
            if shelly and (not viessmann or user_input.get(CONF_SHELLY_PASSWORD)):
                data = {
                    CONF_SHELLY_HOST: entry.data[CONF_SHELLY_HOST],
                    CONF_SHELLY_PASSWORD: user_input.get(CONF_SHELLY_PASSWORD) or "",
                }
                errors = await self._async_check_shelly(data)
                self._reauth_updates = data
            if not errors:
                if viessmann:
                    return await self.async_step_pick_implementation(
                        {"implementation": entry.data["auth_implementation"]}
                    )
                return self.async_update_reload_and_abort(entry, data_updates=self._reauth_updates)
        schema = vol.Schema({vol.Optional(CONF_SHELLY_PASSWORD): _PASSWORD} if shelly else {})
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "host": str(entry.data.get(CONF_SHELLY_HOST, "")),
                "title": entry.title,
            },
        )


class OptionsFlowHandler(OptionsFlowWithReload):
    """Tune the physics and the poll intervals; the entry reloads on save."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and validate the options."""
        errors: dict[str, str] = {}
        placeholders = {"problem": ""}
        entry = self.config_entry
        if user_input is not None:
            try:
                parse_season_start(user_input.get(CONF_SEASON_START, DEFAULT_SEASON_START))
            except ValueError:
                errors[CONF_SEASON_START] = "invalid_season_start"
            directory = str(user_input.get(CONF_CSV_DIRECTORY) or "").strip()
            if directory:
                path = Path(directory)
                if not path.is_absolute():
                    path = Path(self.hass.config.path(directory))
                if not await self.hass.async_add_executor_job(directory_allowed, self.hass, path):
                    errors[CONF_CSV_DIRECTORY] = "csv_directory_not_allowed"
            if CONF_MODE_MAP in user_input:
                try:
                    parse_mode_map(user_input[CONF_MODE_MAP])
                except ModeMapError as err:
                    errors[CONF_MODE_MAP] = "invalid_mode_map"
                    placeholders["problem"] = str(err)
            if not errors:
                for key in (
                    CONF_SCAN_INTERVAL_S,
                    CONF_METER_SCAN_INTERVAL_S,
                    CONF_STALE_AFTER_MIN,
                    CONF_VIESSMANN_DAILY_CALL_BUDGET,
                    CONF_CSV_RETENTION_DAYS,
                ):
                    if key in user_input:
                        user_input[key] = int(user_input[key])
                return self.async_create_entry(data=user_input)
        options = entry.options
        schema: dict[Any, Any] = {
            vol.Optional(CONF_RATED_THERMAL_POWER_KW): _number(0.5, 100, 0.1, "kW"),
            vol.Optional(CONF_FLOW_RATE_L_MIN): _number(1, 500, 0.1, "l/min"),
            vol.Required(
                CONF_SCAN_INTERVAL_S,
                default=options.get(CONF_SCAN_INTERVAL_S, DEFAULT_SCAN_INTERVAL_S),
            ): _number(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s"),
        }
        if entry.data.get(CONF_METER) in (METER_SHELLY_PRO_3EM, METER_ENTITY):
            schema[
                vol.Required(
                    CONF_METER_SCAN_INTERVAL_S,
                    default=options.get(CONF_METER_SCAN_INTERVAL_S, DEFAULT_METER_SCAN_INTERVAL_S),
                )
            ] = _number(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s")
        if entry.data.get(CONF_SOURCE) == SOURCE_VIESSMANN:
            schema[
                vol.Required(
                    CONF_VIESSMANN_DAILY_CALL_BUDGET,
                    default=options.get(
                        CONF_VIESSMANN_DAILY_CALL_BUDGET, DEFAULT_VIESSMANN_DAILY_CALL_BUDGET
                    ),
                )
            ] = _number(50, DEFAULT_VIESSMANN_DAILY_CALL_BUDGET, 1, "calls/day")
        if entry.data.get(CONF_SOURCE) == SOURCE_ENTITIES:
            schema[
                vol.Required(
                    CONF_MODE_MAP,
                    default=options.get(CONF_MODE_MAP, format_mode_map(ESPALTHERMA_MODE_MAP)),
                )
            ] = TextSelector(TextSelectorConfig(multiline=True))
        if (
            entry.data.get(CONF_SOURCE) == SOURCE_ENTITIES
            or entry.data.get(CONF_METER) == METER_ENTITY
        ):
            schema[
                vol.Required(
                    CONF_STALE_AFTER_MIN,
                    default=options.get(CONF_STALE_AFTER_MIN, DEFAULT_STALE_AFTER_MIN),
                )
            ] = _number(0, 1440, 1, "min")
        schema[
            vol.Required(
                CONF_SEASON_START, default=options.get(CONF_SEASON_START, DEFAULT_SEASON_START)
            )
        ] = _TEXT
        schema[vol.Optional(CONF_CSV_DIRECTORY)] = _TEXT
        schema[
            vol.Required(
                CONF_CSV_RETENTION_DAYS,
                default=options.get(CONF_CSV_RETENTION_DAYS, DEFAULT_CSV_RETENTION_DAYS),
            )
        ] = _number(1, 3650, 1, "d")
        schema[
            vol.Required(CONF_CSV_TIME, default=options.get(CONF_CSV_TIME, DEFAULT_CSV_TIME))
        ] = TimeSelector()
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(schema), user_input or dict(options)
            ),
            errors=errors,
            description_placeholders=placeholders,
        )
