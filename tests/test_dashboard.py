"""The dashboard strategy's view: built from the registry; nothing of ours writes Lovelace."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats.const import (
    CONF_METER,
    CONF_NAME,
    CONF_SOURCE,
    DOMAIN,
    METER_NONE,
    SOURCE_DEMO,
)
from custom_components.heatpump_stats.daily_cop import daily_cop_statistic_id
from custom_components.heatpump_stats.dashboard import build_dashboard
from custom_components.heatpump_stats.sensor_descriptions import ELECTRICITY_KEYS

from .common import entity_id

PACKAGE = Path(__file__).parent.parent / "custom_components" / "heatpump_stats"


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


def _cards(config: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every card of the dashboard, nested ones included."""
    stack: list[Any] = [
        card
        for view in config["views"]
        for section in view.get("sections", [])
        for card in section["cards"]
    ]
    while stack:
        card = stack.pop()
        yield card
        stack.extend(card.get("cards", []))


def _entity_ids(card: dict[str, Any]) -> list[str]:
    ids = [card["entity"]] if "entity" in card else []
    for item in card.get("entities", []):
        ids.append(item if isinstance(item, str) else item["entity"])
    return ids


def _cards_of(config: dict[str, Any], card_type: str) -> list[dict[str, Any]]:
    return [card for card in _cards(config) if card["type"] == card_type]


async def test_build_dashboard_uses_existing_entities(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """Every referenced entity exists and belongs to the entry; all card kinds are there."""
    await _setup(hass, demo_entry)
    config = build_dashboard(hass, demo_entry)

    assert config["title"] == "Test heat pump"
    own = {
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), demo_entry.entry_id)
    }
    referenced = [eid for card in _cards(config) for eid in _entity_ids(card)]
    assert referenced
    statistic = daily_cop_statistic_id(demo_entry.unique_id)
    for eid in referenced:
        assert eid in own or eid == statistic, eid
        assert eid == statistic or hass.states.get(eid) is not None, eid

    types = {card["type"] for card in _cards(config)}
    assert {"heading", "tile", "history-graph", "statistics-graph", "logbook"} <= types

    tiles = {card["entity"] for card in _cards_of(config, "tile")}
    for key in ("operating_mode", "cop", "thermal_power", "electrical_power"):
        assert entity_id(hass, key) in tiles, key
    for key in ("outside_temperature", "flow_temperature", "return_temperature"):
        assert entity_id(hass, key) in tiles, key

    daily = [
        card
        for card in _cards_of(config, "statistics-graph")
        if card["period"] == "day" and card["stat_types"] == ["change"]
    ]
    daily_ids = {eid for card in daily for eid in _entity_ids(card)}
    assert entity_id(hass, "electrical_energy") in daily_ids
    assert entity_id(hass, "thermal_energy") in daily_ids
    # The daily COP bars read the day's heat ÷ electricity (one row a day), not the
    # daily mean of the sensor's running ratio (issue 13).
    cop_stats = [
        card
        for card in _cards_of(config, "statistics-graph")
        if daily_cop_statistic_id(demo_entry.unique_id) in _entity_ids(card)
    ]
    assert cop_stats
    assert all(card["period"] == "day" and card["stat_types"] == ["mean"] for card in cop_stats)
    assert not any(
        entity_id(hass, "daily_cop") in _entity_ids(card)
        for card in _cards_of(config, "statistics-graph")
    )
    outside_stats = [
        card
        for card in _cards_of(config, "statistics-graph")
        if entity_id(hass, "outside_temperature") in _entity_ids(card)
    ]
    assert outside_stats

    history = {eid for card in _cards_of(config, "history-graph") for eid in _entity_ids(card)}
    for key in ("flow_temperature", "return_temperature", "outside_temperature", "cop"):
        assert entity_id(hass, key) in history, key

    # The change log and the COP curve cover the same hours, side by side.
    (logbook,) = _cards_of(config, "logbook")
    assert logbook["entities"] == [entity_id(hass, "config_change", "event")]
    cop_graph = next(
        card
        for card in _cards_of(config, "history-graph")
        if entity_id(hass, "cop") in _entity_ids(card)
    )
    assert cop_graph["hours_to_show"] == logbook["hours_to_show"]
    changes = next(
        section
        for section in config["views"][0]["sections"]
        if logbook in section["cards"] and cop_graph in section["cards"]
    )
    assert changes["column_span"] == 2
    tile_ids = {card["entity"] for card in _cards_of(config, "tile")}
    assert entity_id(hass, "last_config_change") in tile_ids


async def test_build_dashboard_leaves_out_missing_entities(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A disabled or removed entity gets no card; a card keeps its other entities."""
    await _setup(hass, demo_entry)
    registry = er.async_get(hass)
    daily_cop = entity_id(hass, "daily_cop")
    dhw = entity_id(hass, "dhw_temperature")
    registry.async_update_entity(dhw, disabled_by=er.RegistryEntryDisabler.USER)
    registry.async_remove(daily_cop)
    await hass.async_block_till_done()

    config = build_dashboard(hass, demo_entry)
    referenced = {eid for card in _cards(config) for eid in _entity_ids(card)}
    assert daily_cop not in referenced
    assert dhw not in referenced
    assert entity_id(hass, "cop") in referenced
    # The daily COP graph had only that entity: it is gone, the others stay.
    assert all(
        card["stat_types"] != ["mean"] or card["period"] != "day"
        for card in _cards_of(config, "statistics-graph")
        if entity_id(hass, "outside_temperature") not in _entity_ids(card)
    )
    for eid in referenced:
        assert ":" in eid or hass.states.get(eid) is not None, eid


async def test_build_dashboard_without_entities(hass: HomeAssistant) -> None:
    """An entry without entities gets a view without sections."""
    entry = MockConfigEntry(domain=DOMAIN, title="Nothing", unique_id="nothing", data={})
    entry.add_to_hass(hass)
    config = build_dashboard(hass, entry)
    assert config["views"][0]["sections"] == []


async def test_no_meter_entry_has_no_electricity_entities_or_tiles(hass: HomeAssistant) -> None:
    """Meter "none": no input for electricity, so none of its figures exist (they would read
    0.0 kWh, as if the heat pump used nothing) and the dashboard shows none of them."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="No meter",
        unique_id="demo_no_meter",
        data={CONF_SOURCE: SOURCE_DEMO, CONF_NAME: "No meter", CONF_METER: METER_NONE},
        options={},
    )
    await _setup(hass, entry)
    registry = er.async_get(hass)
    keys = {
        e.unique_id.removeprefix("demo_no_meter_")
        for e in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    assert "thermal_energy" in keys  # the heat figures are there
    assert keys.isdisjoint(ELECTRICITY_KEYS), keys & ELECTRICITY_KEYS
    config = build_dashboard(hass, entry)
    referenced = {eid for card in _cards(config) for eid in _entity_ids(card)}
    assert referenced
    assert not any(
        eid.endswith(("_electrical_power", "_electrical_energy", "_cop", "_energy_today"))
        for eid in referenced
    ), referenced


def test_nothing_imports_lovelace() -> None:
    """No module of ours imports Home Assistant's lovelace integration (its storage is private):
    the dashboard is the strategy `custom:heatpump-stats`, which the frontend runs."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            if any(n.startswith("homeassistant.components.lovelace") for n in names):
                offenders.append(path.name)
    assert offenders == []
