"""Import hourly history into the long-term statistics of the entry's sensors.

The Energy dashboard, statistics graphs and ``summarize(history=statistics)``
read long-term statistics. Hours from before an entry existed (the demo's
simulated month, a heat pump's history in InfluxDB) are imported with the
recorder's public :func:`~homeassistant.components.recorder.statistics.async_import_statistics`.

Rules, per sensor:

* Only hours **before the sensor's first statistic** at or after the import's
  start are imported; hours that already have statistics are never touched,
  so nothing is counted twice (a second import of the same hours imports none).
* The imported **sums run on** from the sensor's sum before the imported
  hours (0 for a sensor whose statistics began with the entry), so they are
  never negative; the existing hours after them are shifted by what was
  inserted (the recorder's public ``async_adjust_statistics``, as Home
  Assistant's own "adjust sum"), so no existing hour's change moves and the
  live sensors' statistics continue from the imported sum.
* Temperatures are imported as hourly means (min = max = mean), and so is
  ``daily_cop``: at each imported hour, the day's heat / electricity so far
  (what the live sensor shows then; None below its 0.1 kWh threshold), so the
  dashboard's daily COP bars cover the imported days too.
* A sensor whose compiled statistics are still only 5-minute ones (an entry
  less than an hour old) ends the import at the hour of its first 5-minute
  statistic; the shift starts at that 5-minute row, so the first hourly row
  Home Assistant compiles from them continues from the imported sum.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Final, Literal, cast

from homeassistant.components.recorder.models import StatisticData, StatisticMetaData
from homeassistant.components.recorder.models.statistics import StatisticMeanType
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.const import UnitOfEnergy, UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .engine.core import DAILY_COP_MIN_ELECTRICAL_KWH, Engine, EngineConfig
from .engine.hourly import Hour
from .engine.replay import HourlyReplay
from .sources.demo import DemoHeatPump, demo_seed
from .statistics_history import CHANGE_KEYS, MEAN_KEYS

#: Days of simulated history a new demo entry starts with.
DEMO_HISTORY_DAYS: Final = 30
#: The demo's history is simulated at this poll interval (s): coarser than live, as fine as a
#: chart needs, and a month takes seconds in the executor.
DEMO_HISTORY_POLL_S: Final = 120.0
DEMO_HISTORY_STEP_S: Final = 30.0

_UNITS: Final = {
    **{key: UnitOfEnergy.KILO_WATT_HOUR for key in CHANGE_KEYS if key != "compressor_starts"},
    "compressor_starts": None,
    **dict.fromkeys(MEAN_KEYS, UnitOfTemperature.CELSIUS),
    "daily_cop": None,
}
#: Hourly means derived from the hours rather than read from them.
DERIVED_MEAN_KEYS: Final = ("daily_cop",)
_MEANS: Final = frozenset((*MEAN_KEYS, *DERIVED_MEAN_KEYS))
_LOOK_BACK: Final = timedelta(days=366 * 20)
#: The sums the live period figures (energy today … year, daily and seasonal COP) are made of.
PERIOD_KEYS: Final = ("electrical_energy", "thermal_energy")
_UNIT_CLASS: Final = {
    UnitOfEnergy.KILO_WATT_HOUR: "energy",
    UnitOfTemperature.CELSIUS: "temperature",
}


def simulate_demo_hours(
    name: str,
    start: datetime,
    end: datetime,
    *,
    rated_thermal_power_kw: float,
    flow_rate_l_min: float,
    time_zone: tzinfo,
) -> list[Hour]:
    """Blocking: the demo heat pump's hours in [start, end) (full hours only)."""
    sim = DemoHeatPump(
        seed=demo_seed(name),
        start=start,
        rated_thermal_power_kw=rated_thermal_power_kw,
        flow_rate_l_min=flow_rate_l_min,
        step_s=DEMO_HISTORY_STEP_S,
    )
    engine = Engine(EngineConfig(scan_interval_s=DEMO_HISTORY_POLL_S), time_zone)
    replay = HourlyReplay(engine, source_is_meter=True)
    step = timedelta(seconds=DEMO_HISTORY_POLL_S)
    # Polls in (start, end): a poll at `end` would open the hour that the live entry records.
    t = start + step
    while t < end:
        replay.add(sim.advance(t))
        t += step
    return replay.finish(include_open_hour=True)


