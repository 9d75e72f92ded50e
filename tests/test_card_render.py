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
    "run_length_at_least": True,
    "runs": 1,
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
        }
    ],
}

PAGE = """<!doctype html><html><body><pre id="out"></pre>
<script type="module">{bundle}</script>
<script type="module">
const summary = {summary};
const hass = {{
  language: "{lang}", locale: {{ language: "{lang}" }}, states: {{}},
  callWS: async (m) => {{
    if (m.type === "heatpump_stats/summary") return summary;
    throw new Error("unexpected " + m.type);
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


def _render(tmp_path: Path, lang: str) -> dict[str, Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed")
    page = tmp_path / f"card_{lang}.html"
    page.write_text(
        PAGE.format(
            bundle=CARD_FILE.read_text(encoding="utf-8"), summary=json.dumps(SUMMARY), lang=lang
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stderr[-2000:]
    assert found.group(1), done.stderr[-2000:]
    shown: dict[str, Any] = json.loads(html.unescape(found.group(1)))
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
    assert shown["run_length"] == "≥ 3 h 5 min"  # 185 min, every run cut by the window
    assert "defrosts" not in shown  # statistics have no defrost count
    assert shown["months"] == 2
    assert shown["markers"] == 1  # the January note
    assert shown["bins"] == 1  # the bin without energy is left out
    assert "Space heating" in shown["text"]
    assert "+4.3 %" in shown["text"]  # the note's weather-normalised COP change
    assert "medium confidence" in shown["text"]


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


STRATEGY_PAGE = """<!doctype html><html><body><pre id="out"></pre>
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
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Chromium is not installed")
    page = tmp_path / "strategy.html"
    page.write_text(
        STRATEGY_PAGE.format(bundle=CARD_FILE.read_text(encoding="utf-8")), encoding="utf-8"
    )
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=5000",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    found = re.search(r'<pre id="out">(.*?)</pre>', done.stdout, re.S)
    assert found is not None, done.stderr[-2000:]
    result = json.loads(html.unescape(found.group(1)))
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
