"""Tests of the per-poll sample table (no Home Assistant)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone
import json
from pathlib import Path
import sqlite3
import threading

import pytest

from custom_components.heatpump_stats.engine.core import Engine, EngineConfig, Metrics
from custom_components.heatpump_stats.model.reading import (
    HeatPumpReading,
    MeterReading,
    OperatingMode,
)
from custom_components.heatpump_stats.store import database as database_module
from custom_components.heatpump_stats.store.changelog import (
    ChangeEntry,
    ChangeLog,
    ChangeLogError,
    schema_version,
)
from custom_components.heatpump_stats.store.samples import (
    SAMPLE_RETENTION,
    SampleStore,
    SampleStoreError,
    build_row,
)

from .common import opened

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_path: Path) -> Iterator[SampleStore]:
    yield from opened(SampleStore(db_path))


def _times(rows: list[dict[str, object]]) -> list[object]:
    return [row["timestamp"] for row in rows]


def test_open_migrates_to_v2_with_the_samples_table(store: SampleStore, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() == 2
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"changes", "state", "samples"} <= tables
        index_cols = [
            row[2] for row in conn.execute("PRAGMA index_info('idx_samples_entry_ts')").fetchall()
        ]
        assert index_cols == ["entry_id", "ts_us"]
    finally:
        conn.close()


def test_v1_database_is_upgraded_and_keeps_its_change_log(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database written before the samples existed gets the table; its rows stay."""
    with monkeypatch.context() as patch:
        patch.setattr(database_module, "MIGRATIONS", database_module.MIGRATIONS[:1])
        v1 = ChangeLog(db_path)
        v1.open()
        note = v1.add(
            ChangeEntry(
                id=None,
                timestamp=T0,
                entry_id="entry1",
                kind="note_added",
                key="note",
                old=None,
                new=None,
                source="note",
                message="before the upgrade",
            )
        )
        v1.close()
    samples = SampleStore(db_path)
    samples.open()
    try:
        samples.add("entry1", T0, {"cop": 3.5})
        assert samples.count("entry1") == 1
    finally:
        samples.close()
    log = ChangeLog(db_path)
    log.open()
    try:
        assert log.query("entry1") == [note]
    finally:
        log.close()


def test_rows_come_back_in_time_order_with_aware_utc_timestamps(store: SampleStore) -> None:
    store.add("entry1", T0 + timedelta(seconds=60), {"n": 2})
    store.add("entry1", T0, {"n": 1})
    # Naive is UTC; another offset is converted.
    store.add("entry1", datetime(2026, 1, 10, 12, 2), {"n": 3})
    store.add("entry1", datetime(2026, 1, 10, 13, 3, tzinfo=timezone(timedelta(hours=1))), {"n": 4})
    rows = list(store.iter_rows("entry1", T0, T0 + timedelta(hours=1)))
    assert [row["n"] for row in rows] == [1, 2, 3, 4]
    assert _times(rows) == [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3)]
    assert all(row["timestamp"].tzinfo is UTC for row in rows)
    assert list(rows[0]) == ["timestamp", "n"]


def test_range_is_half_open_and_per_entry(store: SampleStore) -> None:
    for minutes in range(5):
        store.add("entry1", T0 + timedelta(minutes=minutes), {"n": minutes})
    store.add("entry2", T0 + timedelta(minutes=2), {"n": 99})
    start, end = T0 + timedelta(minutes=1), T0 + timedelta(minutes=4)
    assert [r["n"] for r in store.iter_rows("entry1", start, end)] == [1, 2, 3]
    assert store.count("entry1", start, end) == 3
    assert store.count("entry1") == 5
    assert store.count("entry2") == 1
    assert list(store.iter_rows("entry1", end, end)) == []


def test_paging_keeps_order_across_ties_at_page_boundaries(store: SampleStore) -> None:
    """Five samples at one instant and two later ones, read two per page."""
    for n in range(5):
        store.add("entry1", T0, {"n": n})
    store.add("entry1", T0 + timedelta(seconds=1), {"n": 5})
    store.add("entry1", T0 + timedelta(seconds=2), {"n": 6})
    rows = list(store.iter_rows("entry1", T0, T0 + timedelta(seconds=3), page_size=2))
    assert [r["n"] for r in rows] == [0, 1, 2, 3, 4, 5, 6]
    with pytest.raises(ValueError, match="page_size"):
        list(store.iter_rows("entry1", T0, T0, page_size=0))


