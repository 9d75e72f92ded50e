"""Walk the new-user journey of heatpump_stats in a real browser and judge what it shows.

Run by scripts/check_journey (which provides Chromium and a running developer
instance); alone:

    .venv/bin/python scripts/journey.py --url http://127.0.0.1:8123/

Against Home Assistant at --url, logged in with the developer login
(config/.develop_credentials), with simulators on 127.0.0.1 (ephemeral ports,
started here: tests/simulators' Modbus ISG, Luxtronik controller and two
Shelly Pro 3EM), headless Chromium clicks through the frontend as a person
does:

  Settings → Devices & services → "Add integration" → search "Heat Pump
  Stats" → the flow dialog, once per journey:
    demo-again the simulated heat pump under the name its form suggests (the
               developer instance has one already): the name field must say
               why not, in words
    modbus     Modbus TCP against the ISG simulator; every other field and
               the meter step as they open (the ISG's own electricity readings)
    luxtronik  Luxtronik against its simulator; meter Shelly Pro 3EM
    entities   the demo's sensors as "entities already in Home Assistant";
               meter none
  then the Modbus entry's ⋮ → Reconfigure → meter → Shelly Pro 3EM (a second
  simulated Shelly), and every new entry's "Configure" (options) saved as it
  opens, and the device page of each new entry and of the demo (checked for
  snake_case keys shown instead of words, too).

On every step it checks: no error on the form (`errors` of the step and error
alerts in the dialog), no untranslated text (`component.heatpump_stats.`,
`[%key:`, a field or option shown by its raw key), no console error or page
exception (404s of other integrations' brand icons excepted: this
environment has no internet); and on the new entries' entities: no state in
the future (a timestamp later than now), no electricity figure without a meter
(an entry with meter `none` must not have electricity entities at all) and no
misleading 0 (a COP or energy entity reading exactly 0 while the heat pump runs).

Typing: text and number fields get real key input into their <input>; lists
of choices (radio buttons) and menus get real mouse clicks; entity pickers are
set with the `value-changed` event the picker itself fires (its popup list is
virtualised and not reliably clickable headless); the report says which.

Screenshots (small, the dialog only) go to --screenshots (docs/journey/).
The entries made here are deleted at the end unless --keep.

Exit status: 0 nothing found; 1 findings (listed); 2 the journey could not be
walked (Home Assistant, login, the browser, a step that never appeared).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import json
import os
from pathlib import Path
import re
import sys
import tempfile
import threading
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from develop_bootstrap import (  # noqa: E402
    CREDENTIALS_FILE,
    Failure,
    HomeAssistantAPI,
    load_credentials,
    websocket,
)

from tests.browser import (  # noqa: E402
    Browser,
    BrowserError,
    find_chromium,
    is_environment_noise,
)
from tests.simulators.luxtronik_server import LuxtronikSimulator  # noqa: E402
from tests.simulators.modbus_server import ModbusSimulator, isg_tables  # noqa: E402
from tests.simulators.shelly_server import ShellyPro3EMSimulator  # noqa: E402

DOMAIN = "heatpump_stats"
UNTRANSLATED = ("component.heatpump_stats.", "[%key:", "component.", "ui.panel.config.")
STEP_TAGS = (
    "step-flow-form",
    "step-flow-menu",
    "step-flow-create-entry",
    "step-flow-abort",
    "step-flow-external",
    "step-flow-progress",
    "step-flow-loading",
)
SUBMIT_LABELS = ("Submit", "Next", "Finish", "Skip and finish")
CLOCK_SKEW = timedelta(minutes=5)
# A snake_case word (heating_curve_slope): a key where a person should read words.
RAW_KEY = re.compile(r"(?<![\w./:-])[a-z]+(?:_[a-z0-9]+)+(?![\w./:-])")
# The few pictures kept in docs/journey/ (step shot name -> file name).
CURATED = {
    "modbus-user": "1-source",
    "modbus-modbus_tcp": "2-modbus-tcp",
    "luxtronik-shelly_pro_3em": "3-shelly-meter",
    "entities-entities": "4-entities",
    "reconfigure-meter": "5-reconfigure-meter",
    "device-page": "6-device-page",
}
# Figures for which 0 is never a true reading ("no data" is unknown, not 0).
ZERO_NEVER_TRUE = {
    "cop": "a COP of 0 is never measured",
    "daily_cop": "a COP of 0 is never measured",
    "seasonal_cop": "a COP of 0 is never measured",
    "lifetime_cop": "a COP of 0 is never measured",
    "carnot_efficiency": "0 % of Carnot is never measured",
    "projected_annual_energy": "a heat pump in use does not project 0 kWh a year",
}
ZERO_NOT_WHILE_RUNNING = ("electrical_power", "thermal_power", "compressor_modulation")

# What the flow dialog shows now. `step` is the flow result the frontend got.
FLOW_STATE_JS = """
(() => {
  const dialog = hpsDeep.first('dialog-data-entry-flow');
  if (!dialog) return {open: false};
  const tags = __TAGS__;
  let el = null, kind = null;
  for (const tag of tags) {
    el = hpsDeep.first(tag, dialog);
    if (el) { kind = tag.replace('step-flow-', ''); break; }
  }
  const alerts = hpsDeep.all('ha-alert', dialog)
    .filter((a) => (a.alertType || a.getAttribute('alert-type')) === 'error')
    .map((a) => hpsDeep.text(a));
  const form = el && kind === 'form' ? hpsDeep.first('ha-form', el) : null;
  const fresh = !!el && window.__hpsLastStep !== (el.step || el);
  return {open: true, kind, fresh, step: el && el.step ? el.step : null,
          text: hpsDeep.text(dialog), alerts, data: form ? form.data : null};
})()
""".replace("__TAGS__", json.dumps(list(STEP_TAGS)))

MARK_STEP_JS = """
(() => {
  const dialog = hpsDeep.first('dialog-data-entry-flow');
  const el = dialog && __TAGS__.map((t) => hpsDeep.first(t, dialog)).find((e) => e);
  window.__hpsLastStep = el ? (el.step || el) : null;
  return !!el;
})()
""".replace("__TAGS__", json.dumps(list(STEP_TAGS)))

# The flow dialog is closed: no step in it, its <dialog> shut and not animating.
CLOSED_JS = """
(() => {
  const d = hpsDeep.first('dialog-data-entry-flow');
  if (!d) return true;
  if (__TAGS__.some((t) => hpsDeep.first(t, d))) return false;
  const inner = hpsDeep.first('dialog', d);
  return !inner || (!inner.open && inner.getAnimations({subtree: true}).length === 0);
})()
""".replace("__TAGS__", json.dumps(list(STEP_TAGS)))

# The element of form field `name` (an ha-selector or ha-form-* with .schema).
FIELD_JS = """
(() => {
  const form = hpsDeep.first('ha-form', hpsDeep.first('step-flow-form'));
  return hpsDeep.all('*', form).find((e) => e.schema && e.schema.name === %s
    && e.tagName !== 'HA-FORM') || null;
})()
"""


def say(message: str) -> None:
    """One line of this script's output."""
    print(f"journey: {message}", flush=True)


