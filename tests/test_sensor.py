"""Entity values on the demo heat pump, checked against hand-worked formulas and ground truth.

The entities' device and state classes, units and options (what statistics and the Energy
dashboard need) are in the demo's snapshot: tests/test_snapshots.py::test_demo.
"""

from __future__ import annotations

from datetime import datetime

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_ON
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .common import advance, entity_id, setup_integration, value

# A cold January morning: the heat pump heats, and defrosts now and then.
WINTER_START = "2026-01-15T05:00:00+00:00"


async def _until_running(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Advance until the compressor heats (not defrost) with water flowing."""
    for _ in range(240):
        mode = hass.states.get(entity_id(hass, "operating_mode")).state
        if mode == "heating" and value(hass, "flow_rate") > 0:
            return
        await advance(hass, freezer, 30)
    pytest.fail("the demo heat pump never heated")


@pytest.mark.freeze_time(WINTER_START)
async def test_thermal_power_estimates_match_hand_formulas(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """thermal_power_delta_t = flow/60 × 4.186 × (T_flow − T_return); modulation = 8 kW × mod/100.

    The states are read back from the sensors themselves, so this checks the
    whole path source -> engine -> entity. Example of the arithmetic: 20 l/min,
    35.0 -> 30.7 °C: 20/60 × 4.186 × 4.3 = 6.000 kW.
    """
    await setup_integration(hass, demo_entry)
    await _until_running(hass, freezer)
    coordinator = demo_entry.runtime_data.heat_pump
    reading = coordinator.data.reading
    assert reading.flow_temperature is not None
    assert reading.return_temperature is not None
    assert reading.flow_rate is not None
    assert reading.compressor_modulation is not None
    delta_t = (
        reading.flow_rate / 60 * 4.186 * (reading.flow_temperature - reading.return_temperature)
    )
    modulation = 8.0 * reading.compressor_modulation / 100
    assert value(hass, "thermal_power_delta_t") == pytest.approx(delta_t, abs=1e-3)
    assert value(hass, "thermal_power_modulation") == pytest.approx(modulation, abs=1e-3)
    # ΔT is preferred over the modulation estimate when both exist.
    thermal = hass.states.get(entity_id(hass, "thermal_power"))
    assert float(thermal.state) == pytest.approx(delta_t, abs=1e-3)
    assert thermal.attributes["method"] == "delta_t"
    # In steady heating the simulator's heat equals both estimates.
    assert delta_t == pytest.approx(modulation, rel=0.02)
    assert hass.states.get(entity_id(hass, "compressor_running", "binary_sensor")).state == STATE_ON


@pytest.mark.freeze_time(WINTER_START)
async def test_energy_and_cop_match_ground_truth(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Over 6 simulated hours our totals agree with the simulator's ground truth.

    Electricity comes from the simulator's own counter, differenced: exact.
    Heat is integrated (trapezoid) from 30-s ΔT estimates of a simulation that
    steps every 10 s: within 3 %. seasonal_cop = heat / electricity of the same
    period (entry and season started together).
    """
    await setup_integration(hass, demo_entry)
    await advance(hass, freezer, 6 * 3600)
    sim = demo_entry.runtime_data.heat_pump.source.simulator
    truth, base = sim.truth, sim.counter_base
    electrical = value(hass, "electrical_energy")
    thermal = value(hass, "thermal_energy")
    assert truth.electrical_energy > 5  # a winter morning costs several kWh
    # The totals mirror the device's lifetime counters (base at setup + use since).
    assert electrical == pytest.approx(
        base["electrical_energy"] + truth.electrical_energy, abs=1e-6
    )
    base_heat = base["thermal_energy_heating"] + base["thermal_energy_dhw"]
    assert thermal == pytest.approx(base_heat + truth.thermal_energy, abs=0.5)
    assert value(hass, "lifetime_cop") == pytest.approx(thermal / electrical, abs=2e-3)
    assert value(hass, "seasonal_cop") == pytest.approx(
        truth.thermal_energy / truth.electrical_energy, rel=0.03
    )
    assert 1.5 < value(hass, "seasonal_cop") < 6
    # Electricity by purpose adds up (defrost is a part of heating/dhw, not extra).
    heating = value(hass, "electrical_energy_heating")
    dhw = value(hass, "electrical_energy_dhw")
    assert heating + dhw <= electrical + 1e-6
    assert heating == pytest.approx(
        base["electrical_energy_heating"] + truth.electrical_energy_heating, abs=1e-6
    )
    assert value(hass, "compressor_starts") == pytest.approx(truth.compressor_starts, abs=1)


@pytest.mark.freeze_time(WINTER_START)
async def test_restart_continues_totals_exactly(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Unload (HA stop) mid-day and set up again: totals continue, nothing counted twice.

    The electricity total equals the simulator's counter before the restart,
    right after it, and after 2 more hours: a double count or a loss would
    show as a difference.
    """
    await setup_integration(hass, demo_entry)
    await advance(hass, freezer, 2 * 3600)
    before = value(hass, "electrical_energy")
    heat_before = value(hass, "thermal_energy")
    starts_before = value(hass, "compressor_starts")
    assert await hass.config_entries.async_unload(demo_entry.entry_id)
    await hass.async_block_till_done()

    await advance(hass, freezer, 60)  # HA is down for a minute
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    sim = demo_entry.runtime_data.heat_pump.source.simulator
    truth, base = sim.truth, sim.counter_base
    after = value(hass, "electrical_energy")
    assert after >= before
    assert after == pytest.approx(base["electrical_energy"] + truth.electrical_energy, abs=1e-6)
    assert value(hass, "thermal_energy") >= heat_before - 0.05
    assert value(hass, "compressor_starts") >= starts_before

    await advance(hass, freezer, 2 * 3600)
    truth = demo_entry.runtime_data.heat_pump.source.simulator.truth
    assert value(hass, "electrical_energy") == pytest.approx(
        base["electrical_energy"] + truth.electrical_energy, abs=1e-6
    )
    base_heat = base["thermal_energy_heating"] + base["thermal_energy_dhw"]
    assert value(hass, "thermal_energy") == pytest.approx(base_heat + truth.thermal_energy, abs=0.5)


@pytest.mark.freeze_time("2026-01-15T20:00:00+00:00")
async def test_daily_figures_reset_at_local_midnight(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """energy_today starts again at local midnight; energy_month and _year keep counting."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    await setup_integration(hass, demo_entry)
    # 20:00 UTC = 21:00 in Berlin; run to 22:50 UTC (23:50 local).
    await advance(hass, freezer, 2 * 3600 + 50 * 60)
    today = value(hass, "energy_today")
    # the total mirrors the device's lifetime counter: today = what it moved since setup
    total = value(hass, "energy_year")
    assert today == pytest.approx(total, abs=1e-6)
    assert today > 0
    # 20 minutes later it is 00:10 on 16 January in Berlin.
    await advance(hass, freezer, 20 * 60)
    local = dt_util.as_local(dt_util.utcnow())
    assert (local.day, local.hour) == (16, 0)
    midnight_utc = datetime(2026, 1, 15, 23, 0, tzinfo=dt_util.UTC)
    assert dt_util.utcnow() > midnight_utc
    total_now = value(hass, "energy_year")
    today_now = value(hass, "energy_today")
    # Only what was used since 00:00 local counts for the new day (one poll of slack).
    assert 0 <= today_now <= total_now - today + 1e-6
    assert value(hass, "energy_month") == pytest.approx(total_now, abs=1e-6)
    assert value(hass, "energy_year") == pytest.approx(total_now, abs=1e-6)
    # Setup at 21:00: no complete local day yet, so no projection (not a made-up year).
    assert hass.states.get(entity_id(hass, "projected_annual_energy")).state == "unknown"


@pytest.mark.freeze_time(WINTER_START)
async def test_carnot_efficiency_and_time_in_mode(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """% of Carnot = COP / Carnot COP with T_hot = flow + 2 K, T_cold = outdoor − 6 K.

    E.g. flow 35 °C, outdoor 2 °C: T_hot = 310.15 K, T_cold = 269.15 K,
    Carnot = 310.15 / 41 = 7.565; COP 3.4 -> 44.9 %.
    """
    await setup_integration(hass, demo_entry)
    await _until_running(hass, freezer)
    await advance(hass, freezer, 300)
    metrics = demo_entry.runtime_data.heat_pump.data.metrics
    assert metrics.cop is not None
    assert metrics.flow_temperature is not None
    assert metrics.outside_temperature is not None
    hot = metrics.flow_temperature + 2 + 273.15
    cold = metrics.outside_temperature - 6 + 273.15
    expected = 100 * metrics.cop / (hot / (hot - cold))
    assert value(hass, "carnot_efficiency") == pytest.approx(expected, abs=0.06)
    # Time per mode adds up to the time the engine has seen.
    hours = sum(
        value(hass, f"time_{mode}")
        for mode in ("off", "standby", "heating", "dhw", "defrost", "cooling")
    )
    assert hours == pytest.approx(sum(metrics.time_in_mode.values()) / 3600, abs=1e-3)
    assert hours > 0.1
