"""One SQLite connection shared by executor threads: the part every store has in common."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
import sqlite3
import threading
from typing import Final

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

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise self.error(f"The {self.noun} {self._path} is not open")
        return self._conn
