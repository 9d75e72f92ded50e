"""Two periods compared from history, and the impact of change-log entries.

The `compare_periods` service's handler is :mod:`.services.compare_periods`.

Each period is read from the recorder one hour at a time with
:func:`.summaries.summarize_history` (the one summary factory's rules for counters,
purposes and gaps), reduced to an :class:`~.engine.impact.Interval` and handed
to :func:`~.engine.impact.compare_periods`. With ``history`` = ``statistics``
or ``influxdb`` the hours come from long-term statistics or from hourly
windows folded on the InfluxDB server (:class:`~.engine.hourly.Hour`, one
interval each). Everything that reads runs in an executor; the event loop
only validates and returns the result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import (
    HISTORY_INFLUXDB,
    HISTORY_RECORDER,
    HISTORY_STATISTICS,
)
from .engine.hourly import Hour
from .engine.impact import compare_periods
from .engine.intervals import (
    HEATING_BASE_C,
    Interval,
    PurposeFigures,
    interval_from_summary,
)
from .histories import require_influx
from .history import builder_options
from .influx_history import read_hours as read_influx_hours
from .statistics_history import async_statistics_entity_ids, read_hours
from .store.influxdb import InfluxConfig, InfluxHistory
from .summaries import (
    async_influx_job,
    async_recorder_job,
    history_entity_ids,
    summarize_history,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

STEP: Final = timedelta(hours=1)  # one interval of the comparison
# Outdoor-temperature bins of 0.1 K: the time-weighted mean is then within 0.05 K.
BIN_WIDTH_K: Final = 0.1


@dataclass(frozen=True, slots=True)
class Periods:
    """The two periods of a comparison (UTC)."""

    before_start: datetime
    before_end: datetime
    after_start: datetime
    after_end: datetime


def read_intervals(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    options: Mapping[str, Any],
) -> list[Interval]:
    """Blocking: (start, end] as hourly intervals (call in the recorder's executor)."""
    intervals: list[Interval] = []
    lower = start
    while lower < end:
        upper = min(lower + STEP, end)
        summary = summarize_history(hass, entity_ids, lower, upper, options)
        intervals.append(interval_from_summary(summary))
        lower = upper
    return intervals


def interval_from_hour(hour: Hour, base_c: float = HEATING_BASE_C) -> Interval:
    """An :class:`Interval` of one hour of statistics or InfluxDB windows.

    The hour's mean outdoor temperature stands for the whole hour (degree-hours
    = max(0, base − mean) × 1 h); an hour counts as covered when either energy is known.
    """
    out, flow = hour.outside_temperature, hour.flow_temperature

    def figures(elec: float | None, heat: float | None) -> PurposeFigures:
        return PurposeFigures(
            electrical_energy=elec or 0.0,
            thermal_energy=heat or 0.0,
            outside_temperature=out,
            flow_temperature=flow,
        )

    known = hour.electrical_energy is not None or hour.thermal_energy is not None
    return Interval(
        start=hour.start,
        end=hour.start + STEP,
        covered_hours=1.0 if known else 0.0,
        outside_hours=1.0 if out is not None else 0.0,
        outside_temperature=out,
        heating_degree_hours=max(0.0, base_c - out) if out is not None else 0.0,
        combined=figures(hour.electrical_energy, hour.thermal_energy),
        heating=figures(hour.electrical_energy_heating, hour.thermal_energy_heating),
        dhw=figures(hour.electrical_energy_dhw, hour.thermal_energy_dhw),
        flow_temperature=flow,
    )


type _Reader = Callable[[datetime, datetime], list[Interval]]


def _compare_blocking(
    read: _Reader, periods: Sequence[Periods], now: datetime
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    for p in periods:
        # Nothing is read beyond now; the days covered say how much there was.
        before = read(p.before_start, min(p.before_end, now))
        after = read(p.after_start, min(p.after_end, now))
        results.append(
            compare_periods(
                before,
                after,
                before_bounds=(p.before_start, p.before_end),
                after_bounds=(p.after_start, p.after_end),
            )
        )
    return results


async def async_compare(
    hass: HomeAssistant,
    entry: ConfigEntry,
    periods: Sequence[Periods],
    history: str = HISTORY_RECORDER,
) -> list[dict[str, Any]]:
    """Compare each pair of periods from `history` (translated errors for the user)."""
    influx = require_influx(entry) if history == HISTORY_INFLUXDB else None
    entity_ids = history_entity_ids(hass, entry, need_recorder=influx is None)
    now = dt_util.utcnow()
    if influx is not None:
        return await _async_compare_influx(hass, entry, influx, periods, now)
    if history == HISTORY_STATISTICS:
        statistics_ids = async_statistics_entity_ids(hass, entry)

        def read(start: datetime, end: datetime) -> list[Interval]:
            if end <= start:
                return []
            return [interval_from_hour(h) for h in read_hours(hass, statistics_ids, start, end)]

    else:
        options = {**builder_options(entry), "bin_width_k": BIN_WIDTH_K}

        def read(start: datetime, end: datetime) -> list[Interval]:
            return read_intervals(hass, entity_ids, start, end, options)

    return await async_recorder_job(hass, _compare_blocking, read, list(periods), now)


async def _async_compare_influx(
    hass: HomeAssistant,
    entry: ConfigEntry,
    config: InfluxConfig,
    periods: Sequence[Periods],
    now: datetime,
) -> list[dict[str, Any]]:
    """Hourly windows folded on the InfluxDB server, one interval per hour."""
    statistics_ids = async_statistics_entity_ids(hass, entry)

    def run(reader: InfluxHistory) -> list[dict[str, Any]]:
        def read(start: datetime, end: datetime) -> list[Interval]:
            if end <= start:
                return []
            hours = read_influx_hours(reader, statistics_ids, start, end)
            return [interval_from_hour(h) for h in hours]

        return _compare_blocking(read, list(periods), now)

    return await async_influx_job(hass, config, run)


def change_periods(at: datetime, neighbours: Iterable[datetime], days: float) -> Periods | None:
    """`days` before and after a change at `at`, cut at the neighbouring changes.

    Changes at the same moment (one poll saw several settings change) count as
    one change, so the cut is at the nearest change at another moment. None
    when a side is empty.
    """
    span = timedelta(days=days)
    before_start, after_end = at - span, at + span
    for other in neighbours:
        if other < at:
            before_start = max(before_start, other)
        elif other > at:
            after_end = min(after_end, other)
    if before_start >= at or after_end <= at:
        return None
    return Periods(before_start=before_start, before_end=at, after_start=at, after_end=after_end)


async def async_change_impacts(
    hass: HomeAssistant,
    entry: ConfigEntry,
    changes: Sequence[datetime],
    neighbours: Sequence[datetime],
    days: float,
    *,
    cache: MutableMapping[Periods, dict[str, Any]] | None = None,
) -> list[dict[str, Any] | None]:
    """The impact of a change at each of `changes` (None where a side is empty).

    Changes at the same moment share one comparison. With `cache`, a comparison
    whose after-period had ended when it was computed is taken from it (and
    new final ones are put in it): history that is complete does not change.
    """
    periods = [change_periods(at, neighbours, days) for at in changes]
    known: dict[Periods, dict[str, Any]] = {}
    wanted: list[Periods] = []
    for p in periods:
        if p is None or p in known or p in wanted:
            continue
        if cache is not None and p in cache:
            known[p] = cache[p]
        else:
            wanted.append(p)
    if wanted:
        now = dt_util.utcnow()
        for p, result in zip(wanted, await async_compare(hass, entry, wanted), strict=True):
            known[p] = result
            if cache is not None and p.after_end <= now:
                cache[p] = result
    return [None if p is None else known[p] for p in periods]
