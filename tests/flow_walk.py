"""Walk config, options, reconfigure and reauth forms exactly as Home Assistant's frontend does.

The frontend never calls `flow.async_configure` with hand-made dicts. It gets
each step over HTTP with the schema serialized (`probatio.to_field_list` with
`cv.custom_serializer`, voluptuous_serialize's successor in HA 2026.10), fills
every field with `computeInitialHaFormData`, lets the user change some fields,
refuses to submit while a required field is empty, drops fields whose value is
`undefined` or `""` and POSTs the rest as JSON. `FrontendFlow` does the same,
through the real views (`/api/config/config_entries/flow`,
`/api/config/config_entries/options/flow`), so a default of the wrong type
(an int for a select of strings) fails here with the frontend's HTTP 400.

The initial values follow the frontend's `compute-initial-ha-form-data.ts`
(hass_frontend 20260930): `suggested_value` (unless null), else `default`,
else for a required field the selector's initial value (select: its first
option, number: its min or 0, boolean: false, text/entity: "", time: 00:00:00).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.heatpump_stats.const import DOMAIN

_CONFIG = "/api/config/config_entries/flow"
_OPTIONS = "/api/config/config_entries/options/flow"


def _selector_initial(selector: Mapping[str, Any]) -> Any:
    """The frontend's initial value of a required field without default."""
    kind, config = next(iter(selector.items()))
    config = config or {}
    if kind == "select":
        options = config.get("options") or []
        if not options:
            return None
        first = options[0]
        value = first if isinstance(first, str) else first["value"]
        return [value] if config.get("multiple") else value
    if kind == "number":
        return config.get("min", 0)
    if kind == "boolean":
        return False
    if kind in ("text", "entity", "device", "area", "template", "icon", "file"):
        return [] if config.get("multiple") else ""
    if kind == "time":
        return "00:00:00"
    return None


def initial_form_data(schema: list[dict[str, Any]]) -> dict[str, Any]:
    """`computeInitialHaFormData` of the frontend, for one serialized schema."""
    data: dict[str, Any] = {}
    for field in schema:
        suggested = (field.get("description") or {}).get("suggested_value")
        if suggested is not None:
            data[field["name"]] = suggested
        elif "default" in field:
            data[field["name"]] = field["default"]
        elif field.get("required") and "selector" in field:
            value = _selector_initial(field["selector"])
            if value is not None:
                data[field["name"]] = value
    return data


def _empty(value: Any) -> bool:
    return value is None or value in ("", [])


class FrontendFlow:
    """One flow driven over HTTP like the browser drives it."""

    def __init__(self, client: Any, base: str) -> None:
        """Use the authenticated admin `client` and the flow view at `base`."""
        self._client = client
        self._base = base
        self.result: dict[str, Any] = {}

    @property
    def step_id(self) -> str | None:
        """The step shown now."""
        return self.result.get("step_id")

    @property
    def errors(self) -> dict[str, str]:
        """The errors shown on the current form."""
        return dict(self.result.get("errors") or {})

    def field(self, name: str) -> dict[str, Any]:
        """The serialized field `name` of the current form."""
        for field in self.result["data_schema"]:
            if field["name"] == name:
                return dict(field)
        raise AssertionError(f"no field {name} on step {self.step_id}: {self.result}")

    def field_names(self) -> list[str]:
        """The names of the current form's fields, in order."""
        return [field["name"] for field in self.result.get("data_schema") or []]

    async def _post(self, url: str, payload: Mapping[str, Any]) -> dict[str, Any]:
        response = await self._client.post(url, json=dict(payload))
        text = await response.text()
        assert response.status == HTTPStatus.OK, (
            f"HTTP {response.status} on step {self.step_id}: {text} (sent {payload})"
        )
        self.result = await response.json()
        return self.result

    async def start(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """Open the flow (the "Add integration" or "Configure" button)."""
        return await self._post(self._base, payload)

    async def resume(self, flow_id: str) -> dict[str, Any]:
        """Open a flow Home Assistant started (reauth), as the notification's button does."""
        response = await self._client.get(f"{self._base}/{flow_id}")
        assert response.status == HTTPStatus.OK, await response.text()
        self.result = await response.json()
        return self.result

    def prefilled(self) -> dict[str, Any]:
        """The values the form opens with (what the user sees before typing)."""
        schema = self.result.get("data_schema") or []
        return {k: v for k, v in initial_form_data(schema).items() if not _empty(v)}

    def form_data(self, typed: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What the browser would send: pre-filled values, then what the user typed."""
        assert self.result.get("type") == "form", f"not a form: {self.result}"
        schema = self.result.get("data_schema") or []
        data = initial_form_data(schema)
        names = {field["name"] for field in schema}
        for key, value in (typed or {}).items():
            assert key in names, f"step {self.step_id} has no field {key} (fields: {names})"
            data[key] = value
        for field in schema:
            if field.get("required"):
                assert not _empty(data.get(field["name"])), (
                    f"the frontend refuses to submit {self.step_id}: "
                    f"required field {field['name']} is empty"
                )
        return {key: value for key, value in data.items() if not _empty(value)}

    async def submit(self, typed: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Submit the current form with its defaults and what the user typed."""
        return await self._post(f"{self._base}/{self.result['flow_id']}", self.form_data(typed))

    async def choose(self, option: str) -> dict[str, Any]:
        """Click a menu option."""
        assert self.result.get("type") == "menu", f"not a menu: {self.result}"
        assert option in self.result["menu_options"], self.result["menu_options"]
        return await self._post(f"{self._base}/{self.result['flow_id']}", {"next_step_id": option})


async def frontend(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, kind: str = "config"
) -> FrontendFlow:
    """A FrontendFlow for config flows (`config`) or options flows (`options`)."""
    # Everything that registers HTTP views must be set up before the client
    # freezes the router (the flow needs application_credentials for Viessmann).
    assert await async_setup_component(hass, "config", {})
    assert await async_setup_component(hass, "application_credentials", {})
    client = await hass_client()
    return FrontendFlow(client, _CONFIG if kind == "config" else _OPTIONS)


async def start_user(flow: FrontendFlow) -> dict[str, Any]:
    """Add integration → Heat Pump Stats."""
    return await flow.start({"handler": DOMAIN, "show_advanced_options": False})


async def start_reconfigure(flow: FrontendFlow, entry_id: str) -> dict[str, Any]:
    """The entry's ⋮ → Reconfigure."""
    return await flow.start({"handler": DOMAIN, "entry_id": entry_id})


async def start_options(flow: FrontendFlow, entry_id: str) -> dict[str, Any]:
    """The entry's Configure button."""
    return await flow.start({"handler": entry_id, "show_advanced_options": False})
