"""The engine's top-level state: feed readings in, take metric snapshots out, persist.

One module on purpose: :class:`Engine` is one state machine (attribution,
booking, mirrored counters and persistence share its state at every reading);
its parts live beside it (:mod:`.energy`, :mod:`.cop`, :mod:`.periods`,
:mod:`.thermal`, :mod:`.modes`), its output type in :mod:`..model.metrics`.

Units: temperatures °C, electrical power W, thermal power kW, energy kWh,
flow l/min, modulation %, durations s. Timestamps are handled in UTC; calendar
periods use the local ``tzinfo`` given to the engine.

Rules (the public behaviour the entities rely on):

* **Heat** is booked at heat-pump samples: the difference of the reading's
  cumulative ``thermal_energy`` counter when it has one, else the trapezoid of
  the best thermal power (kW). Gaps longer than ``max_gap_factor ×
  scan_interval_s`` are not bridged by the trapezoid.
* **Electricity** is booked at meter samples: the difference of the meter's
  cumulative ``energy`` counter when present, else the trapezoid of ``power``
  (W). A counter difference across a long gap is counted in all totals (the
  counter is the truth) but not put in the COP window. Details:
  :class:`~.energy.CounterOrPowerIntegrator`, :class:`~.energy.CounterTracker`.
* **COP** = Σ heat / Σ electricity over the 5 minutes before the latest
  heat-pump sample (:class:`~.cop.CopWindow`; None below 48 W average, or when
  that sample is older than the heat-pump gap limit). ``daily_cop`` = today's
  heat / today's electricity (local day), ``seasonal_cop`` = heat / electricity
  since the latest season start (local date, ``season_start_month/day``); both
  None below 0.1 kWh of electricity or without any heat sample in the period.
* **Attribution**: an increment covering (start, end] is attributed to the
  state of the latest heat-pump sample *before* ``end`` (so everything between
  two polls goes to the mode known at the first of them; a meter sample with
  the same timestamp as a poll still belongs to the previous poll). Before any
  heat-pump sample it is "unknown". ``time_in_mode`` uses the same rule for
  bridged intervals between heat-pump samples. One exception, the *start
  rule*: an interval that begins in standby/off and ends at a sample whose
  purpose is heating, dhw or cooling is the compressor starting between two
  polls; its energy belongs to that run's purpose (a stopped compressor makes
  no heat, so standby would otherwise show the start's heat at a running COP).
  Its time stays with the state at its beginning.
* **Mode**: the source's ``operating_mode``, else :func:`classify_operating_mode`.
* **Defrost**: a sample is in defrost when its mode is ``defrost`` or
  ``defrost_active`` is True. Its purpose is the latest heating/dhw purpose seen
  before the defrost began (heating if none), so the defrost's electricity and
  (negative) heat are booked to heating or dhw, and its electricity is also
  totalled in ``electrical_energy_defrost`` (a subset: heating + dhw + other =
  total).
* **Flow**: the measured flow rate, else the configured one; 0 when the
  reading has no flow but reports the circulation pump off.
* **Counters** (``MIRRORED_COUNTERS``): ``electrical_energy``,
  ``thermal_energy`` and the per-purpose totals show the device's (or meter's)
  own lifetime counter where it reports one, else what we counted since setup.
  A mirrored total is offset + the device reading, both kept
  (``device_counters``, ``counter_offsets``). The offset is 0 when the counter
  is there from the first value the total shows: a new entity starts at the
  device's reading, which Home Assistant's statistics take as their baseline.
  At any later change of basis (a counter appears on a total already shown,
  the meter is switched — ``EngineConfig.meter_basis`` —, the counter resets,
  wraps or is replaced) the offset is set so that the total continues from
  what it showed, plus only the energy physics allows
  (:class:`~.energy.CounterTracker`): statistics never see the lifetime total
  as one hour's use, and the totals never go down. Booking (COP, days,
  purposes) is unchanged: it differences the same counters.
* **Plausibility**: electrical power above ``max_electrical_power_kw`` or
  heat above ``max_thermal_power_kw`` is a glitch (treated as missing, logged
  once); counters are bounded the same way (:class:`~.energy.CounterTracker`).
* **Compressor starts**: transitions from not running to running. Running is
  the source's ``compressor_running`` (once a source has reported it) else
  electrical power ≥ ``running_threshold_w`` at meter samples. The first known
  state is not a start; samples with an unknown state are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
import logging
from typing import Any

from custom_components.heatpump_stats.model.metrics import Metrics, ThermalMethod
from custom_components.heatpump_stats.model.reading import (
    HeatPumpReading,
    MeterReading,
    OperatingMode,
)
from custom_components.heatpump_stats.model.timeutil import (
    as_utc,
    dt_from_json,
    dt_to_json,
    finite_or_none,
    opt_float,
    seconds_between,
)

from .cop import CopWindow
from .energy import (
    DEFAULT_MAX_ELECTRICAL_KW,
    DEFAULT_MAX_THERMAL_KW,
    CounterOrPowerIntegrator,
    CounterTracker,
    Increment,
)
from .modes import classify_operating_mode
from .periods import EnergyPeriods, local_date, season_start
from .thermal import (
    best_thermal_power,
    thermal_power_delta_t,
    thermal_power_modulation,
)

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
# Lifetime COP only once the device's electricity counter means something.
LIFETIME_COP_MIN_ELECTRICAL_KWH = 1.0

# The totals an entity shows that mirror a device's own lifetime counter where
# it has one: key -> the reading field it comes from ("meter" = the meter's
# `energy`). See "Counters" in the module docstring.
MIRRORED_COUNTERS: dict[str, str] = {
    "electrical_energy": "meter",
    "thermal_energy": "thermal_energy",
    "thermal_energy_heating": "thermal_energy_heating",
    "thermal_energy_dhw": "thermal_energy_dhw",
    "electrical_energy_heating": "electrical_energy_heating",
    "electrical_energy_dhw": "electrical_energy_dhw",
}
# The heat pump's own electricity counter, kept only for lifetime_cop.
_DEVICE_ELECTRICITY = "device_electrical_energy"
COP_WINDOW_S = 300.0
# 0.004 kWh per 5 min = 48 W average: below that the compressor is off.
COP_MIN_ELECTRICAL_KWH = 0.004
DAILY_COP_MIN_ELECTRICAL_KWH = 0.1
SEASONAL_COP_MIN_ELECTRICAL_KWH = 0.1

PURPOSE_HEATING = OperatingMode.HEATING.value
PURPOSE_DHW = OperatingMode.DHW.value
PURPOSE_UNKNOWN = "unknown"
_TOTAL = "total"

# Buckets of electricity / heat by purpose (defrost is never a purpose of its own).
PURPOSES = (
    PURPOSE_HEATING,
    PURPOSE_DHW,
    OperatingMode.COOLING.value,
    OperatingMode.STANDBY.value,
    OperatingMode.OFF.value,
    PURPOSE_UNKNOWN,
)


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Options of one heat pump entry."""

    rated_thermal_power_kw: float | None = None  # option; overrides reading.rated_thermal_power
    flow_rate_l_min: float | None = None  # configured flow; used when the reading has none
    scan_interval_s: float = 30.0  # heat pump poll interval
    meter_interval_s: float = 10.0  # meter poll interval
    max_gap_factor: float = 5.0  # gaps longer than factor × interval are not bridged
    running_threshold_w: float = 150.0  # electrical power at or above = compressor running
    season_start_month: int = 7  # seasonal COP accumulates from this month/day each year
    season_start_day: int = 1
    # Physics bounds: more than this is a glitch (kW).
    max_electrical_power_kw: float = DEFAULT_MAX_ELECTRICAL_KW
    max_thermal_power_kw: float = DEFAULT_MAX_THERMAL_KW
    # Which meter the electricity counter comes from (e.g. "shelly_pro_3em:10.0.0.5");
    # a change is a new basis: the total continues instead of jumping.
    meter_basis: str = ""

    @property
    def heat_pump_max_gap_s(self) -> float:
        """Longest interval (s) between heat-pump samples that is bridged."""
        return self.max_gap_factor * self.scan_interval_s

    @property
    def meter_max_gap_s(self) -> float:
        """Longest interval (s) between meter samples that is bridged."""
        return self.max_gap_factor * self.meter_interval_s