def test_iterating_does_not_hold_the_lock_between_rows(store: SampleStore) -> None:
    """A poll can be recorded while a file is being written (same thread: no deadlock)."""
    for n in range(3):
        store.add("entry1", T0 + timedelta(seconds=n), {"n": n})
    seen = []
    for row in store.iter_rows("entry1", T0, T0 + timedelta(hours=1), page_size=1):
        seen.append(row["n"])
        store.add("entry1", T0 + timedelta(hours=2), {"n": 100 + len(seen)})
    assert seen == [0, 1, 2]
    assert store.count("entry1") == 6


def test_keys_are_the_union_of_the_window(store: SampleStore) -> None:
    store.add("entry1", T0, {"cop": 3.1, "extra.a": 1})
    store.add("entry1", T0 + timedelta(minutes=1), {"cop": 3.2, "extra.b": None})
    store.add("entry1", T0 + timedelta(minutes=5), {"extra.late": 1})
    store.add("entry2", T0, {"other": 1})
    assert store.keys("entry1", T0, T0 + timedelta(minutes=5)) == {"cop", "extra.a", "extra.b"}


def test_values_are_stored_as_plain_json(store: SampleStore, db_path: Path) -> None:
    """Enums by value, datetimes ISO, non-finite floats as None, unknown types as str."""
    store.add(
        "entry1",
        T0,
        {
            "mode": OperatingMode.DEFROST,
            "when": datetime(2026, 1, 10, 13, 0, tzinfo=timezone(timedelta(hours=1))),
            "nan": float("nan"),
            "inf": float("inf"),
            "neg": -3.5,
            "flag": True,
            "count": 7,
            "text": "=1+1",
            "path": Path("/x"),
            "list": (1.0, float("nan")),
        },
    )
    (row,) = store.iter_rows("entry1", T0, T0 + timedelta(seconds=1))
    assert row == {
        "timestamp": T0,
        "mode": "defrost",
        "when": "2026-01-10T12:00:00+00:00",
        "nan": None,
        "inf": None,
        "neg": -3.5,
        "flag": True,
        "count": 7,
        "text": "=1+1",
        "path": "/x",
        "list": [1.0, None],
    }
    conn = sqlite3.connect(db_path)
    try:
        (raw,) = conn.execute("SELECT data FROM samples").fetchone()
    finally:
        conn.close()
    assert json.loads(raw)["mode"] == "defrost"


def test_timestamp_key_is_reserved(store: SampleStore) -> None:
    with pytest.raises(ValueError, match="reserved"):
        store.add("entry1", T0, {"timestamp": "x"})
    assert store.count("entry1") == 0


def test_prune_and_delete_entry(store: SampleStore) -> None:
    for days in range(10):
        store.add("entry1", T0 - timedelta(days=days), {"d": days})
    store.add("entry2", T0 - timedelta(days=9), {"d": 9})
    # Only the 9-day-old one: `before` itself (exactly 8 days old) is kept.
    assert store.prune("entry1", T0 - SAMPLE_RETENTION) == 1
    assert store.count("entry1") == 9
    assert store.count("entry2") == 1  # another entry is not touched
    assert store.delete_entry("entry1") == 9
    assert store.count("entry1") == 0
    assert store.count("entry2") == 1


def test_unreadable_row_is_skipped(store: SampleStore, db_path: Path) -> None:
    store.add("entry1", T0, {"n": 1})
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO samples (entry_id, ts_us, data) VALUES (?, ?, ?)",
        ("entry1", int((T0 + timedelta(seconds=1)).timestamp() * 1_000_000), "{not json"),
    )
    conn.commit()
    conn.close()
    store.add("entry1", T0 + timedelta(seconds=2), {"n": 3})
    assert [r["n"] for r in store.iter_rows("entry1", T0, T0 + timedelta(minutes=1))] == [1, 3]


