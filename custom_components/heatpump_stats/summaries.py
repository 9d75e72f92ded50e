"""The one factory of a period's summary, whichever history holds it.

Every summary the integration shows is built here: the ``summarize`` service
(:func:`async_summarize`), the hours of ``compare_periods`` and of the change
impacts (:func:`summarize_history` per hour, in :mod:`.compare`), the card's
figures (:mod:`.websocket`: :func:`summarize_history`, :func:`summarize_hours_of`)
and the ``export_csv`` summary file (:func:`summarize_samples` over the sample
store, in :mod:`.csv_reports`).

The histories only read (see :mod:`.histories` for which one a call reads):

* the recorder's states, :func:`.history.feed_states`;
* the long-term statistics' hours, :func:`.statistics_history.read_hours`;
* InfluxDB's raw points (:func:`.influx_history.feed_points`, periods up to
  :data:`.influx_history.RAW_DAYS_MAX` days) or its server-side hours
  (:func:`.influx_history.read_hours`, longer periods).

Samples go into :class:`~.engine.analytics.SummaryBuilder`
(:func:`summarize_samples`), hours into :func:`~.engine.hourly.summarize_hours`
(:func:`summarize_hours_of`). Both keep the rule of issue #13: a period never
includes time that has not happened (it is read up to ``min(end, now)``; a
period that begins after now reads nothing), and its coverage counts only the
time with data (from the first sample or hour on), as a share of the whole period.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, tzinfo
from functools import partial
from typing import TYPE_CHECKING, Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.recorder import (
    DATA_INSTANCE,
    async_migration_in_progress,
    get_instance,
)
from homeassistant.util import dt as dt_util
from sqlalchemy.exc import SQLAlchemyError

from .const import DOMAIN, HISTORY_INFLUXDB, HISTORY_STATISTICS
from .engine.analytics import SummaryBuilder
from .engine.hourly import Hour, summarize_hours
from .engine.summary import Summary
from .histories import (
    NOT_FROM_HOURS,
    coverage,
    default_history,
    influx_error,
    require_influx,
)
from .history import async_entry_entity_ids, builder_options, feed_states
from .influx_history import RAW_DAYS_MAX, feed_points, read_hours as read_influx_hours
from .statistics_history import async_statistics_entity_ids, read_hours
from .store.influxdb import InfluxConfig, InfluxError, InfluxHistory

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

#: Puts the samples of (start, cut] into a builder.
type Feed = Callable[[SummaryBuilder, datetime], None]
#: The hours starting in [start, cut).
type HourReader = Callable[[datetime], Iterable[Hour]]


# ---------------------------------------------------------------- the factory


def summarize_samples(
    feed: Feed,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    options: Mapping[str, Any],
) -> Summary:
    """The summary of (start, end] of the samples `feed` gives, read up to `now`."""
    builder = SummaryBuilder(start=start, end=end, **options)
    cut = min(end, now)
    if cut > start:
        feed(builder, cut)
    return builder.result()


def summarize_hours_of(
    read: HourReader | Iterable[Hour],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    time_zone: tzinfo,
    history: str = HISTORY_STATISTICS,
) -> dict[str, Any]:
    """The summary of [start, end) of hourly figures (`read(cut)`, or hours already read)."""
    cut = min(end, now)
    if cut <= start:
        hours: Iterable[Hour] = []
    elif callable(read):
        hours = read(cut)
    else:
        hours = read
    return summarize_hours(hours, start=start, end=end, time_zone=time_zone, history=history)


# ---------------------------------------------------------------- per history (blocking)


def summarize_history(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    options: Mapping[str, Any],
) -> Summary:
    """Blocking: (start, end] from the recorder's states (call in the recorder's executor)."""
    return summarize_samples(
        lambda builder, cut: feed_states(hass, entity_ids, builder, start, cut),
        start=start,
        end=end,
        now=dt_util.utcnow(),
        options=options,
    )


def summarize_influx(
    reader: InfluxHistory,
    history_ids: Mapping[str, str],
    statistics_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    *,
    time_zone: tzinfo,
    options: Mapping[str, Any],
    now: datetime | None = None,
) -> dict[str, Any]:
    """Blocking: (start, end] from InfluxDB (``history`` = ``influxdb``).

    `history_ids` are the entities a recorder summary reads (by key, see
    :data:`.history.HISTORY_ENTITIES`), `statistics_ids` the energy and
    temperature sensors an hourly summary reads. Up to
    :data:`~.influx_history.RAW_DAYS_MAX` days the raw points are read
    (``resolution`` = ``raw``), longer periods as hourly windows (``hourly``).
    """
    now = now if now is not None else datetime.now(UTC)
    data: dict[str, Any]
    if end - start <= timedelta(days=RAW_DAYS_MAX):
        data = summarize_samples(
            lambda builder, cut: feed_points(reader, history_ids, builder, start, cut),
            start=start,
            end=end,
            now=now,
            options=options,
        ).to_dict()
        data["resolution"] = "raw"
    else:
        data = summarize_hours_of(
            lambda cut: read_influx_hours(reader, statistics_ids, start, cut),
            start=start,
            end=end,
            now=now,
            time_zone=time_zone,
            history=HISTORY_INFLUXDB,
        )
        data["resolution"] = "hourly"
    data["history"] = HISTORY_INFLUXDB
    return data


# ---------------------------------------------------------------- on the event loop


async def async_summarize_history(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    **options: Any,
) -> Summary:
    """(start, end] from the recorder, in the recorder's executor."""
    return await get_instance(hass).async_add_executor_job(
        summarize_history, hass, dict(entity_ids), start, end, options
    )


