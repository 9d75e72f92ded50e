"""Shared HTTP helpers: host parsing and the JSON GET's error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
import pytest

from custom_components.heatpump_stats.sources.base import (
    SourceConnectionError,
    SourceDataError,
)
from custom_components.heatpump_stats.sources.http import (
    HttpStatusError,
    async_get_json,
    async_get_json_object,
    base_url,
    decode_json,
    parse_bare_host,
    parse_host,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.168.1.20", ("192.168.1.20", 80)),
        ("192.168.1.20:8080", ("192.168.1.20", 8080)),
        ("  h66.local  ", ("h66.local", 80)),
        ("shellypro3em-c8f09e8832f4:81", ("shellypro3em-c8f09e8832f4", 81)),
        ("[::1]:8080", ("::1", 8080)),
        ("[fe80::1]", ("fe80::1", 80)),
        ("fe80::1", ("fe80::1", 80)),
        ("host:65535", ("host", 65535)),
    ],
)
def test_parse_host_valid(value: str, expected: tuple[str, int]) -> None:
    """Plain hosts, ports, bracketed and bare IPv6."""
    assert parse_host(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "http://192.168.1.20",
        "192.168.1.20/api/alldata",
        "host?x=1",
        "admin@host",
        "host:",
        "host:0",
        "host:65536",
        "host:80a",
        "[::1",
        "[::1]8080",
        "[192.168.1.1]:80",
        "::1:8080:x",
        "bad host",
        "-leading.example",
        ":8080",
    ],
)
def test_parse_host_invalid(value: str) -> None:
    """Schemes, paths, credentials, empty and malformed values are refused."""
    with pytest.raises(ValueError):  # noqa: PT011 - every message differs
        parse_host(value)


def test_base_url_brackets_ipv6() -> None:
    """IPv6 hosts get their brackets back in URLs."""
    assert base_url("::1", 8080) == "http://[::1]:8080"
    assert base_url("10.0.0.2", 80) == "http://10.0.0.2:80"


def test_decode_json() -> None:
    """Valid JSON decodes; garbage and truncated bodies are data errors."""
    assert decode_json(b'{"a": 1}') == {"a": 1}
    with pytest.raises(SourceDataError):
        decode_json(b'{"a": 1')
    with pytest.raises(SourceDataError):
        decode_json(b"\xff\xfe<html>")


@pytest.fixture
async def server(socket_enabled: None) -> AsyncIterator[str]:
    """A tiny server: /ok, /list, /404, /bad."""

    async def ok(_: web.Request) -> web.Response:
        return web.json_response({"x": 1})

    async def as_list(_: web.Request) -> web.Response:
        return web.json_response([1])

    async def not_found(_: web.Request) -> web.Response:
        return web.Response(status=404)

    async def bad(_: web.Request) -> web.Response:
        return web.Response(text="nope", content_type="application/json")

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/list", as_list)
    app.router.add_get("/404", not_found)
    app.router.add_get("/bad", bad)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    yield base_url("127.0.0.1", runner.addresses[0][1])
    await runner.cleanup()


async def test_get_json_error_mapping(server: str) -> None:
    """Status, decode and object errors map to the source errors."""
    async with aiohttp.ClientSession() as session:
        assert await async_get_json_object(session, f"{server}/ok", request_timeout=2) == {"x": 1}
        assert await async_get_json(session, f"{server}/list", request_timeout=2) == [1]
        with pytest.raises(SourceDataError, match="object"):
            await async_get_json_object(session, f"{server}/list", request_timeout=2)
        with pytest.raises(HttpStatusError, match="404") as err:
            await async_get_json(session, f"{server}/404", request_timeout=2)
        assert isinstance(err.value, SourceConnectionError)
        assert err.value.status == 404
        with pytest.raises(SourceDataError):
            await async_get_json(session, f"{server}/bad", request_timeout=2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.168.1.20", "192.168.1.20"),
        (" lux.local ", "lux.local"),
        ("[fe80::1]", "fe80::1"),
        ("fe80::1", "fe80::1"),
    ],
)
def test_parse_bare_host_valid(value: str, expected: str) -> None:
    """Luxtronik/Modbus hosts: the port is its own field."""
    assert parse_bare_host(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "http://192.168.1.20",
        "https://lux.local/",
        "192.168.1.20/api",
        "lux.local:8889",
        "[::1]:502",
        "192.168.1.20:80",
        "",
        "user@host",
    ],
)
def test_parse_bare_host_invalid(value: str) -> None:
    """A scheme, a path or a port in the host field is refused (same rule as H66's host)."""
    with pytest.raises(ValueError, match=r"host|port|IPv6|plain"):
        parse_bare_host(value)


def test_decode_json_bare_nan_is_missing() -> None:
    """Python's json reads NaN/Infinity as floats; here they are missing values."""
    assert decode_json(b'{"a": NaN, "b": Infinity, "c": -Infinity, "d": 1.5}') == {
        "a": None,
        "b": None,
        "c": None,
        "d": 1.5,
    }
