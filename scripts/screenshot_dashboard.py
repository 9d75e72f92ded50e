"""Install the heat pump dashboard and look at it in a real browser.

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
  4. installs the dashboard with the service, over REST:
     POST /api/services/heatpump_stats/install_dashboard?return_response;
  5. opens it in headless Chromium, driven over the Chrome DevTools Protocol
     (a websocket, with the venv's aiohttp): the login is handed over as the
     frontend's own `hassTokens` entry in localStorage, before the page loads;
  6. waits until every card of the returned configuration is rendered and no
     chart is still loading, then saves a full-height PNG (--output);
  7. searches the page, shadow roots included, for card errors: hui-error-card
     and hui-warning elements and the texts "Entity not available", "Entity
     not found", "Configuration error", "Could not load activity"; and
     console errors and page exceptions (a 404 of another integration's brand
     icon excepted: it is fetched from the internet).

Exit status: 0 when every card rendered without error; 1 when a card shows an
error, the console shows an error, or the cards did not render within
--timeout (the screenshot is saved either way); 2 when a step before the
browser failed (login, service, ...).
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

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from develop_bootstrap import (
    CREDENTIALS_FILE,
    Failure,
    HomeAssistantAPI,
    load_credentials,
)

from tests.browser import Browser, BrowserError, find_chromium, is_environment_noise

DOMAIN = "heatpump_stats"
ROOT = Path(__file__).resolve().parent.parent
# Card types of the configuration -> the element the frontend renders for them.
CARD_ELEMENTS = {
    "heading": "HUI-HEADING-CARD",
    "tile": "HUI-TILE-CARD",
    "history-graph": "HUI-HISTORY-GRAPH-CARD",
    "statistics-graph": "HUI-STATISTICS-GRAPH-CARD",
    "logbook": "HUI-LOGBOOK-CARD",
}
# Window choices of --hours-to-show auto / --days-to-show auto.
AUTO_HOURS = (1, 2, 3, 6, 12, 24)
AUTO_DAYS = (3, 7, 14, 30)

# Walks the page (shadow roots included) and reports cards, errors, empty and
# loading charts. Runs in the page; returns a JSON-able object.
INSPECT_JS = r"""
(() => {
  const ERROR_TAGS = new Set(["HUI-ERROR-CARD", "HUI-WARNING", "HUI-WARNING-ELEMENT"]);
  const ERROR_TEXTS = ["Entity not available", "Entity not found", "Configuration error",
                       "Could not load activity", "Unknown type encountered",
                       "Custom element doesn't exist"];
  const EMPTY_TEXTS = ["No statistics found", "No state history found",
                       "No activity found"];
  const LOADING_TEXTS = ["Loading statistics", "Loading state history", "Loading activity"];
  const NOT_CARDS = new Set(["HUI-CARD", "HUI-CARD-OPTIONS", "HUI-CARD-FEATURES",
                             "HUI-CARD-EDIT-MODE"]);
  const out = {path: location.pathname, cards: {}, errors: [], empty: [], loading: [],
               charts: 0, contentBottom: 0, title: document.title};
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
      if (/^HUI-.*-CARD$/.test(tag) && !NOT_CARDS.has(tag) && !ERROR_TAGS.has(tag)) {
        card = node;
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
    registry = _websocket(api, [{"type": "config/entity_registry/list"}])[0]
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


def _websocket(api: HomeAssistantAPI, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    async def run() -> list[dict[str, Any]]:
        url = api.base_url.replace("http://", "ws://", 1) + "/api/websocket"
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session,
            session.ws_connect(url, max_msg_size=0) as ws,
        ):
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": api.access_token})
            if (reply := await ws.receive_json())["type"] != "auth_ok":
                raise Failure(f"websocket authentication failed: {reply}")
            answers = []
            for number, command in enumerate(commands, 1):
                await ws.send_json({"id": number, **command})
                while (message := await ws.receive_json()).get("id") != number:
                    pass
                answers.append(message)
            return answers

    return asyncio.run(run())


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


def auto_window(api: HomeAssistantAPI, entity_id: str, choices: tuple[int, ...], unit: int) -> int:
    """The largest window (choices x unit seconds) that history fills; else the smallest."""
    best = choices[0]
    for choice in choices:
        if not recorded_at(api, entity_id, choice * unit):
            break
        best = choice
    return best


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
    width: int,
    height: int,
    wait_s: float,
) -> dict[str, Any]:
    """Open the dashboard, wait for its cards, save the PNG; return the page report."""
    async with Browser.launch(chromium=chromium, width=width, height=height) as browser:
        return await _drive(
            browser,
            base_url=base_url,
            api=api,
            url_path=url_path,
            config=config,
            output=output,
            width=width,
            height=height,
            wait_s=wait_s,
        )


async def _drive(
    browser: Browser,
    *,
    base_url: str,
    api: HomeAssistantAPI,
    url_path: str,
    config: dict[str, Any],
    output: Path,
    width: int,
    height: int,
    wait_s: float,
) -> dict[str, Any]:
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
        complete = all(report.get("cards", {}).get(tag, 0) >= n for tag, n in want.items())
        signature = (json.dumps(report.get("cards"), sort_keys=True), report.get("charts"))
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
    for key in ("errors", "empty", "loading", "cards", "charts"):
        report[key] = final.get(key, report.get(key))
    shot_height = max(min(bottom, height), 200)
    await browser.screenshot(output, height=shot_height)
    report["size"] = (width, shot_height)
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
    parser.add_argument("--entry-id", help="config entry to show (default: the first loaded)")
    parser.add_argument("--url-path", help="dashboard url path (default: the service's)")
    parser.add_argument(
        "--hours-to-show",
        default="24",
        help="history and change-log window in hours, or 'auto': the largest of "
        f"{AUTO_HOURS} that the recorded history fills (default 24)",
    )
    parser.add_argument(
        "--days-to-show",
        default="30",
        help=f"daily statistics window in days, or 'auto' (one of {AUTO_DAYS}; default 30)",
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
        hours = (
            auto_window(api, cop, AUTO_HOURS, 3600)
            if args.hours_to_show == "auto"
            else int(args.hours_to_show)
        )
        days = (
            auto_window(api, cop, AUTO_DAYS, 86400)
            if args.days_to_show == "auto"
            else int(args.days_to_show)
        )
        if args.note_if_empty:
            ensure_log_entry(api, entry["entry_id"], hours, args.note_if_empty)
        data: dict[str, Any] = {
            "config_entry_id": entry["entry_id"],
            "hours_to_show": hours,
            "days_to_show": days,
        }
        if args.url_path:
            data["url_path"] = args.url_path
        installed = call_service(api, "install_dashboard", data, response=True)
        if not installed or "url_path" not in installed:
            raise Failure(f"install_dashboard returned {installed!r}")
        url_path, config = installed["url_path"], installed["config"]
        say(
            f"installed /{url_path} ({sum(expected_cards(config).values())} cards; "
            f"hours_to_show {hours}, days_to_show {days})"
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
    for text in report["exceptions"]:
        say(f"FAIL: console error or page exception: {text}")
    for text in report["empty"]:
        say(f"no data: {text}")
    failed = bool(report["exceptions"])
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
