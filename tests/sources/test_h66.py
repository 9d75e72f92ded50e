"""H66 gateway source against the simulated gateway (no Home Assistant)."""

from __future__ import annotations

from collections.abc import AsyncIterator
import json
import logging
import time
from typing import Any

import aiohttp
import pytest

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode
from custom_components.heatpump_stats.sources.base import (
    SourceConnectionError,
    SourceDataError,
    SourceNotThisDeviceError,
)
from custom_components.heatpump_stats.sources.h66 import (
    BOOL_KEYS,
    BRANDS,
    FLOAT_KEYS,
    BrandTable,
    H66Source,
    derive_operating_mode,
    load_brand_table,
    register_type,
    to_signed16,
)
from custom_components.heatpump_stats.sources.http import HttpStatusError
from tests.simulators.h66_server import UNKNOWN_ID, H66Simulator, recorded_alldata, u16
from tests.sources.realdata import realdata_dir

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture
async def sim() -> AsyncIterator[H66Simulator]:
    """A Thermia gateway."""
    async with H66Simulator("thermia") as server:
        yield server


# --- decoding -------------------------------------------------------------


def test_signed_conversion_known_answer() -> None:
    """0xFFCE is -50 in two's complement; an outdoor register (0xxx) is tenths: -5.0 °C."""
    assert to_signed16(0xFFCE) == -50
    assert to_signed16(0x7FFF) == 32767
    assert to_signed16(0x8000) == -32768
    # 32-bit counters are not 16-bit values and stay as they are.
    assert to_signed16(187345) == 187345
    outdoor = load_brand_table("thermia").registers["0007"]
    assert outdoor.decode(0xFFCE) == -5.0
    assert outdoor.decode(215) == 21.5
    assert register_type("1A01").status
    assert register_type("CFAA").unit == "W"


@pytest.mark.parametrize("brand", BRANDS)
def test_brand_tables_load_and_keep_the_contract(brand: str) -> None:
    """Every brand table validates; contract keys are reading fields in contract units."""
    table = load_brand_table(brand)
    assert table.brand == brand
    fields = set(HeatPumpReading.__dataclass_fields__)
    assert set(FLOAT_KEYS) | BOOL_KEYS <= fields
    keys = [reg.key for reg in table.registers.values()]
    assert len(keys) == len(set(keys))
    for reg in table.registers.values():
        if reg.key in FLOAT_KEYS:
            assert reg.unit == FLOAT_KEYS[reg.key], reg
        if reg.key in BOOL_KEYS:
            assert reg.status, reg
    # The keys every brand must deliver for COP and mode.
    for key in (
        "outside_temperature",
        "flow_temperature",
        "return_temperature",
        "dhw_temperature",
        "compressor_running",
        "circulation_pump",
    ):
        assert key in keys, (brand, key)


# id -> key per brand (alldata id mapping known answers).
ID_TO_KEY = {
    "thermia": {
        "0007": "outside_temperature",
        "0004": "flow_temperature",
        "0003": "return_temperature",
        "0009": "dhw_temperature",
        "1A01": "compressor_running",
        "1A05": "circulation_pump",
        "CFAA": "electrical_power",
        "1A07": "switch_valve_dhw",
        "0205": "heating_curve",
        "6C60": "compressor_runtime",
    },
    "ivt": {
        "0007": "outside_temperature",  # GT2 on the Rego
        "0004": "flow_temperature",  # GT8 heat fluid out
        "0003": "return_temperature",  # GT9 heat fluid in
        "0009": "dhw_temperature",  # GT3
        "1A01": "compressor_running",
        "1A20": "alarm",
        "0205": "heating_curve",
    },
    "nibe": {
        "0007": "outside_temperature",  # BT1
        "0004": "flow_temperature",  # BT12
        "0003": "return_temperature",  # BT3
        "0009": "dhw_temperature",  # BT7
        "000A": "dhw_charging_temperature",  # BT6
        "1A07": "switch_valve_dhw",  # QN10
    },
}


