"""Helpers for the Home Assistant level tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.heatpump_stats.const import DOMAIN


async def setup_integration(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add `entry` to Home Assistant and set it up (HA core's `setup_integration`)."""
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float, step: float = 30
) -> None:
    """Move time forward in poll-sized steps, letting every scheduled poll run."""
    remaining = seconds
    while remaining > 0:
        tick = min(step, remaining)
        freezer.tick(timedelta(seconds=tick))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        remaining -= tick


def state_float(hass: HomeAssistant, entity_id: str) -> float:
    """The numeric state of an entity (fails the test when it is not a number)."""
    state = hass.states.get(entity_id)
    assert state is not None, f"{entity_id} does not exist"
    return float(state.state)


def entity_id(hass: HomeAssistant, key: str, platform: str = "sensor") -> str:
    """The entity id of the contract key `key` of the test entry (looked up by unique id)."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"demo_test_heat_pump_{key}")
    assert found is not None, f"no {platform} entity for key {key}"
    return found


def value(hass: HomeAssistant, key: str) -> float:
    """The numeric state of the test entry's sensor `key`."""
    return state_float(hass, entity_id(hass, key))


def snapshot_entities(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    config_entry_id: str,
) -> None:
    """HA core's `snapshot_platform` for every platform of one entry, disabled entities included.

    Each registry entry is snapshotted (so `disabled_by` of the raw values is part of it);
    each enabled entity's state too, and a disabled one must have no state. Entries are
    taken in entity-id order, so the platforms' setup order does not matter.
    """
    entries = sorted(
        er.async_entries_for_config_entry(entity_registry, config_entry_id),
        key=lambda entry: entry.entity_id,
    )
    assert entries
    for entry in entries:
        assert entry == snapshot(name=f"{entry.entity_id}-entry")
        state = hass.states.get(entry.entity_id)
        if entry.disabled_by is not None:
            assert state is None, f"{entry.entity_id} is disabled but has a state"
            continue
        assert state is not None, f"state not found for {entry.entity_id}"
        assert state == snapshot(name=f"{entry.entity_id}-state")


async def call_service(hass: HomeAssistant, service: str, **data: Any) -> dict[str, Any]:
    """Call one of our services with `data` and return its response (a dict)."""
    response = await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


def shelly_demo_entry(name: str, shelly_host: str, password: str = "") -> MockConfigEntry:
    """A demo heat pump metered by a Shelly Pro 3EM at `shelly_host` (not yet added)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=name,
        unique_id=f"demo_{slugify(name)}",
        data={
            "source": "demo",
            "name": name,
            "meter": "shelly_pro_3em",
            "shelly_host": shelly_host,
            "shelly_password": password,
        },
    )


def reauth_flow_id(hass: HomeAssistant) -> str:
    """The one reauth flow in progress (fails the test unless there is exactly one)."""
    flows = [
        flow
        for flow in hass.config_entries.flow.async_progress()
        if flow["context"].get("source") == "reauth"
    ]
    assert len(flows) == 1, flows
    return flows[0]["flow_id"]
