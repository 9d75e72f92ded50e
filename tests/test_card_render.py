"""The committed card bundle renders a summary as a person reads it (headless Chromium).

The card gets a stand-in `hass` whose websocket answers a fixed summary; the
page writes what the card shows into the light DOM, `chromium --dump-dom`
prints it. Skipped where Chromium is not installed. (The check against a
running Home Assistant is scripts/check_dashboard's.)
"""

from __future__ import annotations

import html
import json
from pathlib import Path
import re
import shutil
import subprocess
from typing import Any

import pytest

from custom_components.heatpump_stats.card import CARD_FILE

SUMMARY: dict[str, Any] = {
    "config_entry_id": "abc",
    "title": "Cellar",
    "period": "month",
    "start": "2026-01-01T00:00:00+00:00",
    "end": "2026-01-15T08:00:00+00:00",
    "history": "statistics",
    "cop": 3.4567,
    "energy": {
        "total": {"electrical_energy": 312.456, "thermal_energy": 1080.12, "cop": 3.4567},
        "heating": {"electrical_energy": 250.1, "thermal_energy": 900.3, "cop": 3.6},
        "dhw": {"electrical_energy": 62.36, "thermal_energy": 179.8, "cop": 2.8837},
        "defrost": {
            "electrical_energy": 12.44,
            "thermal_energy": None,
            "count": None,
            "pct_of_electricity": 3.98,
        },
    },
    "bin_width_k": 1.0,
    "bins": [
        {
            "from": -3.0,
            "to": -2.0,
            "hours": 10,
            "electrical_energy": 20,
            "thermal_energy": 50,
            "cop": 2.5,
        },
        {
            "from": 5.0,
            "to": 6.0,
            "hours": 3,
            "electrical_energy": 0,
            "thermal_energy": 0,
            "cop": None,
        },
    ],
    "compressor_starts": 42,
    "cycles_per_day": 3.04,
    "run_length_minutes": 185.2,
    "runs": 3,
    "run_length_from": "2026-01-08T08:00:00+00:00",
    "carnot_pct": 47.3,
    "coverage_pct": 98.61,
    "season": {
        "start": "2025-07-01T00:00:00+00:00",
        "cop": 3.912,
        "months": [
            {"month": "2025-12", "cop": 3.3, "electrical_energy": 380, "thermal_energy": 1254},
            {"month": "2026-01", "cop": 3.46, "electrical_energy": 312, "thermal_energy": 1080},
        ],
    },
    "changes": [
        {
            "id": 7,
            "kind": "note_added",
            "key": None,
            "old": None,
            "new": None,
            "timestamp": "2026-01-10T09:00:00+00:00",
            "source": "note",
            "message": "Heating curve 0.7",
            "impact": {
                "weather_normalized_cop_change_pct": 4.25,
                "cop_change_pct": -1.0,
                "confidence": "medium",
            },
        },
        *(
            {
                "id": 8 + i,
                "kind": kind,
                "key": key,
                "old": old,
                "new": new,
                "timestamp": f"2026-01-1{1 + i}T09:00:00+00:00",
                "source": "detected",
                "message": None,
                "impact": None,
            }
            for i, (kind, key, old, new) in enumerate(
                [
                    ("setpoint_changed", "heating_curve_slope_circuit_1", "0.8", "0.7"),
                    ("setpoint_changed", "dhw_setpoint", "50", "48.5"),
                    ("mode_changed", "operating_program", "normal", "comfort"),
                    ("setpoint_changed", "boost_level_x", "1", "2"),
                ]
            )
        ),
    ],
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body><pre id="out"></pre>
<script type="module">{bundle}</script>
<script type="module">
const summary = {summary};
const hass = {{
  language: "{lang}", locale: {{ language: "{lang}" }}, states: {{}},
  callWS: async (m) => {{
    if (m.type !== "heatpump_stats/summary") throw new Error("unexpected " + m.type);
    if (summary.error) throw summary.error;  // as home-assistant-js-websocket rejects
    return summary;
  }},
}};
const card = document.createElement("heatpump-stats-card");
card.setConfig({{ type: "custom:heatpump-stats-card", config_entry_id: "abc", period: "month" }});
document.body.appendChild(card);
card.hass = hass;
setTimeout(() => {{
  const shown = {{}};
  for (const el of card.shadowRoot.querySelectorAll("[data-figure]"))
    shown[el.dataset.figure] = el.textContent.replace(/\\s+/g, " ").trim();
  shown.months = card.shadowRoot.querySelectorAll("[data-chart=months] rect").length;
  shown.bins = card.shadowRoot.querySelectorAll("[data-chart=bins_cop] rect").length;
  shown.markers = card.shadowRoot.querySelectorAll("[data-chart=months] .marker").length;
  shown.text = card.shadowRoot.textContent.replace(/\\s+/g, " ");
  document.getElementById("out").textContent = JSON.stringify(shown);
}}, 300);
</script></body></html>"""


def _dump(tmp_path: Path, name: str, page: str) -> Any:
    """What the page writes into `<pre id="out">` (JSON), run in headless Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed")
    path = tmp_path / f"{name}.html"
    path.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stderr[-2000:]
    assert found.group(1), done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def _render(tmp_path: Path, lang: str, summary: dict[str, Any] = SUMMARY) -> dict[str, Any]:
    bundle = CARD_FILE.read_text(encoding="utf-8")
    page = PAGE.format(bundle=bundle, summary=json.dumps(summary), lang=lang)
    shown: dict[str, Any] = _dump(tmp_path, f"card_{lang}", page)
    return shown


def test_card_rounds_for_reading_in_english(tmp_path: Path) -> None:
    """COP one decimal; kWh without decimals from 100, one below; % without from 10."""
    shown = _render(tmp_path, "en")
    assert shown["seasonal_cop"] == "3.9"  # 3.912
    assert shown["cop"] == "3.5"  # 3.4567
    assert shown["total_thermal_energy"] == "1,080 kWh"
    assert shown["total_electrical_energy"] == "312 kWh"
    assert shown["dhw_electrical_energy"] == "62.4 kWh"  # 62.36 → one decimal below 100
    assert shown["dhw_cop"] == "2.9"
    assert shown["defrost_electrical_energy"] == "12.4 kWh (4.0 %)"
    assert shown["carnot_pct"] == "47 %"
    assert shown["coverage_pct"] == "99 %"
    assert shown["cycles_per_day"] == "3.0"
    assert shown["run_length"] == "3 h 5 min"  # 185 min, the mean of the completed runs
    assert "run_length_hint" not in shown
    assert "defrosts" not in shown  # statistics have no defrost count
    assert shown["months"] == 2
    assert shown["markers"] == 1  # the January changes, one marker for the month
    assert shown["bins"] == 1  # the bin without energy is left out
    assert "Space heating" in shown["text"]
    assert "+4.3 %" in shown["text"]  # the note's weather-normalised COP change
    assert "medium confidence" in shown["text"]
    # The change log: setting names and values as a person reads them, the source named.
    assert "Note: Heating curve 0.7" in shown["text"]
    assert "Heating curve slope (circuit 1): 0.8 → 0.7" in shown["text"]
    assert "Hot water setpoint: 50 → 48.5" in shown["text"]
    assert "Operating program: normal → comfort" in shown["text"]
    assert "Boost level x: 1 → 2" in shown["text"]  # a key no table has: words, not a raw key
    assert "detected" in shown["text"]
    assert "_" not in shown["text"]


def test_card_speaks_german(tmp_path: Path) -> None:
    """German words and number format (decimal comma, dot for thousands)."""
    shown = _render(tmp_path, "de")
    assert shown["seasonal_cop"] == "3,9"
    assert shown["total_thermal_energy"] == "1.080 kWh"
    assert shown["dhw_electrical_energy"] == "62,4 kWh"
    assert "Jahresarbeitszahl" in shown["text"]
    assert "Raumheizung" in shown["text"]
    assert "Warmwasser" in shown["text"]
    assert "Abtauen" in shown["text"]
    assert "mittlere Sicherheit" in shown["text"]
    assert "Notiz: Heating curve 0.7" in shown["text"]  # the note's text is the user's own
    assert "Heizkurve Neigung (Heizkreis 1): 0,8 → 0,7" in shown["text"]
    assert "Warmwasser-Sollwert: 50 → 48,5" in shown["text"]
    assert "Betriebsprogramm: Normal → Komfort" in shown["text"]
    assert "erkannt" in shown["text"]
    for english in ("Space heating", "Seasonal COP", "detected", "Operating program", "Note:"):
        assert english not in shown["text"]


@pytest.mark.parametrize(
    ("lang", "label", "hint"),
    [
        ("en", "Compressor starts", "per day after a day of data"),
        ("de", "Verdichterstarts", "pro Tag nach einem Tag mit Daten"),
    ],
)
def test_card_shows_the_start_count_before_a_day_of_data(
    tmp_path: Path, lang: str, label: str, hint: str
) -> None:
    """Minutes after setup: the starts so far and when "per day" comes, not 206 per day."""
    summary = {**SUMMARY, "compressor_starts": 1, "cycles_per_day": None}
    shown = _render(tmp_path, lang, summary)
    assert shown["compressor_starts"] == "1"
    assert shown["cycles_hint"] == hint
    assert "cycles_per_day" not in shown
    assert label in shown["text"]


@pytest.mark.parametrize(
    ("lang", "hint"),
    [("en", "no completed run yet"), ("de", "noch kein abgeschlossener Lauf")],
)
def test_card_shows_no_run_length_before_a_run_has_completed(
    tmp_path: Path, lang: str, hint: str
) -> None:
    """Right after setup the only run is still going: the mean run length is unknown
    (an en dash and the reason), not "≥ 1 min"."""
    summary = {**SUMMARY, "run_length_minutes": None, "runs": 0}
    shown = _render(tmp_path, lang, summary)
    assert shown["run_length"] == "–"
    assert shown["run_length_hint"] == hint
    assert "≥" not in shown["text"]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "The figures cannot be loaded: There is no Heat Pump Stats entry abc to show."),
        (
            "de",
            "Die Zahlen können nicht geladen werden: "
            "Es gibt keinen Heat-Pump-Stats-Eintrag abc, der angezeigt werden kann.",
        ),
    ],
)
def test_card_translates_the_servers_error(tmp_path: Path, lang: str, expected: str) -> None:
    """The websocket's error carries a translation key: the card says it in the user's words."""
    error = {
        "code": "not_found",
        "message": "There is no Heat Pump Stats entry abc to show",
        "translation_key": "card_entry_not_found",
        "translation_domain": "heatpump_stats",
        "translation_placeholders": {"entry_id": "abc"},
    }
    shown = _render(tmp_path, lang, {"error": error})
    assert shown["error"] == expected


