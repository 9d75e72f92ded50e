"""The `summarize` service over the recorder's history, against the live sensors."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.engine.hourly import CHANGE_FIELDS
from custom_components.heatpump_stats.services.summarize import (
    SERVICE_SUMMARIZE,
    SUMMARIZE_SCHEMA,
    async_handle_summarize,
)

from .common import advance, value

WINTER_START = "2026-01-15T04:50:00+00:00"


def _register_service(hass: HomeAssistant) -> None:
    """The lead registers the service in services.py; until then the test does."""
    if not hass.services.has_service(DOMAIN, SERVICE_SUMMARIZE):
        hass.services.async_register(
            DOMAIN,
            SERVICE_SUMMARIZE,
            async_handle_summarize,
            schema=SUMMARIZE_SCHEMA,
            supports_response=SupportsResponse.ONLY,
        )


async def _summarize(
    hass: HomeAssistant, entry_id: str, start: datetime | str, end: datetime | str
) -> dict[str, Any]:
    _register_service(hass)
    response = await hass.services.async_call(
        DOMAIN,
        SERVICE_SUMMARIZE,
        {"config_entry_id": entry_id, "start": start, "end": end},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


LIVE_KEYS = CHANGE_FIELDS  # the live counters a summary's energies and starts come from


def _live(hass: HomeAssistant) -> dict[str, float]:
    return {key: value(hass, key) for key in LIVE_KEYS}


@pytest.mark.freeze_time(WINTER_START)
async def test_summary_agrees_with_live_sensors(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Three winter hours (with hot water at 06:00 and defrosts): the summary from history
    equals the difference of the live sensors between the period's ends, in total and
    per purpose, because both difference the same counters and book each increment to
    the state of the poll before it."""
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 600)
    start = dt_util.utcnow()
    before = _live(hass)
    await advance(hass, freezer, 3 * 3600)
    end = dt_util.utcnow()
    after = _live(hass)
    await async_wait_recording_done(hass)

    summary = await _summarize(hass, demo_entry.entry_id, start, end)
    live = {key: after[key] - before[key] for key in LIVE_KEYS}
    energy = summary["energy"]
    assert live["electrical_energy"] > 3  # a cold morning: kWh, not Wh
    assert live["electrical_energy_dhw"] > 0  # the 06:00 hot-water run is inside
    assert live["electrical_energy_defrost"] > 0  # and defrosts
    assert energy["combined"]["electrical_energy"] == pytest.approx(
        live["electrical_energy"], abs=1e-6
    )
    assert energy["combined"]["thermal_energy"] == pytest.approx(live["thermal_energy"], abs=1e-6)
    # By purpose the live totals mirror the device's own counters (the demo keeps
    # them), the summary books by the poll before: they agree within 3 % (+ 0.1 kWh).
    for purpose in ("heating", "dhw"):
        assert energy[purpose]["electrical_energy"] == pytest.approx(
            live[f"electrical_energy_{purpose}"], rel=0.03, abs=0.1
        ), purpose
        assert energy[purpose]["thermal_energy"] == pytest.approx(
            live[f"thermal_energy_{purpose}"], rel=0.03, abs=0.3
        ), purpose
    assert summary["defrost"]["electrical_energy"] == pytest.approx(
        live["electrical_energy_defrost"], abs=1e-6
    )
    assert energy["combined"]["compressor_starts"] == live["compressor_starts"]
    assert energy["combined"]["cop"] == pytest.approx(
        live["thermal_energy"] / live["electrical_energy"], rel=1e-6
    )
    # The rest of the response is there and consistent.
    assert summary["data_quality"]["coverage_pct"] == pytest.approx(100.0)
    assert summary["defrost"]["count"] >= 1
    assert summary["sessions"]
    # The hot-water run is a session of its own or an interruption of a heating one.
    assert any(s["purpose"] == "dhw" or s["dhw_interruptions"] for s in summary["sessions"])
    assert sum(
        s["electrical_energy"] + s["interruption_electrical_energy"] for s in summary["sessions"]
    ) == pytest.approx(energy["running"]["electrical_energy"], abs=1e-6)
    bins = summary["outside_temperature_bins"]["all"]
    assert sum(b["electrical_energy"] for b in bins) == pytest.approx(
        energy["combined"]["electrical_energy"]
    )
    assert summary["time_in_mode_hours"]["heating"] > 1
    assert summary["last_changes"]["compressor"]["state"] is not None
    assert summary["entities"]["operating_mode"].startswith("sensor.")
    assert summary["start"] == start.isoformat()


