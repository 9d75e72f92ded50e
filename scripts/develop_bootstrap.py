"""Helper of scripts/develop; run it with .venv/bin/python.

Subcommands:
  prepare             write config/.storage/http before Home Assistant starts:
                      bound to 127.0.0.1 only, on the requested port.
  bootstrap           run next to hass: wait until it answers, complete the
                      onboarding through its REST API (first start), save and
                      print the login, and create the demo config entry.
  check-requirements  list the requirements of the integrations this
                      configuration sets up that are not installed in the
                      venv (what Home Assistant would pip-install at start).

It needs only the standard library and what Home Assistant installs (aiohttp,
the homeassistant package itself).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import contextlib
from datetime import UTC, datetime
import json
import os
from pathlib import Path
import secrets
import signal
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import aiohttp

ONBOARDING_STEPS = ("user", "core_config", "analytics", "integration")
USERNAME = "dev"
DISPLAY_NAME = "Dev"
LANGUAGE = "en"
CREDENTIALS_FILE = ".develop_credentials"
DOMAIN = "heatpump_stats"
DEMO_TITLE = "Demo heat pump"
# The answer given to each step of the integration's config flow.
DEMO_FLOW_STEPS: dict[str, dict[str, Any]] = {
    "user": {"source": "demo"},
    "demo": {"name": DEMO_TITLE},
    "meter": {"meter": "source"},
}
# The onboarding's core_config step starts these integrations' config flows
# (homeassistant/components/onboarding/views.py). None of them is wanted here:
# scripts/develop skips their requirements (--skip-pip-packages), so met and
# radio_browser fail to load and create nothing, and the entries the other two
# create are removed (see finish_core_config).
ONBOARDING_SIDE_ENTRIES = ("google_translate", "met", "radio_browser", "shopping_list")
ONBOARDING_SIDE_WAIT = 15.0


def say(message: str) -> None:
    """Print one line of the launcher's own output."""
    print(f"develop: {message}", flush=True)


class Failure(Exception):
    """A step failed; the message says which and why."""


# --------------------------------------------------------------------------
# prepare: the HTTP settings


