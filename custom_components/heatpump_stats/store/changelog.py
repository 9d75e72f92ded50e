"""The change log: detected configuration changes and user notes in SQLite.

One database file (``<config>/heatpump_stats/heatpump_stats.db``) holds the
rows of every config entry; each row carries its ``entry_id``.

Everything here is blocking (``sqlite3``); Home Assistant code calls it through
the executor. One connection per :class:`ChangeLog`, opened with
``check_same_thread=False`` and guarded by a :class:`threading.Lock`, so calls
may come from different executor threads. Only parameterised SQL is used.

Storage rules:

* Timestamps are stored as integer microseconds since the Unix epoch (UTC), so
  ordering and range filters are exact. A naive datetime is taken to be UTC
  (the engine's convention); everything returned is tz-aware UTC.
* :meth:`ChangeLog.query` returns entries **ascending by time** (ties by id,
  i.e. insertion order), the natural order of a timeline. ``start`` is
  inclusive, ``end`` exclusive. When more than ``limit`` entries match, the
  *newest* ``limit`` are returned (still in ascending order).
* The file, its schema and every migration (also the samples table's) are
  :mod:`.database`'s; :class:`ChangeLog` is one :class:`~.database.Database`.
* Any ``sqlite3`` error (e.g. a corrupt file) surfaces as :class:`ChangeLogError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
import sqlite3
from typing import Any, Final

from .connection import as_utc, entry_between, from_us, to_us
from .database import (
    MIGRATIONS,
    ChangeLogError,
    Database,
    database_error,
    schema_version,
)

# Re-exported: the change log's callers know these names from here.
__all__ = [
    "MIGRATIONS",
    "SOURCE_DETECTED",
    "SOURCE_NOTE",
    "ChangeEntry",
    "ChangeLog",
    "ChangeLogError",
    "database_error",
    "schema_version",
]


SOURCE_DETECTED: Final = "detected"
SOURCE_NOTE: Final = "note"


@dataclass(frozen=True, slots=True)
class ChangeEntry:
    """One row of the change log.

    ``kind`` is one of ``setpoint_changed``, ``schedule_changed``,
    ``mode_changed``, ``note_added``; ``source`` is ``detected`` or ``note``.
    ``old``/``new`` are the canonical strings of the setting (None for a note,
    whose text is in ``message``). ``timestamp`` is normalised to aware UTC.
    """

    id: int | None
    timestamp: datetime
    entry_id: str
    kind: str
    key: str
    old: str | None
    new: str | None
    source: str
    message: str | None = None

    def __post_init__(self) -> None:
        """Normalise the timestamp to tz-aware UTC (naive is taken as UTC)."""
        object.__setattr__(self, "timestamp", as_utc(self.timestamp))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (ISO 8601 timestamp) for service responses and event data."""
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "kind": self.kind,
            "key": self.key,
            "old": self.old,
            "new": self.new,
            "timestamp": self.timestamp.isoformat(),
            "source": self.source,
            "message": self.message,
        }


_COLUMNS: Final = "id, ts_us, entry_id, kind, key, old, new, source, message"


def _row_to_entry(row: Sequence[Any]) -> ChangeEntry:
    return ChangeEntry(
        id=int(row[0]),
        timestamp=from_us(int(row[1])),
        entry_id=str(row[2]),
        kind=str(row[3]),
        key=str(row[4]),
        old=None if row[5] is None else str(row[5]),
        new=None if row[6] is None else str(row[6]),
        source=str(row[7]),
        message=None if row[8] is None else str(row[8]),
    )


