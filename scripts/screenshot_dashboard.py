"""Open the heat pump dashboard (the strategy's) in a real browser and judge it.

Run by scripts/check_dashboard (which also starts Home Assistant when none is
running); it can be run alone against a running developer instance:

    .venv/bin/python scripts/screenshot_dashboard.py [--output docs/dashboard.png]

What it does, against Home Assistant at --url (default http://127.0.0.1:8123):
  1. logs in with the developer login that scripts/develop saved
     (config/.develop_credentials) through HA's login flow;
  2. waits until the first heatpump_stats entry has --min-history seconds of
     recorded history (so the graphs have something to show);
  3. with --note-if-empty, adds a change-log note when the change log has no
     entry in the dashboard's window, so the log card shows a line;
  4. creates the dashboard --url-path (default heat-pump) unless it exists and
     saves its configuration as the strategy `custom:heatpump-stats` for the
     entry, over the websocket as the frontend does (`lovelace/dashboards/create`,
     `lovelace/config/save`; scripts/develop_bootstrap.ensure_strategy_dashboard);
  5. asks `heatpump_stats/dashboard` for the view the strategy builds from,
     and expects its cards plus the card `custom:heatpump-stats-card` on top;
  6. opens it in headless Chromium, driven over the Chrome DevTools Protocol
     (a websocket, with the venv's aiohttp): the login is handed over as the
     frontend's own `hassTokens` entry in localStorage, before the page loads;
  7. waits until every expected card is rendered, the card shows its figures
     and no chart is still loading, then saves a full-height PNG (--output)
     and a close-up of the card (--card-output);
  8. searches the page, shadow roots included, for card errors: hui-error-card
     and hui-warning elements, the card's own error line, and the texts
     "Entity not available", "Entity not found", "Configuration error",
     "Could not load activity"; and console errors and page exceptions (a 404
     of another integration's brand icon excepted: it is fetched from the
     internet).

Exit status: 0 when every card rendered without error; 1 when a card shows an
error, the console shows an error, or the cards did not render within
--timeout (the screenshot is saved either way); 2 when a step before the
browser failed (login, websocket, ...).
Empty graphs ("No statistics found": daily statistics exist only once Home
Assistant has compiled a full hour) are reported, and fail only with
--require-data.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import shutil
import sys
import time
from typing import Any
import urllib.parse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from develop_bootstrap import (
    CREDENTIALS_FILE,
    DASHBOARD_URL_PATH,
    Failure,
    HomeAssistantAPI,
    ensure_strategy_dashboard,
    load_credentials,
    websocket,
)

from tests.browser import Browser, BrowserError, find_chromium, is_environment_noise, save_png

DOMAIN = "heatpump_stats"
ROOT = Path(__file__).resolve().parent.parent
# Card types of the configuration -> the element the frontend renders for them.
CARD_ELEMENTS = {
    "heading": "HUI-HEADING-CARD",
    "tile": "HUI-TILE-CARD",
    "history-graph": "HUI-HISTORY-GRAPH-CARD",
    "statistics-graph": "HUI-STATISTICS-GRAPH-CARD",
    "logbook": "HUI-LOGBOOK-CARD",
    "custom:heatpump-stats-card": "HEATPUMP-STATS-CARD",
}
CARD_TAG = "HEATPUMP-STATS-CARD"
# The change-log window that --note-if-empty looks at.
NOTE_WINDOW_HOURS = 24

# Walks the page (shadow roots included) and reports cards, errors, empty and
# loading charts. Runs in the page; returns a JSON-able object.
INSPECT_JS = r"""
(() => {
  const ERROR_TAGS = new Set(["HUI-ERROR-CARD", "HUI-WARNING", "HUI-WARNING-ELEMENT"]);
  const ERROR_TEXTS = ["Entity not available", "Entity not found", "Configuration error",
                       "Could not load activity", "Unknown type encountered",
                       "Custom element doesn't exist", "The figures cannot be loaded"];
  const EMPTY_TEXTS = ["No statistics found", "No state history found",
                       "No activity found"];
  const LOADING_TEXTS = ["Loading statistics", "Loading state history", "Loading activity",
                         "Loading…"];
  const NOT_CARDS = new Set(["HUI-CARD", "HUI-CARD-OPTIONS", "HUI-CARD-FEATURES",
                             "HUI-CARD-EDIT-MODE"]);
  const out = {path: location.pathname, cards: {}, errors: [], empty: [], loading: [],
               charts: 0, contentBottom: 0, title: document.title, hps: []};
  const label = (card) => {
    if (!card) return "(outside any card)";
    const c = card._config || card.config || {};
    const what = c.title || c.heading || c.entity || "";
    return card.tagName.toLowerCase() + (what ? ` "${what}"` : "");
  };
  const seenText = new Set();
  const walk = (node, card) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.textContent.trim();
      if (!text) return;
      const key = label(card) + "|" + text;
      if (seenText.has(key)) return;
      for (const t of ERROR_TEXTS) if (text.includes(t)) {
        out.errors.push(`${label(card)}: ${text.slice(0, 200)}`); seenText.add(key); }
      for (const t of EMPTY_TEXTS) if (text.includes(t)) {
        out.empty.push(`${label(card)}: ${text.slice(0, 200)}`); seenText.add(key); }
      for (const t of LOADING_TEXTS) if (text.includes(t)) {
        out.loading.push(`${label(card)}: ${text.slice(0, 200)}`); seenText.add(key); }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE && node.nodeType !== Node.DOCUMENT_FRAGMENT_NODE
        && node.nodeType !== Node.DOCUMENT_NODE) return;
    if (node.nodeType === Node.ELEMENT_NODE) {
      const tag = node.tagName;
      if ((/^HUI-.*-CARD$/.test(tag) || tag === "HEATPUMP-STATS-CARD") && !NOT_CARDS.has(tag)
          && !ERROR_TAGS.has(tag)) {
        card = node;
        if (tag === "HEATPUMP-STATS-CARD") {
          // Our card: its figures (data-figure) once its summary arrived; where it is.
          const root = node.shadowRoot;
          const b = node.getBoundingClientRect();
          out.hps.push({
            figures: root ? root.querySelectorAll("[data-figure]").length : 0,
            charts: root ? root.querySelectorAll("[data-chart]").length : 0,
            rect: [b.x, b.y + window.scrollY, b.width, b.height].map(Math.round),
          });
        }
        out.cards[tag] = (out.cards[tag] || 0) + 1;
        out.contentBottom = Math.max(out.contentBottom,
                                     node.getBoundingClientRect().bottom + window.scrollY);
      }
      if (ERROR_TAGS.has(tag)) {
        out.contentBottom = Math.max(out.contentBottom,
                                     node.getBoundingClientRect().bottom + window.scrollY);
        const text = (node.shadowRoot ? node.shadowRoot.textContent : "") + node.textContent;
        out.errors.push(`${label(card)}: <${tag.toLowerCase()}> ${text.trim().slice(0, 200)}`);
      }
      if (tag === "HA-CHART-BASE") out.charts += 1;
      if (node.shadowRoot) walk(node.shadowRoot, card);
    }
    for (const child of node.childNodes) walk(child, card);
  };
  walk(document, null);
  return out;
})()
"""


def say(message: str) -> None:
    """One line of this script's output."""
    print(f"screenshot: {message}", flush=True)


