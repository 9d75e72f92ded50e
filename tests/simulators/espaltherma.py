"""ESPAltherma as Home Assistant sees it: its MQTT sensors as entity states.

String states with a comma decimal, a kW power and a flow in m³/h, as the
ESPAltherma sensors publish them. Flow 1.2 m³/h = 20 l/min; leaving 35.0 °C,
inlet 30.0 °C; 2.0 kW electrical.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant

#: The `entities` step's fields -> the ESPAltherma entities that feed them.
ESPALTHERMA_FIELDS: Final = {
    "outside_temperature": "sensor.esp_outdoor",
    "flow_temperature": "sensor.esp_leaving_water",
    "return_temperature": "sensor.esp_inlet_water",
    "flow_rate": "sensor.esp_flow",
    "operating_mode": "sensor.esp_mode",
    "electrical_power": "sensor.esp_power",
}


def set_espaltherma_states(hass: HomeAssistant) -> None:
    """Publish the sensors' states (heating, 35.0 -> 30.0 °C at 20 l/min, 2.0 kW)."""
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    hass.states.async_set("sensor.esp_outdoor", "3.0", temperature)
    hass.states.async_set("sensor.esp_leaving_water", "35.0", temperature)
    hass.states.async_set("sensor.esp_inlet_water", "30,0", temperature)
    hass.states.async_set("sensor.esp_flow", "1.2", {"unit_of_measurement": "m³/h"})
    hass.states.async_set("sensor.esp_mode", "Heating", {})
    hass.states.async_set("sensor.esp_power", "2.0", {"unit_of_measurement": "kW"})
