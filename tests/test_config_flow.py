"""Config flow and options flow."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats.const import DOMAIN


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return str(result["flow_id"])


async def test_user_flow_demo_creates_entry(hass: HomeAssistant) -> None:
    """user -> demo -> meter creates one entry with the contract's keys."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "demo"
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "  Garden HP "})
    assert result["step_id"] == "meter"
    result = await hass.config_entries.flow.async_configure(flow_id, {"meter": "source"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garden HP"
    assert result["data"] == {"source": "demo", "name": "Garden HP", "meter": "source"}
    entry = result["result"]
    assert entry.unique_id == "demo_garden_hp"
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.garden_hp_cop") is not None


async def test_user_step_offers_only_working_sources(hass: HomeAssistant) -> None:
    """Only sources that work are offered; others are rejected by the schema."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    schema = result["data_schema"].schema
    selector = next(iter(schema.values()))
    assert selector.config["options"] == [
        "demo",
        "viessmann",
        "luxtronik",
        "modbus",
        "h66",
        "entities",
    ]


async def test_duplicate_demo_aborts(hass: HomeAssistant, demo_entry: MockConfigEntry) -> None:
    """A second demo with the same name is the same system."""
    demo_entry.add_to_hass(hass)
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "Test Heat Pump"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_demo_name_without_letters_is_a_field_error(hass: HomeAssistant) -> None:
    """A name that slugifies to nothing is refused on its field; the flow goes on."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": " -- "})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "invalid_name"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "HP 2"})
    assert result["step_id"] == "meter"


async def test_meter_none(hass: HomeAssistant) -> None:
    """With no meter the entry is still created; COP then stays unknown."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    await hass.config_entries.flow.async_configure(flow_id, {"name": "No meter"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"meter": "none"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["meter"] == "none"
    assert hass.states.get("sensor.no_meter_cop").state == "unknown"
    assert hass.states.get("sensor.no_meter_electrical_energy").state in ("unknown", "0.0")


async def test_options_flow_saves_and_reloads(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """Options are stored (intervals as int) and the entry reloads with them."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(demo_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "rated_thermal_power_kw": 9.5,
            "flow_rate_l_min": 18.0,
            "scan_interval_s": 60.0,
            "season_start": "09-01",
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert demo_entry.options == {
        "rated_thermal_power_kw": 9.5,
        "flow_rate_l_min": 18.0,
        "scan_interval_s": 60,
        "season_start": "09-01",
        "csv_retention_days": 30,
        "csv_time": "07:00",
    }
    assert demo_entry.state is ConfigEntryState.LOADED
    coordinator = demo_entry.runtime_data.heat_pump
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 60
    assert coordinator.engine.config.rated_thermal_power_kw == 9.5


async def test_options_flow_rejects_bad_season_start(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A season start that is no calendar day is a field error."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    result = await hass.config_entries.options.async_init(demo_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval_s": 30, "season_start": "13-45"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"season_start": "invalid_season_start"}