@pytest.mark.parametrize("brand", BRANDS)
def test_id_to_key_mapping(brand: str) -> None:
    """The documented ids map to the documented keys."""
    table = load_brand_table(brand)
    for reg_id, key in ID_TO_KEY[brand].items():
        assert table.registers[reg_id].key == key


@pytest.mark.parametrize("brand", BRANDS)
async def test_read_recorded_alldata(brand: str, session: aiohttp.ClientSession) -> None:
    """A poll of each brand's recorded payload decodes to the known values."""
    async with H66Simulator(brand) as server:
        source = H66Source(session, server.host, brand, timeout=2)  # type: ignore[arg-type]
        reading = await source.async_read()
    # 0007 = 0xFFCE -> -50 -> -5.0 °C; 0004 = 352 -> 35.2; 0003 = 309 -> 30.9;
    # 0009 = 498 -> 49.8; CFAA = 2150 W (type C, x1).
    assert reading.outside_temperature == -5.0
    assert reading.flow_temperature == 35.2
    assert reading.return_temperature == 30.9
    assert reading.dhw_temperature == 49.8
    assert reading.electrical_power == 2150.0
    assert reading.compressor_running is True
    assert reading.circulation_pump is True
    assert reading.defrost_active is None
    assert reading.operating_mode is OperatingMode.HEATING
    assert reading.timestamp.tzinfo is not None
    # 0205 = 45 -> heating curve 4.5, a setting (category 2) for the change log.
    assert reading.settings["heating_curve"] == 4.5
    assert reading.settings["room_temperature_setpoint"] == 21.0
    assert reading.extra["brine_out_temperature"] == -1.2  # u16(-12)
    assert reading.extra["switch_valve_dhw"] == 0.0
    # extra_units describes exactly the extra keys (flags without a unit).
    table = source.table
    assert table is not None
    assert set(table.extra_units) == set(reading.extra)
    assert table.extra_units["brine_out_temperature"] == "°C"
    assert table.extra_units["switch_valve_dhw"] is None


async def test_extras_counters_and_sentinels(session: aiohttp.ClientSession) -> None:
    """32-bit counters stay unsigned; IVT's -48.3 'not connected' becomes None."""
    async with H66Simulator("thermia") as server:
        reading = await H66Source(session, server.host, "thermia").async_read()
    assert reading.extra["compressor_runtime"] == 18734.5  # 187345 h/10
    assert reading.extra["degree_minutes"] == -12.0  # u16(-120), type 8, x0.1
    assert reading.extra["current_l1"] == 6.8  # 68 A/10
    assert reading.settings["operating_program"] == 3.0  # scale override x1
    async with H66Simulator("ivt") as server:
        reading = await H66Source(session, server.host, "ivt").async_read()
    assert reading.extra["indoor_temperature"] is None  # u16(-483) on a Rego
    assert reading.extra["compressor_energy_dhw"] == 10726.0
    assert reading.settings["heating_curve"] == 4.5


async def test_operating_mode_from_flags(sim: H66Simulator, session: aiohttp.ClientSession) -> None:
    """dhw valve + compressor -> dhw; compressor alone -> heating; nothing -> standby."""
    source = H66Source(session, sim.host, "thermia")
    sim.data["1A07"] = 1
    assert (await source.async_read()).operating_mode is OperatingMode.DHW
    sim.data["1A07"] = 0
    assert (await source.async_read()).operating_mode is OperatingMode.HEATING
    sim.data["1A01"] = 0
    reading = await source.async_read()
    assert reading.operating_mode is OperatingMode.STANDBY
    assert reading.compressor_running is False
    # Valve resting in its hot-water position with the compressor off: standby.
    sim.data["1A07"] = 1
    assert (await source.async_read()).operating_mode is OperatingMode.STANDBY