# --------------------------------------------------------------------------
# Home Assistant over REST


def find_entry(api: HomeAssistantAPI, wanted: str | None) -> dict[str, Any]:
    """The heatpump_stats entry to show: --entry-id, else the first loaded one."""
    entries = api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    for entry in entries:
        if (wanted is None and entry["state"] == "loaded") or entry["entry_id"] == wanted:
            if entry["state"] != "loaded":
                raise Failure(f"entry {entry['title']!r} is {entry['state']}, not loaded")
            return dict(entry)
    raise Failure(
        f"no loaded {DOMAIN} entry"
        + (f" with id {wanted}" if wanted else "")
        + f" (entries: {[(e['title'], e['state']) for e in entries]})"
    )


def entity_of(api: HomeAssistantAPI, entry: dict[str, Any], key: str) -> str | None:
    """The entity id of the entry's key, by unique id `<entry unique id>_<key>`.

    The REST API does not show the entry's unique id; it is the part all the
    entry's entity unique ids share (their keys start differently).
    """
    registry = websocket(api, [{"type": "config/entity_registry/list"}])[0]
    mine = {
        str(item["unique_id"]): str(item["entity_id"])
        for item in registry.get("result") or []
        if item.get("config_entry_id") == entry["entry_id"]
    }
    if len(mine) < 2:
        return None
    first, last = min(mine), max(mine)  # their common prefix is everyone's
    shared = next(
        (i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b),
        min(len(first), len(last)),
    )
    prefix = first[: first.rfind("_", 0, shared) + 1]
    return mine.get(f"{prefix}{key}")


