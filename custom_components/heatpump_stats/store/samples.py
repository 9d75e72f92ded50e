"""Per-poll samples for the CSV roll-ups, in the integration's SQLite database.

Every heat-pump poll of a config entry becomes one row of the ``samples``
table (schema migration v2 of :mod:`.database`, in the same
``<config>/heatpump_stats/heatpump_stats.db``): its time, its ``entry_id`` and
one JSON object with every raw value of the reading and every computed metric
(:func:`build_row`). The daily and weekly CSV files are written from these rows.

Everything here is blocking (``sqlite3``); Home Assistant code calls it through
the executor. Like :class:`~.changelog.ChangeLog`, a :class:`SampleStore` has one
connection (``check_same_thread=False``) guarded by a :class:`threading.Lock`, so
calls may come from different executor threads; only parameterised SQL is used.

Rules:

* Timestamps are integer microseconds since the Unix epoch (UTC); a naive
  datetime is taken to be UTC; everything returned is tz-aware UTC.
* Ranges are half-open: ``start`` inclusive, ``end`` exclusive.
* :meth:`SampleStore.iter_rows` streams in pages (keyset pagination on time,
  then insertion order); the lock is held per page, never across a ``yield``, so
  polls keep being recorded while a large file is written.
* Row values are JSON scalars (str, int, float, bool, None); a non-finite float
  is stored as None, an enum as its value, a datetime as ISO 8601, anything
  else as ``str()``. Lists and dicts are stored as they are.
* The key ``timestamp`` is reserved for the sample time that
  :meth:`~SampleStore.iter_rows` adds to each row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import fields
from datetime import datetime, timedelta
from enum import Enum
import json
import logging
import math
import sqlite3
from typing import Any, Final

from custom_components.heatpump_stats.model.metrics import Metrics
from custom_components.heatpump_stats.model.reading import HeatPumpReading, MeterReading

from .connection import SqliteHandle, as_utc, classify, entry_between, from_us, owning, to_us
from .database import ChangeLogError, Database

_LOGGER = logging.getLogger(__name__)


# Samples older than this are pruned: enough for a weekly file ending now plus
# a daily file of any of the last seven days.
SAMPLE_RETENTION: Final = timedelta(days=8)
TIMESTAMP_KEY: Final = "timestamp"

# Key prefixes of the raw values in a sample row (metrics use their own names).
READING_PREFIX: Final = "reading."
SETTING_PREFIX: Final = "setting."
EXTRA_PREFIX: Final = "extra."
METER_PREFIX: Final = "meter."
TIME_IN_MODE_PREFIX: Final = "time_in_mode."

_PAGE_SIZE: Final = 500


class SampleStoreError(ChangeLogError):
    """The sample table cannot be used (a :class:`ChangeLogError`: same database)."""


def json_value(value: Any) -> Any:
    """`value` as something JSON (and a CSV cell) can hold without surprises."""
    if value is None or isinstance(value, (bool, int, str)):
        # A StrEnum is a str; store its plain value.
        return value.value if isinstance(value, Enum) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Enum):
        return json_value(value.value)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): json_value(item) for key, item in value.items()}
    return str(value)


def build_row(
    reading: HeatPumpReading, metrics: Metrics, meter: MeterReading | None = None
) -> dict[str, Any]:
    """One sample row: every computed metric and every raw value of the poll.

    * metrics under their own (the contract's) names, ``time_in_mode`` flattened
      to ``time_in_mode.<mode>``;
    * the reading's fields as ``reading.<field>`` (its ``timestamp`` is the
      sample's time and not repeated), ``settings`` as ``setting.<key>``,
      ``extra`` as ``extra.<key>``;
    * optionally the latest meter reading as ``meter.timestamp``, ``meter.power``,
      ``meter.energy``, ``meter.phases_power.<n>``, ``meter.phases_energy.<n>``
      (phases numbered from 1).
    """
    row: dict[str, Any] = {}
    for item in fields(Metrics):
        value = getattr(metrics, item.name)
        if item.name == "time_in_mode":
            for mode, seconds in sorted(value.items()):
                row[f"{TIME_IN_MODE_PREFIX}{mode}"] = json_value(seconds)
        else:
            row[item.name] = json_value(value)
    for item in fields(HeatPumpReading):
        if item.name in {"timestamp", "settings", "extra"}:
            continue
        row[f"{READING_PREFIX}{item.name}"] = json_value(getattr(reading, item.name))
    for key, value in reading.settings.items():
        row[f"{SETTING_PREFIX}{key}"] = json_value(value)
    for key, value in reading.extra.items():
        row[f"{EXTRA_PREFIX}{key}"] = json_value(value)
    if meter is not None:
        row[f"{METER_PREFIX}timestamp"] = json_value(meter.timestamp)
        row[f"{METER_PREFIX}power"] = json_value(meter.power)
        row[f"{METER_PREFIX}energy"] = json_value(meter.energy)
        for number, value in enumerate(meter.phases_power, start=1):
            row[f"{METER_PREFIX}phases_power.{number}"] = json_value(value)
        for number, value in enumerate(meter.phases_energy, start=1):
            row[f"{METER_PREFIX}phases_energy.{number}"] = json_value(value)
    return row


class SampleStore(SqliteHandle):
    """The ``samples`` table; all methods are blocking and thread safe."""

    noun = "sample database"
    error = SampleStoreError

    def open(self) -> None:
        """Create and migrate the database if needed (as the change log does), then connect.

        Calling it on an open store does nothing. Raises :class:`ChangeLogError`
        (a corrupt file, a newer schema) or :class:`SampleStoreError`.
        """
        with owning(self._path), self._lock:
            if self._conn is not None:
                return
            # The database module owns the schema: opening it applies every migration.
            schema = Database(self._path)
            schema.open()
            schema.close()
            conn = self._connect()
            try:
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("SELECT 1 FROM samples LIMIT 1").fetchall()
            except sqlite3.Error as err:
                conn.close()
                raise SampleStoreError(
                    f"Cannot use the sample table of {self._path}: {err}",
                    classify(err, self._path),
                ) from err
            self._opened(conn)

    def add(self, entry_id: str, ts: datetime, row: Mapping[str, Any]) -> None:
        """Store one sample of `entry_id` taken at `ts`.

        Raises ValueError when `row` uses the reserved key ``timestamp``.
        """
        if TIMESTAMP_KEY in row:
            raise ValueError(f"the key {TIMESTAMP_KEY!r} is reserved for the sample time")
        data = json.dumps(
            {str(key): json_value(value) for key, value in row.items()},
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
        )
        self._write(
            "INSERT INTO samples (entry_id, ts_us, data) VALUES (?, ?, ?)",
            (entry_id, to_us(ts), data),
        )

    def iter_rows(
        self, entry_id: str, start: datetime, end: datetime, *, page_size: int = _PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """Stream the samples of `entry_id` in [start, end), oldest first.

        Each row is ``{"timestamp": <aware UTC datetime>, **stored values}``.
        Ties in time keep insertion order.
        """
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        start_us, end_us = to_us(start), to_us(end)
        last_ts, last_id = start_us - 1, 0
        while True:
            page = self._fetchall(
                "SELECT id, ts_us, data FROM samples "
                "WHERE entry_id = ? AND ts_us >= ? AND ts_us < ? "
                "AND (ts_us > ? OR (ts_us = ? AND id > ?)) "
                "ORDER BY ts_us ASC, id ASC LIMIT ?",
                (entry_id, start_us, end_us, last_ts, last_ts, last_id, page_size),
            )
            for row_id, ts_us, data in page:
                last_ts, last_id = int(ts_us), int(row_id)
                try:
                    values = json.loads(data)
                except ValueError:
                    _LOGGER.warning("Skipping unreadable sample %s in %s", row_id, self._path)
                    continue
                if isinstance(values, dict):
                    yield {TIMESTAMP_KEY: from_us(last_ts), **values}
            if len(page) < page_size:
                return

    def keys(self, entry_id: str, start: datetime, end: datetime) -> set[str]:
        """Every value key used by the samples of `entry_id` in [start, end)."""
        rows = self._fetchall(
            "SELECT DISTINCT j.key FROM samples, json_each(samples.data) AS j "
            "WHERE samples.entry_id = ? AND samples.ts_us >= ? AND samples.ts_us < ?",
            (entry_id, to_us(start), to_us(end)),
        )
        return {str(row[0]) for row in rows}

    def count(
        self, entry_id: str, start: datetime | None = None, end: datetime | None = None
    ) -> int:
        """The number of samples of `entry_id` in [start, end) (unbounded when None)."""
        clauses, params = entry_between(entry_id, start, end)
        rows = self._fetchall(f"SELECT count(*) FROM samples WHERE {' AND '.join(clauses)}", params)
        return int(rows[0][0])

    def prune(self, entry_id: str, before: datetime) -> int:
        """Delete the samples of `entry_id` older than `before`; returns how many."""
        return self._write(
            "DELETE FROM samples WHERE entry_id = ? AND ts_us < ?", (entry_id, to_us(before))
        )

    def delete_entry(self, entry_id: str) -> int:
        """Delete every sample of `entry_id` (config entry removed); returns how many."""
        return self._write("DELETE FROM samples WHERE entry_id = ?", (entry_id,))

    def _write(self, sql: str, params: tuple[Any, ...]) -> int:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).rowcount
            except sqlite3.Error as err:
                raise SampleStoreError(
                    f"Cannot write samples to {self._path}: {err}", classify(err, self._path)
                ) from err

    def _fetchall(self, sql: str, params: tuple[Any, ...] | list[Any]) -> list[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise SampleStoreError(
                    f"Cannot read samples from {self._path}: {err}", classify(err, self._path)
                ) from err
