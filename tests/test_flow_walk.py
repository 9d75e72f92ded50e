"""Every form of every source and meter, submitted the way the frontend submits it.

See tests/flow_walk.py: each step is fetched over HTTP, pre-filled from its
serialized defaults and suggested values, and only what a user types is
changed. A field whose default does not pass its own schema (the Modbus baud
rate: an int default for a select of strings) fails here with HTTP 400.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.heatpump_stats.const import DOMAIN

from .common import advance, reauth_flow_id, setup_integration, shelly_demo_entry
from .flow_walk import FrontendFlow, frontend, start_options, start_reconfigure, start_user
from .simulators.h66_server import H66Simulator
from .simulators.luxtronik_server import LuxtronikSimulator
from .simulators.modbus_server import ModbusSimulator, isg_tables
from .simulators.shelly_server import ShellyPro3EMSimulator

pytestmark = pytest.mark.usefixtures("socket_enabled")

# The Luxtronik simulator's serial 1905-2a3b (parameters 874 and 875).
LUXTRONIK_UNIQUE_ID = "luxtronik_1905_2a3b"


@pytest.fixture
async def luxtronik() -> AsyncIterator[LuxtronikSimulator]:
    sim = LuxtronikSimulator()
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def flow(hass: HomeAssistant, hass_client: ClientSessionGenerator) -> FrontendFlow:
    return await frontend(hass, hass_client)


async def _choose_source(flow: FrontendFlow, source: str) -> None:
    await start_user(flow)
    assert flow.step_id == "user"
    await flow.submit({"source": source})
    assert flow.result["type"] == "form", flow.result


def _entry(hass: HomeAssistant, flow: FrontendFlow) -> MockConfigEntry:
    assert flow.result["type"] == "create_entry", flow.result
    entry = hass.config_entries.async_get_entry(flow.result["result"]["entry_id"])
    assert entry is not None
    return entry  # type: ignore[return-value]


def _luxtronik_entry(hass: HomeAssistant, unique_id: str = LUXTRONIK_UNIQUE_ID) -> MockConfigEntry:
    """A Luxtronik entry at 127.0.0.1 port 1 (nothing listens there), added."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Luxtronik 2",
        unique_id=unique_id,
        data={"source": "luxtronik", "host": "127.0.0.1", "port": 1, "meter": "none"},
    )
    entry.add_to_hass(hass)
    return entry


async def _reconfigure_port(flow: FrontendFlow, entry: MockConfigEntry, port: int) -> None:
    """Reconfigure -> the source's settings -> the controller's port changed."""
    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("source_settings")
    await flow.submit({"port": port})


async def test_user_step_preselects_no_source(flow: FrontendFlow) -> None:
    """The source field has no default: submitting it untouched asks for a choice."""
    await start_user(flow)
    field = flow.field("source")
    assert "default" not in field
    assert flow.prefilled() == {}
    await flow.submit()
    assert flow.step_id == "user"
    assert flow.errors == {"source": "source_required"}


@pytest.mark.parametrize("meter", ["source", "none"])
async def test_demo_with_defaults(hass: HomeAssistant, flow: FrontendFlow, meter: str) -> None:
    """Demo: every field left as pre-filled; the meter as chosen."""
    await _choose_source(flow, "demo")
    assert flow.step_id == "demo"
    await flow.submit()
    assert flow.step_id == "meter"
    assert flow.prefilled() == {"meter": "source"}  # pre-filled: the heat pump's own
    await flow.submit({"meter": meter})
    await hass.async_block_till_done()
    entry = _entry(hass, flow)
    assert entry.title == "Demo heat pump"
    assert entry.data == {"source": "demo", "name": "Demo heat pump", "meter": meter}
    assert entry.state is ConfigEntryState.LOADED


async def test_duplicate_demo_name_is_flagged_on_the_field(
    hass: HomeAssistant, flow: FrontendFlow, demo_entry: MockConfigEntry
) -> None:
    """The same name again: an error on the name field, and the flow goes on."""
    demo_entry.add_to_hass(hass)
    await _choose_source(flow, "demo")
    await flow.submit({"name": "Test heat pump"})
    assert flow.step_id == "demo"
    assert flow.errors == {"name": "name_taken"}
    await flow.submit({"name": "Second heat pump"})
    assert flow.step_id == "meter"


