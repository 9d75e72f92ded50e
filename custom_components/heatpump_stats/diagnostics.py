"""Diagnostics: the entry, the latest reading, the metrics and the engine state, redacted."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .coordinator import HeatPumpStatsConfigEntry

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
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: HeatPumpStatsConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    runtime = entry.runtime_data
    data = runtime.heat_pump.data
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
                "last_update_success": runtime.heat_pump.last_update_success,
                "reading": asdict(data.reading),
                "metrics": asdict(data.metrics),
            },
            "engine": runtime.heat_pump.engine.to_dict(),
        },
        TO_REDACT,
    )
