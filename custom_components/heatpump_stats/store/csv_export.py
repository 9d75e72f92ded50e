"""Writing the CSV roll-ups and cleaning up old ones (no Home Assistant imports).

File names (the contract's): ``YYYY-MM-DD_daily.csv``, ``YYYY-MM-DD_weekly.csv``
and, for the period's summary (energy by purpose, sessions, outdoor-temperature
bins; :func:`write_summary_csv`), ``YYYY-MM-DD_<period>_summary.csv``; the date
is the *local* date the file is for (the caller passes it).

Format of a roll-up (:func:`write_csv`):

* UTF-8 without a byte-order mark, comma-separated, ``\\r\\n`` line ends, quoting
  as Python's :mod:`csv` does (only where needed), ``.`` as decimal separator.
* One header row, then one row per sample. The header (:func:`order_columns`)
  is ``timestamp``, then every contract key of :data:`CONTRACT_COLUMNS` in that
  fixed order (always, even when no sample has a value for it, so every file of
  every heat pump has the same leading columns), then every other key of the
  samples sorted by name (``extra.*``, ``meter.*``, ``reading.*``, ``setting.*``,
  ``thermal_power_method``, ``time_in_mode.*`` …).
* Cells: empty for None/missing; ``true``/``false`` for booleans; integers and
  floats as Python writes them (shortest round-trip, e.g. ``-3.5``, ``1e-05``;
  NaN/inf become empty); datetimes as ISO 8601 in the given zone (e.g.
  ``2026-01-15T07:00:00+01:00``); enums as their value; lists/dicts as JSON.
* **Formula injection**: a *text* cell (and a header name) that starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with a single
  quote ``'`` so spreadsheets show it as text instead of evaluating it.
  Numbers are never touched: only str values are neutralised, so a real
  measurement like -3.5 (a float) stays a number. A text cell that is exactly a
  plain decimal number (``-3.5``, ``+2``, ``-1.5e3``) is left alone too: it
  cannot be a formula.
* The file is written atomically: a temporary file in the same folder, flushed
  and fsynced, then :func:`os.replace`; readers see the old file or the new
  one, never half of one. The file is readable by everyone (0644).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
import contextlib
import csv
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum
import json
import logging
import math
import os
from pathlib import Path
import re
import tempfile
from typing import IO, Any, Final

_LOGGER = logging.getLogger(__name__)

PERIOD_DAILY: Final = "daily"
PERIOD_WEEKLY: Final = "weekly"
PERIODS: Final = (PERIOD_DAILY, PERIOD_WEEKLY)

TIMESTAMP_COLUMN: Final = "timestamp"
# The contract's entity keys that every sample carries, in the contract's order.
CONTRACT_COLUMNS: Final = (
    "outside_temperature",
    "flow_temperature",
    "return_temperature",
    "dhw_temperature",
    "compressor_modulation",
    "flow_rate",
    "operating_mode",
    "electrical_power",
    "electrical_energy",
    "thermal_power",
    "thermal_power_modulation",
    "thermal_power_delta_t",
    "thermal_energy",
    "cop",
    "daily_cop",
    "seasonal_cop",
    "electrical_energy_heating",
    "electrical_energy_dhw",
    "electrical_energy_defrost",
    "thermal_energy_heating",
    "thermal_energy_dhw",
    "energy_today",
    "energy_week",
    "energy_month",
    "energy_year",
    "projected_annual_energy",
    "compressor_starts",
    "compressor_running",
    "defrost_active",
    "circulation_pump",
)

# Characters that make a spreadsheet treat a cell as a formula (OWASP list).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_OUR_FILE: Final = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})_(?:daily|weekly)(?:_summary)?\.csv"
    # Temporary files a crash left behind (see _atomic_write).
    r"|\.(?P<tmp_date>\d{4}-\d{2}-\d{2})_(?:daily|weekly)(?:_summary)?\.csv\.[^/]*\.tmp"
)


def export_filename(day: date, period: str) -> str:
    """``YYYY-MM-DD_daily.csv`` / ``YYYY-MM-DD_weekly.csv``."""
    _check_period(period)
    return f"{day.isoformat()}_{period}.csv"


def summary_filename(day: date, period: str) -> str:
    """``YYYY-MM-DD_<period>_summary.csv``."""
    _check_period(period)
    return f"{day.isoformat()}_{period}_summary.csv"


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")


def neutralise(text: str) -> str:
    """`text` made safe against CSV formula injection (see the module docstring)."""
    if text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def format_cell(value: Any, tz: tzinfo | None = None) -> str:
    """One cell's text (see the module docstring); `tz` is the zone of datetimes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return format_cell(value.value, tz)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else ""
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz is not None else value).isoformat()
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, (list, tuple, dict)):
        return neutralise(json.dumps(value, ensure_ascii=False, default=str))
    return neutralise(str(value))


