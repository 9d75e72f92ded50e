"""Shelly Pro 3EM electricity meter over its local Gen2 RPC (HTTP GET).

Calls (``GET http://<host>/rpc/<Method>[?id=N]``):

* ``Shelly.GetDeviceInfo``: ``id``, ``mac``, ``model`` (``SPEM-003CEBEU`` family),
  ``app`` (``Pro3EM``), ``ver``, ``auth_en``, ``profile`` (``triphase`` or
  ``monophase``).
* triphase profile: ``EM.GetStatus?id=0`` (``a_act_power``, ``b_act_power``,
  ``c_act_power``, ``total_act_power`` in W) and ``EMData.GetStatus?id=0``
  (``a_total_act_energy``, ``b_total_act_energy``, ``c_total_act_energy``,
  ``total_act`` in Wh, cumulative).
* monophase profile: ``EM1.GetStatus?id=0..2`` (``act_power`` W) and
  ``EM1Data.GetStatus?id=0..2`` (``total_act_energy`` Wh); the totals are the
  sums of the three channels.

Energy is returned in kWh (Wh / 1000). Without a ``profile`` field the profile
is found by trying EM (then EM1); a profile call failing with HTTP 404/500
makes the next read look again.

Authentication (when the device has a password): HTTP digest per RFC 7616,
user ``admin``, realm = device id, SHA-256, ``qop=auth`` with a client nonce
and a nonce count. The server nonce is reused (nc incremented) until the
device answers 401 again; then the request is repeated once with the fresh
challenge. A 401 to a request made with a fresh nonce means a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
import hashlib
import logging
import math
import re
import secrets
from typing import Any, Final

import aiohttp

from custom_components.heatpump_stats.model.reading import DeviceIdentity, MeterReading

from .base import (
    SourceAuthError,
    SourceAuthRequiredError,
    SourceDataError,
    SourceNotThisDeviceError,
)
from .http import (
    NO_SUCH_API_STATUS,
    HttpStatusError,
    async_json_object,
    async_request,
    base_url,
    parse_host,
)

_LOGGER = logging.getLogger(__name__)

MANUFACTURER: Final = "Shelly"
MODEL: Final = "Pro 3EM"
MODEL_PREFIX: Final = "SPEM-003CEBEU"
APP: Final = "Pro3EM"
USERNAME: Final = "admin"
PROFILE_TRIPHASE: Final = "triphase"
PROFILE_MONOPHASE: Final = "monophase"
PHASES: Final = ("a", "b", "c")
CHANNELS: Final = (0, 1, 2)


# --- RFC 7616 digest ------------------------------------------------------

_HASHES: Final = {"MD5": "md5", "SHA-256": "sha256", "SHA-512-256": "sha512_256"}
_PARAM_RE: Final = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


def parse_digest_challenge(header: str) -> dict[str, str]:
    """Parameters of a ``WWW-Authenticate: Digest ...`` header (names lower-cased).

    Raises ValueError if the header is not a digest challenge.
    """
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        raise ValueError(f"not a digest challenge: {header!r}")
    params: dict[str, str] = {}
    for match in _PARAM_RE.finditer(rest):
        quoted, token = match.group(2), match.group(3)
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else token
        params[match.group(1).lower()] = value
    if "nonce" not in params or "realm" not in params:
        raise ValueError(f"digest challenge without realm/nonce: {header!r}")
    return params


def _hash(algorithm: str, text: str) -> str:
    return hashlib.new(_HASHES[algorithm], text.encode("utf-8")).hexdigest()


def digest_response(
    *,
    algorithm: str,
    username: str,
    password: str,
    realm: str,
    nonce: str,
    method: str,
    uri: str,
    qop: str | None,
    nc: str,
    cnonce: str,
) -> str:
    """The ``response`` value of RFC 7616 section 3.4.1 (``-sess`` variants included)."""
    base = algorithm.removesuffix("-sess")
    ha1 = _hash(base, f"{username}:{realm}:{password}")
    if algorithm.endswith("-sess"):
        ha1 = _hash(base, f"{ha1}:{nonce}:{cnonce}")
    ha2 = _hash(base, f"{method}:{uri}")
    if qop:
        return _hash(base, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _hash(base, f"{ha1}:{nonce}:{ha2}")


@dataclass(slots=True)
class DigestAuth:
    """Client side of digest authentication: one challenge at a time, nc counted."""

    username: str
    password: str = field(repr=False)
    realm: str | None = None
    nonce: str | None = None
    opaque: str | None = None
    algorithm: str = "MD5"
    qop: str | None = None
    nc: int = 0

    def set_challenge(self, header: str) -> None:
        """Take a new challenge from a 401; raises SourceAuthError if unusable."""
        try:
            params = parse_digest_challenge(header)
        except ValueError as err:
            raise SourceAuthError(str(err)) from err
        algorithm = params.get("algorithm", "MD5")
        upper = algorithm.upper()
        if upper.removesuffix("-SESS") not in _HASHES:
            raise SourceAuthError(f"unsupported digest algorithm {algorithm}")
        self.algorithm = upper.replace("-SESS", "-sess")
        offered = [q.strip().lower() for q in params.get("qop", "").split(",") if q.strip()]
        if offered and "auth" not in offered:
            raise SourceAuthError(f"unsupported digest qop {params['qop']}")
        self.qop = "auth" if offered else None
        self.realm = params["realm"]
        self.nonce = params["nonce"]
        self.opaque = params.get("opaque")
        self.nc = 0

    def authorization(self, method: str, uri: str) -> str | None:
        """The ``Authorization`` header for the next request (None before a challenge)."""
        if self.nonce is None or self.realm is None:
            return None
        self.nc += 1
        nc = f"{self.nc:08x}"
        cnonce = secrets.token_hex(16)
        response = digest_response(
            algorithm=self.algorithm,
            username=self.username,
            password=self.password,
            realm=self.realm,
            nonce=self.nonce,
            method=method,
            uri=uri,
            qop=self.qop,
            nc=nc,
            cnonce=cnonce,
        )
        parts = [
            f'username="{self.username}"',
            f'realm="{self.realm}"',
            f'nonce="{self.nonce}"',
            f'uri="{uri}"',
            f"algorithm={self.algorithm}",
            f'response="{response}"',
        ]
        if self.qop:
            parts += [f"qop={self.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        if self.opaque is not None:
            parts.append(f'opaque="{self.opaque}"')
        return "Digest " + ", ".join(parts)


# --- the meter ------------------------------------------------------------


def _number(payload: dict[str, Any], field: str) -> float | None:
    """A numeric field as float; missing, null, non-numeric or not finite -> None."""
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _counter(payload: dict[str, Any], field: str) -> float | None:
    """An energy counter (Wh): counts up from 0, so a negative value is no reading."""
    value = _number(payload, field)
    return None if value is None or value < 0 else value


def _sum(values: list[float | None]) -> float | None:
    """Sum of all values, None if any is missing (a partial total would mislead)."""
    if not values or any(v is None for v in values):
        return None
    return round(sum(v for v in values if v is not None), 6)


def _kwh(wh: float | None) -> float | None:
    return None if wh is None else round(wh / 1000, 6)


def is_pro_3em(info: dict[str, Any]) -> bool:
    """True for a Shelly Pro 3EM (model SPEM-003CEBEU... or app Pro3EM)."""
    model = info.get("model")
    return (isinstance(model, str) and model.upper().startswith(MODEL_PREFIX)) or info.get(
        "app"
    ) == APP


class ShellyPro3EM:
    """A Shelly Pro 3EM; satisfies `MeterSource`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        password: str | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        """Prepare polling; `host` is ``host[:port]``; an empty password means none."""
        self._session = session
        self._host, self._port = parse_host(host)
        self._base = base_url(self._host, self._port)
        self._timeout = timeout
        self._auth = DigestAuth(USERNAME, password) if password else None
        self._info: dict[str, Any] | None = None
        self._identity = DeviceIdentity(manufacturer=MANUFACTURER, model=MODEL)
        self._profile: str | None = None
        self._raw: dict[str, Any] = {}

    @property
    def identity(self) -> DeviceIdentity:
        """Serial (MAC), firmware: valid after `async_get_identity` or the first read."""
        return self._identity

    @property
    def profile(self) -> str | None:
        """``triphase`` or ``monophase`` once known."""
        return self._profile

    async def _async_rpc(self, method: str, channel: int | None = None) -> dict[str, Any]:
        """GET /rpc/<method>, answering digest challenges; returns the JSON object."""
        uri = f"/rpc/{method}" if channel is None else f"/rpc/{method}?id={channel}"
        url = self._base + uri
        fresh_nonce = False
        while True:
            headers: dict[str, str] = {}
            if self._auth is not None and (value := self._auth.authorization("GET", uri)):
                headers["Authorization"] = value
            resp = await async_request(
                self._session, url, request_timeout=self._timeout, headers=headers
            )
            if resp.status != 401:
                break
            if self._auth is None:
                raise SourceAuthRequiredError(f"{self._host} requires a password")
            if fresh_nonce:
                raise SourceAuthError(f"{self._host} refused the password")
            challenge = resp.headers.get("WWW-Authenticate")
            if not challenge:
                raise SourceAuthError(f"{self._host} answered 401 without a digest challenge")
            self._auth.set_challenge(challenge)
            fresh_nonce = True
        payload = await async_json_object(resp, url)
        key = method if channel is None else f"{method}:{channel}"
        self._raw[key] = payload
        return payload

    async def async_get_identity(self) -> DeviceIdentity:
        """Ask the device who it is; anything but a Pro 3EM raises SourceNotThisDeviceError."""
        try:
            info = await self._async_rpc("Shelly.GetDeviceInfo")
        except HttpStatusError as err:
            if err.status not in NO_SUCH_API_STATUS:
                raise
            # A web server without the Gen2 RPC API (a router, a Gen1 Shelly, an H66).
            raise SourceNotThisDeviceError(f"{self._host}: no Shelly RPC API ({err})") from err
        except SourceDataError as err:
            # Every Shelly answers GetDeviceInfo with a JSON object (an HTML page is not one).
            raise SourceNotThisDeviceError(f"{self._host}: not a Shelly ({err})") from err
        if not is_pro_3em(info):
            raise SourceNotThisDeviceError("not a Shelly Pro 3EM")
        if info.get("auth_en") is True and self._auth is None:
            raise SourceAuthRequiredError(f"{self._host} requires a password")
        serial = info.get("mac") or info.get("id")
        ver = info.get("ver")
        self._identity = DeviceIdentity(
            manufacturer=MANUFACTURER,
            model=MODEL,
            serial_number=str(serial).upper() if serial else None,
            sw_version=str(ver) if ver else None,
        )
        profile = info.get("profile")
        self._profile = profile if profile in (PROFILE_TRIPHASE, PROFILE_MONOPHASE) else None
        self._info = info
        return self._identity

    async def async_read(self) -> MeterReading:
        """Power (W) and the cumulative energy (kWh) in total and per phase."""
        if self._info is None:
            await self.async_get_identity()
        try:
            if self._profile == PROFILE_MONOPHASE:
                return await self._async_read_monophase()
            if self._profile == PROFILE_TRIPHASE:
                return await self._async_read_triphase()
            return await self._async_detect_and_read()
        except HttpStatusError as err:
            if err.status in (404, 500):
                # The profile may have changed: ask the device again next time.
                self._info = None
            raise

    async def _async_detect_and_read(self) -> MeterReading:
        try:
            reading = await self._async_read_triphase()
        except HttpStatusError as err:
            if err.status not in (404, 500):
                raise
            _LOGGER.debug("Shelly %s: no EM component (%s), trying EM1", self._host, err)
            reading = await self._async_read_monophase()
            self._profile = PROFILE_MONOPHASE
        else:
            self._profile = PROFILE_TRIPHASE
        return reading

    async def _async_read_triphase(self) -> MeterReading:
        status = await self._async_rpc("EM.GetStatus", 0)
        data = await self._async_rpc("EMData.GetStatus", 0)
        now = datetime.now(UTC)
        phases_power = [_number(status, f"{p}_act_power") for p in PHASES]
        power = _number(status, "total_act_power")
        if power is None:
            power = _sum(phases_power)
        phases_wh = [_counter(data, f"{p}_total_act_energy") for p in PHASES]
        # The meter's own lifetime total (emdata total_act), as the device shows it.
        energy_wh = _counter(data, "total_act")
        if energy_wh is None:
            energy_wh = _sum(phases_wh)
        return MeterReading(
            timestamp=now,
            power=power,
            energy=_kwh(energy_wh),
            phases_power=tuple(phases_power),
            phases_energy=tuple(_kwh(v) for v in phases_wh),
        )

    async def _async_read_monophase(self) -> MeterReading:
        statuses = [await self._async_rpc("EM1.GetStatus", ch) for ch in CHANNELS]
        datas = [await self._async_rpc("EM1Data.GetStatus", ch) for ch in CHANNELS]
        now = datetime.now(UTC)
        phases_power = [_number(s, "act_power") for s in statuses]
        phases_wh = [_counter(d, "total_act_energy") for d in datas]
        return MeterReading(
            timestamp=now,
            power=_sum(phases_power),
            energy=_kwh(_sum(phases_wh)),
            phases_power=tuple(phases_power),
            phases_energy=tuple(_kwh(v) for v in phases_wh),
        )

    def diagnostics(self) -> dict[str, Any]:
        """The raw payloads last seen, per RPC call (no credentials)."""
        return {
            "host": self._host,
            "port": self._port,
            "password_set": self._auth is not None,
            "profile": self._profile,
            "payloads": dict(self._raw),
        }

    async def async_close(self) -> None:
        """Nothing to release: the session belongs to the caller."""
