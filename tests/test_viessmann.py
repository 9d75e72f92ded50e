"""Viessmann end to end: OAuth2 sign-in, the device step, the hard call budget, rate limits.

The Viessmann cloud is the one thing faked (tests/simulators/vicare_cloud.py
stands in for the HTTP session under PyViCare); Home Assistant's OAuth2 flow,
application credentials, PyViCare, our budget and our entities run for real.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import hashlib
from http import HTTPStatus
import json
import logging
import math
import os
from pathlib import Path
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.application_credentials import (
    ClientCredential,
    async_import_client_credential,
)
from homeassistant.components.sensor import SensorStateClass
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.config_entry_oauth2_flow import (
    AUTH_CALLBACK_PATH,
    MY_AUTH_CALLBACK_PATH,
)
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.async_ import get_scheduled_timer_handles
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import AiohttpClientMocker
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from PyViCare.PyViCareAbstractOAuthManager import (
    AUTHORIZE_URL,
    SCOPE_IOT,
    SCOPE_OFFLINE_ACCESS,
    TOKEN_URL,
)
from yarl import URL

from custom_components.heatpump_stats import application_credentials
from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.sensor_raw import extra_description
from custom_components.heatpump_stats.sources.viessmann import ViessmannDevice, privacy
from custom_components.heatpump_stats.vicare import async_get_budget, async_list_devices
from tests.simulators.vicare_cloud import (
    BULK_URL,
    FEATURES_URL,
    HEAT_PUMP,
    INSTALLATIONS_URL,
    FakeCloud,
    FakeResponse,
    bulk_features,
    heat_pump,
    load,
    recorded_cloud,
)

from .common import advance, setup_integration

CLIENT_ID = "my-viessmann-client-id"
START = "2026-01-10T10:00:00+00:00"


@pytest.fixture
def cloud() -> Iterator[FakeCloud]:
    """Every OAuth manager we build talks to this fake cloud."""
    fake = recorded_cloud()
    with patch("custom_components.heatpump_stats.vicare._TimeoutSession", return_value=fake):
        yield fake


@pytest.fixture
async def credentials(hass: HomeAssistant) -> None:
    """The user's Viessmann client id as application credentials."""
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(hass, DOMAIN, ClientCredential(CLIENT_ID, ""), "viessmann")


def _entry(
    unique: str = HEAT_PUMP.unique_id,
    device: ViessmannDevice = HEAT_PUMP,
    *,
    token_expired: bool = False,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """A Viessmann entry for `device` (its token valid for ten days unless `token_expired`)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Viessmann {device.model}",
        unique_id=f"viessmann_{unique}",
        data={
            "source": "viessmann",
            "auth_implementation": "viessmann",
            "token": {
                "access_token": "access",
                "refresh_token": "refresh",
                "expires_at": 0 if token_expired else time.time() + 3600 * 24 * 10,
                "expires_in": 3600 * 24 * 10,
                "token_type": "Bearer",
            },
            "device": device.to_dict(),
            "meter": "none",
        },
        options=options or {},
    )


async def _try_setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add `entry` and set it up without asserting success (the test checks its state)."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("current_request_with_host", "credentials")
async def test_oauth_flow_creates_entry(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    cloud: FakeCloud,
) -> None:
    """Pick viessmann -> external sign-in -> token -> the account is tested -> meter -> entry."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"source": "viessmann"}
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    assert f"client_id={CLIENT_ID}" in result["url"]
    assert "scope=IoT+User+offline_access" in result["url"] or "offline_access" in result["url"]
    result, _query, _form = await _sign_in(hass, hass_client_no_auth, aioclient_mock, result)
    # The recorded account has more than one heat pump: the device step lists them.
    assert result["step_id"] == "device"
    options = result["data_schema"].schema["device"].config["options"]
    assert HEAT_PUMP.unique_id in [option["value"] for option in options]
    assert len(options) >= 2
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"device": HEAT_PUMP.unique_id}
    )
    # Viessmann reports no electricity: the meter step does not offer "source".
    assert result["step_id"] == "meter"
    assert "source" not in result["data_schema"].schema["meter"].config["options"]
    assert cloud.count(INSTALLATIONS_URL) == 1
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"meter": "none"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.unique_id == f"viessmann_{HEAT_PUMP.unique_id}"
    assert entry.data["token"]["access_token"] == "new-access"
    assert entry.data["device"]["gateway_serial"] == HEAT_PUMP.gateway_serial
    assert entry.state is ConfigEntryState.LOADED
    # Setup cost exactly one feature fetch.
    assert cloud.count(FEATURES_URL) == 1