def recorded_at(api: HomeAssistantAPI, entity_id: str, seconds_ago: float) -> bool:
    """Whether the recorder has a state of the entity from `seconds_ago` (or before)."""
    start = datetime.now(UTC) - timedelta(seconds=seconds_ago)
    end = start + timedelta(seconds=1)
    query = urllib.parse.urlencode(
        {
            "filter_entity_id": entity_id,
            "end_time": end.isoformat(),
            "minimal_response": "",
            "no_attributes": "",
        }
    )
    path = f"/api/history/period/{urllib.parse.quote(start.isoformat())}?{query}"
    status, data = api.request("GET", path, timeout=30)
    if status != 200:
        raise Failure(f"GET /api/history answered HTTP {status}: {data}")
    return bool(data and data[0])


def wait_for_history(api: HomeAssistantAPI, entity_id: str, seconds: float) -> None:
    """Wait until the entity's recorded history reaches back `seconds`."""
    if seconds <= 0:
        return
    deadline = time.monotonic() + seconds + 120
    said = False
    while not recorded_at(api, entity_id, seconds):
        if time.monotonic() > deadline:
            raise Failure(f"{entity_id} has no history from {seconds:.0f} s ago")
        if not said:
            say(f"waiting until {entity_id} has {seconds:.0f} s of history (--min-history)")
            said = True
        time.sleep(10)


def call_service(
    api: HomeAssistantAPI, service: str, data: dict[str, Any], *, response: bool
) -> Any:
    """Call heatpump_stats.<service> over REST; return its response data."""
    services = api.call("GET", "/api/services")
    offered: dict[str, Any] = next((d["services"] for d in services if d["domain"] == DOMAIN), {})
    if service not in offered:
        raise Failure(
            f"Home Assistant has no action {DOMAIN}.{service} (it has {sorted(offered)}): "
            "is the integration loaded, and does this version register it (services/__init__.py)?"
        )
    path = f"/api/services/{DOMAIN}/{service}" + ("?return_response" if response else "")
    status, result = api.request("POST", path, json_body=data, timeout=60)
    if not 200 <= status < 300:
        raise Failure(f"{DOMAIN}.{service} answered HTTP {status}: {result}")
    return result.get("service_response") if isinstance(result, dict) else None


def ensure_log_entry(api: HomeAssistantAPI, entry_id: str, hours: int, message: str) -> None:
    """Add a note when the change log has no entry in the last `hours`."""
    start = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
    found = call_service(
        api, "get_changelog", {"config_entry_id": entry_id, "start": start}, response=True
    )
    if found and found.get("entries"):
        say(f"the change log has {len(found['entries'])} entries in the last {hours} h")
        return
    call_service(api, "add_note", {"config_entry_id": entry_id, "message": message}, response=False)
    say(f"the change log was empty for the last {hours} h: added the note {message!r}")


# --------------------------------------------------------------------------
# Chromium (tests/browser.py drives it over the DevTools protocol)


def strategy_view(api: HomeAssistantAPI, entry_id: str) -> dict[str, Any]:
    """The dashboard configuration the strategy builds for the entry, as frontend/src/strategy.ts.

    Its view is `heatpump_stats/dashboard`'s, led by a section with the card.
    """
    (answer,) = websocket(api, [{"type": f"{DOMAIN}/dashboard", "config_entry_id": entry_id}])
    if not answer.get("success"):
        raise Failure(f"{DOMAIN}/dashboard failed: {answer.get('error')}")
    entries = answer["result"]["entries"]
    if len(entries) != 1:
        raise Failure(f"{DOMAIN}/dashboard returned {len(entries)} views for one entry")
    view = dict(entries[0]["view"])
    card = {"type": "custom:heatpump-stats-card", "config_entry_id": entry_id}
    view["path"] = view.get("path") or "overview"
    view["sections"] = [{"type": "grid", "cards": [card]}, *view.get("sections", [])]
    return {"views": [view]}


