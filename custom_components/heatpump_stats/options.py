"""An entry's options, parsed once.

`EntryOptions.from_entry` reads `entry.options` at setup (the options flow
reloads the entry, so a change always goes through here again); the result is
kept in `runtime_data.options`, and everything else reads that. The option keys
stay those of the contract (`const.py`); defaults and the parsing of the
string-valued options (season start, CSV time, mode map) live here or in the
parsers this calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.util import dt as dt_util

from .const import (
    CONF_COP_BELOW_EXPECTED_PCT,
    CONF_CSV_DIRECTORY,
    CONF_CSV_RETENTION_DAYS,
    CONF_CSV_TIME,
    CONF_DEMO_HISTORY_DAYS,
    CONF_FLOW_RATE_L_MIN,
    CONF_METER_SCAN_INTERVAL_S,
    CONF_MODE_MAP,
    CONF_RATED_THERMAL_POWER_KW,
    CONF_SCAN_INTERVAL_S,
    CONF_SEASON_START,
    CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
    CONF_STALE_AFTER_MIN,
    CONF_VIESSMANN_DAILY_CALL_BUDGET,
    DEFAULT_COP_BELOW_EXPECTED_PCT,
    DEFAULT_CSV_RETENTION_DAYS,
    DEFAULT_CSV_TIME,
    DEFAULT_METER_SCAN_INTERVAL_S,
    DEFAULT_SCAN_INTERVAL_S,
    DEFAULT_SEASON_START,
    DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
    DEFAULT_STALE_AFTER_MIN,
    DEFAULT_VIESSMANN_DAILY_CALL_BUDGET,
    LOGGER,
)
from .influx_history import influx_config
from .model.reading import OperatingMode
from .sources.entities import ESPALTHERMA_MODE_MAP, parse_mode_map
from .store.influxdb import InfluxConfig

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry


def parse_season_start(value: str) -> tuple[int, int]:
    """Parse 'MM-DD' into (month, day); raises ValueError when it is no date."""
    month_s, day_s = value.split("-")
    month, day = int(month_s), int(day_s)
    date(2001, month, day)  # validates (a non-leap year: no 02-29 season start)
    return month, day


def parse_csv_time(value: Any, title: str = "") -> time:
    """The local time of the daily CSV files (``HH:MM`` or ``HH:MM:SS``); the default if invalid."""
    text = str(value or DEFAULT_CSV_TIME)
    parsed = dt_util.parse_time(text)
    if parsed is None:
        LOGGER.warning("Invalid csv_time %r of %s, using %s", text, title, DEFAULT_CSV_TIME)
        parsed = dt_util.parse_time(DEFAULT_CSV_TIME)
        assert parsed is not None
    return parsed


def parse_retention_days(value: Any) -> int:
    """Days the CSV files are kept (at least 1; the default if no number)."""
    try:
        days = int(value)
    except TypeError, ValueError:
        days = DEFAULT_CSV_RETENTION_DAYS
    return max(1, days)


def _positive_or_none(value: Any) -> float | None:
    """An optional number option: unset, empty or 0 mean "not configured"."""
    return float(value) if value else None


@dataclass(frozen=True, kw_only=True, slots=True)
class EntryOptions:
    """The options of one entry, typed and with their defaults applied."""

    rated_thermal_power_kw: float | None = None
    flow_rate_l_min: float | None = None
    scan_interval_s: float = DEFAULT_SCAN_INTERVAL_S
    meter_scan_interval_s: float = DEFAULT_METER_SCAN_INTERVAL_S
    #: (month, day) the heating season starts on.
    season_start: tuple[int, int] = parse_season_start(DEFAULT_SEASON_START)
    short_cycling_max_starts_per_hour: float = DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR
    cop_below_expected_pct: float = DEFAULT_COP_BELOW_EXPECTED_PCT
    viessmann_daily_call_budget: int = DEFAULT_VIESSMANN_DAILY_CALL_BUDGET
    #: `entities` source: state -> operating mode (ESPAltherma's names unless configured).
    mode_map: Mapping[str, OperatingMode] = field(
        default_factory=lambda: dict(ESPALTHERMA_MODE_MAP)
    )
    #: `entities` source and meter: a value older than this is missing.
    stale_after: timedelta = timedelta(minutes=DEFAULT_STALE_AFTER_MIN)
    #: The CSV export folder as entered (relative: to the config folder); None: the default.
    csv_directory: str | None = None
    csv_time: time = time(7, 0)  # DEFAULT_CSV_TIME
    csv_retention_days: int = DEFAULT_CSV_RETENTION_DAYS
    #: Days of simulated history a new demo entry imports (None: none).
    demo_history_days: int | None = None
    #: The InfluxDB history connection, None when none is configured.
    influxdb: InfluxConfig | None = None

    @property
    def scan_interval(self) -> timedelta:
        """The heat pump's poll interval."""
        return timedelta(seconds=self.scan_interval_s)

    @property
    def meter_scan_interval(self) -> timedelta:
        """The separate meter's poll interval."""
        return timedelta(seconds=self.meter_scan_interval_s)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> EntryOptions:
        """Parse `entry.options` (the errors of :meth:`from_options`)."""
        return cls.from_options(entry.options, title=entry.title)

    @classmethod
    def from_options(cls, options: Mapping[str, Any], *, title: str = "") -> EntryOptions:
        """Parse an options mapping (an entry's, or a config flow's while testing a source).

        Raises ValueError for a season start that is no date and
        `sources.entities.ModeMapError` (a ValueError) for an unusable mode map.
        `title` names the entry in the log line about an invalid CSV time.
        """
        mode_map = parse_mode_map(options[CONF_MODE_MAP]) if options.get(CONF_MODE_MAP) else None
        days = options.get(CONF_DEMO_HISTORY_DAYS)
        return cls(
            rated_thermal_power_kw=_positive_or_none(options.get(CONF_RATED_THERMAL_POWER_KW)),
            flow_rate_l_min=_positive_or_none(options.get(CONF_FLOW_RATE_L_MIN)),
            scan_interval_s=float(options.get(CONF_SCAN_INTERVAL_S, DEFAULT_SCAN_INTERVAL_S)),
            meter_scan_interval_s=float(
                options.get(CONF_METER_SCAN_INTERVAL_S, DEFAULT_METER_SCAN_INTERVAL_S)
            ),
            season_start=parse_season_start(options.get(CONF_SEASON_START, DEFAULT_SEASON_START)),
            short_cycling_max_starts_per_hour=float(
                options.get(
                    CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
                    DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR,
                )
            ),
            cop_below_expected_pct=float(
                options.get(CONF_COP_BELOW_EXPECTED_PCT, DEFAULT_COP_BELOW_EXPECTED_PCT)
            ),
            viessmann_daily_call_budget=int(
                options.get(CONF_VIESSMANN_DAILY_CALL_BUDGET, DEFAULT_VIESSMANN_DAILY_CALL_BUDGET)
            ),
            # An empty parsed map falls back to ESPAltherma's, as the source always did.
            mode_map=mode_map or dict(ESPALTHERMA_MODE_MAP),
            stale_after=timedelta(
                minutes=options.get(CONF_STALE_AFTER_MIN, DEFAULT_STALE_AFTER_MIN)
            ),
            csv_directory=str(options.get(CONF_CSV_DIRECTORY) or "").strip() or None,
            csv_time=parse_csv_time(options.get(CONF_CSV_TIME), title),
            csv_retention_days=parse_retention_days(
                options.get(CONF_CSV_RETENTION_DAYS, DEFAULT_CSV_RETENTION_DAYS)
            ),
            demo_history_days=days if isinstance(days, int) and days > 0 else None,
            influxdb=influx_config(options),
        )


def entry_options(entry: ConfigEntry) -> EntryOptions:
    """The options of a loaded entry as setup parsed them; parsed now for one that is not."""
    runtime = getattr(entry, "runtime_data", None)
    options = getattr(runtime, "options", None)
    if isinstance(options, EntryOptions):
        return options
    return EntryOptions.from_entry(entry)
