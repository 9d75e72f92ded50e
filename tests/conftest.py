"""Fixtures shared by the Home Assistant level tests."""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# Import the project's custom_components package before the `hass` fixture
# runs; otherwise the name resolves to the test plugin's own testing_config
# and Home Assistant reports "Integration not found".
import custom_components  # noqa: F401
from custom_components.heatpump_stats.const import (
    CONF_METER,
    CONF_NAME,
    CONF_SOURCE,
    DOMAIN,
    METER_SOURCE,
    SOURCE_DEMO,
)


@pytest.fixture(autouse=True)
def recorder_before_hass(request: pytest.FixtureRequest) -> None:
    """A test that uses the recorder gets it set up before `hass` (as HA core's
    `recorder_mock` requires); the autouse fixtures below that need `hass` come after."""
    if "recorder_mock" in request.fixturenames:
        request.getfixturevalue("recorder_mock")


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_before_hass: None, enable_custom_integrations: None
) -> None:
    """Let Home Assistant load custom_components/heatpump_stats."""


@pytest.fixture(autouse=True)
def config_dir_in_tmp(recorder_before_hass: None, hass: HomeAssistant, tmp_path: Path) -> None:
    """Files the integration writes (the change-log database) go to a fresh folder."""
    hass.config.config_dir = str(tmp_path)


@pytest.fixture
def demo_entry() -> MockConfigEntry:
    """A demo heat pump entry whose meter is the heat pump's own counter."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Test heat pump",
        unique_id="demo_test_heat_pump",
        data={CONF_SOURCE: SOURCE_DEMO, CONF_NAME: "Test heat pump", CONF_METER: METER_SOURCE},
        options={},
    )
