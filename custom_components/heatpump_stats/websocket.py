"""Websocket commands of the Lovelace card and the dashboard strategy (registered once).

* ``heatpump_stats/summary`` (``config_entry_id``, ``period``): the figures the
  card shows, from the integration's own summaries: the season and the months
  of the season from long-term statistics (:mod:`.statistics_history`, fast for
  any length), the period from statistics too for ``month`` / ``year`` /
  ``season``, from the recorder's states (:mod:`.history`: sessions, defrosts)
  for ``day`` and ``week``. The mean run length needs sessions, so for the long
  periods it comes from the recorder's last :data:`RUN_LENGTH_DAYS` days of the
  period (the response names that window). All reading runs in one job of the
  recorder's executor. The season's hours are kept in the entry's runtime data
  (:class:`SeasonHours`) and only the newest hours are read again on the next
  request: a full read allocates one dict per sensor and hour, enough to set
  off a full garbage collection, which holds the event loop; for the same reason
  the hours are read a week (:data:`READ_CHUNK`) at a time. The change
  markers come from the change log, their impact from the ``note`` entity's
  ``recent_changes`` (computed there in the background, so the card never
  waits for a comparison). The figures are shaped by :mod:`.card_figures`.
* ``heatpump_stats/dashboard`` (optional ``config_entry_id``): the views of the
  dashboard strategy, one per entry, built by :func:`.dashboard.async_build_dashboard`
  from the entities the entry has at this moment.

Errors are sent with their code and a translation key (``card_*`` under
``exceptions``, English text as the message); the card words them itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Final

# What `homeassistant.components.websocket_api` re-exports, from where it is defined
# (strict mypy does not follow the package's implicit re-exports).
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import async_response, websocket_command
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import (
    DATA_INSTANCE,
    async_migration_in_progress,
    get_instance,
)
from homeassistant.helpers.translation import (
    async_get_exception_message,
    async_get_translations,
)
from homeassistant.util import dt as dt_util
import probatio as vol
from sqlalchemy.exc import SQLAlchemyError

from .card_figures import card_figures, period_start
from .const import DOMAIN
from .dashboard import async_build_dashboard
from .engine.hourly import Hour
from .history import async_entry_entity_ids, builder_options
from .options import entry_options
from .statistics_history import async_statistics_entity_ids, read_hours
from .store.changelog import ChangeLogError
from .summaries import summarize_history, summarize_hours_of

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry

COMMAND_SUMMARY: Final = "heatpump_stats/summary"
COMMAND_DASHBOARD: Final = "heatpump_stats/dashboard"
PERIODS: Final = ("season", "year", "month", "week", "day")
RECORDER_PERIODS: Final = frozenset({"day", "week"})
RUN_LENGTH_DAYS: Final = 7
# Hours of statistics kept between requests end this long before the last full hour: the
# newest hours are read again each time (statistics are compiled a little after the hour).
HOURS_REREAD: Final = timedelta(hours=3)
# The kept hours are dropped after this long, so statistics rewritten by others (HA's
# statistics repairs) show up within it; our own imports (the demo's month, import_history)
# drop them at once (import_service.async_import_and_wait).
HOURS_MAX_AGE: Final = timedelta(hours=6)
# Statistics are read this much at a time: a week is about 1 700 rows (10 sensors,
# 168 hours), each a dict, which die before the garbage collector's next older
# generation sees them. A season read at once kept 48 000 alive and set off a full
# collection (bench/card_summary.py: 140 ms without the event loop, in the first
# request); a week at a time costs a few milliseconds more in queries.
READ_CHUNK: Final = timedelta(days=7)
MAX_CHANGES: Final = 100  # markers per response (the newest)
ERR_NOT_FOUND: Final = "not_found"
ERR_NO_HISTORY: Final = "no_history"
# Translation keys (`exceptions` in translations/*.json) of the errors the commands send.
KEY_ENTRY_NOT_FOUND: Final = "card_entry_not_found"
KEY_RECORDER_UNAVAILABLE: Final = "card_recorder_unavailable"
KEY_HISTORY_ERROR: Final = "card_history_error"


@callback
def async_setup_websocket(hass: HomeAssistant) -> None:
    """Register the commands (once per Home Assistant)."""
    async_register_command(hass, ws_summary)
    async_register_command(hass, ws_dashboard)


async def _async_send_error(
    hass: HomeAssistant,
    connection: ActiveConnection,
    msg_id: int,
    code: str,
    key: str,
    **placeholders: str,
) -> None:
    """Send a translated error: the key for the frontend, the English text as the message."""
    await async_get_translations(hass, "en", "exceptions", {DOMAIN})  # the cache the text is from
    connection.send_error(
        msg_id,
        code,
        async_get_exception_message(DOMAIN, key, placeholders),
        translation_key=key,
        translation_domain=DOMAIN,
        translation_placeholders=placeholders,
    )


def _hour_end(now: datetime) -> datetime:
    """The end of the last full hour: long-term statistics have no row for the running one."""
    return now.replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Read:
    """What one summary request reads (UTC times; entity ids by key)."""

    period: str
    history_ids: Mapping[str, str]
    statistics_ids: Mapping[str, str]
    start: datetime
    season_start: datetime
    now: datetime
    options: Mapping[str, Any]
    tz: tzinfo


@dataclass(frozen=True, slots=True, kw_only=True)
class SeasonHours:
    """The season's hourly statistics already read: hours starting in [season_start, upto)."""

    season_start: datetime
    statistics_ids: tuple[tuple[str, str], ...]
    upto: datetime
    made: datetime  # when the first of them were read
    hours: tuple[Hour, ...]