def expected_cards(config: dict[str, Any]) -> dict[str, int]:
    """How many elements of each card type the configuration should render."""
    counts: dict[str, int] = {}
    for view in config["views"]:
        for section in view.get("sections", []):
            for card in section["cards"]:
                tag = CARD_ELEMENTS.get(card["type"], f"HUI-{card['type'].upper()}-CARD")
                counts[tag] = counts.get(tag, 0) + 1
    return counts


async def screenshot(
    *,
    chromium: str,
    base_url: str,
    api: HomeAssistantAPI,
    url_path: str,
    config: dict[str, Any],
    output: Path,
    card_output: Path | None,
    width: int,
    height: int,
    wait_s: float,
) -> dict[str, Any]:
    """Open the dashboard, wait for its cards, save the PNG; return the page report."""
    async with Browser.launch(chromium=chromium, width=width, height=height) as browser:
        origin = base_url.rstrip("/")
        # The login, as the frontend's own localStorage["hassTokens"] entry. The
        # viewport is taller than the view: the page lays out once, as a person
        # scrolling it would see it (resizing later makes the frontend re-layout
        # its virtualised lists, e.g. the logbook, while the picture is taken).
        await browser.log_in(origin, str(api.access_token), api.refresh_token, hide_sidebar=True)
        view = f"{origin}/{url_path}/{config['views'][0].get('path', '0')}"
        say(f"opening {view} in headless Chromium")
        await browser.open(view)

        want = expected_cards(config)
        started = time.monotonic()
        ready_since: float | None = None
        last_signature = None
        report: dict[str, Any] = {}
        while time.monotonic() - started < wait_s:
            await asyncio.sleep(1)
            try:
                report = await browser.evaluate(INSPECT_JS) or {}
            except BrowserError:
                continue  # the page is navigating
            if str(report.get("path", "")).startswith("/auth"):
                raise Failure("the frontend did not accept the login (it shows the login page)")
            complete = all(
                report.get("cards", {}).get(tag, 0) >= n for tag, n in want.items()
            ) and all(card["figures"] > 0 for card in report.get("hps", []))
            signature = (
                json.dumps(report.get("cards"), sort_keys=True),
                report.get("charts"),
                json.dumps(report.get("hps")),
            )
            if complete and not report.get("loading") and signature == last_signature:
                ready_since = ready_since or time.monotonic()
                if time.monotonic() - ready_since >= 3:  # charts animate in
                    break
            else:
                ready_since = None
            last_signature = signature
        report["ready"] = ready_since is not None
        report["expected"] = want
        report["seconds"] = round(time.monotonic() - started, 1)

        # The whole view in one picture, cut below the last card.
        bottom = int(report.get("contentBottom", 0)) + 32
        if bottom > height:  # taller than the viewport: grow it, let the charts redraw
            height = bottom
            await browser.set_viewport(width, height)
            await asyncio.sleep(3)
        final = await browser.evaluate(INSPECT_JS) or {}
        for key in ("errors", "empty", "loading", "cards", "charts", "hps"):
            report[key] = final.get(key, report.get(key))
        shot_height = max(min(bottom, height), 200)
        await browser.screenshot(output, height=shot_height)
        report["size"] = (width, shot_height)
        report["card_size"] = None
        if card_output is not None and report.get("hps"):
            x, y, w, h = report["hps"][0]["rect"]
            margin = 8
            clip = {
                "x": max(x - margin, 0),
                "y": max(y - margin, 0),
                "width": w + 2 * margin,
                "height": h + 2 * margin,
                "scale": 1,
            }
            shot = await browser.send("Page.captureScreenshot", {"format": "png", "clip": clip})
            await asyncio.to_thread(save_png, card_output, shot["data"])
            report["card_size"] = (clip["width"], clip["height"])
        report["exceptions"] = [
            text
            for text in browser.exceptions + browser.console_errors
            if not is_environment_noise(text)
        ]
        return report


# --------------------------------------------------------------------------


