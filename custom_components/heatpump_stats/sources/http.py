"""Shared helpers of the HTTP sources: host parsing and a JSON GET.

The `aiohttp.ClientSession` is always injected (Home Assistant passes its
shared session); nothing here creates or closes one.

Error mapping of every request:

* connection refused/reset, DNS failure, timeout -> `SourceConnectionError`
* HTTP status >= 400 -> `SourceConnectionError` naming the status
  (`async_get_json`; `async_request` leaves the status to the caller)
* a body that is not JSON (garbage, truncated, not UTF-8) or, where an object
  is required, a JSON value that is not an object -> `SourceDataError`
"""

from __future__ import annotations

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
) -> HttpResponse:
    """GET `url` and read the whole body within `request_timeout` seconds.

    Any status is returned; transport failures and timeouts raise
    `SourceConnectionError`.
    """
    try:
        async with session.get(
            url,
            headers=dict(headers) if headers else None,
            timeout=aiohttp.ClientTimeout(total=request_timeout),
            allow_redirects=False,
        ) as resp:
            body = await resp.read()
            return HttpResponse(resp.status, resp.headers, body)
    except TimeoutError as err:
        raise SourceConnectionError(f"timeout after {request_timeout:g} s: {url}") from err
    except aiohttp.ClientError as err:
        raise SourceConnectionError(f"{type(err).__name__}: {err} ({url})") from err


def decode_json(body: bytes, *, url: str = "") -> Any:
    """Parse a JSON body; anything undecodable raises `SourceDataError`."""
    try:
        return json.loads(body)
    except ValueError as err:  # JSONDecodeError and UnicodeDecodeError
        snippet = body[:60].decode("utf-8", "replace")
        raise SourceDataError(f"invalid JSON from {url or 'device'}: {err} ({snippet!r})") from err


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
    return decode_json(resp.body, url=url)


async def async_get_json_object(
    session: aiohttp.ClientSession,
    url: str,
    *,
    request_timeout: float,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """`async_get_json` that also requires a JSON object."""
    return require_object(
        await async_get_json(session, url, request_timeout=request_timeout, headers=headers),
        url=url,
    )