@pytest.mark.freeze_time(WINTER_START)
async def test_summary_of_hand_written_history(
    recorder_mock: Recorder, hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """States written by hand for an entry that is not loaded (history outlives it).

    t=0: heating, counter 10.0 kWh, outdoor 1.5 (before the period start at 10 s); no power
    entity has history, so nothing stands in for the counter while it is unavailable
    t=30: counter 10.5 (→ 0.5 kWh to heating)
    t=60: dhw and counter 11.0 written 0.2 s apart: one poll; 0.5 kWh to heating
    t=90: counter unavailable (nothing booked, reference kept)
    t=120: counter 12.0 → 1.0 kWh to dhw (the state before this poll)
    t=150: standby, counter 12.1 → 0.1 kWh to dhw.  End at 200: standby held.
    Heating 1.0, dhw 1.1, combined 2.1 kWh; time 200 − 10 = 190 s covered.
    """
    entry = MockConfigEntry(domain=DOMAIN, unique_id="hand", title="Hand")
    entry.add_to_hass(hass)
    registry = er.async_get(hass)
    ids = {}
    for key, platform in (
        ("operating_mode", "sensor"),
        ("electrical_energy", "sensor"),
        ("electrical_power", "sensor"),
        ("outside_temperature", "sensor"),
        ("compressor_running", "binary_sensor"),
    ):
        ids[key] = registry.async_get_or_create(
            platform, DOMAIN, f"hand_{key}", config_entry=entry
        ).entity_id
    t0 = dt_util.utcnow()

    async def write(seconds: float, **states: str) -> None:
        freezer.move_to(t0 + timedelta(seconds=seconds))
        for key, state in states.items():
            hass.states.async_set(ids[key], state)
        await hass.async_block_till_done()

    await write(
        0,
        operating_mode="heating",
        electrical_energy="10.0",
        outside_temperature="1.5",
        compressor_running="on",
    )
    await write(30, electrical_energy="10.5")
    await write(60, operating_mode="dhw")
    await write(60.2, electrical_energy="11.0")
    await write(90, electrical_energy="unavailable")
    await write(120, electrical_energy="12.0")
    await write(150, operating_mode="standby", electrical_energy="12.1", compressor_running="off")
    await write(300, electrical_energy="99")  # after the period
    await async_wait_recording_done(hass)

    summary = await _summarize(
        hass, entry.entry_id, t0 + timedelta(seconds=10), t0 + timedelta(seconds=200)
    )
    energy = summary["energy"]
    assert energy["heating"]["electrical_energy"] == pytest.approx(1.0)
    assert energy["dhw"]["electrical_energy"] == pytest.approx(1.1)
    assert energy["combined"]["electrical_energy"] == pytest.approx(2.1)
    assert energy["combined"]["compressor_starts"] == 0
    hours = summary["time_in_mode_hours"]
    assert hours["heating"] * 3600 == pytest.approx(50)  # 10..60
    assert hours["dhw"] * 3600 == pytest.approx(90)  # 60..150
    assert hours["standby"] * 3600 == pytest.approx(50)  # 150..200
    assert summary["data_quality"]["coverage_pct"] == pytest.approx(100.0)
    # Running since before the start (truncated); the dhw run ends with a stop: its own session.
    iso = [(t0 + timedelta(seconds=x)).isoformat() for x in (10, 60, 150)]
    assert [
        (x["purpose"], x["start"], x["end"], x["truncated"], x["electrical_energy"])
        for x in summary["sessions"]
    ] == [
        ("heating", iso[0], iso[1], True, pytest.approx(1.0)),
        ("dhw", iso[1], iso[2], False, pytest.approx(1.1)),
    ]
    assert summary["outside_temperature_bins"]["all"][0]["outside_temperature_from"] == 1.0
    changes = summary["last_changes"]
    assert changes["compressor"] == {
        "state": False,
        "last_change": (t0 + timedelta(seconds=150)).isoformat(),
    }
    assert set(summary["entities"]) == set(ids)


async def test_bad_period_and_unknown_entry(recorder_mock: Recorder, hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="x", title="X")
    entry.add_to_hass(hass)
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await _summarize(hass, entry.entry_id, now, now)
    assert err.value.translation_key == "end_before_start"
    with pytest.raises(ServiceValidationError) as err:
        await _summarize(hass, "nope", now - timedelta(hours=1), now)
    assert err.value.translation_key == "entry_not_found"
    with pytest.raises(ServiceValidationError) as err:
        await _summarize(hass, entry.entry_id, now - timedelta(hours=1), now)
    assert err.value.translation_key == "no_history_entities"
    assert err.value.translation_placeholders == {"title": "X"}


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [
        # Exists with its offset, overflows in UTC (issue 14): OverflowError before.
        ("2026-01-01T00:00:00+00:00", "9999-12-31T23:59:59-12:00", "invalid_time"),
        ("0001-01-01T00:00:00+12:00", "2026-01-01T00:00:00+00:00", "invalid_time"),
        # 200 years tied up the recorder's executor for 30 s.
        ("1826-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00", "summary_period_too_long"),
    ],
)
async def test_periods_at_the_edges_are_refused(
    recorder_mock: Recorder, hass: HomeAssistant, start: str, end: str, key: str
) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="x", title="X")
    entry.add_to_hass(hass)
    with pytest.raises(ServiceValidationError) as err:
        await _summarize(hass, entry.entry_id, start, end)
    assert err.value.translation_key == key
    assert err.value.translation_domain == DOMAIN


