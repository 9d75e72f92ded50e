"""Shelly Pro 3EM meter against the simulated device (no Home Assistant)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import json
import time

import aiohttp
import pytest

from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceAuthRequiredError,
    SourceConnectionError,
    SourceDataError,
    SourceNotThisDeviceError,
)
from custom_components.heatpump_stats.sources.shelly import (
    DigestAuth,
    ShellyPro3EM,
    digest_response,
    parse_digest_challenge,
)
from tests.simulators.h66_server import H66Simulator
from tests.simulators.shelly_server import ShellyPro3EMSimulator
from tests.sources.realdata import realdata_dir

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def device() -> AsyncIterator[ShellyPro3EMSimulator]:
    """An open triphase Pro 3EM."""
    async with ShellyPro3EMSimulator() as sim:
        yield sim


# --- readings -------------------------------------------------------------


async def test_triphase_reading(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """EM/EMData -> W and kWh: 230.5 + 410 + 12 = 652.5 W; 1234567 Wh = 1234.567 kWh."""
    meter = ShellyPro3EM(session, device.host)
    reading = await meter.async_read()
    assert reading.power == 652.5
    assert reading.phases_power == (230.5, 410.0, 12.0)
    assert reading.energy == 1234.567
    # 400000 Wh, 734567 Wh, 100000 Wh per phase.
    assert reading.phases_energy == (400.0, 734.567, 100.0)
    assert reading.timestamp.tzinfo is not None
    assert meter.profile == "triphase"
    called = [method for method, _ in device.log]
    assert called == ["Shelly.GetDeviceInfo", "EM.GetStatus", "EMData.GetStatus"]
    # The device info is asked once, not on every poll.
    device.phase_power = [100.0, 200.0, -50.0]
    reading = await meter.async_read()
    assert reading.power == 250.0
    assert device.requests == 5


async def test_monophase_reading_sums_channels(session: aiohttp.ClientSession) -> None:
    """EM1/EM1Data on three channels: the totals are the channel sums."""
    async with ShellyPro3EMSimulator(profile="monophase") as sim:
        meter = ShellyPro3EM(session, sim.host)
        reading = await meter.async_read()
    assert meter.profile == "monophase"
    assert reading.power == 652.5  # 230.5 + 410 + 12
    assert reading.phases_power == (230.5, 410.0, 12.0)
    assert reading.energy == 1234.567  # (400000 + 734567 + 100000) Wh / 1000
    assert reading.phases_energy == (400.0, 734.567, 100.0)
    assert {m for m, _ in sim.log} == {
        "Shelly.GetDeviceInfo",
        "EM1.GetStatus",
        "EM1Data.GetStatus",
    }


async def test_profile_detected_by_trying(session: aiohttp.ClientSession) -> None:
    """Without a `profile` field EM is tried first, then EM1; the answer is kept."""
    async with ShellyPro3EMSimulator(profile="monophase", report_profile=False) as sim:
        meter = ShellyPro3EM(session, sim.host)
        assert (await meter.async_read()).power == 652.5
        assert meter.profile == "monophase"
        assert ("EM.GetStatus", 404) in sim.log
        sim.log.clear()
        await meter.async_read()
        assert [m for m, _ in sim.log if m.startswith("EM.")] == []


async def test_missing_phase_value(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """A null phase value is None; the device's own total still counts."""
    device.phase_power = [230.5, None, 12.0]
    reading = await ShellyPro3EM(session, device.host).async_read()
    assert reading.phases_power == (230.5, None, 12.0)
    assert reading.power == 242.5


# --- identity -------------------------------------------------------------


async def test_identity(device: ShellyPro3EMSimulator, session: aiohttp.ClientSession) -> None:
    """MAC -> serial number (the unique id), firmware version, fixed model."""
    meter = ShellyPro3EM(session, device.host)
    assert meter.identity.serial_number is None
    identity = await meter.async_get_identity()
    assert identity.manufacturer == "Shelly"
    assert identity.model == "Pro 3EM"
    assert identity.serial_number == "C8F09E8832F4"
    assert identity.sw_version == "1.4.4"
    assert meter.identity == identity


