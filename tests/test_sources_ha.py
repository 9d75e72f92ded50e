"""Every local source set up from the UI against a real device simulator on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime
import json
import logging
from pathlib import Path

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.sensor_raw import raw_value_name
from custom_components.heatpump_stats.sources.demo import DemoHeatPump
from custom_components.heatpump_stats.sources.h66 import BRANDS as H66_BRANDS, load_brand_table
from custom_components.heatpump_stats.sources.luxtronik import LuxtronikSource
from custom_components.heatpump_stats.sources.modbus import load_register_map

from .common import advance
from .simulators.espaltherma import ESPALTHERMA_FIELDS, set_espaltherma_states
from .simulators.h66_server import H66Simulator
from .simulators.luxtronik_server import LuxtronikSimulator
from .simulators.modbus_server import ModbusSimulator, isg_tables
from .simulators.shelly_server import ShellyPro3EMSimulator

pytestmark = pytest.mark.usefixtures("socket_enabled")


def _value(
    hass: HomeAssistant, entry: MockConfigEntry | object, key: str, platform: str = "sensor"
) -> str:
    unique_id = f"{entry.unique_id}_{key}"  # type: ignore[attr-defined]
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None, f"no entity for {key}"
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _disabled_by_default(
    hass: HomeAssistant, entry: MockConfigEntry | object, key: str
) -> er.RegistryEntry:
    """The registry entry of sensor `key`, asserted to be there and disabled by the integration."""
    registry = er.async_get(hass)
    unique_id = f"{entry.unique_id}_{key}"  # type: ignore[attr-defined]
    entity_id = registry.async_get_entity_id("sensor", DOMAIN, unique_id)
    assert entity_id is not None, f"no entity for {key}"
    registry_entry = registry.async_get(entity_id)
    assert registry_entry is not None
    assert registry_entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    return registry_entry


async def _flow(hass: HomeAssistant, *steps: dict[str, object]) -> dict[str, object]:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    for data in steps:
        result = await hass.config_entries.flow.async_configure(result["flow_id"], data)
    await hass.async_block_till_done()
    return dict(result)


async def test_luxtronik_from_the_ui(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    luxtronik: LuxtronikSimulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Set up through the flow; values come through; a dead controller goes unavailable and back.

    Known answers from the simulator's tables: TVL 352 -> 35.2 °C.
    """
    result = await _flow(
        hass,
        {"source": "luxtronik"},
        {"host": "127.0.0.1", "port": luxtronik.port},
    )
    assert result["step_id"] == "meter"
    # Luxtronik 2 reports no electricity: "source" is not offered.
    options = result["data_schema"].schema["meter"].config["options"]  # type: ignore[index,union-attr]
    assert "source" not in options
    result = await hass.config_entries.flow.async_configure(
        str(result["flow_id"]), {"meter": "none"}
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    assert float(_value(hass, entry, "flow_temperature")) == 35.2
    # The further values are there, disabled by default, with units from their keys.
    hot_gas = _disabled_by_default(hass, entry, "extra_hot_gas_temperature")
    assert hot_gas.unit_of_measurement == "°C"
    # Diagnostics carry every raw value, without the host or the serial.
    diag = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert diag["entry"]["data"]["host"] == "**REDACTED**"
    assert len(diag["heat_pump"]["raw"]["calculations"]) == len(luxtronik.calculations)
    assert "127.0.0.1" not in str(diag)

    luxtronik.garbage = True  # the controller answers nonsense
    await advance(hass, freezer, 30)
    assert _value(hass, entry, "flow_temperature") == STATE_UNAVAILABLE
    luxtronik.garbage = False
    await advance(hass, freezer, 30)
    assert float(_value(hass, entry, "flow_temperature")) == 35.2

    await luxtronik.stop()  # the controller is gone: refused connections
    await advance(hass, freezer, 30)
    assert _value(hass, entry, "flow_temperature") == STATE_UNAVAILABLE
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_luxtronik_web_port_is_refused_with_a_clear_error(hass: HomeAssistant) -> None:
    """8888 is the web port: the flow says so on the port field without connecting."""
    result = await _flow(hass, {"source": "luxtronik"}, {"host": "127.0.0.1", "port": 8888})
    assert result["errors"] == {"port": "web_port"}


async def test_luxtronik_refused_connection(hass: HomeAssistant) -> None:
    """Nothing listening: cannot_connect on the host field."""
    sim = LuxtronikSimulator()
    port = await sim.start()
    await sim.stop()
    result = await _flow(hass, {"source": "luxtronik"}, {"host": "127.0.0.1", "port": port})
    assert result["errors"] == {"host": "cannot_connect"}


async def test_modbus_isg_from_the_ui_with_its_own_counters(hass: HomeAssistant) -> None:
    """The ISG map through a pymodbus server; the ISG's counters make it its own meter.

    Known answers (see tests/sources/test_modbus.py): flow 35.2 °C, outside -5.0 °C.
    """
    inputs, holding = isg_tables()
    async with ModbusSimulator(inputs, holding) as sim:
        result = await _flow(
            hass,
            {"source": "modbus"},
            {"connection": "tcp"},
            {"host": "127.0.0.1", "port": sim.port, "unit_id": 1, "model": "stiebel_eltron_isg"},
        )
        assert result["step_id"] == "meter"
        options = result["data_schema"].schema["meter"].config["options"]  # type: ignore[index,union-attr]
        assert options[0] == "source"
        result = await hass.config_entries.flow.async_configure(
            str(result["flow_id"]), {"meter": "source"}
        )
        await hass.async_block_till_done()
        entry = result["result"]
        assert entry.state is ConfigEntryState.LOADED
        assert float(_value(hass, entry, "flow_temperature")) == 35.2
        assert float(_value(hass, entry, "outside_temperature")) == -5.0
        assert _value(hass, entry, "compressor_running", "binary_sensor") == "on"
        # The heat is measured (the ISG's counters): thermal_power_method is not an estimate.
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_modbus_custom_map_mistake_is_shown_in_the_flow(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """A broken custom map names the register and field in the form."""
    path = tmp_path / "map.yaml"
    path.write_text(
        "manufacturer: Me\nmodel: Mine\nregisters:\n"
        "  - key: flow_temperature\n    address: 1\n    register_type: input\n"
        "    data_type: int8\n    scale: 0.1\n    unit: °C\n"
    )
    result = await _flow(
        hass,
        {"source": "modbus"},
        {"connection": "tcp"},
        {
            "host": "127.0.0.1",
            "port": 502,
            "unit_id": 1,
            "model": "custom",
            "register_map": str(path),
        },
    )
    assert result["errors"] == {"register_map": "invalid_register_map"}
    problem = result["description_placeholders"]["problem"]  # type: ignore[index]
    assert "flow_temperature" in problem
    assert "data_type" in problem


async def test_h66_from_the_ui_and_http_500(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A Thermia behind the H66 gateway; HTTP 500 makes entities unavailable, then recovery."""
    async with H66Simulator("thermia") as sim:
        result = await _flow(
            hass, {"source": "h66"}, {"host": sim.host, "brand": "thermia"}, {"meter": "none"}
        )
        entry = result["result"]
        assert entry.state is ConfigEntryState.LOADED  # type: ignore[union-attr]
        outside = float(_value(hass, entry, "outside_temperature"))
        sim.mode = "http500"
        await advance(hass, freezer, 30)
        assert _value(hass, entry, "outside_temperature") == STATE_UNAVAILABLE
        sim.mode = "ok"
        await advance(hass, freezer, 30)
        assert float(_value(hass, entry, "outside_temperature")) == outside
        assert await hass.config_entries.async_unload(entry.entry_id)  # type: ignore[union-attr]


async def test_h66_host_with_scheme_is_a_field_error(hass: HomeAssistant) -> None:
    """`http://...` is not a host."""
    result = await _flow(hass, {"source": "h66"}, {"host": "http://10.0.0.5/api", "brand": "ivt"})
    assert result["errors"] == {"host": "invalid_host"}


async def test_entities_source_flows_through_to_cop(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """ESPAltherma-style string states become a reading; COP follows by hand.

    Flow 20 l/min, 35.0 -> 30.0 °C: P_th = 20/60 × 4.186 × 5 = 6.9767 kW.
    Electrical power 2.0 kW (a kW entity) = 2000 W, steady.
    COP over 5 min = 6.9767 / 2.0 = 3.488.
    """
    set_espaltherma_states(hass)
    result = await _flow(
        hass,
        {"source": "entities"},
        ESPALTHERMA_FIELDS,
        {"meter": "source"},
    )
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED  # type: ignore[union-attr]
    for _ in range(12):
        # ESPAltherma re-publishes the same values: last_reported moves on.
        for entity_id in ("sensor.esp_outdoor", "sensor.esp_leaving_water", "sensor.esp_power"):
            state = hass.states.get(entity_id)
            assert state is not None
            hass.states.async_set(entity_id, state.state, state.attributes, force_update=True)
        await advance(hass, freezer, 30)
    assert float(_value(hass, entry, "flow_rate")) == pytest.approx(20.0)
    assert float(_value(hass, entry, "thermal_power")) == pytest.approx(6.977, abs=1e-3)
    assert _value(hass, entry, "operating_mode") == "heating"
    assert float(_value(hass, entry, "cop")) == pytest.approx(6.97667 / 2.0, abs=2e-3)
    # A mode that is not in the map is unknown, not an error.
    hass.states.async_set("sensor.esp_mode", "Weird", {})
    await advance(hass, freezer, 30)
    assert _value(hass, entry, "operating_mode") in ("unknown", "heating")


async def test_entities_wrong_unit_is_a_field_error(hass: HomeAssistant) -> None:
    """An ampere sensor is not electrical power."""
    attrs_t = {"unit_of_measurement": "°C"}
    for name in ("a", "b", "c"):
        hass.states.async_set(f"sensor.{name}", "20", attrs_t)
    hass.states.async_set("sensor.amps", "5", {"unit_of_measurement": "A"})
    result = await _flow(
        hass,
        {"source": "entities"},
        {
            "outside_temperature": "sensor.a",
            "flow_temperature": "sensor.b",
            "return_temperature": "sensor.c",
            "electrical_power": "sensor.amps",
        },
    )
    assert result["errors"] == {"electrical_power": "wrong_unit_power"}


async def test_shelly_meter_with_password_and_reauth(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Demo heat pump + Shelly Pro 3EM: wrong password is a field error; 230.5+410+12 = 652.5 W."""
    async with ShellyPro3EMSimulator(password="secret") as shelly:
        result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
        flow_id = result["flow_id"]
        await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
        await hass.config_entries.flow.async_configure(flow_id, {"name": "Shelly HP"})
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"meter": "shelly_pro_3em"}
        )
        assert result["step_id"] == "shelly_pro_3em"
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"shelly_host": shelly.host, "shelly_password": "wrong"}
        )
        assert result["errors"] == {"shelly_password": "invalid_auth"}
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"shelly_host": shelly.host, "shelly_password": "secret"}
        )
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.CREATE_ENTRY
        entry = result["result"]
        assert entry.data["meter"] == "shelly_pro_3em"
        assert float(_value(hass, entry, "electrical_power")) == 652.5
        assert entry.runtime_data.meter is not None
        # Per-phase values exist, disabled by default: 230.5 / 410.0 / 12.0 W.
        for phase in ("a", "b", "c"):
            for kind in ("power", "energy"):
                _disabled_by_default(hass, entry, f"{kind}_phase_{phase}")
        assert entry.runtime_data.meter.data.reading.phases_power == (230.5, 410.0, 12.0)

        # The password changes on the device: a reauth flow starts.
        shelly.password = "new-secret"
        await advance(hass, freezer, 10)
        flows = hass.config_entries.flow.async_progress()
        reauth = [f for f in flows if f["context"].get("source") == "reauth"]
        assert len(reauth) == 1
        result = await hass.config_entries.flow.async_configure(
            reauth[0]["flow_id"], {"shelly_password": "new-secret"}
        )
        await hass.async_block_till_done()
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == "reauth_successful"
        assert entry.data["shelly_password"] == "new-secret"
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_entity_meter(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Demo heat pump + an energy entity in Wh: electrical_energy mirrors the meter.

    Issue 8: a meter's own lifetime counter is shown as the meter reports it
    (offset 0 at setup), so the entity reads what the meter's display reads:
    1500 Wh = 1.5 kWh at setup, 2500 Wh = 2.5 kWh after. Only the rise,
    2500 − 1500 = 1000 Wh = 1.0 kWh, is energy used since setup (energy_today).
    """
    hass.states.async_set(
        "sensor.hp_energy", "1500", {"unit_of_measurement": "Wh", "device_class": "energy"}
    )
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    flow_id = result["flow_id"]
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    await hass.config_entries.flow.async_configure(flow_id, {"name": "Entity meter"})
    await hass.config_entries.flow.async_configure(flow_id, {"meter": "entity"})
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"energy_entity": "sensor.hp_energy"}
    )
    await hass.async_block_till_done()
    entry = result["result"]
    assert float(_value(hass, entry, "electrical_energy")) == pytest.approx(1.5)
    hass.states.async_set(
        "sensor.hp_energy", "2500", {"unit_of_measurement": "Wh", "device_class": "energy"}
    )
    await advance(hass, freezer, 10)
    assert float(_value(hass, entry, "electrical_energy")) == pytest.approx(2.5)
    assert float(_value(hass, entry, "energy_today")) == pytest.approx(1.0)
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_entities_defrost_entity_drives_defrost_accounting(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """ESPAltherma: "Operation Mode" says Heating through a defrost; only its ON/OFF
    "Defrost Operation" tells. The entry's `defrost` entity makes defrost_active on and
    books the electricity to defrost: 2.0 kW for 5 min = 0.1667 kWh (within a poll)."""
    attrs_t = {"unit_of_measurement": "°C", "device_class": "temperature"}
    hass.states.async_set("sensor.esp_outdoor", "-8.7", attrs_t)
    hass.states.async_set("sensor.esp_leaving_water", "35.0", attrs_t)
    hass.states.async_set("sensor.esp_inlet_water", "30.0", attrs_t)
    hass.states.async_set("sensor.esp_mode", "Heating", {})
    hass.states.async_set("sensor.esp_power", "2.0", {"unit_of_measurement": "kW"})
    hass.states.async_set("sensor.esp_defrost", "OFF", {})
    result = await _flow(
        hass,
        {"source": "entities"},
        {
            "outside_temperature": "sensor.esp_outdoor",
            "flow_temperature": "sensor.esp_leaving_water",
            "return_temperature": "sensor.esp_inlet_water",
            "operating_mode": "sensor.esp_mode",
            "electrical_power": "sensor.esp_power",
        },
        {"meter": "source"},
    )
    entry = result["result"]
    await advance(hass, freezer, 30)
    freezer.tick(1)  # the reload's first poll is newer than the last one (as in real time)
    # The defrost field arrives with the entry data (config flow / reconfigure) and a
    # reload picks it up.
    hass.config_entries.async_update_entry(
        entry,  # type: ignore[arg-type]
        data={**entry.data, "defrost": "sensor.esp_defrost"},  # type: ignore[union-attr]
    )
    assert await hass.config_entries.async_reload(entry.entry_id)  # type: ignore[union-attr]
    await hass.async_block_till_done()

    async def tick(minutes: int) -> None:
        for _ in range(minutes * 2):
            for entity_id in ("sensor.esp_leaving_water", "sensor.esp_power", "sensor.esp_defrost"):
                state = hass.states.get(entity_id)
                assert state is not None
                hass.states.async_set(entity_id, state.state, state.attributes, force_update=True)
            await advance(hass, freezer, 30)

    await tick(2)
    assert _value(hass, entry, "defrost_active", "binary_sensor") == "off"
    assert _value(hass, entry, "operating_mode") == "heating"
    before = float(_value(hass, entry, "electrical_energy_defrost"))
    hass.states.async_set("sensor.esp_defrost", "ON", {})
    await tick(5)
    assert _value(hass, entry, "defrost_active", "binary_sensor") == "on"
    assert _value(hass, entry, "operating_mode") == "defrost"
    booked = float(_value(hass, entry, "electrical_energy_defrost")) - before
    assert booked == pytest.approx(2.0 * 5 / 60, abs=0.02)
    hass.states.async_set("sensor.esp_defrost", "OFF", {})
    await tick(1)
    assert _value(hass, entry, "defrost_active", "binary_sensor") == "off"


async def _raw_keys_of_every_source() -> dict[str, set[str]]:
    """Every numeric raw key (`reading.extra`) each local source and the demo can report."""
    keys: dict[str, set[str]] = {}
    demo = DemoHeatPump(
        seed=1,
        start=datetime(2026, 1, 10, tzinfo=UTC),
        rated_thermal_power_kw=8,
        flow_rate_l_min=20,
    )
    extra = demo.advance(datetime(2026, 1, 10, 2, tzinfo=UTC)).extra
    keys["demo"] = {k for k, v in extra.items() if isinstance(v, int | float)}
    sim = LuxtronikSimulator()
    await sim.start()
    try:
        reading = await LuxtronikSource("127.0.0.1", sim.port).async_read()
    finally:
        await sim.stop()
    keys["luxtronik"] = set(reading.extra)
    for brand in H66_BRANDS:
        keys[f"h66 {brand}"] = set(load_brand_table(brand).extra_units)
    keys["modbus isg"] = set(load_register_map("stiebel_eltron_isg").extra_units)
    return keys


async def test_raw_value_names_read_as_words_and_never_repeat() -> None:
    """ "COP", "Building deficit", not "Cop true", "Building deficit kwh"; and no raw
    sensor shares its name with one of our entities (Luxtronik's compressor_starts)."""
    assert raw_value_name("cop_true") == "True COP"
    assert raw_value_name("building_deficit_kwh") == "Building deficit"
    assert raw_value_name("dhw_tank_target") == "DHW tank target"
    assert raw_value_name("compressor_starts") == "Compressor starts (device)"
    translations = json.loads(
        (
            Path(__file__).parents[1] / "custom_components/heatpump_stats/translations/en.json"
        ).read_text(encoding="utf-8")
    )["entity"]
    own = {
        entity["name"].casefold()
        for platform in ("sensor", "binary_sensor")
        for key, entity in translations[platform].items()
        if key != "extra" and "{" not in entity["name"]
    }
    for source, keys in (await _raw_keys_of_every_source()).items():
        names = [raw_value_name(key) for key in sorted(keys)]
        assert len({n.casefold() for n in names}) == len(names), (source, names)
        for key, name in zip(sorted(keys), names, strict=True):
            assert name.casefold() not in own, (source, key, name)
            words = name.split()
            assert "_" not in name, (source, key, name)
            assert words[0][0].isupper(), (source, key, name)
            assert not {w.casefold() for w in words} & {"kwh", "wh", "kw"}, (source, key, name)
            assert not {"Cop", "cop", "Dhw", "dhw", "Scop", "Spf"} & set(words), (source, key, name)


async def test_shelly_nan_and_negative_per_phase_values_are_unknown(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, caplog: pytest.LogCaptureFixture
) -> None:
    """Bare NaN/Infinity and a -5000 Wh counter in the Shelly's replies: the per-phase
    sensors show unknown, the total power is unknown, and nothing logs a traceback."""
    async with ShellyPro3EMSimulator() as shelly:
        result = await _flow(
            hass,
            {"source": "demo"},
            {"name": "NaN HP"},
            {"meter": "shelly_pro_3em"},
            {"shelly_host": shelly.host},
        )
        entry = result["result"]
        registry = er.async_get(hass)
        phase_ids = {}
        for phase in ("a", "b", "c"):
            for kind in ("power", "energy"):
                entity_id = registry.async_get_entity_id(
                    "sensor",
                    DOMAIN,
                    f"{entry.unique_id}_{kind}_phase_{phase}",  # type: ignore[union-attr]
                )
                assert entity_id is not None
                registry.async_update_entity(entity_id, disabled_by=None)
                phase_ids[kind, phase] = entity_id
        assert await hass.config_entries.async_reload(entry.entry_id)  # type: ignore[union-attr]
        await hass.async_block_till_done()
        shelly.replies["EM.GetStatus:0"] = (
            '{"id":0,"a_act_power":NaN,"b_act_power":Infinity,"c_act_power":12.0,'
            '"total_act_power":NaN}'
        )
        shelly.phase_energy_wh = [-5000.0, 734567.0, 100000.0]
        caplog.clear()
        for _ in range(3):
            await advance(hass, freezer, 10, step=10)
        assert hass.states.get(phase_ids["power", "a"]).state == "unknown"  # type: ignore[union-attr]
        assert hass.states.get(phase_ids["power", "b"]).state == "unknown"  # type: ignore[union-attr]
        assert float(hass.states.get(phase_ids["power", "c"]).state) == 12.0  # type: ignore[union-attr]
        assert hass.states.get(phase_ids["energy", "a"]).state == "unknown"  # type: ignore[union-attr]
        assert float(hass.states.get(phase_ids["energy", "b"]).state) == 734.567  # type: ignore[union-attr]
        ours = [r for r in caplog.records if r.name.startswith(("homeassistant", "custom_comp"))]
        assert not [r for r in ours if r.exc_info or r.levelno >= logging.ERROR]
        assert await hass.config_entries.async_unload(entry.entry_id)  # type: ignore[union-attr]
