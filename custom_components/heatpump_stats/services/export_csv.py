"""The `export_csv` service: one entry's daily or weekly CSV file, written now.

The files themselves, their schedule and the samples behind them are
:mod:`..csv_reports`'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.helpers import config_validation as cv, service
from homeassistant.helpers.selector import ConfigEntrySelector
import probatio as vol

from custom_components.heatpump_stats.const import ATTR_CONFIG_ENTRY_ID, DOMAIN
from custom_components.heatpump_stats.store.csv_export import PERIODS

if TYPE_CHECKING:
    from custom_components.heatpump_stats.coordinator import HeatPumpStatsConfigEntry

SERVICE_EXPORT_CSV: Final = "export_csv"
ATTR_PERIOD: Final = "period"
ATTR_DATE: Final = "date"


EXPORT_CSV_SCHEMA: Final = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Required(ATTR_PERIOD): vol.In(PERIODS),
        vol.Optional(ATTR_DATE): cv.date,
    }
)


async def async_handle_export_csv(call: ServiceCall) -> ServiceResponse:
    """The ``export_csv`` service: write the file, respond with its path."""
    entry: HeatPumpStatsConfigEntry = service.async_get_config_entry(
        call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID]
    )
    result = await entry.runtime_data.csv.async_export(
        call.data[ATTR_PERIOD], call.data.get(ATTR_DATE)
    )
    if call.return_response:
        return result.to_dict()
    return None
