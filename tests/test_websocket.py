"""The card's websocket commands give the integration's own summaries, not new arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import CLIENT_ID, MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)
from sqlalchemy.exc import SQLAlchemyError

from custom_components.heatpump_stats.card import CARD_FILE, CARD_URL
from custom_components.heatpump_stats.card_figures import card_figures, period_start
from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.history import async_entry_entity_ids, builder_options
from custom_components.heatpump_stats.statistics_history import (
    async_statistics_entity_ids,
    read_hours,
)
from custom_components.heatpump_stats.summaries import (
    async_summarize_history,
    async_summarize_statistics,
)
from custom_components.heatpump_stats.websocket import READ_CHUNK

from .common import advance, setup_integration

TRANSLATIONS = Path(__file__).parents[1] / "custom_components" / DOMAIN / "translations"
WINTER_START = "2026-01-15T04:50:00+00:00"


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


@pytest.fixture
async def loaded_client(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> Any:
    """The demo entry set up; a websocket client."""
    await setup_integration(hass, demo_entry)
    return await hass_ws_client(hass)


@pytest.fixture
async def three_hours_client(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
) -> Any:
    """Set up the demo at 04:50 UTC, run to 08:01, compile the hours 05-08; a client.

    The client connects afterwards with a fresh token (an access token lives 30 minutes).
    """
    await hass.config.async_set_time_zone("UTC")
    await setup_integration(hass, demo_entry)
    await advance(hass, freezer, 600)
    start = dt_util.utcnow()
    assert start == datetime(2026, 1, 15, 5, 0, tzinfo=UTC)
    await advance(hass, freezer, 3 * 3600 + 60)
    await async_wait_recording_done(hass)
    for slot in range(36):
        do_adhoc_statistics(hass, start=start + timedelta(minutes=5 * slot))
    await async_wait_recording_done(hass)
    refresh = await hass.auth.async_create_refresh_token(hass_admin_user, CLIENT_ID)
    return await hass_ws_client(hass, hass.auth.async_create_access_token(refresh))


def _assert_translated(error: dict[str, Any], key: str, placeholders: dict[str, str]) -> None:
    """The error names its translation, which en and de have, and its English text."""
    assert error["translation_domain"] == DOMAIN
    assert error["translation_key"] == key
    assert error["translation_placeholders"] == placeholders
    texts = {}
    for language in ("en", "de"):
        path = TRANSLATIONS / f"{language}.json"
        texts[language] = json.loads(path.read_text("utf-8"))["exceptions"][key]["message"]
    assert texts["en"] != texts["de"]
    assert error["message"] == texts["en"].format(**placeholders).rstrip(".")


async def _summary(client: Any, **data: Any) -> Any:
    await client.send_json_auto_id({"type": "heatpump_stats/summary", **data})
    return await client.receive_json()


@pytest.mark.freeze_time(WINTER_START)
async def test_summary_of_the_day_is_summarize_from_the_recorder(
    hass: HomeAssistant, demo_entry: MockConfigEntry, three_hours_client: Any
) -> None:
    """`day` is the recorder's summary of today 00:00 UTC up to now, as `summarize` returns it."""
    client = three_hours_client
    now = dt_util.utcnow()
    day = datetime(2026, 1, 15, tzinfo=UTC)
    expected = (
        await async_summarize_history(
            hass, async_entry_entity_ids(hass, demo_entry), day, now, **builder_options(demo_entry)
        )
    ).to_dict()

    msg = await _summary(client, config_entry_id=demo_entry.entry_id, period="day")

    assert msg["success"], msg
    result = msg["result"]
    assert result["history"] == "recorder"
    assert result["period"] == "day"
    assert result["start"] == day.isoformat()
    combined = expected["energy"]["combined"]
    assert combined["electrical_energy"] > 3  # the demo ran: the comparison means something
    assert result["cop"] == combined["cop"]
    for purpose in ("heating", "dhw"):
        for key in ("electrical_energy", "thermal_energy", "cop"):
            assert result["energy"][purpose][key] == expected["energy"][purpose][key]
    assert result["energy"]["total"]["thermal_energy"] == combined["thermal_energy"]
    assert result["energy"]["defrost"]["count"] == expected["defrost"]["count"]
    assert (
        result["energy"]["defrost"]["electrical_energy"]
        == (expected["defrost"]["electrical_energy"])
    )
    assert result["carnot_pct"] == combined["carnot_pct"]
    assert result["coverage_pct"] == expected["data_quality"]["coverage_pct"]
    assert [b["cop"] for b in result["bins"]] == [
        b["cop"] for b in expected["outside_temperature_bins"]["all"]
    ]
    # Starts per day need a day of data; after three hours the card has the count only.
    assert expected["data_quality"]["covered_hours"] < 24
    assert result["cycles_per_day"] is None
    assert result["compressor_starts"] == combined["compressor_starts"]
    # In January the demo runs through: one run 04:56-08:01 (185 min), still running now:
    # no run has completed, so the mean run length is unknown (no lower bound).
    (run,) = expected["sessions"]
    assert run["truncated"]
    assert run["duration_s"] / 60 == pytest.approx(185)
    assert (result["run_length_minutes"], result["runs"]) == (None, 0)
    # The season comes from statistics: the three compiled hours.
    assert [m["month"] for m in result["season"]["months"]] == ["2026-01"]
    assert result["season"]["cop"] is not None