async def test_luxtronik_with_defaults(
    hass: HomeAssistant, flow: FrontendFlow, luxtronik: LuxtronikSimulator
) -> None:
    """Luxtronik: the user types the host (and the simulator's port); no address in the title."""
    await _choose_source(flow, "luxtronik")
    assert flow.prefilled() == {"port": 8889}
    await flow.submit({"host": "127.0.0.1", "port": luxtronik.port})
    assert flow.step_id == "meter", flow.result
    await flow.submit({"meter": "none"})
    await hass.async_block_till_done()
    entry = _entry(hass, flow)
    assert "127.0.0.1" not in entry.title
    assert str(luxtronik.port) not in entry.title
    assert entry.title.startswith("Luxtronik")
    assert await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("typed", "field", "error"),
    [
        ({"host": "http://192.168.1.20"}, "host", "invalid_plain_host"),
        ({"host": "192.168.1.20:8889"}, "host", "invalid_plain_host"),
        ({"host": "192.168.1.20", "port": 8888}, "port", "web_port"),
    ],
)
async def test_luxtronik_host_mistakes(
    flow: FrontendFlow, typed: dict[str, object], field: str, error: str
) -> None:
    """http:// or a :port in the host field gets the same clear message as H66."""
    await _choose_source(flow, "luxtronik")
    await flow.submit(typed)
    assert flow.errors == {field: error}


async def test_modbus_asks_the_connection_first(hass: HomeAssistant, flow: FrontendFlow) -> None:
    """TCP shows no serial fields, RTU no host; the baud rate default passes its own schema."""
    await _choose_source(flow, "modbus")
    assert flow.field_names() == ["connection"]
    await flow.submit()  # pre-filled: tcp
    assert flow.step_id == "modbus_tcp"
    assert flow.field_names() == ["host", "port", "unit_id", "model", "register_map"]

    await _choose_source(flow, "modbus")
    await flow.submit({"connection": "rtu"})
    assert flow.step_id == "modbus_rtu"
    assert flow.field_names() == ["serial_port", "baudrate", "unit_id", "model", "register_map"]
    assert flow.prefilled()["baudrate"] == "9600"
    # A serial port that does not exist: said on the serial port field, not "check the host".
    await flow.submit({"serial_port": "/dev/heatpump-stats-no-such-port"})
    assert flow.step_id == "modbus_rtu"
    assert flow.errors == {"serial_port": "cannot_open_serial"}


async def test_modbus_tcp_isg_with_defaults(hass: HomeAssistant, flow: FrontendFlow) -> None:
    """ISG over TCP: host and port typed, everything else as pre-filled; title by make and model."""
    inputs, holding = isg_tables()
    async with ModbusSimulator(inputs, holding) as sim:
        await _choose_source(flow, "modbus")
        await flow.submit()
        await flow.submit({"host": "127.0.0.1", "port": sim.port})
        assert flow.step_id == "meter", flow.result
        assert flow.prefilled() == {"meter": "source"}
        await flow.submit()
        await hass.async_block_till_done()
        entry = _entry(hass, flow)
        assert entry.data["connection"] == "tcp"
        assert "127" not in entry.title
        assert str(sim.port) not in entry.title
        assert "Stiebel" in entry.title
        # Device name = title, so no address in any entity id either.
        entity_ids = [
            e.entity_id
            for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        ]
        assert entity_ids
        assert not [e for e in entity_ids if "127_0_0_1" in e or str(sim.port) in e]
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_modbus_host_with_scheme(flow: FrontendFlow) -> None:
    """Modbus: http:// in the host is the same clear field error."""
    await _choose_source(flow, "modbus")
    await flow.submit()
    await flow.submit({"host": "http://isg.local"})
    assert flow.errors == {"host": "invalid_plain_host"}


