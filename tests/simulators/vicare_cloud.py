"""A stand-in for the Viessmann cloud: recorded PyViCare-format JSON served by URL.

The Viessmann cloud is the one thing the tests cannot run, so this replaces
the HTTP session under PyViCare's OAuth manager: PyViCare itself, our budget
and our mapping all run for real. It records every request that reaches it.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

from PyViCare.PyViCareAbstractOAuthManager import API_BASE_URL
import requests

from custom_components.heatpump_stats.sources.viessmann import ViessmannDevice

FIXTURES = Path(__file__).parent.parent / "fixtures" / "vicare"
INSTALLATIONS_URL = "/equipment/installations?includeGateways=true"
FEATURES_URL = "/features/installations/1234567/gateways/7736172201234567/devices/0/features/"
# PyViCare's gateway-wide bulk endpoint: every device behind the gateway in one answer.
BULK_URL = (
    "/features/installations/1234567/gateways/7736172201234567/features?includeDevicesFeatures=true"
)
# The recorded account's heat pump (installations.json): the device the tests poll.
HEAT_PUMP = ViessmannDevice(
    installation_id=1234567,
    gateway_serial="7736172201234567",
    device_id="0",
    model="CU401B_G",
    roles=("type:heatpump", "type:legacy", "type:product;CU401B"),
    status="Online",
)


def heat_pump(device_id: str, gateway_serial: str = HEAT_PUMP.gateway_serial) -> ViessmannDevice:
    """Another heat pump of the account: `HEAT_PUMP` with its own device id (and gateway)."""
    return dataclasses.replace(HEAT_PUMP, device_id=device_id, gateway_serial=gateway_serial)


def device_features_url(device_id: str) -> str:
    """The per-device features endpoint of the fixtures' gateway."""
    return FEATURES_URL.replace("/devices/0/", f"/devices/{device_id}/")


def device_features(device_id: str) -> dict[str, Any]:
    """The Vitocal's features as device `device_id` of the gateway would report them."""
    data = load("vitocal.json")
    for feature in data["data"]:
        feature["deviceId"] = device_id
        feature["uri"] = feature["uri"].replace("/devices/0/", f"/devices/{device_id}/")
    return data


def bulk_features(device_ids: list[str]) -> dict[str, Any]:
    """The bulk answer: the gateway's own feature plus every device's features."""
    gateway = {
        "feature": "gateway.wifi",
        "gatewayId": "7736172201234567",
        "properties": {"strength": {"type": "number", "unit": "", "value": -50}},
        "uri": "https://api.viessmann-climatesolutions.com/iot/v2/features/installations/"
        "1234567/gateways/7736172201234567/features/gateway.wifi",
    }
    features: list[dict[str, Any]] = [gateway]
    for device_id in device_ids:
        features.extend(device_features(device_id)["data"])
    return {"data": features}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------
# The fake cloud
# ---------------------------------------------------------------------------
class FakeResponse:
    def __init__(self, payload: Any, status: int = 200, content_type: str = "application/json"):
        self.payload = payload
        self.status_code = status
        self.headers = {"content-type": content_type}

    def json(self) -> Any:
        if isinstance(self.payload, str):
            raise requests.exceptions.JSONDecodeError("Expecting value", self.payload, 0)
        return copy.deepcopy(self.payload)


class FakeCloud:
    """Stands in for the HTTP session: answers by URL, records what reaches it."""

    def __init__(self) -> None:
        self.routes: dict[str, list[FakeResponse | Exception]] = {}
        self.requests: list[str] = []

    def answer(self, path: str, *answers: FakeResponse | Exception) -> None:
        """Queue answers for `path`; the last one repeats."""
        self.routes[path] = list(answers)

    def get(self, url: str, timeout: float | None = None, **kwargs: Any) -> FakeResponse:
        self.requests.append(url)
        path = url.removeprefix(API_BASE_URL)
        queue = self.routes[path]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def count(self, path: str) -> int:
        return self.requests.count(API_BASE_URL + path)

    # requests.Session-like attributes the OAuth managers touch.
    headers: dict[str, str]


def recorded_cloud() -> FakeCloud:
    """The account of the fixtures: installations and the Vitocal's features."""
    cloud = FakeCloud()
    cloud.headers = {}
    cloud.answer(INSTALLATIONS_URL, FakeResponse(load("installations.json")))
    cloud.answer(FEATURES_URL, FakeResponse(load("vitocal.json")))
    for device_id in ("1", "2"):
        cloud.answer(device_features_url(device_id), FakeResponse(device_features(device_id)))
    cloud.answer(BULK_URL, FakeResponse(bulk_features(["0", "1", "2"])))
    return cloud
