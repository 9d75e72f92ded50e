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
* The schema version is SQLite's ``PRAGMA user_version``; :data:`MIGRATIONS`
  are applied in order, each in its own transaction together with its version
  bump. A database written by a newer version of the integration (higher
  ``user_version``) is refused with :class:`ChangeLogError` rather than guessed at.
* Any ``sqlite3`` error (e.g. a corrupt file) surfaces as :class:`ChangeLogError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
import logging
from pathlib import Path
import sqlite3
from typing import Any, Final

from .connection import (
    REASON_BUSY,
    REASON_CORRUPT,
    REASON_NEWER_SCHEMA,
    REASON_NOT_WRITABLE,
    REASON_OTHER,
    SqliteHandle,
    as_utc,
    classify,
    from_us,
    owning,
    quarantine,
    to_us,
    writable,
)

_LOGGER = logging.getLogger(__name__)


SOURCE_DETECTED: Final = "detected"
SOURCE_NOTE: Final = "note"

# Ordered schema migrations: MIGRATIONS[i] brings the schema from version i to i + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    # v1: the change table, its index, and the detector's key-value state.
    (
        """
        CREATE TABLE changes (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            entry_id TEXT NOT NULL,
            ts_us INTEGER NOT NULL,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            old TEXT,
            new TEXT,
            source TEXT NOT NULL,
            message TEXT
        )
        """,
        "CREATE INDEX idx_changes_entry_ts ON changes (entry_id, ts_us)",
        "CREATE INDEX idx_changes_entry_kind_ts ON changes (entry_id, kind, ts_us)",
        """
        CREATE TABLE state (
            entry_id TEXT NOT NULL,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (entry_id, name)
        ) WITHOUT ROWID
        """,
    ),
    # v2: one row per heat-pump poll (raw readings + metrics as a JSON object) for
    # the CSV roll-ups; written and read by store.samples.SampleStore.
    (
        """
        CREATE TABLE samples (
            id INTEGER PRIMARY KEY,
            entry_id TEXT NOT NULL,
            ts_us INTEGER NOT NULL,
            data TEXT NOT NULL
        )
        """,
        "CREATE INDEX idx_samples_entry_ts ON samples (entry_id, ts_us)",
    ),
)


def schema_version() -> int:
    """The schema version this code writes (the number of known migrations)."""
    return len(MIGRATIONS)


class ChangeLogError(Exception):
    """The change log cannot be used (corrupt file, newer schema, not open, I/O error).

    ``reason`` says which (``corrupt``, ``not_writable``, ``busy``,
    ``newer_schema``, ``other``): only ``corrupt`` means the file is damaged.
    """

    def __init__(self, message: str, reason: str = REASON_OTHER) -> None:
        """Keep the message and the reason."""
        super().__init__(message)
        self.reason = reason


def database_error(path: Path, action: str, err: sqlite3.Error) -> ChangeLogError:
    """A :class:`ChangeLogError` for `err` that says what it is (damage, permissions, a lock)."""
    reason = classify(err, path)
    if reason == REASON_CORRUPT:
        text = (
            f"The change log database {path} is corrupt or not an SQLite database ({err}); "
            "it must be moved away to start a new change log"
        )
    elif reason == REASON_NOT_WRITABLE:
        text = (
            f"Cannot {action} the change log database {path}: the folder or the file is "
            f"not writable for Home Assistant ({err}); the file itself is not damaged, "
            "fix the permissions"
        )
    elif reason == REASON_BUSY:
        text = f"Cannot {action} the change log database {path}: it is locked ({err})"
    else:
        text = f"Cannot {action} the change log database {path}: {err}"
    return ChangeLogError(text, reason)


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


class ChangeLog(SqliteHandle):
    """SQLite-backed change log; all methods are blocking and thread safe."""

    noun = "change log database"
    error = ChangeLogError

    # -- lifecycle ---------------------------------------------------------

    def open(self) -> None:
        """Create the folder and file if needed, enable WAL and migrate the schema.

        Calling it on an open log does nothing. Raises :class:`ChangeLogError`
        for a corrupt or non-SQLite file (``reason`` ``corrupt``), a schema newer
        than this code knows, or a folder/file that cannot be created or written
        (``not_writable``). Opening is serialised per file in this process and
        the migration runs inside SQLite's write lock, so handles opened at the
        same moment (entries set up together) migrate the file once.
        """
        with owning(self._path), self._lock:
            if self._conn is not None:
                return
            try:
                self._path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as err:
                raise ChangeLogError(
                    f"Cannot create the change log folder {self._path.parent}: {err}",
                    REASON_NOT_WRITABLE if isinstance(err, PermissionError) else REASON_OTHER,
                ) from err
            conn = self._connect()
            try:
                self._prepare(conn)
            except ChangeLogError:
                conn.close()
                raise
            except sqlite3.Error as err:
                conn.close()
                raise database_error(self._path, "open", err) from err
            self._opened(conn)

    def open_or_move_aside(self, now: datetime) -> Path | None:
        """:meth:`open`; a damaged file is moved aside (never deleted) and a new one started.

        Returns where the damaged file went, or None when the file was fine.
        A file that another handle of this process still has open is not moved
        (its writes would go on into the moved file): that raises the
        ``corrupt`` :class:`ChangeLogError` as :meth:`open` does.
        """
        with owning(self._path) as owner:
            try:
                self.open()
            except ChangeLogError as err:
                if err.reason != REASON_CORRUPT or owner.handles > 0:
                    raise
                try:
                    moved = quarantine(self._path, now)
                except OSError as move_err:
                    raise ChangeLogError(
                        f"{err}; moving it aside failed: {move_err}", REASON_CORRUPT
                    ) from move_err
                _LOGGER.warning(
                    "The change log database %s was damaged (%s); moved it to %s and "
                    "started a new one",
                    self._path,
                    err,
                    moved,
                )
                self.open()
                return moved
            return None

    def _prepare(self, conn: sqlite3.Connection) -> None:
        # Reading the schema first makes a garbage file fail here, before any write.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        known = schema_version()
        if version > known:
            raise ChangeLogError(
                f"The change log database {self._path} has schema version {version}, "
                f"newer than this version of heatpump_stats knows ({known}); "
                "update the integration or move the file away",
                REASON_NEWER_SCHEMA,
            )
        if version > 0:
            # A truncated or damaged file often has a readable first page; find
            # the damage now, not at the first query of a running entry.
            check = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
            if check != "ok":
                raise ChangeLogError(
                    f"The change log database {self._path} is corrupt ({check}); "
                    "it must be moved away to start a new change log",
                    REASON_CORRUPT,
                )
        if not writable(self._path):
            raise ChangeLogError(
                f"The change log database {self._path} or its folder is not writable for "
                "Home Assistant; the file itself is not damaged, fix the permissions",
                REASON_NOT_WRITABLE,
            )
        mode = str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
        if mode != "wal":
            _LOGGER.warning(
                "Change log %s: WAL journal mode not available, using %s", self._path, mode
            )
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        while version < known:
            # The version is read again inside the write lock: another connection
            # (another entry set up at the same moment, another process) may have
            # migrated since the first read, and must not be migrated twice.
            conn.execute("BEGIN IMMEDIATE")
            try:
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version >= known:
                    conn.execute("COMMIT")
                    break
                target = version + 1
                for statement in MIGRATIONS[target - 1]:
                    conn.execute(statement)
                # PRAGMA takes no parameters; target is an int we computed.
                conn.execute(f"PRAGMA user_version = {int(target)}")
            except sqlite3.Error as err:
                conn.execute("ROLLBACK")
                raise ChangeLogError(
                    f"Migrating the change log database {self._path} to schema version "
                    f"{version + 1} failed: {err}",
                    classify(err, self._path),
                ) from err
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            version = target
            _LOGGER.debug("Change log %s migrated to schema version %s", self._path, target)

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
        clauses = ["entry_id = ?"]
        params: list[Any] = [entry_id]
        if start is not None:
            clauses.append("ts_us >= ?")
            params.append(to_us(start))
        if end is not None:
            clauses.append("ts_us < ?")
            params.append(to_us(end))
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