def test_mode_precedence() -> None:
    """defrost > dhw > heating > standby; unknown compressor and no flag -> None."""
    assert derive_operating_mode(defrost=True, dhw=True, compressor=True) is OperatingMode.DEFROST
    assert derive_operating_mode(defrost=True, dhw=None, compressor=False) is (
        OperatingMode.DEFROST
    )
    assert derive_operating_mode(defrost=False, dhw=True, compressor=True) is OperatingMode.DHW
    assert derive_operating_mode(defrost=None, dhw=True, compressor=None) is OperatingMode.DHW
    assert derive_operating_mode(defrost=False, dhw=False, compressor=True) is (
        OperatingMode.HEATING
    )
    assert derive_operating_mode(defrost=False, dhw=False, compressor=False) is (
        OperatingMode.STANDBY
    )
    assert derive_operating_mode(defrost=None, dhw=None, compressor=None) is None


def _custom_table() -> BrandTable:
    """A table with a defrost relay (none of the shipped tables maps one)."""
    return BrandTable.from_dict(
        {
            "brand": "thermia",
            "operating_mode": {"dhw": ["hot_water_relay"]},
            "registers": {
                "0007": {"key": "outside_temperature"},
                "1A01": {"key": "compressor_running"},
                "1A0E": {"key": "defrost_active"},
                "1A07": {"key": "hot_water_relay"},
                "3108": {"key": "compressor_modulation"},
            },
        }
    )


async def test_defrost_beats_dhw_with_custom_table(
    sim: H66Simulator, session: aiohttp.ClientSession
) -> None:
    """A defrost flag wins over the DHW relay and the compressor."""
    source = H66Source(session, sim.host, "thermia", table=_custom_table())
    sim.data.update({"1A0E": 1, "1A07": 1, "1A01": 1, "3108": 655})
    reading = await source.async_read()
    assert reading.operating_mode is OperatingMode.DEFROST
    assert reading.defrost_active is True
    assert reading.compressor_modulation == 65.5  # type 3: percent in tenths
    sim.data["1A0E"] = 0
    assert (await source.async_read()).operating_mode is OperatingMode.DHW


def test_table_validation_rejects_mistakes() -> None:
    """Unquoted ids, wrong contract units and unknown fields are refused."""
    base: dict[str, Any] = {"brand": "x", "registers": {"0007": {"key": "outside_temperature"}}}
    BrandTable.from_dict(base)
    with pytest.raises(ValueError, match="quote"):
        BrandTable.from_dict({**base, "registers": {7: {"key": "outside_temperature"}}})
    with pytest.raises(ValueError, match="must be in W"):
        BrandTable.from_dict({**base, "registers": {"9C01": {"key": "electrical_power"}}})
    with pytest.raises(ValueError, match="status register"):
        BrandTable.from_dict({**base, "registers": {"0007": {"key": "compressor_running"}}})
    with pytest.raises(ValueError, match="unknown fields"):
        BrandTable.from_dict({**base, "registers": {"0007": {"key": "a", "sclae": 1}}})
    with pytest.raises(ValueError, match="used twice"):
        BrandTable.from_dict({**base, "registers": {"0007": {"key": "a"}, "0008": {"key": "a"}}})
    with pytest.raises(ValueError, match="dhw"):
        BrandTable.from_dict({**base, "operating_mode": {"dhw": ["outside_temperature"]}})


# --- logging --------------------------------------------------------------


