"""The Lovelace dashboard: built from the registry, installed through lovelace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant, SupportsResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.heatpump_stats.const import (
    CONF_METER,
    CONF_NAME,
    CONF_SOURCE,
    DOMAIN,
    METER_NONE,
    SOURCE_DEMO,
)
from custom_components.heatpump_stats.dashboard import (
    async_build_dashboard,
    async_install_dashboard,
    build_dashboard,
    default_url_path,
)
from custom_components.heatpump_stats.dashboard_service import (
    INSTALL_DASHBOARD_SCHEMA,
    SERVICE_INSTALL_DASHBOARD,
    async_handle_install_dashboard,
)
from custom_components.heatpump_stats.sensor import ELECTRICITY_KEYS

from .common import entity_id, setup_integration

URL_PATH = "heat-pump-test-heat-pump"


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
    await setup_integration(hass, demo_entry)
    config = build_dashboard(hass, demo_entry)

    assert config["title"] == "Test heat pump"
    own = {
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), demo_entry.entry_id)
    }
    referenced = [eid for card in _cards(config) for eid in _entity_ids(card)]
    assert referenced
    for eid in referenced:
        assert eid in own, eid
        assert hass.states.get(eid) is not None, eid

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
    cop_stats = [
        card
        for card in _cards_of(config, "statistics-graph")
        if entity_id(hass, "daily_cop") in _entity_ids(card)
    ]
    assert cop_stats
    assert all(card["period"] == "day" for card in cop_stats)
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
    await setup_integration(hass, demo_entry)
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
        assert hass.states.get(eid) is not None, eid


async def test_build_dashboard_without_entities(hass: HomeAssistant) -> None:
    """An entry without entities gets a view without sections."""
    entry = MockConfigEntry(domain=DOMAIN, title="Nothing", unique_id="nothing", data={})
    entry.add_to_hass(hass)
    config = build_dashboard(hass, entry)
    assert config["views"][0]["sections"] == []


async def _lovelace_config(client: Any, url_path: str) -> dict[str, Any]:
    await client.send_json_auto_id({"type": "lovelace/config", "url_path": url_path})
    response = await client.receive_json()
    assert response["success"], response
    result: dict[str, Any] = response["result"]
    return result


async def _dashboards(client: Any) -> list[dict[str, Any]]:
    await client.send_json_auto_id({"type": "lovelace/dashboards/list"})
    response = await client.receive_json()
    assert response["success"], response
    return [d for d in response["result"] if d["url_path"].startswith("heat-pump")]


async def test_install_creates_then_updates(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """The dashboard is what lovelace serves; installing again updates it in place."""
    assert await async_setup_component(hass, "lovelace", {})
    await setup_integration(hass, demo_entry)
    assert default_url_path(demo_entry) == URL_PATH

    url_path = await async_install_dashboard(hass, demo_entry)
    assert url_path == URL_PATH
    client = await hass_ws_client(hass)
    served = await _lovelace_config(client, url_path)
    assert served["title"] == "Test heat pump"
    assert served == await async_build_dashboard(hass, demo_entry)
    # Multi-entity cards name entities by their short translated names.
    names = {
        item["entity"]: item.get("name")
        for card in _cards_of(served, "history-graph")
        for item in card["entities"]
    }
    assert names[entity_id(hass, "flow_temperature")] == "Flow temperature"
    headings = {card["heading"] for card in _cards_of(served, "heading")}
    assert {"Now", "Temperatures", "Energy per day", "Configuration changes and COP"} <= headings
    (dashboard,) = await _dashboards(client)
    assert dashboard["title"] == "Test heat pump"
    assert dashboard["icon"] == "mdi:heat-pump"
    assert dashboard["mode"] == "storage"
    assert dashboard["show_in_sidebar"] is True

    # A second install with another window and a renamed entry: same dashboard, updated.
    hass.config_entries.async_update_entry(demo_entry, title="Cellar heat pump")
    await hass.async_block_till_done()
    assert await async_install_dashboard(hass, demo_entry, url_path=URL_PATH, hours_to_show=6)
    (dashboard,) = await _dashboards(client)
    assert dashboard["title"] == "Cellar heat pump"
    served = await _lovelace_config(client, URL_PATH)
    assert served["title"] == "Cellar heat pump"
    assert {card["hours_to_show"] for card in _cards_of(served, "history-graph")} == {6}
    (logbook,) = _cards_of(served, "logbook")
    assert logbook["hours_to_show"] == 6

    # Unchanged: installing once more changes nothing and adds nothing.
    assert await async_install_dashboard(hass, demo_entry, url_path=URL_PATH, hours_to_show=6)
    assert len(await _dashboards(client)) == 1
    assert await _lovelace_config(client, URL_PATH) == served


async def test_install_service(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    """The service installs the dashboard and answers with its url path and config."""
    assert await async_setup_component(hass, "lovelace", {})
    await setup_integration(hass, demo_entry)
    if not hass.services.has_service(DOMAIN, SERVICE_INSTALL_DASHBOARD):
        hass.services.async_register(
            DOMAIN,
            SERVICE_INSTALL_DASHBOARD,
            async_handle_install_dashboard,
            schema=INSTALL_DASHBOARD_SCHEMA,
            supports_response=SupportsResponse.OPTIONAL,
        )
    response = await hass.services.async_call(
        DOMAIN,
        SERVICE_INSTALL_DASHBOARD,
        {"config_entry_id": demo_entry.entry_id, "days_to_show": 7},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["url_path"] == URL_PATH
    config = response["config"]
    assert isinstance(config, dict)
    assert {card["days_to_show"] for card in _cards_of(config, "statistics-graph")} == {7}
    client = await hass_ws_client(hass)
    assert await _lovelace_config(client, URL_PATH) == config

    # Without a response, and to a chosen url path: a second dashboard.
    await hass.services.async_call(
        DOMAIN,
        SERVICE_INSTALL_DASHBOARD,
        {"config_entry_id": demo_entry.entry_id, "url_path": "heat-pump-copy"},
        blocking=True,
    )
    assert {d["url_path"] for d in await _dashboards(client)} == {URL_PATH, "heat-pump-copy"}


@pytest.mark.parametrize("url_path", ["heatpump", "Heat-Pump", "heat pump-x", "heat/pump-x"])
def test_service_rejects_bad_url_path(url_path: str) -> None:
    """Lovelace needs a slug with a hyphen."""
    with pytest.raises(Exception, match="url_path"):
        INSTALL_DASHBOARD_SCHEMA({"config_entry_id": "abc", "url_path": url_path})


async def test_install_without_lovelace(hass: HomeAssistant, demo_entry: MockConfigEntry) -> None:
    """No lovelace integration: a translated error."""
    await setup_integration(hass, demo_entry)
    with pytest.raises(HomeAssistantError) as err:
        await async_install_dashboard(hass, demo_entry)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "lovelace_not_loaded"


async def test_install_refuses_a_yaml_dashboard(
    hass: HomeAssistant, demo_entry: MockConfigEntry, tmp_path: Path
) -> None:
    """A url path that belongs to a YAML dashboard is not taken over."""
    assert await async_setup_component(
        hass,
        "lovelace",
        {
            "lovelace": {
                "dashboards": {URL_PATH: {"mode": "yaml", "filename": "mine.yaml", "title": "Mine"}}
            }
        },
    )
    await setup_integration(hass, demo_entry)
    with pytest.raises(HomeAssistantError) as err:
        await async_install_dashboard(hass, demo_entry)
    assert err.value.translation_key == "dashboard_url_taken"


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
    await setup_integration(hass, entry)
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
