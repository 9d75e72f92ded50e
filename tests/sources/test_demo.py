"""The simulated heat pump: determinism, persistence, energy balance and physics."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import itertools
import json
import math
import time

import pytest

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode
from custom_components.heatpump_stats.sources.demo import (
    DemoHeatPump,
    DemoTruth,
    cop_true,
    delta_t_k,
)

WINTER = datetime(2025, 1, 20, tzinfo=UTC)
AUTUMN = datetime(2024, 10, 10, tzinfo=UTC)


def poll(
    pump: DemoHeatPump, seconds: float, every: float = 10.0
) -> Iterator[tuple[float, HeatPumpReading]]:
    """Advance in `every`-second polls, yielding (poll length, reading at its start).

    The reading at t is the state the simulator holds over [t, t + every], so
    summing value * every over these pairs reproduces the simulator's integrals.
    """
    reading = pump.advance(pump.now)
    end = pump.now + timedelta(seconds=seconds)
    while pump.now < end:
        nxt = pump.now + timedelta(seconds=every)
        yield every, reading
        reading = pump.advance(nxt)


def _heat_kw(reading: HeatPumpReading) -> float:
    value = reading.extra["thermal_power_true"]
    assert isinstance(value, float)
    return value


def test_identity_and_reading_shape() -> None:
    pump = DemoHeatPump(seed=7, start=WINTER, rated_thermal_power_kw=9.0)
    reading = pump.advance(WINTER + timedelta(hours=1))
    assert pump.identity.manufacturer == "Heat Pump Stats"
    assert pump.identity.model == "Simulated air-to-water heat pump"
    assert pump.identity.serial_number == "DEMO-0007"
    assert reading.timestamp == WINTER + timedelta(hours=1) == pump.now
    assert reading.timestamp.tzinfo is not None
    # The demo does not measure heat power, so the integration has to estimate it.
    assert reading.thermal_power is None
    assert reading.rated_thermal_power == 9.0
    assert reading.electrical_energy is not None
    assert reading.electrical_energy > 0
    assert set(reading.settings) >= {
        "heating_curve_slope",
        "comfort_temperature",
        "reduced_temperature",
        "dhw_target_temperature",
        "heating_schedule",
        "dhw_schedule",
        "operating_program",
    }
    assert {"dhw_tank_target", "building_deficit_kwh", "cop_true"} <= set(reading.extra)
    with pytest.raises(ValueError, match="timezone"):
        DemoHeatPump(start=datetime(2025, 1, 1))


def test_same_seed_same_readings_different_seed_differs() -> None:
    def run(seed: int) -> list[HeatPumpReading]:
        pump = DemoHeatPump(seed=seed, start=WINTER)
        return [pump.advance(WINTER + timedelta(minutes=7 * i)) for i in range(1, 300)]

    first, again, other = run(5), run(5), run(6)
    assert first == again
    assert first != other
    assert [r.outside_temperature for r in first] != [r.outside_temperature for r in other]


def test_round_trip_continues_bit_identically() -> None:
    # B on the 10 s step grid; A->C stays under the 2-day fast-forward threshold.
    a, b, c = WINTER, WINTER + timedelta(hours=20), WINTER + timedelta(hours=40, seconds=5)

    direct = DemoHeatPump(seed=3, start=a)
    direct_reading = direct.advance(c)

    stepped = DemoHeatPump(seed=3, start=a)
    stepped.advance(b)
    state = json.loads(json.dumps(stepped.to_dict()))
    restored = DemoHeatPump.from_dict(state)
    assert restored.to_dict() == stepped.to_dict()
    assert restored.now == b

    restored_reading = restored.advance(c)
    stepped_reading = stepped.advance(c)
    assert restored_reading == stepped_reading == direct_reading
    assert restored.to_dict() == stepped.to_dict() == direct.to_dict()
    assert restored.truth == direct.truth


def test_advance_into_the_past_does_not_simulate() -> None:
    pump = DemoHeatPump(seed=2, start=WINTER)
    reading = pump.advance(WINTER + timedelta(hours=2))
    state = pump.to_dict()
    assert pump.advance(WINTER + timedelta(hours=1)) == reading
    assert pump.advance(WINTER + timedelta(hours=2)) == reading
    assert pump.to_dict() == state


def test_energy_balance_and_purpose_rule() -> None:
    pump = DemoHeatPump(seed=11, start=WINTER)
    integrated_kwh = 0.0
    heat = {"heating": 0.0, "dhw": 0.0, "defrost": 0.0}
    purpose = "heating"
    for dt, reading in poll(pump, 3 * 86_400):
        assert reading.electrical_power is not None
        integrated_kwh += reading.electrical_power / 1000 * dt / 3600
        mode = reading.operating_mode
        if mode in (OperatingMode.HEATING, OperatingMode.DHW):
            purpose = mode.value
        if mode == OperatingMode.DEFROST:
            # A defrost belongs to what ran when it began, and to "defrost".
            heat["defrost"] += _heat_kw(reading) * dt / 3600
            heat[purpose] += _heat_kw(reading) * dt / 3600
        elif mode in (OperatingMode.HEATING, OperatingMode.DHW):
            heat[purpose] += _heat_kw(reading) * dt / 3600

    truth = pump.truth
    last = pump.advance(pump.now)
    base = pump.counter_base
    assert last.electrical_energy == base["electrical_energy"] + truth.electrical_energy
    assert integrated_kwh == pytest.approx(truth.electrical_energy, rel=0.01)
    assert truth.thermal_energy_heating + truth.thermal_energy_dhw == pytest.approx(
        truth.thermal_energy, rel=1e-9
    )
    assert (
        truth.electrical_energy_heating
        + truth.electrical_energy_dhw
        + truth.electrical_energy_standby
    ) == pytest.approx(truth.electrical_energy, rel=1e-9)
    assert truth.defrost_count > 0
    assert truth.thermal_energy_defrost < 0 < truth.electrical_energy_defrost
    assert heat["heating"] == pytest.approx(truth.thermal_energy_heating, rel=1e-6)
    assert heat["dhw"] == pytest.approx(truth.thermal_energy_dhw, rel=1e-6)
    assert heat["defrost"] == pytest.approx(truth.thermal_energy_defrost, rel=1e-6)
    assert sum(truth.seconds_by_mode.values()) == pytest.approx(3 * 86_400)


def test_season_cop_is_plausible_and_fast() -> None:
    start = datetime(2024, 10, 1, tzinfo=UTC)
    pump = DemoHeatPump(seed=1, start=start, step_s=60)
    began = time.perf_counter()
    when = start
    while when < datetime(2025, 5, 1, tzinfo=UTC):
        when += timedelta(days=1)
        pump.advance(when)
    elapsed = time.perf_counter() - began
    truth = pump.truth
    assert truth.cop is not None
    assert 3.0 < truth.cop < 4.5
    # DHW runs hotter, so its COP is lower than space heating's.
    assert (
        truth.thermal_energy_dhw / truth.electrical_energy_dhw
        < truth.thermal_energy_heating / truth.electrical_energy_heating
    )
    assert elapsed < 30.0  # 212 days; about 1.2 s on one core


def test_defrost_only_when_cold_and_with_negative_heat() -> None:
    pump = DemoHeatPump(seed=4, start=WINTER)
    starts = 0
    previous: HeatPumpReading | None = None
    for _dt, reading in poll(pump, 4 * 86_400):
        if reading.defrost_active:
            assert reading.operating_mode == OperatingMode.DEFROST
            assert reading.compressor_running is True
            assert _heat_kw(reading) < 0
            assert reading.flow_temperature is not None
            assert reading.return_temperature is not None
            assert reading.return_temperature > reading.flow_temperature
            if previous is not None and not previous.defrost_active:
                starts += 1
                assert reading.outside_temperature is not None
                assert reading.outside_temperature < 5.0
        previous = reading
    truth = pump.truth
    assert starts == truth.defrost_count > 5
    # Five minutes each.
    assert truth.seconds_by_mode["defrost"] == pytest.approx(300 * truth.defrost_count, abs=300)

    summer = DemoHeatPump(seed=4, start=datetime(2025, 7, 20, tzinfo=UTC))
    summer.advance(datetime(2025, 7, 24, tzinfo=UTC))
    assert summer.truth.defrost_count == 0


def test_hot_water_heated_to_target_twice_a_day() -> None:
    pump = DemoHeatPump(seed=9, start=WINTER)
    runs: list[tuple[datetime, float, float]] = []  # (start, tank at end, target)
    run_start: datetime | None = None
    previous: HeatPumpReading | None = None
    for _dt, reading in poll(pump, 4 * 86_400, every=60):
        dhw = reading.operating_mode == OperatingMode.DHW
        if dhw and run_start is None:
            run_start = reading.timestamp
        # A defrost during a hot-water run interrupts it; the run then resumes.
        ongoing = dhw or reading.operating_mode == OperatingMode.DEFROST
        if not ongoing and run_start is not None and previous is not None:
            target = previous.extra["dhw_tank_target"]
            assert isinstance(target, float)
            assert reading.dhw_temperature is not None
            runs.append((run_start, reading.dhw_temperature, target))
            run_start = None
        if dhw:
            # Hot water at full power, flow above the tank.
            assert reading.compressor_modulation == 100.0
            assert reading.dhw_temperature is not None
            assert reading.flow_temperature == pytest.approx(reading.dhw_temperature + 8.0)
        previous = reading

    for day in range(4):
        day_start = WINTER + timedelta(days=day)
        todays = [r for r in runs if day_start <= r[0] < day_start + timedelta(days=1)]
        assert len(todays) >= 2
        # The scheduled morning and evening heat-ups happen.
        assert {r[0].hour for r in todays} >= {6, 18}
    for _start, tank, target in runs:
        assert target - 0.5 <= tank <= target + 1.0
        assert 47.0 <= target <= 56.0


def test_modulation_range_and_cycling_in_mild_weather() -> None:
    for start in (AUTUMN, WINTER):
        pump = DemoHeatPump(seed=2, start=start)
        running_mods: list[float] = []
        for _dt, reading in poll(pump, 3 * 86_400, every=30):
            assert reading.compressor_modulation is not None
            if reading.compressor_running:
                running_mods.append(reading.compressor_modulation)
                assert 20.0 <= reading.compressor_modulation <= 100.0
                assert reading.circulation_pump is True
                assert reading.flow_rate == 20.0
            else:
                assert reading.compressor_modulation == 0.0
                assert reading.electrical_power is not None
                assert reading.electrical_power < 50.0
            if reading.operating_mode == OperatingMode.OFF:
                assert reading.circulation_pump is False
                assert reading.flow_rate == 0.0
        assert running_mods
        assert min(running_mods) < 60.0  # it does modulate
    # Mild October weather: demand below 20 % makes it cycle on and off, with a
    # +-0.5 kWh hysteresis on the building's heat deficit.
    autumn = DemoHeatPump(seed=2, start=AUTUMN)
    run_start: datetime | None = None
    runs: list[float] = []
    previous: HeatPumpReading | None = None
    for _dt, reading in poll(autumn, 3 * 86_400):
        deficit = reading.extra["building_deficit_kwh"]
        assert isinstance(deficit, float)
        mode = reading.operating_mode
        if previous is not None and previous.operating_mode != mode:
            if previous.operating_mode == OperatingMode.STANDBY and mode == OperatingMode.HEATING:
                assert 0.5 < deficit < 0.52
                run_start = reading.timestamp
            elif previous.operating_mode == OperatingMode.HEATING and mode in (
                OperatingMode.STANDBY,
                OperatingMode.OFF,
            ):
                if mode == OperatingMode.STANDBY:
                    assert -0.52 < deficit <= -0.5
                if run_start is not None:
                    runs.append((reading.timestamp - run_start).total_seconds() / 60)
                run_start = None
            elif mode != OperatingMode.HEATING:
                run_start = None  # interrupted by hot water; not a clean cycle
        previous = reading
    assert len(runs) >= 3
    assert sorted(runs)[len(runs) // 2] > 20.0  # runs last tens of minutes


def test_return_equals_flow_minus_delta_t() -> None:
    # Known answer: 6 kW at 20 l/min -> dT = 6 / (20 / 60 * 4.186) = 6 / 1.39533 = 4.300 K.
    assert delta_t_k(6.0, 20.0) == pytest.approx(4.300, abs=5e-4)
    # Full power of an 8 kW unit at 20 l/min: 8 / 1.39533 = 5.733 K.
    assert delta_t_k(8.0, 20.0) == pytest.approx(5.733, abs=5e-4)

    pump = DemoHeatPump(seed=8, start=WINTER, rated_thermal_power_kw=8.0, flow_rate_l_min=20.0)
    checked = 0
    for _dt, reading in poll(pump, 86_400, every=60):
        if not reading.compressor_running:
            assert reading.flow_temperature == reading.return_temperature
            continue
        assert reading.flow_temperature is not None
        assert reading.return_temperature is not None
        heat = _heat_kw(reading)
        if not reading.defrost_active:
            # Thermal output = rated * modulation / 100, exactly.
            assert reading.compressor_modulation is not None
            assert heat == pytest.approx(8.0 * reading.compressor_modulation / 100)
        delta = reading.flow_temperature - reading.return_temperature
        assert delta == pytest.approx(heat / (20.0 / 60.0 * 4.186), abs=1e-9)
        checked += 1
    assert checked > 1000


def test_heating_curve_and_cop_follow_the_documented_physics() -> None:
    # Carnot at 35 °C flow, 5 °C outside: 308.15 / 30 = 10.272; * 0.42 = 4.314.
    assert cop_true(35.0, 5.0) == pytest.approx(4.314, abs=1e-3)
    # 60 °C flow, -20 °C outside: 333.15 / 80 = 4.164; * 0.42 = 1.749.
    assert cop_true(60.0, -20.0) == pytest.approx(1.749, abs=1e-3)
    assert cop_true(70.0, -30.0) == 1.5  # 0.42 * 343.15 / 100 = 1.441, clamped up
    assert cop_true(30.0, 29.0) == 7.0  # clamped

    pump = DemoHeatPump(seed=12, start=WINTER)
    heating_seen = 0
    for _dt, reading in poll(pump, 2 * 86_400, every=120):
        out = reading.outside_temperature
        assert out is not None
        slope = reading.settings["heating_curve_slope"]
        room = reading.extra["room_target_temperature"]
        assert isinstance(slope, float)
        assert isinstance(room, float)
        expected = min(55.0, max(25.0, room + slope * (room - out)))
        assert reading.extra["flow_setpoint"] == pytest.approx(expected)
        if reading.operating_mode == OperatingMode.HEATING:
            heating_seen += 1
            assert reading.flow_temperature == pytest.approx(expected)
            assert reading.electrical_power is not None
            assert reading.extra["cop_true"] == pytest.approx(cop_true(expected, out))
            assert reading.electrical_power == pytest.approx(
                _heat_kw(reading) / cop_true(expected, out) * 1000
            )
    assert heating_seen > 100


def test_outdoor_january_colder_than_july() -> None:
    pump = DemoHeatPump(seed=1, start=WINTER)

    def monthly_mean(year: int, month: int) -> float:
        first = datetime(year, month, 1, tzinfo=UTC)
        hours = [first + timedelta(hours=h) for h in range(31 * 24)]
        return sum(pump.outdoor_temperature(h) for h in hours) / len(hours)

    january, july = monthly_mean(2025, 1), monthly_mean(2025, 7)
    assert -3.0 < january < 5.0
    assert 14.0 < july < 22.0
    assert july - january > 10.0
    # The daily swing: early morning colder than afternoon, on average over January.
    mornings = [pump.outdoor_temperature(datetime(2025, 1, d, 5, tzinfo=UTC)) for d in range(1, 32)]
    afternoons = [
        pump.outdoor_temperature(datetime(2025, 1, d, 17, tzinfo=UTC)) for d in range(1, 32)
    ]
    assert sum(afternoons) / 31 - sum(mornings) / 31 == pytest.approx(8.0, abs=1.5)


def test_large_gap_fast_forward_is_quick_and_monotonic() -> None:
    pump = DemoHeatPump(seed=6, start=WINTER)
    before = pump.advance(WINTER + timedelta(hours=12))
    truth_before = pump.truth
    began = time.perf_counter()
    after = pump.advance(WINTER + timedelta(days=8, hours=12, seconds=5))
    elapsed = time.perf_counter() - began
    truth_after = pump.truth

    assert elapsed < 2.0  # 8 days, mostly in 300 s steps
    assert pump.now == WINTER + timedelta(days=8, hours=12, seconds=5) == after.timestamp
    assert before.electrical_energy is not None
    assert after.electrical_energy is not None
    assert after.electrical_energy > before.electrical_energy
    for name in (
        "thermal_energy",
        "electrical_energy",
        "thermal_energy_heating",
        "electrical_energy_heating",
        "electrical_energy_dhw",
        "electrical_energy_defrost",
        "compressor_starts",
        "defrost_count",
    ):
        assert getattr(truth_after, name) >= getattr(truth_before, name), name
    assert truth_after.thermal_energy_defrost <= truth_before.thermal_energy_defrost
    elapsed_sim = (after.timestamp - WINTER).total_seconds()
    assert sum(truth_after.seconds_by_mode.values()) == pytest.approx(elapsed_sim)
    # A week of winter heating is a plausible amount of energy (UA 0.25 kW/K).
    assert 300 < truth_after.thermal_energy - truth_before.thermal_energy < 1500
    assert truth_after.cop is not None
    assert 2.5 < truth_after.cop < 5.0


def test_settings_change_and_act_on_physics() -> None:
    pump = DemoHeatPump(seed=21, start=WINTER)
    seen: list[dict[str, str | float | None]] = []
    for hour in range(1, 14 * 24 + 1):
        reading = pump.advance(WINTER + timedelta(hours=hour))
        if not seen or reading.settings != seen[-1]:
            seen.append(dict(reading.settings))
        # The DHW target setting is the tank target the physics uses.
        assert reading.extra["dhw_tank_target"] == reading.settings["dhw_target_temperature"]
    assert len(seen) >= 3  # an initial set and at least two changes in two weeks
    for before, after in itertools.pairwise(seen):
        changed = {k for k in after if after[k] != before[k]}
        assert len(changed) == 1

    # Same seed, same schedule of changes.
    twin = DemoHeatPump(seed=21, start=WINTER)
    assert twin.advance(WINTER + timedelta(days=14)).settings == seen[-1]


def test_truth_round_trip_and_snapshot() -> None:
    pump = DemoHeatPump(seed=1, start=WINTER)
    pump.advance(WINTER + timedelta(hours=6))
    truth = pump.truth
    assert DemoTruth.from_dict(json.loads(json.dumps(truth.to_dict()))) == truth
    truth.electrical_energy = -1.0  # a snapshot: changing it leaves the simulator alone
    assert pump.truth.electrical_energy > 0
    assert math.isclose(sum(pump.truth.seconds_by_mode.values()), 6 * 3600, rel_tol=0, abs_tol=1e-6)


def test_lifetime_counters_like_a_real_device() -> None:
    """The demo keeps lifetime counters that start at years of use and never go down.

    Seed 7: the base is seeded (2-8 years × 3000-4500 kWh); electricity by purpose is
    base + truth; the heat meter is base + the running maximum of the net heat, so
    across defrosts it never falls and equals the net heat again once paid back
    (within one defrost's heat, 3 kW × 5 min = 0.25 kWh, per purpose).
    """
    pump = DemoHeatPump(seed=7, start=WINTER)
    base = pump.counter_base
    assert 6000.0 <= base["electrical_energy"] <= 36000.0
    previous: dict[str, float] = {}
    for minute in range(1, 24 * 60, 5):
        reading = pump.advance(WINTER + timedelta(minutes=minute))
        values = {
            "electrical_energy": reading.electrical_energy,
            "electrical_energy_heating": reading.electrical_energy_heating,
            "electrical_energy_dhw": reading.electrical_energy_dhw,
            "thermal_energy": reading.thermal_energy,
            "thermal_energy_heating": reading.thermal_energy_heating,
            "thermal_energy_dhw": reading.thermal_energy_dhw,
        }
        for key, value in values.items():
            assert value is not None
            assert value >= previous.get(key, 0.0), key
        previous = {k: float(v) for k, v in values.items() if v is not None}
    truth = pump.truth
    assert truth.thermal_energy_defrost < 0  # defrosts happened
    assert previous["electrical_energy_heating"] == pytest.approx(
        base["electrical_energy_heating"] + truth.electrical_energy_heating
    )
    assert previous["thermal_energy_heating"] == pytest.approx(
        base["thermal_energy_heating"] + truth.thermal_energy_heating, abs=0.25
    )
    assert previous["thermal_energy"] == pytest.approx(
        previous["thermal_energy_heating"] + previous["thermal_energy_dhw"]
    )
    # A restored simulator continues the same counters.
    again = DemoHeatPump.from_dict(pump.to_dict())
    assert again.counter_base == base
    assert again.advance(again.now).thermal_energy == pytest.approx(previous["thermal_energy"])