def test_not_open_and_closed_raise(db_path: Path) -> None:
    samples = SampleStore(db_path)
    assert not db_path.parent.exists()  # nothing happens before open()
    with pytest.raises(SampleStoreError, match="not open"):
        samples.add("entry1", T0, {})
    assert issubclass(SampleStoreError, ChangeLogError)
    samples.open()
    samples.open()  # twice is harmless
    assert samples.is_open
    samples.close()
    samples.close()  # twice too
    with pytest.raises(SampleStoreError, match="not open"):
        samples.count("entry1")


def test_corrupt_file_is_a_changelog_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database" * 100)
    samples = SampleStore(db_path)
    with pytest.raises(ChangeLogError, match="corrupt"):
        samples.open()
    assert not samples.is_open


def test_writes_from_threads_and_next_to_the_change_log(store: SampleStore, db_path: Path) -> None:
    """Executor threads write samples while the change log (own connection) writes too."""
    log = ChangeLog(db_path)
    log.open()
    errors: list[BaseException] = []

    def _worker(offset: int) -> None:
        try:
            for n in range(50):
                store.add("entry1", T0 + timedelta(seconds=offset * 1000 + n), {"n": n})
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=_worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for n in range(20):
        log.set_state("entry1", f"k{n}", "v")
    for thread in threads:
        thread.join()
    log.close()
    assert errors == []
    assert store.count("entry1") == 200


def _reading(ts: datetime, **kwargs: object) -> HeatPumpReading:
    values: dict[str, object] = {
        "outside_temperature": -3.5,
        "flow_temperature": 35.0,
        "return_temperature": 30.0,
        "dhw_temperature": 48.0,
        "compressor_modulation": 60.0,
        "flow_rate": 20.0,
        "operating_mode": OperatingMode.HEATING,
        "compressor_running": True,
        "defrost_active": False,
        "circulation_pump": True,
        "electrical_power": 1500.0,
        "electrical_energy": 1234.5,
        "rated_thermal_power": 8.0,
        "settings": {"comfort_temperature": 20.0, "heating_schedule": "06:00-22:00"},
        "extra": {"ID_WEB_Temperatur_TVL": 35.1, "last_error_code": "=cmd", "nan": float("nan")},
    }
    values.update(kwargs)
    return HeatPumpReading(timestamp=ts, **values)  # type: ignore[arg-type]


def _metrics(reading: HeatPumpReading) -> Metrics:
    engine = Engine(EngineConfig(), UTC)
    engine.update_heat_pump(_reading(reading.timestamp - timedelta(seconds=30)))
    engine.update_heat_pump(reading)
    return engine.snapshot(reading.timestamp)


def test_build_row_has_every_metric_and_every_raw_value() -> None:
    reading = _reading(T0)
    metrics = _metrics(reading)
    meter = MeterReading(
        timestamp=T0 - timedelta(seconds=5),
        power=1490.0,
        energy=99.5,
        phases_power=(500.0, 490.0, None),
        phases_energy=(33.0, 33.0, 33.5),
    )
    row = build_row(reading, metrics, meter)

    metric_names = {f.name for f in fields(Metrics)} - {"time_in_mode"}
    assert metric_names <= set(row)
    assert row["operating_mode"] == "heating"
    assert row["thermal_power_method"] == "delta_t"
    assert row["outside_temperature"] == -3.5
    assert {f"time_in_mode.{mode}" for mode in metrics.time_in_mode} <= set(row)
    raw_fields = {f.name for f in fields(HeatPumpReading)} - {"timestamp", "settings", "extra"}
    assert {f"reading.{name}" for name in raw_fields} <= set(row)
    assert row["reading.electrical_energy"] == 1234.5
    assert row["reading.operating_mode"] == "heating"
    assert row["reading.thermal_power"] is None
    assert row["setting.heating_schedule"] == "06:00-22:00"
    assert row["extra.ID_WEB_Temperatur_TVL"] == 35.1
    assert row["extra.last_error_code"] == "=cmd"  # neutralised only when written to CSV
    assert row["extra.nan"] is None
    assert row["meter.power"] == 1490.0
    assert row["meter.timestamp"] == "2026-01-10T11:59:55+00:00"
    assert row["meter.phases_power.3"] is None
    assert row["meter.phases_energy.3"] == 33.5
    assert "timestamp" not in row
    json.dumps(row, allow_nan=False)  # plain JSON, storable as is
    assert not any(key.startswith("meter.") for key in build_row(reading, metrics))