@dataclass(frozen=True, slots=True)
class _HpState:
    """What a heat-pump sample says for attribution."""

    ts: datetime
    mode: OperatingMode  # shown (source's or classified)
    purpose: str  # bucket in PURPOSES
    defrost: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "ts": dt_to_json(self.ts),
            "mode": self.mode.value,
            "purpose": self.purpose,
            "defrost": self.defrost,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> _HpState | None:
        if not data:
            return None
        ts = dt_from_json(data["ts"])
        if ts is None:
            return None
        return cls(ts, OperatingMode(data["mode"]), str(data["purpose"]), bool(data["defrost"]))


_IDLE_PURPOSES = frozenset({OperatingMode.STANDBY.value, OperatingMode.OFF.value})
_RUN_PURPOSES = frozenset({PURPOSE_HEATING, PURPOSE_DHW, OperatingMode.COOLING.value})


def _start_rule(before: _HpState | None, end_purpose: str) -> _HpState | None:
    """The state an interval is booked to, given the purpose at its end (see Attribution)."""
    if before is not None and before.purpose in _IDLE_PURPOSES and end_purpose in _RUN_PURPOSES:
        return _HpState(before.ts, before.mode, end_purpose, before.defrost)
    return before


@dataclass(frozen=True, slots=True)
class _Thermal:
    """Thermal figures of the latest heat-pump sample (not persisted)."""

    flow_rate: float | None
    modulation_kw: float | None
    delta_t_kw: float | None
    best_kw: float | None
    method: ThermalMethod | None