def prepare(config_dir: Path, port: int) -> None:
    """Make .storage/http bind Home Assistant to 127.0.0.1:port only.

    Home Assistant 2026.10 keeps its HTTP settings in .storage/http (a
    `stable` config and an optional `pending` trial); an `http:` YAML block is
    migrated once into a 5-minute trial that reverts to the default (all
    interfaces) and is ignored afterwards. Writing the store before every
    start, with the YAML migration marked done, binds the loopback address
    from the first start on. The other settings a user made are kept.
    """
    from homeassistant.components.http import config as http_config  # noqa: PLC0415

    path = config_dir / ".storage" / http_config.STORAGE_KEY
    data: dict[str, Any] | None = None
    if path.exists():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored.get("version") == http_config.STORAGE_VERSION:
                data = stored["data"]
        except (OSError, ValueError, KeyError) as err:
            say(f"{path} unreadable ({err}); writing it anew")
    stable = dict(data["stable"]) if data else {}
    wanted = {
        "server_host": ["127.0.0.1"],
        "server_port": port,
    }
    settings = {k: v for k, v in stable.items() if k not in http_config._META_KEYS}
    settings.update(wanted)
    settings = dict(http_config.HTTP_STORAGE_SCHEMA(settings))
    new_stable = {
        **settings,
        "created_at": stable.get("created_at") or datetime.now(UTC).isoformat(),
        "error": None,
        "error_message": None,
    }
    new_data = {"stable": new_stable, "pending": None, "yaml_migration_done": True}
    if data == new_data:
        return
    if data and data.get("pending"):
        say("discarding a pending (untried) HTTP configuration from the UI")
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "version": http_config.STORAGE_VERSION,
        "minor_version": http_config.STORAGE_MINOR_VERSION,
        "key": http_config.STORAGE_KEY,
        "data": new_data,
    }
    tmp = path.with_name(path.name + ".develop-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2)
    tmp.replace(path)


# --------------------------------------------------------------------------
# check-requirements


def check_requirements(config_dir: Path) -> int:
    """Print the requirements Home Assistant would install at start."""
    from homeassistant import bootstrap  # noqa: PLC0415
    from homeassistant.requirements import DISCOVERY_INTEGRATIONS  # noqa: PLC0415
    from homeassistant.util.package import is_installed  # noqa: PLC0415
    from homeassistant.util.yaml import load_yaml_dict  # noqa: PLC0415

    components = Path(bootstrap.__file__).parent / "components"
    configured = {
        key.split(" ")[0]
        for key in load_yaml_dict(config_dir / "configuration.yaml")
        if key != "homeassistant"
    }
    manifest_path = config_dir / "custom_components" / DOMAIN / "manifest.json"
    todo = [
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        *configured,
    ]
    manifests: dict[str, dict[str, Any]] = {}
    if manifest_path.exists():
        manifests[DOMAIN] = json.loads(manifest_path.read_text(encoding="utf-8"))
        todo.append(DOMAIN)
    seen: set[str] = set()
    requirements: dict[str, set[str]] = {}
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        if domain not in manifests:
            path = components / domain / "manifest.json"
            if not path.exists():
                print(f"unknown integration: {domain}")
                continue
            manifests[domain] = json.loads(path.read_text(encoding="utf-8"))
        manifest = manifests[domain]
        for requirement in manifest.get("requirements", []):
            requirements.setdefault(requirement, set()).add(domain)
        todo.extend(manifest.get("dependencies", []))
        todo.extend(manifest.get("after_dependencies", []))
        for check, keys in DISCOVERY_INTEGRATIONS.items():
            if any(key in manifest for key in keys):
                todo.append(check)
    # The auth manager sets up the default multi-factor module (totp) too.
    from homeassistant.auth.mfa_modules import totp  # noqa: PLC0415

    for requirement in totp.REQUIREMENTS:
        requirements.setdefault(requirement, set()).add("auth (totp)")
    missing = {r: d for r, d in requirements.items() if not is_installed(r)}
    for requirement, domains in sorted(missing.items()):
        print(f"{requirement}  # {', '.join(sorted(domains))}")
    if missing:
        print(f"{len(missing)} requirement(s) missing: add them to requirements_dev.txt")
        return 1
    print(f"all {len(requirements)} requirements of {len(seen)} integrations are installed")
    return 0


# --------------------------------------------------------------------------
# bootstrap: REST calls


# Talk to 127.0.0.1 directly, whatever http_proxy/https_proxy say.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HomeAssistantAPI:
    """The few REST calls the bootstrap makes, with the standard library."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.client_id = self.base_url + "/"
        self.redirect_uri = self.client_id + "?auth_callback=1"
        self.access_token: str | None = None
        self.refresh_token: str | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        form: dict[str, str] | None = None,
        auth: bool = True,
        timeout: float = 30,
    ) -> tuple[int, Any]:
        """Send one request; return (status, decoded JSON or text)."""
        headers = {"Accept": "application/json"}
        body: bytes | None = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if auth and self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        req = urllib.request.Request(
            self.base_url + path, data=body, headers=headers, method=method
        )
        try:
            with _OPENER.open(req, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, raw = err.code, err.read()
        text = raw.decode("utf-8", "replace")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request and fail unless it answers 2xx."""
        status, data = self.request(method, path, **kwargs)
        if not 200 <= status < 300:
            raise Failure(f"{method} {path} answered HTTP {status}: {data}")
        return data

    def exchange_code(self, code: str) -> None:
        """Trade an authorization code for tokens (/auth/token)."""
        tokens = self.call(
            "POST",
            "/auth/token",
            form={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
            auth=False,
        )
        self.access_token = tokens["access_token"]
        self.refresh_token = tokens.get("refresh_token")

    def login(self, username: str, password: str) -> None:
        """Log in through the login flow, as the UI's login page does."""
        flow = self.call(
            "POST",
            "/auth/login_flow",
            json_body={
                "client_id": self.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": self.redirect_uri,
            },
            auth=False,
        )
        result = self.call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            json_body={
                "client_id": self.client_id,
                "username": username,
                "password": password,
            },
            auth=False,
        )
        if result.get("type") != "create_entry":
            raise Failure(f"login as {username!r} refused: {result.get('errors') or result}")
        self.exchange_code(result["result"])

    def revoke(self) -> None:
        """Revoke this session's refresh token, so starts leave none behind."""
        if self.refresh_token:
            with contextlib.suppress(OSError):
                self.request("POST", "/auth/revoke", form={"token": self.refresh_token}, auth=False)
            self.refresh_token = self.access_token = None


# --------------------------------------------------------------------------
# bootstrap: the steps


def load_credentials(path: Path) -> dict[str, str] | None:
    """Return the saved login, if any."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        say(f"ignoring unreadable {path}: {err}")
        return None
    if isinstance(data, dict) and data.get("username") and data.get("password"):
        return {"username": str(data["username"]), "password": str(data["password"])}
    return None


def save_credentials(path: Path, username: str, password: str, url: str) -> None:
    """Save the login, readable by the owner only."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"url": url, "username": username, "password": password}, handle, indent=2)
        handle.write("\n")
    tmp.replace(path)


def wait_until(what: str, deadline: float, probe: Callable[[], bool], parent_pid: int) -> None:
    """Poll probe() every half second until it is true, or fail at the deadline."""
    while True:
        if os.getppid() != parent_pid:
            raise SystemExit(0)  # scripts/develop is gone: nothing to do
        try:
            if probe():
                return
        except OSError, ValueError, Failure:
            pass
        if time.monotonic() >= deadline:
            raise TimeoutError(what)
        time.sleep(0.5)


def onboarding_status(api: HomeAssistantAPI) -> dict[str, bool]:
    """Return {step: done} from GET /api/onboarding.

    Once onboarding is complete Home Assistant no longer registers its views,
    so a 404 from a server that answers means every step is done.
    """
    status, data = api.request("GET", "/api/onboarding", auth=False, timeout=5)
    if status == 404:
        return dict.fromkeys(ONBOARDING_STEPS, True)
    if status != 200 or not isinstance(data, list):
        raise Failure(f"GET /api/onboarding answered HTTP {status}")
    return {item["step"]: bool(item["done"]) for item in data}


def remove_onboarding_side_entries(api: HomeAssistantAPI) -> None:
    """Delete the entries the core_config step makes (see ONBOARDING_SIDE_ENTRIES)."""
    expected = {"google_translate", "shopping_list"}
    removed: list[str] = []
    deadline = time.monotonic() + ONBOARDING_SIDE_WAIT
    while True:
        entries = api.call("GET", "/api/config/config_entries/entry")
        for entry in entries:
            if entry["domain"] in ONBOARDING_SIDE_ENTRIES and entry["source"] == "onboarding":
                api.call("DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}")
                removed.append(entry["domain"])
                expected.discard(entry["domain"])
        if not expected or time.monotonic() >= deadline:
            break
        time.sleep(0.5)
    if removed:
        say(f"removed the entries onboarding adds by default: {', '.join(sorted(removed))}")


def set_log_level(api: HomeAssistantAPI, level: str) -> None:
    """Set the level of Home Assistant's own loggers (`homeassistant.*`)."""
    with contextlib.suppress(Failure, OSError):
        api.call("POST", "/api/services/logger/set_level", json_body={"homeassistant": level})


def finish_core_config(api: HomeAssistantAPI) -> None:
    """Do the core_config step, without its side effects on this instance.

    The step starts the config flows of met, radio_browser, google_translate
    and shopping_list. scripts/develop does not install their packages (they
    would reach the internet), so Home Assistant logs three tracebacks about
    'metno', 'radios' and 'gtts', and creates entries for the other two. Its
    own loggers are muted for the moment this takes (the owner account exists
    and Home Assistant has started by then), and those entries are removed.
    """
    say(
        "finishing the onboarding (Home Assistant's own log is muted for a moment: "
        "the step starts met, radio_browser, google_translate and shopping_list, "
        "whose packages are deliberately not installed)"
    )
    set_log_level(api, "critical")
    try:
        api.call("POST", "/api/onboarding/core_config", json_body={})
        remove_onboarding_side_entries(api)
        time.sleep(1)  # the failing flows finish within milliseconds
    finally:
        set_log_level(api, "notset")


def wait_running(api: HomeAssistantAPI, deadline: float, parent_pid: int) -> bool:
    """Wait until Home Assistant has started; False at the deadline."""
    try:
        wait_until(
            "start-up",
            deadline,
            lambda: api.call("GET", "/api/core/state", timeout=5).get("state") == "RUNNING",
            parent_pid,
        )
    except TimeoutError:
        return False
    return True


def onboard(
    api: HomeAssistantAPI,
    steps: dict[str, bool],
    cred_path: Path,
    deadline: float,
    parent_pid: int,
) -> dict[str, str]:
    """Complete the onboarding steps not done yet; return the login."""
    saved = load_credentials(cred_path)
    if not steps.get("user"):
        username = saved["username"] if saved else USERNAME
        password = saved["password"] if saved else secrets.token_urlsafe(12)
        say("first start: creating the owner account through the onboarding API")
        result = api.call(
            "POST",
            "/api/onboarding/users",
            json_body={
                "client_id": api.client_id,
                "name": DISPLAY_NAME,
                "username": username,
                "password": password,
                "language": LANGUAGE,
            },
            auth=False,
        )
        save_credentials(cred_path, username, password, api.client_id)
        api.exchange_code(result["auth_code"])
        login = {"username": username, "password": password}
    elif saved is None:
        raise Failure(
            f"Home Assistant is already onboarded but {cred_path} is missing: log in "
            "with the account you made, or delete config/.storage to start afresh"
        )
    else:
        login = saved
        api.login(login["username"], login["password"])

    if not steps.get("core_config"):
        if not wait_running(api, deadline, parent_pid):
            raise Failure("Home Assistant did not finish starting; onboarding incomplete")
        finish_core_config(api)
    if not steps.get("analytics"):
        # Analytics stays off: the preferences are left at their default (all off).
        api.call("POST", "/api/onboarding/analytics", json_body={})
    if not steps.get("integration"):
        api.call(
            "POST",
            "/api/onboarding/integration",
            json_body={"client_id": api.client_id, "redirect_uri": api.redirect_uri},
        )
    if not all(onboarding_status(api).values()):
        raise Failure(f"onboarding still incomplete: {onboarding_status(api)}")
    return login


def print_login(url: str, login: dict[str, str], cred_path: Path) -> None:
    """Print where and how to log in."""
    rule = "=" * 64
    print(
        f"\n{rule}\n"
        f"  Home Assistant (heatpump_stats developer instance)\n"
        f"    URL:      {url}\n"
        f"    username: {login['username']}\n"
        f"    password: {login['password']}\n"
        f"  (saved in {cred_path}; Ctrl-C stops Home Assistant)\n"
        f"{rule}",
        flush=True,
    )
    say(f"login: {url} username={login['username']} password={login['password']}")


def run_demo_flow(api: HomeAssistantAPI) -> dict[str, Any]:
    """Create the demo entry through the config-flow REST API; return the result."""
    status, result = api.request(
        "POST",
        "/api/config/config_entries/flow",
        json_body={"handler": DOMAIN, "show_advanced_options": False},
    )
    if status != 200:
        raise Failure(f"the {DOMAIN} config flow did not start (HTTP {status}: {result})")
    answered: list[str] = []
    while True:
        kind = result.get("type")
        if kind == "create_entry":
            return dict(result)
        if kind == "abort":
            raise Failure(f"the config flow aborted: {result.get('reason')}")
        flow_id = result["flow_id"]
        step = result.get("step_id")
        if kind == "form" and result.get("errors"):
            api.request("DELETE", f"/api/config/config_entries/flow/{flow_id}")
            raise Failure(f"step {step!r} rejected {answered[-1:]}: {result['errors']}")
        if kind == "menu":
            options = result.get("menu_options") or []
            wanted = next((s for s in DEMO_FLOW_STEPS if s in options), None)
            if wanted is None:
                api.request("DELETE", f"/api/config/config_entries/flow/{flow_id}")
                raise Failure(f"menu {step!r} offers {options}, none of {list(DEMO_FLOW_STEPS)}")
            body: dict[str, Any] = {"next_step_id": wanted}
        elif kind == "form" and step in DEMO_FLOW_STEPS and step not in answered:
            body = DEMO_FLOW_STEPS[step]
        else:
            api.request("DELETE", f"/api/config/config_entries/flow/{flow_id}")
            raise Failure(
                f"unexpected flow result (type {kind!r}, step {step!r}); this script "
                f"answers the steps {list(DEMO_FLOW_STEPS)}"
            )
        answered.append(str(step))
        status, result = api.request(
            "POST", f"/api/config/config_entries/flow/{flow_id}", json_body=body
        )
        if status != 200:
            raise Failure(f"step {step!r} with {body} answered HTTP {status}: {result}")


def ensure_demo_entry(api: HomeAssistantAPI) -> None:
    """Create the demo config entry unless the domain already has an entry."""
    entries = api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    if entries:
        states = ", ".join(f"{e['title']!r} ({e['state']})" for e in entries)
        say(f"{DOMAIN} already has a config entry: {states}")
        if any(e["state"] != "loaded" for e in entries):
            say(f"WARNING: not every {DOMAIN} entry is loaded: see the log above")
        return
    result = run_demo_flow(api)
    entries = api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    states = ", ".join(f"{e['title']!r} ({e['state']})" for e in entries)
    say(f"created the demo config entry {result.get('title')!r}: {states}")
    if any(e["state"] != "loaded" for e in entries):
        say(f"WARNING: the {DOMAIN} entry is not loaded: see the log above")
    entry_id = (result.get("result") or {}).get("entry_id")
    if entry_id:
        try:
            add_to_energy_dashboard(api, entry_id)
        except (Failure, OSError, aiohttp.ClientError, TimeoutError) as err:
            say(f"WARNING: the Energy dashboard was not set up: {err}")
        install_dashboard(api, entry_id)


DASHBOARD_URL_PATH = "heat-pump"


def strategy_config(entry_id: str) -> dict[str, Any]:
    """The stored configuration of a dashboard that the strategy builds for `entry_id`."""
    return {"strategy": {"type": "custom:heatpump-stats", "config_entry_id": entry_id}}


def ensure_strategy_dashboard(
    api: HomeAssistantAPI, entry_id: str, url_path: str = DASHBOARD_URL_PATH
) -> bool:
    """Make (or reuse) the dashboard `url_path`, built by the strategy for `entry_id`.

    As a user's browser does it (Settings > Dashboards > Add, then the raw
    configuration editor): the websocket commands `lovelace/dashboards/list`,
    `lovelace/dashboards/create` (only when no dashboard has `url_path`) and
    `lovelace/config/save`. Returns whether the dashboard was created; raises
    Failure when Home Assistant refuses a command.
    """
    (listed,) = websocket(api, [{"type": "lovelace/dashboards/list"}])
    if not listed.get("success"):
        raise Failure(f"lovelace/dashboards/list failed: {listed.get('error')}")
    exists = any(d.get("url_path") == url_path for d in listed.get("result") or [])
    commands: list[dict[str, Any]] = []
    if not exists:
        commands.append(
            {
                "type": "lovelace/dashboards/create",
                "url_path": url_path,
                "title": "Heat pump",
                "icon": "mdi:heat-pump",
                "show_in_sidebar": True,
                "require_admin": False,
                "mode": "storage",
            }
        )
    commands.append(
        {"type": "lovelace/config/save", "url_path": url_path, "config": strategy_config(entry_id)}
    )
    for command, answer in zip(commands, websocket(api, commands), strict=True):
        if not answer.get("success"):
            raise Failure(f"{command['type']} failed: {answer.get('error')}")
    return not exists


def install_dashboard(api: HomeAssistantAPI, entry_id: str) -> None:
    """A dashboard for the demo entry that uses the strategy `custom:heatpump-stats`."""
    try:
        ensure_strategy_dashboard(api, entry_id)
    except (Failure, OSError, aiohttp.ClientError, TimeoutError) as err:
        say(f"WARNING: the Heat Pump Stats dashboard was not created: {err}")
        return
    say(f"dashboard: {api.base_url}/{DASHBOARD_URL_PATH} (the graphs fill as history builds up)")


def websocket(api: HomeAssistantAPI, commands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send commands over one authenticated websocket; return their result messages."""

    async def run() -> list[dict[str, Any]]:
        url = api.base_url.replace("http://", "ws://", 1) + "/api/websocket"
        timeout = aiohttp.ClientTimeout(total=60)
        async with (
            aiohttp.ClientSession(timeout=timeout) as session,
            session.ws_connect(url, max_msg_size=0) as ws,
        ):
            await ws.receive_json()  # auth_required
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


def add_to_energy_dashboard(api: HomeAssistantAPI, entry_id: str) -> None:
    """Show the demo heat pump on the Energy dashboard, if that has no devices yet.

    Adds it as an individual device (its electrical energy, and its electrical
    power as the live rate), as Settings > Dashboards > Energy would.
    """
    prefs, registry = websocket(
        api, [{"type": "energy/get_prefs"}, {"type": "config/entity_registry/list"}]
    )
    if prefs.get("success") and prefs["result"].get("device_consumption"):
        return
    by_unique_id = {
        e["unique_id"]: e["entity_id"]
        for e in registry.get("result") or []
        if e.get("config_entry_id") == entry_id and e["entity_id"].startswith("sensor.")
    }
    energy = next((v for k, v in by_unique_id.items() if k.endswith("_electrical_energy")), None)
    power = next((v for k, v in by_unique_id.items() if k.endswith("_electrical_power")), None)
    if energy is None:
        say("the demo entry has no '..._electrical_energy' sensor: Energy dashboard left as is")
        return
    device: dict[str, Any] = {"stat_consumption": energy}
    if power:
        device["stat_rate"] = power
    (saved,) = websocket(api, [{"type": "energy/save_prefs", "device_consumption": [device]}])
    if not saved.get("success"):
        raise Failure(f"energy/save_prefs failed: {saved.get('error')}")
    say(f"Energy dashboard: added {energy} as an individual device")


def bootstrap(args: argparse.Namespace) -> int:
    """Wait for Home Assistant, onboard it, print the login, add the demo entry."""
    config_dir: Path = args.config
    cred_path = config_dir / CREDENTIALS_FILE
    url = f"http://127.0.0.1:{args.port}/"
    api = HomeAssistantAPI(url)
    started = time.monotonic()
    deadline = started + args.timeout
    try:
        try:
            wait_until(
                "the HTTP API", deadline, lambda: bool(onboarding_status(api)), args.parent_pid
            )
        except TimeoutError:
            say(
                f"ERROR: Home Assistant did not answer on {url} within {args.timeout:.0f} s; "
                "see its log above (or config/home-assistant.log). Skipped the onboarding, "
                "the login check and the demo entry; the next start tries them again."
            )
            return 2
        steps = onboarding_status(api)
        login = onboard(api, steps, cred_path, deadline, args.parent_pid)
        print_login(url, login, cred_path)
        if os.environ.get("HPS_DEVELOP_DEMO", "1") == "0":
            say("HPS_DEVELOP_DEMO=0: not creating the demo entry")
            return 0
        if not wait_running(api, deadline, args.parent_pid):
            say(f"WARNING: Home Assistant is not fully started after {args.timeout:.0f} s")
        try:
            ensure_demo_entry(api)
        except Failure as err:
            say(
                f"WARNING: no demo entry: {err}. Is custom_components/{DOMAIN} "
                "(manifest.json, config_flow.py) in place and loading? See the log "
                "above; add the entry in the UI (Settings > Devices & services) or restart."
            )
            return 3
        say(f"ready in {time.monotonic() - started:.0f} s: {url}")
        return 0
    except Failure as err:
        say(f"ERROR: {err}")
        return 1
    except (OSError, urllib.error.URLError) as err:
        say(f"ERROR: talking to Home Assistant failed: {err}")
        return 1
    finally:
        api.revoke()


def main() -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("prepare", "bootstrap", "check-requirements"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--config", type=Path, default=Path("config"))
        if name != "check-requirements":
            cmd.add_argument("--port", type=int, default=8123)
        if name == "bootstrap":
            cmd.add_argument("--timeout", type=float, default=300.0)
            cmd.add_argument("--parent-pid", type=int, default=os.getppid())
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.config, args.port)
        return 0
    if args.command == "check-requirements":
        return check_requirements(args.config)
    # scripts/develop ends this process with SIGTERM when hass exits: unwind
    # (finally blocks restore the log level and revoke the token) and go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return bootstrap(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
