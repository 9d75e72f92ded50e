"""The change log inside Home Assistant: records detected changes and notes, fires the event.

Three modules share the change log, one job each: `engine.changes` detects
changes between two readings' settings (pure), `store.changelog` keeps the
rows in SQLite (blocking), and this `ChangeRecorder` joins them for one entry
in Home Assistant (executor, bus event, repair issues).

The SQLite work (`store.changelog.ChangeLog`) is blocking and runs in the
executor. Every change takes one path: a row in the database, then one bus
event `heatpump_stats_config_change` that the event entity, the
`last_config_change` sensor and the logbook all follow.

The readings matter more than the log: a database that cannot be used does not
stop the entry. A damaged file is moved aside (never deleted) and a new log
started, with a repair issue that says where the old file went; a file or folder
Home Assistant may not write (or any other failure) leaves the change log
unavailable (its entities too) with a repair issue that names the cause.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_CONFIG_CHANGE, EVENT_NOTE_DELETED, EVENT_NOTE_UPDATED, LOGGER
from .engine.changes import ChangeDetector, ChangeKind, DetectedChange, dump_baseline, load_baseline
from .store.changelog import (
    SOURCE_DETECTED,
    SOURCE_NOTE,
    ChangeEntry,
    ChangeLog,
    ChangeLogError,
)
from .store.connection import REASON_CORRUPT, REASON_NOT_WRITABLE

if TYPE_CHECKING:
    from .model.metrics import Metrics
    from .model.reading import HeatPumpReading

BASELINE_STATE = "settings_baseline"
NOTE_KEY = "note"

# Repair issues (one per database file, shared by every entry).
ISSUE_MOVED_ASIDE = "changelog_moved_aside"
ISSUE_UNAVAILABLE = "changelog_unavailable"
_UNAVAILABLE_KEYS = {
    REASON_CORRUPT: "changelog_corrupt",
    REASON_NOT_WRITABLE: "changelog_not_writable",
}


def database_path(hass: HomeAssistant) -> Path:
    """`<config>/heatpump_stats/heatpump_stats.db`."""
    return Path(hass.config.path(DOMAIN, f"{DOMAIN}.db"))


class ChangeRecorder:
    """Records one entry's configuration changes and notes."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare; nothing blocking happens here."""
        self._hass = hass
        self._entry_id = entry_id
        self._log = ChangeLog(database_path(hass))
        self._detector = ChangeDetector()
        self.latest: ChangeEntry | None = None
        self._error: ChangeLogError | None = ChangeLogError("The change log is not open yet")
        self._reported_reason: str | None = None
        self._record_failed = False

    @property
    def available(self) -> bool:
        """Whether the change log can be read and written."""
        return self._error is None

    async def async_open(self) -> None:
        """Open the database and restore the detector's baseline; never raises.

        A damaged file is moved aside and a new log started; any other failure
        leaves the log unavailable. Both raise a repair issue.
        """
        path = self._log.path
        try:
            moved, self.latest, baseline = await self._hass.async_add_executor_job(
                self._open, dt_util.utcnow()
            )
        except ChangeLogError as err:
            self._set_unavailable(err)
            return
        self._error = None
        self._reported_reason = None
        self._detector = ChangeDetector(baseline)
        ir.async_delete_issue(self._hass, DOMAIN, ISSUE_UNAVAILABLE)
        if moved is not None:
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                ISSUE_MOVED_ASIDE,
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=ISSUE_MOVED_ASIDE,
                translation_placeholders={"path": str(path), "moved": str(moved)},
            )

    def _open(
        self, now: datetime
    ) -> tuple[Path | None, ChangeEntry | None, dict[str, str | None] | None]:
        moved = self._log.open_or_move_aside(now)
        try:
            return (
                moved,
                self._log.latest(self._entry_id),
                load_baseline(self._log.get_state(self._entry_id, BASELINE_STATE)),
            )
        except ChangeLogError:
            self._log.close()
            raise

    @callback
    def _set_unavailable(self, err: ChangeLogError) -> None:
        """Stop using the log, say why once (log line + repair issue)."""
        if err.reason != self._reported_reason:
            LOGGER.error("The change log is unavailable, the heat pump is still measured: %s", err)
            ir.async_create_issue(
                self._hass,
                DOMAIN,
                ISSUE_UNAVAILABLE,
                is_fixable=False,
                is_persistent=False,
                severity=ir.IssueSeverity.ERROR,
                translation_key=_UNAVAILABLE_KEYS.get(err.reason, ISSUE_UNAVAILABLE),
                translation_placeholders={
                    "path": str(self._log.path),
                    "folder": str(self._log.path.parent),
                    "error": str(err),
                },
            )
            self._reported_reason = err.reason
        self._error = err

    def _check_available(self) -> None:
        if self._error is not None:
            raise ChangeLogError(str(self._error), self._error.reason)

    async def async_close(self) -> None:
        """Close the database connection."""
        await self._hass.async_add_executor_job(self._log.close)

    async def async_record_poll(self, reading: HeatPumpReading, metrics: Metrics) -> None:
        """The coordinator's recorder: process the reading's settings; never raises.

        The readings matter more than the log: a failed write is logged once
        (until a write succeeds again) and polling goes on.
        """
        try:
            await self.async_process(reading.settings, reading.timestamp)
        except ChangeLogError as err:
            if not self._record_failed:
                LOGGER.error("Cannot write the change log: %s", err)
            self._record_failed = True
        else:
            self._record_failed = False

    async def async_process(self, settings: Mapping[str, Any], when: datetime) -> int:
        """Compare the device's settings with the last snapshot; record what changed.

        Does nothing while the log is unavailable. A write that finds the file
        damaged makes the log unavailable (repair issue) and raises ChangeLogError.
        """
        if not settings or self._error is not None:
            return 0
        had_baseline = self._detector.has_baseline
        changes = self._detector.update(settings)
        if not changes and had_baseline:
            return 0
        try:
            entries = await self._hass.async_add_executor_job(self._store_changes, changes, when)
        except ChangeLogError as err:
            if err.reason in _UNAVAILABLE_KEYS:
                self._set_unavailable(err)
            raise
        for entry in entries:
            self._announce(entry)
        return len(entries)

    def _store_changes(self, changes: list[DetectedChange], when: datetime) -> list[ChangeEntry]:
        stored = [
            self._log.add(
                ChangeEntry(
                    id=None,
                    timestamp=when,
                    entry_id=self._entry_id,
                    kind=change.kind.value,
                    key=change.key,
                    old=change.old,
                    new=change.new,
                    source=SOURCE_DETECTED,
                )
            )
            for change in changes
        ]
        # The baseline moves only after the rows exist: a failed write is retried.
        self._log.set_state(
            self._entry_id, BASELINE_STATE, dump_baseline(self._detector.baseline())
        )
        return stored

    async def async_add_note(self, message: str, when: datetime | None) -> ChangeEntry:
        """Record a manual optimisation note (ChangeLogError while the log is unavailable)."""
        self._check_available()
        entry = ChangeEntry(
            id=None,
            timestamp=when or dt_util.utcnow(),
            entry_id=self._entry_id,
            kind=ChangeKind.NOTE.value,
            key=NOTE_KEY,
            old=None,
            new=None,
            source=SOURCE_NOTE,
            message=message,
        )
        stored = await self._hass.async_add_executor_job(self._log.add, entry)
        self._announce(stored)
        return stored

    async def async_get(self, change_id: int) -> ChangeEntry | None:
        """The entry's change `change_id`, or None."""
        return await self._hass.async_add_executor_job(self._log.get, self._entry_id, change_id)

    async def async_update_note(
        self, change_id: int, message: str, when: datetime | None
    ) -> ChangeEntry | None:
        """Edit a note (None when there is no such note); announces `note_updated`."""
        old = await self.async_get(change_id)
        if old is None or old.source != SOURCE_NOTE:
            return None
        stored = await self._hass.async_add_executor_job(
            self._log.update_note, self._entry_id, change_id, message, when
        )
        if stored is None:
            return None
        await self._async_refresh_latest()
        self._announce_note(EVENT_NOTE_UPDATED, stored, old.message, stored.message)
        return stored

    async def async_delete_note(self, change_id: int) -> ChangeEntry | None:
        """Delete a note; returns it (None when there is no such note); announces `note_deleted`."""
        old = await self.async_get(change_id)
        if old is None or old.source != SOURCE_NOTE:
            return None
        if not await self._hass.async_add_executor_job(
            self._log.delete_note, self._entry_id, change_id
        ):
            return None
        await self._async_refresh_latest()
        self._announce_note(EVENT_NOTE_DELETED, old, old.message, None)
        return old

    async def _async_refresh_latest(self) -> None:
        self.latest = await self._hass.async_add_executor_job(self._log.latest, self._entry_id)

    @callback
    def _announce_note(
        self, kind: str, entry: ChangeEntry, old: str | None, new: str | None
    ) -> None:
        LOGGER.info("Note %s on %s: %s", kind, self._entry_id, new if new is not None else old)
        data = entry.to_dict()
        data.update(kind=kind, old=old, new=new, message=new)
        self._hass.bus.async_fire(EVENT_CONFIG_CHANGE, data)

    async def async_query(
        self, *, start: datetime | None, end: datetime | None, kind: str | None
    ) -> list[ChangeEntry]:
        """The entry's changes in [start, end), oldest first."""
        self._check_available()
        return await self._hass.async_add_executor_job(
            lambda: self._log.query(self._entry_id, start=start, end=end, kind=kind)
        )

    async def async_delete(self) -> None:
        """Forget the entry's rows (the entry was deleted)."""

        def _delete() -> None:
            self._log.open()
            try:
                self._log.delete_entry(self._entry_id)
            finally:
                self._log.close()

        await self._hass.async_add_executor_job(_delete)

    @callback
    def _announce(self, entry: ChangeEntry) -> None:
        if self.latest is None or entry.timestamp >= self.latest.timestamp:
            self.latest = entry
        LOGGER.info(
            "Configuration change on %s: %s %s -> %s",
            self._entry_id,
            entry.key,
            entry.old,
            entry.new if entry.message is None else entry.message,
        )
        data = entry.to_dict()
        data.pop("id", None)
        # The event entity's id: the logbook line carries its name and icon, and the
        # change-log card (a logbook card of that entity) shows the line.
        config_entry = self._hass.config_entries.async_get_entry(self._entry_id)
        if config_entry is not None and (
            entity_id := er.async_get(self._hass).async_get_entity_id(
                "event", DOMAIN, f"{config_entry.unique_id}_config_change"
            )
        ):
            data["entity_id"] = entity_id
        self._hass.bus.async_fire(EVENT_CONFIG_CHANGE, data)