def _zero_purposes() -> dict[str, float]:
    return dict.fromkeys(PURPOSES, 0.0)


def _load_purposes(raw: Any) -> dict[str, float]:
    out = _zero_purposes()
    if isinstance(raw, dict):
        for key, value in raw.items():
            out[str(key)] = float(value)
    return out


class Engine:
    """Accumulates heat, electricity, COP and statistics of one heat pump."""

    def __init__(self, config: EngineConfig, tz: tzinfo) -> None:
        """Start from nothing with `config`; calendar periods in time zone `tz`."""
        self._config = config
        self._tz = tz
        self._heat = CounterOrPowerIntegrator(
            config.heat_pump_max_gap_s,
            max_power_kw=config.max_thermal_power_kw,
            name="heat counter",
        )
        self._elec = CounterOrPowerIntegrator(
            config.meter_max_gap_s,
            max_power_kw=config.max_electrical_power_kw,
            name="electricity counter",
        )
        # Mirrors of the device's lifetime counters (display only) and the last
        # value each total showed (the basis a new counter continues from).
        self._mirrors: dict[str, CounterTracker] = {}
        self._shown_last: dict[str, float] = {}
        self._meter_basis = config.meter_basis
        self._warned_power = False
        self._cop = CopWindow(COP_WINDOW_S, COP_MIN_ELECTRICAL_KWH)
        self._heat_days = EnergyPeriods(tz)
        self._elec_days = EnergyPeriods(tz)
        self._heat_total: float | None = None
        self._elec_total: float | None = None
        self._heat_by_purpose = _zero_purposes()
        # What the heat counters show: the running maximum of the net totals, so
        # they never go down (a defrost's negative heat is paid back by the heat
        # that follows before they move on; over any longer period they equal
        # net heat). Statistics and the Energy dashboard need that.
        self._heat_shown: dict[str, float] = {}
        self._elec_by_purpose = _zero_purposes()
        self._heat_defrost = 0.0
        self._elec_defrost = 0.0
        self._compressor_starts = 0
        self._running_prev: bool | None = None
        self._source_reports_running = False
        self._cur: _HpState | None = None
        self._prev: _HpState | None = None
        self._last_active_purpose = PURPOSE_HEATING
        self._last_meter_ts: datetime | None = None
        self._last_meter_power_w: float | None = None
        self._time_in_mode: dict[str, float] = {m.value: 0.0 for m in OperatingMode}
        # Latest raw values, only for display (not persisted).
        self._reading: HeatPumpReading | None = None
        self._thermal: _Thermal | None = None

    @property
    def config(self) -> EngineConfig:
        """The current configuration."""
        return self._config

    def set_config(self, config: EngineConfig) -> None:
        """Apply new options; accumulated state is kept."""
        self._config = config
        self._heat.max_gap_s = config.heat_pump_max_gap_s
        self._elec.max_gap_s = config.meter_max_gap_s
        self._heat.counter.max_power_kw = config.max_thermal_power_kw
        self._elec.counter.max_power_kw = config.max_electrical_power_kw
        if config.meter_basis != self._meter_basis:
            # Another meter: its counter is a new basis. Nothing of the jump is
            # booked, and the shown total continues from where it was.
            _LOGGER.info(
                "Electricity meter changed (%s -> %s): the total continues from %s kWh",
                self._meter_basis or "none",
                config.meter_basis or "none",
                self._shown_last.get("electrical_energy"),
            )
            self._meter_basis = config.meter_basis
            self._elec.counter.drop_reference()
            self._mirrors.pop("electrical_energy", None)

    # ----------------------------------------------------------------- feeding

    def update_heat_pump(self, reading: HeatPumpReading) -> None:
        """Process one heat-pump poll (ignored if not newer than the previous one)."""
        ts = as_utc(reading.timestamp)
        before = self._cur
        if before is not None and ts <= before.ts:
            return
        cfg = self._config

        flow = finite_or_none(reading.flow_rate)
        if flow is None:
            flow = 0.0 if reading.circulation_pump is False else cfg.flow_rate_l_min
        rated = (
            cfg.rated_thermal_power_kw
            if cfg.rated_thermal_power_kw is not None
            else finite_or_none(reading.rated_thermal_power)
        )
        tp_mod = thermal_power_modulation(rated, finite_or_none(reading.compressor_modulation))
        tp_dt = thermal_power_delta_t(
            flow,
            finite_or_none(reading.flow_temperature),
            finite_or_none(reading.return_temperature),
        )
        measured_kw = self._plausible_power(
            finite_or_none(reading.thermal_power), cfg.max_thermal_power_kw, 1.0, "thermal power"
        )
        power_w = self._plausible_power(
            finite_or_none(reading.electrical_power),
            cfg.max_electrical_power_kw,
            1000.0,
            "electrical power",
        )
        if power_w is None:
            power_w = self._last_meter_power_w
        best, method = best_thermal_power(
            measured_kw,
            tp_dt,
            tp_mod,
            running=reading.compressor_running,
            defrost=reading.defrost_active is True
            or reading.operating_mode is OperatingMode.DEFROST,
            electrical_kw=None if power_w is None else power_w / 1000.0,
            rated_kw=rated,
        )
        mode = reading.operating_mode
        if mode is None:
            mode = classify_operating_mode(
                defrost_active=reading.defrost_active,
                compressor_running=reading.compressor_running,
                circulation_pump=reading.circulation_pump,
                electrical_power_w=power_w,
                running_threshold_w=cfg.running_threshold_w,
            )

        # Heat and time of the interval (before.ts, ts] belong to the previous sample's state.
        counter = finite_or_none(reading.thermal_energy)
        inc = self._heat.add(ts, best, counter)
        if self._heat_total is None and (best is not None or counter is not None):
            self._heat_total = 0.0
        defrost = mode is OperatingMode.DEFROST or reading.defrost_active is True
        purpose = self._last_active_purpose if defrost else mode.value
        self._book_heat(inc, ts, _start_rule(before, purpose))
        if before is not None:
            dt_s = seconds_between(before.ts, ts)
            if dt_s <= cfg.heat_pump_max_gap_s:
                self._time_in_mode[before.mode.value] = (
                    self._time_in_mode.get(before.mode.value, 0.0) + dt_s
                )

        if not defrost and purpose in (PURPOSE_HEATING, PURPOSE_DHW):
            self._last_active_purpose = purpose
        self._prev, self._cur = before, _HpState(ts, mode, purpose, defrost)

        if reading.compressor_running is not None:
            if not self._source_reports_running:
                self._source_reports_running = True
                self._running_prev = None
            self._observe_running(reading.compressor_running)

        for key, attr in MIRRORED_COUNTERS.items():
            if attr != "meter":
                self._mirror(key, ts, getattr(reading, attr))
        self._mirror(_DEVICE_ELECTRICITY, ts, reading.electrical_energy)
        self._remember_shown()

        self._reading = reading
        self._thermal = _Thermal(flow, tp_mod, tp_dt, best, method)

    def update_meter(self, reading: MeterReading) -> None:
        """Process one meter poll, W and cumulative kWh (ignored if not newer than the last)."""
        ts = as_utc(reading.timestamp)
        if self._last_meter_ts is not None and ts <= self._last_meter_ts:
            return
        self._last_meter_ts = ts
        power_w = self._plausible_power(
            finite_or_none(reading.power),
            self._config.max_electrical_power_kw,
            1000.0,
            "electrical power",
        )
        counter = finite_or_none(reading.energy)
        self._last_meter_power_w = power_w
        inc = self._elec.add(ts, None if power_w is None else power_w / 1000.0, counter)
        if self._elec_total is None and (power_w is not None or counter is not None):
            self._elec_total = 0.0
        self._book_electricity(inc, ts)
        self._mirror("electrical_energy", ts, counter)
        self._remember_shown()
        if not self._source_reports_running and power_w is not None:
            self._observe_running(power_w >= self._config.running_threshold_w)

    def _plausible_power(
        self, value: float | None, max_kw: float, per_kw: float, what: str
    ) -> float | None:
        """`value` (kW × `per_kw`) unless it exceeds what a heat pump can do (then None)."""
        if value is None or abs(value) <= max_kw * per_kw:
            return value
        _LOGGER.log(
            logging.DEBUG if self._warned_power else logging.WARNING,
            "Ignoring %s %s: more than a heat pump can do (%s kW)",
            what,
            value,
            max_kw,
        )
        self._warned_power = True
        return None

    def _max_kw(self, key: str) -> float:
        cfg = self._config
        return (
            cfg.max_thermal_power_kw if key.startswith("thermal") else cfg.max_electrical_power_kw
        )

    def _mirror(self, key: str, ts: datetime, value: float | None) -> None:
        """Feed the device's counter `value` (kWh) to the mirror of total `key`."""
        value = finite_or_none(value)
        if value is None or value < 0.0:
            return
        tracker = self._mirrors.get(key)
        if tracker is not None:
            tracker.add(ts, value)
            return
        tracker = CounterTracker(max_power_kw=self._max_kw(key), name=key, log=False)
        tracker.add(ts, value)
        # The basis rule: a total never shown before starts at the device's
        # reading; one already shown continues from its value.
        shown = self._shown_last.get(key)
        tracker.offset = 0.0 if shown is None else shown - value
        if shown is not None:
            _LOGGER.info(
                "%s: the device's counter (%s kWh) continues the total from %s kWh",
                key,
                value,
                shown,
            )
        self._mirrors[key] = tracker

    def _computed_totals(self) -> dict[str, float | None]:
        """What each mirrored-or-counted total would show, before the never-down rule."""
        totals: dict[str, float | None] = {
            "electrical_energy": self._elec_total,
            "thermal_energy": None
            if self._heat_total is None
            else self._heat_shown.get(_TOTAL, self._heat_total),
            "thermal_energy_heating": self._heat_shown.get(PURPOSE_HEATING, 0.0),
            "thermal_energy_dhw": self._heat_shown.get(PURPOSE_DHW, 0.0),
            "electrical_energy_heating": self._elec_by_purpose[PURPOSE_HEATING],
            "electrical_energy_dhw": self._elec_by_purpose[PURPOSE_DHW],
        }
        for key, tracker in self._mirrors.items():
            if key in totals and tracker.shown is not None:
                totals[key] = tracker.shown
        return totals

    def _displayed_totals(self) -> dict[str, float | None]:
        """The totals shown: never below what they showed before (a total_increasing rule)."""
        out: dict[str, float | None] = {}
        for key, value in self._computed_totals().items():
            last = self._shown_last.get(key)
            out[key] = value if last is None or (value is not None and value >= last) else last
        return out

    def _remember_shown(self) -> None:
        for key, value in self._displayed_totals().items():
            if value is not None:
                self._shown_last[key] = value

    def hold_at_least(self, key: str, value: float) -> None:
        """Never show total `key` below `value` again (what Home Assistant last recorded).

        After a crash the stored state may be older than what the entities last
        showed; the energy of that lost minute is counted again, but may land
        in another purpose. Holding the total at what was shown keeps a
        total_increasing sensor from going down until the count passes it.
        """
        if key in MIRRORED_COUNTERS and value > self._shown_last.get(key, value - 1.0):
            self._shown_last[key] = value

    def _state_before(self, end: datetime) -> _HpState | None:
        """State of the latest heat-pump sample before `end` (see attribution rule)."""
        if self._cur is None:
            return None
        if self._cur.ts < end:
            return self._cur
        # The poll at `end` is known: the start rule applies.
        return _start_rule(self._prev, self._cur.purpose) if self._cur.ts == end else self._prev

    def _book_heat(self, inc: Increment, ts: datetime, state: _HpState | None) -> None:
        if self._heat_total is None:
            return
        self._heat_days.add(ts, inc.kwh, inc.start)
        self._heat_total += inc.kwh
        purpose = state.purpose if state is not None else PURPOSE_UNKNOWN
        self._heat_by_purpose[purpose] = self._heat_by_purpose.get(purpose, 0.0) + inc.kwh
        self._heat_shown[_TOTAL] = max(self._heat_shown.get(_TOTAL, 0.0), self._heat_total)
        self._heat_shown[purpose] = max(
            self._heat_shown.get(purpose, 0.0), self._heat_by_purpose[purpose]
        )
        if state is not None and state.defrost:
            self._heat_defrost += inc.kwh
        if inc.bridged and inc.start is not None:
            self._cop.add_heat(inc.start, ts, inc.kwh)

    def _book_electricity(self, inc: Increment, ts: datetime) -> None:
        if self._elec_total is None:
            return
        self._elec_days.add(ts, inc.kwh, inc.start)
        state = self._state_before(ts)
        self._elec_total += inc.kwh
        purpose = state.purpose if state is not None else PURPOSE_UNKNOWN
        self._elec_by_purpose[purpose] = self._elec_by_purpose.get(purpose, 0.0) + inc.kwh
        if state is not None and state.defrost:
            self._elec_defrost += inc.kwh
        if inc.bridged and inc.start is not None:
            self._cop.add_electricity(inc.start, ts, inc.kwh)

    def _observe_running(self, running: bool) -> None:
        if running and self._running_prev is False:
            self._compressor_starts += 1
        self._running_prev = running

    # ---------------------------------------------------------------- reading

    def _ratio(self, first: date, last: date, min_electrical_kwh: float) -> float | None:
        """Heat / electricity over local days first..last; None below the threshold."""
        if not self._heat_days.has_data_between(first, last):
            return None
        elec = self._elec_days.total_between(first, last)
        if elec < min_electrical_kwh:
            return None
        return self._heat_days.total_between(first, last) / elec

    def snapshot(self, now: datetime) -> Metrics:
        """Everything the entities show at `now` (periods follow the local date of `now`)."""
        now = as_utc(now)
        cfg = self._config
        reading, thermal = self._reading, self._thermal
        today = local_date(now, self._tz)

        cop: float | None = None
        if self._cur is not None and seconds_between(self._cur.ts, now) <= cfg.heat_pump_max_gap_s:
            cop = self._cop.cop(self._cur.ts)

        season = season_start(today, cfg.season_start_month, cfg.season_start_day)
        totals = self._elec_days.totals(now)

        running = reading.compressor_running if reading is not None else None
        if running is None and self._last_meter_power_w is not None:
            running = self._last_meter_power_w >= cfg.running_threshold_w
        shown = self._displayed_totals()
        raw = {
            key: tracker.last_value
            for key, tracker in self._mirrors.items()
            if tracker.last_value is not None
        }
        heat_raw, elec_raw = raw.get("thermal_energy"), raw.get(_DEVICE_ELECTRICITY)
        lifetime_cop = (
            heat_raw / elec_raw
            if heat_raw is not None
            and elec_raw is not None
            and elec_raw >= LIFETIME_COP_MIN_ELECTRICAL_KWH
            else None
        )

        return Metrics(
            outside_temperature=reading.outside_temperature if reading else None,
            flow_temperature=reading.flow_temperature if reading else None,
            return_temperature=reading.return_temperature if reading else None,
            dhw_temperature=reading.dhw_temperature if reading else None,
            compressor_modulation=reading.compressor_modulation if reading else None,
            flow_rate=thermal.flow_rate if thermal else None,
            operating_mode=self._cur.mode if reading is not None and self._cur else None,
            compressor_running=running,
            defrost_active=reading.defrost_active if reading else None,
            circulation_pump=reading.circulation_pump if reading else None,
            electrical_power=self._last_meter_power_w,
            electrical_energy=shown["electrical_energy"],
            thermal_power=thermal.best_kw if thermal else None,
            thermal_power_method=thermal.method if thermal else None,
            thermal_power_modulation=thermal.modulation_kw if thermal else None,
            thermal_power_delta_t=thermal.delta_t_kw if thermal else None,
            thermal_energy=shown["thermal_energy"],
            cop=cop,
            daily_cop=self._ratio(today, today, DAILY_COP_MIN_ELECTRICAL_KWH),
            seasonal_cop=self._ratio(season, today, SEASONAL_COP_MIN_ELECTRICAL_KWH),
            electrical_energy_heating=shown["electrical_energy_heating"] or 0.0,
            electrical_energy_dhw=shown["electrical_energy_dhw"] or 0.0,
            electrical_energy_defrost=self._elec_defrost,
            thermal_energy_heating=shown["thermal_energy_heating"] or 0.0,
            thermal_energy_dhw=shown["thermal_energy_dhw"] or 0.0,
            compressor_starts=self._compressor_starts,
            energy_today=totals.today,
            energy_week=totals.week,
            energy_month=totals.month,
            energy_year=totals.year,
            projected_annual_energy=self._elec_days.projected_annual_energy(now),
            time_in_mode=dict(self._time_in_mode),
            lifetime_cop=lifetime_cop,
            device_counters={k: v for k, v in raw.items() if k in MIRRORED_COUNTERS},
            counter_offsets={
                key: tracker.offset
                for key, tracker in self._mirrors.items()
                if key in MIRRORED_COUNTERS
            },
        )

    def add_history(
        self, electrical: Mapping[datetime, float], thermal: Mapping[datetime, float]
    ) -> None:
        """Imported hours (hour start → kWh) into the period figures (days, season, COPs).

        Hours before the engine's own data only (:meth:`EnergyPeriods.add_history`):
        the totals and the per-purpose buckets stay what was measured live.
        """
        self._elec_days.add_history(electrical)
        self._heat_days.add_history(thermal)

    @property
    def electrical_energy_by_purpose(self) -> dict[str, float]:
        """Electricity (kWh) per purpose bucket since setup (sums to the total)."""
        return dict(self._elec_by_purpose)

    @property
    def thermal_energy_by_purpose(self) -> dict[str, float]:
        """Net heat (kWh) per purpose bucket since setup (sums to the total)."""
        return dict(self._heat_by_purpose)

    # ------------------------------------------------------------ persistence

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable state; with :meth:`from_dict` a restart changes no total."""
        return {
            "version": STORAGE_VERSION,
            "heat": self._heat.to_dict(),
            "elec": self._elec.to_dict(),
            "cop": self._cop.to_dict(),
            "heat_days": self._heat_days.to_dict(),
            "elec_days": self._elec_days.to_dict(),
            "heat_total": self._heat_total,
            "elec_total": self._elec_total,
            "heat_by_purpose": dict(self._heat_by_purpose),
            "heat_shown": dict(self._heat_shown),
            "elec_by_purpose": dict(self._elec_by_purpose),
            "heat_defrost": self._heat_defrost,
            "elec_defrost": self._elec_defrost,
            "compressor_starts": self._compressor_starts,
            "running_prev": self._running_prev,
            "source_reports_running": self._source_reports_running,
            "cur": self._cur.to_dict() if self._cur else None,
            "prev": self._prev.to_dict() if self._prev else None,
            "last_active_purpose": self._last_active_purpose,
            "last_meter_ts": dt_to_json(self._last_meter_ts),
            "last_meter_power_w": self._last_meter_power_w,
            "time_in_mode": dict(self._time_in_mode),
            "mirrors": {key: tracker.to_dict() for key, tracker in self._mirrors.items()},
            "shown_last": dict(self._shown_last),
            "meter_basis": self._meter_basis,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], config: EngineConfig, tz: tzinfo) -> Engine:
        """Restore what :meth:`to_dict` wrote; `config` and `tz` are the current ones."""
        engine = cls(config, tz)
        if data.get("version") != STORAGE_VERSION:
            return engine
        engine._heat = CounterOrPowerIntegrator.from_dict(
            data["heat"], max_power_kw=config.max_thermal_power_kw, name="heat counter"
        )
        engine._elec = CounterOrPowerIntegrator.from_dict(
            data["elec"], max_power_kw=config.max_electrical_power_kw, name="electricity counter"
        )
        engine._cop = CopWindow.from_dict(data["cop"])
        engine._heat_days = EnergyPeriods.from_dict(data["heat_days"], tz)
        engine._elec_days = EnergyPeriods.from_dict(data["elec_days"], tz)
        engine._heat_total = opt_float(data.get("heat_total"))
        engine._elec_total = opt_float(data.get("elec_total"))
        engine._heat_by_purpose = _load_purposes(data.get("heat_by_purpose"))
        shown = data.get("heat_shown")
        engine._heat_shown = (
            {str(k): float(v) for k, v in shown.items()}
            if isinstance(shown, dict)
            else {_TOTAL: engine._heat_total or 0.0, **engine._heat_by_purpose}
        )
        engine._elec_by_purpose = _load_purposes(data.get("elec_by_purpose"))
        engine._heat_defrost = float(data.get("heat_defrost", 0.0))
        engine._elec_defrost = float(data.get("elec_defrost", 0.0))
        engine._compressor_starts = int(data.get("compressor_starts", 0))
        running_prev = data.get("running_prev")
        engine._running_prev = None if running_prev is None else bool(running_prev)
        engine._source_reports_running = bool(data.get("source_reports_running", False))
        engine._cur = _HpState.from_dict(data.get("cur"))
        engine._prev = _HpState.from_dict(data.get("prev"))
        engine._last_active_purpose = str(data.get("last_active_purpose", PURPOSE_HEATING))
        engine._last_meter_ts = dt_from_json(data.get("last_meter_ts"))
        engine._last_meter_power_w = opt_float(data.get("last_meter_power_w"))
        for key, value in dict(data.get("time_in_mode", {})).items():
            engine._time_in_mode[str(key)] = float(value)
        for key, raw in dict(data.get("mirrors", {})).items():
            tracker = CounterTracker.from_dict(raw, name=str(key), log=False)
            tracker.max_power_kw = engine._max_kw(str(key))
            engine._mirrors[str(key)] = tracker
        shown_last = data.get("shown_last")
        if isinstance(shown_last, dict):
            engine._shown_last = {str(k): float(v) for k, v in shown_last.items()}
        else:
            # Stored by a version that only counted: those totals were shown,
            # so a device counter that appears now continues from them.
            engine._remember_shown()
        # The meter the stored counter came from (a version without it: the current one).
        engine._meter_basis = str(data.get("meter_basis", config.meter_basis))
        engine.set_config(config)
        return engine