def main() -> int:
    """Parse the arguments, install, look, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    port = os.environ.get("HPS_DEVELOP_PORT", "8123")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/")
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "dashboard.png")
    parser.add_argument(
        "--card-output",
        type=Path,
        default=ROOT / "docs" / "card.png",
        help="close-up of the card custom:heatpump-stats-card (default docs/card.png)",
    )
    parser.add_argument("--entry-id", help="config entry to show (default: the first loaded)")
    parser.add_argument(
        "--url-path",
        default=DASHBOARD_URL_PATH,
        help=f"dashboard url path, made when missing (default {DASHBOARD_URL_PATH})",
    )
    parser.add_argument(
        "--min-history",
        type=float,
        default=0,
        help="seconds of recorded COP history to wait for before installing (default 0)",
    )
    parser.add_argument(
        "--note-if-empty",
        metavar="MESSAGE",
        help="add this change-log note when the log has no entry in the window",
    )
    parser.add_argument("--width", type=int, default=1600, help="viewport width (px)")
    parser.add_argument(
        "--height",
        type=int,
        default=2400,
        help="viewport height (px); the PNG ends below the last card",
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for cards")
    parser.add_argument("--chromium", default=find_chromium() or "chromium")
    parser.add_argument(
        "--require-data", action="store_true", help="also fail when a graph shows no data"
    )
    args = parser.parse_args()

    base_url = args.url.rstrip("/") + "/"
    api = HomeAssistantAPI(base_url)
    try:
        login = load_credentials(args.config / CREDENTIALS_FILE)
        if login is None:
            raise Failure(
                f"no login in {args.config / CREDENTIALS_FILE}: start scripts/develop once"
            )
        api.login(login["username"], login["password"])
        entry = find_entry(api, args.entry_id)
        say(f"entry {entry['title']!r} ({entry['entry_id']}) at {base_url}")
        cop = entity_of(api, entry, "cop") or entity_of(api, entry, "outside_temperature")
        if cop is None:
            raise Failure(f"entry {entry['title']!r} has no COP or outside temperature sensor")
        wait_for_history(api, cop, args.min_history)
        if args.note_if_empty:
            ensure_log_entry(api, entry["entry_id"], NOTE_WINDOW_HOURS, args.note_if_empty)
        created = ensure_strategy_dashboard(api, entry["entry_id"], args.url_path)
        url_path = args.url_path
        config = strategy_view(api, entry["entry_id"])
        say(
            f"{'created' if created else 'updated'} /{url_path} (strategy custom:heatpump-stats; "
            f"{sum(expected_cards(config).values())} cards expected)"
        )
        if not shutil.which(args.chromium) and not Path(args.chromium).exists():
            raise Failure(f"{args.chromium} not found: run scripts/bootstrap_chromium")
        report = asyncio.run(
            screenshot(
                chromium=args.chromium,
                base_url=base_url,
                api=api,
                url_path=url_path,
                config=config,
                output=args.output,
                card_output=args.card_output,
                width=args.width,
                height=args.height,
                wait_s=args.timeout,
            )
        )
    except (Failure, BrowserError) as err:
        say(f"ERROR: {err}")
        return 2
    finally:
        api.revoke()

    shown = ", ".join(f"{tag.lower()} x{n}" for tag, n in sorted(report["cards"].items()))
    say(f"rendered in {report['seconds']} s: {shown}; {report['charts']} charts")
    say(f"saved {args.output} ({report['size'][0]}x{report['size'][1]})")
    if report["card_size"]:
        size = report["card_size"]
        say(f"saved {args.card_output} ({size[0]}x{size[1]})")
    else:
        say(f"FAIL: no card custom:heatpump-stats-card on the page: no {args.card_output}")
    for text in report["exceptions"]:
        say(f"FAIL: console error or page exception: {text}")
    for text in report["empty"]:
        say(f"no data: {text}")
    failed = bool(report["exceptions"]) or not report["card_size"]
    if not report["ready"]:
        missing = {
            tag: n - report["cards"].get(tag, 0)
            for tag, n in report["expected"].items()
            if report["cards"].get(tag, 0) < n
        }
        say(f"FAIL: the cards did not all render within {args.timeout:.0f} s (missing {missing})")
        failed = True
    for text in report["errors"]:
        say(f"FAIL: card error: {text}")
        failed = True
    if args.require_data and report["empty"]:
        say("FAIL: graphs without data (--require-data)")
        failed = True
    if not failed:
        say("OK: every card rendered, no card error")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
