"""Diagnostics."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.heatpump_stats.const import DOMAIN

from .simulators.shelly_server import ShellyPro3EMSimulator


async def test_diagnostics_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    demo_entry: MockConfigEntry,
) -> None:
    """Diagnostics carry the reading, metrics and engine state; identifiers are redacted."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    diag = await get_diagnostics_for_config_entry(hass, hass_client, demo_entry)
    assert diag["entry"]["data"]["source"] == "demo"
    assert diag["entry"]["unique_id"] == "**REDACTED**"
    assert diag["device"]["serial_number"] == "**REDACTED**"
    assert diag["device"]["manufacturer"] == "Heat Pump Stats"
    assert diag["heat_pump"]["last_update_success"] is True
    assert diag["heat_pump"]["reading"]["flow_temperature"] is not None
    assert "cop" in diag["metrics"]
    assert "truth" in diag["heat_pump"]["raw"]
    assert isinstance(diag["engine"], dict)
    assert "DEMO-" not in str(diag)


@pytest.mark.usefixtures("socket_enabled")
async def test_diagnostics_redact_the_shelly_mac_everywhere_and_the_entry_name(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """The Shelly's MAC hides in ``auth_domain``; the entry name is its title (issue 13)."""
    async with ShellyPro3EMSimulator(password="secret") as shelly:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Villa Sonnenschein",
            unique_id="demo_villa_sonnenschein",
            data={
                "source": "demo",
                "name": "Villa Sonnenschein",
                "meter": "shelly_pro_3em",
                "shelly_host": shelly.host,
                "shelly_password": "secret",
            },
        )
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
        assert await hass.config_entries.async_unload(entry.entry_id)
    text = json.dumps(diag)
    mac = shelly.mac.lower()
    assert mac not in text.lower()
    assert "Villa Sonnenschein" not in text
    assert "secret" not in text
    assert diag["entry"]["data"]["name"] == "**REDACTED**"
    # What is not identifying stays readable.
    assert diag["entry"]["data"]["meter"] == "shelly_pro_3em"
    assert diag["meter"]["reading"]["power"] is not None
