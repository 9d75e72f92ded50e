"""The card in Chromium against a test Home Assistant shows what `summarize` returns.

The integration is set up with the demo and its month of simulated history
(the import a new demo entry makes after its first statistics), the card's
bundle is loaded the way the integration registers it (an extra module of the
frontend, served by the integration), and a Lovelace dashboard holds the card
for the entry. Every figure the card writes (its `data-figure` elements) is
compared with `heatpump_stats.summarize` for the same period (the card's own
`start` and `end`), from the same statistics, rounded as the card rounds
(frontend/src/format.ts, English). Skipped when no Chromium is installed
(scripts/bootstrap_chromium installs it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.heatpump_stats.card import CARD_URL
from custom_components.heatpump_stats.const import (
    CONF_METER,
    CONF_NAME,
    CONF_SEASON_START,
    CONF_SOURCE,
    DOMAIN,
    METER_SOURCE,
    SOURCE_DEMO,
)
from custom_components.heatpump_stats.demo_history import async_import_demo_history

from .browser import Browser, BrowserError, find_chromium, is_environment_noise, serve_frontend

pytestmark = [
    pytest.mark.usefixtures("socket_enabled"),
    pytest.mark.skipif(
        find_chromium() is None,
        reason="no chromium on PATH (browser tests need it: run scripts/bootstrap_chromium)",
    ),
]

DAYS = 30
DASHBOARD = "card-test"
VIEW = "card"
CARD = "hpsDeep.first('heatpump-stats-card')"
# The figures the card shows once its summary arrived: {data-figure: text}.
FIGURES_JS = f"""(() => {{
  const card = {CARD};
  if (!card || !card.shadowRoot || !card._summary) return null;
  const out = {{}};
  for (const el of card.shadowRoot.querySelectorAll("[data-figure]")) {{
    out[el.dataset.figure] = el.textContent.replace(/\\s+/g, " ").trim();
  }}
  return {{figures: out, start: card._summary.start, end: card._summary.end,
           period: card._summary.period, history: card._summary.history,
           season_start: card._summary.season.start}};
}})()"""


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


# --- the card's rounding (frontend/src/format.ts), in English -------------


def _fixed(value: float, decimals: int) -> str:
    """Intl.NumberFormat("en", {fraction digits: decimals}): half away from zero, 1,234.5."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return f"{rounded:,.{decimals}f}"


def _cop(value: float | None) -> str:
    return "–" if value is None else _fixed(value, 1)


def _energy(kwh: float | None) -> str:
    if kwh is None:
        return "–"
    size = abs(kwh)
    if size >= 10000:
        return f"{_fixed(kwh / 1000, 1)} MWh"
    return f"{_fixed(kwh, 0 if size >= 100 else 1 if size >= 1 else 2)} kWh"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{_fixed(value, 0 if abs(value) >= 10 else 1)} %"


def _per_day(value: float | None) -> str:
    return "–" if value is None else _fixed(value, 0 if value >= 10 else 1)


def test_rounding_is_the_cards() -> None:
    """The Python twin of format.ts rounds as Intl does (a tie goes away from zero)."""
    assert _cop(2.25) == "2.3"
    assert _cop(-2.25) == "-2.3"
    assert _energy(2183.6) == "2,184 kWh"
    assert _energy(60.04) == "60.0 kWh"
    assert _energy(0.125) == "0.13 kWh"
    assert _energy(12345.0) == "12.3 MWh"
    assert _percent(4.75) == "4.8 %"
    assert _percent(49.4) == "49 %"
    assert _per_day(None) == "–"


# --- Home Assistant, the demo with its month, the page --------------------


def _demo_entry() -> MockConfigEntry:
    """A demo entry whose season starts 40 days ago: it holds the whole imported month."""
    season = (dt_util.utcnow() - timedelta(days=40)).date()
    if (season.month, season.day) == (2, 29):
        season -= timedelta(days=1)
    return MockConfigEntry(
        domain=DOMAIN,
        title="Card heat pump",
        unique_id="demo_card_heat_pump",
        data={CONF_SOURCE: SOURCE_DEMO, CONF_NAME: "Card heat pump", CONF_METER: METER_SOURCE},
        options={CONF_SEASON_START: f"{season.month:02d}-{season.day:02d}"},
    )