def _read_hours_chunked(
    hass: HomeAssistant, statistics_ids: Mapping[str, str], start: datetime, end: datetime
) -> list[Hour]:
    """Blocking: :func:`.statistics_history.read_hours` of [start, end), a week at a time."""
    hours: list[Hour] = []
    while start < end:
        upto = min(end, start + READ_CHUNK)
        hours.extend(read_hours(hass, statistics_ids, start, upto))
        start = upto
    return hours


def _season_hours(
    hass: HomeAssistant, read: _Read, hour_end: datetime, kept: SeasonHours | None
) -> tuple[list[Hour], SeasonHours | None]:
    """Blocking: the season's hours up to `hour_end`, reading only those not kept yet."""
    ids = tuple(sorted(read.statistics_ids.items()))
    if (
        kept is None
        or kept.season_start != read.season_start
        or kept.statistics_ids != ids
        or read.now - kept.made > HOURS_MAX_AGE
        or kept.upto > hour_end
    ):
        kept = SeasonHours(
            season_start=read.season_start,
            statistics_ids=ids,
            upto=read.season_start,
            made=read.now,
            hours=(),
        )
    hours = [*kept.hours, *_read_hours_chunked(hass, read.statistics_ids, kept.upto, hour_end)]
    upto = max(kept.upto, hour_end - HOURS_REREAD)
    return hours, SeasonHours(
        season_start=kept.season_start,
        statistics_ids=ids,
        upto=upto,
        made=kept.made,
        hours=tuple(h for h in hours if h.start < upto),
    )


def _read_blocking(
    hass: HomeAssistant, read: _Read, kept: SeasonHours | None = None
) -> tuple[dict[str, Any], SeasonHours | None]:
    """Blocking (recorder executor): the period's, the season's and the run-length summaries."""
    period, history_ids, statistics_ids = read.period, read.history_ids, read.statistics_ids
    start, season_begin, now = read.start, read.season_start, read.now
    options, tz = read.options, read.tz
    if now <= start:
        # The period's first instant: nothing has happened yet (an empty summary, no error).
        now = start + timedelta(seconds=1)
    hour_end = _hour_end(now)

    hours: list[Hour] = []
    if statistics_ids and hour_end > season_begin:
        hours, kept = _season_hours(hass, read, hour_end, kept)

    def statistics(begin: datetime) -> dict[str, Any] | None:
        """The statistics summary from `begin`, None without data."""
        if not statistics_ids or hour_end <= begin:
            return None
        # A period that begins before the season (a year from 1 January, a season
        # from 1 July, in August) reads its own hours.
        chosen = (
            (h for h in hours if h.start >= begin)
            if begin >= season_begin
            else _read_hours_chunked(hass, statistics_ids, begin, hour_end)
        )
        found = summarize_hours_of(
            chosen,
            start=begin,
            end=hour_end,
            now=now,
            time_zone=tz,
            history="statistics",
        )
        return found if found["data_quality"]["hours_with_data"] > 0 else None

    season = statistics(season_begin)
    run: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None
    history = "recorder"
    if period not in RECORDER_PERIODS:
        summary = season if start == season_begin else statistics(start)
    if summary is None:
        # A short period, or not one full hour of statistics yet: the recorder has it.
        summary = summarize_history(hass, history_ids, start, now, options).to_dict()
    else:
        history = "statistics"
        run_start = max(start, now - timedelta(days=RUN_LENGTH_DAYS))
        run = summarize_history(hass, history_ids, run_start, now, options).to_dict()
    return card_figures(summary, season, run, history=history), kept


def _entry_of(hass: HomeAssistant, entry_id: str) -> ConfigEntry | None:
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        return None
    return entry