async def test_model_check_rejects_other_shelly(session: aiohttp.ClientSession) -> None:
    """A Shelly Plus 1PM is not a Pro 3EM, on identity and on read."""
    async with ShellyPro3EMSimulator(model="SNSW-001P16EU", app="Plus1PM") as sim:
        meter = ShellyPro3EM(session, sim.host)
        with pytest.raises(SourceNotThisDeviceError, match="not a Shelly Pro 3EM"):
            await meter.async_get_identity()
        with pytest.raises(SourceNotThisDeviceError, match="not a Shelly Pro 3EM"):
            await meter.async_read()
    # The 120 A variant (SPEM-003CEBEU120) is a Pro 3EM.
    async with ShellyPro3EMSimulator(model="SPEM-003CEBEU120") as sim:
        await ShellyPro3EM(session, sim.host).async_get_identity()


async def test_a_web_server_without_the_rpc_api_is_not_a_shelly(
    session: aiohttp.ClientSession,
) -> None:
    """An H66 gateway at the address: /rpc/Shelly.GetDeviceInfo is 404; an HTML page
    instead of JSON is no Shelly either. Both: SourceNotThisDeviceError (form: not_shelly)."""
    async with H66Simulator() as other:
        with pytest.raises(SourceNotThisDeviceError, match="no Shelly RPC API"):
            await ShellyPro3EM(session, other.host).async_read()
    async with ShellyPro3EMSimulator() as sim:
        sim.replies["Shelly.GetDeviceInfo"] = "<html>login</html>"
        with pytest.raises(SourceNotThisDeviceError, match="not a Shelly"):
            await ShellyPro3EM(session, sim.host).async_get_identity()


# --- digest authentication ------------------------------------------------


def test_digest_rfc7616_example() -> None:
    """RFC 7616 section 3.9.1: the SHA-256 and MD5 responses of the example."""
    common = {
        "username": "Mufasa",
        "password": "Circle of Life",
        "realm": "http-auth@example.org",
        "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
        "method": "GET",
        "uri": "/dir/index.html",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
    }
    assert digest_response(algorithm="SHA-256", **common) == (
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
    )
    assert digest_response(algorithm="MD5", **common) == "8ca523f5e9506fed4657c9700eebdbec"


def test_digest_challenge_parsing_and_nonce_count() -> None:
    """Quoted and bare parameters; nc counts up while the nonce is reused."""
    header = 'Digest qop="auth", realm="shellypro3em-c8f09e8832f4", nonce="6f1c", algorithm=SHA-256'
    assert parse_digest_challenge(header) == {
        "qop": "auth",
        "realm": "shellypro3em-c8f09e8832f4",
        "nonce": "6f1c",
        "algorithm": "SHA-256",
    }
    with pytest.raises(ValueError, match="not a digest"):
        parse_digest_challenge('Basic realm="x"')
    auth = DigestAuth("admin", "secret")
    assert auth.authorization("GET", "/rpc/EM.GetStatus?id=0") is None
    auth.set_challenge(header)
    first = auth.authorization("GET", "/rpc/EM.GetStatus?id=0")
    second = auth.authorization("GET", "/rpc/EM.GetStatus?id=0")
    assert first is not None
    assert second is not None
    assert "nc=00000001" in first
    assert "nc=00000002" in second
    assert 'uri="/rpc/EM.GetStatus?id=0"' in first
    assert "algorithm=SHA-256" in first
    assert "secret" not in repr(auth)


async def test_digest_handshake_right_password(session: aiohttp.ClientSession) -> None:
    """401 with a challenge, then 200; later calls reuse the nonce (no new 401)."""
    async with ShellyPro3EMSimulator(password="s3cr3t") as sim:
        meter = ShellyPro3EM(session, sim.host, "s3cr3t")
        await meter.async_get_identity()
        assert sim.log == [("Shelly.GetDeviceInfo", 401), ("Shelly.GetDeviceInfo", 200)]
        assert sim.unauthorized == 1
        reading = await meter.async_read()
        assert reading.power == 652.5
        assert sim.requests == 4
        assert sim.unauthorized == 1
        await meter.async_read()
        assert sim.unauthorized == 1
        assert sim.requests == 6


