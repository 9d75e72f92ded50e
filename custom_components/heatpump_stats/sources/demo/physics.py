"""The simulation's physical constants and pure functions (weather, water, COP; SI units)."""

from __future__ import annotations

from datetime import datetime
import math
import random

DAY_S = 86_400.0
HOUR_S = 3_600.0
WATER_KJ_PER_L_K = 4.186

# Weather.
ANNUAL_MEAN_C = 9.5
ANNUAL_AMPLITUDE_K = 8.5
WARMEST_DAY = 206.5  # days after 1 January (26 July, noon)
YEAR_DAYS = 365.2425
DAILY_AMPLITUDE_K = 4.0
DAILY_MIN_HOUR = 5.0
NOISE_BANDS: tuple[tuple[float, float, float], ...] = (
    # (shortest period d, longest period d, amplitude K)
    (0.25, 0.5, 0.4),
    (0.6, 1.5, 0.7),
    (2.0, 4.0, 1.5),
    (4.0, 8.0, 2.0),
    (8.0, 16.0, 1.5),
)

# Building and heating.
BUILDING_UA_KW_PER_K = 0.25
HEATING_LIMIT_C = 16.0
FLOW_SETPOINT_MIN_C = 25.0
FLOW_SETPOINT_MAX_C = 55.0
MIN_MODULATION = 20.0
DEFICIT_ON_KWH = 0.5
DEFICIT_OFF_KWH = -0.5
DEFICIT_CATCH_UP_S = 3_600.0
DEFICIT_SUMMER_DECAY_S = 7_200.0

# Efficiency and electricity.
CARNOT_EFFICIENCY = 0.42
COP_MIN = 1.5
COP_MAX = 7.0
STANDBY_KW = 0.015
PUMP_KW = 0.020

# Hot water.
TANK_KWH_PER_K = 300.0 * WATER_KJ_PER_L_K / 3_600.0
TANK_LOSS_KW_PER_K = 0.0015
TANK_AMBIENT_C = 20.0
COLD_WATER_C = 10.0
DHW_MIN_C = 40.0
DHW_START_BELOW_TARGET_K = 0.0
DHW_FLOW_OVER_TANK_K = 8.0
DHW_START_C = 48.0

# Loop water when the compressor is off.
LOOP_IDLE_C = 21.0
LOOP_IDLE_TAU_S = 1_800.0
LOOP_START_C = 30.0

# Defrost.
DEFROST_BELOW_C = 5.0
DEFROST_MIN_RUN_S = 45 * 60.0
DEFROST_MAX_RUN_S = 90 * 60.0
DEFROST_DURATION_S = 300.0
DEFROST_HEAT_KW = -3.0
DEFROST_ELECTRICAL_KW = 1.5
DEFROST_MODULATION = 50.0

# Large gaps.
FAST_FORWARD_AFTER_S = 2 * DAY_S
FAST_FORWARD_STEP_S = 300.0
FAST_FORWARD_TAIL_S = 6 * HOUR_S


def seeded_rng(seed: int, stream: str, index: int) -> random.Random:
    """An independent, reproducible RNG for one (seed, stream, index)."""
    return random.Random(f"heatpump_stats-demo:{seed}:{stream}:{index}")


def epoch_s(when: datetime) -> float:
    if when.tzinfo is None:
        raise ValueError("DemoHeatPump needs timezone-aware datetimes")
    return when.timestamp()


def daily_swing(t: float) -> float:
    return -DAILY_AMPLITUDE_K * math.cos(2.0 * math.pi * (t / DAY_S - DAILY_MIN_HOUR / 24.0))


def hhmm_s(text: str) -> float:
    hours, minutes = text.strip().split(":")
    return int(hours) * HOUR_S + int(minutes) * 60.0


def delta_t_k(thermal_power_kw: float, flow_l_min: float) -> float:
    """Flow-return temperature difference (K) for a heat flow at a water flow rate."""
    return thermal_power_kw / (flow_l_min / 60.0 * WATER_KJ_PER_L_K)


def cop_true(flow_c: float, outdoor_c: float) -> float:
    """The demo's COP: ``0.42 * Carnot`` on flow and outdoor temperature, clamped."""
    lift = flow_c - outdoor_c
    if lift <= 0.0:
        return COP_MAX
    cop = CARNOT_EFFICIENCY * (flow_c + 273.15) / lift
    return COP_MIN if cop < COP_MIN else min(cop, COP_MAX)


type Noise = tuple[tuple[float, float, float], ...]


def weather_noise(seed: int) -> Noise:
    """The seed's five weather sinusoids: (angular frequency 1/s, phase rad, amplitude K)."""
    rng = seeded_rng(seed, "weather", 0)
    omegas: list[float] = []
    phases: list[float] = []
    amplitudes: list[float] = []
    for short, long, amplitude in NOISE_BANDS:
        omegas.append(2.0 * math.pi / (rng.uniform(short, long) * DAY_S))
        phases.append(rng.uniform(0.0, 2.0 * math.pi))
        amplitudes.append(amplitude * rng.uniform(0.8, 1.2))
    return tuple(zip(omegas, phases, amplitudes, strict=True))


def outdoor_smooth(noise: Noise, t: float) -> float:
    """Outdoor temperature (°C) at epoch second `t` without the daily swing (a damped value)."""
    value = ANNUAL_MEAN_C + ANNUAL_AMPLITUDE_K * math.cos(
        2.0 * math.pi * (t / DAY_S - WARMEST_DAY) / YEAR_DAYS
    )
    for omega, phase, amplitude in noise:
        value += amplitude * math.sin(omega * t + phase)
    return value


def latest_dhw_slot(slots: tuple[float, ...], t: float) -> float:
    """The epoch second of the latest DHW start (`slots`: seconds of the day) at or before `t`."""
    day = math.floor(t / DAY_S)
    tod = t - day * DAY_S
    earlier = [s for s in slots if s <= tod]
    if earlier:
        return day * DAY_S + max(earlier)
    return (day - 1) * DAY_S + max(slots)


def daily_draws(seed: int, day: int) -> tuple[float, ...]:
    """The day's three hot-water draws: (start s, end s, power kW) each, seconds of the day."""
    rng = seeded_rng(seed, "draws", day)
    draws: list[float] = []
    for first, latest, min_kwh, max_kwh, min_min, max_min in (
        (6.25, 7.25, 1.2, 2.8, 10.0, 20.0),
        (12.0, 13.5, 0.2, 0.6, 5.0, 5.0),
        (19.0, 21.0, 1.5, 3.5, 15.0, 30.0),
    ):
        start = rng.uniform(first, latest) * HOUR_S
        duration = rng.uniform(min_min, max_min) * 60.0
        energy = rng.uniform(min_kwh, max_kwh)
        draws.extend((start, start + duration, energy * HOUR_S / duration))
    return tuple(draws)


def draw_kw(draws: tuple[float, ...], tod: float) -> float:
    """Hot water drawn (kW) at second `tod` of the day, from :func:`daily_draws`."""
    d = draws
    if d[0] <= tod < d[1]:
        return d[2]
    if d[3] <= tod < d[4]:
        return d[5]
    if d[6] <= tod < d[7]:
        return d[8]
    return 0.0
