"""Reading Home Assistant's long-term statistics (kept for ever, hourly): a summary's backend.

The recorder keeps states for ``purge_keep_days`` (10 by default) but the
hourly statistics of our sensors for ever: the change of each energy sensor's
sum and the mean of each temperature, per hour. This module reads them with
the recorder's public :func:`~homeassistant.components.recorder.statistics.statistics_during_period`
as :class:`~.engine.hourly.Hour` figures; the summary of them is :mod:`.summaries`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Literal

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN
from .engine.hourly import CHANGE_FIELDS, MEAN_FIELDS, Hour

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

#: Sensors whose hourly change is read (total_increasing energy and the start counter).
CHANGE_KEYS: Final = CHANGE_FIELDS
#: Sensors whose hourly mean is read.
MEAN_KEYS: Final = MEAN_FIELDS
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