async def async_summarize_statistics(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    time_zone: tzinfo,
) -> dict[str, Any]:
    """[start, end) from long-term statistics, read in the recorder's executor."""
    ids = dict(entity_ids)
    return await get_instance(hass).async_add_executor_job(
        partial(
            summarize_hours_of,
            lambda cut: read_hours(hass, ids, start, cut),
            start=start,
            end=end,
            now=dt_util.utcnow(),
            time_zone=time_zone,
        )
    )


def require_recorder(hass: HomeAssistant) -> None:
    """A translated error when the recorder cannot be read (not set up, migrating)."""
    if DATA_INSTANCE not in hass.data or async_migration_in_progress(hass):
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="recorder_unavailable"
        )


def history_entity_ids(
    hass: HomeAssistant, entry: ConfigEntry, *, need_recorder: bool = True
) -> dict[str, str]:
    """The entry's history entities; the translated reason when there is no history."""
    if need_recorder:
        require_recorder(hass)
    entity_ids = async_entry_entity_ids(hass, entry)
    if not entity_ids:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="no_history_entities",
            translation_placeholders={"title": entry.title},
        )
    return entity_ids


@contextmanager
def history_errors() -> Iterator[None]:
    """A failed recorder read as the translated ``history_error``."""
    try:
        yield
    except SQLAlchemyError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="history_error",
            translation_placeholders={"error": str(err)},
        ) from err


async def async_recorder_job[T](hass: HomeAssistant, job: Callable[..., T], *args: Any) -> T:
    """`job(*args)` in the recorder's executor; a failed read as the translated error."""
    with history_errors():
        return await get_instance(hass).async_add_executor_job(job, *args)


async def async_influx_job[T](
    hass: HomeAssistant, config: InfluxConfig, job: Callable[[InfluxHistory], T]
) -> T:
    """`job(reader)` with a reader of `config`, in an executor; closed after; translated errors."""

    def run() -> T:
        reader = InfluxHistory(config)
        try:
            return job(reader)
        finally:
            reader.close()

    try:
        return await hass.async_add_executor_job(run)
    except InfluxError as err:
        raise influx_error(err) from err


async def async_summarize(
    hass: HomeAssistant,
    entry: ConfigEntry,
    start: datetime,
    end: datetime,
    history: str | None = None,
) -> dict[str, Any]:
    """The ``summarize`` response for (start, end]: the summary, its history and coverage.

    Without `history` the period decides (:func:`.histories.default_history`).
    """
    # InfluxDB needs no recorder; the recorder and its statistics do.
    influx = require_influx(entry) if history == HISTORY_INFLUXDB else None
    entity_ids = history_entity_ids(hass, entry, need_recorder=influx is None)
    statistics_ids = async_statistics_entity_ids(hass, entry)
    time_zone = dt_util.get_default_time_zone()
    data: dict[str, Any]
    if influx is not None:
        options = builder_options(entry)
        now = dt_util.utcnow()
        data = await async_influx_job(
            hass,
            influx,
            lambda reader: summarize_influx(
                reader,
                entity_ids,
                statistics_ids,
                start,
                end,
                time_zone=time_zone,
                options=options,
                now=now,
            ),
        )
    else:
        if history is None:
            history = await async_recorder_job(
                hass, default_history, hass, dict(statistics_ids), start, end
            )
        if history == HISTORY_STATISTICS:
            with history_errors():
                data = await async_summarize_statistics(hass, statistics_ids, start, end, time_zone)
        else:
            summary = await async_recorder_job(
                hass, summarize_history, hass, dict(entity_ids), start, end, builder_options(entry)
            )
            data = summary.to_dict()
    data["history"] = history
    data["coverage"] = coverage(data)
    if not data.get("sessions_available", True):
        # Hourly figures have no sessions, defrost counts or time per mode: say so.
        data["not_available"] = list(NOT_FROM_HOURS)
    data["entities"] = dict(entity_ids)
    return data
