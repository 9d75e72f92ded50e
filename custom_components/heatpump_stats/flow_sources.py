"""The config flow's source steps: demo, the local network sources and HA entities.

`SourceSteps` reads the heat pump once with the entered settings
(`_async_try_connect`, which raises a `RecoverableError` naming the field and
the error key, homewizard's shape) and runs the one step body of the local
network sources (`DEVICE_FORMS`); a source step done goes on to the meter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlowResult
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.selector import EntitySelector, EntitySelectorConfig
from homeassistant.util import slugify
import probatio as vol

from .const import (
    CONF_CONNECTION,
    CONF_DEFROST,
    CONF_METER,
    CONF_NAME,
    CONF_REGISTER_MAP,
    CONF_SERIAL_PORT,
    CONNECTION_RTU,
    CONNECTION_TCP,
    DOMAIN,
    LOGGER,
    METER_SOURCE,
    SOURCE_H66,
    SOURCE_LUXTRONIK,
)
from .factory import async_create_source
from .flow_forms import (
    DEVICE_FORMS,
    DEVICE_KEYS,
    TEXT,
    DeviceForm,
    RecoverableError,
    has_electricity,
    select_selector,
    shown_values,
)
from .flow_meter import MeterSteps
from .ha_sources import raw_state
from .model.reading import DeviceIdentity, HeatPumpReading
from .sources.base import (
    SourceAuthError,
    SourceAuthRequiredError,
    SourceConnectionError,
    SourceDataError,
    SourceError,
    SourceNotThisDeviceError,
)
from .sources.entities import FIELD_QUANTITY, FIELDS, REQUIRED_FIELDS, check_units
from .sources.modbus import RegisterMapError


class SourceSteps(MeterSteps):
    """The source steps; the flow adds `user`, Viessmann, reconfigure and reauth."""

    async def _async_try_connect(
        self, data: Mapping[str, Any], form: DeviceForm | None = None
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
            return shown_values(self._get_reconfigure_entry().data)
        return {}

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
                vol.Schema({vol.Required(CONF_NAME, default="Demo heat pump"): TEXT}),
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
                    vol.Required(CONF_CONNECTION, default=CONNECTION_TCP): select_selector(
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
        self, form: DeviceForm, data: Mapping[str, Any], identity: DeviceIdentity
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
        """The one step body of the local network sources (see `DEVICE_FORMS`)."""
        form = DEVICE_FORMS[step_id]
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
                    reports_electricity=has_electricity(reading),
                    replaces=DEVICE_KEYS,
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
            electricity = bool(data.get("electrical_power") or data.get("electrical_energy"))
            if (
                not electricity
                and self.source == SOURCE_RECONFIGURE
                and self._get_reconfigure_entry().data.get(CONF_METER) == METER_SOURCE
            ):
                # The meter reads these entities: without one it would read nothing.
                errors.setdefault("electrical_power", "meter_needs_electricity")
            if not errors:
                flow_entity = data["flow_temperature"]
                return await self._async_finish_source(
                    f"entities_{slugify(flow_entity)}",
                    self._entities_title(flow_entity),
                    data,
                    reports_electricity=electricity,
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