def order_columns(keys: Iterable[str]) -> list[str]:
    """The header: ``timestamp``, the contract keys in order, the rest sorted."""
    fixed = {TIMESTAMP_COLUMN, *CONTRACT_COLUMNS}
    rest = sorted({key for key in keys if key not in fixed})
    return [TIMESTAMP_COLUMN, *CONTRACT_COLUMNS, *rest]


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str] | None = None,
    *,
    tz: tzinfo | None = None,
) -> int:
    """Write `rows` to `path` atomically; returns the number of data rows.

    Without `columns` the header is :func:`order_columns` of the union of the
    rows' keys (the rows are then held in memory). With `columns` the rows are
    streamed and only those columns are written, in that order (keys a row has
    beyond them are left out). `tz` is the zone datetimes are written in. The
    folder is created when missing.
    """
    if columns is None:
        materialised = list(rows)
        keys: set[str] = set()
        for row in materialised:
            keys.update(row)
        columns = order_columns(keys)
        rows = materialised
    header = list(columns)

    def _write(handle: IO[str]) -> int:
        writer = csv.writer(handle)
        writer.writerow([neutralise(name) for name in header])
        count = 0
        for row in rows:
            writer.writerow([format_cell(row.get(name), tz) for name in header])
            count += 1
        return count

    return _atomic_write(Path(path), _write)


def write_table(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, tz: tzinfo | None = None
) -> int:
    """Write a plain table (given header, rows as sequences) atomically, same cell rules."""

    def _write(handle: IO[str]) -> int:
        writer = csv.writer(handle)
        writer.writerow([neutralise(str(name)) for name in header])
        count = 0
        for row in rows:
            writer.writerow([format_cell(value, tz) for value in row])
            count += 1
        return count

    return _atomic_write(Path(path), _write)


# Keys of a summary (``Summary.to_dict()``) whose values are ISO 8601 times.
_SUMMARY_TIME_KEYS: Final = frozenset(
    {"start", "end", "last_change", "first_sample", "last_sample"}
)
SUMMARY_FIXED_COLUMNS: Final = ("section", "key")


def _summary_time(value: Any) -> Any:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(value)
    return value


