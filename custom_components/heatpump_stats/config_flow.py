"""Config flow of Heat Pump Stats: source, source details, meter; options, reauth, reconfigure.

The shape follows homewizard's flow: each step builds its schema and calls
one `_async_try_connect`, which raises a `RecoverableError` naming the field
and the error key; the local network sources (Luxtronik, Modbus TCP and RTU,
H66) are rows of one table (`_DEVICE_FORMS`: schema, checks, unique id,
title) and share one step body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
import logging
from pathlib import Path
from typing import Any, override
from urllib.parse import urlsplit

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    config_entry_oauth2_flow,
    device_registry as dr,
    entity_registry as er,
)
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
    CONF_COP_BELOW_EXPECTED_PCT,
    CONF_CSV_DIRECTORY,
    CONF_CSV_RETENTION_DAYS,
    CONF_CSV_TIME,
    CONF_DEFROST,
    CONF_DEMO_HISTORY_DAYS,
    CONF_DEVICE,
    CONF_ENERGY_ENTITY,
    CONF_FLOW_RATE_L_MIN,
    CONF_HOST,
    CONF_INFLUXDB_API_VERSION,
    CONF_INFLUXDB_BUCKET,
    CONF_INFLUXDB_DATABASE,
    CONF_INFLUXDB_ORG,
    CONF_INFLUXDB_PASSWORD,
    CONF_INFLUXDB_TOKEN,
    CONF_INFLUXDB_URL,
    CONF_INFLUXDB_USERNAME,
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
    CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
    CONF_SOURCE,
    CONF_STALE_AFTER_MIN,
    CONF_UNIT_ID,
    CONF_VIESSMANN_DAILY_CALL_BUDGET,
    CONNECTION_RTU,
    CONNECTION_TCP,
    DEFAULT_COP_BELOW_EXPECTED_PCT,
    DEFAULT_CSV_RETENTION_DAYS,
    DEFAULT_CSV_TIME,
    DEFAULT_INFLUXDB_DATABASE,
    DEFAULT_LUXTRONIK_PORT,
    DEFAULT_METER_SCAN_INTERVAL_S,
    DEFAULT_MODBUS_PORT,
    DEFAULT_SCAN_INTERVAL_S,
    DEFAULT_SEASON_START,
    DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
    DEFAULT_STALE_AFTER_MIN,
    DEFAULT_VIESSMANN_DAILY_CALL_BUDGET,
    DOMAIN,
    H66_BRANDS,
    INFLUXDB_KEYS,
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
from .coordinator import HeatPumpStatsConfigEntry
from .csv_reports import directory_allowed
from .factory import async_create_meter, async_create_source
from .ha_sources import raw_state
from .history_import import DEMO_HISTORY_DAYS
from .influx_history import influx_config
from .model.api_rate_limit import BudgetExceeded
from .model.reading import DeviceIdentity, HeatPumpReading
from .options import parse_season_start
from .sources.base import (
    SourceAuthError,
    SourceAuthRequiredError,
    SourceConnectionError,
    SourceDataError,
    SourceError,
    SourceNotThisDeviceError,
)
from .sources.entities import (
    ESPALTHERMA_MODE_MAP,
    FIELD_QUANTITY,
    FIELDS,
    REQUIRED_FIELDS,
    ModeMapError,
    check_units,
    format_mode_map,
    parse_mode_map,
)
from .sources.http import parse_host
from .sources.modbus import RegisterMapError
from .sources.viessmann import ViessmannDevice
from .store.influxdb import (
    API_V1,
    API_V2,
    InfluxAuthError,
    InfluxConfig,
    InfluxError,
    InfluxHistory,
    InfluxNotFoundError,
)
from .vicare import async_get_budget, async_list_devices

_PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_TEXT = TextSelector()
# Baud rates as the select offers them: strings (a select's values are strings;
# an int default would be refused by the schema when the frontend sends it back).
_BAUDRATES = ("2400", "4800", "9600", "19200", "38400", "57600", "115200")
_DEFAULT_BAUDRATE = "9600"
# The keys a meter adds to the entry's data (replaced when the meter changes).
_METER_KEYS = (
    CONF_METER,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_POWER_ENTITY,
    CONF_ENERGY_ENTITY,
)
# The keys the local network forms own.
_DEVICE_KEYS = (
    CONF_CONNECTION,
    CONF_HOST,
    CONF_PORT,
    CONF_SERIAL_PORT,
    CONF_BAUDRATE,
    CONF_UNIT_ID,
    CONF_MODEL,
    CONF_REGISTER_MAP,
    CONF_BRAND,
)
# Sources whose connection settings the reconfigure menu offers.
_SOURCE_SETTINGS = (SOURCE_VIESSMANN, SOURCE_LUXTRONIK, SOURCE_MODBUS, SOURCE_H66, SOURCE_ENTITIES)


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


class RecoverableError(Exception):
    """Input the user can correct: shown as `error` on `field` of the form."""

    def __init__(self, field: str, error: str, **placeholders: str) -> None:
        """Remember where the error goes and what it says."""
        super().__init__(f"{field}: {error}")
        self.field = field
        self.error = error
        self.placeholders = placeholders


def _plain_host(value: Any, field: str = CONF_HOST) -> str:
    """A host name or address without scheme, path or port (Luxtronik, Modbus TCP)."""
    host = str(value or "").strip()
    if not host:
        raise RecoverableError(field, "host_required")
    try:
        parsed, _port = parse_host(host)
    except ValueError as err:
        raise RecoverableError(field, "invalid_plain_host") from err
    if parsed != host.strip("[]"):
        # host:port in a host field: the port has its own field here.
        raise RecoverableError(field, "invalid_plain_host")
    return host


def _http_host(value: Any, field: str = CONF_HOST) -> str:
    """`host` or `host:port` of an HTTP device (H66, Shelly)."""
    host = str(value or "").strip()
    try:
        parse_host(host)
    except ValueError as err:
        raise RecoverableError(field, "invalid_host") from err
    return host


def _title(identity: DeviceIdentity) -> str:
    """Make and model, never an address: the device name (and so the entity ids)."""
    model = identity.model or ""
    make = identity.manufacturer or ""
    if not make or model.lower().startswith(make.split()[0].lower()):
        return model or make
    return f"{make} {model}".strip()


# ------------------------------------------------------------- device forms


@dataclass(frozen=True, kw_only=True)
class _DeviceForm:
    """One local network source: its form, checks, unique id and title."""

    source: str
    schema: Callable[[], dict[Any, Any]]
    parse: Callable[[Mapping[str, Any]], dict[str, Any]]
    unique_id: Callable[[Mapping[str, Any], DeviceIdentity], str]
    title: Callable[[DeviceIdentity], str]
    # The field a failed connection is shown on.
    connection_field: str
    # The error when something answers that is not this kind of device.
    not_this_device: str
    # The unique id comes from the device's serial (when it reports one): a
    # reconfigure that reaches another device aborts (HA's reconfigure rule).
    serial_unique_id: bool = False


def _luxtronik_schema() -> dict[Any, Any]:
    return {
        vol.Required(CONF_HOST): _TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_LUXTRONIK_PORT): _number(1, 65535, 1),
    }


def _luxtronik_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = {
        CONF_HOST: _plain_host(user_input.get(CONF_HOST)),
        CONF_PORT: int(user_input[CONF_PORT]),
    }
    if data[CONF_PORT] in (80, 8888):
        raise RecoverableError(CONF_PORT, "web_port")
    return data


def _luxtronik_unique_id(data: Mapping[str, Any], identity: DeviceIdentity) -> str:
    unique = identity.serial_number or f"{data[CONF_HOST]}_{data[CONF_PORT]}"
    return f"luxtronik_{slugify(unique)}"


def _luxtronik_title(identity: DeviceIdentity) -> str:
    model = identity.model or "Luxtronik"
    return model if "luxtronik" in model.lower() else f"Luxtronik {model}"


def _modbus_common() -> dict[Any, Any]:
    return {
        vol.Required(CONF_UNIT_ID, default=1): _number(0, 247, 1),
        vol.Required(CONF_MODEL, default=MODBUS_MODELS[0]): _select(
            list(MODBUS_MODELS), CONF_MODEL
        ),
        vol.Optional(CONF_REGISTER_MAP): _TEXT,
    }


def _modbus_tcp_schema() -> dict[Any, Any]:
    return {
        vol.Required(CONF_HOST): _TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_MODBUS_PORT): _number(1, 65535, 1),
        **_modbus_common(),
    }


def _modbus_rtu_schema() -> dict[Any, Any]:
    return {
        vol.Required(CONF_SERIAL_PORT): _TEXT,
        vol.Required(CONF_BAUDRATE, default=_DEFAULT_BAUDRATE): _select(
            list(_BAUDRATES), CONF_BAUDRATE
        ),
        **_modbus_common(),
    }


def _modbus_parse_common(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = {
        CONF_UNIT_ID: int(user_input[CONF_UNIT_ID]),
        CONF_MODEL: user_input[CONF_MODEL],
        CONF_REGISTER_MAP: str(user_input.get(CONF_REGISTER_MAP) or "").strip(),
    }
    if data[CONF_MODEL] == MODEL_CUSTOM and not data[CONF_REGISTER_MAP]:
        raise RecoverableError(CONF_REGISTER_MAP, "register_map_required")
    return data


def _modbus_tcp_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    return {
        CONF_CONNECTION: CONNECTION_TCP,
        CONF_HOST: _plain_host(user_input.get(CONF_HOST)),
        CONF_PORT: int(user_input[CONF_PORT]),
        **_modbus_parse_common(user_input),
    }


def _modbus_rtu_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    serial_port = str(user_input.get(CONF_SERIAL_PORT) or "").strip()
    if not serial_port:
        raise RecoverableError(CONF_SERIAL_PORT, "serial_port_required")
    return {
        CONF_CONNECTION: CONNECTION_RTU,
        CONF_SERIAL_PORT: serial_port,
        CONF_BAUDRATE: int(user_input[CONF_BAUDRATE]),
        **_modbus_parse_common(user_input),
    }


def _modbus_unique_id(data: Mapping[str, Any], identity: DeviceIdentity) -> str:
    where = (
        f"{data[CONF_HOST]}:{data[CONF_PORT]}"
        if data[CONF_CONNECTION] == CONNECTION_TCP
        else data[CONF_SERIAL_PORT]
    )
    return f"modbus_{slugify(where)}_{data[CONF_UNIT_ID]}"


def _h66_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    return {CONF_HOST: _http_host(user_input.get(CONF_HOST)), CONF_BRAND: user_input[CONF_BRAND]}


_DEVICE_FORMS: dict[str, _DeviceForm] = {
    SOURCE_LUXTRONIK: _DeviceForm(
        source=SOURCE_LUXTRONIK,
        schema=_luxtronik_schema,
        parse=_luxtronik_parse,
        unique_id=_luxtronik_unique_id,
        title=_luxtronik_title,
        connection_field=CONF_HOST,
        not_this_device="not_luxtronik",
        serial_unique_id=True,
    ),
    "modbus_tcp": _DeviceForm(
        source=SOURCE_MODBUS,
        schema=_modbus_tcp_schema,
        parse=_modbus_tcp_parse,
        unique_id=_modbus_unique_id,
        title=_title,
        connection_field=CONF_HOST,
        not_this_device="not_modbus",
    ),
    "modbus_rtu": _DeviceForm(
        source=SOURCE_MODBUS,
        schema=_modbus_rtu_schema,
        parse=_modbus_rtu_parse,
        unique_id=_modbus_unique_id,
        title=_title,
        connection_field=CONF_SERIAL_PORT,
        not_this_device="not_modbus",
    ),
    SOURCE_H66: _DeviceForm(
        source=SOURCE_H66,
        schema=lambda: {
            vol.Required(CONF_HOST): _TEXT,
            vol.Required(CONF_BRAND, default=H66_BRANDS[0]): _select(list(H66_BRANDS), CONF_BRAND),
        },
        parse=_h66_parse,
        unique_id=lambda data, identity: f"h66_{slugify(data[CONF_HOST])}",
        title=lambda identity: f"{identity.manufacturer} heat pump (H66)",
        connection_field=CONF_HOST,
        not_this_device="not_h66",
    ),
}


def _suggested(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored data as the form shows it (a select's values are strings)."""
    shown = dict(data)
    if CONF_BAUDRATE in shown:
        shown[CONF_BAUDRATE] = str(shown[CONF_BAUDRATE])
    return shown


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

    async def _async_try_connect(
        self, data: Mapping[str, Any], form: _DeviceForm | None = None
    ) -> tuple[DeviceIdentity, HeatPumpReading]:
        """Read the heat pump once with the entered settings.

        Raises RecoverableError with the field and error key to show.
        """
        field = form.connection_field if form is not None else "base"
        try:
            source = await async_create_source(self.hass, {**self._data, **data}, {}, None)
        except RegisterMapError as err:
            raise RecoverableError(
                CONF_REGISTER_MAP, "invalid_register_map", problem=str(err)
            ) from err
        try:
            reading = await source.async_read()
        except SourceNotThisDeviceError as err:
            LOGGER.debug("Something else answers at %s: %s", field, err)
            raise RecoverableError(
                field, form.not_this_device if form else "invalid_response"
            ) from err
        except SourceAuthRequiredError as err:
            raise RecoverableError(field, "auth_required") from err
        except SourceAuthError as err:
            raise RecoverableError(field, "invalid_auth") from err
        except SourceDataError as err:
            LOGGER.debug("Unexpected answer from the heat pump: %s", err)
            raise RecoverableError(field, "invalid_response") from err
        except SourceConnectionError as err:
            LOGGER.debug("Heat pump probe failed: %s", err)
            raise RecoverableError(
                field, "cannot_open_serial" if field == CONF_SERIAL_PORT else "cannot_connect"
            ) from err
        except SourceError as err:
            raise RecoverableError(field, "cannot_connect") from err
        finally:
            await source.async_close()
        return source.identity, reading

    async def _async_finish_source(
        self,
        unique_id: str,
        title: str,
        data: Mapping[str, Any],
        *,
        reports_electricity: bool,
        replaces: tuple[str, ...] = (),
        device_unique_id: str | None = None,
    ) -> ConfigFlowResult:
        """Source step done: reconfigure ends here, setup goes on to the meter.

        `replaces`: the keys the step owns; on reconfigure those not entered
        again (an optional entity cleared, TCP fields after a switch) go.
        `device_unique_id`: on reconfigure, the unique id the device that answered
        identifies itself by (its serial), when the entry's own id is one too:
        another device there aborts with `unique_id_mismatch`.
        """
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            if device_unique_id is not None:
                await self.async_set_unique_id(device_unique_id)
                self._abort_if_unique_id_mismatch()
            # The history continues: the entry keeps its unique id (and so its
            # entities and stored counters) even when the address changes.
            kept = {k: v for k, v in entry.data.items() if k not in replaces}
            return self.async_update_reload_and_abort(entry, data={**kept, **data})
        await self.async_set_unique_id(unique_id)
        self._abort_if_unique_id_configured()
        self._data.update(data)
        self._title = title
        self._reports_electricity = reports_electricity
        return await self.async_step_meter()

    def _form_values(self, user_input: Mapping[str, Any] | None) -> dict[str, Any]:
        """Values to show again: what was entered, else the entry's (reconfigure)."""
        if user_input is not None:
            return dict(user_input)
        if self.source == SOURCE_RECONFIGURE:
            return _suggested(self._get_reconfigure_entry().data)
        return {}

    # ------------------------------------------------------------------ steps

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the heat pump source (nothing is preselected)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            source = user_input.get(CONF_SOURCE)
            if source in AVAILABLE_SOURCES:
                self._data[CONF_SOURCE] = source
                return await self._async_step_source(str(source))
            errors[CONF_SOURCE] = "source_required"
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {vol.Optional(CONF_SOURCE): _select(list(AVAILABLE_SOURCES), CONF_SOURCE)}
            ),
            errors=errors,
        )

    async def _async_step_source(self, source: str) -> ConfigFlowResult:
        steps = {
            SOURCE_DEMO: self.async_step_demo,
            SOURCE_VIESSMANN: self.async_step_viessmann,
            SOURCE_LUXTRONIK: self.async_step_luxtronik,
            SOURCE_MODBUS: self.async_step_modbus,
            SOURCE_H66: self.async_step_h66,
            SOURCE_ENTITIES: self.async_step_entities,
        }
        return await steps[source]()

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the connection settings or the meter; the entry's history continues."""
        entry = self._get_reconfigure_entry()
        source = entry.data[CONF_SOURCE]
        self._data = {CONF_SOURCE: source}
        self._title = entry.title
        if source not in _SOURCE_SETTINGS:
            return await self.async_step_reconfigure_meter()
        return self.async_show_menu(
            step_id="reconfigure", menu_options=["source_settings", "reconfigure_meter"]
        )

    async def async_step_source_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure: the source's own settings (sign-in, host, entities)."""
        entry = self._get_reconfigure_entry()
        source = entry.data[CONF_SOURCE]
        if source == SOURCE_VIESSMANN:
            # Sign in again (perhaps with other application credentials); the
            # heat pump must still be on the account.
            self._data = dict(entry.data)
            return await self.async_step_pick_implementation()
        if source == SOURCE_MODBUS:
            step = (
                "modbus_rtu" if entry.data.get(CONF_CONNECTION) == CONNECTION_RTU else "modbus_tcp"
            )
            return await self._async_device_step(step, None)
        return await self._async_step_source(source)

    async def async_step_reconfigure_meter(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Reconfigure: offer every meter, `source` where the heat pump has readings."""
        entry = self._get_reconfigure_entry()
        source = entry.data[CONF_SOURCE]
        if entry.data.get(CONF_METER) == METER_SOURCE or source == SOURCE_DEMO:
            self._reports_electricity = True
        elif source == SOURCE_ENTITIES:
            self._reports_electricity = bool(
                entry.data.get("electrical_power") or entry.data.get("electrical_energy")
            )
        elif source in _DEVICE_FORMS or source == SOURCE_MODBUS:
            try:
                _identity, reading = await self._async_try_connect(entry.data)
            except RecoverableError:
                self._reports_electricity = False
            else:
                self._reports_electricity = _has_electricity(reading)
        return await self.async_step_meter()

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
            name = str(user_input.get(CONF_NAME) or "").strip()
            unique_id = f"demo_{slugify(name)}"
            if not any(char.isalnum() for char in name):
                errors[CONF_NAME] = "invalid_name"
            elif self.hass.config_entries.async_entry_for_domain_unique_id(DOMAIN, unique_id):
                # Another simulated heat pump has this name: say so on the field.
                errors[CONF_NAME] = "name_taken"
            else:
                return await self._async_finish_source(
                    unique_id, name, {CONF_NAME: name}, reports_electricity=True
                )
        return self.async_show_form(
            step_id="demo",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema({vol.Required(CONF_NAME, default="Demo heat pump"): _TEXT}),
                user_input,
            ),
            errors=errors,
        )

    async def async_step_luxtronik(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Host and port of a Luxtronik 2 controller (port 8889, not the web port 8888)."""
        return await self._async_device_step(SOURCE_LUXTRONIK, user_input)

    async def async_step_modbus(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A Modbus heat pump: first the connection type (TCP or RTU)."""
        if user_input is not None:
            connection = user_input[CONF_CONNECTION]
            return await self._async_device_step(
                "modbus_rtu" if connection == CONNECTION_RTU else "modbus_tcp", None
            )
        return self.async_show_form(
            step_id="modbus",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_CONNECTION, default=CONNECTION_TCP): _select(
                        [CONNECTION_TCP, CONNECTION_RTU], CONF_CONNECTION
                    )
                }
            ),
        )

    async def async_step_modbus_tcp(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Modbus TCP: host, port, unit id and register map."""
        return await self._async_device_step("modbus_tcp", user_input)

    async def async_step_modbus_rtu(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Modbus RTU: serial port, baud rate, unit id and register map."""
        return await self._async_device_step("modbus_rtu", user_input)

    async def async_step_h66(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The H66 gateway of a Thermia, IVT or NIBE heat pump."""
        return await self._async_device_step(SOURCE_H66, user_input)

    def _device_unique_id(
        self, form: _DeviceForm, data: Mapping[str, Any], identity: DeviceIdentity
    ) -> str | None:
        """Reconfigure: the answering device's serial-based unique id, if both have one.

        An entry made when the controller reported no serial has the address as
        its id; that cannot tell one controller from another, so nothing is checked.
        """
        if self.source != SOURCE_RECONFIGURE or not form.serial_unique_id:
            return None
        if not identity.serial_number:
            return None
        entry = self._get_reconfigure_entry()
        by_address = form.unique_id(entry.data, replace(identity, serial_number=None))
        if entry.unique_id == by_address:
            return None
        return form.unique_id(data, identity)

    async def _async_device_step(
        self, step_id: str, user_input: Mapping[str, Any] | None
    ) -> ConfigFlowResult:
        """The one step body of the local network sources (see `_DEVICE_FORMS`)."""
        form = _DEVICE_FORMS[step_id]
        errors: dict[str, str] = {}
        placeholders = {"problem": ""}
        if user_input is not None:
            try:
                data = form.parse(user_input)
                identity, reading = await self._async_try_connect(data, form)
            except RecoverableError as err:
                errors[err.field] = err.error
                placeholders.update(err.placeholders)
            else:
                return await self._async_finish_source(
                    form.unique_id(data, identity),
                    form.title(identity),
                    data,
                    reports_electricity=_has_electricity(reading),
                    replaces=_DEVICE_KEYS,
                    device_unique_id=self._device_unique_id(form, data, identity),
                )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(form.schema()), self._form_values(user_input)
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    def _entities_title(self, flow_entity: str) -> str:
        """Named after the device that owns the flow sensor (its make, e.g. ESPAltherma),
        never after the entity itself: the title becomes the device name and so every
        entity id, and "Heat pump (ESPAltherma Leaving water temperature)" repeats it."""
        registry_entry = er.async_get(self.hass).async_get(flow_entity)
        if registry_entry is not None and registry_entry.device_id is not None:
            device = dr.async_get(self.hass).async_get(registry_entry.device_id)
            if device is not None and (name := device.name_by_user or device.name):
                return f"Heat pump ({name})"
        return "Heat pump"

    async def async_step_entities(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Entities of a heat pump already in Home Assistant (ESPAltherma and others)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {key: user_input[key] for key in (*FIELDS, CONF_DEFROST) if user_input.get(key)}
            states = {key: raw_state(self.hass, entity_id) for key, entity_id in data.items()}
            for key, state in states.items():
                if state is None:
                    errors[key] = "entity_not_found"
            numeric = {k: v for k, v in states.items() if v is not None and k in FIELDS}
            for key in check_units(numeric):
                # The error says in words what the field needs.
                quantity = FIELD_QUANTITY[key].name.lower()
                errors.setdefault(key, f"wrong_unit_{quantity}")
            if not errors:
                flow_entity = data["flow_temperature"]
                return await self._async_finish_source(
                    f"entities_{slugify(flow_entity)}",
                    self._entities_title(flow_entity),
                    data,
                    reports_electricity=bool(
                        data.get("electrical_power") or data.get("electrical_energy")
                    ),
                    replaces=(*FIELDS, CONF_DEFROST),
                )
        schema: dict[Any, Any] = {}
        for key in FIELDS:
            marker = vol.Required if key in REQUIRED_FIELDS else vol.Optional
            domains = ["sensor", "input_number", "number"]
            if key == "operating_mode":
                domains = ["sensor", "select", "input_select"]
            schema[marker(key)] = EntitySelector(EntitySelectorConfig(domain=domains))
        schema[vol.Optional(CONF_DEFROST)] = EntitySelector(
            EntitySelectorConfig(domain=["binary_sensor", "sensor", "input_boolean"])
        )
        return self.async_show_form(
            step_id="entities",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(schema), self._form_values(user_input)
            ),
            errors=errors,
        )

    async def async_step_meter(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose where the electricity readings come from."""
        meters = [METER_SHELLY_PRO_3EM, METER_ENTITY, METER_NONE]
        if self._reports_electricity:
            meters.insert(0, METER_SOURCE)
        if user_input is not None:
            meter = user_input[CONF_METER]
            self._data[CONF_METER] = meter
            if meter == METER_SHELLY_PRO_3EM:
                return await self.async_step_shelly_pro_3em()
            if meter == METER_ENTITY:
                return await self.async_step_entity()
            return self._async_finish_meter({CONF_METER: meter})
        default = meters[0]
        if self.source == SOURCE_RECONFIGURE:
            current = self._get_reconfigure_entry().data.get(CONF_METER)
            if current in meters:
                default = current
        return self.async_show_form(
            step_id="meter",
            data_schema=vol.Schema(
                {vol.Required(CONF_METER, default=default): _select(meters, CONF_METER)}
            ),
        )

    def _async_finish_meter(self, meter_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Meter chosen: create the entry, or (reconfigure) swap the meter and reload.

        The reload keeps the entry id, so the stored counters and the
        entities' history continue with the new meter.
        """
        if self.source == SOURCE_RECONFIGURE:
            entry = self._get_reconfigure_entry()
            data = {k: v for k, v in entry.data.items() if k not in _METER_KEYS}
            return self.async_update_reload_and_abort(entry, data={**data, **meter_data})
        self._data.update(meter_data)
        # A new demo starts with a month of simulated history (see demo_history).
        options = (
            {CONF_DEMO_HISTORY_DAYS: DEMO_HISTORY_DAYS}
            if self._data.get(CONF_SOURCE) == SOURCE_DEMO
            else {}
        )
        return self.async_create_entry(title=self._title, data=self._data, options=options)

    async def async_step_shelly_pro_3em(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A Shelly Pro 3EM on the local network."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_METER: METER_SHELLY_PRO_3EM,
                CONF_SHELLY_HOST: str(user_input.get(CONF_SHELLY_HOST) or "").strip(),
                CONF_SHELLY_PASSWORD: user_input.get(CONF_SHELLY_PASSWORD) or "",
            }
            errors = await self._async_check_shelly(data)
            if not errors:
                return self._async_finish_meter(data)
        suggested = {CONF_SHELLY_HOST: (user_input or {}).get(CONF_SHELLY_HOST)}
        if user_input is None and self.source == SOURCE_RECONFIGURE:
            suggested[CONF_SHELLY_HOST] = self._get_reconfigure_entry().data.get(CONF_SHELLY_HOST)
        return self.async_show_form(
            step_id="shelly_pro_3em",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_SHELLY_HOST): _TEXT,
                        vol.Optional(CONF_SHELLY_PASSWORD): _PASSWORD,
                    }
                ),
                suggested,
            ),
            errors=errors,
        )

    async def _async_check_shelly(self, data: Mapping[str, Any]) -> dict[str, str]:
        try:
            _http_host(data[CONF_SHELLY_HOST], CONF_SHELLY_HOST)
        except RecoverableError as err:
            return {err.field: err.error}
        meter = await async_create_meter(
            self.hass, {**self._data, **data, CONF_METER: METER_SHELLY_PRO_3EM}
        )
        assert meter is not None
        try:
            await meter.async_read()
        except SourceAuthRequiredError:
            return {CONF_SHELLY_PASSWORD: "auth_required"}
        except SourceAuthError:
            return {CONF_SHELLY_PASSWORD: "invalid_auth"}
        except SourceNotThisDeviceError:
            return {CONF_SHELLY_HOST: "not_shelly"}
        except SourceDataError:
            return {CONF_SHELLY_HOST: "invalid_response"}
        except SourceError:
            return {CONF_SHELLY_HOST: "cannot_connect"}
        finally:
            await meter.async_close()
        return {}

    async def async_step_entity(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """A power and/or energy entity as the meter."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                CONF_METER: METER_ENTITY,
                CONF_POWER_ENTITY: user_input.get(CONF_POWER_ENTITY) or "",
                CONF_ENERGY_ENTITY: user_input.get(CONF_ENERGY_ENTITY) or "",
            }
            conf = {"electrical_power": CONF_POWER_ENTITY, "electrical_energy": CONF_ENERGY_ENTITY}
            if not data[CONF_POWER_ENTITY] and not data[CONF_ENERGY_ENTITY]:
                errors["base"] = "meter_entity_required"
            else:
                states = {k: raw_state(self.hass, data[v]) for k, v in conf.items() if data[v]}
                for key, state in states.items():
                    if state is None:
                        errors[conf[key]] = "entity_not_found"
                for key in check_units({k: v for k, v in states.items() if v is not None}):
                    errors.setdefault(conf[key], f"wrong_unit_{FIELD_QUANTITY[key].name.lower()}")
            if not errors:
                return self._async_finish_meter(data)
        suggested = user_input
        if user_input is None and self.source == SOURCE_RECONFIGURE:
            suggested = dict(self._get_reconfigure_entry().data)
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
                suggested,
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
                # The form shows only the password: an error of the host (the meter
                # does not answer) goes to the form itself, where the user sees it.
                errors = {
                    field if field == CONF_SHELLY_PASSWORD else "base": error
                    for field, error in (await self._async_check_shelly(data)).items()
                }
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


# Options stored as int (the number selector sends floats).
_INT_OPTIONS = (
    CONF_SCAN_INTERVAL_S,
    CONF_METER_SCAN_INTERVAL_S,
    CONF_STALE_AFTER_MIN,
    CONF_VIESSMANN_DAILY_CALL_BUDGET,
    CONF_CSV_RETENTION_DAYS,
    CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
)


def _options_schema(entry: HeatPumpStatsConfigEntry) -> vol.Schema:
    """The options an entry has (only those that apply to its source and meter)."""
    source = entry.data.get(CONF_SOURCE)
    meter = entry.data.get(CONF_METER)
    schema: dict[Any, Any] = {
        vol.Optional(CONF_RATED_THERMAL_POWER_KW): _number(0.5, 100, 0.1, "kW"),
        vol.Optional(CONF_FLOW_RATE_L_MIN): _number(1, 500, 0.1, "l/min"),
        vol.Required(CONF_SCAN_INTERVAL_S, default=DEFAULT_SCAN_INTERVAL_S): _number(
            MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s"
        ),
    }
    if meter in (METER_SHELLY_PRO_3EM, METER_ENTITY):
        schema[vol.Required(CONF_METER_SCAN_INTERVAL_S, default=DEFAULT_METER_SCAN_INTERVAL_S)] = (
            _number(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s")
        )
    if source == SOURCE_VIESSMANN:
        schema[
            vol.Required(
                CONF_VIESSMANN_DAILY_CALL_BUDGET, default=DEFAULT_VIESSMANN_DAILY_CALL_BUDGET
            )
        ] = _number(50, DEFAULT_VIESSMANN_DAILY_CALL_BUDGET, 1, "calls/day")
    if source == SOURCE_ENTITIES:
        schema[vol.Required(CONF_MODE_MAP, default=format_mode_map(ESPALTHERMA_MODE_MAP))] = (
            TextSelector(TextSelectorConfig(multiline=True))
        )
    if source == SOURCE_ENTITIES or meter == METER_ENTITY:
        schema[vol.Required(CONF_STALE_AFTER_MIN, default=DEFAULT_STALE_AFTER_MIN)] = _number(
            0, 1440, 1, "min"
        )
    schema[vol.Required(CONF_SEASON_START, default=DEFAULT_SEASON_START)] = _TEXT
    schema[
        vol.Required(
            CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
            default=DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
        )
    ] = _number(1, 60, 1, "starts/h")
    schema[vol.Required(CONF_COP_BELOW_EXPECTED_PCT, default=DEFAULT_COP_BELOW_EXPECTED_PCT)] = (
        _number(1, 90, 1, "%")
    )
    schema[vol.Optional(CONF_CSV_DIRECTORY)] = _TEXT
    schema[vol.Required(CONF_CSV_RETENTION_DAYS, default=DEFAULT_CSV_RETENTION_DAYS)] = _number(
        1, 3650, 1, "d"
    )
    schema[vol.Required(CONF_CSV_TIME, default=DEFAULT_CSV_TIME)] = TimeSelector()
    return vol.Schema(schema)


def _influxdb_schema() -> vol.Schema:
    """The InfluxDB connection: URL and API version, then v1 and v2 credentials."""
    return vol.Schema(
        {
            vol.Optional(CONF_INFLUXDB_URL): TextSelector(
                TextSelectorConfig(type=TextSelectorType.URL)
            ),
            vol.Required(CONF_INFLUXDB_API_VERSION, default=API_V1): _select(
                [API_V1, API_V2], CONF_INFLUXDB_API_VERSION
            ),
            vol.Optional(CONF_INFLUXDB_DATABASE): _TEXT,
            vol.Optional(CONF_INFLUXDB_USERNAME): _TEXT,
            vol.Optional(CONF_INFLUXDB_PASSWORD): _PASSWORD,
            vol.Optional(CONF_INFLUXDB_BUCKET): _TEXT,
            vol.Optional(CONF_INFLUXDB_ORG): _TEXT,
            vol.Optional(CONF_INFLUXDB_TOKEN): _PASSWORD,
        }
    )


def _influxdb_options(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The options of the InfluxDB form: trimmed, only the keys of the chosen API version."""
    version = str(user_input.get(CONF_INFLUXDB_API_VERSION) or API_V1)
    url = str(user_input.get(CONF_INFLUXDB_URL) or "").strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RecoverableError(CONF_INFLUXDB_URL, "invalid_url")
    keys = (
        (CONF_INFLUXDB_DATABASE, CONF_INFLUXDB_USERNAME, CONF_INFLUXDB_PASSWORD)
        if version == API_V1
        else (CONF_INFLUXDB_BUCKET, CONF_INFLUXDB_ORG, CONF_INFLUXDB_TOKEN)
    )
    data: dict[str, Any] = {CONF_INFLUXDB_URL: url, CONF_INFLUXDB_API_VERSION: version}
    for key in keys:
        value = str(user_input.get(key) or "").strip()
        if value:
            data[key] = value
    if version == API_V1:
        data.setdefault(CONF_INFLUXDB_DATABASE, DEFAULT_INFLUXDB_DATABASE)
    else:
        for key in keys:
            if key not in data:
                raise RecoverableError(key, "influxdb_v2_required")
    return data


def _test_influxdb(config: InfluxConfig) -> None:
    """Blocking: query the database (v1) or bucket (v2) once."""
    reader = InfluxHistory(config)
    try:
        reader.test_connection()
    finally:
        reader.close()


async def _async_try_influxdb(hass: HomeAssistant, data: Mapping[str, Any]) -> None:
    """Raise a RecoverableError naming the field when the server refuses the settings."""
    config = influx_config(data)
    if config is None:  # checked by _influxdb_options
        raise RecoverableError(CONF_INFLUXDB_URL, "invalid_url")
    try:
        await hass.async_add_executor_job(_test_influxdb, config)
    except InfluxAuthError as err:
        raise RecoverableError("base", "invalid_auth") from err
    except InfluxNotFoundError as err:
        if config.api_version == API_V1:
            raise RecoverableError(CONF_INFLUXDB_DATABASE, "database_not_found") from err
        raise RecoverableError(CONF_INFLUXDB_BUCKET, "bucket_not_found") from err
    except InfluxError as err:
        LOGGER.debug("InfluxDB at %s: %s", config.url, err)
        raise RecoverableError("base", "cannot_connect") from err


class OptionsFlowHandler(OptionsFlowWithReload):
    """Tune the physics, the alerts and the poll intervals; connect InfluxDB history.

    A menu: `settings` (the entry's tuning) and `influxdb` (where summaries with
    ``history: influxdb`` read). Each step keeps the other's options; the entry
    reloads on save.
    """

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pick what to change."""
        return self.async_show_menu(step_id="init", menu_options=["settings", "influxdb"])

    def _kept(self, keys: tuple[str, ...], *, keep: bool) -> dict[str, Any]:
        """The current options whose key is (keep) or is not (not keep) in `keys`."""
        return {k: v for k, v in self.config_entry.options.items() if (k in keys) == keep}

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and validate the options."""
        errors: dict[str, str] = {}
        placeholders = {"problem": ""}
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
                for key in _INT_OPTIONS:
                    if key in user_input:
                        user_input[key] = int(user_input[key])
                return self.async_create_entry(
                    data={**self._kept(INFLUXDB_KEYS, keep=True), **user_input}
                )
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(
                _options_schema(self.config_entry), user_input or self.config_entry.options
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_influxdb(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The InfluxDB server Home Assistant's influxdb integration writes to (empty URL: none)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            others = self._kept(INFLUXDB_KEYS, keep=False)
            if not str(user_input.get(CONF_INFLUXDB_URL) or "").strip():
                return self.async_create_entry(data=others)  # cleared
            try:
                data = _influxdb_options(user_input)
                await _async_try_influxdb(self.hass, data)
            except RecoverableError as err:
                errors[err.field] = err.error
            else:
                return self.async_create_entry(data={**others, **data})
        return self.async_show_form(
            step_id="influxdb",
            data_schema=self.add_suggested_values_to_schema(
                _influxdb_schema(), user_input or self._kept(INFLUXDB_KEYS, keep=True)
            ),
            errors=errors,
        )
