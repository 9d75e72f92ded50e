"""The `note` text entity: a value set becomes a change-log note, then the entity clears.

So a note can be written from any dashboard or by voice. The entity also
carries the latest changes with their weather-normalised impact
(attribute ``recent_changes``, refreshed when the log changes and every few
hours) for the shipped dashboard's impact card; the attribute is not recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Final

from homeassistant.components.text import TextEntity, TextEntityDescription, TextMode
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

from .compare import Periods, async_change_impacts
from .const import EVENT_CONFIG_CHANGE, LOGGER
from .coordinator import HeatPumpStatsConfigEntry
from .entity import HeatPumpStatsEntity
from .store.changelog import ChangeLogError
from .validation import async_changelog, note_message

PARALLEL_UPDATES = 0

NOTE = TextEntityDescription(key="note", translation_key="note", mode=TextMode.TEXT)

RECENT_CHANGES: Final = 5  # changes shown with their impact
IMPACT_DAYS: Final = 7  # days before and after each change
LOOKBACK: Final = timedelta(days=365)  # how far back the recent changes are looked for
REFRESH_INTERVAL: Final = timedelta(hours=6)
# Reasons of the impact card beyond the comparison's own.
REASON_NO_HISTORY: Final = "no_history"
REASON_NO_PERIOD: Final = "no_period"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeatPumpStatsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the note entity."""
    async_add_entities(
        [NoteText(entry=entry, coordinator=entry.runtime_data.heat_pump, description=NOTE)]
    )


def impact_summary(impact: Mapping[str, Any] | None) -> dict[str, Any]:
    """The figures the dashboard shows of one change's impact (None: no period)."""
    if impact is None:
        return {
            "weather_normalized_cop_change_pct": None,
            "cop_change_pct": None,
            "weather_normalized_heat_demand_change_pct": None,
            "confidence": "low",
            "reason": REASON_NO_PERIOD,
        }
    return {
        "weather_normalized_cop_change_pct": impact["weather_normalized_cop_change_pct"],
        "cop_change_pct": impact["cop_change_pct"],
        "weather_normalized_heat_demand_change_pct": impact["heat_demand"][
            "weather_normalized_heat_demand_change_pct"
        ],
        "confidence": impact["confidence"],
        "reason": impact["reason"],
        "days_before": impact["before"]["days"],
        "days_after": impact["after"]["days"],
    }


class NoteText(HeatPumpStatsEntity, TextEntity):
    """Type a note, confirm: it is in the change log; the field is empty again."""

    _attr_native_value = ""
    _attr_native_max = 255  # Home Assistant's limit for a state
    _unrecorded_attributes = frozenset({"recent_changes"})

    def __init__(self, **kwargs: Any) -> None:
        """Start with no impacts known."""
        super().__init__(**kwargs)
        self._last_note: dict[str, Any] | None = None
        self._recent: list[dict[str, Any]] = []
        self._cache: dict[Periods, dict[str, Any]] = {}
        self._refreshing = False
        self._again = False

    @property
    def available(self) -> bool:
        """Notes can be added while the heat pump is unreachable."""
        return True

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The last note written here and the recent changes with their impact."""
        return {"last_note": self._last_note, "recent_changes": self._recent}

    async def async_set_value(self, value: str) -> None:
        """Add `value` as a note; the entity clears."""
        message = note_message(value, int(self.max))
        changes = self.coordinator.config_entry.runtime_data.changes
        stored = await async_changelog(changes.async_add_note(message, None))
        # A new attribute value makes the state update, which clears the field
        # in every frontend (the state itself stays empty).
        self._last_note = {"id": stored.id, "timestamp": stored.timestamp.isoformat()}
        self._attr_native_value = ""
        self.async_write_ha_state()

    async def async_added_to_hass(self) -> None:
        """Follow the change log; refresh the impacts now and every few hours."""
        await super().async_added_to_hass()

        @callback
        def _changed(_event: Event[Mapping[str, Any]]) -> None:
            self._schedule_refresh()

        @callback
        def _tick(_now: datetime) -> None:
            self._schedule_refresh()

        self.async_on_entry_event(EVENT_CONFIG_CHANGE, _changed)
        self.async_on_remove(
            async_track_time_interval(self.hass, _tick, REFRESH_INTERVAL, cancel_on_shutdown=True)
        )
        self._schedule_refresh()

    @callback
    def _schedule_refresh(self) -> None:
        if self._refreshing:
            self._again = True
            return
        self._refreshing = True
        self.coordinator.config_entry.async_create_background_task(
            self.hass, self._async_refresh(), "heatpump_stats change impacts"
        )

    async def _async_refresh(self) -> None:
        try:
            while True:
                self._again = False
                await self._async_compute()
                if self.hass is None or not self._again:
                    break
        finally:
            self._refreshing = False

    async def _async_compute(self) -> None:
        entry = self.coordinator.config_entry
        now = dt_util.utcnow()
        try:
            rows = await entry.runtime_data.changes.async_query(
                start=now - LOOKBACK, end=None, kind=None
            )
        except ChangeLogError as err:
            LOGGER.debug("Change impacts: cannot read the change log: %s", err)
            return
        recent = rows[-RECENT_CHANGES:]
        # The change before the first shown one still cuts its before-period.
        neighbours = [row.timestamp for row in rows[-RECENT_CHANGES - 1 :]]
        reason: str | None = None
        try:
            impacts = await async_change_impacts(
                self.hass,
                entry,
                [row.timestamp for row in recent],
                neighbours,
                IMPACT_DAYS,
                cache=self._cache,
            )
        except HomeAssistantError as err:  # no recorder, no history entities, a read error
            LOGGER.debug("Change impacts of %s not available: %s", entry.title, err)
            impacts = [None] * len(recent)
            reason = REASON_NO_HISTORY
        shown: list[dict[str, Any]] = []
        for row, impact in zip(recent, impacts, strict=True):
            summary = impact_summary(impact)
            if reason is not None:
                summary["reason"] = reason
            data = row.to_dict()
            data.pop("entry_id", None)
            shown.append({**data, "impact": summary})
        self._recent = shown
        if self.hass is not None and self.entity_id:
            self.async_write_ha_state()
