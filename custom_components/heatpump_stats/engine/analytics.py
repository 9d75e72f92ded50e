"""Season analytics: one streaming pass over time-ordered samples gives a period's summary.

Units: temperatures °C, electrical power W, thermal power kW, energy kWh,
durations s (hours where a field says so). Timestamps are compared in UTC.

The builder keeps a few numbers per purpose, per outdoor-temperature bin and
per session, never the samples: a year of 30-s samples costs the same memory
as an hour (only the list of sessions grows, by one entry per compressor run).

Why this module is longer than 400 lines: :class:`SummaryBuilder` is one
streaming algorithm (interval booking, sessions, defrosts, bins and data
quality update together at each sample, sharing its state and, on the hot
path, its locals), and this docstring is its specification. What is not the
pass itself lives beside it: the sample, its value fields, the purposes and
the Carnot reference in :mod:`.sample`, the interval's energy paths in
:mod:`.interval_energy`, a session's running totals in :mod:`.sessions`, the
result types in :mod:`.summary`, the row merging of history readers in :mod:`.rows`.

Rules (the live engine's, see :mod:`.core`, plus what only a summary needs):

* **Samples** are moments; ``None`` means unknown. A sample not newer than the
  previous one, or after ``end``, is ignored. Samples at or before ``start``
  only set the state and the counter/power references.
* **Intervals**: the interval (previous sample, sample] belongs to the period
  when its end lies in (``start``, ``end``]; its energy is booked whole (so a
  counter's summary equals its value at the last sample ≤ ``end`` minus its
  value at the last sample ≤ ``start``), its time is clipped to the period.
* **Energy** per interval: the difference of the cumulative counter
  (``electrical_energy``, ``thermal_energy``) when present, else the power
  trapezoid, exactly as :class:`~.energy.CounterOrPowerIntegrator`: a counter
  value that physics rules out is not booked (see :class:`~.energy.CounterTracker`);
  the power trapezoid does not bridge gaps longer than ``max_gap_s``; a counter
  difference across a gap is counted in all totals (the counter is the truth)
  but not in sessions or time. With ``net_thermal_counter`` the thermal counter
  is a net total that falls during defrosts (this integration's own
  ``thermal_energy``): its differences are booked signed, never as a reset.
  ``power_method="left"`` replaces the trapezoid by the left rectangle (a
  sample's power holds until the next sample): right for step-shaped signals
  read at their steps (see the season test).
* **By-purpose counters**: where samples carry cumulative counters of
  electricity or heat by purpose (``electrical_energy_heating``,
  ``electrical_energy_dhw``, ``thermal_energy_heating``, ``thermal_energy_dhw``:
  this integration's per-purpose sensors, which mirror the device's own
  per-purpose counters where it has them), an interval's energy is split by
  them: each known counter's difference goes to its purpose and only the rest
  of the interval's energy (standby use, a purpose without a counter) follows
  the attribution below. A device that changes purpose between two polls
  counts the change where it happened; booking the whole interval to the poll
  before would move up to one poll interval of energy into the wrong purpose,
  and the summary would disagree with one from long-term statistics (which
  difference the same sensors hour by hour). A counter is used for an
  interval only when it is known at both of its ends, does not fall, and the
  known differences do not exceed the interval's total energy (by more than the
  counter jitter tolerance); otherwise that interval is attributed whole.
* **Mode** of a sample: its ``mode``, else
  :func:`~.core.classify_operating_mode` from ``defrost_active``,
  ``compressor_running``, ``circulation_pump`` and ``electrical_power`` (the
  latest known power when the sample has none). A sample with none of these
  keeps the previous sample's state.
* **Attribution**: an interval is booked to the state of the sample that
  begins it (everything between two samples belongs to the mode known at the
  first of them). Before the first state is known: purpose ``unknown``.
  The *start rule* (the live engine's, :mod:`.core`): an interval that begins
  in standby/off and ends at a heating, dhw or cooling sample is a start
  between two polls; its energy is booked to the purpose at its end (its time
  stays with the beginning). A stopped compressor makes no heat: without the
  rule, half of every start's first interval would show up as standby heat at
  a running COP. Standby and off therefore report no COP (None).
* **Defrost**: a sample is in defrost when its mode is ``defrost`` or
  ``defrost_active`` is True. A defrost's electricity and (negative) heat
  belong to the purpose running when it began (the latest heating/dhw purpose,
  heating if none) and are also totalled under ``defrost``, with its count,
  time and heat as a percentage of the period's net heat.
* **Running**: the compressor runs when the samples' ``compressor_running``
  says so (once any sample has reported it), else when electrical power ≥
  ``running_threshold_w``. Unknown keeps the previous value. A **start** is a
  change from not running to running at a sample in the period; the first
  known state is not a start. Starts are counted for the purpose of the sample
  where the run begins.
* **Purposes**: ``combined`` (everything), ``running`` (intervals while the
  compressor runs), and the buckets ``heating``, ``dhw``, ``cooling``,
  ``standby``, ``off``, ``unknown`` (these six add up to ``combined``).
  Per purpose: electricity, heat, COP = Σ heat / Σ electricity, heat-weighted
  mean flow and outdoor temperatures (weights: intervals with positive heat and
  both temperatures known, temperatures of the sample that begins the
  interval), Carnot COP of those two means (T_hot = flow + 2 K, T_cold =
  outdoor − 6 K, in kelvin: T_hot / (T_hot − T_cold)), % of Carnot = COP /
  that Carnot COP, starts and starts per running hour, time and running time.
* **Sessions** are contiguous compressor runs, each with one purpose (that of
  its first sample): start (the first running sample), end (the first sample
  not running), electricity, heat, COP, max and time-weighted mean flow
  temperature, mean outdoor temperature, defrosts. A change of purpose while
  running ends a session and begins the next, except:

  - a defrost does not split a session (its energy stays with the purpose the
    defrost is booked to);
  - a hot-water (dhw) run inside a heating session that returns to heating
    after less than ``dhw_interruption_s`` of dhw mode (defrost time not
    counted) does not split it: it is counted as an interruption of the heating
    session, its energy is still booked to dhw in the purpose totals and shown
    as the session's ``interruption_*`` energy, not in the session's own
    energy. A dhw run that lasts longer, or after which the compressor stops,
    is a dhw session of its own, and the heating session ends where it began.
  - a data gap longer than ``max_gap_s`` ends the session at its last sample.
    Sessions cut by a gap or by the period's ends, or whose beginning was not
    seen (the first known state), are marked ``truncated``.

  The two questions ESPAltherma's summaries left open follow from these
  rules: defrost energy during space heating is booked to heating (not to
  dhw, even when the unit takes the defrost heat from the tank), and a dhw run
  that starts just before a defrost does not split the heating session. (The
  dhw run itself stays dhw, and a defrost that begins *inside* that dhw run
  is booked to dhw: the purpose running when the defrost began.)
* **Outdoor-temperature bins**: bin ``k`` holds intervals whose beginning
  sample had ``k × bin_width_k ≤ outdoor < (k + 1) × bin_width_k``; per bin
  hours (bridged time), electricity, heat and COP, for all intervals and for
  the heating purpose alone. Intervals with an unknown outdoor temperature are
  totalled as ``unbinned``.
* **Last changes**: for compressor, circulation pump, heating, dhw and
  defrost the latest state and the time it last switched (over all samples up
  to ``end``, including those before ``start``); None when no switch was seen.
* **Data quality**: covered time = Σ clipped intervals not longer than
  ``max_gap_s`` whose beginning sample carries any value (a sample without
  any value, e.g. before the entities existed, covers nothing and books no
  time); ``coverage_pct`` = covered time / period; ``samples_pct`` =
  samples in the period / (period / ``expected_interval_s``). Both count the
  whole requested period: a period that reaches into the future or before
  the first data reads below 100 %. Nothing is booked past the last sample.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
import math
from typing import Any, Literal

from custom_components.heatpump_stats.model.reading import OperatingMode
from custom_components.heatpump_stats.model.timeutil import as_utc

from .interval_energy import EnergyPath, PurposeCounter, split_by_purpose
from .modes import classify_operating_mode
from .sample import (
    BUCKETS,
    BY_PURPOSE_FIELDS,
    DHW,
    HEATING,
    PURPOSE_COMBINED,
    PURPOSE_RUNNING,
    PURPOSE_UNKNOWN,
    STATE_KEYS,
    Sample,
    carnot_cop,
)
from .sessions import OpenSession
from .summary import (
    SECONDS_PER_HOUR,
    DataQuality,
    DefrostSummary,
    PurposeSummary,
    SessionSummary,
    StateChange,
    Summary,
    TemperatureBin,
)

type PowerMethod = Literal["trapezoid", "left"]

_MODE_VALUE: dict[OperatingMode, str] = {m: m.value for m in OperatingMode}
# Not running / running purposes (the start rule of the attribution).
_IDLE = frozenset({OperatingMode.STANDBY.value, OperatingMode.OFF.value})
_ACTIVE = frozenset({HEATING, DHW, OperatingMode.COOLING.value})

# Accumulator slots of one purpose (a list, for speed).
_E, _H, _S, _RS, _STARTS, _WH, _WF, _WO = range(8)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0.0 else None


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat()


# ---------------------------------------------------------------- builder


class SummaryBuilder:
    """Feed samples in time order with :meth:`add`; take the :meth:`result` at any time."""

    def __init__(
        self,
        *,
        start: datetime,
        end: datetime,
        expected_interval_s: float = 30,
        max_gap_s: float = 150,
        running_threshold_w: float = 150,
        bin_width_k: float = 1.0,
        dhw_interruption_s: float = 600,
        power_method: PowerMethod = "trapezoid",
        net_thermal_counter: bool = False,
    ) -> None:
        """Summarise (start, end]; see the module docstring for every parameter's rule (s, W, K)."""
        start, end = as_utc(start), as_utc(end)
        if end <= start:
            raise ValueError("end must be after start")
        if bin_width_k <= 0 or expected_interval_s <= 0 or max_gap_s <= 0:
            raise ValueError("bin width, expected interval and max gap must be positive")
        if power_method not in ("trapezoid", "left"):
            raise ValueError(f"unknown power method {power_method!r}")
        self._start_dt, self._end_dt = start, end
        self._start = start.timestamp()
        self._end = end.timestamp()
        self._expected_interval_s = float(expected_interval_s)
        self._max_gap_s = float(max_gap_s)
        self._threshold_w = float(running_threshold_w)
        self._bin_width = float(bin_width_k)
        self._dhw_interruption_s = float(dhw_interruption_s)
        self._power_method: PowerMethod = power_method
        left = power_method == "left"
        self._elec = EnergyPath(self._max_gap_s, left)
        self._heat = EnergyPath(self._max_gap_s, left, signed=net_thermal_counter)
        self._net_thermal_counter = net_thermal_counter
        # electrical heating, electrical dhw, thermal heating, thermal dhw.
        self._by_purpose = tuple(PurposeCounter() for _ in BY_PURPOSE_FIELDS)

        # Per bucket; `combined` is their sum, `running` cuts across them.
        self._acc: dict[str, list[float]] = {p: [0.0] * 8 for p in BUCKETS}
        self._acc_running = [0.0] * 8
        self._time_in_mode: dict[str, float] = {m.value: 0.0 for m in OperatingMode}
        self._bins: dict[int, list[float]] = {}
        self._bins_heating: dict[int, list[float]] = {}
        self._unbinned = [0.0, 0.0, 0.0]
        self._defrost_count = 0
        self._defrost_s = 0.0
        self._defrost_elec = 0.0
        self._defrost_heat = 0.0

        # State of the latest sample.
        self._t: float | None = None
        self._mode: OperatingMode | None = None
        self._purpose = PURPOSE_UNKNOWN
        self._defrost = False
        self._running: bool | None = None
        self._flow: float | None = None
        self._out: float | None = None
        self._last_power_w: float | None = None
        self._last_active = HEATING
        self._reports_running = False
        self._states: dict[str, list[Any]] = {k: [None, None] for k in STATE_KEYS}
        self._signature: tuple[Any, ...] = ()

        self._session: OpenSession | None = None
        self._pending: OpenSession | None = None  # a dhw run inside a heating session
        self._sessions: list[SessionSummary] = []

        self._known = False  # the latest sample carried any value
        self._samples = 0
        self._covered_s = 0.0
        self._gaps = 0
        self._first_in: float | None = None

    # ------------------------------------------------------------- feeding

    def add(self, sample: Sample) -> None:
        """Add one sample (must be newer than the previous; older ones are ignored)."""
        self.add_values(
            as_utc(sample.ts).timestamp(),
            mode=sample.mode,
            electrical_power=sample.electrical_power,
            thermal_power=sample.thermal_power,
            electrical_energy=sample.electrical_energy,
            thermal_energy=sample.thermal_energy,
            flow_temperature=sample.flow_temperature,
            outside_temperature=sample.outside_temperature,
            compressor_running=sample.compressor_running,
            defrost_active=sample.defrost_active,
            circulation_pump=sample.circulation_pump,
            electrical_energy_heating=sample.electrical_energy_heating,
            electrical_energy_dhw=sample.electrical_energy_dhw,
            thermal_energy_heating=sample.thermal_energy_heating,
            thermal_energy_dhw=sample.thermal_energy_dhw,
        )

    def add_all(self, samples: Iterable[Sample]) -> SummaryBuilder:
        """Add every sample of an iterable (consumed lazily); returns self."""
        for sample in samples:
            self.add(sample)
        return self

    def add_values(  # noqa: PLR0917 - positional: the recorder reader calls it per sample
        self,
        t: float,
        mode: OperatingMode | None,
        electrical_power: float | None,
        thermal_power: float | None,
        electrical_energy: float | None,
        thermal_energy: float | None,
        flow_temperature: float | None,
        outside_temperature: float | None,
        compressor_running: bool | None,
        defrost_active: bool | None,
        circulation_pump: bool | None,
        electrical_energy_heating: float | None = None,
        electrical_energy_dhw: float | None = None,
        thermal_energy_heating: float | None = None,
        thermal_energy_dhw: float | None = None,
    ) -> None:
        """:meth:`add` without the Sample: `t` in seconds since the epoch (UTC), same units.

        The arguments after `t` are :data:`VALUE_FIELDS`, in that order.
        """
        prev_t = self._t
        if (prev_t is not None and t <= prev_t) or t > self._end:
            return
        # Inline finiteness checks (x - x is NaN for NaN and ±inf): this runs per sample.
        power_w = electrical_power
        if power_w is not None and power_w - power_w != 0.0:
            power_w = None
        flow = flow_temperature
        if flow is not None and flow - flow != 0.0:
            flow = None
        out = outside_temperature
        if out is not None and out - out != 0.0:
            out = None

        # Energy of (prev_t, t]: booked to the previous sample's state.
        thermal_kw, e_counter, h_counter = thermal_power, electrical_energy, thermal_energy
        if thermal_kw is not None and thermal_kw - thermal_kw != 0.0:
            thermal_kw = None
        if e_counter is not None and e_counter - e_counter != 0.0:
            e_counter = None
        if h_counter is not None and h_counter - h_counter != 0.0:
            h_counter = None
        e_kwh, e_booked, e_bridged = self._elec.add(
            t, None if power_w is None else power_w / 1000.0, e_counter
        )
        h_kwh, h_booked, h_bridged = self._heat.add(t, thermal_kw, h_counter)
        eh, ed, hh, hd = self._by_purpose
        split_e = split_by_purpose(
            e_kwh, (eh.add(electrical_energy_heating), ed.add(electrical_energy_dhw))
        )
        split_h = split_by_purpose(
            h_kwh, (hh.add(thermal_energy_heating), hd.add(thermal_energy_dhw))
        )

        # The new sample's state (applied after the interval before it is booked).
        last_power_w = power_w if power_w is not None else self._last_power_w
        if mode is None and not (
            defrost_active is None
            and compressor_running is None
            and circulation_pump is None
            and power_w is None
        ):
            mode = classify_operating_mode(
                defrost_active=defrost_active,
                compressor_running=compressor_running,
                circulation_pump=circulation_pump,
                electrical_power_w=last_power_w,
                running_threshold_w=self._threshold_w,
            )
        new_mode, new_purpose, new_defrost = self._mode, self._purpose, self._defrost
        last_active = self._last_active
        if mode is not None:
            new_defrost = mode is OperatingMode.DEFROST or defrost_active is True
            if new_defrost:
                new_purpose = last_active
            else:
                new_purpose = _MODE_VALUE[mode]
                if new_purpose in (HEATING, DHW):
                    last_active = new_purpose
            new_mode = mode

        in_period = t > self._start
        if in_period:
            self._samples += 1
            if self._first_in is None:
                self._first_in = t
            if prev_t is not None:
                self._book(
                    prev_t,
                    t,
                    e_kwh if e_booked else 0.0,
                    h_kwh if h_booked else 0.0,
                    # A counter difference across a gap is no part of a session.
                    bridged_e=(e_bridged or not e_booked) and (h_bridged or not h_booked),
                    end_purpose=new_purpose,
                    split_e=split_e if e_booked else None,
                    split_h=split_h if h_booked else None,
                )

        known = not (
            mode is None
            and e_counter is None
            and h_counter is None
            and thermal_kw is None
            and flow is None
            and out is None
        )
        self._known = known
        self._last_power_w = last_power_w
        was_defrost, was_running, was_purpose = self._defrost, self._running, self._purpose
        self._mode, self._purpose, self._defrost = new_mode, new_purpose, new_defrost
        self._last_active = last_active
        running = was_running
        if compressor_running is not None:
            if not self._reports_running:
                self._reports_running = True
                was_running = None  # the first reported state is not a start
            running = compressor_running
        elif not self._reports_running and power_w is not None:
            running = power_w >= self._threshold_w
        self._running = running
        self._flow, self._out = flow, out
        self._t = t

        signature = (running, circulation_pump, self._mode, self._defrost)
        if signature != self._signature:
            self._signature = signature
            self._note_states(t, running, circulation_pump)
        if in_period and (
            running is not was_running
            or self._purpose != was_purpose
            or self._defrost is not was_defrost
            or self._pending is not None
            or (running and self._session is None)
        ):
            # Something may start, end or split: otherwise there is nothing to do.
            self._transitions(t, was_running, was_defrost)

    def _note_states(self, t: float, running: bool | None, pump: bool | None) -> None:
        mode = self._mode
        states = self._states
        for key, value in (
            ("compressor", running),
            ("circulation_pump", pump),
            ("heating", None if mode is None else mode is OperatingMode.HEATING),
            ("dhw", None if mode is None else mode is OperatingMode.DHW),
            ("defrost", None if mode is None else self._defrost),
        ):
            if value is None:
                continue
            entry = states[key]
            if entry[0] is not None and entry[0] != value:
                entry[1] = t
            entry[0] = value

    def _book(
        self,
        prev_t: float,
        t: float,
        elec: float,
        heat: float,
        *,
        bridged_e: bool,
        end_purpose: str,
        split_e: tuple[float, float] | None = None,
        split_h: tuple[float, float] | None = None,
    ) -> None:
        # Hot path (once per sample): locals and plain lists on purpose.
        bridged = t - prev_t <= self._max_gap_s
        if not self._known:
            secs = 0.0  # no data at the interval's beginning: not covered, no time booked
        elif bridged:
            start = self._start
            secs = t - prev_t if prev_t >= start else t - start
            self._covered_s += secs
            mode = self._mode
            if mode is not None:
                self._time_in_mode[_MODE_VALUE[mode]] += secs
        else:
            secs = 0.0
            self._gaps += 1
        purpose = self._purpose
        running = self._running is True
        flow, out = self._flow, self._out
        weighted = heat > 0.0 and flow is not None and out is not None

        a = self._acc[purpose]
        # The compressor started inside the interval: its energy is the run's.
        booked = end_purpose if purpose in _IDLE and end_purpose in _ACTIVE else purpose
        heat_of_heating = heat if booked == HEATING else 0.0
        elec_of_heating = elec if booked == HEATING else 0.0
        if split_e is None and split_h is None:
            e = self._acc[booked]
            e[_E] += elec
            e[_H] += heat
            if weighted:
                e[_WH] += heat
                e[_WF] += heat * flow  # type: ignore[operator]
                e[_WO] += heat * out  # type: ignore[operator]
        else:
            # The device's by-purpose counters split the interval; the rest is attributed.
            e_heating, e_dhw = split_e if split_e is not None else (0.0, 0.0)
            h_heating, h_dhw = split_h if split_h is not None else (0.0, 0.0)
            rest_e, rest_h = elec - e_heating - e_dhw, heat - h_heating - h_dhw
            elec_of_heating = e_heating + (rest_e if booked == HEATING else 0.0)
            heat_of_heating = h_heating + (rest_h if booked == HEATING else 0.0)
            temps = flow is not None and out is not None
            for bucket, e_part, h_part in (
                (HEATING, e_heating, h_heating),
                (DHW, e_dhw, h_dhw),
                (booked, rest_e, rest_h),
            ):
                if e_part == 0.0 and h_part == 0.0:
                    continue
                e = self._acc[bucket]
                e[_E] += e_part
                e[_H] += h_part
                if temps and h_part > 0.0:
                    e[_WH] += h_part
                    e[_WF] += h_part * flow  # type: ignore[operator]
                    e[_WO] += h_part * out  # type: ignore[operator]
        a[_S] += secs
        if running:
            a[_RS] += secs
            a = self._acc_running
            a[_E] += elec
            a[_H] += heat
            a[_S] += secs
            a[_RS] += secs
            if weighted:
                a[_WH] += heat
                a[_WF] += heat * flow  # type: ignore[operator]
                a[_WO] += heat * out  # type: ignore[operator]

        if self._defrost:
            self._defrost_elec += elec
            self._defrost_heat += heat
            self._defrost_s += secs

        b: list[float] | None
        if out is None:
            b = self._unbinned
        else:
            k = math.floor(out / self._bin_width)
            b = self._bins.get(k)
            if b is None:
                b = self._bins[k] = [0.0, 0.0, 0.0]
            if booked == HEATING or elec_of_heating or heat_of_heating:
                h = self._bins_heating.get(k)
                if h is None:
                    h = self._bins_heating[k] = [0.0, 0.0, 0.0]
                if booked == HEATING:
                    h[0] += secs
                h[1] += elec_of_heating
                h[2] += heat_of_heating
        b[0] += secs
        b[1] += elec
        b[2] += heat

        # Sessions: only what is bridged belongs to a run.
        session = self._session
        if running and session is None and bridged:
            # Running when the period began.
            session = self._session = OpenSession(purpose, self._start, truncated=True)
        if session is None:
            return
        if not (bridged and bridged_e):
            self._close_session(prev_t, truncated=True)
            return
        pending = self._pending
        target = pending if pending is not None else session
        target.book(elec, heat, secs, flow, out)
        if pending is not None and self._mode is OperatingMode.DHW:
            pending.dhw_s += secs
            if pending.dhw_s >= self._dhw_interruption_s:
                # Too long for an interruption: the heating session ended when it began.
                self._sessions.append(session.freeze(pending.start, truncated=False))
                self._session, self._pending = pending, None

    def _close_session(self, end: float, *, truncated: bool) -> None:
        session, pending = self._session, self._pending
        if session is None:
            return
        if pending is not None:
            # A dhw run that did not return to heating: a session of its own.
            self._sessions.append(session.freeze(pending.start, truncated=False))
            session = pending
        self._sessions.append(session.freeze(end, truncated=truncated))
        self._session = self._pending = None

    def _transitions(self, t: float, was_running: bool | None, was_defrost: bool) -> None:
        running = self._running
        purpose = self._purpose
        defrost = self._defrost
        if running and was_running is False:
            self._acc[purpose][_STARTS] += 1
            self._acc_running[_STARTS] += 1
        if defrost and not was_defrost:
            self._defrost_count += 1

        session = self._session
        if not running:
            if session is not None and running is False:
                self._close_session(t, truncated=False)
            return
        if session is None:
            # A start, or running again after a gap closed the session.
            self._session = OpenSession(purpose, t, truncated=was_running is not False)
            if defrost and not was_defrost:
                self._session.defrosts += 1
            return
        pending = self._pending
        if defrost and not was_defrost:
            (pending if pending is not None else session).defrosts += 1
        if pending is not None:
            if purpose == session.purpose:
                session.absorb_interruption(pending)
                self._pending = None
            elif purpose != DHW:
                self._close_session(t, truncated=False)
                self._session = OpenSession(purpose, t, truncated=False)
            return
        if purpose == session.purpose:
            return
        if session.purpose == HEATING and purpose == DHW:
            self._pending = OpenSession(DHW, t, truncated=False)
            return
        self._close_session(t, truncated=False)
        self._session = OpenSession(purpose, t, truncated=False)

    # ------------------------------------------------------------- results

    def _purpose_summary(self, a: list[float], *, idle: bool = False) -> PurposeSummary:
        elec, heat = a[_E], a[_H]
        # Standby and off make no heat: a COP there would be a ratio of rounding noise.
        cop = None if idle else _ratio(heat, elec)
        flow = a[_WF] / a[_WH] if a[_WH] > 0 else None
        out = a[_WO] / a[_WH] if a[_WH] > 0 else None
        carnot = carnot_cop(flow, out)
        starts = int(a[_STARTS])
        return PurposeSummary(
            electrical_energy=elec,
            thermal_energy=heat,
            cop=cop,
            flow_temperature_mean=flow,
            outside_temperature_mean=out,
            carnot_cop=carnot,
            carnot_pct=None if cop is None or carnot is None else cop / carnot * 100.0,
            compressor_starts=starts,
            starts_per_running_hour=_ratio(starts, a[_RS] / SECONDS_PER_HOUR),
            seconds=a[_S],
            running_seconds=a[_RS],
        )

    def _bin_list(self, bins: dict[int, list[float]]) -> tuple[TemperatureBin, ...]:
        w = self._bin_width
        return tuple(
            TemperatureBin(
                low=k * w,
                high=(k + 1) * w,
                hours=b[0] / SECONDS_PER_HOUR,
                electrical_energy=b[1],
                thermal_energy=b[2],
                cop=_ratio(b[2], b[1]),
            )
            for k, b in sorted(bins.items())
        )

    def result(self) -> Summary:
        """The summary of everything added so far (the builder can go on afterwards)."""
        sessions = list(self._sessions)
        session, pending = self._session, self._pending
        last = self._t if self._t is not None else self._start
        if session is not None:
            if pending is not None:
                sessions.append(session.freeze(pending.start, truncated=False))
                session = pending
            sessions.append(session.freeze(max(last, session.start), truncated=True))
        combined = [sum(column) for column in zip(*self._acc.values(), strict=True)]
        accs = {PURPOSE_COMBINED: combined, PURPOSE_RUNNING: self._acc_running, **self._acc}
        period_s = self._end - self._start
        expected = period_s / self._expected_interval_s
        u = self._unbinned
        return Summary(
            start=self._start_dt,
            end=self._end_dt,
            purposes={p: self._purpose_summary(a, idle=p in _IDLE) for p, a in accs.items()},
            time_in_mode=dict(self._time_in_mode),
            defrost=DefrostSummary(
                count=self._defrost_count,
                seconds=self._defrost_s,
                electrical_energy=self._defrost_elec,
                thermal_energy=self._defrost_heat,
                # 0.0 - x: a defrost-free period reads 0.0, never -0.0.
                pct_of_heat=_ratio(0.0 - self._defrost_heat * 100.0, combined[_H]),
                pct_of_electricity=_ratio(self._defrost_elec * 100.0, combined[_E]),
            ),
            sessions=tuple(sessions),
            bin_width_k=self._bin_width,
            bins=self._bin_list(self._bins),
            bins_heating=self._bin_list(self._bins_heating),
            unbinned=None
            if not any(u)
            else TemperatureBin(
                low=math.nan,
                high=math.nan,
                hours=u[0] / SECONDS_PER_HOUR,
                electrical_energy=u[1],
                thermal_energy=u[2],
                cop=_ratio(u[2], u[1]),
            ),
            last_changes={
                key: StateChange(
                    state=value[0],
                    last_change=None if value[1] is None else datetime.fromtimestamp(value[1], UTC),
                )
                for key, value in self._states.items()
            },
            data_quality=DataQuality(
                samples=self._samples,
                expected_samples=expected,
                samples_pct=_ratio(self._samples * 100.0, expected),
                covered_s=self._covered_s,
                coverage_pct=_ratio(self._covered_s * 100.0, period_s),
                gaps=self._gaps,
                first_sample=None
                if self._first_in is None
                else datetime.fromtimestamp(self._first_in, UTC),
                last_sample=None
                if self._t is None or self._t <= self._start
                else datetime.fromtimestamp(self._t, UTC),
            ),
            settings={
                "expected_interval_s": self._expected_interval_s,
                "max_gap_s": self._max_gap_s if math.isfinite(self._max_gap_s) else None,
                "running_threshold_w": self._threshold_w,
                "dhw_interruption_s": self._dhw_interruption_s,
                "power_method": self._power_method,
                "net_thermal_counter": self._net_thermal_counter,
            },
        )


def summarize(
    samples: Iterable[Sample], *, start: datetime, end: datetime, **options: Any
) -> Summary:
    """Build the summary of (start, end] from an iterable of samples (consumed lazily)."""
    return SummaryBuilder(start=start, end=end, **options).add_all(samples).result()
