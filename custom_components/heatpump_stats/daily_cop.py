"""The day's real COP as a long-term statistic: one row per local day, heat ÷ electricity.

The ``daily_cop`` sensor shows today's COP so far (today's heat ÷ today's
electricity). Its long-term statistics are hourly *means of that running ratio*,
so a statistics graph's daily mean of them is not the day's COP (issue 13: 3.45
on the chart against 3.87 on the tile for the same day). This module writes an
external statistic ``heatpump_stats:<entry unique id>_daily_cop`` with one row
per local day, starting at the day's local midnight, whose mean (= min = max) is
the day's COP: today's row is rewritten as the day goes on (at most every five
minutes, and with the last value seen when the day ends), so a statistics graph
with ``period: day`` and ``stat_types: [mean]`` shows exactly the tile's value,
and for a finished day heat ÷ electricity of that day. Days imported into the
statistics (the demo's month, ``import_history``) get their rows from the same
hourly figures (:func:`async_add_imported_days`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Final

from homeassistant.components.recorder.models import StatisticData, StatisticMetaData
from homeassistant.components.recorder.models.statistics import StatisticMeanType
from homeassistant.components.recorder.statistics import async_add_external_statistics
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util, slugify

from .const import DOMAIN
from .engine.core import DAILY_COP_MIN_ELECTRICAL_KWH
from .engine.hourly import Hour

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

    from .coordinator import HeatPumpCoordinator

#: How often today's row is rewritten at most (the last value of a day is always written).
WRITE_EVERY: Final = timedelta(minutes=5)


def daily_cop_statistic_id(unique_id: str | None) -> str:
    """``heatpump_stats:<unique id>_daily_cop`` (lower case, as a statistic id must be)."""
    return f"{DOMAIN}:{slugify(str(unique_id))}_daily_cop"


def _metadata(entry: ConfigEntry) -> StatisticMetaData:
    return StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC,
        has_sum=False,
        name=f"{entry.title} daily COP",
        source=DOMAIN,
        statistic_id=daily_cop_statistic_id(entry.unique_id),
        unit_class=None,
        unit_of_measurement=None,
    )


def _row_start(day: datetime) -> datetime:
    """The row's start: the day's midnight, on the hour in UTC as the recorder requires.

    Where midnight is not on a UTC hour (UTC+5:30 and the like) the next full UTC hour
    is taken: still within the day, so a ``period: day`` graph puts the row in it.
    """
    start = day.astimezone(UTC)
    if start.minute or start.second or start.microsecond:
        start = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return start


def _row(day: datetime, cop: float) -> StatisticData:
    value = round(cop, 3)
    return StatisticData(start=_row_start(day), mean=value, min=value, max=value)


def _write(hass: HomeAssistant, entry: ConfigEntry, rows: Iterable[StatisticData]) -> None:
    rows = list(rows)
    if rows:
        async_add_external_statistics(hass, _metadata(entry), rows)


def daily_cops(hours: Iterable[Hour], time_zone: tzinfo) -> dict[datetime, float]:
    """Each local day's COP from hourly figures: the day's heat ÷ the day's electricity.

    A day whose electricity is below the live sensor's floor
    (:data:`~.engine.core.DAILY_COP_MIN_ELECTRICAL_KWH`) or that has no heat gets no row,
    as the live sensor shows nothing then either. Keys are the days' local midnights.
    """
    heat: dict[datetime, float] = {}
    electricity: dict[datetime, float] = {}
    for hour in hours:
        if hour.thermal_energy is None or hour.electrical_energy is None:
            continue
        local = hour.start.astimezone(time_zone)
        day = local.replace(hour=0, minute=0, second=0, microsecond=0)
        heat[day] = heat.get(day, 0.0) + hour.thermal_energy
        electricity[day] = electricity.get(day, 0.0) + hour.electrical_energy
    return {
        day: heat[day] / electricity[day]
        for day in sorted(heat)
        if electricity[day] >= DAILY_COP_MIN_ELECTRICAL_KWH and heat[day] > 0.0
    }


@callback
def async_add_imported_days(
    hass: HomeAssistant,
    entry: ConfigEntry,
    hours: Iterable[Hour],
    time_zone: tzinfo,
    *,
    before: datetime | None = None,
) -> int:
    """Rows for the days of imported hours (days starting before `before` only, so a
    live day's row is not overwritten by its imported part); returns the rows written."""
    rows = [
        _row(day, cop)
        for day, cop in daily_cops(hours, time_zone).items()
        if before is None or day < before
    ]
    _write(hass, entry, rows)
    return len(rows)


@dataclass(slots=True)
class _Pending:
    day: datetime
    cop: float


class DailyCopStatistic:
    """Follows the coordinator's ``daily_cop`` and keeps today's row up to date."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry) -> None:
        """One per entry; `async_start` subscribes to the coordinator."""
        self._hass = hass
        self._entry = entry
        self._pending: _Pending | None = None
        self._written: tuple[datetime, float] | None = None
        self._last_write: datetime | None = None

    @callback
    def async_start(self, coordinator: HeatPumpCoordinator) -> CALLBACK_TYPE:
        """Listen to the coordinator; returns the unsubscribe callback (for async_on_unload)."""

        @callback
        def _updated() -> None:
            data = coordinator.data
            cop = data.metrics.daily_cop if data is not None else None
            self.async_seen(dt_util.utcnow(), cop)

        remove = coordinator.async_add_listener(_updated)

        @callback
        def _stop() -> None:
            remove()
            self.async_flush()

        return _stop

    @callback
    def async_seen(self, now: datetime, cop: float | None) -> None:
        """The coordinator's value at `now`: written when due, or when its day has ended."""
        day = dt_util.start_of_local_day(dt_util.as_local(now))
        pending = self._pending
        if pending is not None and pending.day != day:
            self.async_flush()  # the day ended: its last value is the day's COP
        if cop is None:
            return
        self._pending = _Pending(day, cop)
        if self._last_write is None or now - self._last_write >= WRITE_EVERY:
            self.async_flush(now)

    @callback
    def async_flush(self, now: datetime | None = None) -> None:
        """Write the pending value (if it differs from what was written)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        value = round(pending.cop, 3)
        if self._written != (pending.day, value):
            _write(self._hass, self._entry, [_row(pending.day, pending.cop)])
            self._written = (pending.day, value)
        self._last_write = now or dt_util.utcnow()
