"""CSV roll-ups inside Home Assistant: samples per poll, daily/weekly files, cleanup.

Every heat-pump poll is stored as one sample (raw reading + metrics) in the
integration's database (`store.samples`). From those samples two files are
written each day at the entry's ``csv_time`` (local), named by the local date
of that moment:

* ``YYYY-MM-DD_daily.csv``: the samples of the day before that moment,
* ``YYYY-MM-DD_weekly.csv``: the samples of the seven days before it,

each with its summary ``YYYY-MM-DD_<period>_summary.csv`` (``engine.analytics``
over the same samples: energy and COP by purpose, sessions, defrosts,
outdoor-temperature bins, data quality); and files of ours older than
``csv_retention_days`` are deleted (each logged).

Windows are half-open, ``[start, end)``, and measured in local wall-clock time
(``end - 1 day`` / ``end - 7 days`` in the local zone), so consecutive daily
files tile without gap or overlap also across daylight-saving changes (such a
day has 23 or 25 hours). The service ``export_csv`` writes the same files on
demand: without ``date`` the window ends now (the file is named by today's
local date); with ``date`` it ends at that date's ``csv_time``, i.e. it
rewrites exactly the file the schedule writes for that date.

The folder is the option ``csv_directory``; by default
``<config>/heatpump_stats/exports/<entry unique id>`` (one folder per entry,
because every entry's files have the same names). A folder outside that
default tree must be allowed by Home Assistant (``allowlist_external_dirs``).

All file and database work runs in the executor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import (
    CALLBACK_TYPE,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util, slugify

from .change_recorder import database_path
from .const import (
    DOMAIN,
    LOGGER,
)
from .engine.analytics import SummaryBuilder
from .engine.core import EngineConfig
from .engine.rows import summary_sample
from .model.metrics import Metrics
from .model.reading import HeatPumpReading, MeterReading
from .options import EntryOptions
from .store.changelog import ChangeLogError
from .store.csv_export import (
    PERIOD_DAILY,
    PERIOD_WEEKLY,
    PERIODS,
    cleanup,
    export_filename,
    order_columns,
    summary_filename,
    write_csv,
    write_summary_csv,
)
from .store.samples import SAMPLE_RETENTION, SampleStore, build_row
from .summaries import summarize_samples
from .validation import invalid_time

if TYPE_CHECKING:
    from .coordinator import HeatPumpStatsConfigEntry

EXPORTS_FOLDER: Final = "exports"
# The polls before a summary's start that give its state at the start.
SUMMARY_LEAD_IN: Final = timedelta(minutes=15)
PERIOD_LENGTH: Final = {PERIOD_DAILY: timedelta(days=1), PERIOD_WEEKLY: timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class ExportResult:
    """One written roll-up and its summary: where, how many samples, which window (UTC)."""

    path: Path
    summary_path: Path
    rows: int
    start: datetime
    end: datetime

    def to_dict(self) -> dict[str, Any]:
        """The service response."""
        return {
            "path": str(self.path),
            "summary_path": str(self.summary_path),
            "rows": self.rows,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }


# -- options (parsed by options.EntryOptions; these read one entry's) --------


def default_directory(hass: HomeAssistant, entry: ConfigEntry) -> Path:
    """``<config>/heatpump_stats/exports/<slug of the entry's unique id>``."""
    return Path(
        hass.config.path(DOMAIN, EXPORTS_FOLDER, slugify(entry.unique_id or entry.entry_id))
    )


def resolve_directory(hass: HomeAssistant, entry: ConfigEntry, configured: str | None) -> Path:
    """The export folder of an option as entered (relative: to the config folder)."""
    if not configured:
        return default_directory(hass, entry)
    path = Path(configured)
    return path if path.is_absolute() else Path(hass.config.path(configured))


def csv_directory(hass: HomeAssistant, entry: ConfigEntry) -> Path:
    """The entry's export folder (a relative option is relative to the config folder)."""
    return resolve_directory(hass, entry, EntryOptions.from_entry(entry).csv_directory)


def csv_time(entry: ConfigEntry) -> time:
    """The local time of the daily files (option ``HH:MM`` or ``HH:MM:SS``)."""
    return EntryOptions.from_entry(entry).csv_time


def retention_days(entry: ConfigEntry) -> int:
    """Days the CSV files are kept (at least 1)."""
    return EntryOptions.from_entry(entry).csv_retention_days


