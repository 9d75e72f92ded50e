"""A period's hourly figures imported as long-term statistics (`import_history`, the demo's month).

The service's handler is :mod:`.services.import_history`.

Where the hours come from (``history``):

* ``recorder`` (default): for the ``entities`` source, the recorded states of
  the source entities themselves, replayed through the source's mapping
  (:mod:`.entities_history`), so the hours before the entry existed are
  computed; for every other source, the recorded states of the entry's own
  energy and temperature sensors.
* ``influxdb``: the same, read from the InfluxDB server in the entry's
  options (``influxdb_*``); for the ``entities`` source the source entities'
  points, else the entry's sensors' hourly windows folded on the server.

The figures go through :func:`~.history_import.async_import_hours`: only
hours without statistics are imported, the imported sums run on from the
sums before them and the live hours after them are shifted, so the Energy
dashboard shows imported + live energy without a jump. Imports run one at a
time (a lock), each waiting for the recorder to have written the previous.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import (
    get_instance,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_METER,
    CONF_SOURCE,
    DOMAIN,
    HISTORY_RECORDER,
    SOURCE_ENTITIES,
)
from .coordinator import engine_config
from .daily_cop import async_add_imported_days
from .engine.hourly import Hour
from .entities_history import (
    EntitiesReplay,
    current_attributes,
    entity_slots,
    read_influx_rows,
    read_recorder_rows,
)
from .histories import require_influx
from .history_import import async_import_hours, has_statistics
from .influx_history import read_hours as influx_hours
from .options import entry_options
from .statistics_history import CHANGE_KEYS, MEAN_KEYS, async_statistics_entity_ids
from .store.influxdb import InfluxError, InfluxHistory

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

_HOUR: Final = timedelta(hours=1)

IMPORT_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_import_lock")


def import_lock(hass: HomeAssistant) -> asyncio.Lock:
    """The one lock every import of statistics takes (the service and the demo's month)."""
    if (lock := hass.data.get(IMPORT_LOCK)) is None:
        lock = hass.data[IMPORT_LOCK] = asyncio.Lock()
    return lock


def import_entity_ids(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, str]:
    """The entry's sensors an import fills, by key: energies, temperatures and daily COP."""
    ids = async_statistics_entity_ids(hass, entry)
    if daily := er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{entry.unique_id}_daily_cop"
    ):
        ids["daily_cop"] = daily
    return ids


def statistics_ready_ids(hass: HomeAssistant, entity_ids: Mapping[str, str]) -> dict[str, str]:
    """Blocking: the sensors an import may fill now.

    A summed sensor is filled only once it has compiled statistics: before its
    first compile its live sums have no zero point and would start at 0 below
    the imported ones. Means (temperatures, daily COP) have no sums to join.
    """
    return {
        key: eid
        for key, eid in entity_ids.items()
        if key in MEAN_KEYS or key == "daily_cop" or has_statistics(hass, eid)
    }


async def async_import_and_wait(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    hours: list[Hour],
    start: datetime,
    time_zone: tzinfo,
    *,
    entry: ConfigEntry | None = None,
) -> dict[str, Any]:
    """Import under the lock and wait until the recorder has written it.

    With `entry`, the imported days also get their real daily COP (:mod:`.daily_cop`):
    the days that lie wholly before the imported hours' end (the day of the seam
    keeps the live row); and the card's kept season hours are dropped, so its
    next summary includes the imported hours.
    """
    async with import_lock(hass):
        result = await async_import_hours(hass, entity_ids, hours, start, time_zone)
        until: datetime | None = result.pop("_until", None)
        changes = result.pop("_changes", {})
        if entry is not None:
            runtime = entry.runtime_data
            await runtime.heat_pump.async_add_history(changes, runtime.meter)
        if entry is not None and until is not None:
            local_until = until.astimezone(time_zone)
            async_add_imported_days(
                hass,
                entry,
                (hour for hour in hours if start <= hour.start < until),
                time_zone,
                before=local_until.replace(hour=0, minute=0, second=0, microsecond=0),
            )
        await get_instance(hass).async_block_till_done()
        if entry is not None:
            # The card keeps the season's hours between requests: those it read
            # before the import lack the imported ones. Read them again next time.
            entry.runtime_data.card_hours = None
    return result


# ---------------------------------------------------------------- hours


def _replay(
    entry: ConfigEntry,
    slots: Mapping[str, str],
    attributes: Mapping[str, tuple[str | None, str | None]],
    rows: Callable[[], Any],
    *,
    start: datetime,
    end: datetime,
    time_zone: tzinfo,
) -> list[Hour]:
    """Blocking: replay the source entities' rows into hours."""
    options = entry_options(entry)
    replay = EntitiesReplay(
        config=engine_config(options, entry.data),
        time_zone=time_zone,
        start=start,
        end=end,
        step_s=options.scan_interval_s,
        attributes={slot: attributes.get(slot, (None, None)) for slot in slots},
        mode_map=options.mode_map,
        meter=entry.data.get(CONF_METER),
    )
    replay.feed(rows())
    return replay.finish()


