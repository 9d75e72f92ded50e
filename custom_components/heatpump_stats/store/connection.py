"""One SQLite connection shared by executor threads: the part every store has in common."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import sqlite3
import threading
from typing import Any, Final

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)


def as_utc(ts: datetime) -> datetime:
    """Aware UTC; a naive time is taken as UTC."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        return ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC)


def to_us(ts: datetime) -> int:
    """Microseconds since the epoch: exact ordering and range filters in SQL."""
    return (as_utc(ts) - _EPOCH) // _MICROSECOND


def from_us(value: int) -> datetime:
    """The inverse of :func:`to_us` (aware UTC)."""
    return _EPOCH + timedelta(microseconds=value)


# Why a database cannot be used (ChangeLogError.reason); each has its own advice.
REASON_CORRUPT: Final = "corrupt"
REASON_NOT_WRITABLE: Final = "not_writable"
REASON_BUSY: Final = "busy"
REASON_NEWER_SCHEMA: Final = "newer_schema"
REASON_OTHER: Final = "other"

_CORRUPT_CODES: Final = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_NOT_WRITABLE_CODES: Final = frozenset(
    {sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH}
)
_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})


def entry_between(
    entry_id: str, start: datetime | None, end: datetime | None
) -> tuple[list[str], list[Any]]:
    """WHERE clauses and parameters: rows of `entry_id` in [start, end) (unbounded when None)."""
    clauses = ["entry_id = ?"]
    params: list[Any] = [entry_id]
    if start is not None:
        clauses.append("ts_us >= ?")
        params.append(to_us(start))
    if end is not None:
        clauses.append("ts_us < ?")
        params.append(to_us(end))
    return clauses, params


def classify(err: sqlite3.Error, path: Path) -> str:
    """What an sqlite3 error says about the file (one of the ``REASON_*``).

    Only SQLite's own "corrupt" / "not a database" codes mean a damaged file; a
    folder or file the process may not write is ``not_writable`` (a good file
    that must not be thrown away), a lock held elsewhere is ``busy``.
    """
    code = getattr(err, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in _CORRUPT_CODES:
        return REASON_CORRUPT
    if primary in _NOT_WRITABLE_CODES or not writable(path):
        return REASON_NOT_WRITABLE
    if primary in _BUSY_CODES:
        return REASON_BUSY
    return REASON_OTHER


def writable(path: Path) -> bool:
    """Whether this process may write `path` and create files next to it (journal, WAL)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        return False
    return not path.exists() or os.access(path, os.W_OK)


def quarantine(path: Path, now: datetime) -> Path:
    """Move a damaged database (and its -wal/-shm) aside; returns where. Never deletes.

    The new name is ``<name>.corrupt-<UTC time>`` in the same folder (a counter is
    added if that exists), so a user can still try ``sqlite3 <file> .recover``.
    Raises OSError when the file cannot be moved.
    """
    stamp = as_utc(now).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target


class _FileOwner:
    """Per database file in this process: one lock for opening (migrating) and who has it open."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.handles = 0


_OWNERS: dict[str, _FileOwner] = {}
_OWNERS_LOCK: Final = threading.Lock()


def file_owner(path: Path) -> _FileOwner:
    """The one owner of `path` in this process (created on first use)."""
    key = os.path.abspath(path)
    with _OWNERS_LOCK:
        owner = _OWNERS.get(key)
        if owner is None:
            owner = _OWNERS[key] = _FileOwner()
        return owner


@contextlib.contextmanager
def owning(path: Path) -> Iterator[_FileOwner]:
    """Hold the file's open lock: opening and migrating one file is serialised in-process."""
    owner = file_owner(path)
    with owner.lock:
        yield owner


class SqliteHandle:
    """A lazily opened connection (``check_same_thread=False``) guarded by one lock.

    Subclasses open it in their own ``open()`` (schema, pragmas) and run every
    statement under ``self._lock`` with ``self._connection()``.
    """

    #: What the database is called in error messages.
    noun = "database"
    #: The error raised for a store that is not open.
    error: type[Exception] = RuntimeError

    def __init__(self, path: Path) -> None:
        """Remember the path; nothing is opened or created until ``open()``."""
        self._path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    @property
    def is_open(self) -> bool:
        """Whether ``open()`` succeeded and :meth:`close` has not been called since."""
        return self._conn is not None

    def _connect(self) -> sqlite3.Connection:
        """A new autocommit connection usable from any executor thread."""
        try:
            return sqlite3.connect(
                self._path, check_same_thread=False, isolation_level=None, timeout=10.0
            )
        except sqlite3.Error as err:
            raise self.error(f"Cannot open the {self.noun} {self._path}: {err}") from err

    def close(self) -> None:
        """Close the connection; safe to call twice; ``open()`` may be called again."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                conn.close()
                owner = file_owner(self._path)
                with owner.lock:
                    owner.handles -= 1

    def _opened(self, conn: sqlite3.Connection) -> None:
        """Keep `conn` as this handle's connection (call under the file's owner lock)."""
        self._conn = conn
        file_owner(self._path).handles += 1

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise self.error(f"The {self.noun} {self._path} is not open")
        return self._conn
