"""Config flow of Heat Pump Stats: source, source details, meter; options."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, override

from homeassistant.config_entries import (
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.util import slugify
import probatio as vol

from .const import (
    AVAILABLE_SOURCES,
    CONF_FLOW_RATE_L_MIN,
    CONF_METER,
    CONF_METER_SCAN_INTERVAL_S,
    CONF_NAME,
    CONF_RATED_THERMAL_POWER_KW,
    CONF_SCAN_INTERVAL_S,
    CONF_SEASON_START,
    CONF_SOURCE,
    DEFAULT_METER_SCAN_INTERVAL_S,
    DEFAULT_SCAN_INTERVAL_S,
    DEFAULT_SEASON_START,
    DOMAIN,
    MAX_SCAN_INTERVAL_S,
    METER_NONE,
    METER_SOURCE,
    MIN_SCAN_INTERVAL_S,
    SOURCE_DEMO,
)
from .coordinator import HeatPumpStatsConfigEntry, parse_season_start

# Meters each source can offer; `source` only where the heat pump reports its
# own electricity.
SOURCE_METERS: dict[str, tuple[str, ...]] = {
    SOURCE_DEMO: (METER_SOURCE, METER_NONE),
}


class HeatPumpStatsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one heat pump system: a source plus, optionally, a meter."""

    VERSION = 1

    def __init__(self) -> None:
        """Start with nothing chosen."""
        self._data: dict[str, Any] = {}
        self._title = ""

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: HeatPumpStatsConfigEntry) -> OptionsFlowHandler:
        """Return the options flow."""
        return OptionsFlowHandler()

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
                    vol.Required(CONF_SOURCE, default=SOURCE_DEMO): SelectSelector(
                        SelectSelectorConfig(
                            options=list(AVAILABLE_SOURCES),
                            translation_key=CONF_SOURCE,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_demo(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Name the simulated heat pump (no hardware needed)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if not any(char.isalnum() for char in name):
                errors[CONF_NAME] = "invalid_name"
            else:
                await self.async_set_unique_id(f"demo_{slugify(name)}")
                self._abort_if_unique_id_configured()
                self._data[CONF_NAME] = name
                self._title = name
                return await self.async_step_meter()
        return self.async_show_form(
            step_id="demo",
            data_schema=vol.Schema(
                {vol.Required(CONF_NAME, default="Demo heat pump"): TextSelector()}
            ),
            errors=errors,
        )

    async def async_step_meter(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose where the electricity readings come from."""
        meters = SOURCE_METERS[self._data[CONF_SOURCE]]
        if user_input is not None:
            self._data[CONF_METER] = user_input[CONF_METER]
            return self.async_create_entry(title=self._title, data=self._data)
        return self.async_show_form(
            step_id="meter",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_METER, default=meters[0]): SelectSelector(
                        SelectSelectorConfig(
                            options=list(meters),
                            translation_key=CONF_METER,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )


def _number(minimum: float, maximum: float, step: float, unit: str) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


class OptionsFlowHandler(OptionsFlowWithReload):
    """Tune the physics and the poll intervals; the entry reloads on save."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and validate the options."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                parse_season_start(user_input.get(CONF_SEASON_START, DEFAULT_SEASON_START))
            except ValueError:
                errors[CONF_SEASON_START] = "invalid_season_start"
            else:
                for key in (CONF_SCAN_INTERVAL_S, CONF_METER_SCAN_INTERVAL_S):
                    if key in user_input:
                        user_input[key] = int(user_input[key])
                return self.async_create_entry(data=user_input)
        options = self.config_entry.options
        schema: dict[vol.Marker, Any] = {
            vol.Optional(
                CONF_RATED_THERMAL_POWER_KW,
                description={"suggested_value": options.get(CONF_RATED_THERMAL_POWER_KW)},
            ): _number(0.5, 100, 0.1, "kW"),
            vol.Optional(
                CONF_FLOW_RATE_L_MIN,
                description={"suggested_value": options.get(CONF_FLOW_RATE_L_MIN)},
            ): _number(1, 500, 0.1, "l/min"),
            vol.Required(
                CONF_SCAN_INTERVAL_S,
                default=options.get(CONF_SCAN_INTERVAL_S, DEFAULT_SCAN_INTERVAL_S),
            ): _number(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s"),
        }
        if self.config_entry.data.get(CONF_METER) not in (METER_NONE, METER_SOURCE):
            schema[
                vol.Required(
                    CONF_METER_SCAN_INTERVAL_S,
                    default=options.get(CONF_METER_SCAN_INTERVAL_S, DEFAULT_METER_SCAN_INTERVAL_S),
                )
            ] = _number(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s")
        schema[
            vol.Required(
                CONF_SEASON_START, default=options.get(CONF_SEASON_START, DEFAULT_SEASON_START)
            )
        ] = TextSelector()
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(vol.Schema(schema), user_input or {}),
            errors=errors,
        )
