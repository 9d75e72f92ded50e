"""Shared helpers of the HTTP sources: host parsing and a JSON GET.

The `aiohttp.ClientSession` is always injected (Home Assistant passes its
shared session); nothing here creates or closes one.

Error mapping of every request:

* connection refused/reset, DNS failure, timeout -> `SourceConnectionError`
* HTTP status >= 400 -> `SourceConnectionError` naming the status
  (`async_get_json`; `async_request` leaves the status to the caller)
* a body that is not JSON (garbage, truncated, not UTF-8) or, where an object
  is required, a JSON value that is not an object -> `SourceDataError`
* a body larger than `max_bytes` (1 MiB by default; a device's reply is a few
  kB) -> `SourceDataError`, read no further: a misbehaving device cannot make
  us buffer or parse megabytes

JSON is parsed once per reply; a body over `EXECUTOR_PARSE_BYTES` is parsed in
the executor so the event loop never stalls on it. JSON's non-standard bare
``NaN``/``Infinity``/``-Infinity`` (which Python would turn into floats) decode
as ``null``: a value that is not a number is missing, never a float that
breaks a sensor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
import json
import re
from typing import Any

import aiohttp
from multidict import CIMultiDictProxy

from .base import SourceConnectionError, SourceDataError

DEFAULT_PORT = 80
# Largest reply read from a device (bytes) and the size from which it is parsed off the loop.
MAX_RESPONSE_BYTES = 1024 * 1024
EXECUTOR_PARSE_BYTES = 64 * 1024
_CHUNK = 64 * 1024
# A web server's answer when it has no such API at the path (the device's API is
# off, or another device answers): not the device to read.
NO_SUCH_API_STATUS = frozenset({404, 405, 410})

# RFC 1123 host names: dot-separated labels of letters, digits and hyphens
# (underscores tolerated, some routers hand them out), no leading/trailing hyphen.
_LABEL = r"(?!-)[A-Za-z0-9_-]{1,63}(?<!-)"
_HOSTNAME_RE = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")
_PORT_RE = re.compile(r"^[0-9]{1,5}$")


def parse_host(value: str) -> tuple[str, int]:
    """Split ``host``, ``host:port``, ``[v6]`` or ``[v6]:port`` into (host, port).

    The port defaults to 80. An IPv6 address with a port must be bracketed;
    a bare IPv6 address (no port) is accepted too. The returned host carries
    no brackets. Schemes, paths, queries, credentials, empty values and ports
    outside 1..65535 raise ValueError.
    """
    text = value.strip()
    if not text:
        raise ValueError("empty host")
    if "://" in text or any(ch in text for ch in "/?#@ \t"):
        raise ValueError(f"not a plain host[:port]: {value!r}")

    port_text: str | None = None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ValueError(f"unclosed '[' in {value!r}")
        host = text[1:end]
        rest = text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"unexpected text after ']' in {value!r}")
            port_text = rest[1:]
        _require_ipv6(host, value, "not an IPv6 address in brackets")
    elif text.count(":") > 1:
        # A bare IPv6 address cannot carry a port (it would be ambiguous).
        _require_ipv6(text, value, "IPv6 addresses with a port need brackets")
        host = text
    else:
        host, sep, port_part = text.partition(":")
        if sep:
            port_text = port_part
        if not _HOSTNAME_RE.match(host):
            raise ValueError(f"invalid host name: {value!r}")

    port = DEFAULT_PORT
    if port_text is not None:
        if not _PORT_RE.match(port_text):
            raise ValueError(f"invalid port in {value!r}")
        port = int(port_text)
        if not 1 <= port <= 65535:
            raise ValueError(f"port out of range in {value!r}")
    return host, port


def parse_bare_host(value: str) -> str:
    """A host name or IP address alone (the port is a separate field).

    For the sources whose port is its own form field (Luxtronik, Modbus TCP):
    ``http://``, paths, credentials and ``:port`` raise ValueError, with the
    same rules as `parse_host` otherwise. Brackets around IPv6 are removed.
    """
    text = value.strip()
    host, port = parse_host(text)
    bare_v6 = text.count(":") > 1 and not text.startswith("[")
    if not bare_v6 and (text.endswith(f":{port}") or port != DEFAULT_PORT):
        raise ValueError(f"enter the port in its own field, not in the host: {value!r}")
    return host


def _require_ipv6(host: str, value: str, message: str) -> None:
    try:
        ipaddress.IPv6Address(host)
    except ValueError as err:
        raise ValueError(f"{message}: {value!r}") from err


def base_url(host: str, port: int) -> str:
    """``http://host:port`` with IPv6 addresses in brackets."""
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """What `async_request` read: status, headers and the whole body."""

    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