def _live_seasonal_cop(entry: ConfigEntry) -> float | None:
    runtime = getattr(entry, "runtime_data", None)
    data = None if runtime is None else runtime.heat_pump.data
    if data is None:
        return None
    cop: float | None = data.metrics.seasonal_cop
    return cop


async def _async_changes(
    hass: HomeAssistant, entry: ConfigEntry, start: datetime
) -> list[dict[str, Any]]:
    """The period's change-log entries, with the note entity's impact where it has one."""
    runtime = getattr(entry, "runtime_data", None)
    if runtime is None:  # not loaded: no change log open
        return []
    try:
        rows = await runtime.changes.async_query(start=start, end=None, kind=None)
    except ChangeLogError:
        return []
    impacts: dict[int, Any] = {}
    registry = er.async_get(hass)
    note_id = registry.async_get_entity_id("text", DOMAIN, f"{entry.unique_id}_note")
    if note_id is not None and (state := hass.states.get(note_id)) is not None:
        for recent in state.attributes.get("recent_changes") or []:
            if isinstance(recent, Mapping) and "id" in recent:
                impacts[recent["id"]] = recent.get("impact")
    changes: list[dict[str, Any]] = []
    for row in rows[-MAX_CHANGES:]:
        data = row.to_dict()
        data.pop("entry_id", None)
        data["impact"] = impacts.get(row.id)
        changes.append(data)
    return changes


@websocket_command(
    {
        vol.Required("type"): COMMAND_SUMMARY,
        vol.Required("config_entry_id"): str,
        vol.Optional("period", default="season"): vol.In(PERIODS),
    }
)
@async_response
async def ws_summary(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The card's figures of one entry and period."""
    entry = _entry_of(hass, msg["config_entry_id"])
    if entry is None:
        await _async_send_error(
            hass,
            connection,
            msg["id"],
            ERR_NOT_FOUND,
            KEY_ENTRY_NOT_FOUND,
            entry_id=msg["config_entry_id"],
        )
        return
    if DATA_INSTANCE not in hass.data or async_migration_in_progress(hass):
        await _async_send_error(
            hass, connection, msg["id"], ERR_NO_HISTORY, KEY_RECORDER_UNAVAILABLE
        )
        return
    period: str = msg["period"]
    tz = dt_util.get_default_time_zone()
    now = dt_util.utcnow()
    runtime = getattr(entry, "runtime_data", None)
    # An entry that is not loaded (a failed setup) still has its history to show.
    season = entry_options(entry).season_start
    start = period_start(period, now, tz, season)
    read = _Read(
        period=period,
        history_ids=async_entry_entity_ids(hass, entry),
        statistics_ids=async_statistics_entity_ids(hass, entry),
        start=start,
        season_start=period_start("season", now, tz, season),
        now=now,
        options=builder_options(entry),
        tz=tz,
    )
    try:
        figures, kept = await get_instance(hass).async_add_executor_job(
            _read_blocking, hass, read, None if runtime is None else runtime.card_hours
        )
    except SQLAlchemyError as err:
        await _async_send_error(
            hass, connection, msg["id"], ERR_NO_HISTORY, KEY_HISTORY_ERROR, error=str(err)
        )
        return
    if runtime is not None:
        runtime.card_hours = kept
    if figures["season"]["cop"] is None:
        # No full hour of statistics yet: the live seasonal COP sensor's figure.
        figures["season"]["cop"] = _live_seasonal_cop(entry)
    figures["changes"] = await _async_changes(hass, entry, start)
    connection.send_result(
        msg["id"],
        {
            "config_entry_id": entry.entry_id,
            "title": entry.title,
            "period": period,
            "start": start.isoformat(),
            "end": now.isoformat(),
            **figures,
        },
    )


@websocket_command(
    {
        vol.Required("type"): COMMAND_DASHBOARD,
        vol.Optional("config_entry_id"): str,
    }
)
@async_response
async def ws_dashboard(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The strategy's views: one per entry (or the given entry's), with its entities now."""
    if (entry_id := msg.get("config_entry_id")) is not None:
        entry = _entry_of(hass, entry_id)
        if entry is None:
            await _async_send_error(
                hass, connection, msg["id"], ERR_NOT_FOUND, KEY_ENTRY_NOT_FOUND, entry_id=entry_id
            )
            return
        entries = [entry]
    else:
        entries = hass.config_entries.async_entries(DOMAIN)
    found: list[dict[str, Any]] = []
    for entry in entries:
        config = await async_build_dashboard(hass, entry)
        found.extend(
            {"config_entry_id": entry.entry_id, "title": entry.title, "view": view}
            for view in config["views"]
        )
    connection.send_result(msg["id"], {"entries": found})
