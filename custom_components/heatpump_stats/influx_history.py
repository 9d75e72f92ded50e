"""Reading the history Home Assistant's InfluxDB integration wrote (a summary's backend).

The summary itself is :mod:`.summaries`'; this module only reads, two ways
(which one is the factory's choice, by the period's length):

* :func:`feed_points`: the raw points of the entry's entities, read one day at
  a time and merged into samples exactly as the recorder's states are (the
  same loop, :func:`~.engine.rows.merge_windows`), so the summary has sessions,
  defrosts and time per mode, and equals the recorder's summary where both
  hold the period.
* :func:`read_hours`: hourly windows folded on the server (the last counter
  value and the mean temperature of each hour), summarised like long-term
  statistics: never a year of raw points in memory.

Everything here blocks on the network: it runs in an executor thread.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
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
from .engine.hourly import Hour
from .engine.rows import KIND, MODE, ONOFF, RowMerger, merge_windows, reading_slots
from .statistics_history import CHANGE_KEYS, MEAN_KEYS
from .store.influxdb import API_V1, InfluxConfig, InfluxHistory

RAW_DAYS_MAX: Final = 31
_DAY: Final = timedelta(days=1)
_HOUR: Final = timedelta(hours=1)
_JUST_AFTER: Final = timedelta(microseconds=1)


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


# ---------------------------------------------------------------- raw points


def _read_key(
    reader: InfluxHistory, kind: int, entity_id: str, lower: datetime, upper: datetime
) -> list[tuple[float, Any]]:
    if kind in (MODE, ONOFF):
        return [(ts.timestamp(), s) for ts, s in reader.states(entity_id, lower, upper)]
    return [(ts.timestamp(), v) for ts, v in reader.numeric(entity_id, lower, upper)]


def feed_points(
    reader: InfluxHistory,
    history_ids: Mapping[str, str],
    builder: SummaryBuilder,
    start: datetime,
    cut: datetime,
) -> None:
    """The raw points of (start, cut] into `builder`, a day at a time, as the recorder's states."""
    slots = reading_slots(history_ids)
    if not slots:
        return
    keys = {key: history_ids[key] for key in slots}
    just_after = start + _JUST_AFTER
    first: list[tuple[str, Any, float]] = [
        (
            key,
            reader.last_state_before(entity_id, just_after)
            if KIND[key] in (MODE, ONOFF)
            else reader.last_before(entity_id, just_after),
            start.timestamp(),
        )
        for key, entity_id in keys.items()
    ]

    def window(lower: datetime, upper: datetime) -> Iterator[tuple[str, Any, float]]:
        # Points at `lower` itself belong to the window before ((lower, upper], as states).
        lo, hi = lower + _JUST_AFTER, upper + _JUST_AFTER
        streams = [
            [(t, key, value) for t, value in _read_key(reader, KIND[key], entity_id, lo, hi)]
            for key, entity_id in keys.items()
        ]
        return _rows(heapq.merge(*streams, key=lambda row: row[0]))

    merge_windows(RowMerger(builder, slots), first, window, start=start, cut=cut, window=_DAY)


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