def _sum_before(hass: HomeAssistant, statistic_ids: set[str], start: datetime) -> dict[str, float]:
    """Blocking: per statistic, its sum at the end of the last hour before `start`.

    From the start of the previous month on, hour by hour; before that,
    monthly rows (a month's sum is its last hour's), so a long history costs a
    few dozen rows. (A monthly row of a month that holds `start` would include
    later hours: it is never asked for.)
    """
    found: dict[str, float] = {}

    def _last_sums(rows: Mapping[str, Sequence[Any]]) -> None:
        for statistic_id, stats in rows.items():
            sums = [row["sum"] for row in stats if isinstance(row.get("sum"), (int, float))]
            if sums and statistic_id not in found:
                found[statistic_id] = float(sums[-1])

    # From the start of the previous month: at most 62 days of hourly rows.
    month_start = dt_util.start_of_local_day(
        dt_util.as_local(start - timedelta(days=31)).replace(day=1)
    )
    _last_sums(
        statistics_during_period(hass, month_start, start, statistic_ids, "hour", None, {"sum"})
    )
    missing = statistic_ids - found.keys()
    if missing:
        _last_sums(
            statistics_during_period(
                hass, start - _LOOK_BACK, month_start, missing, "month", None, {"sum"}
            )
        )
    return found


@dataclass(frozen=True, slots=True)
class _Existing:
    """A sensor's first compiled statistic at or after the import's start."""

    limit: datetime  # hours from here on are not imported
    shift_from: datetime  # where the adjustment of later rows starts
    before: float  # the sum before that first row


def _first_rows(
    hass: HomeAssistant,
    statistic_ids: set[str],
    start: datetime,
    period: Literal["5minute", "hour"],
) -> dict[str, _Existing]:
    rows = statistics_during_period(
        hass, start, None, statistic_ids, period, None, {"sum", "change"}
    )
    first: dict[str, _Existing] = {}
    for statistic_id, stats in rows.items():
        if not stats:
            continue
        row = stats[0]
        total, change = row.get("sum"), row.get("change")
        before = (
            float(total) - float(change)
            if isinstance(total, (int, float)) and isinstance(change, (int, float))
            else 0.0
        )
        at = datetime.fromtimestamp(row["start"], UTC)
        first[statistic_id] = _Existing(
            limit=at.replace(minute=0, second=0, microsecond=0), shift_from=at, before=before
        )
    return first


def _first_existing(
    hass: HomeAssistant, statistic_ids: set[str], start: datetime
) -> dict[str, _Existing]:
    """Blocking: per statistic, its first hourly (else 5-minute) row at or after `start`."""
    first = _first_rows(hass, statistic_ids, start, "hour")
    if missing := statistic_ids - first.keys():
        first.update(_first_rows(hass, missing, start, "5minute"))
    return first


def daily_cop_values(hours: Sequence[Hour], time_zone: tzinfo) -> dict[datetime, float | None]:
    """The live ``daily_cop`` at the end of each hour: the local day's heat / electricity so far.

    Units: kWh in, a ratio out; None below the sensor's threshold
    (:data:`~.engine.core.DAILY_COP_MIN_ELECTRICAL_KWH`) or without heat.
    """
    values: dict[datetime, float | None] = {}
    day = None
    heat = elec = 0.0
    for hour in sorted(hours, key=lambda h: h.start):
        local_day = hour.start.astimezone(time_zone).date()
        if local_day != day:
            day, heat, elec = local_day, 0.0, 0.0
        heat += max(hour.thermal_energy or 0.0, 0.0)
        elec += max(hour.electrical_energy or 0.0, 0.0)
        known = hour.electrical_energy is not None and hour.thermal_energy is not None
        values[hour.start] = heat / elec if known and elec >= DAILY_COP_MIN_ELECTRICAL_KWH else None
    return values


