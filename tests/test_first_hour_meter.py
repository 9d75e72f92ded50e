"""A meter can be added, changed and removed later, for every source (issue 13).

"Buying a Shelly must not mean deleting the entry and its history": Reconfigure offers the
electricity meter for each source (the demo goes straight to it), keeps the entry (same id
and unique id) and swaps only the meter's fields. That the counters continue without a
jump is test_statistics' `test_switching_the_meter_books_no_jump_in_statistics`.

A Shelly that needs a password, when none is given, says so on the password field (not
"wrong password"), against the Shelly simulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats.const import DOMAIN

from .simulators.shelly_server import ShellyPro3EMSimulator
from .test_sources_ha import _flow

# Nothing listens on port 1 of 127.0.0.1: a device form's probe is refused at once.
CLOSED = 1
ENTITIES = {
    "outside_temperature": "sensor.esp_outside",
    "flow_temperature": "sensor.esp_flow",
    "return_temperature": "sensor.esp_return",
}
SOURCES: dict[str, dict[str, Any]] = {
    "demo": {"source": "demo", "name": "Garden HP"},
    "luxtronik": {"source": "luxtronik", "host": "127.0.0.1", "port": CLOSED},
    "modbus": {
        "source": "modbus",
        "connection": "tcp",
        "host": "127.0.0.1",
        "port": CLOSED,
        "unit_id": 1,
        "model": "stiebel_eltron_isg",
    },
    "h66": {"source": "h66", "host": f"127.0.0.1:{CLOSED}", "brand": "thermia"},
    "entities": {"source": "entities", **ENTITIES},
    "viessmann": {
        "source": "viessmann",
        "auth_implementation": DOMAIN,
        "token": {"access_token": "a", "refresh_token": "r", "expires_at": 0},
        "device": "0",
    },
}


@pytest.fixture
def mock_unload_entry() -> Iterator[None]:
    """The entries here are never set up (`mock_setup_entry`): their reload unloads nothing."""
    with patch("custom_components.heatpump_stats.async_unload_entry", return_value=True):
        yield


@pytest.mark.usefixtures("mock_setup_entry", "mock_unload_entry", "socket_enabled")
@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize(
    ("before", "after"),
    [
        ({"meter": "none"}, {"meter": "entity", "energy_entity": "sensor.meter_energy"}),
        ({"meter": "entity", "energy_entity": "sensor.meter_energy"}, {"meter": "none"}),
    ],
    ids=["add-a-meter", "remove-the-meter"],
)
async def test_every_source_reconfigures_its_meter_and_keeps_the_entry(
    hass: HomeAssistant,
    source: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    hass.states.async_set(
        "sensor.meter_energy", "1500", {"unit_of_measurement": "kWh", "device_class": "energy"}
    )
    data = {**SOURCES[source], **before}
    entry = MockConfigEntry(
        domain=DOMAIN, title="Heat pump", unique_id=f"{source}_unique", data=data
    )
    entry.add_to_hass(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    if source == "demo":
        assert result["step_id"] == "meter"  # no connection settings: the meter at once
    else:
        assert result["type"] is FlowResultType.MENU
        assert result["menu_options"] == ["source_settings", "reconfigure_meter"]
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": "reconfigure_meter"}
        )
    assert result["step_id"] == "meter"
    schema = result["data_schema"].schema
    (meter_key,) = schema
    options = schema[meter_key].config["options"]
    assert {"shelly_pro_3em", "entity", "none"} <= set(options)
    assert meter_key.default() == before["meter"]  # pre-filled: the current meter
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"meter": after["meter"]}
    )
    if after["meter"] == "entity":
        assert result["step_id"] == "entity"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"energy_entity": after["energy_entity"]}
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    # The same entry (its id carries the history and the stored counters), its source
    # untouched, only the meter's fields swapped.
    assert hass.config_entries.async_get_entry(entry.entry_id) is entry
    assert entry.unique_id == f"{source}_unique"
    assert {k: entry.data[k] for k in SOURCES[source]} == SOURCES[source]
    assert entry.data["meter"] == after["meter"]
    assert entry.data.get("energy_entity") == after.get("energy_entity")


@pytest.mark.usefixtures("socket_enabled")
async def test_shelly_needing_a_password_says_so_when_none_is_given(
    hass: HomeAssistant, mock_setup_entry: AsyncMock
) -> None:
    """No password for a Shelly with authentication on: `auth_required` on the password
    field, in words in both languages; a wrong one is `invalid_auth`; the right one works."""
    async with ShellyPro3EMSimulator(password="secret") as shelly:
        steps = ({"source": "demo"}, {"name": "Shelly test"}, {"meter": "shelly_pro_3em"})
        result = await _flow(hass, *steps, {"shelly_host": shelly.host})
        assert result["step_id"] == "shelly_pro_3em"
        assert result["errors"] == {"shelly_password": "auth_required"}
        # The same form again: a wrong password is a different message.
        result = await hass.config_entries.flow.async_configure(
            str(result["flow_id"]), {"shelly_host": shelly.host, "shelly_password": "wrong"}
        )
        assert result["errors"] == {"shelly_password": "invalid_auth"}
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"shelly_host": shelly.host, "shelly_password": "secret"}
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
    for language in ("en", "de"):
        translations = await async_get_translations(hass, language, "config", [DOMAIN])
        text = translations[f"component.{DOMAIN}.config.error.auth_required"]
        assert "password" in text.casefold() or "passwort" in text.casefold(), text
    assert mock_setup_entry.call_count == 1