async def test_unknown_id_logged_once(
    sim: H66Simulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """An id missing from the table is logged on the first poll only."""
    assert UNKNOWN_ID not in load_brand_table("thermia").registers
    caplog.set_level(logging.DEBUG, logger="custom_components.heatpump_stats.sources.h66")
    source = H66Source(session, sim.host, "thermia")
    for _ in range(3):
        await source.async_read()
    assert caplog.text.count(UNKNOWN_ID) == 1
    # A new unknown id later on is logged (once) too.
    sim.data["00FE"] = 1
    await source.async_read()
    await source.async_read()
    assert caplog.text.count("00FE") == 1
    assert UNKNOWN_ID in source.diagnostics()["unknown_ids"]
    # Another source instance logs again.
    await H66Source(session, sim.host, "thermia").async_read()
    assert caplog.text.count(UNKNOWN_ID) == 2


async def test_non_integer_value_is_none_and_logged_once(
    sim: H66Simulator, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """A string/float value yields None for that key and one log line; the rest decodes."""
    source = H66Source(session, sim.host, "thermia")
    sim.data["0004"] = "35.2"
    sim.data["0003"] = 30.9
    for _ in range(2):
        reading = await source.async_read()
        # No usable heat-carrier pair: the radiator pair 0002/0001 stands in.
        assert reading.flow_temperature == 35.8
        assert reading.return_temperature == 31.2
        assert reading.outside_temperature == -5.0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len([r for r in warnings if "0004" in r.getMessage()]) == 1
    assert len([r for r in warnings if "0003" in r.getMessage()]) == 1
    sim.data["0004"] = 352
    sim.data["0003"] = 309
    assert (await source.async_read()).flow_temperature == 35.2


# --- errors and recovery --------------------------------------------------


async def test_http_500_then_recovery(sim: H66Simulator, session: aiohttp.ClientSession) -> None:
    """HTTP 500 is a connection error naming the status; the next good poll works."""
    source = H66Source(session, sim.host, "thermia")
    sim.mode = "http500"
    with pytest.raises(SourceConnectionError, match="500") as err:
        await source.async_read()
    assert isinstance(err.value, HttpStatusError)
    assert err.value.status == 500
    sim.mode = "ok"
    assert (await source.async_read()).outside_temperature == -5.0


@pytest.mark.parametrize("mode", ["garbage", "truncated", "not_object"])
async def test_bad_bodies_are_data_errors(
    mode: str, sim: H66Simulator, session: aiohttp.ClientSession
) -> None:
    """Garbage, truncated JSON and a non-object body -> SourceDataError, then recovery."""
    source = H66Source(session, sim.host, "thermia")
    sim.mode = mode  # type: ignore[assignment]
    with pytest.raises(SourceDataError):
        await source.async_read()
    sim.mode = "ok"
    assert (await source.async_read()).flow_temperature == 35.2


@pytest.mark.parametrize("mode", ["not_found", "html", "foreign_json"])
async def test_something_else_answering_is_not_this_device(
    mode: str, sim: H66Simulator, session: aiohttp.ClientSession
) -> None:
    """A web server without /api/alldata (404), an HTML page, or JSON without a single
    4-hex register id: SourceNotThisDeviceError (the flow says "not an H66 gateway")."""
    source = H66Source(session, sim.host, "thermia")
    sim.mode = mode  # type: ignore[assignment]
    with pytest.raises(SourceNotThisDeviceError):
        await source.async_read()
    sim.mode = "ok"
    assert (await source.async_read()).flow_temperature == 35.2


async def test_timeout_then_recovery(sim: H66Simulator, session: aiohttp.ClientSession) -> None:
    """A gateway that never answers times out within the configured timeout."""
    source = H66Source(session, sim.host, "thermia", timeout=0.3)
    sim.mode = "slow"
    start = time.monotonic()
    with pytest.raises(SourceConnectionError, match="timeout"):
        await source.async_read()
    assert time.monotonic() - start < 2.0
    sim.mode = "ok"
    assert (await source.async_read()).dhw_temperature == 49.8


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    """Nothing listening -> SourceConnectionError."""
    server = H66Simulator()
    host = await server.start()
    await server.close()
    with pytest.raises(SourceConnectionError):
        await H66Source(session, host, "thermia", timeout=2).async_read()


# --- identity, diagnostics, construction ---------------------------------


async def test_identity_and_diagnostics(sim: H66Simulator, session: aiohttp.ClientSession) -> None:
    """Manufacturer from the brand; diagnostics hold the raw JSON of the last poll."""
    source = H66Source(session, sim.host, "nibe")
    assert source.identity.manufacturer == "NIBE"
    assert source.identity.model == "H66 gateway (NIBE)"
    assert source.diagnostics()["alldata"] is None
    await source.async_read()
    diag = source.diagnostics()
    assert diag["alldata"] == recorded_alldata("thermia")
    assert diag["alldata"]["0007"] == 0xFFCE
    assert diag["brand"] == "nibe"
    assert source.state_to_store() is None
    await source.async_close()
    assert H66Source(session, sim.host, "ivt").identity.manufacturer == "IVT"
    assert H66Source(session, sim.host, "thermia").identity.model == "H66 gateway (Thermia)"


async def test_constructor_validates(session: aiohttp.ClientSession) -> None:
    """Unknown brands and malformed hosts are refused; the port is honoured."""
    with pytest.raises(ValueError, match="brand"):
        H66Source(session, "192.168.1.5", "daikin")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="plain host"):
        H66Source(session, "http://192.168.1.5/api", "thermia")
    assert H66Source(session, "192.168.1.5", "ivt").url == "http://192.168.1.5:80/api/alldata"
    assert H66Source(session, "[fe80::1]:8080", "ivt").url == "http://[fe80::1]:8080/api/alldata"


def test_recorded_payloads_are_realistic() -> None:
    """~100 ids per brand, all 4 hex digits, unknown ids present, mapped ids present."""
    for brand in BRANDS:
        data = recorded_alldata(brand)
        assert 90 <= len(data) <= 110
        table = load_brand_table(brand)
        assert {"0007", "0004", "0003", "0009", "1A01"} <= set(data)
        assert set(data) - set(table.registers)


# --- sensor-absent markers, the radiator fallback, real data -------------------


async def test_sensor_absent_markers_are_not_temperatures(
    sim: H66Simulator, session: aiohttp.ClientSession
) -> None:
    """0xDEAD (57005 -> -853.1 °C) and 65015 (-521 -> -52.1 °C) mean "no sensor"."""
    sim.data["0008"] = 0xDEAD
    sim.data["0020"] = 65015
    sim.data["0009"] = u16(-500)  # -50.0 °C is still a reading (the range's bottom)
    reading = await H66Source(session, sim.host, "thermia").async_read()
    assert reading.extra["indoor_temperature"] is None
    assert reading.extra["radiator_forward_2_temperature"] is None
    assert reading.dhw_temperature == -50.0


@pytest.mark.parametrize("brand", BRANDS)
async def test_radiator_pair_when_no_heat_carrier_pair(
    brand: str, session: aiohttp.ClientSession
) -> None:
    """A Thermia reporting only 0002/0001 (radiator forward 35.8 / return 31.2) gets them
    as flow/return; with only one heat-carrier id present, the pair still switches whole."""
    async with H66Simulator(brand) as server:  # type: ignore[arg-type]
        del server.data["0003"], server.data["0004"]
        source = H66Source(session, server.host, brand)  # type: ignore[arg-type]
        reading = await source.async_read()
        assert (reading.flow_temperature, reading.return_temperature) == (35.8, 31.2)
        server.data["0004"] = 352  # heat carrier forward back, its return still missing
        reading = await source.async_read()
        assert (reading.flow_temperature, reading.return_temperature) == (35.8, 31.2)
        server.data["0003"] = 309
        reading = await source.async_read()
        assert (reading.flow_temperature, reading.return_temperature) == (35.2, 30.9)


def test_fallback_must_name_keys_of_the_table() -> None:
    base = {
        "brand": "x",
        "registers": {
            "0004": {"key": "flow_temperature"},
            "0002": {"key": "radiator_forward_temperature"},
        },
    }
    assert BrandTable.from_dict(
        base | {"fallback": {"flow_temperature": "radiator_forward_temperature"}}
    ).fallback == {"flow_temperature": "radiator_forward_temperature"}
    with pytest.raises(ValueError, match="fallback"):
        BrandTable.from_dict(base | {"fallback": {"flow_temperature": "nope"}})
    with pytest.raises(ValueError, match="fallback"):
        BrandTable.from_dict(base | {"fallback": {"radiator_forward_temperature": "x"}})


# A hand-written Thermia payload shaped like the recorded H60 dump below, but with
# only the radiator pair (the case a Thermia owner reported: no flow/return, no COP).
THERMIA_RADIATOR_ONLY = {
    "0001": 287,  # radiator return 28.7
    "0002": 341,  # radiator forward 34.1
    "0007": 45,  # outdoor 4.5
    "0008": 0xDEAD,  # no room sensor
    "0009": 512,  # hot water top 51.2
    "1A01": 1,
    "1A07": 0,
    "1A20": 0,
    "0205": 200,
    "0206": 350,
    "6209": 0,
}


async def test_thermia_radiator_only_fixture(session: aiohttp.ClientSession) -> None:
    async with H66Simulator("thermia") as server:
        server.data = dict(THERMIA_RADIATOR_ONLY)
        reading = await H66Source(session, server.host, "thermia").async_read()
    assert reading.flow_temperature == 34.1
    assert reading.return_temperature == 28.7
    assert reading.outside_temperature == 4.5
    assert reading.dhw_temperature == 51.2
    assert reading.extra["indoor_temperature"] is None
    assert reading.operating_mode is OperatingMode.HEATING
    assert reading.settings["heating_curve"] == 20.0
    assert reading.settings["heating_curve_2"] == 35.0


@pytest.mark.parametrize("brand", BRANDS)
async def test_real_h60_alldata(brand: str, session: aiohttp.ClientSession) -> None:
    """stampzilla-go issue 224: a recorded H60 /api/alldata and the gateway's own view.

    Gateway view: 0003 heat carrier return 27.40, 0004 heat carrier forward 35.80,
    0007 outdoor 19.80 (alldata, read a moment apart: 197 -> 19.7), 0009 warm water
    top 44.30, 0008 indoor -853.10 (0xDEAD: no sensor), 0020 radiator forward 2
    -52.10 (65015: no sensor); 1A01 compressor 0.
    """
    payload = json.loads((realdata_dir("h66") / "stampzilla_224_alldata.json").read_text())
    async with H66Simulator(brand) as server:  # type: ignore[arg-type]
        server.data = payload
        source = H66Source(session, server.host, brand)  # type: ignore[arg-type]
        reading = await source.async_read()
    assert reading.flow_temperature == 35.8
    assert reading.return_temperature == 27.4
    assert reading.outside_temperature == 19.7
    assert reading.dhw_temperature == 44.3
    assert reading.compressor_running is False
    assert reading.operating_mode is OperatingMode.STANDBY
    assert reading.extra["indoor_temperature"] is None
    assert reading.extra.get("radiator_forward_2_temperature") is None
    assert reading.extra["alarm"] == 0.0
    assert reading.settings["heating_curve"] == 20.0
    assert reading.extra["extra_hot_water_hours"] == 0.0
    temperatures = [
        value
        for key, value in reading.extra.items()
        if key.endswith("_temperature") and value is not None
    ]
    assert temperatures, "no temperature decoded"
    assert all(-50 <= t <= 100 for t in temperatures), temperatures


@pytest.mark.parametrize("brand", BRANDS)
async def test_real_h60_alldata_has_no_lifetime_energy_counter(
    brand: str, session: aiohttp.ClientSession
) -> None:
    """Issue 8: mirror the device's counters where it has them. The recorded H60 has none.

    Its ids: types 0 (temperatures), 1 (on/off), 2 (settings), 3 (3104 additional heat),
    6 (6209 extra hot water hours) and A (AFF1/AFF2: the gateway's S0 pulse inputs
    for an external electricity meter, 0 here, with no pulses-per-kWh constant
    known). No energy-type id (first digit 5) and no Rego consumption counter
    (6C55/6C56/6C58/6C59) is present, so no reading field that the totals mirror is
    filled: heat and electricity are counted since setup (README, Counters).
    """
    payload = json.loads((realdata_dir("h66") / "stampzilla_224_alldata.json").read_text())
    assert not [i for i in payload if i.startswith("5")]
    assert not {"6C55", "6C56", "6C58", "6C59"} & set(payload)
    assert {i for i in payload if i.startswith("A")} == {"AFF1", "AFF2"}
    async with H66Simulator(brand) as server:  # type: ignore[arg-type]
        server.data = payload
        source = H66Source(session, server.host, brand)  # type: ignore[arg-type]
        reading = await source.async_read()
    for counter in (
        "electrical_energy",
        "electrical_energy_heating",
        "electrical_energy_dhw",
        "thermal_energy",
        "thermal_energy_heating",
        "thermal_energy_dhw",
    ):
        assert getattr(reading, counter) is None, counter
