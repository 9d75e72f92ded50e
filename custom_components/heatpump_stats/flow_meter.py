"""The config flow's meter steps: where the electricity readings come from.

`MeterSteps` is the part of the flow after the source: the meter choice, the
Shelly Pro 3EM and the entity meter, and the end of the flow (the entry is
created, or on reconfigure the meter swapped).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigFlow, ConfigFlowResult
from homeassistant.const import Platform
from homeassistant.helpers.selector import EntitySelector, EntitySelectorConfig
import probatio as vol

from .const import (
    CONF_DEMO_HISTORY_DAYS,
    CONF_ENERGY_ENTITY,
    CONF_METER,
    CONF_POWER_ENTITY,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_SOURCE,
    METER_ENTITY,
    METER_NONE,
    METER_SHELLY_PRO_3EM,
    METER_SOURCE,
    SOURCE_DEMO,
)
from .factory import async_create_meter
from .flow_forms import PASSWORD, TEXT, RecoverableError, http_host, select_selector
from .ha_sources import raw_state
from .history_import import DEMO_HISTORY_DAYS
from .sources.base import (
    SourceAuthError,
    SourceAuthRequiredError,
    SourceDataError,
    SourceError,
    SourceNotThisDeviceError,
)
from .sources.entities import FIELD_QUANTITY, check_units

# The keys a meter adds to the entry's data (replaced when the meter changes).
_METER_KEYS = (
    CONF_METER,
    CONF_SHELLY_HOST,
    CONF_SHELLY_PASSWORD,
    CONF_POWER_ENTITY,
    CONF_ENERGY_ENTITY,
)


class MeterSteps(ConfigFlow):
    """The meter steps; the flow that inherits them chose the source first."""

    # The flow's state (set by the source steps).
    _data: dict[str, Any]
    _title: str
    _reports_electricity: bool

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
                {vol.Required(CONF_METER, default=default): select_selector(meters, CONF_METER)}
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
                        vol.Required(CONF_SHELLY_HOST): TEXT,
                        vol.Optional(CONF_SHELLY_PASSWORD): PASSWORD,
                    }
                ),
                suggested,
            ),
            errors=errors,
        )

    async def _async_check_shelly(self, data: Mapping[str, Any]) -> dict[str, str]:
        try:
            http_host(data[CONF_SHELLY_HOST], CONF_SHELLY_HOST)
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
