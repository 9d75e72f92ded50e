"""Shelly Pro 3EM meter against the simulated device (no Home Assistant)."""

from __future__ import annotations

from collections.abc import AsyncIterator
import time

import aiohttp
import pytest

from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceConnectionError,
    SourceDataError,
)
from custom_components.heatpump_stats.sources.shelly import (
    DigestAuth,
    ShellyPro3EM,
    digest_response,
    parse_digest_challenge,
)
from tests.simulators.shelly_server import ShellyPro3EMSimulator

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
        with pytest.raises(SourceDataError, match="not a Shelly Pro 3EM"):
            await meter.async_get_identity()
        with pytest.raises(SourceDataError, match="not a Shelly Pro 3EM"):
            await meter.async_read()
    # The 120 A variant (SPEM-003CEBEU120) is a Pro 3EM.
    async with ShellyPro3EMSimulator(model="SPEM-003CEBEU120") as sim:
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
        with pytest.raises(SourceAuthError, match="refused"):
            await meter.async_read()
        assert sim.log == [("Shelly.GetDeviceInfo", 401), ("Shelly.GetDeviceInfo", 401)]


async def test_no_password_on_protected_device(session: aiohttp.ClientSession) -> None:
    """401 without a password configured -> SourceAuthError (no retry)."""
    async with ShellyPro3EMSimulator(password="s3cr3t") as sim:
        with pytest.raises(SourceAuthError, match="requires a password"):
            await ShellyPro3EM(session, sim.host).async_read()
        assert sim.requests == 1
    # Device info readable without auth, but auth_en says the rest is protected.
    async with ShellyPro3EMSimulator(password="s3cr3t", protect_device_info=False) as sim:
        with pytest.raises(SourceAuthError, match="requires a password"):
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
