"""The CSV roll-ups end to end: samples per poll, export_csv, the daily schedule, cleanup."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats.const import (
    CONF_METER,
    CONF_NAME,
    CONF_SOURCE,
    DOMAIN,
    METER_SOURCE,
    SOURCE_DEMO,
)
from custom_components.heatpump_stats.csv_reports import (
    csv_directory,
    csv_time,
    default_directory,
    export_window,
    retention_days,
)
from custom_components.heatpump_stats.engine.rows import summary_sample
from custom_components.heatpump_stats.model.reading import OperatingMode
from custom_components.heatpump_stats.store.csv_export import CONTRACT_COLUMNS
from custom_components.heatpump_stats.store.samples import SampleStore, SampleStoreError

from .common import advance, setup_integration, value

BERLIN = ZoneInfo("Europe/Berlin")
# 06:00 in Berlin (CET, UTC+1).
START = "2026-01-15T05:00:00+00:00"
# 06:58 in Berlin: two minutes before the default csv_time.
BEFORE_CSV_TIME = "2026-01-15T05:58:00+00:00"


@pytest.fixture(autouse=True)
async def berlin_and_allowlist(hass: HomeAssistant, tmp_path: Path) -> None:
    """A European zone (files are named by the local date) and tmp_path allowed."""
    await hass.config.async_set_time_zone("Europe/Berlin")
    hass.config.allowlist_external_dirs = {str(tmp_path)}


def _entry(**options: Any) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Test heat pump",
        unique_id="demo_test_heat_pump",
        data={CONF_SOURCE: SOURCE_DEMO, CONF_NAME: "Test heat pump", CONF_METER: METER_SOURCE},
        options=options,
    )


@pytest.fixture
def csv_dir(tmp_path: Path) -> Path:
    return tmp_path / "csv"


@pytest.fixture
def entry(csv_dir: Path) -> MockConfigEntry:
    return _entry(csv_directory=str(csv_dir))


async def _export(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "export_csv",
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return dict(response)


async def _read(hass: HomeAssistant, path: Path | str) -> list[dict[str, str]]:
    def _load() -> list[dict[str, str]]:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    return await hass.async_add_executor_job(_load)


async def _header(hass: HomeAssistant, path: Path | str) -> list[str]:
    def _load() -> list[str]:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            return next(csv.reader(handle))

    return await hass.async_add_executor_job(_load)


async def _files(hass: HomeAssistant, folder: Path) -> set[str]:
    return await hass.async_add_executor_job(
        lambda: {p.name for p in folder.iterdir()} if folder.exists() else set()
    )


async def _add_samples(hass: HomeAssistant, entry: MockConfigEntry, times: list[datetime]) -> None:
    store: SampleStore = entry.runtime_data.csv.store

    def _add() -> None:
        for n, ts in enumerate(times):
            store.add(entry.entry_id, ts, {"cop": 3.0, "extra.synthetic": n})

    await hass.async_add_executor_job(_add)


@pytest.mark.freeze_time(START)
async def test_polls_record_samples_and_export_writes_the_daily_file(
    hass: HomeAssistant, entry: MockConfigEntry, csv_dir: Path, freezer: FrozenDateTimeFactory
) -> None:
    """11 polls (setup + 10 × 30 s) → 11 rows with every contract key and raw value."""
    await setup_integration(hass, entry)
    await advance(hass, freezer, 300)
    freezer.tick(timedelta(seconds=1))  # the window ends now, exclusive: clear of the last poll

    response = await _export(hass, entry, period="daily")

    path = csv_dir / "2026-01-15_daily.csv"
    assert response["path"] == str(path)
    assert response["rows"] == 11
    assert response["end"] == "2026-01-15T05:05:01+00:00"
    assert response["start"] == "2026-01-14T05:05:01+00:00"
    rows = await _read(hass, path)
    assert len(rows) == 11
    assert [row["timestamp"] for row in rows] == [
        (datetime(2026, 1, 15, 6, 0, tzinfo=BERLIN) + timedelta(seconds=30 * n)).isoformat()
        for n in range(11)
    ]
    header = await _header(hass, path)
    assert header[: 1 + len(CONTRACT_COLUMNS)] == ["timestamp", *CONTRACT_COLUMNS]
    rest = header[1 + len(CONTRACT_COLUMNS) :]
    assert rest == sorted(rest)
    assert {
        "extra.cop_true",
        "extra.building_deficit_kwh",
        "setting.dhw_target_temperature",
        "reading.electrical_energy",
        "reading.outside_temperature",
        "thermal_power_method",
    } <= set(rest)
    assert any(name.startswith("time_in_mode.") for name in rest)
    # The last row is what the entities show now.
    last = rows[-1]
    assert float(last["outside_temperature"]) == pytest.approx(value(hass, "outside_temperature"))
    assert float(last["electrical_energy"]) == pytest.approx(value(hass, "electrical_energy"))
    assert last["setting.dhw_target_temperature"] == "50.0"
    assert last["operating_mode"] in {"off", "standby", "heating", "dhw", "defrost", "cooling"}

    # The summary of the same samples: the engine's counters moved this much.
    assert response["summary_path"] == str(csv_dir / "2026-01-15_daily_summary.csv")
    summary = {(r["section"], r["key"]): r for r in await _read(hass, response["summary_path"])}
    combined = summary[("energy", "combined")]
    first = rows[0]
    assert float(combined["electrical_energy"]) == pytest.approx(
        float(last["electrical_energy"]) - float(first["electrical_energy"])
    )
    assert float(combined["thermal_energy"]) == pytest.approx(
        float(last["thermal_energy"]) - float(first["thermal_energy"])
    )
    assert summary[("data_quality", "")]["samples"] == "11"

    # The weekly file of the same moment has the same samples.
    weekly = await _export(hass, entry, period="weekly")
    assert weekly["path"] == str(csv_dir / "2026-01-15_weekly.csv")
    assert weekly["summary_path"] == str(csv_dir / "2026-01-15_weekly_summary.csv")
    assert weekly["rows"] == 11


@pytest.mark.freeze_time(START)
async def test_dated_export_ends_at_that_days_csv_time(
    hass: HomeAssistant, csv_dir: Path, freezer: FrozenDateTimeFactory
) -> None:
    """csv_time 06:30 and date 2026-01-13: daily = [01-12 06:30, 01-13 06:30) Berlin.

    In UTC: daily [01-12 05:30, 01-13 05:30), weekly [01-06 05:30, 01-13 05:30).
    Samples one second either side of each boundary: 2 daily, 4 weekly.
    """
    entry = _entry(csv_directory=str(csv_dir), csv_time="06:30")
    await setup_integration(hass, entry)
    second = timedelta(seconds=1)
    weekly_start = datetime(2026, 1, 6, 5, 30, tzinfo=UTC)
    daily_start = datetime(2026, 1, 12, 5, 30, tzinfo=UTC)
    end = datetime(2026, 1, 13, 5, 30, tzinfo=UTC)
    await _add_samples(
        hass,
        entry,
        [
            weekly_start - second,
            weekly_start,
            daily_start - second,
            daily_start,
            end - second,
            end,
        ],
    )

    daily = await _export(hass, entry, period="daily", date="2026-01-13")
    assert daily["path"] == str(csv_dir / "2026-01-13_daily.csv")
    assert (daily["start"], daily["end"]) == (daily_start.isoformat(), end.isoformat())
    rows = await _read(hass, daily["path"])
    assert [row["extra.synthetic"] for row in rows] == ["3", "4"]
    assert rows[0]["timestamp"] == "2026-01-12T06:30:00+01:00"

    weekly = await _export(hass, entry, period="weekly", date="2026-01-13")
    assert weekly["path"] == str(csv_dir / "2026-01-13_weekly.csv")
    rows = await _read(hass, weekly["path"])
    assert [row["extra.synthetic"] for row in rows] == ["1", "2", "3", "4"]
    assert weekly["rows"] == 4


@pytest.mark.freeze_time(BEFORE_CSV_TIME)
async def test_schedule_writes_both_files_cleans_up_and_prunes(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    csv_dir: Path,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At 07:00 Berlin: both files of 2026-01-15, old files of ours deleted and logged.

    Polls at 06:58:00, 06:58:30, 06:59:00, 06:59:30 are in [01-14 07:00, 01-15 07:00);
    the 07:00:00 poll belongs to tomorrow's file. Retention 30 days: the cutoff
    is 2025-12-16, so files of 2025-12-15 and before go.
    """
    caplog.set_level(logging.INFO, logger="custom_components.heatpump_stats")
    old = ["2025-12-15_daily.csv", "2025-12-15_weekly.csv", "2025-12-01_daily_summary.csv"]
    kept = ["2025-12-16_daily.csv", "notes.csv", "2025-01-01_monthly.csv", "2025-01-01_daily.txt"]

    def _prepare() -> None:
        csv_dir.mkdir()
        for name in old + kept:
            (csv_dir / name).write_text("x")

    await hass.async_add_executor_job(_prepare)
    await setup_integration(hass, entry)
    nine_days_ago = datetime(2026, 1, 6, 5, 0, tzinfo=UTC)
    await _add_samples(hass, entry, [nine_days_ago])

    await advance(hass, freezer, 90)  # 06:59:30: nothing written yet
    assert await _files(hass, csv_dir) == {*old, *kept}
    await advance(hass, freezer, 90)  # past 07:00:00

    assert await _files(hass, csv_dir) == {
        *kept,
        "2026-01-15_daily.csv",
        "2026-01-15_weekly.csv",
        "2026-01-15_daily_summary.csv",
        "2026-01-15_weekly_summary.csv",
    }
    for name in ("2026-01-15_daily.csv", "2026-01-15_weekly.csv"):
        rows = await _read(hass, csv_dir / name)
        assert [row["timestamp"] for row in rows] == [
            "2026-01-15T06:58:00+01:00",
            "2026-01-15T06:58:30+01:00",
            "2026-01-15T06:59:00+01:00",
            "2026-01-15T06:59:30+01:00",
        ]
    for name in old:
        assert f"Deleted {csv_dir / name}" in caplog.text
    # Samples older than 8 days are gone; the recent ones stay.
    store: SampleStore = entry.runtime_data.csv.store
    assert (
        await hass.async_add_executor_job(
            store.count, entry.entry_id, None, datetime(2026, 1, 7, tzinfo=UTC)
        )
        == 0
    )
    assert await hass.async_add_executor_job(store.count, entry.entry_id) == 7