def _metadata(hass: HomeAssistant, statistic_id: str, key: str) -> StatisticMetaData:
    """The sensor's own metadata when it has statistics, else what the sensor would register."""
    existing = get_metadata(hass, statistic_ids={statistic_id})
    if statistic_id in existing:
        return existing[statistic_id][1]
    unit = _UNITS[key]
    is_mean = key in _MEANS
    return StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC if is_mean else StatisticMeanType.NONE,
        has_sum=not is_mean,
        name=None,
        source="recorder",
        statistic_id=statistic_id,
        unit_class=_UNIT_CLASS.get(unit) if unit else None,
        unit_of_measurement=unit,
    )


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What one sensor gets: its rows, the kWh they hold and how to shift the hours after them."""

    key: str
    metadata: StatisticMetaData
    rows: list[StatisticData]
    total: float
    # (first existing hour after the imported ones, kWh to add to it and every later hour)
    adjust: tuple[datetime, float] | None
    # A summed sensor's imported hours: hour start -> kWh (what the live period figures add).
    changes: dict[datetime, float] = field(default_factory=dict)


def plan_import(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    hours: Sequence[Hour],
    start: datetime,
    time_zone: tzinfo = UTC,
) -> list[ImportPlan]:
    """Blocking: per sensor, the rows to import and the adjustment that keeps sums continuous.

    Sums run on from the last existing hour before the imported ones (0 if
    none); the existing hours after them are shifted by what was inserted, as
    Home Assistant's own "adjust sum" does, so no hour's change moves.
    """
    wanted = {key: eid for key, eid in entity_ids.items() if key in _UNITS}
    energy_ids = {eid for key, eid in wanted.items() if key not in _MEANS}
    first = _first_existing(hass, set(wanted.values()), start)
    before = _sum_before(hass, energy_ids, start)
    derived = {"daily_cop": daily_cop_values(hours, time_zone)} if "daily_cop" in wanted else {}
    plans: list[ImportPlan] = []
    for key, statistic_id in wanted.items():
        limit = first.get(statistic_id)
        values = derived.get(key)
        usable = [
            (hour.start, value)
            for hour in hours
            if hour.start >= start
            and (limit is None or hour.start < limit.limit)
            and (value := (values.get(hour.start) if values is not None else getattr(hour, key)))
            is not None
        ]
        if not usable:
            continue
        metadata = _metadata(hass, statistic_id, key)
        if key in _MEANS:
            rows = [
                StatisticData(start=ts, mean=value, min=value, max=value) for ts, value in usable
            ]
            plans.append(ImportPlan(key, metadata, rows, 0.0, None))
            continue
        base = before.get(statistic_id, 0.0)
        running = base
        rows = []
        changes: dict[datetime, float] = {}
        for ts, value in usable:
            changes[ts] = max(value, 0.0)
            running += changes[ts]
            rows.append(StatisticData(start=ts, sum=running, state=running))
        total = running - base
        adjust = None
        if limit is not None and abs(running - limit.before) > 1e-9:
            adjust = (limit.shift_from, running - limit.before)
        plans.append(ImportPlan(key, metadata, rows, total, adjust, changes))
    return plans


def has_statistics(hass: HomeAssistant, statistic_id: str) -> bool:
    """Blocking: whether the recorder has compiled statistics for the sensor yet."""
    return bool(get_metadata(hass, statistic_ids={statistic_id}))


async def async_import_hours(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    hours: Sequence[Hour],
    start: datetime,
    time_zone: tzinfo = UTC,
) -> dict[str, Any]:
    """Import `hours` into the sensors' statistics; return what was imported.

    The recorder runs its tasks in order: each sensor's import lands before the
    adjustment of its later hours.
    """
    instance = get_instance(hass)
    plans = await instance.async_add_executor_job(
        plan_import, hass, dict(entity_ids), list(hours), start, time_zone
    )
    imported: dict[str, float] = {}
    hour_starts: set[datetime] = set()
    changes: dict[str, dict[datetime, float]] = {}
    for plan in plans:
        async_import_statistics(hass, plan.metadata, plan.rows)
        if plan.adjust is not None:
            # The adjustment is in the statistic's own unit, so the recorder converts
            # nothing; for a unitless sum (compressor starts) that unit is None, and ""
            # would be an unknown "unitless" unit (the task fails in the recorder thread).
            instance.async_adjust_statistics(
                plan.metadata["statistic_id"],
                plan.adjust[0],
                plan.adjust[1],
                cast(str, plan.metadata["unit_of_measurement"]),
            )
        imported[plan.key] = plan.total
        if plan.key in PERIOD_KEYS:
            hour_starts.update(row["start"] for row in plan.rows)
            changes[plan.key] = plan.changes
    return {
        "hours": len(hour_starts),
        "electrical_energy": imported.get("electrical_energy", 0.0),
        "thermal_energy": imported.get("thermal_energy", 0.0),
        # Not part of a service response: where the imported energy hours end.
        "_until": max(hour_starts) + timedelta(hours=1) if hour_starts else None,
        # Nor this: the imported hours of PERIOD_KEYS, for the live period figures
        # (HeatPumpCoordinator.async_add_history).
        "_changes": changes,
    }