async def test_without_recorder(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, unique_id="x", title="X")
    entry.add_to_hass(hass)
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await _summarize(hass, entry.entry_id, "2026-01-01 00:00:00", now)
    assert err.value.translation_key == "recorder_unavailable"


@pytest.mark.freeze_time(WINTER_START)
async def test_a_period_is_cut_at_now(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set up at 04:50 UTC, one hour of polls, then "this month" (1 Jan → 1 Feb) and "tomorrow".

    The month holds one hour of data: no mode can hold more than that hour, no session
    ends after now, and the coverage is 1 h / 744 h = 0.134 % (samples_pct says the same),
    not 100 %. Tomorrow has not happened: 0 h everywhere, no session, no coverage.
    """
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    setup = dt_util.utcnow()
    await advance(hass, freezer, 3600)
    now = dt_util.utcnow()
    await async_wait_recording_done(hass)

    month = await _summarize(hass, demo_entry.entry_id, "2026-01-01T00:00:00Z", "2026-02-01T00:00Z")
    hours = sum(month["time_in_mode_hours"].values())
    assert hours == pytest.approx(1.0, abs=1e-6)
    assert month["energy"]["combined"]["hours"] == pytest.approx(1.0, abs=1e-6)
    assert month["energy"]["unknown"]["hours"] == 0.0
    assert all(s["end"] <= now.isoformat() for s in month["sessions"])
    quality = month["data_quality"]
    assert quality["coverage_pct"] == pytest.approx(100 * 1 / 744, rel=1e-6)
    assert quality["samples_pct"] == pytest.approx(quality["coverage_pct"], rel=0.02)
    assert quality["first_sample"] >= setup.isoformat()
    assert quality["last_sample"] == now.isoformat()

    tomorrow = await _summarize(
        hass, demo_entry.entry_id, "2026-01-16T00:00:00Z", "2026-01-17T00:00:00Z"
    )
    assert sum(tomorrow["time_in_mode_hours"].values()) == 0.0
    assert tomorrow["energy"]["combined"]["electrical_energy"] == 0.0
    assert tomorrow["sessions"] == []
    assert tomorrow["data_quality"]["coverage_pct"] == 0.0


@pytest.mark.freeze_time(WINTER_START)
async def test_export_csv_summary_agrees_with_summarize(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    """Two hours of polls, then the daily file "ending now" (24 h back) and summarize over
    the same window: both read the same polls (the sample table and the recorder), so
    energy, COP, hours and coverage agree (to the CSV's rounding)."""
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    demo_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        demo_entry, options={**demo_entry.options, "csv_directory": str(tmp_path / "csv")}
    )
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 2 * 3600)
    await async_wait_recording_done(hass)

    result = await hass.services.async_call(
        DOMAIN,
        "export_csv",
        {"config_entry_id": demo_entry.entry_id, "period": "daily"},
        blocking=True,
        return_response=True,
    )
    assert result is not None
    summary = await _summarize(hass, demo_entry.entry_id, result["start"], result["end"])

    def _rows() -> dict[tuple[str, str], dict[str, str]]:
        with Path(str(result["summary_path"])).open(encoding="utf-8", newline="") as handle:
            return {(r["section"], r["key"]): r for r in csv.DictReader(handle)}

    rows = await hass.async_add_executor_job(_rows)
    assert summary["energy"]["combined"]["electrical_energy"] > 1  # a winter morning
    for purpose in ("combined", "heating", "dhw", "standby"):
        for field in ("electrical_energy", "thermal_energy", "hours"):
            assert float(rows[("energy", purpose)][field]) == pytest.approx(
                summary["energy"][purpose][field], abs=2e-3
            ), (purpose, field)
    assert float(rows[("energy", "combined")]["cop"]) == pytest.approx(
        summary["energy"]["combined"]["cop"], abs=2e-3
    )
    assert float(rows[("data_quality", "")]["coverage_pct"]) == pytest.approx(
        summary["data_quality"]["coverage_pct"], abs=0.01
    )
    assert summary["data_quality"]["coverage_pct"] == pytest.approx(100 * 2 / 24, abs=0.01)
