"""Config flow of Heat Pump Stats: source, source details, meter; options, reauth, reconfigure.

The shape follows homewizard's flow: each step builds its schema and calls
one `_async_try_connect`, which raises a `RecoverableError` naming the field
and the error key; the local network sources (Luxtronik, Modbus TCP and RTU,
H66) are rows of one table (`DEVICE_FORMS`: schema, checks, unique id,
title) and share one step body.

The flow is built in layers, one module each: `flow_forms` (selectors, input
checks, the table), `flow_meter.MeterSteps` (the meter and the end of the
flow), `flow_sources.SourceSteps` (demo, local network sources, entities) and
here the class Home Assistant loads: `user`, Viessmann's OAuth2 sign-in,
reconfigure and reauth. The options flow is `options_flow`.
"""

from __future__ import annotations

from collections.abc import Mapping
import logging
from typing import Any, override

from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_RECONFIGURE, ConfigFlowResult
from homeassistant.core import callback
from homeassistant.helpers import config_entry_oauth2_flow
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from .const import (
    AVAILABLE_SOURCES,
    CONF_CONNECTION,
    CONF_DEVICE,
    CONF_METER,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_SOURCE,
    CONNECTION_RTU,
    DEFAULT_VIESSMANN_DAILY_CALL_BUDGET,
    DOMAIN,
    LOGGER,
    METER_SHELLY_PRO_3EM,
    METER_SOURCE,
    SOURCE_DEMO,
    SOURCE_ENTITIES,
    SOURCE_H66,
    SOURCE_LUXTRONIK,
    SOURCE_MODBUS,
    SOURCE_VIESSMANN,
)
from .coordinator import HeatPumpStatsConfigEntry
from .flow_forms import DEVICE_FORMS, PASSWORD, RecoverableError, has_electricity, select_selector
from .flow_sources import SourceSteps
from .model.api_rate_limit import BudgetExceeded
from .options_flow import OptionsFlowHandler
from .sources.base import SourceAuthError, SourceError
from .sources.viessmann import ViessmannDevice
from .vicare import async_get_budget, async_list_devices

# Sources whose connection settings the reconfigure menu offers.
_SOURCE_SETTINGS = (SOURCE_VIESSMANN, SOURCE_LUXTRONIK, SOURCE_MODBUS, SOURCE_H66, SOURCE_ENTITIES)


class HeatPumpStatsConfigFlow(
    SourceSteps, config_entry_oauth2_flow.AbstractOAuth2FlowHandler, domain=DOMAIN
):
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

    # ------------------------------------------------------------------ steps

    @override
    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose the heat pump source (nothing is preselected)."""
        # A form with the select `source`, not an HA menu: the project's public
        # contract fixes "`user`: field `source`", and outside acceptance tests
        # submit {"source": ...} to this step.
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
                {vol.Optional(CONF_SOURCE): select_selector(list(AVAILABLE_SOURCES), CONF_SOURCE)}
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
        elif source in DEVICE_FORMS or source == SOURCE_MODBUS:
            try:
                _identity, reading = await self._async_try_connect(entry.data)
            except RecoverableError:
                self._reports_electricity = False
            else:
                self._reports_electricity = has_electricity(reading)
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
        schema = vol.Schema({vol.Optional(CONF_SHELLY_PASSWORD): PASSWORD} if shelly else {})
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=schema,
            errors=errors,
            description_placeholders={
                "host": str(entry.data.get(CONF_SHELLY_HOST, "")),
                "title": entry.title,
            },
        )
