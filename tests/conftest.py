"""Fixtures shared by the Home Assistant level tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
import logging
from pathlib import Path
from unittest.mock import AsyncMock, patch

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion

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

from .common import setup_integration
from .simulators.luxtronik_server import LuxtronikSimulator

# pytest-homeassistant-custom-component's plugin sets "sqlalchemy.engine" to INFO at import,
# which logs every SQL statement the recorder runs. The recorder's thread keeps writing while
# pytest has suspended its capture to print a test's progress, so those lines reach the
# terminal. WARNING keeps SQLAlchemy's warnings and errors (and the captured logs of a failing
# test still carry every HA logger at DEBUG).
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)


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
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Snapshots with HA's serializer (ids, contexts and times as ANY), in tests/snapshots/."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def mock_config_entry() -> MockConfigEntry:
    """A demo heat pump entry whose meter is the heat pump's own counter (not yet added)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Test heat pump",
        unique_id="demo_test_heat_pump",
        data={CONF_SOURCE: SOURCE_DEMO, CONF_NAME: "Test heat pump", CONF_METER: METER_SOURCE},
        options={},
    )


@pytest.fixture
def demo_entry(mock_config_entry: MockConfigEntry) -> MockConfigEntry:
    """The older name of `mock_config_entry` (the same entry within a test)."""
    return mock_config_entry


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> MockConfigEntry:
    """`mock_config_entry` added and set up (at the test's frozen time, if it has one)."""
    await setup_integration(hass, mock_config_entry)
    return mock_config_entry


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Entries a flow creates are not set up: for flow tests that check only the entry."""
    with patch(
        "custom_components.heatpump_stats.async_setup_entry", return_value=True
    ) as mock_setup:
        yield mock_setup


@pytest.fixture
async def luxtronik() -> AsyncIterator[LuxtronikSimulator]:
    """A simulated Luxtronik 2 controller on 127.0.0.1 (an ephemeral port)."""
    sim = LuxtronikSimulator()
    await sim.start()
    yield sim
    await sim.stop()
