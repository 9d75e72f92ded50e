"""Diagnostics: the entry, raw source data, readings, metrics and engine state, redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .coordinator import HeatPumpStatsConfigEntry
from .sources.luxtronik import DIAGNOSTICS_TO_REDACT as LUXTRONIK_TO_REDACT

TO_REDACT = {
    "host",
    "shelly_host",
    "shelly_password",
    "password",
    "serial_number",
    "serial_port",
    "token",
    "access_token",
    "refresh_token",
    "unique_id",
    "title",
    # The entry's name is its title; the Shelly's auth_domain is its id, with the MAC.
    "name",
    "auth_domain",
    "url",
    "mac",
    "id",
    "gateway_serial",
    "installation_id",
    "device_id",
    "serial",
    # Viessmann: gateway id in features, an installation's address (the features
    # themselves are scrubbed by sources.viessmann.redact_features).
    "gatewayId",
    "address",
    "street",
    "geolocation",
    # The InfluxDB history connection (options).
    "influxdb_url",
    "influxdb_username",
    "influxdb_password",
    "influxdb_token",
    *LUXTRONIK_TO_REDACT,
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HeatPumpStatsConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    heat_pump = runtime.heat_pump
    data = heat_pump.data
    meter: dict[str, Any] | None = None
    if runtime.meter is not None:
        meter = {
            "last_update_success": runtime.meter.last_update_success,
            "reading": asdict(runtime.meter.data.reading),
            "raw": runtime.meter.meter.diagnostics(),
        }
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "unique_id": entry.unique_id,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "device": asdict(runtime.identity),
            "heat_pump": {
                "last_update_success": heat_pump.last_update_success,
                "reading": asdict(data.reading),
                "raw": heat_pump.source.diagnostics(),
            },
            "meter": meter,
            "metrics": asdict(data.metrics),
            "engine": heat_pump.engine.to_dict(),
        },
        TO_REDACT,
    )
