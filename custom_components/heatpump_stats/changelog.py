"""The change log inside Home Assistant: detection, storage, bus event, entities, notes.

The SQLite work (`store.changelog.ChangeLog`) is blocking and runs in the
executor. Every change takes one path: a row in the database, then one bus
event `heatpump_stats_config_change` that the event entity, the
`last_config_change` sensor and the logbook all follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .const import DOMAIN, EVENT_CONFIG_CHANGE, LOGGER
from .engine.changes import ChangeDetector, ChangeKind, DetectedChange, dump_baseline, load_baseline
from .store.changelog import SOURCE_DETECTED, SOURCE_NOTE, ChangeEntry, ChangeLog

BASELINE_STATE = "settings_baseline"
NOTE_KEY = "note"


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

    async def async_open(self) -> None:
        """Open the database and restore the detector's baseline."""
        self.latest, baseline = await self._hass.async_add_executor_job(self._open)
        self._detector = ChangeDetector(baseline)

    def _open(self) -> tuple[ChangeEntry | None, dict[str, str | None] | None]:
        self._log.open()
        return (
            self._log.latest(self._entry_id),
            load_baseline(self._log.get_state(self._entry_id, BASELINE_STATE)),
        )

    async def async_close(self) -> None:
        """Close the database connection."""
        await self._hass.async_add_executor_job(self._log.close)

    async def async_process(self, settings: Mapping[str, Any], when: datetime) -> int:
        """Compare the device's settings with the last snapshot; record what changed."""
        if not settings:
            return 0
        had_baseline = self._detector.has_baseline
        changes = self._detector.update(settings)
        if not changes and had_baseline:
            return 0
        entries = await self._hass.async_add_executor_job(self._store_changes, changes, when)
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
        """Record a manual optimisation note."""
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

    async def async_query(
        self, *, start: datetime | None, end: datetime | None, kind: str | None
    ) -> list[ChangeEntry]:
        """The entry's changes in [start, end), oldest first."""
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