async def test_modbus_form_at_a_web_server_says_not_modbus(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """The Modbus TCP form pointed at an HTTP server (it answers the request with
    ``HTTP/1.1 400``): "answers, but not like a Modbus device" on the host field, in
    words in both languages, not "cannot connect"."""
    async with H66Simulator("thermia") as web:
        await _choose_source(flow, "modbus")
        await flow.submit()  # tcp
        host, port = web.host.rsplit(":", 1)
        await flow.submit({"host": host, "port": int(port)})
    assert flow.step_id == "modbus_tcp"
    assert flow.errors == {"host": "not_modbus"}
    for language in ("en", "de"):
        translations = await async_get_translations(hass, language, "config", [DOMAIN])
        assert "Modbus" in translations[f"component.{DOMAIN}.config.error.not_modbus"]


async def test_h66_with_defaults_and_a_shelly(hass: HomeAssistant, flow: FrontendFlow) -> None:
    """H66 (brand pre-filled: thermia) + Shelly without password."""
    async with H66Simulator("thermia") as h66, ShellyPro3EMSimulator() as shelly:
        await _choose_source(flow, "h66")
        assert flow.prefilled() == {"brand": "thermia"}
        await flow.submit({"host": h66.host})
        assert flow.step_id == "meter", flow.result
        await flow.submit({"meter": "shelly_pro_3em"})
        assert flow.step_id == "shelly_pro_3em"
        await flow.submit({"shelly_host": shelly.host})
        await hass.async_block_till_done()
        entry = _entry(hass, flow)
        assert entry.title == "Thermia heat pump (H66)"
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_other_devices_at_the_address_are_named_on_the_field(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """The H66 form pointed at a Shelly, and the Shelly form at an H66 gateway: each says
    "something answers, but not like ..." on its host field (translated), not "cannot
    connect"; the right devices then go through."""
    async with H66Simulator("thermia") as h66, ShellyPro3EMSimulator() as shelly:
        await _choose_source(flow, "h66")
        await flow.submit({"host": shelly.host})  # the Shelly has no /api/alldata (404)
        assert flow.step_id == "h66"
        assert flow.errors == {"host": "not_h66"}
        h66.mode = "html"  # the gateway's address, but a web page answers
        await flow.submit({"host": h66.host})
        assert flow.errors == {"host": "not_h66"}
        h66.mode = "ok"
        await flow.submit({"host": h66.host})
        assert flow.step_id == "meter", flow.result
        await flow.submit({"meter": "shelly_pro_3em"})
        await flow.submit({"shelly_host": h66.host})  # no Shelly RPC API there (404)
        assert flow.step_id == "shelly_pro_3em"
        assert flow.errors == {"shelly_host": "not_shelly"}
        await flow.submit({"shelly_host": shelly.host})
        await hass.async_block_till_done()
        entry = _entry(hass, flow)
        assert await hass.config_entries.async_unload(entry.entry_id)
    translations = await async_get_translations(hass, "de", "config", [DOMAIN])
    for key in ("not_h66", "not_shelly"):
        assert translations[f"component.{DOMAIN}.config.error.{key}"]


async def test_shelly_password_missing_and_wrong(hass: HomeAssistant, flow: FrontendFlow) -> None:
    """A Shelly with a password: wrong says wrong; the right one creates the entry."""
    async with ShellyPro3EMSimulator(password="secret") as shelly:
        await _choose_source(flow, "demo")
        await flow.submit()
        await flow.submit({"meter": "shelly_pro_3em"})
        await flow.submit({"shelly_host": shelly.host, "shelly_password": "wrong"})
        assert flow.errors == {"shelly_password": "invalid_auth"}
        await flow.submit({"shelly_host": shelly.host, "shelly_password": "secret"})
        await hass.async_block_till_done()
        entry = _entry(hass, flow)
        assert entry.data["shelly_password"] == "secret"
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_entities_and_entity_meter(hass: HomeAssistant, flow: FrontendFlow) -> None:
    """Entities with the optional defrost field, then an energy entity as the meter."""
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    hass.states.async_set("sensor.esp_outside", "3.0", temperature)
    hass.states.async_set("sensor.esp_flow_t", "35.0", temperature)
    hass.states.async_set("sensor.esp_return_t", "30.0", temperature)
    hass.states.async_set("binary_sensor.esp_defrost", "off")
    hass.states.async_set(
        "sensor.hp_energy", "1500", {"unit_of_measurement": "Wh", "device_class": "energy"}
    )
    await _choose_source(flow, "entities")
    assert "defrost" in flow.field_names()
    assert flow.field("defrost")["selector"]["entity"]["domain"] == [
        "binary_sensor",
        "sensor",
        "input_boolean",
    ]
    await flow.submit(
        {
            "outside_temperature": "sensor.esp_outside",
            "flow_temperature": "sensor.esp_flow_t",
            "return_temperature": "sensor.esp_return_t",
            "defrost": "binary_sensor.esp_defrost",
        }
    )
    assert flow.step_id == "meter", flow.result
    # No electricity among the entities: `source` is not offered, and the text does not name it.
    assert "source" not in flow.field("meter")["selector"]["select"]["options"]
    await flow.submit({"meter": "entity"})
    assert flow.step_id == "entity"
    await flow.submit({"energy_entity": "sensor.hp_energy"})
    await hass.async_block_till_done()
    entry = _entry(hass, flow)
    assert entry.data["defrost"] == "binary_sensor.esp_defrost"
    assert entry.data["energy_entity"] == "sensor.hp_energy"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_entities_wrong_unit_is_said_on_the_field(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """Amperes as electrical power: the error sits on the field, as a sentence key."""
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    for entity_id in ("sensor.a", "sensor.b", "sensor.c"):
        hass.states.async_set(entity_id, "20", temperature)
    hass.states.async_set("sensor.amps", "5", {"unit_of_measurement": "A"})
    await _choose_source(flow, "entities")
    await flow.submit(
        {
            "outside_temperature": "sensor.a",
            "flow_temperature": "sensor.b",
            "return_temperature": "sensor.amps",
            "electrical_power": "sensor.amps",
            "defrost": "binary_sensor.missing",
        }
    )
    assert flow.errors == {
        "return_temperature": "wrong_unit_temperature",
        "electrical_power": "wrong_unit_power",
        "defrost": "entity_not_found",
    }


async def test_options_with_defaults_for_every_kind_of_entry(
    hass: HomeAssistant, hass_client: ClientSessionGenerator
) -> None:
    """Options saved untouched store the defaults, alerts included; reload keeps the entry."""
    hass.states.async_set("sensor.p", "100", {"unit_of_measurement": "W", "device_class": "power"})
    entries = [
        MockConfigEntry(
            domain=DOMAIN,
            title="Demo",
            unique_id="demo_demo",
            data={"source": "demo", "name": "Demo", "meter": "entity", "power_entity": "sensor.p"},
        ),
    ]
    options = await frontend(hass, hass_client, "options")
    for entry in entries:
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await start_options(options, entry.entry_id)
        await options.choose("settings")
        data = options.prefilled()
        assert data["short_cycling_max_starts_per_hour"] == 3
        assert data["cop_below_expected_pct"] == 15
        assert data["meter_scan_interval_s"] == 10
        assert data["stale_after_min"] == 15
        await options.submit()
        await hass.async_block_till_done()
        assert options.result["type"] == "create_entry", options.result
        assert entry.options["short_cycling_max_starts_per_hour"] == 3
        assert entry.options["cop_below_expected_pct"] == 15
        # Saved again, the stored values come back as suggested values.
        await start_options(options, entry.entry_id)
        await options.choose("settings")
        await options.submit({"scan_interval_s": 45})
        await hass.async_block_till_done()
        await start_options(options, entry.entry_id)
        await options.choose("settings")
        assert options.field("scan_interval_s")["description"]["suggested_value"] == 45
        await options.submit({"season_start": "13-45"})
        assert options.errors == {"season_start": "invalid_season_start"}


async def test_reconfigure_demo_adds_a_meter_and_history_continues(
    hass: HomeAssistant, flow: FrontendFlow, freezer: FrozenDateTimeFactory
) -> None:
    """A demo entry without meter gets an entity meter; same entry, counters continue."""
    hass.states.async_set(
        "sensor.hp_energy", "1500", {"unit_of_measurement": "Wh", "device_class": "energy"}
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Garden HP",
        unique_id="demo_garden_hp",
        data={"source": "demo", "name": "Garden HP", "meter": "none"},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 600)
    thermal_before = entry.runtime_data.heat_pump.data.metrics.thermal_energy
    assert thermal_before is not None
    assert thermal_before > 0

    await start_reconfigure(flow, entry.entry_id)
    assert flow.step_id == "meter"  # the demo has no connection settings: straight to the meter
    assert flow.prefilled() == {"meter": "none"}  # pre-filled: the current meter
    await flow.submit({"meter": "entity"})
    await flow.submit({"energy_entity": "sensor.hp_energy"})
    await hass.async_block_till_done()
    assert flow.result["type"] == "abort"
    assert flow.result["reason"] == "reconfigure_successful"
    assert entry.unique_id == "demo_garden_hp"
    assert entry.data["meter"] == "entity"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.meter is not None
    # The stored state came back with the reload: no restart from zero.
    thermal_after = entry.runtime_data.heat_pump.data.metrics.thermal_energy
    assert thermal_after is not None
    assert thermal_after >= thermal_before


async def test_reconfigure_luxtronik_connection_and_meter(
    hass: HomeAssistant, flow: FrontendFlow, luxtronik: LuxtronikSimulator
) -> None:
    """Luxtronik reconfigure: a menu of connection and meter; the form is pre-filled.

    The simulator's serial is 1905-2a3b (parameters 874/875): the entry's unique id.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Luxtronik 2",
        unique_id=LUXTRONIK_UNIQUE_ID,
        data={"source": "luxtronik", "host": "127.0.0.1", "port": luxtronik.port, "meter": "none"},
    )
    entry.add_to_hass(hass)
    await start_reconfigure(flow, entry.entry_id)
    assert flow.result["type"] == "menu"
    await flow.choose("source_settings")
    assert flow.step_id == "luxtronik"
    assert flow.prefilled() == {"host": "127.0.0.1", "port": luxtronik.port}
    await flow.submit()
    assert flow.result["reason"] == "reconfigure_successful", flow.result
    await hass.async_block_till_done()

    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("reconfigure_meter")
    assert flow.step_id == "meter"
    assert "shelly_pro_3em" in flow.field("meter")["selector"]["select"]["options"]
    await flow.submit({"meter": "none"})
    assert flow.result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert entry.unique_id == LUXTRONIK_UNIQUE_ID
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_luxtronik_to_another_controller_aborts(
    hass: HomeAssistant, flow: FrontendFlow, luxtronik: LuxtronikSimulator
) -> None:
    """HA's reconfigure rule: the address must answer with the same controller.

    The entry belongs to serial 1905-2a3b; a second controller (serial 1905-beef) on
    another port answers: abort `unique_id_mismatch` (translated), the entry keeps its
    address. Its own new address (the same controller moved) is accepted.
    """
    other = LuxtronikSimulator()
    other.parameters[875] = 0xBEEF  # ID_WP_SerienNummer_HEX
    await other.start()
    try:
        entry = _luxtronik_entry(hass)
        await _reconfigure_port(flow, entry, other.port)
        assert flow.result["type"] == "abort", flow.result
        assert flow.result["reason"] == "unique_id_mismatch"
        assert entry.data["port"] == 1
        assert entry.unique_id == LUXTRONIK_UNIQUE_ID
        translations = await async_get_translations(hass, "en", "config", [DOMAIN])
        assert f"component.{DOMAIN}.config.abort.unique_id_mismatch" in translations

        await _reconfigure_port(flow, entry, luxtronik.port)
        assert flow.result["reason"] == "reconfigure_successful", flow.result
        await hass.async_block_till_done()
        assert entry.data["port"] == luxtronik.port
        assert entry.unique_id == LUXTRONIK_UNIQUE_ID
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await other.stop()


async def test_reconfigure_luxtronik_entry_named_by_address_is_not_checked(
    hass: HomeAssistant, flow: FrontendFlow, luxtronik: LuxtronikSimulator
) -> None:
    """An entry made when the controller reported no serial has its address as unique id
    (luxtronik_127_0_0_1_1): that says nothing about which controller it was, so a
    controller with a serial at a new address is accepted and the id stays."""
    entry = _luxtronik_entry(hass, "luxtronik_127_0_0_1_1")
    await _reconfigure_port(flow, entry, luxtronik.port)
    assert flow.result["reason"] == "reconfigure_successful", flow.result
    await hass.async_block_till_done()
    assert entry.unique_id == "luxtronik_127_0_0_1_1"
    assert entry.data["port"] == luxtronik.port
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reconfigure_luxtronik_controller_without_serial_is_not_checked(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """A controller that reports no serial (parameter 874 = 0) cannot be told apart:
    the reconfigure of an entry with a serial-based id is accepted."""
    anonymous = LuxtronikSimulator()
    anonymous.parameters[874] = 0  # ID_WP_SerienNummer_DATUM: none
    await anonymous.start()
    try:
        entry = _luxtronik_entry(hass)
        await _reconfigure_port(flow, entry, anonymous.port)
        assert flow.result["reason"] == "reconfigure_successful", flow.result
        await hass.async_block_till_done()
        assert entry.unique_id == LUXTRONIK_UNIQUE_ID
        assert await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await anonymous.stop()


async def test_reconfigure_modbus_rtu_prefills_the_stored_baud_rate(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """The stored int 9600 comes back as the select's string: no HTTP 400, a field error."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Stiebel Eltron WPM",
        unique_id="modbus_dev_ttyusb0_1",
        data={
            "source": "modbus",
            "connection": "rtu",
            "serial_port": "/dev/heatpump-stats-no-such-port",
            "baudrate": 19200,
            "unit_id": 1,
            "model": "stiebel_eltron_isg",
            "register_map": "",
            "meter": "none",
        },
    )
    entry.add_to_hass(hass)
    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("source_settings")
    assert flow.step_id == "modbus_rtu"
    assert flow.prefilled()["baudrate"] == "19200"
    await flow.submit()
    assert flow.errors == {"serial_port": "cannot_open_serial"}

    # The meter: Modbus entries can get one too.
    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("reconfigure_meter")
    assert flow.step_id == "meter"
    await flow.submit({"meter": "entity"})
    assert flow.step_id == "entity"


async def test_reauth_shelly_through_the_frontend(
    hass: HomeAssistant, flow: FrontendFlow, freezer: FrozenDateTimeFactory
) -> None:
    """The Shelly's password changes: the reauth form takes the new one."""
    async with ShellyPro3EMSimulator(password="secret") as shelly:
        entry = shelly_demo_entry("Shelly HP", shelly.host, "secret")
        await setup_integration(hass, entry)
        shelly.password = "new-secret"
        await advance(hass, freezer, 10)
        await flow.resume(reauth_flow_id(hass))
        assert flow.step_id == "reauth_confirm"
        await flow.submit({"shelly_password": "wrong"})
        assert flow.errors == {"shelly_password": "invalid_auth"}
        await flow.submit({"shelly_password": "new-secret"})
        assert flow.result["reason"] == "reauth_successful"
        await hass.async_block_till_done()
        assert entry.data["shelly_password"] == "new-secret"
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_reauth_shelly_that_does_not_answer_says_so_on_the_form(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """The reauth form shows only the password: a meter that no longer answers is said on
    the form itself (`base`), not on the host field the form does not show."""
    async with ShellyPro3EMSimulator(password="secret") as shelly:
        host = shelly.host
    entry = shelly_demo_entry("Shelly HP", host, "secret")
    entry.add_to_hass(hass)
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    await flow.resume(reauth_flow_id(hass))
    assert flow.step_id == "reauth_confirm"
    assert flow.field_names() == ["shelly_password"]
    await flow.submit({"shelly_password": "new-secret"})
    assert flow.errors == {"base": "cannot_connect"}


async def test_entities_from_a_demo_entry_do_not_copy_the_demo_model(
    hass: HomeAssistant, flow: FrontendFlow, demo_entry: MockConfigEntry
) -> None:
    """Entities taken from our own demo device: the new device is not "Simulated ..."."""
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)

    def demo(key: str) -> str:
        found = registry.async_get_entity_id("sensor", DOMAIN, f"demo_test_heat_pump_{key}")
        assert found is not None
        return found

    await _choose_source(flow, "entities")
    await flow.submit(
        {
            "outside_temperature": demo("outside_temperature"),
            "flow_temperature": demo("flow_temperature"),
            "return_temperature": demo("return_temperature"),
        }
    )
    assert flow.step_id == "meter", flow.result
    await flow.submit({"meter": "none"})
    await hass.async_block_till_done()
    entry = _entry(hass, flow)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    device = devices[0]
    assert device.model == "Heat pump from entities"
    assert device.manufacturer == "Home Assistant"
    # Named after the device that owns the flow sensor, never after the sensor itself
    # (the title is the device name, and so the start of every entity id).
    flow_device = dr.async_get(hass).async_get(
        registry.async_get(demo("flow_temperature")).device_id  # type: ignore[union-attr,arg-type]
    )
    assert flow_device is not None
    assert entry.title == f"Heat pump ({flow_device.name})"
    assert device.name == entry.title
    assert "Flow temperature" not in entry.title


async def test_entities_without_a_device_are_a_plain_heat_pump(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """Template or MQTT sensors without a device: "Heat pump", not "Heat pump (Flow T)"."""
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    for entity_id, name in (("sensor.o", "Outside"), ("sensor.f", "Flow T"), ("sensor.r", "Ret")):
        hass.states.async_set(entity_id, "20", {**temperature, "friendly_name": name})
    await _choose_source(flow, "entities")
    await flow.submit(
        {
            "outside_temperature": "sensor.o",
            "flow_temperature": "sensor.f",
            "return_temperature": "sensor.r",
        }
    )
    await flow.submit({"meter": "none"})
    await hass.async_block_till_done()
    entry = _entry(hass, flow)
    assert entry.title == "Heat pump"
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_entities_in_a_device_without_a_name_are_a_plain_heat_pump(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """The flow sensor belongs to a device that has no name (nor one given by the user):
    "Heat pump", not "Heat pump ()"."""
    owner = MockConfigEntry(domain="mqtt", title="")  # the registry falls back to the title
    owner.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=owner.entry_id, identifiers={("mqtt", "nameless")}, name=None
    )
    assert not device.name
    registry = er.async_get(hass)
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    for key in ("o", "f", "r"):
        entity = registry.async_get_or_create(
            "sensor",
            "mqtt",
            f"nameless_{key}",
            suggested_object_id=f"nameless_{key}",
            device_id=device.id,
        )
        hass.states.async_set(entity.entity_id, "20", temperature)
    await _choose_source(flow, "entities")
    await flow.submit(
        {
            "outside_temperature": "sensor.nameless_o",
            "flow_temperature": "sensor.nameless_f",
            "return_temperature": "sensor.nameless_r",
        }
    )
    await flow.submit({"meter": "none"})
    await hass.async_block_till_done()
    entry = _entry(hass, flow)
    assert entry.title == "Heat pump"
    assert await hass.config_entries.async_unload(entry.entry_id)


def _entities_entry(hass: HomeAssistant, data: dict[str, Any]) -> MockConfigEntry:
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    for entity_id in ("sensor.o", "sensor.f", "sensor.r"):
        hass.states.async_set(entity_id, "20", temperature)
    hass.states.async_set("sensor.p", "900", {"unit_of_measurement": "W", "device_class": "power"})
    hass.states.async_set(
        "sensor.e", "12.5", {"unit_of_measurement": "kWh", "device_class": "energy"}
    )
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Heat pump",
        unique_id="entities_sensor_f",
        data={
            "source": "entities",
            "outside_temperature": "sensor.o",
            "flow_temperature": "sensor.f",
            "return_temperature": "sensor.r",
            **data,
        },
    )
    entry.add_to_hass(hass)
    return entry


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_keeps_the_electricity_the_meter_reads(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """Meter "the heat pump's own readings" reads the entities source's electricity entity:
    reconfigure cannot clear it (the meter would read nothing); another electricity
    entity is taken, and the meter stays."""
    entry = _entities_entry(hass, {"electrical_power": "sensor.p", "meter": "source"})
    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("source_settings")
    assert flow.step_id == "entities"
    assert flow.prefilled()["electrical_power"] == "sensor.p"
    # Clearing the field: the browser leaves the key out.
    await flow.submit({"electrical_power": ""})
    assert flow.errors == {"electrical_power": "meter_needs_electricity"}
    await flow.submit({"electrical_power": "", "electrical_energy": "sensor.e"})
    assert flow.result["reason"] == "reconfigure_successful", flow.result
    assert "electrical_power" not in entry.data
    assert (entry.data["electrical_energy"], entry.data["meter"]) == ("sensor.e", "source")


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_an_entry_without_electricity_can_lose_its_entity_meter(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """The check is only for meter "source": with an entity meter the entities source
    needs no electricity entity of its own."""
    entry = _entities_entry(
        hass, {"electrical_power": "sensor.p", "meter": "entity", "power_entity": "sensor.p"}
    )
    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("source_settings")
    await flow.submit({"electrical_power": ""})
    assert flow.result["reason"] == "reconfigure_successful", flow.result
    assert "electrical_power" not in entry.data


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_meter_of_an_entry_without_one_opens_at_the_first_choice(
    hass: HomeAssistant, flow: FrontendFlow
) -> None:
    """An entry with no meter in its data (or one this source cannot offer) opens the
    meter form at the first choice instead of failing; without electricity of its own
    that is the Shelly."""
    entry = _entities_entry(hass, {})
    await start_reconfigure(flow, entry.entry_id)
    await flow.choose("reconfigure_meter")
    assert flow.step_id == "meter"
    assert flow.field("meter")["selector"]["select"]["options"] == [
        "shelly_pro_3em",
        "entity",
        "none",
    ]
    assert flow.prefilled() == {"meter": "shelly_pro_3em"}
