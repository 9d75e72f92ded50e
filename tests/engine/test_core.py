"""Known answers for the engine: attribution, defrost, starts, gaps, COPs, restart."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.heatpump_stats.engine.core import (
    Engine,
    EngineConfig,
    classify_operating_mode,
)
from custom_components.heatpump_stats.engine.thermal import ThermalMethod
from custom_components.heatpump_stats.model.reading import (
    HeatPumpReading,
    MeterReading,
    OperatingMode,
)

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2025, 1, 15, 11, 0, tzinfo=UTC)  # 12:00 local (CET)
H = OperatingMode.HEATING
DHW = OperatingMode.DHW
DEFROST = OperatingMode.DEFROST


def at(seconds: float, base: datetime = T0) -> datetime:
    return base + timedelta(seconds=seconds)


def hp(seconds: float, base: datetime = T0, **kwargs: object) -> HeatPumpReading:
    return HeatPumpReading(timestamp=at(seconds, base), **kwargs)  # type: ignore[arg-type]


def meter(
    seconds: float, power: float | None = None, energy: float | None = None, base: datetime = T0
) -> MeterReading:
    return MeterReading(timestamp=at(seconds, base), power=power, energy=energy)


def feed_source_style(engine: Engine, samples: Iterable[tuple[float, HeatPumpReading]]) -> None:
    """Meter choice 'source': the glue calls update_heat_pump, then update_meter (same ts)."""
    for power_w, reading in samples:
        engine.update_heat_pump(reading)
        engine.update_meter(MeterReading(timestamp=reading.timestamp, power=power_w))


def test_classify_operating_mode() -> None:
    def c(**kw: object) -> OperatingMode:
        args: dict[str, object] = {
            "defrost_active": None,
            "compressor_running": None,
            "circulation_pump": None,
            "electrical_power_w": None,
            "running_threshold_w": 150.0,
        }
        args.update(kw)
        return classify_operating_mode(**args)  # type: ignore[arg-type]

    assert c(defrost_active=True, compressor_running=True) is OperatingMode.DEFROST
    assert c(compressor_running=True) is OperatingMode.HEATING
    assert c(electrical_power_w=150.0) is OperatingMode.HEATING  # at the threshold
    assert c(electrical_power_w=149.0) is OperatingMode.STANDBY
    assert c(compressor_running=False, electrical_power_w=2000.0) is OperatingMode.STANDBY
    assert c(electrical_power_w=0.0) is OperatingMode.OFF
    assert c() is OperatingMode.OFF
    assert c(electrical_power_w=0.0, circulation_pump=True) is OperatingMode.STANDBY


def test_constant_run_cop_energy_and_staleness() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    # Heat pump every 30 s (6 kW measured), meter every 10 s (2000 W), 10 minutes.
    for t in range(0, 601, 10):
        if t % 30 == 0:
            engine.update_heat_pump(hp(t, thermal_power=6.0, operating_mode=H))
        engine.update_meter(meter(t, power=2000.0))
    m = engine.snapshot(at(600))
    # Electricity 2 kW × 600/3600 h = 0.33333 kWh; heat 6 kW × 600/3600 h = 1.0 kWh
    assert m.electrical_energy == pytest.approx(1 / 3)
    assert m.thermal_energy == pytest.approx(1.0)
    assert m.electrical_energy_heating == pytest.approx(1 / 3)
    assert m.thermal_energy_heating == pytest.approx(1.0)
    # Window [300, 600]: 6 kW × 300 s / (2 kW × 300 s) = 3.0; today 1.0 / 0.3333 = 3.0
    assert m.cop == pytest.approx(3.0)
    assert m.daily_cop == pytest.approx(3.0)
    assert m.thermal_power == 6.0
    assert m.thermal_power_method is ThermalMethod.MEASURED
    assert m.electrical_power == 2000.0
    assert m.compressor_running is True  # 2000 W ≥ 150 W, the source does not say
    assert m.energy_today == pytest.approx(1 / 3)
    # The heat pump's last poll is 200 s old (> 5 × 30 s): the 5-min COP is unknown
    assert engine.snapshot(at(800)).cop is None


def test_thermal_power_methods_and_options() -> None:
    engine = Engine(EngineConfig(flow_rate_l_min=20.0, rated_thermal_power_kw=8.0), BERLIN)
    engine.update_heat_pump(
        hp(0, flow_temperature=35.0, return_temperature=30.0, compressor_modulation=50.0)
    )
    m = engine.snapshot(at(0))
    # Configured flow 20 l/min: 20/60 × 4.186 × 5 = 6.97667 kW beats modulation 8 × 50 % = 4 kW
    assert m.flow_rate == 20.0
    assert m.thermal_power == pytest.approx(6.976667, abs=1e-6)
    assert m.thermal_power_method is ThermalMethod.DELTA_T
    assert m.thermal_power_modulation == pytest.approx(4.0)
    # Circulation pump reported off and no measured flow: flow 0 → 0 kW
    engine.update_heat_pump(
        hp(30, flow_temperature=35.0, return_temperature=30.0, circulation_pump=False)
    )
    assert engine.snapshot(at(30)).thermal_power == 0.0
    # Measured flow 12 l/min wins over the option: 12/60 × 4.186 × 5 = 4.186 kW
    engine.update_heat_pump(hp(60, flow_rate=12.0, flow_temperature=35.0, return_temperature=30.0))
    assert engine.snapshot(at(60)).thermal_power == pytest.approx(4.186)
    # The rated-power option overrides the device's (10 kW): 8 × 25 % = 2 kW
    engine.update_heat_pump(hp(90, compressor_modulation=25.0, rated_thermal_power=10.0))
    m = engine.snapshot(at(90))
    assert m.thermal_power == pytest.approx(2.0)
    assert m.thermal_power_method is ThermalMethod.MODULATION
    # Without the option the device's rated power is used: 10 × 25 % = 2.5 kW
    engine.set_config(EngineConfig())
    engine.update_heat_pump(hp(120, compressor_modulation=25.0, rated_thermal_power=10.0))
    assert engine.snapshot(at(120)).thermal_power == pytest.approx(2.5)


def test_defrost_during_heating_is_booked_to_heating_and_defrost() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    samples = [
        (2000.0, hp(0, operating_mode=H, thermal_power=6.0)),
        (2000.0, hp(30, operating_mode=H, thermal_power=6.0)),
        (1000.0, hp(60, operating_mode=DEFROST, thermal_power=-3.0)),
        (1000.0, hp(90, operating_mode=DEFROST, thermal_power=-3.0)),
        (2000.0, hp(120, operating_mode=H, thermal_power=6.0)),
        (2000.0, hp(150, operating_mode=H, thermal_power=6.0)),
    ]
    feed_source_style(engine, samples)
    m = engine.snapshot(at(150))
    # Interval (tᵢ, tᵢ₊₁] belongs to the state at tᵢ. Electricity (trapezoid):
    #   (0,30]    heating  2000 W        × 30 s = 0.016667 kWh
    #   (30,60]   heating  1500 W avg    × 30 s = 0.0125
    #   (60,90]   defrost  1000 W        × 30 s = 0.008333  → heating + defrost
    #   (90,120]  defrost  1500 W avg    × 30 s = 0.0125    → heating + defrost
    #   (120,150] heating  2000 W        × 30 s = 0.016667
    #   total 0.066667, all heating; defrost 0.008333 + 0.0125 = 0.020833
    assert m.electrical_energy == pytest.approx(0.066667, abs=1e-6)
    assert m.electrical_energy_heating == pytest.approx(0.066667, abs=1e-6)
    assert m.electrical_energy_dhw == 0.0
    assert m.electrical_energy_defrost == pytest.approx(0.020833, abs=1e-6)
    # Heat: 0.05 + 1.5 kW×30 s (0.0125) + (−3 kW×30 s = −0.025) + 0.0125 + 0.05 = 0.1 kWh,
    # the defrost's negative heat stays with heating
    assert m.thermal_energy == pytest.approx(0.1)
    assert m.thermal_energy_heating == pytest.approx(0.1)
    assert m.operating_mode is H


def test_defrost_after_dhw_is_booked_to_dhw() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    samples = [
        (1800.0, hp(0, operating_mode=H)),
        (1800.0, hp(30, operating_mode=DHW)),
        (1800.0, hp(60, operating_mode=DHW)),
        # the source still says dhw but flags the defrost; then no mode, flag only:
        # both are defrost, begun during dhw
        (1800.0, hp(90, operating_mode=DHW, defrost_active=True)),
        (1800.0, hp(120, operating_mode=None, defrost_active=True)),
        (1800.0, hp(150, operating_mode=DHW)),
    ]
    feed_source_style(engine, samples)
    m = engine.snapshot(at(150))
    # 1800 W × 30 s = 0.015 kWh per interval; (0,30] heating, the other 4 dhw,
    # of which (90,120] and (120,150] are the defrost
    assert m.electrical_energy_heating == pytest.approx(0.015)
    assert m.electrical_energy_dhw == pytest.approx(0.060)
    assert m.electrical_energy_defrost == pytest.approx(0.030)
    assert m.electrical_energy == pytest.approx(0.075)


def test_meter_samples_between_polls_go_to_the_latest_mode() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    for t in range(0, 61, 10):
        if t % 30 == 0:
            engine.update_heat_pump(hp(t, operating_mode=H if t == 0 else DHW))
        engine.update_meter(meter(t, power=3600.0))
    m = engine.snapshot(at(60))
    # 3600 W × 10 s = 0.01 kWh per meter interval. Heating known during (0,30]: 3 intervals;
    # dhw from 30 s: (30,40], (40,50], (50,60]
    assert m.electrical_energy_heating == pytest.approx(0.03)
    assert m.electrical_energy_dhw == pytest.approx(0.03)
    assert engine.electrical_energy_by_purpose["unknown"] == 0.0


def test_compressor_starts_from_the_source() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    states = [False, True, True, False, False, True, None, True, False, True]
    for i, running in enumerate(states):
        engine.update_heat_pump(hp(30 * i, compressor_running=running))
    # F→T at 1, F→T at 5, (None skipped, T→T), T→F, F→T at 9: 3 starts
    assert engine.snapshot(at(300)).compressor_starts == 3

    first_running = Engine(EngineConfig(), BERLIN)
    first_running.update_heat_pump(hp(0, compressor_running=True))
    first_running.update_heat_pump(hp(30, compressor_running=True))
    assert first_running.snapshot(at(30)).compressor_starts == 0  # first sample is no start


def test_compressor_starts_from_power_threshold() -> None:
    engine = Engine(EngineConfig(running_threshold_w=150.0), BERLIN)
    powers = [500.0, 100.0, 2000.0, 1800.0, 0.0, 160.0, 149.0, 150.0]
    for i, p in enumerate(powers):
        engine.update_meter(meter(10 * i, power=p))
    # running: T(first, no start) F T(1) T F T(2) F T(3; 150 W is at the threshold)
    assert engine.snapshot(at(80)).compressor_starts == 3


def test_mode_is_classified_when_the_source_has_none() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    engine.update_meter(meter(0, power=2000.0))
    engine.update_heat_pump(hp(5))
    assert engine.snapshot(at(5)).operating_mode is OperatingMode.HEATING
    engine.update_meter(meter(10, power=20.0))
    engine.update_heat_pump(hp(35))
    assert engine.snapshot(at(35)).operating_mode is OperatingMode.STANDBY
    engine.update_heat_pump(hp(65, defrost_active=True))
    assert engine.snapshot(at(65)).operating_mode is OperatingMode.DEFROST
    engine.update_meter(meter(70, power=0.0))
    engine.update_heat_pump(hp(95, circulation_pump=False))
    assert engine.snapshot(at(95)).operating_mode is OperatingMode.OFF


def test_meter_gap_is_not_bridged() -> None:
    engine = Engine(EngineConfig(meter_interval_s=10.0, max_gap_factor=5.0), BERLIN)
    for t in (0, 10, 20, 200, 210):
        engine.update_meter(meter(t, power=1000.0))
    # 0→10→20: 1 kW × 20 s; 20→200 = 180 s > 50 s: not bridged; 200→210: 1 kW × 10 s
    # = 1 × 30/3600 = 0.0083333 kWh
    assert engine.snapshot(at(210)).electrical_energy == pytest.approx(30 / 3600)


def test_heat_gap_is_not_bridged() -> None:
    engine = Engine(EngineConfig(scan_interval_s=30.0, max_gap_factor=5.0), BERLIN)
    for t in (0, 30, 300, 330):
        engine.update_heat_pump(hp(t, thermal_power=6.0, operating_mode=H))
    # (0,30] and (300,330] only: 6 kW × 60 s = 0.1 kWh (30→300 = 270 s > 150 s)
    m = engine.snapshot(at(330))
    assert m.thermal_energy == pytest.approx(0.1)
    assert m.time_in_mode[H.value] == pytest.approx(60.0)


def test_counter_across_gap_counts_in_totals_but_not_in_cop_window() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    engine.update_meter(meter(0, energy=10.0))
    engine.update_meter(meter(10, energy=10.01))
    for t in (340, 370, 400):
        engine.update_heat_pump(hp(t, thermal_power=6.0, operating_mode=H))
    engine.update_meter(meter(400, energy=10.5))
    m = engine.snapshot(at(400))
    # 10.5 − 10.0 = 0.5 kWh is counted (the total mirrors the meter: 10.5) ...
    assert m.electrical_energy == pytest.approx(10.5)
    assert m.energy_today == pytest.approx(0.5)
    # ... but 0.49 kWh over 390 s is not a rate for the window [100, 400]: no COP
    assert m.cop is None


def test_meter_counter_reset_is_never_negative() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    for i, e in enumerate([100.0, 100.5, 0.2, 0.4, 0.7]):
        engine.update_meter(meter(10 * i, energy=e))
    # 0.5 + 0.7 (a reset to near zero, confirmed by 0.2, 0.4, 0.7: the energy since zero) = 1.2
    m = engine.snapshot(at(40))
    assert m.energy_today == pytest.approx(1.2)
    # The total mirrors the meter (100.0 at the start) and continues through the reset:
    # 100.0 + 1.2 = 101.2, raw reading 0.7, offset 100.5.
    assert m.electrical_energy == pytest.approx(101.2)
    assert m.device_counters["electrical_energy"] == pytest.approx(0.7)
    assert m.counter_offsets["electrical_energy"] == pytest.approx(100.5)


def test_time_in_mode() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    modes = [(0, H), (30, H), (60, H), (90, DHW), (120, DHW), (150, OperatingMode.STANDBY)]
    modes += [(500, OperatingMode.STANDBY), (530, OperatingMode.OFF)]
    for t, mode in modes:
        engine.update_heat_pump(hp(t, operating_mode=mode))
    tim = engine.snapshot(at(530)).time_in_mode
    # heating (0,30],(30,60],(60,90] = 90 s; dhw (90,120],(120,150] = 60 s;
    # standby (150,500] is a 350 s gap (> 150 s) → not counted, (500,530] = 30 s
    assert tim == {
        "off": 0.0,
        "standby": 30.0,
        "heating": 90.0,
        "dhw": 60.0,
        "defrost": 0.0,
        "cooling": 0.0,
    }


def _run_hour(engine: Engine, start: datetime, heat_kw: float, elec_w: float) -> None:
    for t in range(0, 3601, 30):
        engine.update_heat_pump(hp(t, base=start, thermal_power=heat_kw, operating_mode=H))
        engine.update_meter(meter(t, power=elec_w, base=start))


def test_daily_and_seasonal_cop_with_season_reset() -> None:
    engine = Engine(EngineConfig(season_start_month=7, season_start_day=1), BERLIN)
    june30 = datetime(2025, 6, 30, 12, tzinfo=BERLIN)
    july1 = datetime(2025, 7, 1, 12, tzinfo=BERLIN)
    _run_hour(engine, june30, 6.0, 2000.0)  # 6 kWh heat, 2 kWh electricity
    m = engine.snapshot(june30 + timedelta(hours=1))
    # 6 / 2 = 3.0 for the day and for the season begun 2024-07-01
    assert m.daily_cop == pytest.approx(3.0)
    assert m.seasonal_cop == pytest.approx(3.0)
    _run_hour(engine, july1, 8.0, 2000.0)  # 8 kWh heat, 2 kWh electricity
    m = engine.snapshot(july1 + timedelta(hours=1))
    # New season from 2025-07-01: 8 / 2 = 4.0 (June no longer counts)
    assert m.daily_cop == pytest.approx(4.0)
    assert m.seasonal_cop == pytest.approx(4.0)
    assert m.energy_today == pytest.approx(2.0)
    assert m.energy_month == pytest.approx(2.0)
    assert m.energy_year == pytest.approx(4.0)
    assert m.electrical_energy == pytest.approx(4.0)
    # Season from 1 June: (6 + 8) / (2 + 2) = 3.5
    engine.set_config(EngineConfig(season_start_month=6, season_start_day=1))
    assert engine.snapshot(july1 + timedelta(hours=1)).seasonal_cop == pytest.approx(3.5)
    # Next day, nothing yet: daily COP unknown, today's energy 0
    m = engine.snapshot(july1 + timedelta(days=1))
    assert m.daily_cop is None
    assert m.energy_today == 0.0


def test_energy_periods_across_local_midnight() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    midnight = datetime(2025, 1, 16, 0, 0, tzinfo=BERLIN)
    engine.update_meter(meter(-10, energy=100.0, base=midnight))
    engine.update_meter(meter(0, energy=100.1, base=midnight))
    engine.update_meter(meter(10, energy=100.3, base=midnight))
    m = engine.snapshot(midnight + timedelta(seconds=10))
    # (23:59:50, 00:00:00] ends at midnight → the 15th; (00:00:00, 00:00:10] → the 16th
    assert m.energy_today == pytest.approx(0.2)
    assert m.energy_week == pytest.approx(0.3)  # Wed 15th and Thu 16th
    assert m.electrical_energy == pytest.approx(100.3)  # the meter's own reading
    assert m.projected_annual_energy is None  # 20 s of data


def _scenario(start: datetime, minutes: int, hole: tuple[int, int] | None = None) -> list[object]:
    """Heat pump every 30 s, meter (counter rounded to Wh, and power) every 10 s."""
    events: list[object] = []
    counter = 2500.0
    for t in range(0, minutes * 60 + 1, 10):
        power = 1000.0 + (t // 10 % 7) * 200.0
        counter += power * 10 / 3.6e6
        if hole and hole[0] * 60 < t < hole[1] * 60:
            continue
        if t % 30 == 0:
            minute = t // 60
            mode = DEFROST if minute % 20 == 7 else (DHW if minute % 45 < 10 else H)
            events.append(
                hp(
                    t,
                    base=start,
                    operating_mode=mode,
                    flow_temperature=35.0 + (t % 90) / 30,
                    return_temperature=30.0 if mode is not DEFROST else 37.0,
                    flow_rate=18.0,
                    compressor_running=(t // 300) % 3 != 2,
                )
            )
        events.append(meter(t, power=power, energy=round(counter, 3), base=start))
    return events


def _feed(engine: Engine, events: list[object]) -> None:
    for ev in events:
        if isinstance(ev, HeatPumpReading):
            engine.update_heat_pump(ev)
        else:
            assert isinstance(ev, MeterReading)
            engine.update_meter(ev)


def _restart(engine: Engine, config: EngineConfig) -> Engine:
    return Engine.from_dict(json.loads(json.dumps(engine.to_dict())), config, BERLIN)


@pytest.mark.parametrize("hole", [None, (120, 140)])
def test_restart_gives_the_same_totals(hole: tuple[int, int] | None) -> None:
    config = EngineConfig()
    start = datetime(2025, 1, 15, 9, 0, tzinfo=BERLIN)
    events = _scenario(start, 240, hole)  # 09:00 .. 13:00 local
    split = next(i for i, ev in enumerate(events) if ev.timestamp >= at(7205, start))  # type: ignore[attr-defined]

    never = Engine(config, BERLIN)
    _feed(never, events)

    restarted = Engine(config, BERLIN)
    _feed(restarted, events[:split])
    restarted = _restart(restarted, config)
    _feed(restarted, events[split:])

    now = start + timedelta(hours=4)
    assert restarted.to_dict() == never.to_dict()
    a, b = restarted.snapshot(now), never.snapshot(now)
    assert a == b
    # Known answer: the meter counter is the truth, also across the hole —
    # total = last counter − first counter
    first = events[1].energy  # type: ignore[attr-defined]
    last = events[-1].energy  # type: ignore[attr-defined]
    assert sum(restarted.electrical_energy_by_purpose.values()) == pytest.approx(last - first)
    # the total shows the meter's reading itself
    assert a.electrical_energy == pytest.approx(last)
    assert a.electrical_energy_defrost > 0.0
    assert a.compressor_starts > 0
    assert a.thermal_energy == pytest.approx(sum(restarted.thermal_energy_by_purpose.values()))


def test_restart_then_gap_matches_gap_without_restart() -> None:
    config = EngineConfig()

    def before_gap(engine: Engine) -> None:
        for t in range(0, 301, 30):
            engine.update_heat_pump(hp(t, thermal_power=4.0, operating_mode=H))
            engine.update_meter(meter(t, power=1200.0, energy=50.0 + t / 3000))

    def after_gap(engine: Engine) -> None:
        # back 20 minutes later: heat trapezoid not bridged, meter counter counted
        for t in range(1500, 1801, 30):
            engine.update_heat_pump(hp(t, thermal_power=4.0, operating_mode=H))
            engine.update_meter(meter(t, power=1200.0, energy=50.0 + t / 3000))

    never = Engine(config, BERLIN)
    before_gap(never)
    after_gap(never)
    restarted = Engine(config, BERLIN)
    before_gap(restarted)
    restarted = _restart(restarted, config)
    after_gap(restarted)
    a, b = restarted.snapshot(at(1800)), never.snapshot(at(1800))
    assert a == b
    # heat: 4 kW × (300 s + 300 s) / 3600 = 0.66667 kWh (the 1200 s gap not bridged)
    assert a.thermal_energy == pytest.approx(4 * 600 / 3600)
    # electricity: counter 50.0 → 50.6 = 0.6 kWh including the gap (the total mirrors 50.6)
    assert sum(restarted.electrical_energy_by_purpose.values()) == pytest.approx(0.6)
    assert a.electrical_energy == pytest.approx(50.6)
    assert a.cop == b.cop
    # window [1500, 1800]: heat 4 kW × 300 s = 0.33333; electricity 300 s × 1/3000 kWh/s = 0.1
    assert a.cop == pytest.approx(10 / 3)


def test_out_of_order_readings_are_ignored() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    engine.update_heat_pump(hp(0, thermal_power=6.0, operating_mode=H))
    engine.update_heat_pump(hp(30, thermal_power=6.0, operating_mode=H))
    engine.update_heat_pump(hp(15, thermal_power=60.0, operating_mode=H))
    engine.update_meter(meter(0, energy=1.0))
    engine.update_meter(meter(10, energy=1.1))
    engine.update_meter(meter(10, energy=9.0))
    m = engine.snapshot(at(30))
    assert m.thermal_energy == pytest.approx(0.05)  # 6 kW × 30 s
    assert m.energy_today == pytest.approx(0.1)
    assert m.electrical_energy == pytest.approx(1.1)


def test_unknown_storage_version_starts_fresh() -> None:
    engine = Engine(EngineConfig(), BERLIN)
    engine.update_meter(meter(0, energy=1.0))
    engine.update_meter(meter(10, energy=2.0))
    data = engine.to_dict()
    # the meter's reading, restored
    assert Engine.from_dict(data, EngineConfig(), BERLIN).snapshot(at(10)).electrical_energy == 2.0
    data["version"] = 999
    assert Engine.from_dict(data, EngineConfig(), BERLIN).snapshot(at(10)).electrical_energy is None


def test_config_change_keeps_state() -> None:
    engine = Engine(EngineConfig(scan_interval_s=30.0), BERLIN)
    engine.update_heat_pump(hp(0, thermal_power=3.0, operating_mode=H))
    engine.set_config(replace(engine.config, scan_interval_s=60.0))  # max gap now 300 s
    engine.update_heat_pump(hp(240, thermal_power=3.0, operating_mode=H))
    # 240 s ≤ 300 s → bridged: 3 kW × 240/3600 h = 0.2 kWh
    assert engine.snapshot(at(240)).thermal_energy == pytest.approx(0.2)


def test_heat_counters_never_go_down_through_a_defrost() -> None:
    """A defrost's negative heat is paid back before the counters move on.

    Measured thermal power every 60 s (trapezoid, kWh = mean kW × 60/3600):
    6, 6 -> +0.1; 6, -6 -> 0; -6, -6 -> -0.1; -6, 6 -> 0; 6, 6 -> +0.1; 6, 6 -> +0.1.
    Net heat:      0.1, 0.1, 0.0, 0.0, 0.1, 0.2
    Shown (max):   0.1, 0.1, 0.1, 0.1, 0.1, 0.2  -> equal again once repaid.
    """
    engine = Engine(EngineConfig(scan_interval_s=60), UTC)
    powers = [6.0, 6.0, -6.0, -6.0, 6.0, 6.0, 6.0]
    shown: list[float] = []
    for i, kw in enumerate(powers):
        engine.update_heat_pump(hp(60 * i, thermal_power=kw, operating_mode=OperatingMode.HEATING))
        if i:
            value = engine.snapshot(at(60 * i)).thermal_energy
            assert value is not None
            shown.append(value)
    assert shown == pytest.approx([0.1, 0.1, 0.1, 0.1, 0.1, 0.2])
    assert engine.thermal_energy_by_purpose["heating"] == pytest.approx(0.2)
    metrics = engine.snapshot(at(360))
    assert metrics.thermal_energy_heating == pytest.approx(0.2)
    # The running maximum survives a restart.
    restored = Engine.from_dict(json.loads(json.dumps(engine.to_dict())), engine.config, UTC)
    assert restored.snapshot(at(360)).thermal_energy == pytest.approx(0.2)


def test_totals_mirror_the_device_counters_from_the_first_poll() -> None:
    """A new engine shows the device's lifetime readings themselves (offset 0).

    Heat pump: heat 41000.0 → 41000.5 kWh, heating 35000.0 → 35000.5, dhw 6000.0,
    its electricity 10000.0 → 10000.1; lifetime COP = 41000.5 / 10000.1 = 4.09996.
    """
    engine = Engine(EngineConfig(), BERLIN)
    for t, heat, elec in ((0, 41000.0, 10000.0), (30, 41000.5, 10000.1)):
        reading = hp(
            t,
            operating_mode=H,
            thermal_energy=heat,
            thermal_energy_heating=heat - 6000.0,
            thermal_energy_dhw=6000.0,
            electrical_energy=elec,
        )
        engine.update_heat_pump(reading)
        engine.update_meter(meter(t, energy=elec))
    m = engine.snapshot(at(30))
    assert m.thermal_energy == pytest.approx(41000.5)
    assert m.thermal_energy_heating == pytest.approx(35000.5)
    assert m.thermal_energy_dhw == pytest.approx(6000.0)
    assert m.electrical_energy == pytest.approx(10000.1)
    assert m.lifetime_cop == pytest.approx(41000.5 / 10000.1)
    assert m.counter_offsets == {
        "thermal_energy": 0.0,
        "thermal_energy_heating": 0.0,
        "thermal_energy_dhw": 0.0,
        "electrical_energy": 0.0,
    }
    # electricity by purpose is counted (the device has no such counter): 0.1 kWh to heating
    assert m.electrical_energy_heating == pytest.approx(0.1)
    # booking is unchanged: the 30 s brought 0.5 kWh heat and 0.1 kWh electricity
    assert m.energy_today == pytest.approx(0.1)


def test_counter_that_appears_later_continues_the_shown_total() -> None:
    """A total shown since setup (0.05 kWh) does not jump to the device's 12000 kWh.

    Power only for 30 s: 6 kW × 30 s = 0.05 kWh shown; then the device's heat
    counter appears at 12000.0 and moves to 12000.2: shown 0.05 + 0.2 = 0.25.
    """
    engine = Engine(EngineConfig(), BERLIN)
    engine.update_heat_pump(hp(0, thermal_power=6.0, operating_mode=H))
    engine.update_heat_pump(hp(30, thermal_power=6.0, operating_mode=H))
    assert engine.snapshot(at(30)).thermal_energy == pytest.approx(0.05)
    engine.update_heat_pump(hp(60, thermal_power=6.0, thermal_energy=12000.0, operating_mode=H))
    engine.update_heat_pump(hp(90, thermal_power=6.0, thermal_energy=12000.2, operating_mode=H))
    m = engine.snapshot(at(90))
    # the mirror continues from what was shown (0.05): 0.05 + 0.2 = 0.25
    assert m.thermal_energy == pytest.approx(0.25)
    assert m.device_counters["thermal_energy"] == pytest.approx(12000.2)
    assert m.counter_offsets["thermal_energy"] == pytest.approx(0.05 - 12000.0)


def test_switching_meter_continues_the_total_without_a_jump() -> None:
    """Options: Shelly A (5000 kWh) → Shelly B (300 kWh): the total goes on from 5000.2.

    A: 5000.0 → 5000.2. Reload with meter_basis B; B: 300.0 → 300.1 → 300.3:
    total 5000.2 + 0.3 = 5000.5; nothing of the 4700 kWh difference is booked.
    """
    engine = Engine(EngineConfig(meter_basis="shelly:a"), BERLIN)
    engine.update_meter(meter(0, energy=5000.0))
    engine.update_meter(meter(10, energy=5000.2))
    data = json.loads(json.dumps(engine.to_dict()))
    engine = Engine.from_dict(data, EngineConfig(meter_basis="shelly:b"), BERLIN)
    for t, e in ((20, 300.0), (30, 300.1), (40, 300.3)):
        engine.update_meter(meter(t, energy=e))
    m = engine.snapshot(at(40))
    assert m.electrical_energy == pytest.approx(5000.5)
    assert m.energy_today == pytest.approx(0.5)
    assert m.device_counters["electrical_energy"] == pytest.approx(300.3)


def test_meter_spike_never_becomes_energy() -> None:
    """1e12 W and 1e15 Wh once (issue 14): totals, today and COP are untouched.

    Meter every 10 s at 1200 W, counter + 1200 W × 10 s = 1/300 kWh per poll.
    """
    engine = Engine(EngineConfig(), BERLIN)
    counter = 2000.0
    for i in range(10):
        engine.update_heat_pump(hp(10 * i, thermal_power=4.0, operating_mode=H))
        glitch = i == 5
        engine.update_meter(
            meter(10 * i, power=1e12 if glitch else 1200.0, energy=1e12 if glitch else counter)
        )
        counter += 1200 * 10 / 3.6e6
    m = engine.snapshot(at(90))
    # 9 intervals × 1/300 kWh = 0.03 kWh (the glitch sample books nothing, the next catches up)
    assert m.energy_today == pytest.approx(0.03)
    assert m.electrical_energy == pytest.approx(2000.03)
    assert m.electrical_power == 1200.0


def test_totals_never_go_below_what_was_shown() -> None:
    """hold_at_least: after a crash the stored state is older than what HA recorded."""
    engine = Engine(EngineConfig(), BERLIN)
    engine.update_heat_pump(hp(0, operating_mode=H))
    engine.update_meter(meter(0, power=1200.0))
    engine.update_meter(meter(10, power=1200.0))  # 1.2 kW × 10 s = 1/300 kWh to heating
    engine.hold_at_least("electrical_energy_heating", 0.01)
    assert engine.snapshot(at(10)).electrical_energy_heating == pytest.approx(0.01)
    for t in range(20, 80, 10):
        engine.update_meter(meter(t, power=1200.0))
    # 7 intervals × 1/300 = 0.02333 kWh > 0.01: the count shows again
    assert engine.snapshot(at(70)).electrical_energy_heating == pytest.approx(7 / 300)
