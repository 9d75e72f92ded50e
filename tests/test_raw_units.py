"""Raw-value sensors take the unit a register map or brand table states (the `unit:` of a map)."""

from __future__ import annotations

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass

from custom_components.heatpump_stats.sensor_raw import extra_description
from custom_components.heatpump_stats.sources.base import StatesExtraUnits
from custom_components.heatpump_stats.sources.h66 import H66Source
from custom_components.heatpump_stats.sources.modbus import ModbusSource


def test_a_stated_unit_wins_over_the_guess_from_the_key() -> None:
    """`charge_level` says no unit in its name; the map says bar: a pressure sensor."""
    guessed = extra_description("charge_level")
    assert guessed.native_unit_of_measurement is None
    stated = extra_description("charge_level", {"charge_level": "bar"})
    assert stated.native_unit_of_measurement == "bar"
    assert stated.device_class is SensorDeviceClass.PRESSURE
    assert stated.state_class is SensorStateClass.MEASUREMENT


def test_a_stated_unit_equal_to_the_guess_keeps_the_guess() -> None:
    """An energy counter named `_kwh` stated as kWh stays a total-increasing energy sensor."""
    both = extra_description("booster_kwh", {"booster_kwh": "kWh"})
    assert both == extra_description("booster_kwh")


def test_an_unknown_stated_unit_is_shown_without_a_device_class() -> None:
    """`%` or a unit HA has no class for: shown as stated, a plain measurement."""
    description = extra_description("valve_position", {"valve_position": "%"})
    assert description.native_unit_of_measurement == "%"
    assert description.device_class is None
    assert description.state_class is SensorStateClass.MEASUREMENT


def test_a_key_the_source_does_not_state_is_guessed() -> None:
    """Keys outside the stated table keep the name-based guess."""
    assert extra_description("hot_gas_temperature", {"other": "bar"}) == extra_description(
        "hot_gas_temperature"
    )


def test_the_sources_with_tables_state_their_units() -> None:
    """Modbus (register maps) and H66 (brand tables) offer `extra_units`."""
    for source in (ModbusSource, H66Source):
        assert isinstance(vars(source).get("extra_units"), property), source
    assert {"extra_units"} <= set(dir(StatesExtraUnits))