@pytest.mark.freeze_time(WINTER_START)
@pytest.mark.parametrize("chunk", [READ_CHUNK, timedelta(hours=61)], ids=["week", "61h"])
async def test_summary_of_the_month_is_summarize_from_statistics(
    hass: HomeAssistant, demo_entry: MockConfigEntry, three_hours_client: Any, chunk: timedelta
) -> None:
    """`month` is the statistics summary of 1 January up to the last full hour (08:00).

    Read a week at a time or 61 hours at a time: the season's reads from 1 July then
    split at 15 January 06:00 (4 758 h = 78 × 61 h after 1 July 00:00), between the
    hours 05-06 and 06-07; each hour's change is still that hour's: the same figures.
    """
    client = three_hours_client
    hour_end = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
    month = datetime(2026, 1, 1, tzinfo=UTC)
    expected = await async_summarize_statistics(
        hass, async_statistics_entity_ids(hass, demo_entry), month, hour_end, dt_util.UTC
    )
    # The season (from 1 July) has the same three hours.
    season = await async_summarize_statistics(
        hass,
        async_statistics_entity_ids(hass, demo_entry),
        datetime(2025, 7, 1, tzinfo=UTC),
        hour_end,
        dt_util.UTC,
    )

    with patch("custom_components.heatpump_stats.websocket.READ_CHUNK", chunk):
        msg = await _summary(client, config_entry_id=demo_entry.entry_id, period="month")

    assert msg["success"], msg
    result = msg["result"]
    assert result["history"] == "statistics"
    combined = expected["energy"]["combined"]
    assert combined["electrical_energy"] > 3
    assert result["cop"] == combined["cop"]
    assert result["energy"]["total"]["electrical_energy"] == combined["electrical_energy"]
    assert result["energy"]["dhw"]["thermal_energy"] == expected["energy"]["dhw"]["thermal_energy"]
    assert (
        result["energy"]["defrost"]["electrical_energy"]
        == (expected["defrost"]["electrical_energy"])
    )
    assert result["coverage_pct"] == expected["data_quality"]["coverage_pct"]
    # Three hours with data: not yet a day, so no starts per day (it would be starts × 8).
    assert result["cycles_per_day"] is None
    assert result["compressor_starts"] == combined["compressor_starts"]
    assert result["season"]["cop"] == season["energy"]["combined"]["cop"]
    assert result["season"]["months"] == [
        {
            "month": "2026-01",
            "cop": season["months"][0]["cop"],
            "electrical_energy": season["months"][0]["electrical_energy"],
            "thermal_energy": season["months"][0]["thermal_energy"],
        }
    ]
    # Run length from the recorder's last seven days of the month: the one run is still
    # going (04:56 to now, 185 min), none has completed: unknown.
    assert result["run_length_from"] == "2026-01-08T08:01:00+00:00"
    assert (result["run_length_minutes"], result["runs"]) == (None, 0)

    # Again: the same figures; the season's hours up to 05:00 (08:00 - 3 h) are kept,
    # only the newest hours are read again.
    with patch("custom_components.heatpump_stats.websocket.read_hours", wraps=read_hours) as reads:
        again = await _summary(client, config_entry_id=demo_entry.entry_id, period="month")
    assert again["result"] == result
    (call,) = reads.call_args_list
    assert call.args[2:] == (datetime(2026, 1, 15, 5, 0, tzinfo=UTC), hour_end)