async def test_digest_nonce_expiry_reauthenticates(session: aiohttp.ClientSession) -> None:
    """When the device drops the nonce it answers 401; the call is repeated once."""
    async with ShellyPro3EMSimulator(password="s3cr3t", nonce_max_uses=2) as sim:
        meter = ShellyPro3EM(session, sim.host, "s3cr3t")
        for _ in range(3):
            assert (await meter.async_read()).energy == 1234.567
        assert sim.unauthorized >= 3
        assert all(status in (200, 401) for _, status in sim.log)
        assert sum(1 for _, status in sim.log if status == 200) == 7  # info + 3 x (EM, EMData)


async def test_wrong_password(session: aiohttp.ClientSession) -> None:
    """A wrong password is SourceAuthError after exactly one retry with the fresh nonce."""
    async with ShellyPro3EMSimulator(password="s3cr3t") as sim:
        meter = ShellyPro3EM(session, sim.host, "wrong")
        with pytest.raises(SourceAuthError, match="refused") as err:
            await meter.async_read()
        assert not isinstance(err.value, SourceAuthRequiredError)
        assert sim.log == [("Shelly.GetDeviceInfo", 401), ("Shelly.GetDeviceInfo", 401)]


async def test_no_password_on_protected_device(session: aiohttp.ClientSession) -> None:
    """401 without a password configured -> SourceAuthRequiredError (no retry),
    so the flow can say "needs a password" rather than "wrong password"."""
    async with ShellyPro3EMSimulator(password="s3cr3t") as sim:
        with pytest.raises(SourceAuthRequiredError, match="requires a password"):
            await ShellyPro3EM(session, sim.host).async_read()
        assert sim.requests == 1
    # Device info readable without auth, but auth_en says the rest is protected.
    async with ShellyPro3EMSimulator(password="s3cr3t", protect_device_info=False) as sim:
        with pytest.raises(SourceAuthRequiredError, match="requires a password"):
            await ShellyPro3EM(session, sim.host).async_get_identity()


