"""A Shelly Pro 3EM (Gen2 RPC over HTTP) on 127.0.0.1 for the meter tests.

Serves ``/rpc/Shelly.GetDeviceInfo``, the triphase profile's
``EM.GetStatus`` / ``EMData.GetStatus`` (id 0) and the monophase profile's
``EM1.GetStatus`` / ``EM1Data.GetStatus`` (id 0..2) with the real field names.

With a password every call needs HTTP digest authentication as on the device
(user ``admin``, realm = device id, SHA-256, qop ``auth``). The check is done
here independently of the client code: the response hash per RFC 7616, the
uri against the request target, nonce known and not expired, nonce count
increasing. Every 401 issues a fresh nonce; `nonce_max_uses` expires nonces.

`mode` simulates failures (after authentication); ``"ok"`` is the recovery.
``"huge"`` pads every reply to `huge_bytes` (10 MB) of valid JSON, sent
without a Content-Length (chunked) unless `huge_announced`.
`replies` maps ``"<Method>"`` or ``"<Method>:<id>"`` to a body sent verbatim
(recorded payloads, bare ``NaN``/``Infinity``), instead of the generated one.
`requests` counts every request, `unauthorized` the 401 answers, `log` keeps
(method, status) per request.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import re
import secrets
from typing import Any, Literal

from aiohttp import web

from .http_device import HttpDeviceSimulator

Mode = Literal["ok", "http500", "garbage", "truncated", "slow", "huge"]
Profile = Literal["triphase", "monophase"]

_AUTH_PARAM = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class ShellyPro3EMSimulator(HttpDeviceSimulator):
    """`async with ShellyPro3EMSimulator(password="x") as dev: dev.host`."""

    def __init__(
        self,
        *,
        profile: Profile = "triphase",
        password: str | None = None,
        model: str = "SPEM-003CEBEU",
        app: str = "Pro3EM",
        mac: str = "C8F09E8832F4",
        report_profile: bool = True,
        protect_device_info: bool = True,
        nonce_max_uses: int | None = None,
    ) -> None:
        """A device; by default triphase, no password, nonces never expire."""
        super().__init__()
        self.profile: Profile = profile
        self.password = password
        self.model = model
        self.app = app
        self.mac = mac
        self.device_id = f"shelly{app.lower()}-{mac.lower()}"
        self.report_profile = report_profile
        self.protect_device_info = protect_device_info
        self.nonce_max_uses = nonce_max_uses
        # W per phase/channel; Wh cumulative per phase/channel.
        self.phase_power: list[float | None] = [230.5, 410.0, 12.0]
        self.phase_energy_wh: list[float | None] = [400000.0, 734567.0, 100000.0]
        self.mode: Mode = "ok"
        self.requests = 0
        self.unauthorized = 0
        self.log: list[tuple[str, int]] = []
        self.slow_seconds = 30.0
        self.huge_bytes = 10 * 1024 * 1024
        self.huge_announced = False
        self.replies: dict[str, str] = {}
        self._nonces: dict[str, dict[str, int]] = {}

    # --- payloads ---------------------------------------------------------

    def device_info(self) -> dict[str, Any]:
        """Shelly.GetDeviceInfo as a Pro 3EM (firmware 1.4) answers it."""
        info: dict[str, Any] = {
            "name": None,
            "id": self.device_id,
            "mac": self.mac,
            "slot": 1,
            "model": self.model,
            "gen": 2,
            "fw_id": "20241011-114455/1.4.4-g6d2a586",
            "ver": "1.4.4",
            "app": self.app,
            "auth_en": self.password is not None,
            "auth_domain": self.device_id if self.password else None,
        }
        if self.report_profile:
            info["profile"] = self.profile
        return info

    def _em_status(self) -> dict[str, Any]:
        status: dict[str, Any] = {"id": 0}
        total = 0.0
        for phase, power in zip("abc", self.phase_power, strict=True):
            status |= {
                f"{phase}_current": None if power is None else round(power / 230, 3),
                f"{phase}_voltage": 230.1,
                f"{phase}_act_power": power,
                f"{phase}_aprt_power": None if power is None else round(power * 1.05, 1),
                f"{phase}_pf": 0.95,
                f"{phase}_freq": 50.0,
            }
            total += power or 0.0
        status |= {
            "n_current": None,
            "total_current": round(total / 230, 3),
            "total_act_power": round(total, 3),
            "total_aprt_power": round(total * 1.05, 3),
            "user_calibrated_phase": [],
        }
        return status

    def _emdata_status(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": 0}
        for phase, energy in zip("abc", self.phase_energy_wh, strict=True):
            data[f"{phase}_total_act_energy"] = energy
            data[f"{phase}_total_act_ret_energy"] = 0.0
        data["total_act"] = round(sum(e or 0.0 for e in self.phase_energy_wh), 3)
        data["total_act_ret"] = 0.0
        return data

    def _em1_status(self, ch: int) -> dict[str, Any]:
        power = self.phase_power[ch]
        return {
            "id": ch,
            "current": None if power is None else round(power / 230, 3),
            "voltage": 230.1,
            "act_power": power,
            "aprt_power": None if power is None else round(power * 1.05, 1),
            "pf": 0.95,
            "freq": 50.0,
            "calibration": "factory",
        }

    def _em1data_status(self, ch: int) -> dict[str, Any]:
        return {"id": ch, "total_act_energy": self.phase_energy_wh[ch], "total_act_ret_energy": 0}

    # --- digest auth ------------------------------------------------------

    def _challenge(self) -> web.Response:
        nonce = secrets.token_hex(12)
        self._nonces[nonce] = {"uses": 0, "nc": 0}
        self.unauthorized += 1
        header = f'Digest qop="auth", realm="{self.device_id}", nonce="{nonce}", algorithm=SHA-256'
        return web.Response(
            status=401,
            headers={"WWW-Authenticate": header},
            text=json.dumps({"code": 401, "message": "unauthorized"}),
            content_type="application/json",
        )

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Digest "):
            return False
        params = {m[1]: m[2] if m[2] else m[3] for m in _AUTH_PARAM.finditer(header[7:])}
        nonce = params.get("nonce", "")
        state = self._nonces.get(nonce)
        if (
            state is None
            or params.get("username") != "admin"
            or params.get("realm") != self.device_id
            or params.get("algorithm") != "SHA-256"
            or params.get("qop") != "auth"
            or params.get("uri") != request.raw_path
            or not params.get("cnonce")
        ):
            return False
        try:
            nc = int(params.get("nc", ""), 16)
        except ValueError:
            return False
        if nc <= state["nc"]:
            return False  # replayed nonce count
        ha1 = _sha256(f"admin:{self.device_id}:{self.password}")
        ha2 = _sha256(f"{request.method}:{params['uri']}")
        expected = _sha256(f"{ha1}:{nonce}:{params['nc']}:{params['cnonce']}:auth:{ha2}")
        if not hmac.compare_digest(expected, params.get("response", "")):
            return False
        state["nc"] = nc
        state["uses"] += 1
        if self.nonce_max_uses is not None and state["uses"] >= self.nonce_max_uses:
            del self._nonces[nonce]
        return True

    # --- HTTP -------------------------------------------------------------

    async def _rpc(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        method = request.match_info["method"]
        resp = await self._answer(request, method)
        self.log.append((method, resp.status))
        return resp

    async def _answer(self, request: web.Request, method: str) -> web.StreamResponse:
        protected = self.password is not None and (
            method != "Shelly.GetDeviceInfo" or self.protect_device_info
        )
        if protected and not self._authorized(request):
            return self._challenge()
        match self.mode:
            case "http500":
                return web.Response(status=500, text="Internal Server Error")
            case "garbage":
                return web.Response(text="<html>garbage</html>", content_type="application/json")
            case "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._release.wait(), self.slow_seconds)
        try:
            ch = int(request.query.get("id", "0"))
        except ValueError:
            ch = -1
        recorded = self.replies.get(f"{method}:{ch}", self.replies.get(method))
        if recorded is not None:
            return web.Response(text=recorded, content_type="application/json")
        payload: dict[str, Any] | None = None
        if method == "Shelly.GetDeviceInfo":
            payload = self.device_info()
        elif self.profile == "triphase" and ch == 0:
            if method == "EM.GetStatus":
                payload = self._em_status()
            elif method == "EMData.GetStatus":
                payload = self._emdata_status()
        elif self.profile == "monophase" and ch in (0, 1, 2):
            if method == "EM1.GetStatus":
                payload = self._em1_status(ch)
            elif method == "EM1Data.GetStatus":
                payload = self._em1data_status(ch)
        if payload is None:
            return web.Response(
                status=404,
                text=json.dumps({"code": 404, "message": f"No handler for {method}"}),
                content_type="application/json",
            )
        body = json.dumps(payload)
        if self.mode == "truncated":
            body = body[: len(body) // 2]
        if self.mode == "huge":
            return await self._huge(request, payload)
        return web.Response(text=body, content_type="application/json")

    async def _huge(self, request: web.Request, payload: dict[str, Any]) -> web.StreamResponse:
        """The payload plus a padding field, `huge_bytes` in all, streamed in 64 kB pieces."""
        head = json.dumps(payload)[:-1] + ', "padding": "'
        pad = self.huge_bytes - len(head) - 2
        resp = web.StreamResponse(headers={"Content-Type": "application/json"})
        if self.huge_announced:
            resp.content_length = len(head) + pad + 2
        await resp.prepare(request)
        await resp.write(head.encode())
        piece = b"x" * 65536
        sent = 0
        with contextlib.suppress(ConnectionError):
            while sent < pad:
                chunk = piece[: min(len(piece), pad - sent)]
                await resp.write(chunk)
                sent += len(chunk)
            await resp.write(b'"}')
            await resp.write_eof()
        return resp

    def routes(self, app: web.Application) -> None:
        """The device's endpoint."""
        app.router.add_get("/rpc/{method}", self._rpc)
