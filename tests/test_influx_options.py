"""The options step `influxdb`, walked over HTTP as the frontend does, against a real
InfluxDB 1.x server and an InfluxDB 2.x wire server; secrets redacted in diagnostics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from unittest.mock import AsyncMock, patch

from aiohttp import web
from homeassistant.core import HomeAssistant
from influxdb import InfluxDBClient
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
import pytest_socket

from custom_components.heatpump_stats.flow_forms import RecoverableError
from custom_components.heatpump_stats.options_flow import _async_try_influxdb

from .common import setup_integration
from .flow_walk import FrontendFlow, frontend, start_options
from .simulators.influxdb_server import influxd_binary, run_influxd

pytestmark = pytest.mark.usefixtures("socket_enabled")

DATABASE = "home_assistant"


@pytest.fixture(scope="module")
def influx_url() -> Iterator[str]:
    """A real InfluxDB 1.x server with the database HA's integration writes to."""
    binary = influxd_binary()
    if binary is None:
        pytest.skip("influxd is not installed: scripts/setup unpacks it into .toolchain/influxdb")
    pytest_socket.enable_socket()
    with run_influxd(binary) as url:
        client = InfluxDBClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
        client.create_database(DATABASE)
        client.close()
        yield url


# An InfluxDB 2.x server answers `buckets() |> filter(...)` with annotated CSV: one row
# per bucket of that name, nothing when there is none.
_BUCKETS_CSV = (
    "#datatype,string,long,string,string,string,string,long\r\n"
    "#group,false,false,false,false,false,false,false\r\n"
    "#default,_result,,,,,,\r\n"
    ",result,table,name,id,organizationID,retentionPolicy,retentionPeriod\r\n"
    ",,0,ha,0f1e2d3c4b5a6978,a1b2c3d4e5f60718,,0\r\n"
    "\r\n"
)


