"""Snapshots of every source's entities: registry entries and states right after setup.

One test per source, each at a frozen time against the device simulators of
tests/simulators (fixed data), so the snapshot is the same on every run. The
snapshots hold the public face of an entry: entity ids, unique ids, names,
translation keys, device/state classes, units, which raw values are disabled by
default, and the first states. They replace hand-written tables of the same
(the demo's classes and units used to be a table in test_sensor.py); physics is
checked with known answers elsewhere (test_sensor.py, test_sources_ha.py).

Regenerate after an intended change of entities with
`.venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update` and review
the diff of tests/snapshots/test_snapshots.ambr.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.heatpump_stats.const import DOMAIN

from .common import setup_integration, snapshot_entities
from .simulators.espaltherma import ESPALTHERMA_FIELDS, set_espaltherma_states
from .simulators.h66_server import H66Simulator
from .simulators.luxtronik_server import LuxtronikSimulator
from .simulators.modbus_server import ModbusSimulator, isg_tables
from .simulators.shelly_server import ShellyPro3EMSimulator

# The Viessmann tests' fake cloud and application credentials, as fixtures of this module.
from .test_viessmann import (  # noqa: F401
    _entry as viessmann_entry,
    cloud,
    credentials,
)

# A cold January morning (the time test_sensor.py's demo tests start at).
FROZEN = "2026-01-15T05:00:00+00:00"

pytestmark = [pytest.mark.freeze_time(FROZEN), pytest.mark.usefixtures("socket_enabled")]


async def _snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    entry: MockConfigEntry,
) -> None:
    """Set `entry` up, snapshot its entities, unload it (before its simulator stops)."""
    await setup_integration(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    snapshot_entities(hass, entity_registry, snapshot, entry.entry_id)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_demo(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    """The demo heat pump with its own counter as the meter."""
    snapshot_entities(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_luxtronik(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    luxtronik: LuxtronikSimulator,
) -> None:
    """A Luxtronik 2 (no electricity, no meter): raw values disabled by default."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Luxtronik L2A",
        unique_id="luxtronik_1905_2a3b",
        data={"source": "luxtronik", "host": "127.0.0.1", "port": luxtronik.port, "meter": "none"},
    )
    await _snapshot(hass, entity_registry, snapshot, entry)


async def test_modbus_isg(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, snapshot: SnapshotAssertion
) -> None:
    """The Stiebel Eltron ISG register map over Modbus TCP, its own counters as the meter."""
    inputs, holding = isg_tables()
    async with ModbusSimulator(inputs, holding) as sim:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Stiebel Eltron WPM (ISG)",
            # The flow's unique id names the address, whose port changes per run.
            unique_id="modbus_isg_snapshot_1",
            data={
                "source": "modbus",
                "connection": "tcp",
                "host": "127.0.0.1",
                "port": sim.port,
                "unit_id": 1,
                "model": "stiebel_eltron_isg",
                "register_map": "",
                "meter": "source",
            },
        )
        await _snapshot(hass, entity_registry, snapshot, entry)


async def test_h66(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, snapshot: SnapshotAssertion
) -> None:
    """A Thermia behind the Husdata H66 gateway, no meter."""
    async with H66Simulator("thermia") as sim:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Thermia heat pump (H66)",
            unique_id="h66_snapshot",
            data={"source": "h66", "host": sim.host, "brand": "thermia", "meter": "none"},
        )
        await _snapshot(hass, entity_registry, snapshot, entry)


async def test_entities(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, snapshot: SnapshotAssertion
) -> None:
    """ESPAltherma-style entities (string states, a kW power, m³/h flow) as the source."""
    set_espaltherma_states(hass)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Heat pump (esp_leaving_water)",
        unique_id="entities_sensor_esp_leaving_water",
        data={
            "source": "entities",
            **ESPALTHERMA_FIELDS,
            "meter": "source",
        },
    )
    await _snapshot(hass, entity_registry, snapshot, entry)


@pytest.mark.usefixtures("cloud", "credentials")
async def test_viessmann(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, snapshot: SnapshotAssertion
) -> None:
    """A Vitocal behind the fake Viessmann cloud (the recorded fixtures of tests/fixtures)."""
    await _snapshot(hass, entity_registry, snapshot, viessmann_entry())


async def test_shelly_meter(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, snapshot: SnapshotAssertion
) -> None:
    """The demo heat pump metered by a Shelly Pro 3EM: per-phase values disabled by default."""
    async with ShellyPro3EMSimulator() as shelly:
        entry = MockConfigEntry(
            domain=DOMAIN,
            title="Shelly HP",
            unique_id="demo_shelly_hp",
            data={
                "source": "demo",
                "name": "Shelly HP",
                "meter": "shelly_pro_3em",
                "shelly_host": shelly.host,
                "shelly_password": "",
            },
        )
        await _snapshot(hass, entity_registry, snapshot, entry)