def hours_from_states(
    series: Mapping[str, list[tuple[float, str]]], start: datetime, end: datetime
) -> list[Hour]:
    """Hourly figures from our own sensors' states (unix time s, state string).

    An energy hour's change = the last value in the hour − the last value
    before it (a drop is a reset: the new value is the energy since); a
    temperature hour's mean is time-weighted (a state holds until the next).
    """
    by_hour: dict[datetime, dict[str, float | None]] = {}
    t_start, t_end = start.timestamp(), end.timestamp()
    for key, rows in series.items():
        values = [(ts, v) for ts, state in rows if (v := _number(state)) is not None]
        if key in CHANGE_KEYS:
            previous: float | None = None
            last_in: dict[datetime, float] = {}
            for ts, value in values:
                if ts <= t_start:
                    previous = value
                    continue
                last_in[_hour(ts)] = value
            for hour, value in sorted(last_in.items()):
                if previous is not None:
                    change = value - previous if value >= previous else value
                    by_hour.setdefault(hour, {})[key] = change
                previous = value
        elif key in MEAN_KEYS:
            weights: dict[datetime, list[float]] = {}
            for i, (ts, value) in enumerate(values):
                seg_end = values[i + 1][0] if i + 1 < len(values) else t_end
                lo = max(ts, t_start)
                while lo < min(seg_end, t_end):
                    hour = _hour(lo)
                    hi = min(seg_end, t_end, (hour + _HOUR).timestamp())
                    acc = weights.setdefault(hour, [0.0, 0.0])
                    acc[0] += value * (hi - lo)
                    acc[1] += hi - lo
                    lo = hi
            for hour, (total, span) in weights.items():
                if span > 0:
                    by_hour.setdefault(hour, {})[key] = total / span
    return [Hour(start=hour, **values) for hour, values in sorted(by_hour.items())]


def _hour(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC).replace(minute=0, second=0, microsecond=0)


def _number(state: str | None) -> float | None:
    try:
        return float(state) if state is not None else None
    except ValueError:
        return None


def _own_recorder_hours(
    hass: HomeAssistant, entity_ids: Mapping[str, str], start: datetime, end: datetime
) -> list[Hour]:
    """Blocking: hours from the recorded states of the entry's own sensors."""
    series: dict[str, list[tuple[float, str]]] = {}
    for key, entity_id in entity_ids.items():
        if key not in CHANGE_KEYS and key not in MEAN_KEYS:
            continue
        rows = read_recorder_rows(hass, {key: entity_id}, start, end)
        series[key] = [(ts, state) for ts, _slot, state in rows if state is not None]
    return hours_from_states(series, start, end)


def _full_hours(hours: list[Hour], end: datetime) -> list[Hour]:
    """Hours that ended by `end` (a partial last hour would import too little)."""
    return [hour for hour in hours if hour.start + _HOUR <= end]


async def async_entry_hours(
    hass: HomeAssistant,
    entry: ConfigEntry,
    entity_ids: Mapping[str, str],
    *,
    start: datetime,
    end: datetime,
    history: str,
) -> list[Hour]:
    """The entry's full hours in [start, end) from `history` (see the module docstring)."""
    tz = dt_util.get_default_time_zone()
    instance = get_instance(hass)
    is_entities = entry.data.get(CONF_SOURCE) == SOURCE_ENTITIES
    slots = entity_slots(entry.data) if is_entities else {}
    attributes = current_attributes(hass, slots)
    if history == HISTORY_RECORDER:
        if is_entities:
            hours = await instance.async_add_executor_job(
                lambda: _replay(
                    entry,
                    slots,
                    attributes,
                    lambda: read_recorder_rows(hass, slots, start, end),
                    start=start,
                    end=end,
                    time_zone=tz,
                )
            )
        else:
            hours = await instance.async_add_executor_job(
                _own_recorder_hours, hass, dict(entity_ids), start, end
            )
        return _full_hours(hours, end)
    reader = InfluxHistory(require_influx(entry))

    def _read() -> list[Hour]:
        try:
            if is_entities:
                rows: Callable[[], Any] = lambda: read_influx_rows(reader, slots, start, end)  # noqa: E731
                return _replay(entry, slots, attributes, rows, start=start, end=end, time_zone=tz)
            own = {k: v for k, v in entity_ids.items() if k in CHANGE_KEYS or k in MEAN_KEYS}
            return influx_hours(reader, own, start, end)
        finally:
            reader.close()

    try:
        hours = await hass.async_add_executor_job(_read)
    except InfluxError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="influxdb_error",
            translation_placeholders={"error": str(err)},
        ) from err
    return _full_hours(hours, end)


# ---------------------------------------------------------------- the service
