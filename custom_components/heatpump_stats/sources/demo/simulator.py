"""The simulator: its state and the step loop (decide, integrate, read), serialised whole.

One cohesive algorithm, kept in one module on purpose: every step method reads
and writes the same state variables, and ``to_dict``/``from_dict`` must list
exactly those. The physics' pure parts are in :mod:`.physics`, the user's
settings changes in :mod:`.settings`, the ground truth in :mod:`.truth`.
"""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)

from .physics import (
    BUILDING_UA_KW_PER_K,
    COLD_WATER_C,
    DAY_S,
    DEFICIT_CATCH_UP_S,
    DEFICIT_OFF_KWH,
    DEFICIT_ON_KWH,
    DEFICIT_SUMMER_DECAY_S,
    DEFROST_BELOW_C,
    DEFROST_DURATION_S,
    DEFROST_ELECTRICAL_KW,
    DEFROST_HEAT_KW,
    DEFROST_MAX_RUN_S,
    DEFROST_MIN_RUN_S,
    DEFROST_MODULATION,
    DHW_FLOW_OVER_TANK_K,
    DHW_MIN_C,
    DHW_START_BELOW_TARGET_K,
    DHW_START_C,
    FAST_FORWARD_AFTER_S,
    FAST_FORWARD_STEP_S,
    FAST_FORWARD_TAIL_S,
    FLOW_SETPOINT_MAX_C,
    FLOW_SETPOINT_MIN_C,
    HEATING_LIMIT_C,
    HOUR_S,
    LOOP_IDLE_C,
    LOOP_IDLE_TAU_S,
    LOOP_START_C,
    MIN_MODULATION,
    PUMP_KW,
    STANDBY_KW,
    TANK_AMBIENT_C,
    TANK_KWH_PER_K,
    TANK_LOSS_KW_PER_K,
    WATER_KJ_PER_L_K,
    cop_true,
    daily_draws,
    daily_swing,
    draw_kw,
    epoch_s,
    hhmm_s,
    latest_dhw_slot,
    outdoor_smooth,
    seeded_rng,
    weather_noise,
)
from .settings import DEFAULT_SETTINGS, change_settings, settings_interval
from .truth import DemoTruth

_HEATING = "heating"
_DHW = "dhw"
_NONE = ""
_STATE_VERSION = 1

# The step state saved as it is: key -> type; the attribute is `_<key>`.
_SAVED_STATE: dict[str, type[float] | type[bool] | type[int] | type[str]] = {
    "t": float,
    "tank": float,
    "deficit": float,
    "loop": float,
    "frost_acc": float,
    "defrost_left": float,
    "compressor_on": bool,
    "purpose": str,
    "defrost_purpose": str,
    "dhw_active": bool,
    "defrost_threshold": float,
    "settings_index": int,
    "next_settings_t": float,
    "last_dhw_slot": float,
}


class DemoHeatPump:
    """A deterministic simulated air-to-water heat pump (see the package docstring)."""

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
        self._start = epoch_s(start)
        self._rated = float(rated_thermal_power_kw)
        self._flow_rate = float(flow_rate_l_min)
        self._step = float(step_s)
        self.identity = DeviceIdentity(
            manufacturer="Heat Pump Stats",
            model="Simulated air-to-water heat pump",
            serial_number=f"DEMO-{self._seed:04d}",
            sw_version="demo-1",
        )
        self._noise = weather_noise(self._seed)

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
        self._next_settings_t = self._start + settings_interval(self._seed, 0)
        self._truth = DemoTruth()
        self._counter_base = self._new_counter_base()
        self._heat_counted = {_HEATING: 0.0, _DHW: 0.0}
        self._apply_settings()
        self._last_dhw_slot = latest_dhw_slot(self._dhw_slots, self._start)

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
        return self._outdoor(epoch_s(when))

    def advance(self, to: datetime) -> HeatPumpReading:
        """Simulate up to ``to`` and return the instantaneous reading there.

        Steps are at most ``step_s`` long and end on multiples of ``step_s`` since
        the epoch; spans over 2 days are fast-forwarded (see the package docstring).
        If ``to`` is not after :attr:`now`, nothing is simulated.
        """
        target = epoch_s(to)
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
            **{key: getattr(self, f"_{key}") for key in _SAVED_STATE},
            "settings": dict(self._settings),
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
        for key, kind in _SAVED_STATE.items():
            setattr(pump, f"_{key}", kind(data[key]))
        settings = dict(DEFAULT_SETTINGS)
        for key, value in data["settings"].items():
            settings[str(key)] = value if isinstance(value, str) else float(value)
        pump._settings = settings
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
        smooth = outdoor_smooth(self._noise, t)
        out = smooth + daily_swing(t)
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
        rng = seeded_rng(self._seed, "counters", 0)
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

    # ----------------------------------------------------------------- weather, water

    def _outdoor(self, t: float) -> float:
        return outdoor_smooth(self._noise, t) + daily_swing(t)

    def _draw_kw(self, day: int, tod: float) -> float:
        if day != self._draw_day:
            self._draws = daily_draws(self._seed, day)
            self._draw_day = day
        return draw_kw(self._draws, tod)

    # ----------------------------------------------------------------- defrost

    def _new_defrost_threshold(self, index: int) -> float:
        return seeded_rng(self._seed, "defrost", index).uniform(
            DEFROST_MIN_RUN_S, DEFROST_MAX_RUN_S
        )

    # ----------------------------------------------------------------- settings

    def _settings_event(self) -> None:
        change_settings(self._seed, self._settings_index, self._settings)
        self._settings_index += 1
        self._next_settings_t += settings_interval(self._seed, self._settings_index)
        self._apply_settings()

    def _apply_settings(self) -> None:
        """Cache the settings as plain floats for the step loop."""
        s = self._settings
        self._slope = float(s["heating_curve_slope"])
        self._comfort = float(s["comfort_temperature"])
        self._reduced = float(s["reduced_temperature"])
        self._dhw_target = float(s["dhw_target_temperature"])
        begin, end = str(s["heating_schedule"]).split("-")
        self._hs_start = hhmm_s(begin)
        self._hs_end = hhmm_s(end)
        self._dhw_slots = tuple(sorted(hhmm_s(x) for x in str(s["dhw_schedule"]).split(",")))
        self._program = str(s["operating_program"])