def directory_allowed(hass: HomeAssistant, directory: Path) -> bool:
    """Whether files may be written to `directory` (blocking: resolves the path).

    Our own exports tree under the config folder always is; anything else must
    be allowed by Home Assistant (``allowlist_external_dirs``). The options
    flow can use this too.
    """
    own = Path(hass.config.path(DOMAIN, EXPORTS_FOLDER)).resolve()
    if directory.resolve().is_relative_to(own):
        return True
    return hass.config.is_allowed_path(str(directory))


def export_window(period: str, end: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) in UTC: one (seven) local calendar day(s) back from `end`."""
    local_end = end.astimezone(tz)
    local_start = (local_end.replace(tzinfo=None) - PERIOD_LENGTH[period]).replace(tzinfo=tz)
    return dt_util.as_utc(local_start), dt_util.as_utc(local_end)


# -- per entry -----------------------------------------------------------------


class CsvReports:
    """One entry's samples, its CSV files and their daily schedule."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, options: EntryOptions) -> None:
        """Prepare; nothing blocking happens here."""
        self._hass = hass
        self._entry = entry
        self._options = options
        self._store = SampleStore(database_path(hass))
        self._record_failed = False

    @property
    def store(self) -> SampleStore:
        """The sample table."""
        return self._store

    async def async_open(self) -> None:
        """Open the database and drop samples too old for any file.

        Never raises: without the sample table the heat pump is still measured
        (the change log reports the database's trouble); one log line here.
        """
        before = dt_util.utcnow() - SAMPLE_RETENTION

        def _open() -> None:
            self._store.open()
            self._store.prune(self._entry.entry_id, before)

        try:
            await self._hass.async_add_executor_job(_open)
        except ChangeLogError as err:
            LOGGER.error("Cannot store samples for the CSV files of %s: %s", self._entry.title, err)
            self._record_failed = True

    async def async_close(self) -> None:
        """Close the database connection."""
        await self._hass.async_add_executor_job(self._store.close)

    async def async_record_poll(self, reading: HeatPumpReading, metrics: Metrics) -> None:
        """The coordinator's recorder: one sample per heat pump poll (never raises)."""
        await self.async_record_sample(reading, metrics)

    async def async_record_sample(
        self, reading: HeatPumpReading, metrics: Metrics, meter: MeterReading | None = None
    ) -> None:
        """Store one poll. Never raises: the readings matter more than the files."""
        try:
            row = build_row(reading, metrics, meter)
            await self._hass.async_add_executor_job(
                self._store.add, self._entry.entry_id, reading.timestamp, row
            )
        except Exception as err:  # a failed sample must never fail the poll
            if not self._record_failed:
                LOGGER.error("Cannot store the sample for the CSV files: %s", err)
            self._record_failed = True
        else:
            if self._record_failed:
                LOGGER.info("Storing samples for the CSV files works again")
            self._record_failed = False

    # -- files ---------------------------------------------------------------

    def _end_of(self, day: date, tz: tzinfo) -> datetime:
        return datetime.combine(day, self._options.csv_time, tzinfo=tz)

    async def async_export(self, period: str, day: date | None = None) -> ExportResult:
        """Write the `period` file; `day` None = the window ending now.

        Raises ServiceValidationError (folder not allowed, date in the future)
        or HomeAssistantError (the file or the database cannot be written).
        """
        tz = dt_util.get_default_time_zone()
        now = dt_util.now()
        if day is None:
            end, day = now, now.date()
        else:
            if day > now.date():
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="date_in_future",
                    translation_placeholders={"date": day.isoformat()},
                )
            end = self._end_of(day, tz)
        try:
            start, end = export_window(period, end, tz)
        except OverflowError as err:
            # 0001-01-01 minus a week is before datetime's first day.
            raise invalid_time(day.isoformat()) from err
        directory = await self._async_directory()
        path = directory / export_filename(day, period)
        summary_path = directory / summary_filename(day, period)
        entry_id = self._entry.entry_id
        options = self._summary_options()

        def _write() -> int:
            written: int | None = None

            def feed(builder: SummaryBuilder, cut: datetime) -> None:
                # One pass over the samples feeds the roll-up and its summary. The
                # summary is of (start, end], as `summarize`: the state at start comes
                # from the polls just before it, and a poll at exactly `end` belongs to it.
                nonlocal written

                def rows() -> Iterator[dict[str, Any]]:
                    for row in self._store.iter_rows(entry_id, start, end):
                        builder.add(summary_sample(row))
                        yield row

                for row in self._store.iter_rows(entry_id, start - SUMMARY_LEAD_IN, start):
                    builder.add(summary_sample(row))
                columns = order_columns(self._store.keys(entry_id, start, end))
                written = write_csv(path, rows(), columns, tz=tz)
                for row in self._store.iter_rows(entry_id, end, end + timedelta(microseconds=1)):
                    builder.add(summary_sample(row))

            summary = summarize_samples(
                feed, start=start, end=end, now=dt_util.utcnow(), options=options
            )
            if written is None:  # a period that has not begun: no samples, headers only
                columns = order_columns(self._store.keys(entry_id, start, end))
                written = write_csv(path, (), columns, tz=tz)
            write_summary_csv(summary_path, summary.to_dict(), tz=tz)
            return written

        try:
            rows = await self._hass.async_add_executor_job(_write)
        except (ChangeLogError, OSError) as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="csv_export_failed",
                translation_placeholders={"path": str(path), "error": str(err)},
            ) from err
        LOGGER.debug("Wrote %s and %s (%s samples)", path, summary_path, rows)
        return ExportResult(path=path, summary_path=summary_path, rows=rows, start=start, end=end)

    def _summary_options(self) -> dict[str, Any]:
        """The analytics with the engine's gap and running rules at the entry's interval."""
        config = EngineConfig(scan_interval_s=self._options.scan_interval_s)
        return {
            "expected_interval_s": config.scan_interval_s,
            "max_gap_s": config.heat_pump_max_gap_s,
            "running_threshold_w": config.running_threshold_w,
            "net_thermal_counter": True,
        }

    async def _async_directory(self) -> Path:
        directory = resolve_directory(self._hass, self._entry, self._options.csv_directory)
        if not await self._hass.async_add_executor_job(directory_allowed, self._hass, directory):
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="csv_directory_not_allowed",
                translation_placeholders={"path": str(directory)},
            )
        return directory

    async def async_cleanup(self, now: datetime) -> list[Path]:
        """Delete our files older than the retention (each logged); returns them."""
        directory = await self._async_directory()
        days = self._options.csv_retention_days
        deleted = await self._hass.async_add_executor_job(
            cleanup, directory, days, dt_util.as_local(now)
        )
        for path in deleted:
            LOGGER.info("Deleted %s (CSV files are kept %s days)", path, days)
        return deleted

    # -- schedule ------------------------------------------------------------

    @callback
    def async_start_schedule(self) -> CALLBACK_TYPE:
        """Write both files and clean up every day at ``csv_time``; returns the unsubscriber."""
        at = self._options.csv_time

        @callback
        def _fire(now: datetime) -> None:
            self._entry.async_create_background_task(
                self._hass, self.async_run_scheduled(now), f"{DOMAIN} CSV roll-up"
            )

        return async_track_time_change(
            self._hass, _fire, hour=at.hour, minute=at.minute, second=at.second
        )

    async def async_run_scheduled(self, now: datetime) -> None:
        """The daily job: daily and weekly file of today, cleanup, sample pruning."""
        day = dt_util.as_local(now).date()
        for period in PERIODS:
            try:
                result = await self.async_export(period, day)
            except HomeAssistantError as err:
                LOGGER.error(
                    "Cannot write the %s CSV file of %s: %s", period, self._entry.title, err
                )
            else:
                LOGGER.debug(
                    "Scheduled %s CSV file %s: %s samples", period, result.path, result.rows
                )
        try:
            await self.async_cleanup(now)
        except (HomeAssistantError, OSError) as err:
            LOGGER.error("Cannot clean up the CSV files of %s: %s", self._entry.title, err)
        try:
            await self._hass.async_add_executor_job(
                self._store.prune, self._entry.entry_id, dt_util.as_utc(now) - SAMPLE_RETENTION
            )
        except ChangeLogError as err:
            LOGGER.error("Cannot prune the samples of %s: %s", self._entry.title, err)


async def async_remove_samples(hass: HomeAssistant, entry_id: str) -> None:
    """Forget an entry's samples (the entry was deleted); its CSV files stay."""
    store = SampleStore(database_path(hass))

    def _delete() -> None:
        store.open()
        try:
            store.delete_entry(entry_id)
        finally:
            store.close()

    await hass.async_add_executor_job(_delete)


# -- the entry's reports --------------------------------------------------------


async def async_export(
    hass: HomeAssistant, entry: HeatPumpStatsConfigEntry, period: str, day: date | None
) -> Path:
    """Write the entry's `period` file (see :meth:`CsvReports.async_export`); returns its path."""
    return (await entry.runtime_data.csv.async_export(period, day)).path
