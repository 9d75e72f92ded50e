"""The options flow: the entry's tuning (settings) and the InfluxDB history connection."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
    TimeSelector,
)
import probatio as vol

from .const import (
    CONF_COP_BELOW_EXPECTED_PCT,
    CONF_CSV_DIRECTORY,
    CONF_CSV_RETENTION_DAYS,
    CONF_CSV_TIME,
    CONF_FLOW_RATE_L_MIN,
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
    CONF_RATED_THERMAL_POWER_KW,
    CONF_SCAN_INTERVAL_S,
    CONF_SEASON_START,
    CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
    CONF_SOURCE,
    CONF_STALE_AFTER_MIN,
    CONF_VIESSMANN_DAILY_CALL_BUDGET,
    DEFAULT_COP_BELOW_EXPECTED_PCT,
    DEFAULT_CSV_RETENTION_DAYS,
    DEFAULT_CSV_TIME,
    DEFAULT_INFLUXDB_DATABASE,
    DEFAULT_METER_SCAN_INTERVAL_S,
    DEFAULT_SCAN_INTERVAL_S,
    DEFAULT_SEASON_START,
    DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
    DEFAULT_STALE_AFTER_MIN,
    DEFAULT_VIESSMANN_DAILY_CALL_BUDGET,
    INFLUXDB_KEYS,
    LOGGER,
    MAX_SCAN_INTERVAL_S,
    METER_ENTITY,
    METER_SHELLY_PRO_3EM,
    MIN_SCAN_INTERVAL_S,
    SOURCE_ENTITIES,
    SOURCE_VIESSMANN,
)
from .coordinator import HeatPumpStatsConfigEntry
from .csv_reports import directory_allowed
from .flow_forms import PASSWORD, TEXT, RecoverableError, number_selector, select_selector
from .influx_history import influx_config
from .options import parse_season_start
from .sources.entities import ESPALTHERMA_MODE_MAP, ModeMapError, format_mode_map, parse_mode_map
from .store.influxdb import (
    API_V1,
    API_V2,
    InfluxAuthError,
    InfluxConfig,
    InfluxError,
    InfluxHistory,
    InfluxNotFoundError,
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
        vol.Optional(CONF_RATED_THERMAL_POWER_KW): number_selector(0.5, 100, 0.1, "kW"),
        vol.Optional(CONF_FLOW_RATE_L_MIN): number_selector(1, 500, 0.1, "l/min"),
        vol.Required(CONF_SCAN_INTERVAL_S, default=DEFAULT_SCAN_INTERVAL_S): number_selector(
            MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s"
        ),
    }
    if meter in (METER_SHELLY_PRO_3EM, METER_ENTITY):
        schema[vol.Required(CONF_METER_SCAN_INTERVAL_S, default=DEFAULT_METER_SCAN_INTERVAL_S)] = (
            number_selector(MIN_SCAN_INTERVAL_S, MAX_SCAN_INTERVAL_S, 1, "s")
        )
    if source == SOURCE_VIESSMANN:
        schema[
            vol.Required(
                CONF_VIESSMANN_DAILY_CALL_BUDGET, default=DEFAULT_VIESSMANN_DAILY_CALL_BUDGET
            )
        ] = number_selector(50, DEFAULT_VIESSMANN_DAILY_CALL_BUDGET, 1, "calls/day")
    if source == SOURCE_ENTITIES:
        schema[vol.Required(CONF_MODE_MAP, default=format_mode_map(ESPALTHERMA_MODE_MAP))] = (
            TextSelector(TextSelectorConfig(multiline=True))
        )
    if source == SOURCE_ENTITIES or meter == METER_ENTITY:
        schema[vol.Required(CONF_STALE_AFTER_MIN, default=DEFAULT_STALE_AFTER_MIN)] = (
            number_selector(0, 1440, 1, "min")
        )
    schema[vol.Required(CONF_SEASON_START, default=DEFAULT_SEASON_START)] = TEXT
    schema[
        vol.Required(
            CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
            default=DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
        )
    ] = number_selector(1, 60, 1, "starts/h")
    schema[vol.Required(CONF_COP_BELOW_EXPECTED_PCT, default=DEFAULT_COP_BELOW_EXPECTED_PCT)] = (
        number_selector(1, 90, 1, "%")
    )
    schema[vol.Optional(CONF_CSV_DIRECTORY)] = TEXT
    schema[vol.Required(CONF_CSV_RETENTION_DAYS, default=DEFAULT_CSV_RETENTION_DAYS)] = (
        number_selector(1, 3650, 1, "d")
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
            vol.Required(CONF_INFLUXDB_API_VERSION, default=API_V1): select_selector(
                [API_V1, API_V2], CONF_INFLUXDB_API_VERSION
            ),
            vol.Optional(CONF_INFLUXDB_DATABASE): TEXT,
            vol.Optional(CONF_INFLUXDB_USERNAME): TEXT,
            vol.Optional(CONF_INFLUXDB_PASSWORD): PASSWORD,
            vol.Optional(CONF_INFLUXDB_BUCKET): TEXT,
            vol.Optional(CONF_INFLUXDB_ORG): TEXT,
            vol.Optional(CONF_INFLUXDB_TOKEN): PASSWORD,
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