# ---------------------------------------------------------------------------
# Sign-in: a public PKCE client as HA's vicare does it; the redirect URI really used
# ---------------------------------------------------------------------------
README = Path(__file__).parents[1] / "README.md"
TOKEN = {
    "access_token": "new-access",
    "refresh_token": "new-refresh",
    "token_type": "Bearer",
    "expires_in": 3600,
}


@pytest.fixture
async def credentials_as_readme(hass: HomeAssistant) -> None:
    """The client id, and the secret Home Assistant's dialog demands: "none" (README)."""
    assert await async_setup_component(hass, "application_credentials", {})
    await async_import_client_credential(
        hass, DOMAIN, ClientCredential(CLIENT_ID, "none"), "viessmann"
    )


async def _sign_in(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    result: Any,
) -> tuple[Any, dict[str, str], dict[str, Any]]:
    """Follow the external step as a browser would: Viessmann redirects to the callback.

    Returns the flow's next result, the authorize URL's query and the token request's form.
    """
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    query = dict(URL(result["url"]).query)
    client = await hass_client_no_auth()
    # The state is the one the authorize URL carries (it names the redirect URI used).
    response = await client.get(f"{AUTH_CALLBACK_PATH}?code=abcd&state={query['state']}")
    assert response.status == HTTPStatus.OK
    aioclient_mock.clear_requests()
    aioclient_mock.post(TOKEN_URL, json=TOKEN)
    result = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert aioclient_mock.call_count == 1
    _method, url, data, _headers = aioclient_mock.mock_calls[0]
    assert str(url) == TOKEN_URL
    return result, query, dict(data)


def _code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@pytest.mark.usefixtures("current_request_with_host", "credentials_as_readme")
@pytest.mark.parametrize(
    ("with_my", "redirect_uri"),
    [
        (True, MY_AUTH_CALLBACK_PATH),
        # current_request_with_host: the browser opened HA at https://example.com.
        (False, "https://example.com" + AUTH_CALLBACK_PATH),
    ],
)
async def test_sign_in_is_a_public_pkce_client_with_the_redirect_uri_the_readme_names(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    cloud: FakeCloud,
    with_my: bool,
    redirect_uri: str,
) -> None:
    """Authorize URL and token request: client id, PKCE (S256), the IoT scopes, no secret.

    With the `my` integration the redirect URI is My Home Assistant's; without it the
    address HA was opened with + /auth/external/callback. The README names both.
    """
    if with_my:
        hass.config.components.add("my")
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"source": "viessmann"}
    )
    assert result["url"].startswith(AUTHORIZE_URL + "?")
    result, query, token_form = await _sign_in(hass, hass_client_no_auth, aioclient_mock, result)
    assert query["client_id"] == CLIENT_ID
    assert query["response_type"] == "code"
    assert query["redirect_uri"] == redirect_uri
    assert query["scope"] == f"{SCOPE_IOT} {SCOPE_OFFLINE_ACCESS}"  # as HA's vicare asks
    assert query["code_challenge_method"] == "S256"
    assert "client_secret" not in query
    # The token request proves the verifier behind the challenge; the secret stays home.
    assert token_form["grant_type"] == "authorization_code"
    assert token_form["code"] == "abcd"
    assert token_form["client_id"] == CLIENT_ID
    assert token_form["redirect_uri"] == redirect_uri
    assert _code_challenge(token_form["code_verifier"]) == query["code_challenge"]
    assert "client_secret" not in token_form
    assert result["step_id"] == "device"  # signed in: the account's heat pumps

    section = README.read_text(encoding="utf-8").split("### Viessmann sign-in", 1)[1]
    section = section.split("\n### ", 1)[0]
    assert MY_AUTH_CALLBACK_PATH in section
    assert AUTH_CALLBACK_PATH in section


async def test_credentials_dialog_names_both_redirect_uris(hass: HomeAssistant) -> None:
    """The dialog's placeholders are the helper's own constants, so text and flow agree."""
    placeholders = await application_credentials.async_get_description_placeholders(hass)
    assert placeholders["redirect_url"] == MY_AUTH_CALLBACK_PATH
    assert placeholders["callback_path"] == AUTH_CALLBACK_PATH
    translations = json.loads(
        (
            Path(__file__).parents[1] / "custom_components/heatpump_stats/translations/en.json"
        ).read_text(encoding="utf-8")
    )
    text = translations["application_credentials"]["description"]
    assert "{redirect_url}" in text
    assert "{callback_path}" in text
    assert "any value" in text  # the secret field cannot be left empty


