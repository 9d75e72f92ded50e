"""Persistent storage owned by the integration (no Home Assistant imports)."""

from .changelog import (
    MIGRATIONS,
    SOURCE_DETECTED,
    SOURCE_NOTE,
    ChangeEntry,
    ChangeLog,
    ChangeLogError,
    schema_version,
)

__all__ = [
    "MIGRATIONS",
    "SOURCE_DETECTED",
    "SOURCE_NOTE",
    "ChangeEntry",
    "ChangeLog",
    "ChangeLogError",
    "schema_version",
]
