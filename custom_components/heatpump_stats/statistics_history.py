"""A period's summary from Home Assistant's long-term statistics (kept for ever, hourly).

The recorder keeps states for ``purge_keep_days`` (10 by default) but the
hourly statistics of our sensors for ever: the change of each energy sensor's
sum and the mean of each temperature, per hour. This module reads them with
the recorder's public :func:`~homeassistant.components.recorder.statistics.statistics_during_period`
in the recorder's executor and hands them to :func:`~.engine.hourly.summarize_hours`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Final, Literal

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance

from .const import DOMAIN
from .engine.hourly import Hour, summarize_hours

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

#: Sensors whose hourly change is read (total_increasing energy and the start counter).
CHANGE_KEYS: Final = (
    "electrical_energy",
    "thermal_energy",
    "electrical_energy_heating",
    "electrical_energy_dhw",
    "electrical_energy_defrost",
    "thermal_energy_heating",
    "thermal_energy_dhw",
    "compressor_starts",
)
#: Sensors whose hourly mean is read.
MEAN_KEYS: Final = ("outside_temperature", "flow_temperature")
STATISTICS_KEYS: Final = (*CHANGE_KEYS, *MEAN_KEYS)
# What is read of which sensors.
_READS: Final[tuple[tuple[Literal["change", "mean"], tuple[str, ...]], ...]] = (
    ("change", CHANGE_KEYS),
    ("mean", MEAN_KEYS),
)


@callback
def async_statistics_entity_ids(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, str]:
    """The entry's sensors that have long-term statistics, by key (those the registry knows)."""
    registry = er.async_get(hass)
    found: dict[str, str] = {}
    for key in STATISTICS_KEYS:
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_{key}")
        if entity_id is not None:
            found[key] = entity_id
    return found


def read_hours(
    hass: HomeAssistant, entity_ids: Mapping[str, str], start: datetime, end: datetime
) -> list[Hour]:
    """Blocking: the hours starting in [start, end) that have statistics, oldest first."""
    by_id = {entity_id: key for key, entity_id in entity_ids.items()}
    hours: dict[float, dict[str, float | None]] = {}
    # Counters need only the change, temperatures only the mean: two narrower reads
    # (a year is 8,760 rows per sensor) instead of both columns for every sensor.
    for field, keys in _READS:
        wanted = {entity_id for entity_id, key in by_id.items() if key in keys}
        if not wanted:
            continue
        rows = statistics_during_period(hass, start, end, wanted, "hour", None, {field})
        for entity_id, stats in rows.items():
            key = by_id[entity_id]
            for row in stats:
                value = row.get(field)
                number = float(value) if isinstance(value, (int, float)) else None
                hours.setdefault(row["start"], {})[key] = number
    return [
        Hour(start=datetime.fromtimestamp(ts, UTC), **values)
        for ts, values in sorted(hours.items())
    ]


def summarize_statistics(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    time_zone: tzinfo,
) -> dict[str, Any]:
    """Blocking: the summary of [start, end) from long-term statistics."""
    return summarize_hours(
        read_hours(hass, entity_ids, start, end),
        start=start,
        end=end,
        time_zone=time_zone,
        history="statistics",
    )


async def async_summarize_statistics(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    time_zone: tzinfo,
) -> dict[str, Any]:
    """The summary of [start, end) from long-term statistics, read in the recorder's executor."""
    return await get_instance(hass).async_add_executor_job(
        summarize_statistics, hass, dict(entity_ids), start, end, time_zone
    )