@pytest.mark.freeze_time(BEFORE_CSV_TIME)
async def test_directory_outside_allowed_paths_is_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The service raises a translated validation error; the schedule logs; nothing is written."""
    outside = tmp_path_factory.mktemp("outside") / "csv"
    entry = _entry(csv_directory=str(outside))
    await setup_integration(hass, entry)
    with pytest.raises(ServiceValidationError) as err:
        await _export(hass, entry, period="daily")
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "csv_directory_not_allowed"
    assert err.value.translation_placeholders == {"path": str(outside)}

    await advance(hass, freezer, 180)  # across 07:00
    assert "Cannot write the daily CSV file" in caplog.text
    assert "Cannot clean up the CSV files" in caplog.text
    assert not await hass.async_add_executor_job(outside.exists)


@pytest.mark.freeze_time(START)
async def test_default_directory_is_our_own_and_always_allowed(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> None:
    """Without the option: <config>/heatpump_stats/exports/<unique id>, no allowlist needed."""
    hass.config.allowlist_external_dirs = set()
    entry = _entry()
    await setup_integration(hass, entry)
    response = await _export(hass, entry, period="weekly")
    expected = tmp_path / "heatpump_stats" / "exports" / "demo_test_heat_pump"
    assert response["path"] == str(expected / "2026-01-15_weekly.csv")
    assert default_directory(hass, entry) == expected
    assert await _files(hass, expected) == {
        "2026-01-15_weekly.csv",
        "2026-01-15_weekly_summary.csv",
    }


@pytest.mark.freeze_time(START)
async def test_formula_strings_are_neutralised_in_the_file(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A device string that looks like a formula is written as text; numbers stay numbers."""
    await setup_integration(hass, entry)
    payload = '=HYPERLINK("http://evil.example","click")'
    entry.runtime_data.heat_pump.source.simulator.set_setting("operating_program", payload)
    await advance(hass, freezer, 30)
    freezer.tick(timedelta(seconds=1))
    response = await _export(hass, entry, period="daily")
    rows = await _read(hass, response["path"])
    assert [row["setting.operating_program"] for row in rows] == ["normal", "'" + payload]
    for row in rows:
        for key in ("outside_temperature", "reading.flow_temperature", "electrical_power"):
            float(row[key])  # plain numbers, never prefixed


