"""Tests of the SQLite change log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
import os
from pathlib import Path
import sqlite3
import threading
from unittest.mock import patch

import pytest

from custom_components.heatpump_stats.store import database as database_module
from custom_components.heatpump_stats.store.changelog import (
    ChangeEntry,
    ChangeLog,
    ChangeLogError,
    schema_version,
)
from custom_components.heatpump_stats.store.connection import quarantine

from .common import opened

T0 = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)


def _entry(
    ts: datetime,
    *,
    entry_id: str = "entry1",
    kind: str = "setpoint_changed",
    key: str = "comfort_temperature",
    old: str | None = "21",
    new: str | None = "21.5",
    source: str = "detected",
    message: str | None = None,
) -> ChangeEntry:
    return ChangeEntry(
        id=None,
        timestamp=ts,
        entry_id=entry_id,
        kind=kind,
        key=key,
        old=old,
        new=new,
        source=source,
        message=message,
    )


@pytest.fixture
def log(db_path: Path) -> Iterator[ChangeLog]:
    yield from opened(ChangeLog(db_path))


def test_init_does_nothing_blocking(db_path: Path) -> None:
    ChangeLog(db_path)
    assert not db_path.parent.exists()


def test_migrates_from_empty(log: ChangeLog, db_path: Path) -> None:
    assert db_path.is_file()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() == 2
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert {"changes", "state"} <= tables
        index_cols = [
            row[2] for row in conn.execute("PRAGMA index_info('idx_changes_entry_ts')").fetchall()
        ]
        assert index_cols == ["entry_id", "ts_us"]
    finally:
        conn.close()


def test_wal_mode_on(log: ChangeLog, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_add_returns_id_and_round_trips(log: ChangeLog) -> None:
    stored = log.add(_entry(T0))
    assert stored.id is not None
    assert log.query("entry1") == [stored]
    with pytest.raises(ValueError, match="already stored"):
        log.add(stored)


def test_reopen_keeps_rows(db_path: Path) -> None:
    first = ChangeLog(db_path)
    first.open()
    stored = first.add(_entry(T0, message="hello"))
    first.set_state("entry1", "baseline", '{"a":"1"}')
    first.close()

    second = ChangeLog(db_path)
    second.open()
    try:
        assert second.query("entry1") == [stored]
        assert second.get_state("entry1", "baseline") == '{"a":"1"}'
    finally:
        second.close()


def test_close_then_open_again(db_path: Path) -> None:
    change_log = ChangeLog(db_path)
    change_log.open()
    change_log.add(_entry(T0))
    change_log.close()
    change_log.close()  # idempotent
    assert not change_log.is_open
    with pytest.raises(ChangeLogError, match="not open"):
        change_log.query("entry1")
    change_log.open()
    try:
        change_log.add(_entry(T0 + timedelta(minutes=1)))
        assert len(change_log.query("entry1")) == 2
    finally:
        change_log.close()


def test_filters_start_inclusive_end_exclusive(log: ChangeLog) -> None:
    for minutes in range(5):
        log.add(_entry(T0 + timedelta(minutes=minutes), new=str(minutes)))
    rows = log.query("entry1", start=T0 + timedelta(minutes=1), end=T0 + timedelta(minutes=3))
    assert [row.new for row in rows] == ["1", "2"]
    # A timestamp in another zone means the same instant.
    cet = timezone(timedelta(hours=1))
    rows = log.query("entry1", start=(T0 + timedelta(minutes=4)).astimezone(cet))
    assert [row.new for row in rows] == ["4"]


def test_filter_kind_and_entry(log: ChangeLog) -> None:
    log.add(_entry(T0, kind="setpoint_changed"))
    log.add(_entry(T0 + timedelta(seconds=1), kind="schedule_changed", key="dhw_schedule"))
    log.add(_entry(T0 + timedelta(seconds=2), kind="note_added", source="note", message="x"))
    log.add(_entry(T0, entry_id="other", kind="schedule_changed"))
    rows = log.query("entry1", kind="schedule_changed")
    assert [(row.entry_id, row.key) for row in rows] == [("entry1", "dhw_schedule")]
    assert len(log.query("entry1")) == 3
    assert log.query("missing") == []


def test_ordering_ascending_and_limit_keeps_newest(log: ChangeLog) -> None:
    # Inserted out of order; two rows share a timestamp (tie broken by id).
    for minutes in (3, 0, 2, 1):
        log.add(_entry(T0 + timedelta(minutes=minutes), new=str(minutes)))
    log.add(_entry(T0 + timedelta(minutes=2), new="2b"))
    rows = log.query("entry1")
    assert [row.new for row in rows] == ["0", "1", "2", "2b", "3"]
    assert [row.new for row in log.query("entry1", limit=2)] == ["2b", "3"]
    with pytest.raises(ValueError, match="limit"):
        log.query("entry1", limit=0)


def test_latest(log: ChangeLog) -> None:
    assert log.latest("entry1") is None
    log.add(_entry(T0 + timedelta(minutes=5), new="late"))
    log.add(_entry(T0, new="early"))  # added later but older
    latest = log.latest("entry1")
    assert latest is not None
    assert latest.new == "late"
    assert latest.timestamp == T0 + timedelta(minutes=5)
    assert latest.timestamp.tzinfo is UTC


def test_timestamps_utc_and_microseconds_kept(log: ChangeLog) -> None:
    cet = timezone(timedelta(hours=1))
    ts = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=cet)
    log.add(_entry(ts))
    (row,) = log.query("entry1")
    assert row.timestamp == ts
    assert row.timestamp.utcoffset() == timedelta(0)
    assert row.to_dict()["timestamp"] == "2026-03-01T07:30:15.123456+00:00"


def test_to_dict_json_ready(log: ChangeLog) -> None:
    stored = log.add(_entry(T0, kind="note_added", source="note", old=None, new=None, message="m"))
    assert stored.to_dict() == {
        "id": stored.id,
        "entry_id": "entry1",
        "kind": "note_added",
        "key": "comfort_temperature",
        "old": None,
        "new": None,
        "timestamp": "2026-01-10T12:00:00+00:00",
        "source": "note",
        "message": "m",
    }


def test_state_round_trip(log: ChangeLog) -> None:
    assert log.get_state("entry1", "baseline") is None
    log.set_state("entry1", "baseline", '{"a":"1"}')
    log.set_state("entry1", "baseline", '{"a":"2"}')  # replaces
    log.set_state("entry2", "baseline", "other")
    assert log.get_state("entry1", "baseline") == '{"a":"2"}'
    assert log.get_state("entry2", "baseline") == "other"
    assert log.get_state("entry1", "nothing") is None


def test_delete_entry(log: ChangeLog) -> None:
    log.add(_entry(T0))
    log.add(_entry(T0, entry_id="keep"))
    log.set_state("entry1", "baseline", "x")
    log.set_state("keep", "baseline", "y")
    log.delete_entry("entry1")
    assert log.query("entry1") == []
    assert log.latest("entry1") is None
    assert log.get_state("entry1", "baseline") is None
    assert len(log.query("keep")) == 1
    assert log.get_state("keep", "baseline") == "y"


def test_sql_injection_stored_verbatim(log: ChangeLog) -> None:
    evil = "x'); DROP TABLE changes; --"
    stored = log.add(
        _entry(T0, entry_id=evil, key=evil, old=evil, new='"; DELETE FROM state; --', message=evil)
    )
    log.set_state(evil, evil, evil)
    (row,) = log.query(evil, kind="setpoint_changed")
    assert row == stored
    assert row.key == evil
    assert row.message == evil
    assert log.get_state(evil, evil) == evil
    assert log.query("entry1") == []  # the table still exists


def test_concurrent_adds_from_threads(log: ChangeLog) -> None:
    threads_n, per_thread = 8, 50
    errors: list[Exception] = []
    barrier = threading.Barrier(threads_n)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                log.add(_entry(T0 + timedelta(seconds=i), new=f"{n}-{i}"))
                if i % 10 == 0:
                    log.query("entry1", limit=5)
        except Exception as err:  # collected for the assert below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = log.query("entry1", limit=10_000)
    assert len(rows) == threads_n * per_thread
    assert len({row.id for row in rows}) == threads_n * per_thread
    assert len({row.new for row in rows}) == threads_n * per_thread


def test_corrupt_file_raises_changelog_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database at all \x00\xff" * 200)
    change_log = ChangeLog(db_path)
    with pytest.raises(ChangeLogError, match="corrupt or not an SQLite database"):
        change_log.open()
    assert not change_log.is_open


def test_newer_schema_raises_changelog_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {schema_version() + 1}")
    conn.commit()
    conn.close()
    change_log = ChangeLog(db_path)
    with pytest.raises(ChangeLogError, match="newer than this version"):
        change_log.open()
    assert not change_log.is_open


def test_later_migration_applies_once_in_order(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    v1 = ChangeLog(db_path)
    v1.open()
    stored = v1.add(_entry(T0))
    v1.close()

    v2_migration = (
        "CREATE TABLE extra (n INTEGER)",
        "INSERT INTO extra (n) VALUES (1)",
    )
    monkeypatch.setattr(database_module, "MIGRATIONS", (*database_module.MIGRATIONS, v2_migration))
    for _ in range(2):  # the second open must not re-run v2
        v2 = ChangeLog(db_path)
        v2.open()
        v2.close()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert conn.execute("SELECT count(*) FROM extra").fetchone()[0] == 1
    finally:
        conn.close()
    again = ChangeLog(db_path)
    again.open()
    try:
        assert again.query("entry1") == [stored]
    finally:
        again.close()


def test_failed_migration_rolls_back(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = (*database_module.MIGRATIONS[0], "THIS IS NOT SQL")
    monkeypatch.setattr(database_module, "MIGRATIONS", (broken,))
    change_log = ChangeLog(db_path)
    with pytest.raises(ChangeLogError, match="schema version 1 failed"):
        change_log.open()
    assert not change_log.is_open
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
        tables = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        assert tables == []
    finally:
        conn.close()


def _open_together(path: Path, store: str, threads_n: int) -> list[Exception]:
    """Open `threads_n` handles on `path` at one instant; the errors they raised."""
    from custom_components.heatpump_stats.store.samples import SampleStore  # noqa: PLC0415

    errors: list[Exception] = []
    barrier = threading.Barrier(threads_n)
    handles: list[ChangeLog | SampleStore] = []

    def worker(n: int) -> None:
        kind = store if store != "both" else ("changelog", "samples")[n % 2]
        handle: ChangeLog | SampleStore = (
            ChangeLog(path) if kind == "changelog" else SampleStore(path)
        )
        handles.append(handle)
        try:
            barrier.wait()
            handle.open()
        except Exception as err:  # collected for the assert below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for handle in handles:
        handle.close()
    return errors


@pytest.mark.parametrize("store", ["changelog", "samples", "both"])
def test_many_stores_open_a_fresh_file_at_once(tmp_path: Path, store: str) -> None:
    """Entries set up together: every open migrates exactly once, none fails (issue 14).

    Each round opens 12 handles on a new file at the same instant (a barrier); before
    the fix two connections both read ``user_version`` 0 outside the write lock and the
    second ``CREATE TABLE changes`` failed with "table changes already exists".
    """
    threads_n, rounds = 12, 8
    for round_n in range(rounds):
        path = tmp_path / f"round{round_n}" / "heatpump_stats.db"
        errors = _open_together(path, store, threads_n)
        assert errors == []
        conn = sqlite3.connect(path)
        try:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        finally:
            conn.close()


def _filled_database(db_path: Path, rows: int = 400) -> None:
    change_log = ChangeLog(db_path)
    change_log.open()
    for i in range(rows):
        change_log.add(_entry(T0 + timedelta(seconds=i), message="x" * 200))
    change_log.close()


def test_truncated_file_is_found_corrupt_at_open(db_path: Path) -> None:
    """A file cut to half keeps a readable first page: the damage must show at open."""
    _filled_database(db_path)
    data = db_path.read_bytes()
    assert len(data) > 8192
    db_path.write_bytes(data[: len(data) // 2])
    change_log = ChangeLog(db_path)
    with pytest.raises(ChangeLogError) as caught:
        change_log.open()
    assert caught.value.reason == "corrupt"
    assert not change_log.is_open


def test_corrupt_file_is_moved_aside_never_deleted(db_path: Path) -> None:
    garbage = b"this is not a database at all \x00\xff" * 200
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(garbage)
    change_log = ChangeLog(db_path)
    moved = change_log.open_or_move_aside(T0)
    try:
        assert moved == db_path.with_name("heatpump_stats.db.corrupt-20260110T120000Z")
        assert moved.read_bytes() == garbage
        # A new, working log in the old place.
        assert change_log.is_open
        change_log.add(_entry(T0))
        assert len(change_log.query("entry1")) == 1
    finally:
        change_log.close()
    # A second damaged file the same second does not overwrite the first.
    db_path.write_bytes(garbage)
    again = ChangeLog(db_path)
    second = again.open_or_move_aside(T0)
    again.close()
    assert second == db_path.with_name("heatpump_stats.db.corrupt-20260110T120000Z-2")
    assert moved.read_bytes() == garbage


def test_good_file_is_not_moved(db_path: Path) -> None:
    _filled_database(db_path, rows=3)
    change_log = ChangeLog(db_path)
    assert change_log.open_or_move_aside(T0) is None
    assert len(change_log.query("entry1")) == 3
    change_log.close()
    assert list(db_path.parent.glob("*.corrupt-*")) == []


def test_damaged_file_in_use_by_another_handle_is_not_moved(db_path: Path) -> None:
    """Another entry still writes to it: moving it would send those writes into the moved file."""
    _filled_database(db_path, rows=1)
    holder = ChangeLog(db_path)
    holder.open()
    try:
        newcomer = ChangeLog(db_path)
        with (
            patch.object(ChangeLog, "_prepare", side_effect=ChangeLogError("damaged", "corrupt")),
            pytest.raises(ChangeLogError, match="damaged"),
        ):
            newcomer.open_or_move_aside(T0)
        assert db_path.exists()
        assert list(db_path.parent.glob("*.corrupt-*")) == []
    finally:
        holder.close()


def test_read_only_database_is_not_called_corrupt(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file Home Assistant may not write is a permission problem, and is never moved.

    Tests run as root, which ignores file modes; SQLite's read-only URI mode gives
    the same SQLITE_READONLY errors a read-only folder or file gives.
    """
    _filled_database(db_path, rows=0)
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA user_version = 0")
    conn.close()

    def read_only(self: ChangeLog) -> sqlite3.Connection:
        return sqlite3.connect(
            f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
        )

    monkeypatch.setattr(ChangeLog, "_connect", read_only)
    change_log = ChangeLog(db_path)
    with pytest.raises(ChangeLogError) as caught:
        change_log.open_or_move_aside(T0)
    assert caught.value.reason == "not_writable"
    assert "not writable" in str(caught.value)
    assert "corrupt" not in str(caught.value)
    assert db_path.exists()
    assert list(db_path.parent.glob("*.corrupt-*")) == []


def test_unwritable_folder_is_reported_as_permissions(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What os.access says for a folder without write permission (root ignores modes)."""
    _filled_database(db_path, rows=1)
    real_access = os.access

    def no_write(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)) in {db_path, db_path.parent}:
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", no_write)
    change_log = ChangeLog(db_path)
    with pytest.raises(ChangeLogError) as caught:
        change_log.open_or_move_aside(T0)
    assert caught.value.reason == "not_writable"
    assert db_path.exists()


def test_quarantine_moves_the_side_files_too(tmp_path: Path) -> None:
    path = tmp_path / "heatpump_stats.db"
    path.write_bytes(b"main")
    path.with_name("heatpump_stats.db-wal").write_bytes(b"wal")
    moved = quarantine(path, T0)
    assert moved.read_bytes() == b"main"
    assert moved.with_name(moved.name + "-wal").read_bytes() == b"wal"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "heatpump_stats.db.corrupt-20260110T120000Z",
        "heatpump_stats.db.corrupt-20260110T120000Z-wal",
    ]