async def test_password_on_open_device(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """A password set for a device without auth is never used and does no harm."""
    assert (await ShellyPro3EM(session, device.host, "unused").async_read()).power == 652.5
    assert device.unauthorized == 0


# --- errors and recovery --------------------------------------------------


async def test_http_500_then_recovery(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """HTTP 500 -> SourceConnectionError naming it; then the next read works."""
    meter = ShellyPro3EM(session, device.host)
    await meter.async_read()
    device.mode = "http500"
    with pytest.raises(SourceConnectionError, match="500"):
        await meter.async_read()
    device.mode = "ok"
    assert (await meter.async_read()).power == 652.5


@pytest.mark.parametrize("mode", ["garbage", "truncated"])
async def test_bad_json_then_recovery(
    mode: str, device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """Garbage or truncated JSON -> SourceDataError; then recovery."""
    meter = ShellyPro3EM(session, device.host)
    device.mode = mode  # type: ignore[assignment]
    with pytest.raises(SourceDataError):
        await meter.async_read()
    device.mode = "ok"
    assert (await meter.async_read()).energy == 1234.567


async def test_timeout_then_recovery(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """A device that does not answer in time -> SourceConnectionError; then recovery."""
    meter = ShellyPro3EM(session, device.host, timeout=0.3)
    device.mode = "slow"
    start = time.monotonic()
    with pytest.raises(SourceConnectionError, match="timeout"):
        await meter.async_read()
    assert time.monotonic() - start < 2.0
    device.mode = "ok"
    assert (await meter.async_read()).power == 652.5


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    """Nothing listening -> SourceConnectionError."""
    sim = ShellyPro3EMSimulator()
    host = await sim.start()
    await sim.close()
    with pytest.raises(SourceConnectionError):
        await ShellyPro3EM(session, host, timeout=2).async_get_identity()


async def test_diagnostics(session: aiohttp.ClientSession) -> None:
    """The last raw payloads per call, never the password."""
    async with ShellyPro3EMSimulator(password="s3cr3t") as sim:
        meter = ShellyPro3EM(session, sim.host, "s3cr3t")
        await meter.async_read()
    diag = meter.diagnostics()
    assert diag["password_set"] is True
    assert diag["profile"] == "triphase"
    assert diag["payloads"]["EM.GetStatus:0"]["total_act_power"] == 652.5
    assert diag["payloads"]["EMData.GetStatus:0"]["total_act"] == 1234567.0
    assert diag["payloads"]["Shelly.GetDeviceInfo"]["model"] == "SPEM-003CEBEU"
    assert "s3cr3t" not in repr(diag)
    await meter.async_close()


# --- faults of issue 14 ------------------------------------------------------------


async def test_bare_nan_and_infinity_are_missing_values(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """Bare NaN/Infinity (not JSON, but Python would read floats) -> None, no exception."""
    device.replies["EM.GetStatus:0"] = (
        '{"id":0,"a_act_power":NaN,"b_act_power":Infinity,"c_act_power":12.0,'
        '"total_act_power":-Infinity}'
    )
    device.replies["EMData.GetStatus:0"] = (
        '{"id":0,"a_total_act_energy":NaN,"b_total_act_energy":734567.0,'
        '"c_total_act_energy":100000.0,"total_act":NaN}'
    )
    reading = await ShellyPro3EM(session, device.host).async_read()
    assert reading.phases_power == (None, None, 12.0)
    assert reading.power is None  # total not finite and a phase missing: no partial sum
    assert reading.phases_energy == (None, 734.567, 100.0)
    assert reading.energy is None


async def test_negative_energy_counter_is_no_reading(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """A counter counts up from 0: -5000 Wh (which showed as -5 kWh) is no value."""
    device.phase_energy_wh = [-5000.0, 734567.0, 100000.0]
    reading = await ShellyPro3EM(session, device.host).async_read()
    assert reading.phases_energy == (None, 734.567, 100.0)
    # total_act = -5000 + 734567 + 100000 = 829567 Wh is the device's own total.
    assert reading.energy == 829.567


@pytest.mark.parametrize("announced", [False, True], ids=["chunked", "content_length"])
async def test_huge_reply_is_refused_without_reading_it(
    announced: bool, device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """A 10 MB reply is a data error after at most 1 MiB read; the next good poll works."""
    meter = ShellyPro3EM(session, device.host, timeout=10)
    await meter.async_read()
    device.mode = "huge"
    device.huge_announced = announced
    with pytest.raises(SourceDataError, match="too large"):
        await meter.async_read()
    device.mode = "ok"
    assert (await meter.async_read()).power == 652.5


async def test_large_reply_is_parsed_off_the_loop(
    device: ShellyPro3EMSimulator, session: aiohttp.ClientSession
) -> None:
    """A 600 kB reply (under the cap) is parsed once, in the executor, not on the loop."""
    loop = asyncio.get_running_loop()
    calls: list[object] = []
    original = loop.run_in_executor

    def spy(executor: object, func: object, *args: object) -> asyncio.Future[object]:
        calls.append(func)
        return original(executor, func, *args)  # type: ignore[arg-type]

    meter = ShellyPro3EM(session, device.host)
    await meter.async_read()
    device.mode = "huge"
    device.huge_bytes = 600 * 1024
    loop.run_in_executor = spy  # type: ignore[method-assign,assignment]
    try:
        reading = await meter.async_read()
    finally:
        loop.run_in_executor = original  # type: ignore[method-assign]
    assert reading.power == 652.5
    # One parse per reply: EM and EMData, each in the executor.
    assert [getattr(f, "__name__", "") for f in calls] == ["_decode_json_at"] * 2


# --- real payloads ----------------------------------------------------------------


async def test_real_ha_core_pro_3em_triphase(session: aiohttp.ClientSession) -> None:
    """HA core's Pro 3EM fixture: a_act_power 2166.2 + b 3.6 + c 244.0 W; the device's
    total_act_power 2413.825 W is what we show; emdata total_act is the lifetime total."""
    fixture = json.loads((realdata_dir("shelly_pro3em") / "ha_core_pro_3em.json").read_text())
    async with ShellyPro3EMSimulator() as sim:
        info = dict(fixture["shelly"], auth_en=False)
        sim.replies["Shelly.GetDeviceInfo"] = json.dumps(info)
        sim.replies["EM.GetStatus:0"] = json.dumps(fixture["status"]["em:0"])
        sim.replies["EMData.GetStatus:0"] = json.dumps(fixture["status"]["emdata:0"])
        meter = ShellyPro3EM(session, sim.host)
        reading = await meter.async_read()
    emdata = fixture["status"]["emdata:0"]
    assert reading.power == 2413.825
    assert reading.phases_power == (2166.2, 3.6, 244.0)
    assert reading.energy == pytest.approx(emdata["total_act"] / 1000)
    assert reading.phases_energy == pytest.approx((3105.57642, 195.76572, 2114.07205))
    # The phases add up to the total (the meter's own counter), within rounding.
    assert sum(reading.phases_energy) == pytest.approx(reading.energy, rel=1e-6)  # type: ignore[arg-type]
    assert meter.profile == "triphase"
    assert meter.identity.serial_number == "AABBCCDDEEFF"
    assert 0 < reading.power < 50_000  # a house's supply, not a glitch


async def test_real_evcc_monophase(session: aiohttp.ClientSession) -> None:
    """evcc's Pro 3EM in the monophase profile: em1:0..2 act_power 598.9 + 0 + 0 W;
    em1data total_act_energy 3458.24 + 2768.67 + 3.09 = 6230.00 Wh -> 6.23 kWh."""
    folder = realdata_dir("shelly_pro3em")
    info = json.loads((folder / "evcc_pro3em_monophase_deviceinfo.json").read_text())
    status = json.loads((folder / "evcc_pro3em_monophase_status.json").read_text())
    async with ShellyPro3EMSimulator(profile="monophase") as sim:
        sim.replies["Shelly.GetDeviceInfo"] = json.dumps(info)
        for ch in (0, 1, 2):
            sim.replies[f"EM1.GetStatus:{ch}"] = json.dumps(status[f"em1:{ch}"])
            sim.replies[f"EM1Data.GetStatus:{ch}"] = json.dumps(status[f"em1data:{ch}"])
        meter = ShellyPro3EM(session, sim.host)
        reading = await meter.async_read()
    assert meter.profile == "monophase"
    assert reading.power == 598.9
    assert reading.phases_power == (598.9, 0.0, 0.0)
    assert reading.energy == pytest.approx(6.23)
    assert reading.phases_energy == pytest.approx((3.45824, 2.76867, 0.00309))


async def test_real_evcc_em1_with_string_id(session: aiohttp.ClientSession) -> None:
    """evcc's EM1 payload with "id": "0" (a string) and a negative (exporting) power:
    act_power -332.2 W is a real value; total_act_energy 1264.15 Wh -> 1.26415 kWh."""
    payload = json.loads((realdata_dir("shelly_pro3em") / "evcc_em1_string_id.json").read_text())
    async with ShellyPro3EMSimulator(profile="monophase") as sim:
        for ch in (0, 1, 2):
            sim.replies[f"EM1.GetStatus:{ch}"] = json.dumps(payload["em1_status"])
            sim.replies[f"EM1Data.GetStatus:{ch}"] = json.dumps(payload["em1data"])
        reading = await ShellyPro3EM(session, sim.host).async_read()
    assert reading.phases_power == (-332.2, -332.2, -332.2)
    assert reading.power == pytest.approx(-996.6)
    assert reading.phases_energy == pytest.approx((1.26415,) * 3)
    assert reading.energy == pytest.approx(3 * 1.26415)