def summary_table(summary: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Flatten a period summary (the ``summarize`` response dict) into one table.

    One row per item; the first two columns say what it is (``section``: ``key``):

    * ``period``: start, end;
    * ``energy``: one row per purpose (combined, running, heating, dhw, …) with
      electrical_energy, thermal_energy, cop, temperatures, starts, hours;
    * ``time_in_mode``: one row per mode with hours;
    * ``defrost``: count, seconds, energy, shares;
    * ``session``: ``1``, ``2``, … in time order: purpose, start, end, duration_s,
      energy, cop, temperatures, defrosts, truncated;
    * ``bin``: ``all`` / ``heating`` rows with outside_temperature_from/_to, hours,
      energy, cop; ``unbinned`` for intervals without outdoor temperature;
    * ``last_change``: one row per on/off condition with state, last_change;
    * ``data_quality``: samples, coverage, gaps;
    * ``setting``: one row per summary setting with value.

    The other columns are the union of the items' fields in first-seen order;
    times become datetimes (written in the file's zone).
    """
    columns: dict[str, None] = {}
    rows: list[tuple[str, str, dict[str, Any]]] = []

    def _add(section: str, key: str, values: Mapping[str, Any]) -> None:
        fields: dict[str, Any] = {}
        for name, value in values.items():
            fields[name] = _summary_time(value) if name in _SUMMARY_TIME_KEYS else value
            columns.setdefault(name)
        rows.append((section, key, fields))

    _add("period", "", {"start": summary.get("start"), "end": summary.get("end")})
    for purpose, values in (summary.get("energy") or {}).items():
        _add("energy", purpose, values)
    for mode, hours in (summary.get("time_in_mode_hours") or {}).items():
        _add("time_in_mode", mode, {"hours": hours})
    if summary.get("defrost") is not None:
        _add("defrost", "", summary["defrost"])
    for number, session in enumerate(summary.get("sessions") or (), start=1):
        _add("session", str(number), session)
    bins = summary.get("outside_temperature_bins") or {}
    for which in ("all", "heating"):
        for item in bins.get(which) or ():
            _add("bin", which, item)
    if bins.get("unbinned") is not None:
        _add("bin", "unbinned", bins["unbinned"])
    for name, change in (summary.get("last_changes") or {}).items():
        _add("last_change", name, change)
    if summary.get("data_quality") is not None:
        _add("data_quality", "", summary["data_quality"])
    settings = dict(summary.get("settings") or {})
    if "bin_width_k" in bins:
        settings["bin_width_k"] = bins["bin_width_k"]
    for name, setting in settings.items():
        _add("setting", name, {"value": setting})

    header = [*SUMMARY_FIXED_COLUMNS, *columns]
    table = [
        [section, key, *(fields.get(name) for name in columns)] for section, key, fields in rows
    ]
    return header, table


def write_summary_csv(path: Path, summary: Mapping[str, Any], *, tz: tzinfo | None = None) -> int:
    """Write :func:`summary_table` of `summary` atomically; returns the number of rows."""
    header, table = summary_table(summary)
    return write_table(path, header, table, tz=tz)


def _atomic_write[T](path: Path, write: Callable[[IO[str]], T]) -> T:
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            result = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.chmod(0o644)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(directory)
    return result


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable (POSIX); not possible everywhere, so best effort."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def cleanup(directory: Path, retention_days: int, now: datetime | date) -> list[Path]:
    """Delete our own files in `directory` older than `retention_days`; returns them.

    Only files named like ours count (``YYYY-MM-DD_daily.csv``,
    ``YYYY-MM-DD_weekly.csv``, ``YYYY-MM-DD_<period>_summary.csv``, and the
    temporary files of an interrupted write); their age is the date in the name,
    compared with the local date of `now` (pass a local datetime or a date). A
    file is deleted when its date is before ``today - retention_days``: with 30
    days, on 2026-02-15 the file of 2026-01-16 stays and 2026-01-15 goes.
    Symbolic links, folders and every other file are left alone; a file that
    cannot be deleted is logged and skipped. A missing folder deletes nothing.
    """
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1")
    today = now.date() if isinstance(now, datetime) else now
    cutoff = today - timedelta(days=retention_days)
    deleted: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return deleted
    for entry in sorted(entries, key=lambda item: item.name):
        match = _OUR_FILE.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            day = date.fromisoformat(match.group("date") or match.group("tmp_date"))
        except ValueError:
            continue
        if day >= cutoff:
            continue
        path = Path(directory) / entry.name
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as err:
            _LOGGER.warning("Cannot delete the old CSV file %s: %s", path, err)
            continue
        deleted.append(path)
    return deleted