STRATEGY_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head>
<body><pre id="out"></pre>
<script type="module">{bundle}</script>
<script type="module">
const view = (path) => ({{ type: "sections", path, max_columns: 4,
  sections: [{{ type: "grid", cards: [{{ type: "tile", entity: "sensor.a_cop" }}] }}] }});
const hass = {{
  language: "en", states: {{}},
  callWS: async (m) => ({{ entries: (m.config_entry_id ? ["E1"] : ["E1", "E2"]).map((id) => ({{
    config_entry_id: id, title: "Pump " + id, view: view("overview") }})) }}),
}};
const S = customElements.get("ll-strategy-dashboard-heatpump-stats");
const one = await S.generate({{ type: "custom:heatpump-stats", config_entry_id: "E1",
  period: "month" }}, hass);
const all = await S.generate({{ type: "custom:heatpump-stats" }}, hass);
document.getElementById("out").textContent = JSON.stringify({{ one, all }});
</script></body></html>"""


def test_strategy_leads_with_the_card(tmp_path: Path) -> None:
    """One entry: its view, the card first; no entry given: a view per heat pump."""
    bundle = CARD_FILE.read_text(encoding="utf-8")
    result = _dump(tmp_path, "strategy", STRATEGY_PAGE.format(bundle=bundle))
    (view,) = result["one"]["views"]
    assert result["one"]["title"] == "Pump E1"
    assert view["path"] == "overview"
    card, rest = view["sections"][0]["cards"][0], view["sections"][1:]
    assert card["type"] == "custom:heatpump-stats-card"
    assert (card["config_entry_id"], card["period"]) == ("E1", "month")
    assert rest == [{"type": "grid", "cards": [{"type": "tile", "entity": "sensor.a_cop"}]}]
    assert [v["path"] for v in result["all"]["views"]] == ["e1", "e2"]
    assert [v["title"] for v in result["all"]["views"]] == ["Pump E1", "Pump E2"]
    assert result["all"]["views"][1]["sections"][0]["cards"][0]["config_entry_id"] == "E2"


CONFIG_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"></head>
<body><pre id="out"></pre>
<script type="module">{bundle}</script>
<script type="module">
const card = document.createElement("heatpump-stats-card");
let said = null;
try {{ card.setConfig({{ type: "custom:heatpump-stats-card", period: "decade" }}); }}
catch (err) {{ said = err.message; }}
document.getElementById("out").textContent = JSON.stringify({{ said }});
</script></body></html>"""


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "Unknown period: decade (season, year, month, week or day)"),
        ("de", "Unbekannter Zeitraum: decade (season, year, month, week oder day)"),
    ],
)
def test_card_refuses_a_bad_configuration_in_the_pages_language(
    tmp_path: Path, lang: str, expected: str
) -> None:
    """Before it has `hass`, the card speaks the page's language (HA sets it to the user's)."""
    bundle = CARD_FILE.read_text(encoding="utf-8")
    shown = _dump(tmp_path, f"config_{lang}", CONFIG_PAGE.format(bundle=bundle, lang=lang))
    assert shown == {"said": expected}
