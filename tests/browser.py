"""Headless Chromium driven over the Chrome DevTools Protocol, for Home Assistant pages.

One module for every browser check of the project: scripts/screenshot_dashboard.py
(scripts/check_dashboard), scripts/journey.py (scripts/check_journey) and the
browser tests of the suite. It needs only aiohttp (a websocket to the
browser) and a `chromium` binary (scripts/bootstrap_chromium provides it);
nothing of Home Assistant's test helpers, so scripts can import it too.

    async with Browser.launch(width=1280, height=900) as browser:
        await browser.log_in(origin, access_token)   # the frontend's hassTokens
        await browser.open(f"{origin}/config/integrations/dashboard")
        await browser.wait_for("!!hpsDeep.first('ha-config-integrations')")
        await browser.screenshot(Path("out.png"))
        assert not browser.console_errors

Pages are searched through shadow roots with the helpers of `DEEP_JS`
(installed in every document as `window.hpsDeep`): `all(selector)`,
`first(selector)`, `text(root)` (visible text, shadow roots included),
`byText(selector, text)`.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import re
import shutil
import signal
import subprocess
import tempfile
import time
from types import TracebackType
from typing import Any

import aiohttp

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--mute-audio",
)

# Searches that cross shadow roots; defined in every document before its scripts run.
DEEP_JS = r"""
(() => {
  if (window.hpsDeep) return;
  const roots = (root) => {
    const out = [root];
    const walk = (node) => {
      for (const el of node.querySelectorAll("*")) {
        if (el.shadowRoot) { out.push(el.shadowRoot); walk(el.shadowRoot); }
      }
    };
    if (root.shadowRoot) { out.push(root.shadowRoot); walk(root.shadowRoot); }
    walk(root);
    return out;
  };
  // `root` null or undefined: the whole document. (Pass a guard when a
  // missing root must not widen the search.)
  const all = (selector, root) => {
    const found = [];
    for (const r of roots(root || document)) for (const el of r.querySelectorAll(selector))
      found.push(el);
    return found;
  };
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  // The text a person sees: text nodes of the light and shadow trees, in order,
  // without scripts and styles.
  const text = (root) => {
    const parts = [];
    const walk = (node) => {
      if (node.nodeType === Node.TEXT_NODE) {
        const t = node.textContent.trim();
        if (t) parts.push(t);
        return;
      }
      if (node.nodeType === Node.ELEMENT_NODE) {
        if (["SCRIPT", "STYLE", "TEMPLATE"].includes(node.tagName)) return;
        // Light children show through the shadow tree's slots (or not at all).
        if (node.shadowRoot) { walk(node.shadowRoot); return; }
        if (node.tagName === "SLOT") {
          const assigned = node.assignedNodes();
          if (assigned.length) { for (const n of assigned) walk(n); return; }
        }
      }
      for (const child of node.childNodes) walk(child);
    };
    walk(root || document);
    return parts.join("\n");
  };
  const byText = (selector, wanted, root) =>
    all(selector, root).filter((el) => visible(el) && text(el).includes(wanted));
  // The innermost elements matching `selector` whose text includes `wanted`.
  const innermost = (selector, wanted, root) => {
    const found = byText(selector, wanted, root);
    return found.filter((el) => !found.some((other) => other !== el && el.contains(other)
      || (el.shadowRoot && el.shadowRoot.contains(other))));
  };
  const focused = () => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el;
  };
  window.hpsDeep = {all, first: (s, r) => all(s, r)[0] || null, text, byText, innermost,
                    visible, focused};
})();
"""


# Brand icons come from brands.home-assistant.io through /api/brands; without
# internet every other integration's icon answers 404. Ours is served from
# the integration's brand/ folder, so its 404 is not noise.
_NOISE = re.compile(r"/api/brands/integration/(?!heatpump_stats/)")


def is_environment_noise(console_text: str) -> bool:
    """A console error of the machine, not of the page (another brand icon's 404)."""
    return bool(_NOISE.search(console_text))


class BrowserError(Exception):
    """The browser did not do what was asked (start, a command, a wait)."""


def find_chromium() -> str | None:
    """The Chromium to drive: $HPS_CHROMIUM, else `chromium` on PATH, else None."""
    wanted = os.environ.get("HPS_CHROMIUM")
    if wanted:
        return shutil.which(wanted)
    return shutil.which("chromium") or shutil.which("chromium-browser")


def hass_tokens(origin: str, access_token: str, refresh_token: str | None = None) -> str:
    """The frontend's localStorage["hassTokens"] entry (home-assistant-js-websocket)."""
    return json.dumps(
        {
            "access_token": access_token,
            "refresh_token": refresh_token or "",
            "token_type": "Bearer",
            "expires_in": 1800,
            "expires": int(time.time() * 1000) + 1_700_000,
            "hassUrl": origin,
            "clientId": origin + "/",
        }
    )


@dataclass
class Browser:
    """One headless Chromium with one page, driven over DevTools."""

    process: subprocess.Popen[bytes]
    profile: Path
    session: aiohttp.ClientSession
    ws: aiohttp.ClientWebSocketResponse
    width: int
    height: int
    console_errors: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    _next: int = 0
    _pending: dict[int, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _reader: asyncio.Task[None] | None = None

    # -- start and stop ---------------------------------------------------

    @classmethod
    def launch(
        cls, *, chromium: str | None = None, width: int = 1280, height: int = 900
    ) -> _Launch:
        """`async with Browser.launch(...) as browser:` a fresh browser, stopped after."""
        binary = chromium or find_chromium()
        if binary is None:
            raise BrowserError("no chromium on PATH: run scripts/bootstrap_chromium")
        return _Launch(binary, width, height)

    async def _start(self) -> None:
        self._reader = asyncio.create_task(self._read())
        await self.send("Runtime.enable")
        await self.send("Page.enable")
        await self.send("Log.enable")
        await self.set_viewport(self.width, self.height)
        await self.send("Page.addScriptToEvaluateOnNewDocument", {"source": DEEP_JS})

    async def close(self) -> None:
        """Stop the browser and remove its profile."""
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        with contextlib.suppress(Exception):
            await self.ws.close()
        await self.session.close()
        _stop_process(self.process)
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- the protocol ------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                if message.type != aiohttp.WSMsgType.TEXT:
                    break
                data = json.loads(message.data)
                if "id" in data:
                    if (future := self._pending.pop(data["id"], None)) and not future.done():
                        future.set_result(data)
                    continue
                self._event(data.get("method", ""), data.get("params") or {})
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(BrowserError("the browser closed the DevTools connection"))

    def _event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Runtime.exceptionThrown":
            self.exceptions.append(_exception_text(params["exceptionDetails"]))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            args = params.get("args") or []
            text = " ".join(
                str(arg.get("value", arg.get("description", arg.get("type")))) for arg in args
            )
            self.console_errors.append(text.splitlines()[0] if text else "(console.error)")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.console_errors.append(f"{entry.get('text', '')} ({entry.get('url', '')})")

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, within: float = 60
    ) -> dict[str, Any]:
        """Send a command, return its result."""
        self._next += 1
        number = self._next
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[number] = future
        await self.ws.send_json({"id": number, "method": method, "params": params or {}})
        try:
            data = await asyncio.wait_for(future, within)
        except TimeoutError as err:
            self._pending.pop(number, None)
            raise BrowserError(f"DevTools {method} did not answer within {within:.0f} s") from err
        if "error" in data:
            raise BrowserError(f"DevTools {method} failed: {data['error']}")
        result: dict[str, Any] = data.get("result", {})
        return result

    # -- pages -------------------------------------------------------------

    async def set_viewport(self, width: int, height: int) -> None:
        """Resize the page's viewport."""
        self.width, self.height = width, height
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    async def on_new_document(self, source: str) -> None:
        """Run `source` in every document before its own scripts."""
        await self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    async def log_in(
        self,
        origin: str,
        access_token: str,
        refresh_token: str | None = None,
        *,
        hide_sidebar: bool = False,
    ) -> None:
        """Hand a login to the frontend: localStorage["hassTokens"], set before each page."""
        origin = origin.rstrip("/")
        source = (
            f"if (location.origin === {json.dumps(origin)}) {{"
            f" localStorage.setItem('hassTokens', "
            f"{json.dumps(hass_tokens(origin, access_token, refresh_token))});"
        )
        if hide_sidebar:
            source += " localStorage.setItem('dockedSidebar', JSON.stringify('always_hidden'));"
        await self.on_new_document(source + "}")

    async def open(self, url: str) -> None:
        """Navigate to `url` (returns once the navigation started)."""
        result = await self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"could not open {url}: {result['errorText']}")

    async def evaluate(self, expression: str, *, within: float = 60) -> Any:
        """Evaluate JavaScript (promises awaited) and return its JSON value."""
        result = await self.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            within=within,
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"page script failed: {_exception_text(result['exceptionDetails'])}")
        return result["result"].get("value")

    async def wait_for(
        self, expression: str, *, within: float = 30, what: str | None = None
    ) -> Any:
        """Poll `expression` until it is truthy; return its value."""
        deadline = time.monotonic() + within
        last_error = ""
        while True:
            try:
                value = await self.evaluate(expression)
            except BrowserError as err:  # the page is navigating, or hpsDeep not yet there
                value, last_error = None, str(err)
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(
                    f"timed out after {within:.0f} s waiting for {what or expression}"
                    + (f" ({last_error})" if last_error else "")
                )
            await asyncio.sleep(0.25)

    async def wait_still(self, expression: str, *, within: float = 10) -> None:
        """Wait until the element `expression` evaluates to stops moving (dialogs
        animate in and grow with their content; a click during that can miss)."""
        box_js = (
            f"(() => {{ const el = ({expression}); if (!el) return null;"
            " const b = el.getBoundingClientRect();"
            " return [b.x, b.y, b.width, b.height].map(Math.round).join(','); })()"
        )
        deadline = time.monotonic() + within
        last = None
        while time.monotonic() < deadline:
            box = await self.evaluate(box_js)
            if box is not None and box == last:
                return
            last = box
            await asyncio.sleep(0.3)

    async def text(self, selector: str | None = None) -> str:
        """The visible text of the page, or of the first element matching `selector`."""
        if selector is None:
            return str(await self.evaluate("hpsDeep.text(document)"))
        value = await self.evaluate(
            f"(() => {{ const el = hpsDeep.first({json.dumps(selector)});"
            " return el ? hpsDeep.text(el) : null; })()"
        )
        if value is None:
            raise BrowserError(f"no element {selector}")
        return str(value)

    async def click(self, expression: str, *, what: str = "element") -> None:
        """Click the element `expression` evaluates to, with the mouse, at its centre."""
        box = await self.evaluate(
            f"(() => {{ const el = ({expression}); if (!el) return null;"
            " el.scrollIntoView({block: 'center'}); const b = el.getBoundingClientRect();"
            " return [b.x + b.width / 2, b.y + b.height / 2, b.width, b.height]; })()"
        )
        if not box or box[2] == 0 or box[3] == 0:
            raise BrowserError(f"cannot click {what}: not found or not visible")
        x, y = box[0], box[1]
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    async def type_text(self, text: str) -> None:
        """Type into the focused element, as a keyboard would (one insert)."""
        await self.send("Input.insertText", {"text": text})

    async def press(self, key: str) -> None:
        """Press a named key (Enter, Tab, Escape, Backspace) on the focused element."""
        codes = {"Enter": 13, "Tab": 9, "Escape": 27, "Backspace": 8}
        params = {"key": key, "code": key, "windowsVirtualKeyCode": codes.get(key, 0)}
        if key == "Enter":
            params["text"] = "\r"
        await self.send("Input.dispatchKeyEvent", {"type": "keyDown", **params})
        await self.send("Input.dispatchKeyEvent", {"type": "keyUp", **params})

    async def screenshot(self, path: Path, *, height: int | None = None) -> Path:
        """Save the viewport (or its top `height` px) as PNG."""
        params: dict[str, Any] = {"format": "png"}
        if height is not None:
            params["clip"] = {"x": 0, "y": 0, "width": self.width, "height": height, "scale": 1}
        shot = await self.send("Page.captureScreenshot", params)
        await asyncio.to_thread(save_png, path, shot["data"])
        return path


