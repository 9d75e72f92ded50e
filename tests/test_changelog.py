"""The change log end to end: detection, database, bus event, event entity, sensor, services."""

from __future__ import annotations

from datetime import datetime
import os
from pathlib import Path
import sqlite3
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats import logbook
from custom_components.heatpump_stats.const import DOMAIN, EVENT_CONFIG_CHANGE
from custom_components.heatpump_stats.store.changelog import ChangeLog

from .common import advance, entity_id, setup_integration

START = "2026-01-15T05:00:00+00:00"


async def _setup_recording(hass: HomeAssistant, entry: MockConfigEntry) -> list[Event]:
    events: list[Event] = []

    @callback
    def _record(event: Event) -> None:
        events.append(event)

    hass.bus.async_listen(EVENT_CONFIG_CHANGE, _record)
    await setup_integration(hass, entry)
    return events


def _sim(entry: MockConfigEntry) -> Any:
    return entry.runtime_data.heat_pump.source.simulator


async def _changelog(hass: HomeAssistant, entry: MockConfigEntry, **filters: Any) -> list[Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "get_changelog",
        {"config_entry_id": entry.entry_id, **filters},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    entries: list[Any] = response["entries"]  # type: ignore[assignment]
    return entries


@pytest.mark.freeze_time(START)
async def test_first_poll_is_a_baseline_not_a_flood(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Setting up stores what the heat pump reports; nothing is reported as changed."""
    events = await _setup_recording(hass, demo_entry)
    await advance(hass, freezer, 120)
    assert events == []
    assert await _changelog(hass, demo_entry) == []
    assert hass.states.get(entity_id(hass, "last_config_change")).state == "unknown"


@pytest.mark.freeze_time(START)
async def test_setpoint_edit_is_one_row_one_event_one_trigger(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A DHW target 50 -> 55 gives exactly one row, event, trigger and sensor update."""
    events = await _setup_recording(hass, demo_entry)
    await advance(hass, freezer, 60)
    _sim(demo_entry).set_setting("dhw_target_temperature", 55.0)
    await advance(hass, freezer, 30)
    await advance(hass, freezer, 90)  # later polls do not repeat it

    assert len(events) == 1
    data = events[0].data
    assert data["entry_id"] == demo_entry.entry_id
    assert data["kind"] == "setpoint_changed"
    assert data["key"] == "dhw_target_temperature"
    assert (data["old"], data["new"]) == ("50", "55")
    assert data["source"] == "detected"
    assert dt_util.parse_datetime(data["timestamp"]) == datetime(
        2026, 1, 15, 5, 1, 30, tzinfo=dt_util.UTC
    )

    rows = await _changelog(hass, demo_entry)
    assert [(r["kind"], r["key"], r["old"], r["new"]) for r in rows] == [
        ("setpoint_changed", "dhw_target_temperature", "50", "55")
    ]
    event_state = hass.states.get(entity_id(hass, "config_change", "event"))
    assert event_state.attributes["event_type"] == "setpoint_changed"
    assert event_state.attributes["key"] == "dhw_target_temperature"
    assert event_state.attributes["new"] == "55"
    sensor = hass.states.get(entity_id(hass, "last_config_change"))
    assert dt_util.parse_datetime(sensor.state) == datetime(
        2026, 1, 15, 5, 1, 30, tzinfo=dt_util.UTC
    )
    assert sensor.attributes["key"] == "dhw_target_temperature"


@pytest.mark.freeze_time(START)
async def test_schedule_edit_and_program_change(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A schedule edit is schedule_changed, a program switch mode_changed."""
    events = await _setup_recording(hass, demo_entry)
    _sim(demo_entry).set_setting("heating_schedule", "05:30-22:00")
    _sim(demo_entry).set_setting("operating_program", "comfort")
    await advance(hass, freezer, 30)
    got = sorted((e.data["kind"], e.data["key"], e.data["old"], e.data["new"]) for e in events)
    assert got == [
        ("mode_changed", "operating_program", "normal", "comfort"),
        ("schedule_changed", "heating_schedule", "06:00-22:00", "05:30-22:00"),
    ]
    only_schedules = await _changelog(hass, demo_entry, kind="schedule_changed")
    assert [r["key"] for r in only_schedules] == ["heating_schedule"]


@pytest.mark.freeze_time(START)
async def test_restart_does_not_replay_and_catches_changes_made_while_down(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """After a restart old changes are not fired again; one made while down is recorded once."""
    events = await _setup_recording(hass, demo_entry)
    _sim(demo_entry).set_setting("comfort_temperature", 21.0)
    await advance(hass, freezer, 30)
    assert len(events) == 1
    store = demo_entry.runtime_data.store
    assert await hass.config_entries.async_unload(demo_entry.entry_id)
    await hass.async_block_till_done()

    # While Home Assistant is down, the user edits the heat pump. The simulator's
    # state is what HA stored; edit it there so the restart sees the new value.
    store.data["source"]["settings"]["reduced_temperature"] = 18.0
    await store.async_save()
    await advance(hass, freezer, 60)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 90)

    keys = [e.data["key"] for e in events]
    assert keys == ["comfort_temperature", "reduced_temperature"]
    rows = await _changelog(hass, demo_entry)
    assert [(r["key"], r["old"], r["new"]) for r in rows] == [
        ("comfort_temperature", "20", "21"),
        ("reduced_temperature", "17", "18"),
    ]
    # The sensor shows the newest entry again after the restart.
    sensor = hass.states.get(entity_id(hass, "last_config_change"))
    assert sensor.attributes["key"] == "reduced_temperature"


@pytest.mark.freeze_time(START)
async def test_notes_round_trip_and_filters(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """add_note takes the same path as a detected change; get_changelog filters by time and kind."""
    events = await _setup_recording(hass, demo_entry)
    response = await hass.services.async_call(
        DOMAIN,
        "add_note",
        {"config_entry_id": demo_entry.entry_id, "message": "Bled the radiators"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["entry"]["message"] == "Bled the radiators"  # type: ignore[index]
    await hass.services.async_call(
        DOMAIN,
        "add_note",
        {
            "config_entry_id": demo_entry.entry_id,
            "message": "Lowered the curve",
            "timestamp": "2026-01-10T12:00:00+00:00",
        },
        blocking=True,
    )
    await advance(hass, freezer, 240)  # before the demo's own first change (8-14 min)
    _sim(demo_entry).set_setting("heating_curve_slope", 0.7)
    await advance(hass, freezer, 30)

    assert [e.data["source"] for e in events] == ["note", "note", "detected"]
    rows = await _changelog(hass, demo_entry)
    assert [r["message"] or r["key"] for r in rows] == [
        "Lowered the curve",
        "Bled the radiators",
        "heating_curve_slope",
    ]
    notes = await _changelog(hass, demo_entry, kind="note_added")
    assert len(notes) == 2
    window = await _changelog(
        hass,
        demo_entry,
        start="2026-01-15T05:00:00+00:00",
        end="2026-01-15T05:04:00+00:00",
    )
    assert [r["message"] for r in window] == ["Bled the radiators"]
    state = hass.states.get(entity_id(hass, "config_change", "event"))
    assert state.attributes["event_type"] == "setpoint_changed"
    # Notes also move the "last change" sensor, by their own time.
    sensor = hass.states.get(entity_id(hass, "last_config_change"))
    assert sensor.attributes["key"] == "heating_curve_slope"
    assert dt_util.parse_datetime(sensor.state) == dt_util.utcnow().replace(microsecond=0)


@pytest.mark.freeze_time(START)
@pytest.mark.parametrize(
    ("service", "data", "key"),
    [
        ("add_note", {"message": "   "}, "invalid_note"),
        ("add_note", {"message": "x" * 2001}, "invalid_note"),
        # 2030: would pin "last configuration change" years ahead.
        (
            "add_note",
            {"message": "later", "timestamp": "2030-01-01T00:00:00+00:00"},
            "note_in_future",
        ),
        # Beyond the 5-minute clock skew (now is 05:00 UTC).
        (
            "add_note",
            {"message": "soon", "timestamp": "2026-01-15T05:06:00+00:00"},
            "note_in_future",
        ),
        (
            "get_changelog",
            {"start": "2026-01-15T06:00:00+00:00", "end": "2026-01-15T05:00:00+00:00"},
            "end_before_start",
        ),
        # Times that exist locally but not in UTC (issue 14): OverflowError before.
        ("add_note", {"message": "n", "timestamp": "9999-12-31T23:59:59-12:00"}, "invalid_time"),
        ("add_note", {"message": "n", "timestamp": "0001-01-01T00:00:00+12:00"}, "invalid_time"),
        ("get_changelog", {"start": "9999-12-31T23:59:59-12:00"}, "invalid_time"),
        ("get_changelog", {"end": "0001-01-01T00:00:00+12:00"}, "invalid_time"),
        # A lone UTF-16 surrogate cannot be stored as UTF-8: UnicodeEncodeError before.
        ("add_note", {"message": "bad \ud800 text"}, "invalid_text"),
        # An edit may not date a note in the future either (it would pin "last change").
        (
            "update_note",
            {"id": 1, "message": "n", "timestamp": "2030-01-01T00:00:00+00:00"},
            "note_in_future",
        ),
    ],
)
async def test_bad_service_input_is_a_translated_validation_error(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    service: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Wrong input is refused with a translated message, nothing is written."""
    await _setup_recording(hass, demo_entry)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            service,
            {"config_entry_id": demo_entry.entry_id, **data},
            blocking=True,
            return_response=service == "get_changelog",
        )
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN
    assert await _changelog(hass, demo_entry) == []


@pytest.mark.freeze_time(START)
async def test_note_within_clock_skew_is_accepted(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A caller whose clock runs a minute ahead is not refused (START + 60 s)."""
    await _setup_recording(hass, demo_entry)
    await hass.services.async_call(
        DOMAIN,
        "add_note",
        {
            "config_entry_id": demo_entry.entry_id,
            "message": "n",
            "timestamp": "2026-01-15T05:01:00+00:00",
        },
        blocking=True,
    )
    assert [row["timestamp"] for row in await _changelog(hass, demo_entry)] == [
        "2026-01-15T05:01:00+00:00"
    ]


async def test_unknown_entry_is_a_validation_error(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A config entry id that does not exist is refused by Home Assistant's helper."""
    await _setup_recording(hass, demo_entry)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            DOMAIN,
            "get_changelog",
            {"config_entry_id": "nope"},
            blocking=True,
            return_response=True,
        )


@pytest.mark.freeze_time(START)
async def test_database_location_and_entry_removal(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The database lives at <config>/heatpump_stats/heatpump_stats.db; removal deletes rows."""
    await _setup_recording(hass, demo_entry)
    await hass.services.async_call(
        DOMAIN, "add_note", {"config_entry_id": demo_entry.entry_id, "message": "n"}, blocking=True
    )
    path = hass.config.path("heatpump_stats", "heatpump_stats.db")
    assert await hass.async_add_executor_job(lambda: os.path.exists(path))
    await hass.config_entries.async_remove(demo_entry.entry_id)
    await hass.async_block_till_done()

    def _count() -> int:
        log = ChangeLog(Path(path))
        log.open()
        try:
            return len(log.query(demo_entry.entry_id))
        finally:
            log.close()

    assert await hass.async_add_executor_job(_count) == 0


def _demo(n: int) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Heat pump {n}",
        unique_id=f"demo_heat_pump_{n}",
        data={"source": "demo", "name": f"Heat pump {n}", "meter": "source"},
        options={},
    )


@pytest.mark.freeze_time(START)
async def test_entries_set_up_together_in_a_fresh_folder(hass: HomeAssistant) -> None:
    """Six entries start at the same moment on a config folder with no database yet (issue 14).

    Before the fix the migrations raced: "table changes already exists" and an
    entry in SETUP_ERROR.
    """
    entries = [_demo(n) for n in range(6)]
    for entry in entries:
        entry.add_to_hass(hass)
    # As at Home Assistant's start: the integration sets up all its entries at once.
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert [entry.state for entry in entries] == [ConfigEntryState.LOADED] * 6
    assert all(entry.runtime_data.changes.available for entry in entries)
    assert ir.async_get(hass).issues == {}


def _database(hass: HomeAssistant) -> Path:
    return Path(hass.config.path("heatpump_stats", "heatpump_stats.db"))


@pytest.mark.freeze_time(START)
async def test_damaged_database_is_moved_aside_and_the_entry_runs(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A damaged file does not stop the entry: moved aside (bytes kept), new log, repair issue."""
    path = _database(hass)
    garbage = b"\x00\xffnot an sqlite file" * 300

    def _damage() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(garbage)

    await hass.async_add_executor_job(_damage)
    await _setup_recording(hass, demo_entry)
    assert demo_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(entity_id(hass, "flow_temperature")).state not in {
        "unavailable",
        "unknown",
    }
    moved = path.with_name("heatpump_stats.db.corrupt-20260115T050000Z")
    assert await hass.async_add_executor_job(moved.read_bytes) == garbage
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "changelog_moved_aside")
    assert issue is not None
    assert issue.translation_placeholders == {"path": str(path), "moved": str(moved)}
    # The new log works: a note is stored and listed.
    await hass.services.async_call(
        DOMAIN, "add_note", {"config_entry_id": demo_entry.entry_id, "message": "n"}, blocking=True
    )
    assert [row["message"] for row in await _changelog(hass, demo_entry)] == ["n"]


@pytest.mark.freeze_time(START)
async def test_unwritable_database_keeps_readings_and_says_permissions(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A read-only file is a permission problem: never moved, never called corrupt.

    SQLite's read-only URI mode stands in for a read-only folder (tests run as root).
    """
    path = _database(hass)

    def _prepare_good_file() -> None:
        log = ChangeLog(path)
        log.open()
        log.close()

    await hass.async_add_executor_job(_prepare_good_file)

    def read_only(self: ChangeLog) -> sqlite3.Connection:
        return sqlite3.connect(
            f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None
        )

    monkeypatch.setattr(ChangeLog, "_connect", read_only)
    await _setup_recording(hass, demo_entry)
    assert demo_entry.state is ConfigEntryState.LOADED
    assert hass.states.get(entity_id(hass, "flow_temperature")).state not in {
        "unavailable",
        "unknown",
    }
    assert hass.states.get(entity_id(hass, "last_config_change")).state == "unavailable"
    assert hass.states.get(entity_id(hass, "config_change", "event")).state == "unavailable"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "changelog_unavailable")
    assert issue is not None
    assert issue.translation_key == "changelog_not_writable"
    assert "not writable" in issue.translation_placeholders["error"]
    assert await hass.async_add_executor_job(path.exists)
    assert list(path.parent.glob("*.corrupt-*")) == []
    with pytest.raises(HomeAssistantError, match="not writable"):
        await hass.services.async_call(
            DOMAIN,
            "add_note",
            {"config_entry_id": demo_entry.entry_id, "message": "n"},
            blocking=True,
        )
    # Polls go on without a traceback or a line per poll.
    await advance(hass, freezer, 120)
    assert demo_entry.state is ConfigEntryState.LOADED

    # Permissions fixed, entry reloaded: the log is back and the issue is gone.
    monkeypatch.undo()
    assert await hass.config_entries.async_reload(demo_entry.entry_id)
    await hass.async_block_till_done()
    assert demo_entry.runtime_data.changes.available
    assert ir.async_get(hass).async_get_issue(DOMAIN, "changelog_unavailable") is None


@pytest.mark.freeze_time(START)
async def test_a_new_demo_shows_a_detected_change_within_15_minutes(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The demo changes one setting 8-14 min after it starts (then every 1.5-4.5 days), so a
    first session sees the change log work: one detected row, after the baseline poll."""
    events = await _setup_recording(hass, demo_entry)
    await advance(hass, freezer, 15 * 60)
    rows = await _changelog(hass, demo_entry)
    assert len(rows) == 1
    assert rows[0]["source"] == "detected"
    assert len(events) == 1
    changed = dt_util.parse_datetime(rows[0]["timestamp"])
    assert changed is not None
    assert 8 * 60 <= (changed - dt_util.parse_datetime(START)).total_seconds() <= 14 * 60 + 30
    # ... and not again for more than a day.
    await advance(hass, freezer, 24 * 3600, step=600)
    assert len(await _changelog(hass, demo_entry)) == 1


@pytest.mark.freeze_time(START)
async def test_one_logbook_line_per_change_saying_what_changed(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The logbook line of a note is the note; of a change, old → new; both carry the
    event entity (its name and icon: no blank icon) so the change-log card shows them."""
    events = await _setup_recording(hass, demo_entry)
    await hass.services.async_call(
        DOMAIN,
        "add_note",
        {"config_entry_id": demo_entry.entry_id, "message": "Bled the radiators"},
        blocking=True,
    )
    await advance(hass, freezer, 60)
    _sim(demo_entry).set_setting("dhw_target_temperature", 55.0)
    await advance(hass, freezer, 30)
    assert len(events) == 2

    described: dict[str, Any] = {}

    def _register(domain: str, event_type: str, describe: Any) -> None:
        described[event_type] = describe

    logbook.async_describe_events(hass, _register)
    describe = described[EVENT_CONFIG_CHANGE]
    event_entity = entity_id(hass, "config_change", "event")
    note, change = (describe(event) for event in events)
    assert note["message"] == "note: Bled the radiators"
    assert change["message"] == "dhw target temperature: 50 → 55"
    # The last-change sensor says it in the same words (the dashboard's tile shows them).
    last = hass.states.get(entity_id(hass, "last_config_change"))
    assert last.attributes["description"] == "dhw target temperature: 50 → 55"
    for line in (note, change):
        assert line["entity_id"] == event_entity
        assert line["name"] == hass.states.get(event_entity).name


def test_logbook_line_of_an_edited_or_deleted_note_says_so() -> None:
    """An edit reads old → new, a deletion names the note deleted (not "note: …")."""
    edited = {"source": "note", "kind": "note_updated", "old": "Bled", "new": "Bled all"}
    deleted = {"source": "note", "kind": "note_deleted", "old": "Bled", "new": None}
    assert logbook.describe_change(edited) == "note edited: Bled → Bled all"
    assert logbook.describe_change(deleted) == "note deleted: Bled"


@pytest.mark.freeze_time(START)
async def test_a_reload_writes_no_unknown_or_unavailable_change_log_state(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Saving the options reloads the entry: the event entity's state goes away and comes
    back restored, never `unavailable` or `unknown` (each would be a change-log row)."""
    await _setup_recording(hass, demo_entry)
    await hass.services.async_call(
        DOMAIN,
        "add_note",
        {"config_entry_id": demo_entry.entry_id, "message": "Bled the radiators"},
        blocking=True,
    )
    event_entity = entity_id(hass, "config_change", "event")
    before = hass.states.get(event_entity)
    seen: list[str | None] = []

    @callback
    def _record(event: Event) -> None:
        if event.data["entity_id"] == event_entity:
            new = event.data["new_state"]
            seen.append(None if new is None else new.state)

    hass.bus.async_listen("state_changed", _record)
    hass.config_entries.async_update_entry(demo_entry, options={"scan_interval_s": 60})
    assert await hass.config_entries.async_reload(demo_entry.entry_id)
    await hass.async_block_till_done()
    assert "unavailable" not in seen
    assert "unknown" not in seen
    after = hass.states.get(event_entity)
    assert after.state == before.state
    assert after.attributes["message"] == "Bled the radiators"
