"""A period's summary from the history Home Assistant's InfluxDB integration wrote.

Two ways, by the period's length:

* Up to :data:`RAW_DAYS_MAX` days: the raw points of the entry's entities,
  read one day at a time and merged into samples exactly as the recorder's
  states are (:mod:`.history`), so the summary has sessions, defrosts and
  time per mode, and equals the recorder's summary where both hold the period.
* Longer: hourly windows folded on the server (the last counter value and the
  mean temperature of each hour), summarised like long-term statistics
  (:mod:`.engine.hourly`): never a year of raw points in memory.

Everything here blocks on the network: it runs in an executor thread.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
import heapq
from typing import Any, Final

from .const import (
    CONF_INFLUXDB_API_VERSION,
    CONF_INFLUXDB_BUCKET,
    CONF_INFLUXDB_DATABASE,
    CONF_INFLUXDB_ORG,
    CONF_INFLUXDB_PASSWORD,
    CONF_INFLUXDB_TOKEN,
    CONF_INFLUXDB_URL,
    CONF_INFLUXDB_USERNAME,
    DEFAULT_INFLUXDB_DATABASE,
)
from .engine.analytics import SummaryBuilder
from .engine.hourly import Hour, summarize_hours
from .history import _KIND, _MODE, _ONOFF, _POWER_OF_COUNTER, _SLOT, _Merger
from .statistics_history import CHANGE_KEYS, MEAN_KEYS
from .store.influxdb import API_V1, InfluxConfig, InfluxHistory

RAW_DAYS_MAX: Final = 31
_DAY: Final = timedelta(days=1)
_HOUR: Final = timedelta(hours=1)


def influx_config(options: Mapping[str, Any]) -> InfluxConfig | None:
    """The InfluxDB connection of an entry's options, None when none is configured."""
    url = str(options.get(CONF_INFLUXDB_URL) or "").strip()
    if not url:
        return None
    return InfluxConfig(
        url=url,
        api_version=str(options.get(CONF_INFLUXDB_API_VERSION) or API_V1),
        database=str(options.get(CONF_INFLUXDB_DATABASE) or DEFAULT_INFLUXDB_DATABASE),
        username=options.get(CONF_INFLUXDB_USERNAME) or None,
        password=options.get(CONF_INFLUXDB_PASSWORD) or None,
        bucket=options.get(CONF_INFLUXDB_BUCKET) or None,
        org=options.get(CONF_INFLUXDB_ORG) or None,
        token=options.get(CONF_INFLUXDB_TOKEN) or None,
    )


def summarize_influx(
    reader: InfluxHistory,
    history_ids: Mapping[str, str],
    statistics_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    *,
    time_zone: tzinfo,
    options: Mapping[str, Any],
    now: datetime | None = None,
) -> dict[str, Any]:
    """Blocking: the summary of (start, end] from InfluxDB (``history`` = ``influxdb``).

    `history_ids` are the entities a recorder summary reads (by key, see
    :data:`.history.HISTORY_ENTITIES`), `statistics_ids` the energy and
    temperature sensors an hourly summary reads. As from the recorder, the
    period is read up to `now` (default: the clock) and its coverage is a share
    of the whole period.
    """
    cut = min(end, now if now is not None else datetime.now(UTC))
    if end - start <= timedelta(days=RAW_DAYS_MAX):
        data = _summarize_raw(reader, history_ids, start, end, cut=cut, options=options)
        data["resolution"] = "raw"
    else:
        hours = read_hours(reader, statistics_ids, start, cut) if cut > start else []
        data = summarize_hours(
            hours,
            start=start,
            end=end,
            time_zone=time_zone,
            history="influxdb",
        )
        data["resolution"] = "hourly"
    data["history"] = "influxdb"
    return data


# ---------------------------------------------------------------- raw points


def _read_key(
    reader: InfluxHistory, kind: int, entity_id: str, lower: datetime, upper: datetime
) -> list[tuple[float, Any]]:
    if kind in (_MODE, _ONOFF):
        return [(ts.timestamp(), s) for ts, s in reader.states(entity_id, lower, upper)]
    return [(ts.timestamp(), v) for ts, v in reader.numeric(entity_id, lower, upper)]


def _summarize_raw(
    reader: InfluxHistory,
    history_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    *,
    cut: datetime,
    options: Mapping[str, Any],
) -> dict[str, Any]:
    """The raw points of (start, cut] as samples; the builder's period is (start, end]."""
    builder = SummaryBuilder(start=start, end=end, **options)
    keys = {key: entity_id for key, entity_id in history_ids.items() if key in _SLOT}
    for counter, power in _POWER_OF_COUNTER.items():
        if counter in keys:
            keys.pop(power, None)
    slots = {key: (_SLOT[key], _KIND[key]) for key in keys}
    if not slots or cut <= start:
        return builder.result().to_dict()
    merger = _Merger(builder, slots)
    start_ts = start.timestamp()
    first: list[tuple[str, Any, float]] = []
    for key, entity_id in keys.items():
        kind = _KIND[key]
        if kind in (_MODE, _ONOFF):
            state: Any = reader.last_state_before(entity_id, start + timedelta(microseconds=1))
        else:
            state = reader.last_before(entity_id, start + timedelta(microseconds=1))
        first.append((key, state, start_ts))
    merger.feed(first)
    merger.flush()
    lower = start
    while lower < cut:
        upper = min(lower + _DAY, cut)
        # Points at `lower` itself belong to the window before ((lower, upper], as states).
        lo = lower + timedelta(microseconds=1)
        hi = upper + timedelta(microseconds=1)
        streams = [
            [(t, key, value) for t, value in _read_key(reader, _KIND[key], entity_id, lo, hi)]
            for key, entity_id in keys.items()
        ]
        merger.feed(_rows(heapq.merge(*streams, key=lambda row: row[0])))
        lower = upper
    merger.finish(cut.timestamp())
    return builder.result().to_dict()


def _rows(merged: Iterator[tuple[float, str, Any]]) -> Iterator[tuple[str, Any, float]]:
    for t, key, value in merged:
        yield key, value, t


# ---------------------------------------------------------------- hourly windows


def read_hours(
    reader: InfluxHistory, statistics_ids: Mapping[str, str], start: datetime, end: datetime
) -> list[Hour]:
    """Hourly figures: counter changes from each hour's last value, temperature means."""
    begin = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    by_hour: dict[datetime, dict[str, float | None]] = {}
    for key, entity_id in statistics_ids.items():
        if key in CHANGE_KEYS:
            previous = reader.last_before(entity_id, begin)
            for ts, last in reader.numeric(entity_id, begin, end, every=_HOUR, aggregate="last"):
                if previous is None:
                    change = None
                elif last >= previous:
                    change = last - previous
                else:
                    change = last  # a reset: the energy since is the new value itself
                previous = last
                by_hour.setdefault(ts, {})[key] = change
        elif key in MEAN_KEYS:
            for ts, mean in reader.numeric(entity_id, begin, end, every=_HOUR, aggregate="mean"):
                by_hour.setdefault(ts, {})[key] = mean
    return [Hour(start=ts, **values) for ts, values in sorted(by_hour.items())]