@pytest.mark.freeze_time(WINTER_START)
async def test_change_markers_carry_the_note_entity_impact(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """A note of the period is a marker; its impact is the note entity's (pending here)."""
    await hass.config.async_set_time_zone("UTC")
    await setup_integration(hass, demo_entry)
    await hass.services.async_call(
        DOMAIN,
        "add_note",
        {"config_entry_id": demo_entry.entry_id, "message": "Heating curve 0.8"},
        blocking=True,
    )
    await advance(hass, freezer, 60)

    msg = await _summary(
        await hass_ws_client(hass), config_entry_id=demo_entry.entry_id, period="day"
    )

    assert msg["success"], msg
    notes = [c for c in msg["result"]["changes"] if c["source"] == "note"]
    assert [c["message"] for c in notes] == ["Heating curve 0.8"]
    impact = notes[0]["impact"]
    assert impact is not None
    assert impact["confidence"] == "low"  # a minute of history judges nothing


async def test_summary_errors(demo_entry: MockConfigEntry, loaded_client: Any) -> None:
    """An unknown entry and an unknown period are refused."""
    client = loaded_client
    msg = await _summary(client, config_entry_id="nope", period="day")
    assert not msg["success"]
    assert msg["error"]["code"] == "not_found"
    _assert_translated(msg["error"], "card_entry_not_found", {"entry_id": "nope"})
    msg = await _summary(client, config_entry_id=demo_entry.entry_id, period="decade")
    assert not msg["success"]
    assert msg["error"]["code"] == "invalid_format"
    with patch(
        "custom_components.heatpump_stats.websocket._read_blocking",
        side_effect=SQLAlchemyError("disk I/O error"),
    ):
        msg = await _summary(client, config_entry_id=demo_entry.entry_id, period="day")
    assert msg["error"]["code"] == "no_history"
    _assert_translated(msg["error"], "card_history_error", {"error": "disk I/O error"})
    with patch(
        "custom_components.heatpump_stats.websocket.async_migration_in_progress",
        return_value=True,
    ):
        msg = await _summary(client, config_entry_id=demo_entry.entry_id, period="day")
    assert msg["error"]["code"] == "no_history"
    _assert_translated(msg["error"], "card_recorder_unavailable", {})


@pytest.mark.freeze_time("2026-01-15T00:00:00+00:00")
async def test_summary_at_the_first_instant_of_the_day(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """At 00:00:00 the day has no time yet: an empty summary, not an error."""
    await hass.config.async_set_time_zone("UTC")
    await setup_integration(hass, demo_entry)
    msg = await _summary(
        await hass_ws_client(hass), config_entry_id=demo_entry.entry_id, period="day"
    )
    assert msg["success"], msg
    assert msg["result"]["cop"] is None
    assert msg["result"]["energy"]["total"]["electrical_energy"] == 0.0


def test_run_length_of_complete_and_cut_runs() -> None:
    """Complete runs of 10 and 20 min beside a cut one of 60 min: (10 + 20) / 2 = 15 min,
    from 2 runs. Only the cut run (still running, as right after setup): unknown, not
    "at least 60 min"."""
    runs = [
        {"duration_s": 600.0, "truncated": False},
        {"duration_s": 1200.0, "truncated": False},
        {"duration_s": 3600.0, "truncated": True},
    ]
    figures = card_figures({"sessions": runs}, None, None, history="recorder")
    assert (figures["run_length_minutes"], figures["runs"]) == (15.0, 2)
    figures = card_figures({"sessions": runs[2:]}, None, None, history="recorder")
    assert (figures["run_length_minutes"], figures["runs"]) == (None, 0)
    assert "run_length_at_least" not in figures
    figures = card_figures({"sessions": []}, None, None, history="recorder")
    assert (figures["run_length_minutes"], figures["runs"]) == (None, 0)
    assert figures["cop"] is None
    assert figures["season"]["months"] == []


def test_first_minutes_show_no_cop_and_no_starts_per_day() -> None:
    """Two minutes after setup (the live demo: 1.2 Wh of standby, no heat yet): COP 0.0
    would be the controller's draw, not the heat pump's; one start in 7 minutes is not
    206 starts a day. Below 0.1 kWh a COP is unknown (total, purposes, bins, months);
    starts per day wait for 24 h of data, the count is there at once."""
    minutes = {
        "energy": {
            "combined": {
                "electrical_energy": 0.0012,
                "thermal_energy": 0.0,
                "cop": 0.0,
                "carnot_pct": 0.0,
                "compressor_starts": 1,
            },
            "heating": {"electrical_energy": 0.099, "thermal_energy": 0.3, "cop": 3.03},
        },
        "data_quality": {"covered_hours": 7 / 60},
        "outside_temperature_bins": {
            "all": [
                {
                    "outside_temperature_from": -3.0,
                    "outside_temperature_to": -2.0,
                    "hours": 7 / 60,
                    "electrical_energy": 0.0012,
                    "thermal_energy": 0.0,
                    "cop": 0.0,
                }
            ]
        },
    }
    figures = card_figures(minutes, None, None, history="recorder")
    assert figures["cop"] is None
    assert figures["carnot_pct"] is None
    assert figures["energy"]["total"] == {
        "electrical_energy": 0.0012,
        "thermal_energy": 0.0,
        "cop": None,
    }
    assert figures["energy"]["heating"]["cop"] is None  # 0.099 kWh: just under
    assert [b["cop"] for b in figures["bins"]] == [None]
    assert (figures["compressor_starts"], figures["cycles_per_day"]) == (1, None)

    # A day and a half later: 30 starts in 36 h = 20 a day; 12 kWh at COP 3.5 shows.
    day = {
        "energy": {
            "combined": {
                "electrical_energy": 12.0,
                "thermal_energy": 42.0,
                "cop": 3.5,
                "compressor_starts": 30,
            },
            "heating": {"electrical_energy": 0.1, "thermal_energy": 0.3, "cop": 3.0},
        },
        "data_quality": {"covered_hours": 36.0},
    }
    season = {"energy": {"combined": {"electrical_energy": 0.05, "cop": 9.0}}, "months": []}
    figures = card_figures(day, season, None, history="recorder")
    assert figures["cop"] == 3.5
    assert figures["energy"]["heating"]["cop"] == 3.0  # 0.1 kWh: enough
    assert figures["cycles_per_day"] == pytest.approx(20.0)
    assert figures["season"]["cop"] is None  # 0.05 kWh in the season


def test_period_starts_are_local() -> None:
    """Day, ISO week (Monday), month, year and the season start, in the given zone."""
    tz = dt_util.get_time_zone("Europe/Berlin")
    assert tz is not None
    now = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)  # Thursday 00:30 in Berlin
    starts = {p: period_start(p, now, tz, (9, 1)) for p in ("day", "week", "month", "year")}
    assert starts["day"] == datetime(2026, 1, 15, tzinfo=tz)
    assert starts["week"] == datetime(2026, 1, 12, tzinfo=tz)
    assert starts["month"] == datetime(2026, 1, 1, tzinfo=tz)
    assert starts["year"] == datetime(2026, 1, 1, tzinfo=tz)
    assert period_start("season", now, tz, (9, 1)) == datetime(2025, 9, 1, tzinfo=tz)


async def test_dashboard_views_per_entry(demo_entry: MockConfigEntry, loaded_client: Any) -> None:
    """The strategy's command gives each entry's sections view with its entities."""
    client = loaded_client
    await client.send_json_auto_id({"type": "heatpump_stats/dashboard"})
    msg = await client.receive_json()
    assert msg["success"], msg
    (found,) = msg["result"]["entries"]
    assert found["config_entry_id"] == demo_entry.entry_id
    assert found["view"]["type"] == "sections"
    tiles = [c for s in found["view"]["sections"] for c in s["cards"] if c["type"] == "tile"]
    assert "sensor.test_heat_pump_seasonal_cop" in {t["entity"] for t in tiles}
    await client.send_json_auto_id({"type": "heatpump_stats/dashboard", "config_entry_id": "nope"})
    msg = await client.receive_json()
    assert msg["error"]["code"] == "not_found"
    _assert_translated(msg["error"], "card_entry_not_found", {"entry_id": "nope"})


async def test_card_is_served_and_loaded_once(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_client: ClientSessionGenerator
) -> None:
    """The bundle is served at its URL and added to the frontend's modules at setup, once."""
    assert await async_setup_component(hass, "http", {})
    hass.config.components.add("frontend")  # loaded at bootstrap in a real Home Assistant
    with patch("custom_components.heatpump_stats.card.add_extra_js_url") as add_js:
        demo_entry.add_to_hass(hass)
        second = MockConfigEntry(
            domain=DOMAIN,
            title="Second",
            unique_id="demo_second",
            data=dict(demo_entry.data),
        )
        second.add_to_hass(hass)
        assert await hass.config_entries.async_setup(demo_entry.entry_id)  # sets up both
        await hass.async_block_till_done()
        assert second.state is ConfigEntryState.LOADED
    add_js.assert_called_once()
    url = add_js.call_args.args[1]
    assert url.startswith(f"{CARD_URL}?v=")
    client = await hass_client()
    response = await client.get(url)
    assert response.status == 200
    assert await response.read() == CARD_FILE.read_bytes()


async def test_card_not_served_on_a_started_bare_server(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A started aiohttp test server refuses new routes: the entry still loads, one warning."""
    # Our dependencies register their routes first, as they would before the server starts.
    assert await async_setup_component(hass, "application_credentials", {})
    await hass_client()  # Home Assistant's own server keeps its router open; this one not
    await setup_integration(hass, demo_entry)
    assert demo_entry.state is ConfigEntryState.LOADED
    assert "The card cannot be served" in caplog.text