async def _set_up_with_a_month(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Set up the demo entry and import its month (as a new demo does after its first compile)."""
    await hass.config.async_set_time_zone("UTC")
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await async_wait_recording_done(hass)
    # The first 5-minute statistics of the live sensors (what the demo's import waits for):
    # the running 5 minutes and the ones before (setup may have been just before a boundary).
    now = dt_util.utcnow()
    slot = now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)
    for start in (slot - timedelta(minutes=5), slot):
        do_adhoc_statistics(hass, start=start)
    await async_wait_recording_done(hass)
    result = await async_import_demo_history(
        hass, entry, entry.runtime_data.store, entry.runtime_data.options, DAYS
    )
    assert result is not None, "the demo's electricity sensor has no statistics"
    assert result["hours"] == DAYS * 24
    await async_wait_recording_done(hass)


@pytest.fixture
async def card_page(
    hass: HomeAssistant,
    aiohttp_client: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    hass_access_token: str,
) -> AsyncIterator[tuple[Browser, MockConfigEntry]]:
    """Chromium on a dashboard with the card for the demo entry (period: season)."""
    entry = _demo_entry()
    # A storage dashboard with the card, as Settings > Dashboards would store it.
    hass_storage["lovelace_dashboards"] = {
        "version": 1,
        "minor_version": 1,
        "key": "lovelace_dashboards",
        "data": {
            "items": [
                {
                    "id": "card_test",
                    "url_path": DASHBOARD,
                    "title": "Card",
                    "icon": "mdi:heat-pump",
                    "show_in_sidebar": True,
                    "require_admin": False,
                    "mode": "storage",
                }
            ]
        },
    }
    card = {
        "type": "custom:heatpump-stats-card",
        "config_entry_id": entry.entry_id,
        "period": "season",
    }
    hass_storage["lovelace.card_test"] = {
        "version": 1,
        "minor_version": 1,
        "key": "lovelace.card_test",
        "data": {"config": {"views": [{"path": VIEW, "cards": [card]}]}},
    }

    async def set_up() -> None:
        # After `frontend`, before the server starts: the integration adds its card then.
        await _set_up_with_a_month(hass, entry)

    origin = await serve_frontend(hass, aiohttp_client, hass_storage, before_start=set_up)
    async with Browser.launch(width=900, height=1400) as browser:
        await browser.log_in(origin, hass_access_token)
        await browser.open(f"{origin}/{DASHBOARD}/{VIEW}")
        yield browser, entry


async def test_card_shows_what_summarize_returns(
    hass: HomeAssistant, card_page: tuple[Browser, MockConfigEntry]
) -> None:
    """Each figure of the card equals summarize's for the card's period, rounded as shown."""
    browser, entry = card_page
    try:
        shown = await browser.wait_for(FIGURES_JS, within=90, what="the card's figures")
    except BrowserError as err:
        # What the page shows instead, to tell a login page, a 404 or the card's error apart.
        page = await browser.evaluate("location.pathname + ' | ' + hpsDeep.text(document)")
        console = browser.console_errors + browser.exceptions
        raise AssertionError(f"{err}; the page: {page[:2000]}; console: {console}") from err
    figures: dict[str, str] = shown["figures"]
    assert "error" not in figures, figures
    assert shown["period"] == "season"
    assert shown["history"] == "statistics"
    assert shown["start"] == shown["season_start"]
    # The module the card came from is the one the integration registers.
    modules = await browser.evaluate(
        "performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)"
    )
    assert CARD_URL in modules

    # From statistics the card's figures end at the last full hour before its `end` (the
    # running hour has no statistics row yet): summarize the same hours.
    end = datetime.fromisoformat(shown["end"]).replace(minute=0, second=0, microsecond=0)
    response = await hass.services.async_call(
        DOMAIN,
        "summarize",
        {
            "config_entry_id": entry.entry_id,
            "start": shown["start"],
            "end": end.isoformat(),
            "history": "statistics",
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    energy = response["energy"]
    combined = energy["combined"]
    assert combined["electrical_energy"] > 50  # the month is in: the comparison means something
    defrost = response["defrost"]
    hours = response["data_quality"]["hours_with_data"]
    starts = combined.get("compressor_starts")
    expected = {
        "seasonal_cop": _cop(combined["cop"]),
        "carnot_pct": _percent(combined.get("carnot_pct")),
        "coverage_pct": _percent(response["data_quality"]["coverage_pct"]),
        "cycles_per_day": _per_day(None if starts is None or not hours else starts / (hours / 24)),
        "total_thermal_energy": _energy(combined["thermal_energy"]),
        "total_electrical_energy": _energy(combined["electrical_energy"]),
        "total_cop": _cop(combined["cop"]),
        "defrost_thermal_energy": _energy(defrost.get("thermal_energy")),
    }
    for purpose in ("heating", "dhw"):
        part = energy[purpose]
        expected[f"{purpose}_thermal_energy"] = _energy(part["thermal_energy"])
        expected[f"{purpose}_electrical_energy"] = _energy(part["electrical_energy"])
        expected[f"{purpose}_cop"] = _cop(part["cop"])
    defrost_electricity = _energy(defrost.get("electrical_energy"))
    if defrost.get("pct_of_electricity") is not None:
        defrost_electricity += f" ({_percent(defrost['pct_of_electricity'])})"
    expected["defrost_electrical_energy"] = defrost_electricity
    if defrost.get("count") is not None:
        expected["defrosts"] = str(defrost["count"])

    compared = {key: figures.get(key) for key in expected}
    assert compared == expected
    # The run length comes from the recorder's last days (a few live minutes here): shown.
    assert "run_length" in figures

    errors = [
        text
        for text in browser.console_errors + browser.exceptions
        if not is_environment_noise(text) and "heatpump" in text.lower()
    ]
    assert not errors, "\n".join(errors)
