"""A Husdata H66 gateway on 127.0.0.1 (ephemeral port) for the H66 source tests.

``GET /api/alldata`` answers with a recorded-style flat JSON object (about 100
register ids, raw unsigned 16-bit values; 32-bit counters above 0xFFFF) for
the chosen brand. `mode` switches the failure being simulated; setting it back
to ``"ok"`` is the recovery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Literal

from aiohttp import web

from .http_device import HttpDeviceSimulator

Mode = Literal[
    "ok",
    "http500",
    "garbage",
    "truncated",
    "not_object",
    "slow",
    # Something else answers at the address: a web server without /api/alldata,
    # a router's HTML page, another device's JSON.
    "not_found",
    "html",
    "foreign_json",
]


def u16(value: int) -> int:
    """What the gateway sends for a signed value: its unsigned 16-bit form."""
    return value & 0xFFFF


# A winter evening, compressor heating, valve on the radiators (values as sent).
_COMMON: dict[str, int] = {
    "0001": 312,  # radiator return 31.2
    "0002": 358,  # radiator forward 35.8
    "0003": 309,  # heat carrier return 30.9
    "0004": 352,  # heat carrier forward 35.2
    "0005": 21,  # brine in 2.1
    "0006": u16(-12),  # brine out -1.2
    "0007": 0xFFCE,  # outdoor: 0xFFCE -> -50 -> -5.0 °C
    "0008": 214,  # indoor 21.4
    "0009": 498,  # hot water top 49.8
    "000A": 472,  # hot water mid 47.2
    "000B": 842,  # hot gas 84.2
    "0107": 365,  # calculated heating setpoint 36.5
    "0111": 530,
    "0203": 210,  # room setpoint 21.0
    "0208": 530,  # hot water stop 53.0
    "020A": 170,
    "020B": 50,
    "1215": 1,
    "1233": 0,
    "1A01": 1,  # compressor on
    "1A02": 0,
    "1A03": 0,
    "1A04": 1,
    "1A05": 1,  # heat carrier pump on
    "1A06": 1,
    "1A07": 0,  # switch valve: heating
    "2204": 20,
    "0205": 45,  # heating curve 4.5
    "2210": 0,
    "3104": 0,
    "6209": 0,
    "BA91": 0,
    "CFAA": 2150,  # power consumption 2150 W
}

_BRAND_SPECIFIC: dict[str, dict[str, int]] = {
    "thermia": {
        "000C": u16(-35),
        "000D": 298,
        "0011": 0,
        "0020": 0,
        "0022": 0,
        "0212": 450,
        "1A08": 0,
        "1A20": 0,
        "2201": 3,
        "0206": 0,
        "4101": 68,
        "4102": 71,
        "4103": 64,
        "6C60": 187345,  # 32-bit counter: 18734.5 h
        "6C63": 4210,
        "6C64": 30211,
        "8105": u16(-120),
        "BC61": 10452,
    },
    "ivt": {
        "0008": u16(-483),  # no room sensor: the Rego reports -48.3
        "000E": u16(-483),
        "1A09": 0,
        "1A0A": 0,
        "1A0B": 0,
        "1A0C": 0,
        "1A0D": 1,
        "1A20": 0,
        "6C55": 98213,
        "6C56": 107260,
        "6C58": 11930,
        "6C59": 2020,
    },
    "nibe": {
        "000C": u16(-41),
        "000D": 305,
        "0020": 0,
        "0212": 450,
        "1A20": 0,
        "0206": u16(-10),
        "4101": 92,
        "4102": 88,
        "4103": 95,
        "6C60": 143020,
        "6C64": 25010,
        "8105": u16(-230),
        "BC61": 8412,
    },
}

# An id no brand table knows (unknown-id logging tests).
UNKNOWN_ID = "0031"
TARGET_SIZE = 100


def recorded_alldata(brand: str) -> dict[str, int]:
    """The brand's recorded-style /api/alldata payload (raw values, ~100 ids).

    Besides the mapped registers it carries ids no table knows (internal
    sensors, spare outputs, service parameters), as real gateways do.
    """
    data = {**_COMMON, **_BRAND_SPECIFIC[brand]}
    data[UNKNOWN_ID] = 0
    fillers = (
        [(f"00{i:02X}", 200 + i) for i in range(0x30, 0x40)]
        + [(f"1A{i:02X}", i % 2) for i in range(0x10, 0x1F)]
        + [(f"22{i:02X}", 10 * i) for i in range(0x30, 0x50)]
        + [(f"BC{i:02X}", 1000 + i) for i in range(0x70, 0x90)]
    )
    for reg_id, value in fillers:
        if len(data) >= TARGET_SIZE:
            break
        data.setdefault(reg_id, value)
    return data


class H66Simulator(HttpDeviceSimulator):
    """The gateway; `async with H66Simulator("nibe") as sim: sim.host`."""

    def __init__(self, brand: str = "thermia", data: dict[str, object] | None = None) -> None:
        """Serve `data` (default: the brand's recorded payload)."""
        super().__init__()
        self.brand = brand
        self.data: dict[str, object] = dict(data if data is not None else recorded_alldata(brand))
        self.mode: Mode = "ok"
        self.requests = 0
        self.slow_seconds = 30.0

    def set_signed(self, reg_id: str, value: int) -> None:
        """Store a signed value the way the gateway sends it (unsigned 16-bit)."""
        self.data[reg_id] = u16(value)

    async def _alldata(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        body = json.dumps(self.data)
        match self.mode:
            case "http500":
                return web.Response(status=500, text="Internal Server Error")
            case "garbage":
                return web.Response(body=b"\x00\xff<html>oops", content_type="application/json")
            case "truncated":
                return web.Response(text=body[: len(body) // 2], content_type="application/json")
            case "not_object":
                return web.Response(text="[1, 2, 3]", content_type="application/json")
            case "not_found":
                return web.Response(status=404, text="Not Found")
            case "html":
                return web.Response(
                    text="<!DOCTYPE html><html><body>Router login</body></html>",
                    content_type="text/html",
                )
            case "foreign_json":
                return web.Response(
                    text='{"status": "ok", "uptime": 1234}', content_type="application/json"
                )
            case "slow":
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._release.wait(), self.slow_seconds)
        return web.Response(text=body, content_type="application/json")

    def routes(self, app: web.Application) -> None:
        """The device's endpoint."""
        app.router.add_get("/api/alldata", self._alldata)
