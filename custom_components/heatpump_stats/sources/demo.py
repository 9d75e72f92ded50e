"""A simulated air-to-water heat pump with simple but real physics.

This is the default source for users without hardware and the test bed whose
ground truth (:class:`DemoTruth`) lets tests check every number the engine
computes. It imports nothing from Home Assistant.

Determinism
    Everything follows from ``seed`` and simulated time: weather noise, hot-water
    draws, defrost intervals and settings changes come from ``random.Random``
    instances seeded with strings derived from the seed (never the global RNG,
    never the wall clock). Simulation steps end on a fixed grid (multiples of
    ``step_s`` since the Unix epoch), so advancing A->B->C gives bit-identical
    results to A->C whenever B lies on that grid, and ``to_dict``/``from_dict``
    at B continues exactly. A step's state is decided at its start and held for
    the step (left Riemann sum); the reading returned by :meth:`advance` is the
    instantaneous state at ``to``, i.e. the state the next step will integrate.

Large gaps
    If one :meth:`DemoHeatPump.advance` call spans more than 2 days (e.g. Home
    Assistant was off for a week) the simulator fast-forwards with coarse steps of
    ``max(step_s, 300 s)`` up to 6 h before ``to`` and uses ``step_s`` for the rest.
    Counters stay monotonic; the result then differs slightly from a fine-step run.

Weather (°C, all times UTC)
    outdoor = annual mean + daily swing + noise, where the annual mean is
    ``9.5 + 8.5 cos(2 pi (day - 26 July) / 365.2425)`` (≈ 1 °C late January,
    ≈ 18 °C late July), the daily swing ``-4 cos(2 pi (hour - 5) / 24)``
    (minimum 05:00, maximum 17:00) and the noise a sum of five seeded sinusoids
    with periods 6 h ... 16 days and amplitudes 0.4/0.7/1.5/2.0/1.5 K
    (standard deviation ≈ 2 K).

Building and heating
    Room target: ``comfort_temperature`` (20 °C) inside ``heating_schedule``
    (06:00-22:00), ``reduced_temperature`` (17 °C) outside it; program
    ``comfort``/``reduced`` holds one of them all day. Space heating only while
    both the outdoor temperature and its damped value (without the daily swing)
    are below 16 °C, so summer nights do not heat. Heat demand
    ``UA * (room - outdoor)`` with UA = 0.25 kW/K.
    Flow setpoint (heating curve) ``room + slope * (room - outdoor)``, slope 0.8
    (setting ``heating_curve_slope``), clamped to 25-55 °C; with room = 20 °C this is
    ``20 + slope * (20 - outdoor)``. A building heat-deficit buffer (kWh) integrates
    demand minus delivered heat; the compressor starts when the deficit exceeds
    +0.5 kWh and stops when it falls below -0.5 kWh. While heating it delivers
    ``demand + deficit / 1 h`` clamped to 20-100 % of the rated thermal power
    (8 kW), so mild weather gives on/off cycles of tens of minutes and cold
    weather continuous modulation. Thermal output = rated * modulation / 100.
    Outside the heating season the deficit relaxes to zero (time constant 2 h).

Hot water (DHW)
    300 l tank (0.349 kWh/K), standing loss 1.5 W/K above 20 °C, cold water
    10 °C. Daily draws, seeded per day: morning 1.2-2.8 kWh over 10-20 min starting
    06:15-07:15, midday 0.2-0.6 kWh over 5 min (12:00-13:30), evening 1.5-3.5 kWh
    over 15-30 min starting 19:00-21:00. Heating to ``dhw_target_temperature``
    (50 °C) starts at each ``dhw_schedule`` time (06:00, 18:00) unless the tank is
    already at target, and at any time the tank falls below 40 °C. DHW runs at 100 %
    with flow = tank + 8 K; space heating pauses meanwhile.

Efficiency and electricity
    COP = 0.42 * T_flow[K] / (T_flow - T_outdoor), clamped to 1.5-7. Electrical
    power = heat / COP while running; 15 W standby when the compressor is off,
    plus 20 W for the circulation pump when it runs in standby.

Hydraulics
    Flow rate 20 l/min (configurable) while the circulation pump runs, 0 otherwise.
    Return = flow - dT with dT = P_kW / (flow_l_min / 60 * 4.186). With the
    compressor off, flow = return = loop water temperature, which relaxes
    towards 21 °C with a 30 min time constant.

Defrost
    Running time is accumulated while outdoor < 5 °C (and melts away 1:1 above).
    After 45-90 min (seeded per defrost) a 5 min defrost starts, only at outdoor
    < 5 °C: mode ``defrost``, compressor running at a nominal 50 %, heat -3 kW taken
    from the circuit that was being served, electricity 1.5 kW; then the previous
    purpose resumes. Ground truth books a defrost's heat and electricity to the
    purpose running when it began and also totals them as defrost.

Settings (``reading.settings``)
    8-14 minutes after the start, then every 1.5-4.5 days (seeded), one
    setting changes (the first one early, so that a first session sees a
    detected change on the change log): heating_curve_slope
    (0.6-1.0, step 0.1), comfort_temperature, reduced_temperature,
    dhw_target_temperature (48/50/52/55), heating_schedule, dhw_schedule,
    operating_program (normal/comfort/reduced). Half of the events (when any
    setting is off its default) put one changed setting back to its default, so
    the settings do not drift far from the defaults over a season.
    All of them act on the physics.

Readings
    ``electrical_power`` (W) is reported; ``thermal_power`` stays None so the
    integration's heat estimate is exercised. Like a real controller the
    simulated heat pump keeps its own lifetime counters (kWh), which start
    where years of use (seeded: 2-8 years of 3000-4500 kWh electricity) left
    them: ``electrical_energy`` (= ``counter_base["electrical_energy"]`` +
    ``truth.electrical_energy``), ``electrical_energy_heating`` /
    ``electrical_energy_dhw`` (base + truth by purpose), and the heat meter's
    ``thermal_energy_heating`` / ``thermal_energy_dhw`` (base + the running
    maximum of the net truth by purpose: a heat meter never counts down, so a
    defrost's negative heat is held and paid back before the counter moves
    on) and ``thermal_energy`` (their sum).
    ``extra`` holds ``dhw_tank_target``, ``building_deficit_kwh``, ``cop_true``
    (None while off), ``thermal_power_true`` (kW), ``heat_demand_kw``,
    ``flow_setpoint``, ``room_target_temperature`` and ``defrost_run_s``.

Resulting figures (Oct 1 - Apr 30, step 60 s, seeds 1-10)
    Seasonal COP 3.9-4.1 including hot water and defrosts, about 19 MWh heat,
    about 10 defrosts per cold day; about 4 µs per simulation step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
import math
import random
from typing import Any

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)

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

# Settings and their seeded changes.
SETTINGS_MIN_INTERVAL_D = 1.5
SETTINGS_MAX_INTERVAL_D = 4.5
# ... except the first, 8-14 minutes after the start (after the baseline poll).
FIRST_SETTINGS_MIN_S = 8 * 60.0
FIRST_SETTINGS_MAX_S = 14 * 60.0
SETTINGS_REVERT_PROBABILITY = 0.5
DEFAULT_SETTINGS: dict[str, str | float] = {
    "heating_curve_slope": 0.8,
    "comfort_temperature": 20.0,
    "reduced_temperature": 17.0,
    "dhw_target_temperature": 50.0,
    "heating_schedule": "06:00-22:00",
    "dhw_schedule": "06:00,18:00",
    "operating_program": "normal",
}
_SETTING_OPTIONS: dict[str, tuple[str | float, ...]] = {
    "heating_curve_slope": (0.6, 0.7, 0.8, 0.9, 1.0),
    "comfort_temperature": (19.5, 20.0, 20.5, 21.0),
    "reduced_temperature": (16.0, 17.0, 18.0),
    "dhw_target_temperature": (48.0, 50.0, 52.0, 55.0),
    "heating_schedule": ("06:00-22:00", "05:30-22:00", "06:00-21:00", "06:30-22:30"),
    "dhw_schedule": ("06:00,18:00", "05:30,17:30", "06:00,17:00"),
    "operating_program": ("normal", "comfort", "reduced"),
}
_SETTING_WEIGHTS: dict[str, float] = {
    "heating_curve_slope": 3.0,
    "comfort_temperature": 2.0,
    "reduced_temperature": 1.0,
    "dhw_target_temperature": 2.0,
    "heating_schedule": 1.0,
    "dhw_schedule": 1.0,
    "operating_program": 1.0,
}

_HEATING = "heating"
_DHW = "dhw"
_NONE = ""
_MODES = tuple(m.value for m in OperatingMode)
_STATE_VERSION = 1


def _zero_modes() -> dict[str, float]:
    return dict.fromkeys(_MODES, 0.0)


def _rng(seed: int, stream: str, index: int) -> random.Random:
    """An independent, reproducible RNG for one (seed, stream, index)."""
    return random.Random(f"heatpump_stats-demo:{seed}:{stream}:{index}")


def _epoch(when: datetime) -> float:
    if when.tzinfo is None:
        raise ValueError("DemoHeatPump needs timezone-aware datetimes")
    return when.timestamp()


def _daily_swing(t: float) -> float:
    return -DAILY_AMPLITUDE_K * math.cos(2.0 * math.pi * (t / DAY_S - DAILY_MIN_HOUR / 24.0))


def _hhmm(text: str) -> float:
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


@dataclass(slots=True)
class DemoTruth:
    """Ground truth accumulated since the simulation began (kWh, counts, seconds).

    Heat is net of defrosts (defrost heat is negative). A defrost's heat and
    electricity count towards the purpose (heating/dhw) running when it began and
    are also totalled in the ``*_defrost`` fields. Electricity used while the
    compressor is off is in ``electrical_energy_standby``, so
    heating + dhw + standby = total for electricity, heating + dhw = total for heat.
    """

    thermal_energy: float = 0.0
    electrical_energy: float = 0.0
    thermal_energy_heating: float = 0.0
    thermal_energy_dhw: float = 0.0
    electrical_energy_heating: float = 0.0
    electrical_energy_dhw: float = 0.0
    electrical_energy_defrost: float = 0.0
    thermal_energy_defrost: float = 0.0
    electrical_energy_standby: float = 0.0
    compressor_starts: int = 0
    defrost_count: int = 0
    seconds_by_mode: dict[str, float] = field(default_factory=_zero_modes)

    @property
    def cop(self) -> float | None:
        """Overall COP (heat / electricity) so far, None before any electricity."""
        if self.electrical_energy <= 0.0:
            return None
        return self.thermal_energy / self.electrical_energy

    def copy(self) -> DemoTruth:
        """An independent snapshot."""
        return DemoTruth.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "thermal_energy": self.thermal_energy,
            "electrical_energy": self.electrical_energy,
            "thermal_energy_heating": self.thermal_energy_heating,
            "thermal_energy_dhw": self.thermal_energy_dhw,
            "electrical_energy_heating": self.electrical_energy_heating,
            "electrical_energy_dhw": self.electrical_energy_dhw,
            "electrical_energy_defrost": self.electrical_energy_defrost,
            "thermal_energy_defrost": self.thermal_energy_defrost,
            "electrical_energy_standby": self.electrical_energy_standby,
            "compressor_starts": self.compressor_starts,
            "defrost_count": self.defrost_count,
            "seconds_by_mode": dict(self.seconds_by_mode),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoTruth:
        seconds = _zero_modes()
        seconds.update({str(k): float(v) for k, v in data.get("seconds_by_mode", {}).items()})
        return cls(
            thermal_energy=float(data["thermal_energy"]),
            electrical_energy=float(data["electrical_energy"]),
            thermal_energy_heating=float(data["thermal_energy_heating"]),
            thermal_energy_dhw=float(data["thermal_energy_dhw"]),
            electrical_energy_heating=float(data["electrical_energy_heating"]),
            electrical_energy_dhw=float(data["electrical_energy_dhw"]),
            electrical_energy_defrost=float(data["electrical_energy_defrost"]),
            thermal_energy_defrost=float(data["thermal_energy_defrost"]),
            electrical_energy_standby=float(data.get("electrical_energy_standby", 0.0)),
            compressor_starts=int(data["compressor_starts"]),
            defrost_count=int(data["defrost_count"]),
            seconds_by_mode=seconds,
        )


class DemoHeatPump:
    """A deterministic simulated air-to-water heat pump (see the module docstring)."""

    def __init__(
        self,
        *,
        seed: int = 1,
        start: datetime,
        rated_thermal_power_kw: float = 8.0,
        flow_rate_l_min: float = 20.0,
        step_s: float = 10.0,
    ) -> None:
        if rated_thermal_power_kw <= 0 or flow_rate_l_min <= 0 or step_s <= 0:
            raise ValueError("rated power, flow rate and step must be positive")
        self._seed = int(seed)
        self._start = _epoch(start)
        self._rated = float(rated_thermal_power_kw)
        self._flow_rate = float(flow_rate_l_min)
        self._step = float(step_s)
        self.identity = DeviceIdentity(
            manufacturer="Heat Pump Stats",
            model="Simulated air-to-water heat pump",
            serial_number=f"DEMO-{self._seed:04d}",
            sw_version="demo-1",
        )
        self._init_noise()

        # Continuous state.
        self._t = self._start
        self._tank = DHW_START_C
        self._deficit = 0.0
        self._loop = LOOP_START_C
        self._frost_acc = 0.0
        self._defrost_left = 0.0
        # Discrete state.
        self._compressor_on = False
        self._purpose = _NONE
        self._defrost_purpose = _NONE
        self._dhw_active = False
        self._defrost_threshold = self._new_defrost_threshold(0)
        self._settings: dict[str, str | float] = dict(DEFAULT_SETTINGS)
        self._settings_index = 0
        self._next_settings_t = self._start + self._settings_interval(0)
        self._truth = DemoTruth()
        self._counter_base = self._new_counter_base()
        self._heat_counted = {_HEATING: 0.0, _DHW: 0.0}
        self._apply_settings()
        self._last_dhw_slot = self._latest_dhw_slot(self._start)

        self._draw_day = -1
        self._draws: tuple[float, ...] = ()
        self._init_outputs()
        self._decide(self._t)

    # ----------------------------------------------------------------- public API

    @property
    def now(self) -> datetime:
        """Simulated time reached so far (UTC)."""
        return datetime.fromtimestamp(self._t, tz=UTC)

    @property
    def start(self) -> datetime:
        """When the simulation began (UTC)."""
        return datetime.fromtimestamp(self._start, tz=UTC)

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def step_s(self) -> float:
        return self._step

    @property
    def truth(self) -> DemoTruth:
        """A snapshot of the ground truth accumulated since start."""
        return self._truth.copy()

    def set_setting(self, key: str, value: str | float) -> None:
        """Change a setting as a user at the heat pump would; it applies from now on."""
        if key not in self._settings:
            raise KeyError(key)
        self._settings[key] = value
        self._apply_settings()

    def outdoor_temperature(self, when: datetime) -> float:
        """The (noisy) outdoor temperature at any time; a pure function of seed and time."""
        return self._outdoor(_epoch(when))

    def advance(self, to: datetime) -> HeatPumpReading:
        """Simulate up to ``to`` and return the instantaneous reading there.

        Steps are at most ``step_s`` long and end on multiples of ``step_s`` since
        the epoch; spans over 2 days are fast-forwarded (see module docstring).
        If ``to`` is not after :attr:`now`, nothing is simulated.
        """
        target = _epoch(to)
        t = self._t
        if target > t:
            step = self._step
            if target - t > FAST_FORWARD_AFTER_S:
                coarse = max(step, FAST_FORWARD_STEP_S)
                switch = math.floor((target - FAST_FORWARD_TAIL_S) / coarse) * coarse
                t = self._run(t, switch, coarse)
            t = self._run(t, target, step)
            self._decide(t)
        return self._reading()

    def to_dict(self) -> dict[str, Any]:
        """The full state, JSON-serialisable; :meth:`from_dict` continues exactly."""
        return {
            "version": _STATE_VERSION,
            "seed": self._seed,
            "start": self._start,
            "rated_thermal_power_kw": self._rated,
            "flow_rate_l_min": self._flow_rate,
            "step_s": self._step,
            "t": self._t,
            "tank": self._tank,
            "deficit": self._deficit,
            "loop": self._loop,
            "frost_acc": self._frost_acc,
            "defrost_left": self._defrost_left,
            "compressor_on": self._compressor_on,
            "purpose": self._purpose,
            "defrost_purpose": self._defrost_purpose,
            "dhw_active": self._dhw_active,
            "defrost_threshold": self._defrost_threshold,
            "settings": dict(self._settings),
            "settings_index": self._settings_index,
            "next_settings_t": self._next_settings_t,
            "last_dhw_slot": self._last_dhw_slot,
            "truth": self._truth.to_dict(),
            "counter_base": dict(self._counter_base),
            "heat_counted": dict(self._heat_counted),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoHeatPump:
        """Restore a simulator saved with :meth:`to_dict`."""
        if data.get("version") != _STATE_VERSION:
            raise ValueError(f"unsupported demo state version {data.get('version')!r}")
        pump = cls(
            seed=int(data["seed"]),
            start=datetime.fromtimestamp(float(data["start"]), tz=UTC),
            rated_thermal_power_kw=float(data["rated_thermal_power_kw"]),
            flow_rate_l_min=float(data["flow_rate_l_min"]),
            step_s=float(data["step_s"]),
        )
        pump._start = float(data["start"])
        pump._t = float(data["t"])
        pump._tank = float(data["tank"])
        pump._deficit = float(data["deficit"])
        pump._loop = float(data["loop"])
        pump._frost_acc = float(data["frost_acc"])
        pump._defrost_left = float(data["defrost_left"])
        pump._compressor_on = bool(data["compressor_on"])
        pump._purpose = str(data["purpose"])
        pump._defrost_purpose = str(data["defrost_purpose"])
        pump._dhw_active = bool(data["dhw_active"])
        pump._defrost_threshold = float(data["defrost_threshold"])
        settings = dict(DEFAULT_SETTINGS)
        for key, value in data["settings"].items():
            settings[str(key)] = value if isinstance(value, str) else float(value)
        pump._settings = settings
        pump._settings_index = int(data["settings_index"])
        pump._next_settings_t = float(data["next_settings_t"])
        pump._last_dhw_slot = float(data["last_dhw_slot"])
        pump._truth = DemoTruth.from_dict(data["truth"])
        if isinstance(data.get("counter_base"), dict):
            pump._counter_base = {str(k): float(v) for k, v in data["counter_base"].items()}
        counted = data.get("heat_counted")
        pump._heat_counted = (
            {str(k): float(v) for k, v in counted.items()}
            if isinstance(counted, dict)
            else {
                _HEATING: max(pump._truth.thermal_energy_heating, 0.0),
                _DHW: max(pump._truth.thermal_energy_dhw, 0.0),
            }
        )
        pump._apply_settings()
        pump._decide(pump._t)
        return pump

    # ----------------------------------------------------------------- stepping

    def _run(self, t: float, target: float, step: float) -> float:
        """Simulate from ``t`` to ``target`` (if later) on a grid of ``step``."""
        decide = self._decide
        integrate = self._integrate
        floor = math.floor
        while t < target:
            nxt = (floor(t / step) + 1.0) * step
            nxt = min(nxt, target)
            decide(t)
            integrate(nxt - t)
            t = nxt
        self._t = t if t > self._t else self._t
        return self._t

    def _init_outputs(self) -> None:
        self._o_out = 0.0
        self._o_season = False
        self._o_demand = 0.0
        self._o_setpoint = 0.0
        self._o_room = 0.0
        self._o_tod = 0.0
        self._o_day = 0
        self._o_mode = OperatingMode.OFF.value
        self._o_account = _NONE
        self._o_heat = 0.0
        self._o_elec = 0.0
        self._o_flow = 0.0
        self._o_return = 0.0
        self._o_modulation = 0.0
        self._o_pump = False

    def _decide(self, t: float) -> None:
        """Update the discrete state for time ``t`` and compute the outputs held
        over the following step. Idempotent: calling it twice at the same ``t``
        changes nothing the second time."""
        while t >= self._next_settings_t:
            self._settings_event()

        day = math.floor(t / DAY_S)
        tod = t - day * DAY_S
        smooth = self._outdoor_smooth(t)
        out = smooth + _daily_swing(t)
        program = self._program
        if program == "comfort":
            room = self._comfort
        elif program == "reduced":
            room = self._reduced
        else:
            room = self._comfort if self._hs_start <= tod < self._hs_end else self._reduced
        season = out < HEATING_LIMIT_C and smooth < HEATING_LIMIT_C
        demand = BUILDING_UA_KW_PER_K * (room - out) if season and room > out else 0.0
        setpoint = room + self._slope * (room - out)
        if setpoint < FLOW_SETPOINT_MIN_C:
            setpoint = FLOW_SETPOINT_MIN_C
        elif setpoint > FLOW_SETPOINT_MAX_C:
            setpoint = FLOW_SETPOINT_MAX_C

        # Hot water requests: schedule slots and the low-temperature safety.
        slot = -1.0
        for s in self._dhw_slots:
            if s <= tod:
                slot = s
        if slot >= 0.0:
            slot += day * DAY_S
            if slot > self._last_dhw_slot:
                self._last_dhw_slot = slot
                if self._tank < self._dhw_target - DHW_START_BELOW_TARGET_K:
                    self._dhw_active = True
        if self._tank < DHW_MIN_C:
            self._dhw_active = True

        # Defrost: end, or start after enough frosty running.
        truth = self._truth
        if self._defrost_purpose and self._defrost_left <= 1e-9:
            self._defrost_purpose = _NONE
            self._defrost_left = 0.0
        if (
            not self._defrost_purpose
            and self._compressor_on
            and out < DEFROST_BELOW_C
            and self._frost_acc >= self._defrost_threshold
        ):
            self._defrost_purpose = self._purpose
            self._defrost_left = DEFROST_DURATION_S
            self._frost_acc = 0.0
            truth.defrost_count += 1
            self._defrost_threshold = self._new_defrost_threshold(truth.defrost_count)

        if not self._defrost_purpose:
            if self._dhw_active and self._tank >= self._dhw_target:
                self._dhw_active = False
            if self._dhw_active:
                purpose = _DHW
            elif season and self._deficit > (
                DEFICIT_OFF_KWH if self._compressor_on else DEFICIT_ON_KWH
            ):
                purpose = _HEATING
            else:
                purpose = _NONE
            if purpose and not self._compressor_on:
                truth.compressor_starts += 1
            self._compressor_on = bool(purpose)
            self._purpose = purpose

        rated = self._rated
        if self._defrost_purpose:
            mode = OperatingMode.DEFROST.value
            account = self._defrost_purpose
            heat = DEFROST_HEAT_KW
            elec = DEFROST_ELECTRICAL_KW
            ret = self._loop
            flow = ret + heat / (self._flow_rate / 60.0 * WATER_KJ_PER_L_K)
            modulation = DEFROST_MODULATION
            pump = True
        elif self._purpose:
            account = self._purpose
            if account == _DHW:
                mode = OperatingMode.DHW.value
                heat = rated
                flow = self._tank + DHW_FLOW_OVER_TANK_K
            else:
                mode = OperatingMode.HEATING.value
                heat = demand + self._deficit * (HOUR_S / DEFICIT_CATCH_UP_S)
                low = rated * (MIN_MODULATION / 100.0)
                if heat < low:
                    heat = low
                elif heat > rated:
                    heat = rated
                flow = setpoint
            modulation = heat / rated * 100.0
            elec = heat / cop_true(flow, out)
            ret = flow - heat / (self._flow_rate / 60.0 * WATER_KJ_PER_L_K)
            pump = True
        else:
            account = _NONE
            mode = OperatingMode.STANDBY.value if season else OperatingMode.OFF.value
            heat = 0.0
            elec = STANDBY_KW + PUMP_KW if season else STANDBY_KW
            flow = ret = self._loop
            modulation = 0.0
            pump = season

        self._o_out = out
        self._o_season = season
        self._o_demand = demand
        self._o_setpoint = setpoint
        self._o_room = room
        self._o_tod = tod
        self._o_day = day
        self._o_mode = mode
        self._o_account = account
        self._o_heat = heat
        self._o_elec = elec
        self._o_flow = flow
        self._o_return = ret
        self._o_modulation = modulation
        self._o_pump = pump

    def _integrate(self, dt: float) -> None:
        """Hold the outputs of the last :meth:`_decide` for ``dt`` seconds."""
        hours = dt / HOUR_S
        heat = self._o_heat
        e_heat = heat * hours
        e_elec = self._o_elec * hours
        account = self._o_account
        truth = self._truth
        truth.thermal_energy += e_heat
        truth.electrical_energy += e_elec
        truth.seconds_by_mode[self._o_mode] += dt
        defrosting = bool(self._defrost_purpose)
        if defrosting:
            truth.thermal_energy_defrost += e_heat
            truth.electrical_energy_defrost += e_elec
        if account == _HEATING:
            truth.thermal_energy_heating += e_heat
            truth.electrical_energy_heating += e_elec
            counted = self._heat_counted
            counted[_HEATING] = max(counted[_HEATING], truth.thermal_energy_heating)
            to_building = e_heat
            to_tank = 0.0
        elif account == _DHW:
            truth.thermal_energy_dhw += e_heat
            truth.electrical_energy_dhw += e_elec
            counted = self._heat_counted
            counted[_DHW] = max(counted[_DHW], truth.thermal_energy_dhw)
            to_building = 0.0
            to_tank = e_heat
        else:
            truth.electrical_energy_standby += e_elec
            to_building = to_tank = 0.0

        # Building heat-deficit buffer.
        deficit = self._deficit + self._o_demand * hours - to_building
        if not self._o_season:
            deficit *= math.exp(-dt / DEFICIT_SUMMER_DECAY_S)
        self._deficit = deficit

        # Hot-water tank.
        tank = self._tank
        draw = self._draw_kw(self._o_day, self._o_tod) * hours
        loss = TANK_LOSS_KW_PER_K * (tank - TANK_AMBIENT_C) * hours
        tank += (to_tank - draw - loss) / TANK_KWH_PER_K
        self._tank = tank if tank > COLD_WATER_C else COLD_WATER_C

        # Loop water temperature and frost.
        if defrosting:
            self._defrost_left -= dt
        elif self._compressor_on:
            self._loop = 0.5 * (self._o_flow + self._o_return)
            if self._o_out < DEFROST_BELOW_C:
                self._frost_acc += dt
        else:
            self._loop += (LOOP_IDLE_C - self._loop) * (1.0 - math.exp(-dt / LOOP_IDLE_TAU_S))
        if not defrosting and self._o_out >= DEFROST_BELOW_C and self._frost_acc > 0.0:
            self._frost_acc = max(0.0, self._frost_acc - dt)

    @property
    def counter_base(self) -> dict[str, float]:
        """The lifetime counters (kWh) at the simulation's start."""
        return dict(self._counter_base)

    def _new_counter_base(self) -> dict[str, float]:
        """Years of use before the simulation starts (seeded), split like a real season."""
        rng = _rng(self._seed, "counters", 0)
        elec = round(rng.uniform(2.0, 8.0) * rng.uniform(3000.0, 4500.0), 1)
        heating, dhw = round(0.8 * elec, 1), round(0.15 * elec, 1)
        return {
            "electrical_energy": elec,
            "electrical_energy_heating": heating,
            "electrical_energy_dhw": dhw,
            "thermal_energy_heating": round(heating * 4.0, 1),
            "thermal_energy_dhw": round(dhw * 2.8, 1),
        }

    def _reading(self) -> HeatPumpReading:
        running = self._compressor_on
        base, truth = self._counter_base, self._truth
        heat_heating = base["thermal_energy_heating"] + self._heat_counted[_HEATING]
        heat_dhw = base["thermal_energy_dhw"] + self._heat_counted[_DHW]
        extra: dict[str, str | float | None] = {
            "dhw_tank_target": self._dhw_target,
            "building_deficit_kwh": self._deficit,
            "cop_true": self._o_heat / self._o_elec if running else None,
            "thermal_power_true": self._o_heat,
            "heat_demand_kw": self._o_demand,
            "flow_setpoint": self._o_setpoint,
            "room_target_temperature": self._o_room,
            "defrost_run_s": self._frost_acc,
        }
        return HeatPumpReading(
            timestamp=self.now,
            outside_temperature=self._o_out,
            flow_temperature=self._o_flow,
            return_temperature=self._o_return,
            dhw_temperature=self._tank,
            compressor_modulation=self._o_modulation,
            flow_rate=self._flow_rate if self._o_pump else 0.0,
            operating_mode=OperatingMode(self._o_mode),
            compressor_running=running,
            defrost_active=bool(self._defrost_purpose),
            circulation_pump=self._o_pump,
            electrical_power=self._o_elec * 1000.0,
            electrical_energy=base["electrical_energy"] + truth.electrical_energy,
            electrical_energy_heating=base["electrical_energy_heating"]
            + truth.electrical_energy_heating,
            electrical_energy_dhw=base["electrical_energy_dhw"] + truth.electrical_energy_dhw,
            thermal_power=None,
            thermal_energy=heat_heating + heat_dhw,
            thermal_energy_heating=heat_heating,
            thermal_energy_dhw=heat_dhw,
            rated_thermal_power=self._rated,
            settings=dict(self._settings),
            extra=extra,
        )

    # ----------------------------------------------------------------- weather

    def _init_noise(self) -> None:
        rng = _rng(self._seed, "weather", 0)
        omegas: list[float] = []
        phases: list[float] = []
        amplitudes: list[float] = []
        for short, long, amplitude in NOISE_BANDS:
            omegas.append(2.0 * math.pi / (rng.uniform(short, long) * DAY_S))
            phases.append(rng.uniform(0.0, 2.0 * math.pi))
            amplitudes.append(amplitude * rng.uniform(0.8, 1.2))
        self._noise = tuple(zip(omegas, phases, amplitudes, strict=True))

    def _outdoor(self, t: float) -> float:
        return self._outdoor_smooth(t) + _daily_swing(t)

    def _outdoor_smooth(self, t: float) -> float:
        """Outdoor temperature without the daily swing (a damped outdoor value)."""
        value = ANNUAL_MEAN_C + ANNUAL_AMPLITUDE_K * math.cos(
            2.0 * math.pi * (t / DAY_S - WARMEST_DAY) / YEAR_DAYS
        )
        for omega, phase, amplitude in self._noise:
            value += amplitude * math.sin(omega * t + phase)
        return value

    # ----------------------------------------------------------------- hot water

    def _latest_dhw_slot(self, t: float) -> float:
        day = math.floor(t / DAY_S)
        tod = t - day * DAY_S
        earlier = [s for s in self._dhw_slots if s <= tod]
        if earlier:
            return day * DAY_S + max(earlier)
        return (day - 1) * DAY_S + max(self._dhw_slots)

    def _draw_kw(self, day: int, tod: float) -> float:
        if day != self._draw_day:
            rng = _rng(self._seed, "draws", day)
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
            self._draws = tuple(draws)
            self._draw_day = day
        d = self._draws
        if d[0] <= tod < d[1]:
            return d[2]
        if d[3] <= tod < d[4]:
            return d[5]
        if d[6] <= tod < d[7]:
            return d[8]
        return 0.0

    # ----------------------------------------------------------------- defrost

    def _new_defrost_threshold(self, index: int) -> float:
        return _rng(self._seed, "defrost", index).uniform(DEFROST_MIN_RUN_S, DEFROST_MAX_RUN_S)

    # ----------------------------------------------------------------- settings

    def _settings_interval(self, index: int) -> float:
        rng = _rng(self._seed, "settings-interval", index)
        if index == 0:
            # The first change comes soon, so a first session sees one detected.
            return rng.uniform(FIRST_SETTINGS_MIN_S, FIRST_SETTINGS_MAX_S)
        return rng.uniform(SETTINGS_MIN_INTERVAL_D, SETTINGS_MAX_INTERVAL_D) * DAY_S

    def _settings_event(self) -> None:
        index = self._settings_index
        rng = _rng(self._seed, "settings", index)
        changed = [k for k in _SETTING_WEIGHTS if self._settings[k] != DEFAULT_SETTINGS[k]]
        if changed and rng.random() < SETTINGS_REVERT_PROBABILITY:
            # Users mostly try something and go back, so settings do not drift away.
            key = rng.choice(changed)
            self._settings[key] = DEFAULT_SETTINGS[key]
        else:
            keys = list(_SETTING_WEIGHTS)
            key = rng.choices(keys, weights=[_SETTING_WEIGHTS[k] for k in keys])[0]
            current = self._settings[key]
            options = [o for o in _SETTING_OPTIONS[key] if o != current]
            if key == "heating_curve_slope" and isinstance(current, float):
                options = [o for o in options if isinstance(o, float) and abs(o - current) < 0.15]
            self._settings[key] = rng.choice(options)
        self._settings_index = index + 1
        self._next_settings_t += self._settings_interval(index + 1)
        self._apply_settings()

    def _apply_settings(self) -> None:
        """Cache the settings as plain floats for the step loop."""
        s = self._settings
        self._slope = float(s["heating_curve_slope"])
        self._comfort = float(s["comfort_temperature"])
        self._reduced = float(s["reduced_temperature"])
        self._dhw_target = float(s["dhw_target_temperature"])
        begin, end = str(s["heating_schedule"]).split("-")
        self._hs_start = _hhmm(begin)
        self._hs_end = _hhmm(end)
        self._dhw_slots = tuple(sorted(_hhmm(x) for x in str(s["dhw_schedule"]).split(",")))
        self._program = str(s["operating_program"])