class ChangeLog(Database):
    """SQLite-backed change log; all methods are blocking and thread safe.

    Opening it (:meth:`Database.open`) creates and migrates the file.
    """

    # -- changes -----------------------------------------------------------

    def add(self, entry: ChangeEntry) -> ChangeEntry:
        """Store `entry` and return it with its new ``id``.

        Raises ValueError for an entry that already has an id (already stored).
        """
        if entry.id is not None:
            raise ValueError(f"change entry already stored with id {entry.id}")
        with self._lock:
            conn = self._connection()
            try:
                cursor = conn.execute(
                    "INSERT INTO changes (ts_us, entry_id, kind, key, old, new, source, message) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        to_us(entry.timestamp),
                        entry.entry_id,
                        entry.kind,
                        entry.key,
                        entry.old,
                        entry.new,
                        entry.source,
                        entry.message,
                    ),
                )
            except sqlite3.Error as err:
                raise database_error(self._path, "write to", err) from err
            row_id = cursor.lastrowid
        if row_id is None:  # pragma: no cover - sqlite always sets it after INSERT
            raise ChangeLogError("SQLite returned no id for the new change entry")
        return replace(entry, id=row_id)

    def query(
        self,
        entry_id: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        kind: str | None = None,
        limit: int = 1000,
    ) -> list[ChangeEntry]:
        """Entries of `entry_id`, ascending by time (ties by id).

        ``start`` is inclusive, ``end`` exclusive, ``kind`` an exact match.
        When more than ``limit`` entries match, the newest ``limit`` are returned.
        """
        if limit <= 0:
            raise ValueError("limit must be positive")
        clauses, params = entry_between(entry_id, start, end)
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        params.append(limit)
        sql = (
            f"SELECT {_COLUMNS} FROM ("
            f"SELECT {_COLUMNS} FROM changes WHERE {' AND '.join(clauses)} "
            "ORDER BY ts_us DESC, id DESC LIMIT ?"
            ") ORDER BY ts_us ASC, id ASC"
        )
        rows = self._fetchall(sql, params)
        return [_row_to_entry(row) for row in rows]

    def latest(self, entry_id: str) -> ChangeEntry | None:
        """The newest entry of `entry_id` (by time, then id), or None."""
        rows = self._fetchall(
            f"SELECT {_COLUMNS} FROM changes WHERE entry_id = ? "
            "ORDER BY ts_us DESC, id DESC LIMIT 1",
            (entry_id,),
        )
        return _row_to_entry(rows[0]) if rows else None

    def get(self, entry_id: str, change_id: int) -> ChangeEntry | None:
        """The entry `change_id` of `entry_id`, or None."""
        rows = self._fetchall(
            f"SELECT {_COLUMNS} FROM changes WHERE entry_id = ? AND id = ?", (entry_id, change_id)
        )
        return _row_to_entry(rows[0]) if rows else None

    def update_note(
        self, entry_id: str, change_id: int, message: str, timestamp: datetime | None = None
    ) -> ChangeEntry | None:
        """Replace a note's message (and its time when given); None when no such note.

        Only rows with source ``note`` change: a detected change is the device's
        history and stays as it was recorded.
        """
        sets: list[str] = ["message = ?"]
        params: list[Any] = [message]
        if timestamp is not None:
            sets.append("ts_us = ?")
            params.append(to_us(timestamp))
        with self._lock:
            conn = self._connection()
            try:
                cursor = conn.execute(
                    f"UPDATE changes SET {', '.join(sets)} "
                    "WHERE entry_id = ? AND id = ? AND source = ?",
                    (*params, entry_id, change_id, SOURCE_NOTE),
                )
            except sqlite3.Error as err:
                raise ChangeLogError(f"Cannot write to the change log {self._path}: {err}") from err
            if cursor.rowcount == 0:
                return None
        return self.get(entry_id, change_id)

    def delete_note(self, entry_id: str, change_id: int) -> bool:
        """Delete a note; False when there is no such note (detected changes stay)."""
        with self._lock:
            conn = self._connection()
            try:
                cursor = conn.execute(
                    "DELETE FROM changes WHERE entry_id = ? AND id = ? AND source = ?",
                    (entry_id, change_id, SOURCE_NOTE),
                )
            except sqlite3.Error as err:
                raise ChangeLogError(
                    f"Cannot delete from the change log {self._path}: {err}"
                ) from err
            return cursor.rowcount > 0

    def delete_entry(self, entry_id: str) -> None:
        """Remove every change and state row of `entry_id` (config entry removed)."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.execute("DELETE FROM changes WHERE entry_id = ?", (entry_id,))
                    conn.execute("DELETE FROM state WHERE entry_id = ?", (entry_id,))
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.Error as err:
                raise database_error(self._path, "delete from", err) from err

    # -- key-value state (the detector's baseline) -------------------------

    def get_state(self, entry_id: str, name: str) -> str | None:
        """The stored value of `name` for `entry_id`, or None."""
        rows = self._fetchall(
            "SELECT value FROM state WHERE entry_id = ? AND name = ?", (entry_id, name)
        )
        return str(rows[0][0]) if rows else None

    def set_state(self, entry_id: str, name: str, value: str) -> None:
        """Store (insert or replace) `value` under `name` for `entry_id`."""
        with self._lock:
            conn = self._connection()
            try:
                conn.execute(
                    "INSERT INTO state (entry_id, name, value) VALUES (?, ?, ?) "
                    "ON CONFLICT (entry_id, name) DO UPDATE SET value = excluded.value",
                    (entry_id, name, value),
                )
            except sqlite3.Error as err:
                raise database_error(self._path, "write to", err) from err

    # -- helpers -----------------------------------------------------------

    def _fetchall(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise database_error(self._path, "read", err) from err