@pytest.mark.usefixtures("current_request_with_host", "credentials_as_readme")
@pytest.mark.freeze_time(START)
async def test_refused_token_refresh_starts_reauth_and_the_sign_in_repairs_it(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    cloud: FakeCloud,
) -> None:
    """Expired token, refresh answered 400: reauth; signing in again stores the new token."""
    entry = _entry(token_expired=True)
    aioclient_mock.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    await _try_setup(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    refresh = aioclient_mock.mock_calls[0][2]
    assert refresh["grant_type"] == "refresh_token"
    assert "client_secret" not in refresh
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    assert cloud.requests == []  # no API call with a dead token

    result = await hass.config_entries.flow.async_configure(flows[0]["flow_id"], {})
    result, query, token_form = await _sign_in(hass, hass_client_no_auth, aioclient_mock, result)
    assert query["code_challenge_method"] == "S256"
    assert token_form["grant_type"] == "authorization_code"
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data["token"]["access_token"] == "new-access"
    assert entry.data["device"] == HEAT_PUMP.to_dict()
    assert entry.state is ConfigEntryState.LOADED


@pytest.mark.usefixtures("credentials_as_readme")
@pytest.mark.freeze_time(START)
async def test_token_endpoint_rate_limit_retries_without_reauth(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, cloud: FakeCloud
) -> None:
    """HTTP 429 from the token endpoint is transient: setup retries, no reauth."""
    entry = _entry(token_expired=True)
    aioclient_mock.post(TOKEN_URL, status=429)
    await _try_setup(hass, entry)
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_values_and_poll_interval_follow_the_budget(
    hass: HomeAssistant, cloud: FakeCloud, freezer: FrozenDateTimeFactory
) -> None:
    """The plan's data points appear; one entry at 1450/day polls every 67 s.

    86400 s × 1 call / floor(1450 × 0.9) = 86400 / 1305 = 66.2 -> 67 s.
    """
    entry = _entry()
    await setup_integration(hass, entry)
    coordinator = entry.runtime_data.heat_pump
    assert coordinator.update_interval == timedelta(seconds=67)
    reading = coordinator.data.reading
    assert reading.outside_temperature is not None
    assert reading.compressor_modulation is not None
    assert reading.rated_thermal_power is not None
    assert "heating_schedule_circuit_0" in reading.settings
    # Modulation × rated power is an estimate we can show.
    assert coordinator.data.metrics.thermal_power_modulation == pytest.approx(
        reading.rated_thermal_power * reading.compressor_modulation / 100
    )
    calls = cloud.count(FEATURES_URL)
    await advance(hass, freezer, 60, step=60)
    assert cloud.count(FEATURES_URL) == calls  # not yet 67 s
    await advance(hass, freezer, 10, step=10)
    assert cloud.count(FEATURES_URL) == calls + 1


def _max_in_window(times: list[datetime], window: timedelta) -> int:
    """The most calls inside any sliding window (checked at every call)."""
    best = 0
    j = 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_budget_holds_over_48h_with_restarts_errors_and_two_entries(
    hass: HomeAssistant,
    cloud: FakeCloud,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Two heat pumps on one account, a budget of 100/day, 48 h with reloads and errors.

    Every request that reaches the cloud is timestamped; no sliding 24 h
    window may hold more than 100, no 10-minute window more than 120.
    """
    times: list[datetime] = []
    original_get = cloud.get

    def timed_get(url: str, timeout: float | None = None, **kwargs: Any) -> FakeResponse:
        times.append(dt_util.utcnow())
        return original_get(url, timeout=timeout, **kwargs)

    cloud.get = timed_get  # type: ignore[method-assign]
    second = heat_pump("1")
    cloud.answer(
        "/features/installations/1234567/gateways/7736172201234567/devices/1/features/",
        FakeResponse(load("vitocal.json")),
    )
    options = {"viessmann_daily_call_budget": 100, "scan_interval_s": 30}
    entries = [_entry(options=options), _entry(second.unique_id, second, options=options)]
    for entry in entries:
        await setup_integration(hass, entry)

    for hour in range(48):
        if hour == 7:  # the cloud fails for a while: retries cost calls too
            cloud.answer(FEATURES_URL, FakeResponse(load("error_500.json"), 500))
            cloud.answer(BULK_URL, FakeResponse(load("error_500.json"), 500))
        if hour == 9:
            cloud.answer(FEATURES_URL, FakeResponse(load("vitocal.json")))
            cloud.answer(BULK_URL, FakeResponse(bulk_features(["0", "1"])))
        if hour in (12, 30):  # reloads (options saved, restarts)
            for entry in entries:
                assert await hass.config_entries.async_reload(entry.entry_id)
                await hass.async_block_till_done()
        if hour == 20:  # a full unload/setup of one entry
            assert await hass.config_entries.async_unload(entries[0].entry_id)
            await hass.async_block_till_done()
            assert await hass.config_entries.async_setup(entries[0].entry_id)
            await hass.async_block_till_done()
        await advance_exactly(hass, freezer, 3600)

    assert len(times) > 100  # the budget was really used over the two days
    assert _max_in_window(times, timedelta(hours=24)) <= 100
    assert _max_in_window(times, timedelta(minutes=10)) <= 120
    # The budget is persisted for restarts.
    stored = hass_storage[f"{DOMAIN}.vicare_budget.viessmann"]["data"]
    assert stored


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_budget_survives_a_restart(
    hass: HomeAssistant, cloud: FakeCloud, hass_storage: dict[str, Any]
) -> None:
    """A budget already spent (stored from before the restart) means no call at all at setup."""
    now = int(dt_util.utcnow().timestamp())
    hass_storage[f"{DOMAIN}.vicare_budget.viessmann"] = {
        "version": 1,
        "key": f"{DOMAIN}.vicare_budget.viessmann",
        "data": {"calls": [now - 3600 + i for i in range(1450)], "blocked_until": None},
    }
    entry = _entry()
    await _try_setup(hass, entry)
    assert cloud.requests == []
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_rate_limit_stops_calls_until_reset_and_raises_a_repair(
    hass: HomeAssistant, cloud: FakeCloud, freezer: FrozenDateTimeFactory
) -> None:
    """HTTP 429, reset at 13:00: unavailable, a repair, no call before 13:00, recovery."""
    entry = _entry()
    await setup_integration(hass, entry)
    cloud.answer(
        FEATURES_URL,
        FakeResponse(load("rate_limit.json"), 429),
        FakeResponse(load("vitocal.json")),
    )
    await advance(hass, freezer, 70, step=70)
    issue_id = f"rate_limited_{entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    entity_id = hass.states.async_entity_ids("sensor")[0]
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE
    calls = cloud.count(FEATURES_URL)
    reset = datetime(2026, 1, 10, 13, 0, tzinfo=UTC)  # rate_limit.json's limitReset
    while dt_util.utcnow() < reset - timedelta(minutes=5):
        await advance(hass, freezer, 300, step=300)
    assert cloud.count(FEATURES_URL) == calls
    await advance(hass, freezer, 900, step=300)
    assert cloud.count(FEATURES_URL) > calls
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE


@pytest.mark.usefixtures("current_request_with_host", "credentials")
async def test_reconfigure_signs_in_again_and_keeps_the_device(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    cloud: FakeCloud,
) -> None:
    """Reconfigure goes through the same OAuth2 flow; the token is replaced, the device kept."""
    entry = _entry()
    await setup_integration(hass, entry)
    result = await entry.start_reconfigure_flow(hass)
    # The menu offers the sign-in (source settings) and the meter.
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "source_settings"}
    )
    assert result["type"] is FlowResultType.EXTERNAL_STEP
    result, _query, _form = await _sign_in(hass, hass_client_no_auth, aioclient_mock, result)
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data["token"]["access_token"] == TOKEN["access_token"]
    assert entry.data["device"]["device_id"] == HEAT_PUMP.device_id
    assert entry.state is ConfigEntryState.LOADED


# ---------------------------------------------------------------------------
# Several heat pumps on one account: every entry's interval follows the account
# ---------------------------------------------------------------------------
SIM_STEP_S = 60


def _pump(index: int, *, shared_gateway: bool) -> ViessmannDevice:
    """Heat pump `index`: device `index` behind the fixtures' gateway, or alone behind its own."""
    if shared_gateway:
        return heat_pump(str(index))
    return heat_pump("0", f"77361722012345{60 + index}")


def _seconds_to_next_timer(hass: HomeAssistant) -> float | None:
    """Simulated seconds until the loop's next timer is due (None: no timer).

    A timer is due when the frozen clock's lead over the real clock reaches its
    distance on the loop's clock (as async_fire_time_changed decides).
    """
    lead = dt_util.utcnow().timestamp() - time.time()
    due = [
        handle.when() - hass.loop.time() - lead
        for handle in get_scheduled_timer_handles(hass.loop)
        if not handle.cancelled()
    ]
    return min(due) if due else None


async def advance_exactly(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Move time forward timer by timer, so each poll runs when it is due, not a step later.

    (Fixed steps of 60 s would run a 67 s poll only every 120 s: half the calls, and a
    budget test that proves nothing.)
    """
    end = dt_util.utcnow() + timedelta(seconds=seconds)
    while (left := (end - dt_util.utcnow()).total_seconds()) > 0:
        wait = _seconds_to_next_timer(hass)
        tick = left if wait is None else min(left, max(wait, 0.01))
        freezer.tick(timedelta(seconds=tick))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


def _append_line(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        out.write(line + "\n")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


async def simulate_account(
    hass: HomeAssistant,
    cloud: FakeCloud,
    freezer: FrozenDateTimeFactory,
    pumps: int,
    *,
    shared_gateway: bool,
    hours: int = 26,
) -> dict[str, Any]:
    """`pumps` heat pumps on one account, default budget (1450/day), `hours` simulated hours.

    Entries are added one by one (as at Home Assistant start), all are reloaded
    at hour 6, one is unloaded at hour 12 and set up again half an hour later (earlier in a
    shorter run). Every
    request that reaches the cloud is timestamped; every minute each loaded
    entry's state is sampled: unavailable (last update failed) and the age of
    its data (time since its last successful poll).
    """
    times: list[datetime] = []
    original_get = cloud.get

    def timed_get(url: str, timeout: float | None = None, **kwargs: Any) -> FakeResponse:
        times.append(dt_util.utcnow())
        return original_get(url, timeout=timeout, **kwargs)

    cloud.get = timed_get  # type: ignore[method-assign]
    devices = [_pump(i, shared_gateway=shared_gateway) for i in range(pumps)]
    for device in devices:
        if not shared_gateway:
            url = (
                f"/features/installations/{device.installation_id}/gateways/"
                f"{device.gateway_serial}/devices/0/features/"
            )
            cloud.answer(url, FakeResponse(load("vitocal.json")))
    entries = [_entry(device.unique_id, device) for device in devices]
    last_ok: dict[str, datetime] = {}
    for entry in entries:
        await setup_integration(hass, entry)

    def watch(entry: MockConfigEntry) -> None:
        coordinator = entry.runtime_data.heat_pump

        @callback
        def _updated() -> None:
            if coordinator.last_update_success:
                # The data's age counts from when the API sent it (a shared gateway
                # answer can be older than the poll that read it).
                fetched = coordinator.source.data_fetched_at
                last_ok[entry.entry_id] = fetched or dt_util.utcnow()

        entry.async_on_unload(coordinator.async_add_listener(_updated))
        last_ok[entry.entry_id] = dt_util.utcnow()

    for entry in entries:
        watch(entry)
    intervals = {e.entry_id: e.runtime_data.heat_pump.update_interval for e in entries}
    samples = unavailable = 0
    ages: list[float] = []
    for minute in range(hours * 60):
        if minute == min(6, hours // 3) * 60:
            for entry in entries:
                assert await hass.config_entries.async_reload(entry.entry_id)
                await hass.async_block_till_done()
                watch(entry)
        if minute == min(12, 2 * hours // 3) * 60 and pumps > 1:
            assert await hass.config_entries.async_unload(entries[-1].entry_id)
            await hass.async_block_till_done()
        if minute == (min(12, 2 * hours // 3) * 60 + 30) and pumps > 1:
            assert await hass.config_entries.async_setup(entries[-1].entry_id)
            await hass.async_block_till_done()
            watch(entries[-1])
        await advance_exactly(hass, freezer, SIM_STEP_S)
        now = dt_util.utcnow()
        for entry in entries:
            if entry.state is not ConfigEntryState.LOADED:
                continue
            samples += 1
            if not entry.runtime_data.heat_pump.last_update_success:
                unavailable += 1
            ages.append((now - last_ok[entry.entry_id]).total_seconds())
    budget = entries[0].runtime_data.heat_pump.source.account.budget.daily_limit
    return {
        "pumps": pumps,
        "budget": budget,
        "layout": "one gateway" if shared_gateway else "own gateways",
        "interval_s": sorted({i.total_seconds() for i in intervals.values() if i}),
        "calls_24h": sum(1 for t in times if t <= times[0] + timedelta(hours=24)),
        "max_window": _max_in_window(times, timedelta(hours=24)),
        "unavailable_pct": 100.0 * unavailable / max(1, samples),
        "p95_age_s": _p95(ages),
    }


def _intervals(entries: list[MockConfigEntry]) -> list[float]:
    """The poll interval (s) of each loaded entry."""
    return [
        e.runtime_data.heat_pump.update_interval.total_seconds()
        for e in entries
        if e.state is ConfigEntryState.LOADED
    ]


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_every_entry_follows_the_account_when_its_entries_change(
    hass: HomeAssistant, cloud: FakeCloud
) -> None:
    """HA start, add, remove, reload, unload, options: every entry's interval, every time.

    86400 s × calls per round / floor(limit × 0.9): 1450 -> 1305 rounds: 1 call 67 s,
    2 calls 133 s, 3 calls 199 s; 500 -> 450 rounds: 1 call 192 s, 2 calls 384 s.
    """
    devices = [_pump(i, shared_gateway=False) for i in range(3)]
    for device in devices:
        cloud.answer(
            f"/features/installations/{device.installation_id}/gateways/"
            f"{device.gateway_serial}/devices/0/features/",
            FakeResponse(load("vitocal.json")),
        )
    entries = [_entry(device.unique_id, device) for device in devices]
    for entry in entries:
        entry.add_to_hass(hass)
    # Home Assistant starting: all entries of the account set up together.
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert _intervals(entries) == [199, 199, 199]

    # A heat pump removed: the other two poll faster at once.
    assert await hass.config_entries.async_remove(entries[2].entry_id)
    await hass.async_block_till_done()
    assert _intervals(entries[:2]) == [133, 133]
    # A reload (the entry leaves and joins again) changes nothing.
    assert await hass.config_entries.async_reload(entries[0].entry_id)
    await hass.async_block_till_done()
    assert _intervals(entries[:2]) == [133, 133]
    # One unloaded: the other alone.
    assert await hass.config_entries.async_unload(entries[1].entry_id)
    await hass.async_block_till_done()
    assert _intervals(entries[:1]) == [67]
    # A smaller budget on one entry holds for the account ...
    hass.config_entries.async_update_entry(entries[0], options={"viessmann_daily_call_budget": 500})
    assert await hass.config_entries.async_reload(entries[0].entry_id)
    await hass.async_block_till_done()
    assert _intervals(entries[:1]) == [192]
    assert await hass.config_entries.async_setup(entries[1].entry_id)
    await hass.async_block_till_done()
    assert _intervals(entries[:2]) == [384, 384]
    # ... and raising it again lifts it (the other entry asks for the default).
    hass.config_entries.async_update_entry(
        entries[0], options={"viessmann_daily_call_budget": 1450}
    )
    assert await hass.config_entries.async_reload(entries[0].entry_id)
    await hass.async_block_till_done()
    assert _intervals(entries[:2]) == [133, 133]
    assert entries[0].runtime_data.heat_pump.source.account.budget.daily_limit == 1450


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
@pytest.mark.parametrize(
    ("pumps", "shared_gateway", "interval_s"),
    [
        # 86400 s × calls per round / floor(1450 × 0.9): 1 call 66.2 -> 67 s,
        (1, False, 67),
        # 2 calls 132.4 -> 133 s, 3 calls 198.6 -> 199 s (one call per heat pump),
        (2, False, 133),
        (3, False, 199),
    ],
)
async def test_several_heat_pumps_share_the_budget_for_26_hours(
    hass: HomeAssistant,
    cloud: FakeCloud,
    freezer: FrozenDateTimeFactory,
    pumps: int,
    shared_gateway: bool,
    interval_s: int,
) -> None:
    """Every entry's interval follows the account; ≤ 1450 calls in any 24 h, 0 % unavailable."""
    result = await simulate_account(hass, cloud, freezer, pumps, shared_gateway=shared_gateway)
    result["hours"] = 26
    if report := os.environ.get("HPS_BENCH_VIESSMANN"):  # bench/viessmann_multi_pump.py
        await hass.async_add_executor_job(_append_line, report, json.dumps(result))
    assert result["interval_s"] == [interval_s]  # every entry, not only the last one added
    assert result["max_window"] <= 1450
    assert result["unavailable_pct"] == 0.0
    # Data is never older than about one interval (+ the one-minute sampling).
    assert result["p95_age_s"] <= interval_s + SIM_STEP_S


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_heat_pumps_behind_one_gateway_share_one_call(
    hass: HomeAssistant, cloud: FakeCloud, freezer: FrozenDateTimeFactory
) -> None:
    """Three heat pumps behind one gateway: one bulk call per round, so every 67 s.

    3 h = 10800 s / 67 s ≈ 161 rounds, 1 call each (+ setups and reloads), against
    3 × 161 = 483 with one call per heat pump; no per-device call at all.
    """
    result = await simulate_account(hass, cloud, freezer, 3, shared_gateway=True, hours=3)
    assert result["interval_s"] == [67]
    # Only the first entry's setup, while it was alone on the gateway, read its device.
    assert cloud.count(FEATURES_URL) == 1
    assert cloud.count(BULK_URL) == len(cloud.requests) - 1
    assert cloud.count(BULK_URL) <= 10800 / 67 + 10
    assert result["unavailable_pct"] == 0.0
    assert result["p95_age_s"] <= 67 + SIM_STEP_S


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_heat_pumps_behind_one_gateway_share_26_hours(
    hass: HomeAssistant, cloud: FakeCloud, freezer: FrozenDateTimeFactory
) -> None:
    """The bench's one-gateway row: 3 heat pumps, one gateway, 26 h (bench only, slow)."""
    if not os.environ.get("HPS_BENCH_GATEWAY_26H"):
        pytest.skip("bench/viessmann_multi_pump.py runs this 26-hour case by hand")
    result = await simulate_account(hass, cloud, freezer, 3, shared_gateway=True)
    if report := os.environ.get("HPS_BENCH_VIESSMANN"):
        await hass.async_add_executor_job(_append_line, report, json.dumps(result))
    assert result["interval_s"] == [67]
    assert result["max_window"] <= 1450
    assert result["unavailable_pct"] == 0.0


# ---------------------------------------------------------------------------
# Privacy: diagnostics and PyViCare's debug log
# ---------------------------------------------------------------------------
GATEWAY_SERIAL = "7736172201234567"
CONTROLLER_SERIAL = "7723181102527121"  # vitocal.json's heating.controller.serial
INSTALLATION_ID = "1234567"


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_diagnostics_redact_serials_installation_and_address(
    hass: HomeAssistant, cloud: FakeCloud, hass_client: ClientSessionGenerator
) -> None:
    """The gateway serial (also inside gatewayId and every uri), the installation id
    and the controller serial appear nowhere in the diagnostics; the features stay."""
    entry = _entry()
    await setup_integration(hass, entry)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    text = json.dumps(diag)
    for secret in (GATEWAY_SERIAL, CONTROLLER_SERIAL, INSTALLATION_ID):
        assert secret not in text
    features = diag["heat_pump"]["raw"]["features"]
    assert len(features) == len(load("vitocal.json")["data"])
    serial = next(f for f in features if f["feature"] == "heating.controller.serial")
    assert serial["properties"]["value"]["value"] == "**REDACTED**"
    assert serial["gatewayId"] == "**REDACTED**"
    assert "/gateways/**REDACTED**/devices/0/" in serial["uri"]
    outside = next(f for f in features if f["feature"] == "heating.sensors.temperature.outside")
    assert outside["properties"]["value"]["value"] == 3.2  # values that are not private stay


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
async def test_pyvicare_log_filter_lives_from_setup_to_the_last_unload(
    hass: HomeAssistant,
    cloud: FakeCloud,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Setup puts the filter on PyViCare's loggers; polls at DEBUG log no serial; the last
    unload takes it off (and PyViCare's records then pass unchanged, as before setup)."""
    caplog.set_level(logging.DEBUG, logger="PyViCare")
    assert not privacy.log_filter_installed()
    second = _pump(1, shared_gateway=False)
    cloud.answer(
        f"/features/installations/{second.installation_id}/gateways/"
        f"{second.gateway_serial}/devices/0/features/",
        FakeResponse(load("vitocal.json")),
    )
    entries = [_entry(), _entry(second.unique_id, second)]
    for entry in entries:
        await setup_integration(hass, entry)
    assert privacy.log_filter_installed()
    for name in ("PyViCare", *privacy.PYVICARE_LOGGERS):
        assert privacy._LOG_FILTER in logging.getLogger(name).filters, name
    await advance(hass, freezer, 600, step=60)
    assert "Response to get request" in caplog.text  # PyViCare logged every poll ...
    for secret in (GATEWAY_SERIAL, second.gateway_serial, INSTALLATION_ID, CONTROLLER_SERIAL):
        assert secret not in caplog.text  # ... without the serials
    assert "content not logged" in caplog.text

    assert await hass.config_entries.async_unload(entries[0].entry_id)
    await hass.async_block_till_done()
    assert privacy.log_filter_installed()  # the other entry still runs
    assert await hass.config_entries.async_unload(entries[1].entry_id)
    await hass.async_block_till_done()
    assert not privacy.log_filter_installed()
    for name in ("PyViCare", *privacy.PYVICARE_LOGGERS):
        assert privacy._LOG_FILTER not in logging.getLogger(name).filters, name
    # Proof that the filter was what kept the serial out: unfiltered, it shows.
    caplog.clear()
    logging.getLogger("PyViCare.PyViCareAbstractOAuthManager").debug(
        "Response to get request: %s", {"data": [{"gatewayId": GATEWAY_SERIAL}]}
    )
    assert GATEWAY_SERIAL in caplog.text


@pytest.mark.usefixtures("credentials")
async def test_config_flow_device_list_is_filtered_only_while_it_runs(
    hass: HomeAssistant, cloud: FakeCloud, caplog: pytest.LogCaptureFixture
) -> None:
    """The installations answer (serials, street, city, coordinates) is not logged."""
    caplog.set_level(logging.DEBUG, logger="PyViCare")
    account = await async_get_budget(hass, "viessmann", 1450)
    assert await async_list_devices(hass, account, "token")
    assert "Response to get request" in caplog.text
    for secret in (GATEWAY_SERIAL, INSTALLATION_ID, "Musterweg", "Musterstadt", "50.1"):
        assert secret not in caplog.text
    assert not privacy.log_filter_installed()


def test_period_figures_of_closed_windows_keep_out_of_statistics_sums() -> None:
    """Today/this month/this year/this week restart at 0: total_increasing. Last 7 days,
    last month and last year rise and fall without a reset: no state class (no sum)."""
    for key in (
        "power_consumption_heating_today_kwh",
        "heat_production_this_year_kwh",
        "compressor_heat_production_heating_this_week_kwh",
    ):
        assert extra_description(key).state_class is SensorStateClass.TOTAL_INCREASING, key
    for key in (
        "power_consumption_heating_last_seven_days_kwh",
        "heat_production_dhw_last_month_kwh",
        "heating_rod_power_consumption_heating_last_year_kwh",
    ):
        description = extra_description(key)
        assert description.state_class is None, key
        assert description.native_unit_of_measurement == "kWh"


@pytest.mark.usefixtures("credentials")
@pytest.mark.freeze_time(START)
@pytest.mark.parametrize("refused", [False, True])
async def test_token_expiring_between_polls_is_renewed_through_home_assistant(
    hass: HomeAssistant,
    cloud: FakeCloud,
    freezer: FrozenDateTimeFactory,
    aioclient_mock: AiohttpClientMocker,
    refused: bool,
) -> None:
    """PyViCare hears "EXPIRED TOKEN" and asks our manager to renew: Home Assistant refreshes
    the token (stored in the entry) and the retry carries it. A refused refresh starts reauth.
    """
    entry = _entry()
    await setup_integration(hass, entry)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "token": {**entry.data["token"], "expires_at": 0}}
    )
    cloud.answer(
        FEATURES_URL, FakeResponse(load("expired_token.json")), FakeResponse(load("vitocal.json"))
    )
    if refused:
        aioclient_mock.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    else:
        aioclient_mock.post(TOKEN_URL, json=TOKEN)
    calls = cloud.count(FEATURES_URL)
    await advance(hass, freezer, 70, step=70)
    assert aioclient_mock.mock_calls[-1][2]["grant_type"] == "refresh_token"
    coordinator = entry.runtime_data.heat_pump
    if refused:
        assert cloud.count(FEATURES_URL) == calls + 1  # no retry with a dead token
        assert not coordinator.last_update_success
        flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert [flow["context"]["source"] for flow in flows] == ["reauth"]
        return
    assert cloud.count(FEATURES_URL) == calls + 2  # the first try and PyViCare's retry
    assert cloud.headers["Authorization"] == "Bearer new-access"
    assert entry.data["token"]["access_token"] == "new-access"
    assert coordinator.last_update_success
