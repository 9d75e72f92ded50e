"""Tests of the CSV writer and the retention cleanup (no Home Assistant)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
import csv
from dataclasses import fields
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
import stat
from typing import Any

import pytest

from custom_components.heatpump_stats.engine.analytics import SummaryBuilder
from custom_components.heatpump_stats.engine.core import Metrics
from custom_components.heatpump_stats.engine.sample import Sample
from custom_components.heatpump_stats.model.reading import OperatingMode
from custom_components.heatpump_stats.store.csv_export import (
    CONTRACT_COLUMNS,
    cleanup,
    export_filename,
    format_cell,
    neutralise,
    order_columns,
    summary_filename,
    summary_table,
    write_csv,
    write_summary_csv,
    write_table,
)

T0 = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
CET = timezone(timedelta(hours=1))


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_contract_columns_are_metrics() -> None:
    """Every fixed column is a metric the engine computes (no typo can hide a column)."""
    names = {f.name for f in fields(Metrics)}
    assert set(CONTRACT_COLUMNS) <= names
    assert len(set(CONTRACT_COLUMNS)) == len(CONTRACT_COLUMNS)


def test_header_is_timestamp_contract_keys_then_the_rest_sorted(tmp_path: Path) -> None:
    rows = [
        {"timestamp": T0, "setting.b": 1, "cop": 3.0, "extra.z": 1},
        {"timestamp": T0 + timedelta(seconds=30), "extra.a": 2, "outside_temperature": -1.0},
    ]
    path = tmp_path / "2026-01-15_daily.csv"
    assert write_csv(path, rows, tz=UTC) == 2
    header, first, second = _read(path)
    assert header == ["timestamp", *CONTRACT_COLUMNS, "extra.a", "extra.z", "setting.b"]
    assert order_columns(["setting.b", "timestamp", "cop", "extra.a", "extra.z"]) == header
    by_name = dict(zip(header, first, strict=True))
    assert by_name["timestamp"] == "2026-01-15T06:00:00+00:00"
    assert by_name["cop"] == "3.0"
    assert by_name["extra.a"] == ""  # missing in this row
    assert by_name["outside_temperature"] == ""
    assert dict(zip(header, second, strict=True))["outside_temperature"] == "-1.0"


def test_cells(tmp_path: Path) -> None:
    """Booleans, numbers, enums, datetimes in the given zone; None empty."""
    assert format_cell(None) == ""
    assert format_cell(True) == "true"
    assert format_cell(False) == "false"
    assert format_cell(7) == "7"
    assert format_cell(-3.5) == "-3.5"
    assert format_cell(0.00001) == "1e-05"
    assert format_cell(float("nan")) == ""
    assert format_cell(float("-inf")) == ""
    assert format_cell(OperatingMode.DHW) == "dhw"
    assert format_cell(T0, CET) == "2026-01-15T07:00:00+01:00"
    assert format_cell([1, "=x"]) == '[1, "=x"]'
    assert format_cell({"a": 1}) == '{"a": 1}'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        # Plain numbers written as text are no formula: left alone.
        ("-3.5", "-3.5"),
        ("+2", "+2"),
        ("-1.5e3", "-1.5e3"),
        # Harmless text.
        ("heating", "heating"),
        ("06:00-22:00", "06:00-22:00"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_injection_is_neutralised_only_in_text(text: str, expected: str) -> None:
    assert neutralise(text) == expected
    assert format_cell(text) == expected


def test_neutralised_cells_in_the_file_and_numbers_kept(tmp_path: Path) -> None:
    """A negative measurement stays a number; text and header names are neutralised."""
    path = tmp_path / "out.csv"
    write_csv(
        path,
        [
            {
                "timestamp": T0,
                "outside_temperature": -3.5,
                "extra.code": "=cmd|' /C calc'!A0",
                "=evil": "@x",
                "extra.note": 'comma, "quote"\nnewline',
            }
        ],
        tz=UTC,
    )
    header, row = _read(path)
    cells = dict(zip(header, row, strict=True))
    assert cells["outside_temperature"] == "-3.5"
    assert cells["extra.code"] == "'=cmd|' /C calc'!A0"
    assert cells["'=evil"] == "'@x"
    assert cells["extra.note"] == 'comma, "quote"\nnewline'  # quoted by the csv module


def test_columns_stream_rows_once_and_drop_other_keys(tmp_path: Path) -> None:
    consumed = []

    def _rows() -> Iterator[Mapping[str, Any]]:
        for n in range(3):
            consumed.append(n)
            yield {"timestamp": T0 + timedelta(seconds=n), "cop": n, "unknown": "x"}

    path = tmp_path / "x.csv"
    assert write_csv(path, _rows(), ["timestamp", "cop"], tz=CET) == 3
    assert consumed == [0, 1, 2]
    assert _read(path) == [
        ["timestamp", "cop"],
        ["2026-01-15T07:00:00+01:00", "0"],
        ["2026-01-15T07:00:01+01:00", "1"],
        ["2026-01-15T07:00:02+01:00", "2"],
    ]


def test_empty_input_still_has_the_full_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    assert write_csv(path, []) == 0
    assert _read(path) == [["timestamp", *CONTRACT_COLUMNS]]


def test_utf8_without_bom_crlf_and_readable_by_everyone(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "x.csv"  # missing folders are created
    write_csv(path, [{"timestamp": T0, "setting.Betriebsart": "Sommer/Übergang"}], tz=UTC)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 2
    assert "Sommer/Übergang".encode() in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_write_replaces_atomically_and_a_failure_keeps_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "2026-01-15_daily.csv"
    write_csv(path, [{"timestamp": T0, "cop": 1.0}])
    before = path.read_bytes()

    def _broken() -> Iterator[Mapping[str, Any]]:
        yield {"timestamp": T0, "cop": 2.0}
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_csv(path, _broken(), ["timestamp", "cop"])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-01-15_daily.csv"]

    write_csv(path, [{"timestamp": T0, "cop": 3.0}])
    assert _read(path)[1][CONTRACT_COLUMNS.index("cop") + 1] == "3.0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-01-15_daily.csv"]


def test_write_table(tmp_path: Path) -> None:
    path = tmp_path / "2026-01-15_daily_summary.csv"
    assert write_table(path, ["bin", "cop"], [("-5..0", 2.9), ("=x", None)]) == 2
    # Text that starts like a formula is neutralised, a bin label too.
    assert _read(path) == [["bin", "cop"], ["'-5..0", "2.9"], ["'=x", ""]]


def test_file_names() -> None:
    assert export_filename(date(2026, 1, 5), "daily") == "2026-01-05_daily.csv"
    assert export_filename(date(2026, 1, 5), "weekly") == "2026-01-05_weekly.csv"
    assert summary_filename(date(2026, 1, 5), "weekly") == "2026-01-05_weekly_summary.csv"
    with pytest.raises(ValueError, match="period"):
        export_filename(date(2026, 1, 5), "monthly")


def test_cleanup_deletes_only_our_old_files(tmp_path: Path) -> None:
    """Retention 30 days on 2026-02-15: 2026-01-16 is kept, 2026-01-15 goes."""
    ours_old = [
        "2026-01-15_daily.csv",
        "2026-01-15_weekly.csv",
        "2026-01-15_daily_summary.csv",
        "2025-12-01_weekly_summary.csv",
        ".2026-01-10_daily.csv.abc123.tmp",  # left behind by a crash
    ]
    ours_young = ["2026-01-16_daily.csv", "2026-02-15_weekly.csv", "2026-02-15_daily_summary.csv"]
    foreign = [
        "notes.csv",
        "2026-01-01_monthly.csv",
        "2026-01-01_daily.csv.bak",
        "2026-01-01_daily.txt",
        "x2026-01-01_daily.csv",
        "2026-13-45_daily.csv",  # no date
        "2026-01-01_hourly_summary.csv",
    ]
    for name in ours_old + ours_young + foreign:
        (tmp_path / name).write_text("x")
    (tmp_path / "2026-01-02_daily.csv").mkdir()  # a folder is never deleted
    target = tmp_path / "elsewhere.csv"
    target.write_text("keep")
    (tmp_path / "2026-01-03_daily.csv").symlink_to(target)  # nor a link

    deleted = cleanup(tmp_path, 30, datetime(2026, 2, 15, 7, 0, tzinfo=CET))

    assert deleted == sorted((tmp_path / name for name in ours_old), key=lambda p: p.name)
    left = {p.name for p in tmp_path.iterdir()}
    assert left == {
        *ours_young,
        *foreign,
        "2026-01-02_daily.csv",
        "2026-01-03_daily.csv",
        "elsewhere.csv",
    }
    assert target.read_text() == "keep"
    # A date works as well as a datetime; nothing left to delete.
    assert cleanup(tmp_path, 30, date(2026, 2, 15)) == []


def test_cleanup_edge_cases(tmp_path: Path) -> None:
    assert cleanup(tmp_path / "missing", 30, date(2026, 2, 15)) == []
    (tmp_path / "2026-02-14_daily.csv").write_text("x")
    with pytest.raises(ValueError, match="at least 1"):
        cleanup(tmp_path, 0, date(2026, 2, 15))
    assert cleanup(tmp_path, 1, date(2026, 2, 15)) == []  # yesterday's file stays
    assert cleanup(tmp_path, 1, date(2026, 2, 16)) == [tmp_path / "2026-02-14_daily.csv"]


def test_cleanup_skips_a_file_it_cannot_delete(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "2026-01-01_daily.csv").write_text("x")
    (tmp_path / "2026-01-01_weekly.csv").write_text("x")
    real_unlink = Path.unlink

    def _unlink(self: Path, missing_ok: bool = False) -> None:
        if self.name == "2026-01-01_daily.csv":
            raise PermissionError("read-only")
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", _unlink)
    assert cleanup(tmp_path, 30, date(2026, 2, 15)) == [tmp_path / "2026-01-01_weekly.csv"]
    assert "Cannot delete the old CSV file" in caplog.text
    assert (tmp_path / "2026-01-01_daily.csv").exists()


def test_summary_table_flattens_a_real_summary(tmp_path: Path) -> None:
    """One hour: compressor on for 50 min, 1.5 kWh electricity, 6 kWh heat (COP 4)."""
    builder = SummaryBuilder(start=T0, end=T0 + timedelta(hours=1), net_thermal_counter=True)
    for n in range(121):  # every 30 s; 0.0125 kWh electricity and 0.05 kWh heat per step
        builder.add(
            Sample(
                ts=T0 + timedelta(seconds=30 * n),
                electrical_power=1500.0,
                electrical_energy=n * 0.0125,
                thermal_energy=n * 0.05,
                flow_temperature=35.0,
                outside_temperature=-2.5,
                compressor_running=n < 100,
            )
        )
    path = tmp_path / "2026-01-15_daily_summary.csv"
    count = write_summary_csv(path, builder.result().to_dict(), tz=CET)
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == count
    header = _read(path)[0]
    assert header[:2] == ["section", "key"]
    by = {(row["section"], row["key"]): row for row in rows}
    assert by[("period", "")]["start"] == "2026-01-15T07:00:00+01:00"
    combined = by[("energy", "combined")]
    assert float(combined["electrical_energy"]) == pytest.approx(1.5)
    assert float(combined["thermal_energy"]) == pytest.approx(6.0)
    assert float(combined["cop"]) == pytest.approx(4.0)
    sessions = [row for row in rows if row["section"] == "session"]
    assert [(s["key"], s["purpose"]) for s in sessions] == [("1", "heating")]
    assert sessions[0]["end"] == "2026-01-15T07:50:00+01:00"  # 100 × 30 s after the start
    bins = [row for row in rows if row["section"] == "bin" and row["key"] == "all"]
    # -2.5 °C lies in the 1-K bin [-3, -2): a number, not neutralised text.
    assert [(b["outside_temperature_from"], b["outside_temperature_to"]) for b in bins] == [
        ("-3.0", "-2.0")
    ]
    assert by[("time_in_mode", "heating")]["hours"] != ""
    assert by[("data_quality", "")]["samples"] == "120"
    assert by[("setting", "bin_width_k")]["value"] == "1.0"


def test_summary_table_of_an_empty_dict() -> None:
    header, rows = summary_table({})
    assert header == ["section", "key", "start", "end"]
    assert rows == [["period", "", None, None]]