def save_png(path: Path, data: str) -> None:
    """Write a base64 PNG of Page.captureScreenshot, making its folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))


def _spawn(binary: str, profile: Path, width: int, height: int) -> subprocess.Popen[bytes]:
    """Start headless Chromium with a fresh profile and a DevTools port of its choice."""
    return subprocess.Popen(
        [
            binary,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1",
            f"--window-size={width},{height}",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


class _Launch:
    """The context manager of `Browser.launch`."""

    def __init__(self, binary: str, width: int, height: int) -> None:
        self._binary, self._width, self._height = binary, width, height
        self._browser: Browser | None = None

    async def __aenter__(self) -> Browser:
        profile = Path(tempfile.mkdtemp(prefix="hps-chromium-"))
        process = _spawn(self._binary, profile, self._width, self._height)
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None, sock_connect=30))
        try:
            port = await _devtools_port(profile, process)
            async with session.get(f"http://127.0.0.1:{port}/json/list") as response:
                targets = await response.json()
            page = next(t for t in targets if t.get("type") == "page")
            ws = await session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        except BaseException:
            await session.close()
            _stop_process(process)
            shutil.rmtree(profile, ignore_errors=True)
            raise
        self._browser = Browser(process, profile, session, ws, self._width, self._height)
        try:
            await self._browser._start()
        except BaseException:
            await self._browser.close()
            raise
        return self._browser

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._browser is not None:
            await self._browser.close()


async def _devtools_port(profile: Path, process: subprocess.Popen[bytes]) -> int:
    """The port Chromium chose, from <profile>/DevToolsActivePort."""
    path = profile / "DevToolsActivePort"
    for _ in range(300):
        if process.poll() is not None:
            raise BrowserError(f"Chromium exited with status {process.returncode} at start")
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(path.read_text().splitlines()[0])
        await asyncio.sleep(0.1)
    raise BrowserError("Chromium did not open its DevTools port within 30 s")


def _exception_text(details: dict[str, Any]) -> str:
    """One line for an exception of the page: its message and where it was thrown."""
    exception = details.get("exception") or {}
    text = str(details.get("text") or "")
    message = exception.get("description") or exception.get("value")
    if message is None and exception.get("preview"):
        message = json.dumps(exception["preview"].get("properties"))[:300]
    line = f"{text} {message}" if message and str(message) not in text else text
    where = details.get("url") or ""
    if where:
        line += f" ({where}:{details.get('lineNumber', 0) + 1})"
    return line.splitlines()[0] if line else "(exception)"


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


async def serve_frontend(
    hass: Any,
    aiohttp_client: Any,
    hass_storage: dict[str, Any],
    before_start: Callable[[], Awaitable[None]] | None = None,
) -> str:
    """Serve a test Home Assistant's frontend on 127.0.0.1 (a real socket); return its origin.

    For pytest tests (fixtures `hass`, `aiohttp_client`, `hass_storage`,
    `socket_enabled`): stores the onboarding as done (else the frontend shows
    it), sets up `frontend` and `config`, and starts HA's own aiohttp app on an
    ephemeral port that Chromium, another process, can reach. Log in with
    `Browser.log_in(origin, hass_access_token)`. `before_start` runs after the
    frontend is set up and before the server starts (an integration that
    serves files, as heatpump_stats serves its card, registers them then: a
    started test server takes no new routes).
    """
    from homeassistant.components import onboarding  # noqa: PLC0415
    from homeassistant.components.onboarding.const import STEPS  # noqa: PLC0415
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    hass_storage[onboarding.STORAGE_KEY] = {
        "version": onboarding.STORAGE_VERSION,
        "minor_version": 1,
        "key": onboarding.STORAGE_KEY,
        "data": {"done": list(STEPS)},
    }
    # Most of what the frontend's config pages ask for at load. Left out: the
    # recorder (`recorder_mock` adds it) and brands (it fetches icons from the
    # internet); their calls fail in the console while the page loads.
    for component in (
        "frontend",
        "config",
        "application_credentials",
        "persistent_notification",
        "labs",
        "logger",
    ):
        assert await async_setup_component(hass, component, {})
    await hass.async_block_till_done()
    if before_start is not None:
        await before_start()
    client = await aiohttp_client(hass.http.app)
    return f"http://{client.server.host}:{client.server.port}"