async def async_request(
    session: aiohttp.ClientSession,
    url: str,
    *,
    request_timeout: float,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> HttpResponse:
    """GET `url` and read the whole body within `request_timeout` seconds.

    Any status is returned; transport failures and timeouts raise
    `SourceConnectionError`; a body over `max_bytes` raises `SourceDataError`
    (announced by Content-Length or found while reading; nothing more is read).
    """
    try:
        async with session.get(
            url,
            headers=dict(headers) if headers else None,
            timeout=aiohttp.ClientTimeout(total=request_timeout),
            allow_redirects=False,
        ) as resp:
            if resp.content_length is not None and resp.content_length > max_bytes:
                raise _too_large(url, max_bytes, resp.content_length)
            chunks: list[bytes] = []
            size = 0
            while chunk := await resp.content.read(_CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise _too_large(url, max_bytes)
                chunks.append(chunk)
            return HttpResponse(resp.status, resp.headers, b"".join(chunks))
    except TimeoutError as err:
        raise SourceConnectionError(f"timeout after {request_timeout:g} s: {url}") from err
    except aiohttp.ClientError as err:
        raise SourceConnectionError(f"{type(err).__name__}: {err} ({url})") from err


def _too_large(url: str, max_bytes: int, announced: int | None = None) -> SourceDataError:
    size = f"{announced} bytes" if announced is not None else "more"
    return SourceDataError(f"reply from {url} is too large ({size}; at most {max_bytes} read)")


def _not_a_number(_constant: str) -> None:
    """``NaN``, ``Infinity``, ``-Infinity`` are no numbers: decoded as missing."""


def decode_json(body: bytes, *, url: str = "") -> Any:
    """Parse a JSON body; anything undecodable raises `SourceDataError`.

    Bare NaN/Infinity decode as None (see the module docstring).
    """
    try:
        return json.loads(body, parse_constant=_not_a_number)
    except (ValueError, RecursionError) as err:  # JSONDecodeError, UnicodeDecodeError
        snippet = body[:60].decode("utf-8", "replace")
        raise SourceDataError(f"invalid JSON from {url or 'device'}: {err} ({snippet!r})") from err


async def async_decode_json(body: bytes, *, url: str = "") -> Any:
    """`decode_json`, in the executor when the body is large (the loop stays free)."""
    if len(body) <= EXECUTOR_PARSE_BYTES:
        return decode_json(body, url=url)
    return await asyncio.get_running_loop().run_in_executor(None, _decode_json_at, body, url)


def _decode_json_at(body: bytes, url: str) -> Any:
    return decode_json(body, url=url)


class HttpStatusError(SourceConnectionError):
    """The device answered with HTTP status >= 400 (`status` holds it)."""

    def __init__(self, status: int, url: str) -> None:
        """Remember the status; the message names it."""
        super().__init__(f"HTTP {status} from {url}")
        self.status = status


def check_status(resp: HttpResponse, url: str) -> None:
    """Raise `HttpStatusError` (a `SourceConnectionError`) for HTTP >= 400."""
    if resp.status >= 400:
        raise HttpStatusError(resp.status, url)


def require_object(value: Any, *, url: str = "") -> dict[str, Any]:
    """Return `value` if it is a JSON object, else raise `SourceDataError`."""
    if not isinstance(value, dict):
        raise SourceDataError(
            f"expected a JSON object from {url or 'device'}, got {type(value).__name__}"
        )
    return value


async def async_json_object(resp: HttpResponse, url: str) -> dict[str, Any]:
    """The JSON object answered (HTTP >= 400: `HttpStatusError`; no object: `SourceDataError`)."""
    check_status(resp, url)
    return require_object(await async_decode_json(resp.body, url=url), url=url)


async def async_get_json(
    session: aiohttp.ClientSession,
    url: str,
    *,
    request_timeout: float,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """GET `url` and decode its JSON body, mapping every failure to a source error."""
    resp = await async_request(session, url, request_timeout=request_timeout, headers=headers)
    check_status(resp, url)
    return await async_decode_json(resp.body, url=url)


async def async_get_json_object(
    session: aiohttp.ClientSession,
    url: str,
    *,
    request_timeout: float,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`async_get_json` that also requires a JSON object."""
    resp = await async_request(session, url, request_timeout=request_timeout, headers=headers)
    return await async_json_object(resp, url)