@pytest.fixture
async def influx_v2_url() -> AsyncIterator[str]:
    """A wire-level InfluxDB 2.x: token `secret`, org `home`, one bucket `ha`."""

    async def query(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Token secret":
            return web.json_response(
                {"code": "unauthorized", "message": "unauthorized access"}, status=401
            )
        if request.query.get("org") != "home":
            return web.json_response(
                {"code": "not found", "message": 'organization name "x" not found'},
                status=404,
            )
        body = await request.json()
        found = 'r.name == "ha"' in body["query"]
        return web.Response(text=_BUCKETS_CSV if found else "\r\n", content_type="text/csv")

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"name": "influxdb", "status": "pass"})

    app = web.Application()
    app.router.add_post("/api/v2/query", query)
    app.router.add_get("/health", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.fixture
def mock_unload_entry() -> Iterator[AsyncMock]:
    """With `mock_setup_entry`: a second save reloads an entry that was never really set up."""
    with patch(
        "custom_components.heatpump_stats.async_unload_entry", return_value=True
    ) as mock_unload:
        yield mock_unload


async def _open(flow: FrontendFlow, entry: MockConfigEntry) -> None:
    await start_options(flow, entry.entry_id)
    assert flow.result["type"] == "menu"
    await flow.choose("influxdb")
    assert flow.step_id == "influxdb"


async def test_influxdb_v1_saved_tested_and_cleared(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_setup_entry: AsyncMock,
    mock_unload_entry: AsyncMock,
    demo_entry: MockConfigEntry,
    influx_url: str,
) -> None:
    """A wrong database and a closed port are form errors; the right settings are stored next
    to the other options, survive a save of the settings step, and an empty URL clears them."""
    demo_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(demo_entry, options={"scan_interval_s": 45})
    flow = await frontend(hass, hass_client, "options")

    await _open(flow, demo_entry)
    # What the form opens with: API v1, nothing else.
    assert flow.prefilled() == {"influxdb_api_version": "1"}
    assert flow.field("influxdb_api_version")["selector"]["select"]["options"] == ["1", "2"]
    await flow.submit({"influxdb_url": "influx.local:8086"})
    assert flow.errors == {"influxdb_url": "invalid_url"}
    await flow.submit({"influxdb_url": influx_url, "influxdb_database": "nope"})
    assert flow.errors == {"influxdb_database": "database_not_found"}
    await flow.submit({"influxdb_url": "http://127.0.0.1:9", "influxdb_database": DATABASE})
    assert flow.errors == {"base": "cannot_connect"}
    await flow.submit(
        {"influxdb_url": influx_url + "/", "influxdb_database": DATABASE, "influxdb_bucket": "x"}
    )
    await hass.async_block_till_done()
    assert flow.result["type"] == "create_entry", flow.result
    # The v2 field of a v1 connection is not kept; the trailing slash is dropped.
    assert demo_entry.options == {
        "scan_interval_s": 45,
        "influxdb_url": influx_url,
        "influxdb_api_version": "1",
        "influxdb_database": DATABASE,
    }
    assert len(mock_setup_entry.mock_calls) == 1  # the save (re)loads the entry

    # The settings step keeps the connection.
    await start_options(flow, demo_entry.entry_id)
    await flow.choose("settings")
    await flow.submit({"scan_interval_s": 60})
    await hass.async_block_till_done()
    assert demo_entry.options["scan_interval_s"] == 60
    assert demo_entry.options["influxdb_url"] == influx_url
    assert len(mock_setup_entry.mock_calls) == 2

    # Opened again, the form shows what is stored; an emptied URL removes the connection.
    await _open(flow, demo_entry)
    assert flow.field("influxdb_url")["description"]["suggested_value"] == influx_url
    await flow.submit({"influxdb_url": ""})  # the frontend drops an emptied field
    await hass.async_block_till_done()
    assert flow.result["type"] == "create_entry", flow.result
    assert not any(key.startswith("influxdb") for key in demo_entry.options)
    assert demo_entry.options["scan_interval_s"] == 60
    assert len(mock_setup_entry.mock_calls) == 3
    assert len(mock_unload_entry.mock_calls) == 2


@pytest.mark.usefixtures("mock_setup_entry")
async def test_influxdb_v1_wrong_password(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, demo_entry: MockConfigEntry
) -> None:
    """A server with authentication refuses a wrong password: invalid_auth."""
    binary = influxd_binary()
    if binary is None:
        pytest.skip("influxd is not installed: scripts/setup unpacks it into .toolchain/influxdb")
    demo_entry.add_to_hass(hass)
    flow = await frontend(hass, hass_client, "options")
    with run_influxd(binary, auth=True) as url:
        await _open(flow, demo_entry)
        await flow.submit(
            {
                "influxdb_url": url,
                "influxdb_database": DATABASE,
                "influxdb_username": "nobody",
                "influxdb_password": "wrong",
            }
        )
    assert flow.errors == {"base": "invalid_auth"}


async def test_influxdb_v2_at_the_wire(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    mock_setup_entry: AsyncMock,
    demo_entry: MockConfigEntry,
    influx_v2_url: str,
) -> None:
    """API v2: bucket, org and token are required; a wrong token, org or bucket is told apart;
    the right ones are stored (and no v1 field)."""
    demo_entry.add_to_hass(hass)
    flow = await frontend(hass, hass_client, "options")
    await _open(flow, demo_entry)
    base = {"influxdb_url": influx_v2_url, "influxdb_api_version": "2"}
    await flow.submit({**base, "influxdb_bucket": "ha", "influxdb_org": "home"})
    assert flow.errors == {"influxdb_token": "influxdb_v2_required"}
    full = {**base, "influxdb_bucket": "ha", "influxdb_org": "home", "influxdb_token": "secret"}
    await flow.submit({**full, "influxdb_token": "wrong"})
    assert flow.errors == {"base": "invalid_auth"}
    await flow.submit({**full, "influxdb_bucket": "other"})
    assert flow.errors == {"influxdb_bucket": "bucket_not_found"}
    await flow.submit({**full, "influxdb_org": "x"})
    assert flow.errors == {"influxdb_bucket": "bucket_not_found"}
    await flow.submit({**full, "influxdb_database": "ignored"})
    await hass.async_block_till_done()
    assert flow.result["type"] == "create_entry", flow.result
    assert demo_entry.options == {
        "influxdb_url": influx_v2_url,
        "influxdb_api_version": "2",
        "influxdb_bucket": "ha",
        "influxdb_org": "home",
        "influxdb_token": "secret",
    }
    assert len(mock_setup_entry.mock_calls) == 1  # the save (re)loads the entry


async def test_diagnostics_redact_the_influxdb_secrets(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, demo_entry: MockConfigEntry
) -> None:
    """URL, username, password and token of the connection never reach diagnostics."""
    demo_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        demo_entry,
        options={
            "influxdb_url": "http://influx.example:8086",
            "influxdb_api_version": "1",
            "influxdb_database": DATABASE,
            "influxdb_username": "hp-reader",
            "influxdb_password": "pa55word",
            "influxdb_token": "t0ken",
        },
    )
    await setup_integration(hass, demo_entry)
    diag = await get_diagnostics_for_config_entry(hass, hass_client, demo_entry)
    options = diag["entry"]["options"]
    for key in ("influxdb_url", "influxdb_username", "influxdb_password", "influxdb_token"):
        assert options[key] == "**REDACTED**", key
    assert options["influxdb_database"] == DATABASE
    for secret in ("pa55word", "t0ken", "influx.example", "hp-reader"):
        assert secret not in str(diag)


async def test_connection_test_without_an_address_is_a_url_error(hass: HomeAssistant) -> None:
    """The form's checks come first (an empty URL never reaches the test); called without
    one anyway, the connection test names the URL field instead of failing."""
    with pytest.raises(RecoverableError) as caught:
        await _async_try_influxdb(hass, {"influxdb_api_version": "1"})
    assert (caught.value.field, caught.value.error) == ("influxdb_url", "invalid_url")