@pytest.mark.freeze_time(START)
async def test_date_in_the_future_is_refused(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await setup_integration(hass, entry)
    with pytest.raises(ServiceValidationError) as err:
        await _export(hass, entry, period="daily", date="2026-01-16")
    assert err.value.translation_key == "date_in_future"
    # Today is fine (its window may still be running).
    response = await _export(hass, entry, period="daily", date="2026-01-15")
    assert response["path"].endswith("2026-01-15_daily.csv")


@pytest.mark.freeze_time(START)
@pytest.mark.parametrize("period", ["daily", "weekly"])
async def test_date_at_the_start_of_the_calendar_is_refused(
    hass: HomeAssistant, entry: MockConfigEntry, period: str
) -> None:
    """0001-01-01 minus a week is before datetime's first day: OverflowError before."""
    await setup_integration(hass, entry)
    with pytest.raises(ServiceValidationError) as err:
        await _export(hass, entry, period=period, date="0001-01-01")
    assert err.value.translation_key == "invalid_time"
    assert err.value.translation_domain == DOMAIN


@pytest.mark.freeze_time(START)
async def test_a_failing_sample_write_never_breaks_the_poll(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Logged once while it fails, once when it works again; the entities keep updating."""
    with patch.object(SampleStore, "add", side_effect=SampleStoreError("disk I/O error")):
        await setup_integration(hass, entry)
        await advance(hass, freezer, 90)
        assert entry.runtime_data.heat_pump.last_update_success
        assert caplog.text.count("Cannot store the sample for the CSV files") == 1
    caplog.set_level(logging.INFO, logger="custom_components.heatpump_stats")
    await advance(hass, freezer, 30)
    assert "Storing samples for the CSV files works again" in caplog.text
    store: SampleStore = entry.runtime_data.csv.store
    assert await hass.async_add_executor_job(store.count, entry.entry_id) == 1


@pytest.mark.freeze_time(BEFORE_CSV_TIME)
async def test_unload_stops_the_schedule_and_removal_forgets_the_samples(
    hass: HomeAssistant, entry: MockConfigEntry, csv_dir: Path, freezer: FrozenDateTimeFactory
) -> None:
    await setup_integration(hass, entry)
    await advance(hass, freezer, 60)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 120)  # across 07:00
    assert await _files(hass, csv_dir) == set()

    def _count() -> int:
        store = SampleStore(Path(hass.config.path(DOMAIN, f"{DOMAIN}.db")))
        store.open()
        try:
            return store.count(entry.entry_id)
        finally:
            store.close()

    assert await hass.async_add_executor_job(_count) == 3
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.async_add_executor_job(_count) == 0


def test_windows_follow_local_days_across_daylight_saving() -> None:
    """2026-03-29 (CET → CEST) has 23 hours, 2026-10-25 (CEST → CET) 25."""
    spring = datetime(2026, 3, 29, 7, 0, tzinfo=BERLIN)
    start, end = export_window("daily", spring, BERLIN)
    assert (start, end) == (
        datetime(2026, 3, 28, 6, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 5, 0, tzinfo=UTC),
    )
    autumn = datetime(2026, 10, 25, 7, 0, tzinfo=BERLIN)
    start, end = export_window("daily", autumn, BERLIN)
    assert end - start == timedelta(hours=25)
    start, end = export_window("weekly", autumn, BERLIN)
    assert start == datetime(2026, 10, 18, 5, 0, tzinfo=UTC)


async def test_option_parsing(hass: HomeAssistant, tmp_path: Path) -> None:
    """Defaults 07:00 and 30 days; a relative folder is relative to the config folder."""
    default = _entry()
    assert csv_time(default).isoformat() == "07:00:00"
    assert retention_days(default) == 30
    assert csv_directory(hass, default) == default_directory(hass, default)
    custom = _entry(csv_time="06:45:30", csv_retention_days=7, csv_directory="exports_here")
    assert csv_time(custom).isoformat() == "06:45:30"
    assert retention_days(custom) == 7
    assert csv_directory(hass, custom) == tmp_path / "exports_here"
    broken = _entry(csv_time="25:99", csv_retention_days="x")
    assert csv_time(broken).isoformat() == "07:00:00"
    assert retention_days(broken) == 30
    assert retention_days(_entry(csv_retention_days=0)) == 1


def test_summary_sample_reads_the_metrics_of_a_row() -> None:
    """Numbers stay numbers, flags flags; anything else is unknown."""
    ts = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)
    sample = summary_sample(
        {
            "timestamp": ts,
            "operating_mode": "dhw",
            "electrical_power": 1500,
            "electrical_energy": 12.5,
            "thermal_energy": True,  # not a number
            "outside_temperature": "-3",  # text is no measurement
            "compressor_running": True,
            "defrost_active": 0,  # not a flag
            "reading.flow_temperature": 40.0,  # raw values are not used
        }
    )
    assert sample.ts == ts
    assert sample.mode is OperatingMode.DHW
    assert sample.electrical_power == 1500.0
    assert sample.electrical_energy == 12.5
    assert sample.thermal_energy is None
    assert sample.outside_temperature is None
    assert sample.flow_temperature is None
    assert sample.compressor_running is True
    assert sample.defrost_active is None
    assert summary_sample({"timestamp": ts, "operating_mode": "turbo"}).mode is None
    assert summary_sample({"timestamp": ts}).mode is None
