"""The integration's one SQLite file: opening it, its schema and every migration.

One database file (``<config>/heatpump_stats/heatpump_stats.db``, the path is
the glue's: ``change_recorder.database_path``) holds the tables of every
config entry: the change log's ``changes`` and ``state``
(:mod:`.changelog`) and the CSV reports' ``samples`` (:mod:`.samples`). This
module owns the file: :class:`Database` creates the folder and the file, checks
it, sets the pragmas and applies :data:`MIGRATIONS`; both stores open through
it, so the schema is migrated in one place, once. The connection mechanics
shared by every handle (locks, error classification, moving a damaged file
aside) are :mod:`.connection`'s.

* The schema version is SQLite's ``PRAGMA user_version``; :data:`MIGRATIONS`
  are applied in order, each in its own transaction together with its version
  bump. A database written by a newer version of the integration (higher
  ``user_version``) is refused with :class:`ChangeLogError` rather than guessed at.
* Everything here is blocking (``sqlite3``); Home Assistant code calls it
  through the executor.

The user-facing messages call the file "the change log database", as they
always have (the repair issues name it so).
"""

from __future__ import annotations

from datetime import datetime
import logging
from pathlib import Path
import sqlite3
from typing import Final

from .connection import (
    REASON_BUSY,
    REASON_CORRUPT,
    REASON_NEWER_SCHEMA,
    REASON_NOT_WRITABLE,
    REASON_OTHER,
    SqliteHandle,
    classify,
    owning,
    quarantine,
    writable,
)

_LOGGER: Final = logging.getLogger(__name__)

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


class Database(SqliteHandle):
    """A handle on the integration's database file that creates and migrates it on open."""

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
