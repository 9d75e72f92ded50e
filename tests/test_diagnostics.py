"""Diagnostics."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator


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
