"""Which history a summary or comparison reads: the recorder, long-term statistics or InfluxDB.

* ``recorder``: the states (every poll; sessions, defrosts, time per mode),
  kept ``purge_keep_days`` (10 by default).
* ``statistics``: Home Assistant's hourly long-term statistics of our sensors,
  kept for ever (also the hours ``import_history`` put there); energy, COP,
  months and outdoor bins, no sessions.
* ``influxdb``: what Home Assistant's InfluxDB integration wrote, read with
  the connection of the entry's ``influxdb`` options.

Without ``history`` the recorder is read when it holds the period's start (a
state of our energy counter at or before it), else the statistics when they
reach further back than the recorder's first state, else the recorder.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.recorder.history import state_changes_during_period
from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import (
    DOMAIN,
    HISTORY_RECORDER,
    HISTORY_STATISTICS,
)
from .options import entry_options
from .store.influxdb import (
    InfluxAuthError,
    InfluxConfig,
    InfluxError,
    InfluxNotFoundError,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

#: What an hourly summary (statistics, InfluxDB windows) cannot tell.
NOT_FROM_HOURS: Final = ("sessions", "defrost_count", "defrost_duration", "time_in_mode")
_EPOCH: Final = datetime(1970, 1, 2, tzinfo=UTC)
_HOUR: Final = timedelta(hours=1)
# The counter whose history decides the default (electricity, else heat).
_COUNTERS: Final = ("electrical_energy", "thermal_energy")


def require_influx(entry: ConfigEntry) -> InfluxConfig:
    """The entry's InfluxDB connection; a translated error when it has none."""
    config = entry_options(entry).influxdb
    if config is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="influxdb_not_configured",
            translation_placeholders={"title": entry.title},
        )
    return config


def influx_error(err: InfluxError) -> HomeAssistantError:
    """The translated error of a failed InfluxDB read."""
    if isinstance(err, InfluxAuthError):
        key = "influxdb_invalid_auth"
    elif isinstance(err, InfluxNotFoundError):
        key = "influxdb_not_found"
    else:
        key = "influxdb_error"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": str(err)},
    )


def _first_state(hass: HomeAssistant, entity_id: str, before: datetime) -> datetime | None:
    """Blocking: the time of the entity's oldest recorded state before `before`."""
    found = state_changes_during_period(
        hass,
        _EPOCH,
        before,
        entity_id,
        no_attributes=True,
        limit=1,
        include_start_time_state=False,
    )
    states = found.get(entity_id) or []
    return states[0].last_updated if states else None


def default_history(
    hass: HomeAssistant, statistics_ids: Mapping[str, str], start: datetime, end: datetime
) -> str:
    """Blocking (recorder executor): ``recorder`` or ``statistics`` for (start, end]."""
    counter = next((statistics_ids[k] for k in _COUNTERS if k in statistics_ids), None)
    if counter is None:
        return HISTORY_RECORDER
    first = _first_state(hass, counter, end)
    if first is not None and first <= start:
        return HISTORY_RECORDER  # the recorder holds the period from its start
    # The recorder begins inside the period (purged, or the entry is newer): the
    # statistics are better when they hold a whole hour before the recorder's first state.
    upto = end if first is None else first.replace(minute=0, second=0, microsecond=0)
    if upto - start < _HOUR:
        return HISTORY_RECORDER
    rows = statistics_during_period(hass, start, upto, {counter}, "hour", None, {"change"})
    return HISTORY_STATISTICS if rows.get(counter) else HISTORY_RECORDER


def coverage(data: Mapping[str, Any]) -> dict[str, Any]:
    """How much of the period the history held: hours, percent, first and last time."""
    quality = data.get("data_quality") or {}
    if "hours_with_data" in quality:  # an hourly summary
        last = quality.get("last_hour")
        if last is not None:
            last = (datetime.fromisoformat(last) + _HOUR).isoformat()
        return {
            "covered_hours": quality.get("hours_with_data"),
            "coverage_pct": quality.get("coverage_pct"),
            "first": quality.get("first_hour"),
            "last": last,
        }
    return {
        "covered_hours": quality.get("covered_hours"),
        "coverage_pct": quality.get("coverage_pct"),
        "first": quality.get("first_sample"),
        "last": quality.get("last_sample"),
    }