@dataclass
class Journey:
    """One "Add integration" walk: what the user types or picks, by field name."""

    name: str
    choose: dict[str, Any]
    expect_meter: str | None = None  # the meter the entry ends with
    expect_error: str | None = None  # "step:field": the form must flag this field
    entry_id: str | None = None
    title: str | None = None


@dataclass
class Report:
    """Findings (fail the check) and notes (information)."""

    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    by_event: set[str] = field(default_factory=set)

    def find(self, where: str, what: str) -> None:
        """A problem a user would see."""
        line = f"{where}: {what}"
        if line not in self.findings:
            self.findings.append(line)
            say(f"FINDING {line}")

    def note(self, text: str) -> None:
        """Something worth saying that is not a problem."""
        self.notes.append(text)
        say(text)


class Walker:
    """Drives the frontend's flow dialog with DOM clicks and key input."""

    def __init__(
        self,
        browser: Browser,
        origin: str,
        report: Report,
        shots: Path | None,
        *,
        all_shots: bool = False,
    ) -> None:
        """Use a logged-in browser on `origin`; pictures go to `shots` (None: none)."""
        self.browser = browser
        self.origin = origin.rstrip("/")
        self.report = report
        self.shots = shots
        self.all_shots = all_shots
        self.error_shots = Path(tempfile.gettempdir()) / "hps-journey-errors"
        self._console_seen = 0
        self._shot_names: set[str] = set()

    # -- page-level checks -------------------------------------------------

    def check_console(self, where: str) -> None:
        """Console errors and page exceptions since the last check."""
        messages = self.browser.console_errors + self.browser.exceptions
        new = messages[self._console_seen :]
        self._console_seen = len(messages)
        for text in new:
            if is_environment_noise(text):
                continue
            self.report.find(where, f"console error: {text[:300]}")

    def check_text(self, where: str, text: str, schema: list[dict[str, Any]] | None = None) -> None:
        """No untranslated key in `text`; no field or option shown by its raw key."""
        for marker in UNTRANSLATED:
            for line in text.splitlines():
                if marker in line:
                    self.report.find(where, f"untranslated text {line.strip()[:160]!r}")
        lines = {line.strip() for line in text.splitlines()}
        for item in schema or []:
            raw = str(item.get("name", ""))
            if "_" in raw and raw in lines:
                self.report.find(where, f"field {raw!r} is labelled with its raw key")
            selector = item.get("selector") or {}
            options = (selector.get("select") or {}).get("options") or []
            for option in options:
                value = option if isinstance(option, str) else option.get("value")
                if isinstance(value, str) and "_" in value and value in lines:
                    self.report.find(where, f"option {value!r} of {raw!r} is shown as its raw key")

    def _shot_path(self, name: str) -> Path | None:
        """Where the picture `name` goes: docs/journey/<curated name>.png, a few only
        (--all-screenshots: every step); errors to a temporary folder."""
        if name in self._shot_names:
            return None
        self._shot_names.add(name)
        if name.startswith("error-"):
            return self.error_shots / f"{name}.png"
        if self.shots is None:
            return None
        if self.all_shots:
            return self.shots / f"{name}.png"
        if name in CURATED:
            return self.shots / f"{CURATED[name]}.png"
        return None

    def check_raw_keys(self, where: str, text: str) -> None:
        """No snake_case word in what a person reads (a key shown instead of its text)."""
        for line in text.splitlines():
            for word in RAW_KEY.findall(line):
                self.report.find(where, f"raw key {word!r} in the text {line.strip()[:120]!r}")

    async def shot(self, name: str, selector: str = "dialog-data-entry-flow") -> None:
        """Save a small PNG of the dialog (or the element `selector`), once per name."""
        path = self._shot_path(name)
        if path is None:
            return
        box = await self.browser.evaluate(
            f"(() => {{ const d = hpsDeep.first({json.dumps(selector)}); if (!d) return null;"
            " const inner = hpsDeep.first('wa-dialog', d) || d;"
            " const c = hpsDeep.first('dialog', inner) || inner;"
            " const b = c.getBoundingClientRect();"
            " return [b.x, b.y, b.width, b.height]; })()"
        )
        if box and box[2] > 0 and box[3] > 0:
            x, y, w, h = (max(0, int(v)) for v in box)
            shot = await self.browser.send(
                "Page.captureScreenshot",
                {
                    "format": "png",
                    "clip": {"x": x, "y": y, "width": w, "height": h, "scale": 1},
                },
            )
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(base64.b64decode(shot["data"]))
        else:
            await self.browser.screenshot(path)
        say(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    async def page_shot(self, name: str) -> None:
        """Save the viewport as PNG."""
        path = self._shot_path(name)
        if path is None:
            return
        await self.browser.screenshot(path)
        say(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    # -- navigation --------------------------------------------------------

    async def open_page(self, path: str, ready_js: str, what: str) -> None:
        """Open a frontend page and wait until `ready_js` is true.

        Within the app this navigates as its own links do (history.pushState
        and a `location-changed` event), not by reloading: a reload cuts the
        frontend's websocket, whose pending calls then fail in the console.
        """
        in_app = await self.browser.evaluate(
            f"location.origin === {json.dumps(self.origin)}"
            " && !!document.querySelector('home-assistant')"
        )
        if in_app:
            await self.browser.evaluate(
                f"history.pushState(null, '', {json.dumps(path)});"
                " window.dispatchEvent(new CustomEvent('location-changed',"
                " {detail: {replace: false}}))"
            )
        else:
            await self.browser.open(self.origin + path)
        await self.browser.wait_for(ready_js, within=90, what=what)
        if str(await self.browser.evaluate("location.pathname")).startswith("/auth"):
            raise Failure("the frontend did not accept the login (it shows the login page)")

    async def open_add_integration(self) -> None:
        """Settings → Devices & services → Add integration → Heat Pump Stats."""
        await self.open_page(
            "/config/integrations/dashboard",
            "hpsDeep.byText('ha-button', 'Add integration').length > 0",
            "the integrations page",
        )
        search = (
            "(() => { const d = hpsDeep.first('dialog-add-integration');"
            " return d ? hpsDeep.all('input', d).filter((i) => hpsDeep.visible(i))[0] : null;"
            " })()"
        )
        await self.click_until(
            "hpsDeep.innermost('ha-button', 'Add integration')[0]",
            f"!!({search})",
            what="Add integration",
        )
        await self.browser.wait_still(
            "hpsDeep.first('dialog', hpsDeep.first('dialog-add-integration'))"
        )
        for _ in range(3):
            await self.browser.click(search, what="the search field")
            await self.browser.type_text("Heat Pump Stats")
            if await self.browser.evaluate(f"({search}).value") == "Heat Pump Stats":
                break
            await self.browser.evaluate(f"({search}).value = ''")
        item = (
            "hpsDeep.byText('ha-integration-list-item', 'Heat Pump Stats',"
            " hpsDeep.first('dialog-add-integration'))[0]"
        )
        try:
            await self.browser.wait_for(f"!!{item}", within=30, what="Heat Pump Stats in the list")
        except BrowserError:
            self.error_shots.mkdir(parents=True, exist_ok=True)
            path = await self.browser.screenshot(self.error_shots / "add-integration.png")
            say(f"the Add integration dialog as it was: {path}")
            raise
        await self.browser.click(item, what="Heat Pump Stats")

    async def click_until(
        self, target: str, until: str, *, what: str, tries: int = 4, wait_s: float = 10
    ) -> None:
        """Click `target` until `until` is true (a page that is still settling, e.g.

        a button that animates in, can swallow the first click).
        """
        for _ in range(tries):
            with contextlib.suppress(BrowserError):
                await self.browser.click(target, what=what)
            with contextlib.suppress(BrowserError):
                await self.browser.wait_for(until, within=wait_s, what=what)
                return
        self.error_shots.mkdir(parents=True, exist_ok=True)
        path = await self.browser.screenshot(self.error_shots / "click.png")
        raise Failure(f"clicking {what} had no effect ({tries} tries; the page: {path})")

    # -- the flow dialog ---------------------------------------------------

    async def state(self, *, fresh: bool = True, within: float = 90) -> dict[str, Any]:
        """The dialog's current step, once it shows one that was not seen before."""
        deadline = time.monotonic() + within
        while True:
            state = await self.browser.evaluate(FLOW_STATE_JS)
            ready = state.get("open") and state.get("kind") not in (None, "loading", "progress")
            if ready and (state.get("fresh") or not fresh):
                await self.until_still()
                return dict(await self.browser.evaluate(FLOW_STATE_JS))
            if time.monotonic() > deadline:
                raise Failure(f"the flow dialog did not show a new step within {within:.0f} s")
            await asyncio.sleep(0.25)

    async def until_still(self) -> None:
        """Wait until the dialog stops moving (it animates in, and grows with its content)."""
        await self.browser.wait_still(
            "(() => { const d = hpsDeep.first('dialog-data-entry-flow');"
            " return d && (hpsDeep.first('dialog', d) || d); })()"
        )

    async def fill(self, where: str, name: str, value: Any, schema: dict[str, Any]) -> None:
        """Type or pick `value` into field `name` as a user does."""
        kind = next(iter((schema.get("selector") or {"text": {}}).keys()))
        field_js = FIELD_JS % json.dumps(name)
        if kind == "select" and await self.browser.evaluate(
            f"!!hpsDeep.first('ha-radio-option', {field_js})"
        ):
            option = (
                f"hpsDeep.all('ha-radio-option', {field_js})"
                f".find((o) => o.value === {json.dumps(value)})"
            )
            await self.browser.click(option, what=f"option {value!r} of {name}")
        elif kind in ("text", "number") or "selector" not in schema:
            input_js = f"hpsDeep.first('input', {field_js})"
            await self.browser.click(input_js, what=f"field {name}")
            await self.browser.evaluate(
                f"(() => {{ const i = {input_js}; i.focus(); i.select(); }})()"
            )
            await self.browser.type_text(str(value))
        else:
            await self._set_by_event(field_js, value)
            self.report.by_event.add(f"{name} ({kind})")
        got = await self.browser.evaluate(
            "(() => { const f = hpsDeep.first('ha-form', hpsDeep.first('step-flow-form'));"
            f" return f && f.data ? f.data[{json.dumps(name)}] : null; }})()"
        )
        if str(got) != str(value):
            # Not taken (e.g. a custom input): the field's own event, as its element fires it.
            await self._set_by_event(field_js, value)
            self.report.by_event.add(f"{name} ({kind}, after typing did not take)")

    async def _set_by_event(self, field_js: str, value: Any) -> None:
        await self.browser.evaluate(
            f"(() => {{ const el = {field_js}; el.dispatchEvent(new CustomEvent('value-changed',"
            f" {{detail: {{value: {json.dumps(value)}}}, bubbles: true, composed: true}})); }})()"
        )

    async def submit(self) -> None:
        """Click the dialog's Submit / Next button."""
        await self.browser.evaluate(MARK_STEP_JS)
        labels = json.dumps(list(SUBMIT_LABELS))
        button = (
            "hpsDeep.all('ha-button', hpsDeep.first('dialog-data-entry-flow'))"
            f".filter((b) => hpsDeep.visible(b) && {labels}.includes(hpsDeep.text(b).trim()))"
            ".pop()"
        )
        await self.browser.click(button, what="the Submit button")

    async def walk(
        self,
        label: str,
        choose: dict[str, Any],
        *,
        max_steps: int = 12,
        expect_error: str | None = None,
    ) -> dict[str, Any]:
        """Walk an open flow to its end; return the last step (create_entry or abort).

        With `expect_error` ("step:field") the walk ends when that step shows
        an error on that field, in words (kind "expected-error").
        """
        seen_steps: list[str] = []
        for _ in range(max_steps):
            state = await self.state()
            step = state.get("step") or {}
            kind = state["kind"]
            step_id = str(step.get("step_id") or kind)
            where = f"{label} / {step_id}"
            seen_steps.append(step_id)
            self.check_text(where, state.get("text", ""), step.get("data_schema"))
            self.check_console(where)
            if kind == "form":
                errors = step.get("errors") or {}
                if expect_error and errors:
                    wanted_step, wanted_field = expect_error.split(":")
                    if step_id == wanted_step and set(errors) == {wanted_field}:
                        await self._check_field_error(where, wanted_field, errors[wanted_field])
                        say(f"{label}: {step_id} flags {wanted_field} ({errors[wanted_field]})")
                        return {"kind": "expected-error", **step}
                if errors or state.get("alerts"):
                    self.report.find(
                        where,
                        f"the form shows errors {errors} {state.get('alerts')}"
                        f" (filled: {state.get('data')})",
                    )
                    await self.shot(f"error-{label}-{step_id}")
                    raise Failure(f"{where}: stopped at an error")
                await self.shot(f"{label}-{step_id}")
                schema = {item["name"]: item for item in step.get("data_schema") or []}
                for name, value in choose.items():
                    if name in schema:
                        await self.fill(where, name, value, schema[name])
                await self.submit()
            elif kind == "menu":
                await self.shot(f"{label}-{step_id}")
                options = list(step.get("menu_options") or [])
                wanted = choose.get(f"menu:{step_id}")
                if wanted not in options:
                    raise Failure(f"{where}: menu {options}, no choice for it in the journey")
                await self.browser.evaluate(MARK_STEP_JS)
                items = (
                    "hpsDeep.all('ha-md-list-item,ha-list-item,mwc-list-item,ha-list-item-button',"
                    " hpsDeep.first('step-flow-menu')).filter((e) => hpsDeep.visible(e))"
                )
                count = await self.browser.evaluate(f"{items}.length")
                if count != len(options):
                    raise Failure(f"{where}: the menu shows {count} items for {options}")
                await self.browser.click(
                    f"{items}[{options.index(wanted)}]", what=f"menu item {wanted}"
                )
            elif kind in ("create-entry", "abort"):
                await self.shot(f"{label}-{'created' if kind == 'create-entry' else 'done'}")
                say(f"{label}: steps {' → '.join(seen_steps)}")
                if kind == "abort":
                    reason = step.get("reason")
                    if reason not in ("reconfigure_successful", "reauth_successful"):
                        self.report.find(where, f"the flow ended with {reason!r}")
                return {"kind": kind, **step, "text": state.get("text", "")}
            else:
                raise Failure(f"{where}: a {kind} step, which this journey does not expect")
        raise Failure(f"{label}: more than {max_steps} steps ({seen_steps})")

    async def _check_field_error(self, where: str, name: str, key: str) -> None:
        """The error sits on the field and says it in words (not its key)."""
        text = await self.browser.evaluate(
            f"(() => {{ const el = {FIELD_JS % json.dumps(name)};"
            " return el ? hpsDeep.text(el) : null; })()"
        )
        if text is None:
            self.report.find(where, f"no field {name} to carry the error {key!r}")
            return
        if key in text or not any(len(line) > 20 for line in text.splitlines()):
            self.report.find(where, f"the error {key!r} of {name} is not in words: {text!r}")
        self.check_text(where, text)

    async def close_dialog(self) -> None:
        """Finish / close the flow dialog."""
        for label in ("Finish", "Skip and finish", "Close", "OK"):
            button = (
                "hpsDeep.all('ha-button', hpsDeep.first('dialog-data-entry-flow'))"
                ".filter((b) => hpsDeep.visible(b)"
                f" && hpsDeep.text(b).trim() === {json.dumps(label)}).pop()"
            )
            if await self.browser.evaluate(f"!!({button})"):
                await self.browser.click(button, what=label)
                break
        await self.browser.wait_for(CLOSED_JS, within=30, what="the flow dialog to close")

    async def dismiss(self) -> None:
        """Close the flow dialog with its X (after a failure, or an expected error)."""
        close = (
            "hpsDeep.all('ha-icon-button', hpsDeep.first('dialog-data-entry-flow'))"
            ".filter((b) => hpsDeep.visible(b) && b.label === 'Close')[0]"
        )
        with contextlib.suppress(BrowserError):
            await self.click_until(close, CLOSED_JS, what="the dialog's X", wait_s=5)

    async def open_entry_menu_item(self, entry_id: str, title: str, item: str) -> None:
        """The integration page → the entry's ⋮ (or its button) → `item`."""
        await self.open_page(
            f"/config/integrations/integration/{DOMAIN}",
            f"hpsDeep.byText('ha-config-entry-row', {json.dumps(title)}).length > 0",
            f"the entry {title!r} on the integration page",
        )
        row = f"hpsDeep.byText('ha-config-entry-row', {json.dumps(title)})[0]"
        # The entry's own buttons come before its devices' rows (which have a ⋮ too).
        direct = (
            f"hpsDeep.all('ha-icon-button,ha-button', {row}).filter((b) => hpsDeep.visible(b)"
            f" && (b.label === {json.dumps(item)}"
            f" || hpsDeep.text(b).trim() === {json.dumps(item)}))[0]"
        )
        if await self.browser.evaluate(f"!!({direct})"):
            await self.browser.click(direct, what=f"{item} of {title}")
            return
        menu = (
            f"hpsDeep.all('ha-icon-button', {row})"
            ".filter((b) => hpsDeep.visible(b) && b.label === 'Menu')[0]"
        )
        choice = (
            "hpsDeep.all('ha-dropdown-item,ha-md-menu-item,mwc-list-item')"
            ".filter((e) => hpsDeep.visible(e)"
            f" && hpsDeep.text(e).trim() === {json.dumps(item)})[0]"
        )
        await self.click_until(menu, f"!!({choice})", what=f"the ⋮ menu of {title}")
        await self.browser.click(choice, what=item)


class Simulators:
    """The devices of the journey, served by their own event loop in a thread.

    Home Assistant (another process) polls them while this script blocks in
    REST calls or waits for the browser; their own loop keeps them answering.
    """

    def __init__(self) -> None:
        """Not started."""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.modbus = ModbusSimulator(*isg_tables())
        self.luxtronik = LuxtronikSimulator()
        self.shelly = ShellyPro3EMSimulator()
        self.shelly_later = ShellyPro3EMSimulator(mac="C8F09E8832F5")

    def _run(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(60)

    def start(
        self,
    ) -> tuple[ModbusSimulator, LuxtronikSimulator, ShellyPro3EMSimulator, ShellyPro3EMSimulator]:
        """Listen on 127.0.0.1 (ephemeral ports)."""
        self._thread.start()
        self._run(self.modbus.start())
        self._run(self.luxtronik.start())
        self._run(self.shelly.start())
        self._run(self.shelly_later.start())
        return self.modbus, self.luxtronik, self.shelly, self.shelly_later

    def stop(self) -> None:
        """Stop every simulator and the loop."""
        for stop in (
            self.shelly.close,
            self.shelly_later.close,
            self.luxtronik.stop,
            self.modbus.stop,
        ):
            with contextlib.suppress(Exception):
                self._run(stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


# --------------------------------------------------------------------------
# Home Assistant over REST / websocket


def ws(api: HomeAssistantAPI, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """develop_bootstrap.websocket, from a thread (it runs its own event loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(websocket, api, commands).result()


def entries(api: HomeAssistantAPI) -> list[dict[str, Any]]:
    """The heatpump_stats config entries."""
    return list(api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}"))


def check_entities(api: HomeAssistantAPI, journey: Journey, report: Report) -> None:
    """The new entry's entities: no future data, no electricity without a meter, no false 0."""
    registry = ws(api, [{"type": "config/entity_registry/list"}])[0].get("result") or []
    mine = [item for item in registry if item.get("config_entry_id") == journey.entry_id]
    where = f"{journey.name} entities"
    if not mine:
        report.find(where, "the entry has no entities")
        return
    states = {s["entity_id"]: s for s in api.call("GET", "/api/states")}
    now = datetime.now(UTC)
    electricity_keys = (
        "electrical_",
        "energy_today",
        "energy_week",
        "energy_month",
        "energy_year",
        "projected_annual_energy",
        "cop",
    )
    unavailable = []
    by_key = {
        str(item.get("translation_key")): states.get(item["entity_id"], {}).get("state")
        for item in mine
    }
    running = by_key.get("compressor_running") == "on"
    for item in mine:
        entity_id = item["entity_id"]
        key = str(item.get("translation_key") or "")
        state = states.get(entity_id)
        if state is None:
            continue  # disabled by default
        value = str(state["state"])
        attributes = state.get("attributes") or {}
        if value in ("unavailable",):
            unavailable.append(entity_id)
        if attributes.get("device_class") == "timestamp" and value not in (
            "unknown",
            "unavailable",
        ):
            try:
                when = datetime.fromisoformat(value)
            except ValueError:
                report.find(where, f"{entity_id} is a timestamp that reads {value!r}")
            else:
                if when > now + CLOCK_SKEW:
                    report.find(where, f"{entity_id} is in the future: {value}")
        if (
            journey.expect_meter == "none"
            and any(k in key for k in electricity_keys)
            and ("thermal" not in key)
        ):
            report.find(
                where,
                f"{entity_id} exists with meter 'none' (reads {value!r}): it has no input",
            )
        if value in ("0", "0.0") and key in ZERO_NEVER_TRUE:
            report.find(where, f"{entity_id} reads 0: {ZERO_NEVER_TRUE[key]}")
        if running and value in ("0", "0.0") and key in ZERO_NOT_WHILE_RUNNING:
            report.find(where, f"{entity_id} reads 0 while the compressor runs")
        name = str(attributes.get("friendly_name", ""))
        for marker in UNTRANSLATED:
            if marker in name:
                report.find(where, f"{entity_id} has the untranslated name {name!r}")
    if unavailable:
        report.find(where, f"unavailable after setup: {', '.join(sorted(unavailable))}")
    report.note(f"{journey.name}: {len(mine)} entities checked")


def check_names(
    api: HomeAssistantAPI, journey: Journey, report: Report, input_names: set[str]
) -> None:
    """Entry and device named by make and model: not by address, not after an input entity."""
    devices = ws(api, [{"type": "config/device_registry/list"}])[0].get("result") or []
    names = [("entry", str(journey.title))] + [
        ("device", str(d.get("name")))
        for d in devices
        if journey.entry_id in (d.get("config_entries") or [])
    ]
    for what, name in names:
        if re.search(r"\d+\.\d+\.\d+\.\d+|:\d{2,5}\b", name):
            report.find(journey.name, f"the {what} is named by its address: {name!r}")
        for other in input_names:
            if other and other in name:
                report.find(
                    journey.name,
                    f"the {what} is named after the input entity {other!r}: {name!r}"
                    " (its entity ids repeat it)",
                )


def wait_loaded(api: HomeAssistantAPI, entry_id: str, timeout: float = 90) -> dict[str, Any]:
    """Wait until the entry is loaded (or failed); return it."""
    deadline = time.monotonic() + timeout
    while True:
        found = next((e for e in entries(api) if e["entry_id"] == entry_id), None)
        if found is None:
            raise Failure(f"entry {entry_id} is gone")
        if found["state"] in ("loaded", "setup_error", "setup_retry", "failed_unload"):
            return dict(found)
        if time.monotonic() > deadline:
            return dict(found)
        time.sleep(1)


async def settle(seconds: float) -> None:
    """Give new entries their first polls (their entities start as unknown)."""
    say(f"waiting {seconds:.0f} s for the first polls (--settle)")
    await asyncio.sleep(seconds)


# --------------------------------------------------------------------------


async def run(args: argparse.Namespace, api: HomeAssistantAPI, report: Report) -> None:
    """Start the simulators, walk the journeys, check, clean up."""
    sims = Simulators()
    modbus, luxtronik, shelly, shelly_later = sims.start()
    say(
        f"simulators on 127.0.0.1: Modbus ISG :{modbus.port}, Luxtronik :{luxtronik.port},"
        f" Shelly {shelly.host} and {shelly_later.host}"
    )
    before = {e["entry_id"] for e in entries(api)}
    demo = next((e for e in entries(api) if e.get("state") == "loaded"), None)
    demo_entities: dict[str, str] = {}
    if demo is not None:
        registry = ws(api, [{"type": "config/entity_registry/list"}])[0]["result"]
        for item in registry:
            if item.get("config_entry_id") == demo["entry_id"]:
                demo_entities[str(item.get("translation_key"))] = item["entity_id"]
    states = {st["entity_id"]: st for st in api.call("GET", "/api/states")}
    demo_names = {
        str(states[e]["attributes"].get("friendly_name"))
        for e in demo_entities.values()
        if e in states and states[e]["attributes"].get("friendly_name")
    }
    journeys = [
        # A second demo under the name the form suggests: the name field says why not.
        Journey("demo-again", {"source": "demo"}, expect_error="demo:name"),
        Journey(
            "modbus",
            {"source": "modbus", "host": "127.0.0.1", "port": modbus.port},
            expect_meter="source",
        ),
        Journey(
            "luxtronik",
            {
                "source": "luxtronik",
                "host": "127.0.0.1",
                "port": luxtronik.port,
                "meter": "shelly_pro_3em",
                "shelly_host": shelly.host,
            },
            expect_meter="shelly_pro_3em",
        ),
    ]
    wanted = ("outside_temperature", "flow_temperature", "return_temperature")
    if all(k in demo_entities for k in wanted):
        journeys.append(
            Journey(
                "entities",
                {"source": "entities", **{k: demo_entities[k] for k in wanted}, "meter": "none"},
                expect_meter="none",
            )
        )
    else:
        report.find("entities", "no demo entry with temperature sensors to use as inputs")
    shots = None if args.no_screenshots else args.screenshots
    made: list[str] = []
    try:
        async with Browser.launch(chromium=args.chromium, width=1280, height=900) as browser:
            await browser.log_in(api.base_url, str(api.access_token), api.refresh_token)
            walker = Walker(browser, api.base_url, report, shots, all_shots=args.all_screenshots)
            for journey in journeys:
                say(f"--- {journey.name}: Add integration → Heat Pump Stats")
                await walker.open_add_integration()
                try:
                    end = await walker.walk(
                        journey.name, journey.choose, expect_error=journey.expect_error
                    )
                except Failure as err:
                    report.find(journey.name, str(err))
                    await walker.dismiss()
                    continue
                if journey.expect_error:
                    if end["kind"] != "expected-error":
                        report.find(journey.name, f"expected {journey.expect_error}, got {end}")
                    await walker.dismiss()
                    continue
                if end["kind"] != "create-entry":
                    hint = (
                        " (an entry left by an earlier --keep run? delete it)"
                        if end.get("reason") == "already_configured"
                        else ""
                    )
                    report.find(journey.name, f"ended without an entry: {end.get('reason')}{hint}")
                    await walker.close_dialog()
                    continue
                result = end.get("result") or {}
                journey.entry_id = result.get("entry_id")
                journey.title = result.get("title") or end.get("title")
                if journey.entry_id:
                    made.append(journey.entry_id)
                await walker.close_dialog()
                walker.check_console(f"{journey.name} / after creating")
                entry = wait_loaded(api, str(journey.entry_id))
                say(f"{journey.name}: entry {entry['title']!r} is {entry['state']}")
                if entry["state"] != "loaded":
                    report.find(journey.name, f"the new entry is {entry['state']}")
                journey.title = entry["title"]
                check_names(api, journey, report, demo_names)
            # Entities after their first polls.
            await settle(args.settle)
            for journey in journeys:
                if journey.entry_id:
                    check_entities(api, journey, report)
            # The meter of the Modbus entry, changed later: reconfigure.
            target = next((j for j in journeys if j.name == "modbus" and j.entry_id), None)
            if target is not None and target.title and target.entry_id:
                say(f"--- reconfigure {target.title!r}: meter → Shelly Pro 3EM")
                await walker.open_entry_menu_item(target.entry_id, target.title, "Reconfigure")
                try:
                    await walker.walk(
                        "reconfigure",
                        {
                            "menu:reconfigure": "reconfigure_meter",
                            "meter": "shelly_pro_3em",
                            "shelly_host": shelly_later.host,
                        },
                    )
                    await walker.close_dialog()
                except Failure as err:
                    report.find("reconfigure", str(err))
                    await walker.dismiss()
                else:
                    entry = wait_loaded(api, target.entry_id)
                    found = next(e for e in entries(api) if e["entry_id"] == target.entry_id)
                    say(f"reconfigure: entry is {entry['state']}")
                    target.expect_meter = "shelly_pro_3em"
                    await settle(args.settle)
                    check_entities(api, target, report)
                    if found["state"] != "loaded":
                        report.find("reconfigure", f"the entry is {found['state']} afterwards")
            # Options of every new entry, saved as they open.
            for journey in journeys:
                if not (journey.entry_id and journey.title):
                    continue
                say(f"--- options of {journey.title!r}: saved as they open")
                await walker.open_entry_menu_item(journey.entry_id, journey.title, "Configure")
                try:
                    # The options open on a menu: the settings (InfluxDB is optional).
                    await walker.walk(f"options-{journey.name}", {"menu:init": "settings"})
                    await walker.close_dialog()
                except Failure as err:
                    report.find(f"options-{journey.name}", str(err))
                    await walker.dismiss()
            # The device page of each new entry, and of the demo (it has a change log).
            devices = ws(api, [{"type": "config/device_registry/list"}])[0]["result"]
            pages = list(journeys)
            if demo is not None:
                pages.append(Journey("demo", {}, entry_id=demo["entry_id"]))
            for journey in pages:
                for device in devices:
                    if journey.entry_id in (device.get("config_entries") or []):
                        where = f"{journey.name} device page"
                        await walker.open_page(
                            f"/config/devices/device/{device['id']}",
                            "!!hpsDeep.first('ha-device-entities-card')",
                            where,
                        )
                        await asyncio.sleep(2)
                        page_text = await browser.text()
                        walker.check_text(where, page_text)
                        walker.check_raw_keys(where, page_text)
                        walker.check_console(where)
                        if journey.name == "luxtronik":
                            await walker.page_shot("device-page")
    finally:
        if not args.keep:
            for entry_id in made:
                if entry_id not in before:
                    api.request("DELETE", f"/api/config/config_entries/entry/{entry_id}")
            if made:
                say(f"deleted the {len(made)} entries this journey made (--keep keeps them)")
        sims.stop()


def main() -> int:
    """Parse the arguments, walk, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    port = os.environ.get("HPS_DEVELOP_PORT", "8123")
    parser.add_argument("--url", default=f"http://127.0.0.1:{port}/")
    parser.add_argument("--config", type=Path, default=ROOT / "config")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "docs" / "journey")
    parser.add_argument("--no-screenshots", action="store_true")
    parser.add_argument(
        "--all-screenshots", action="store_true", help="one picture per step, not only a few"
    )
    parser.add_argument("--keep", action="store_true", help="keep the entries made")
    parser.add_argument(
        "--settle", type=float, default=20, help="seconds for the first polls (default 20)"
    )
    parser.add_argument("--chromium", default=find_chromium())
    args = parser.parse_args()
    if not args.chromium:
        say("ERROR: no chromium: run scripts/bootstrap_chromium")
        return 2
    base_url = args.url.rstrip("/") + "/"
    api = HomeAssistantAPI(base_url)
    report = Report()
    try:
        login = load_credentials(args.config / CREDENTIALS_FILE)
        if login is None:
            raise Failure(
                f"no login in {args.config / CREDENTIALS_FILE}: start scripts/develop once"
            )
        api.login(login["username"], login["password"])
        asyncio.run(run(args, api, report))
    except (Failure, BrowserError) as err:
        say(f"ERROR: {err}")
        for line in report.findings:
            say(f"  finding so far: {line}")
        return 2
    finally:
        api.revoke()
    if report.by_event:
        say("set through the field's value-changed event: " + ", ".join(sorted(report.by_event)))
    if report.findings:
        say(f"FAILED: {len(report.findings)} findings:")
        for line in report.findings:
            say(f"  - {line}")
        return 1
    say(
        "OK: every form walked, no error, no untranslated text, no console error, "
        "no future data, no electricity without a meter"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
