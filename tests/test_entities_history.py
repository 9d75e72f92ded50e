"""Hourly figures rebuilt from recorded states: the entities replay and our own sensors' states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.heatpump_stats.engine.core import EngineConfig
from custom_components.heatpump_stats.entities_history import (
    METER_PREFIX,
    EntitiesReplay,
    entity_slots,
)
from custom_components.heatpump_stats.import_service import hours_from_states
from custom_components.heatpump_stats.sources.entities import ESPALTHERMA_MODE_MAP

T0 = datetime(2026, 1, 10, tzinfo=UTC)
_TEMP = ("°C", "temperature")


def test_entity_slots_take_the_entity_meter() -> None:
    """Fields and the defrost entity by key; the `entity` meter's entities under meter:."""
    data = {
        "source": "entities",
        "outside_temperature": "sensor.out",
        "flow_temperature": "sensor.flow",
        "return_temperature": "sensor.ret",
        "defrost": "binary_sensor.defrost",
        "dhw_temperature": "",
        "meter": "entity",
        "power_entity": "sensor.meter_power",
        "energy_entity": "sensor.meter_energy",
    }
    assert entity_slots(data) == {
        "outside_temperature": "sensor.out",
        "flow_temperature": "sensor.flow",
        "return_temperature": "sensor.ret",
        "defrost": "binary_sensor.defrost",
        "meter:electrical_power": "sensor.meter_power",
        "meter:electrical_energy": "sensor.meter_energy",
    }


def test_replay_with_an_entity_meter() -> None:
    """Two hours; heat from ΔT, electricity from the meter's Wh counter.

    Flow 10 l/min, 40 → 35 °C: 10 / 60 × 4.186 × 5 = 3.48833 kW, polled every
    60 s from T0 to T0 + 2 h − 60 s: the first hour 3.48833 × 59/60 h (the
    first poll is the reference) = 3.43019 kWh, the second 3.48833 kWh.
    The meter counts Wh: 5000 Wh at T0, 6000 Wh from T0 + 30 min, 7500 Wh
    from T0 + 90 min: hour 0 = 1.0 kWh, hour 1 = 1.5 kWh. Outdoor −2 °C then
    +4 °C from T0 + 1 h: the hourly means.
    """
    attributes = {
        "outside_temperature": _TEMP,
        "flow_temperature": _TEMP,
        "return_temperature": _TEMP,
        "flow_rate": ("L/min", None),
        "operating_mode": (None, None),
        METER_PREFIX + "electrical_energy": ("Wh", "energy"),
    }
    replay = EntitiesReplay(
        config=EngineConfig(scan_interval_s=60.0, meter_interval_s=60.0),
        time_zone=UTC,
        start=T0,
        end=T0 + timedelta(hours=2),
        step_s=60.0,
        attributes=attributes,
        mode_map=ESPALTHERMA_MODE_MAP,
        meter="entity",
    )
    t = T0.timestamp()
    replay.feed(
        [
            (t, "outside_temperature", "-2.0"),
            (t, "flow_temperature", "40.0"),
            (t, "return_temperature", "35.0"),
            (t, "flow_rate", "10"),
            (t, "operating_mode", "Heating"),
            (t, METER_PREFIX + "electrical_energy", "5000"),
            (t + 1800, METER_PREFIX + "electrical_energy", "6000"),
            (t + 3600, "outside_temperature", "4.0"),
            (t + 5400, METER_PREFIX + "electrical_energy", "7500"),
        ]
    )
    hours = replay.finish()
    assert [h.start for h in hours] == [T0, T0 + timedelta(hours=1)]
    power = 10 / 60 * 4.186 * 5
    assert hours[0].thermal_energy == pytest.approx(power * 59 / 60)
    assert hours[1].thermal_energy == pytest.approx(power)
    assert hours[0].electrical_energy == pytest.approx(1.0)
    assert hours[1].electrical_energy == pytest.approx(1.5)
    assert hours[0].outside_temperature == pytest.approx(-2.0)
    assert hours[1].outside_temperature == pytest.approx(4.0)
    assert hours[1].thermal_energy_heating == pytest.approx(power)


def test_replay_skips_polls_without_the_required_temperatures() -> None:
    """No return temperature recorded for the first hour: that hour has no poll, no figures."""
    replay = EntitiesReplay(
        config=EngineConfig(scan_interval_s=60.0),
        time_zone=UTC,
        start=T0,
        end=T0 + timedelta(hours=2),
        step_s=60.0,
        attributes={
            "outside_temperature": _TEMP,
            "flow_temperature": _TEMP,
            "return_temperature": _TEMP,
        },
        mode_map=ESPALTHERMA_MODE_MAP,
        meter=None,
    )
    t = T0.timestamp()
    replay.feed(
        [
            (t, "outside_temperature", "1.0"),
            (t, "flow_temperature", "30.0"),
            (t, "return_temperature", "unavailable"),
            (t + 3600, "return_temperature", "27.0"),
        ]
    )
    hours = replay.finish()
    assert [h.start for h in hours] == [T0 + timedelta(hours=1)]


def test_hours_from_our_own_sensor_states() -> None:
    """Counters: last value in the hour − last before it; a drop is a reset; means time-weighted.

    Energy 10.0 before T0, 11.0 at T0 + 20 min, 12.5 at T0 + 50 min, 0.5 at
    T0 + 70 min (a reset), 1.5 at T0 + 100 min: hour 0 = 12.5 − 10.0 = 2.5,
    hour 1 = 1.5 kWh (0 after the reset, 1.5 at its last value). Outdoor 0 °C
    until T0 + 15 min, then 8 °C: hour 0 mean = (0 × 15 + 8 × 45) / 60 = 6 °C, hour 1 = 8 °C.
    """
    t = T0.timestamp()
    hours = hours_from_states(
        {
            "electrical_energy": [
                (t - 60, "10.0"),
                (t + 1200, "11.0"),
                (t + 3000, "12.5"),
                (t + 4200, "0.5"),
                (t + 6000, "1.5"),
            ],
            "outside_temperature": [(t, "0.0"), (t + 900, "8.0"), (t + 1000, "unavailable")],
        },
        T0,
        T0 + timedelta(hours=2),
    )
    assert [h.start for h in hours] == [T0, T0 + timedelta(hours=1)]
    assert hours[0].electrical_energy == pytest.approx(2.5)
    assert hours[1].electrical_energy == pytest.approx(1.5)
    assert hours[0].outside_temperature == pytest.approx(6.0)
    assert hours[1].outside_temperature == pytest.approx(8.0)
