"""The Modbus source: register maps, coalesced reads, decoding and faults.

Every device here is real TCP on 127.0.0.1: pymodbus' own server
(`tests/simulators/modbus_server.py`) or a bare asyncio server for devices
that stay silent or answer garbage.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import dataclasses
import logging
from pathlib import Path
import socket
import sys
import time
from typing import Any

import pytest
import yaml

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode
from custom_components.heatpump_stats.sources.base import (
    HeatPumpSource,
    SourceConnectionError,
    SourceDataError,
    SourceNotThisDeviceError,
)
from custom_components.heatpump_stats.sources.modbus import (
    CONTRACT_FLAGS,
    CONTRACT_UNITS,
    ModbusSource,
    ReadBlock,
    RegisterDef,
    RegisterMap,
    RegisterMapError,
    available_models,
    load_register_map,
    parse_register_map,
    plan_requests,
)
from custom_components.heatpump_stats.sources.modbus.framing import foreign_bytes
from tests.simulators.h66_server import H66Simulator
from tests.simulators.modbus_server import (
    NOT_AVAILABLE,
    ModbusSimulator,
    RawServer,
    float32_words,
    int16,
    isg_tables,
    words32,
)

# Home Assistant's test plugin blocks sockets; every device here is on 127.0.0.1.
pytestmark = pytest.mark.usefixtures("socket_enabled")

MODBUS_LOGGER = "custom_components.heatpump_stats.sources.modbus"

# The ISG map's plan: 38 registers in 4 requests (51 registers on the wire).
ISG_PLAN = (
    ReadBlock("input", 506, 17),  # 507..523 system values
    ReadBlock("input", 2500, 7),  # 2501..2507 status
    ReadBlock("input", 3500, 16),  # 3501..3516 energy
    ReadBlock("holding", 1500, 11),  # 1501..1511 parameters
)


@pytest.fixture
def isg_map() -> RegisterMap:
    """The shipped Stiebel Eltron ISG map."""
    return load_register_map("stiebel_eltron_isg")


@pytest.fixture
async def isg_sim() -> AsyncIterator[ModbusSimulator]:
    """An ISG with the known values of `isg_tables`."""
    inputs, holding = isg_tables()
    async with ModbusSimulator(inputs, holding) as sim:
        yield sim


@pytest.fixture
async def isg_source(isg_sim: ModbusSimulator, isg_map: RegisterMap) -> AsyncIterator[ModbusSource]:
    """A source polling `isg_sim`."""
    source = tcp_source(isg_sim.port, isg_map)
    yield source
    await source.async_close()


def tcp_source(port: int, register_map: RegisterMap, timeout: float = 2.0) -> ModbusSource:
    """A Modbus TCP source on 127.0.0.1."""
    return ModbusSource(
        connection="tcp",
        host="127.0.0.1",
        port=port,
        register_map=register_map,
        timeout=timeout,
    )


def custom_map(registers: list[dict[str, Any]], **top: Any) -> RegisterMap:
    """A user map built from Python data, through the YAML parser."""
    document = {"manufacturer": "Test", "model": "T1", "registers": registers, **top}
    return parse_register_map(yaml.safe_dump(document, allow_unicode=True), name="test.yaml")


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def extra_float(reading: HeatPumpReading, key: str) -> float | None:
    """A numeric `extra` value."""
    value = reading.extra[key]
    assert value is None or isinstance(value, float)
    return value


# --------------------------------------------------------------------------- #
# The shipped map
# --------------------------------------------------------------------------- #


def test_isg_map_identity_and_plan(isg_map: RegisterMap) -> None:
    """The ISG map loads, names the device and needs 4 requests for 38 registers."""
    assert "stiebel_eltron_isg" in available_models()
    source = tcp_source(502, isg_map)
    assert source.identity.manufacturer == "Stiebel Eltron"
    assert source.identity.model == "WPM (ISG)"
    assert len(isg_map.registers) == 38
    assert source.request_plan == ISG_PLAN
    # 17 + 7 + 16 + 11 = 51 registers on the wire for 38 values.
    assert sum(block.count for block in source.request_plan) == 51
    # It is a HeatPumpSource (mypy checks this line), with nothing to store.
    as_source: HeatPumpSource = source
    assert as_source.state_to_store() is None
    keys = {reg.key for reg in isg_map.registers} | {comp.key for comp in isg_map.computed}
    assert {
        "outside_temperature",
        "flow_temperature",
        "return_temperature",
        "dhw_temperature",
        "flow_rate",
        "thermal_energy",
        "electrical_energy",
        "thermal_energy_heating_counter",
        "electrical_energy_dhw_counter",
    } <= keys


def test_contract_keys_are_reading_fields() -> None:
    """Every key the map may fill directly is a HeatPumpReading field."""
    names = {f.name for f in dataclasses.fields(HeatPumpReading)}
    assert set(CONTRACT_UNITS) | CONTRACT_FLAGS <= names


async def test_isg_known_answers(isg_source: ModbusSource, isg_sim: ModbusSimulator) -> None:
    """Decoded ISG values against hand-computed answers.

    flow: raw 352, int16 x 0.1 -> 35.2 °C; return 298 -> 29.8 °C; DHW 486 -> 48.6 °C.
    outside: 0xFFCE = 65486 -> 65486 - 65536 = -50 -> x 0.1 = -5.0 °C.
    HK 1: 0xFFFB = -5 -> x 0.1 = -0.5 °C.
    flow rate: 1850 x 0.01 = 18.5 l/min; pressure 182 x 0.01 = 1.82 bar.
    heat heating: MWh 12 x 1000 + kWh 345 + today 6 = 12351 kWh.
    heat DHW: 3 x 1000 + 789 + 2 = 3791 kWh; thermal_energy = 12351 + 3791 = 16142.
    electricity: heating 3 x 1000 + 456 + 2 = 3458; DHW 1 x 1000 + 234 + 1 = 1235;
    electrical_energy = 3458 + 1235 = 4693 kWh.
    status 0b0101_0001: bit 0 HC1 pump, bit 4 heating, bit 6 compressor.
    """
    reading = await isg_source.async_read()
    assert reading.timestamp.tzinfo is not None
    assert reading.flow_temperature == 35.2
    assert reading.return_temperature == 29.8
    assert reading.dhw_temperature == 48.6
    assert reading.outside_temperature == -5.0
    assert extra_float(reading, "heating_circuit_1_temperature") == -0.5
    assert reading.flow_rate == 18.5
    assert extra_float(reading, "heating_pressure") == 1.82
    assert extra_float(reading, "thermal_energy_heating_counter") == 12351.0
    assert extra_float(reading, "thermal_energy_dhw_counter") == 3791.0
    assert reading.thermal_energy == 16142.0
    assert extra_float(reading, "electrical_energy_heating_counter") == 3458.0
    assert extra_float(reading, "electrical_energy_dhw_counter") == 1235.0
    assert reading.electrical_energy == 4693.0
    assert extra_float(reading, "thermal_energy_heating_today") == 6.0
    assert extra_float(reading, "booster_heat_heating_total") == 12.0
    assert reading.operating_mode is OperatingMode.HEATING
    assert reading.compressor_running is True
    assert reading.circulation_pump is True
    assert reading.defrost_active is False
    # The ISG has no compressor modulation or electrical power register.
    assert reading.compressor_modulation is None
    assert reading.electrical_power is None
    # Configuration goes to `settings` (the change log): 220 x 0.1 = 22.0 °C,
    # heating curve 45 x 0.01 = 0.45; operating mode 2 = program.
    assert reading.settings == {
        "operating_program": "program",
        "comfort_temperature_hc1": 22.0,
        "eco_temperature_hc1": 19.0,
        "heating_curve_rise_hc1": 0.45,
        "dhw_comfort_temperature": 50.0,
        "dhw_eco_temperature": 45.0,
    }
    # The parts of composite totals stay internal.
    assert "thermal_energy_heating_total_mwh" not in reading.extra
    # An enum value the map does not know shows as its number.
    isg_sim.set_holding(1500, 9)
    assert (await isg_source.async_read()).settings["operating_program"] == "9"


async def test_isg_requests_per_poll(isg_source: ModbusSource, isg_sim: ModbusSimulator) -> None:
    """38 registers cost 4 requests per poll, counted on both ends."""
    for _ in range(3):
        isg_sim.requests.clear()
        await isg_source.async_read()
        assert isg_source.last_poll_requests == 4
        assert [(r.function_code, r.address, r.count) for r in isg_sim.requests] == [
            (4, 506, 17),
            (4, 2500, 7),
            (4, 3500, 16),
            (3, 1500, 11),
        ]


async def test_sentinels_read_as_none(isg_source: ModbusSource, isg_sim: ModbusSimulator) -> None:
    """0x8000 ("not available") becomes None, and so does any sum that needs it."""
    isg_sim.set_input(506, NOT_AVAILABLE)  # outside
    isg_sim.set_input(521, NOT_AVAILABLE)  # DHW
    isg_sim.set_input(3502, NOT_AVAILABLE)  # heat heating total, MWh part
    reading = await isg_source.async_read()
    assert reading.outside_temperature is None
    assert reading.dhw_temperature is None
    assert extra_float(reading, "thermal_energy_heating_counter") is None
    assert reading.thermal_energy is None  # a part is unknown
    assert reading.electrical_energy == 4693.0  # its parts are all there
    assert reading.flow_temperature == 35.2
    assert extra_float(reading, "active_error") is None  # 0x8000 = no error
    status = isg_source.diagnostics()["registers"]["outside_temperature"]
    assert status["raw_words"] == [0x8000]
    assert status["status"] == "not available (sentinel)"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # (mode, compressor_running, circulation_pump, defrost_active)
        # No mode bit: standby.
        (0, (OperatingMode.STANDBY, False, False, False)),
        # HC1 pump (0) + heating (4) + compressor (6) = 1 + 16 + 64 = 81.
        (0b0101_0001, (OperatingMode.HEATING, True, True, False)),
        # DHW (5) beats heating (4): 32 + 16 + 64 = 112.
        (0b0111_0000, (OperatingMode.DHW, True, False, False)),
        # Defrost (9) beats DHW and heating: 512 + 32 + 16 = 560.
        (0b10_0011_0000, (OperatingMode.DEFROST, False, False, True)),
        # Cooling (8) alone: 256 + 64 = 320.
        (0b1_0100_0000, (OperatingMode.COOLING, True, False, False)),
        # 0x8000: the status itself is not available.
        (0x8000, (None, None, None, None)),
    ],
)
async def test_status_bits_decode_mode_and_flags(
    isg_source: ModbusSource,
    isg_sim: ModbusSimulator,
    raw: int,
    expected: tuple[OperatingMode | None, bool | None, bool | None, bool | None],
) -> None:
    """Status bits -> flags, and the mode by precedence defrost > dhw > heating > cooling."""
    isg_sim.set_input(2500, raw)
    reading = await isg_source.async_read()
    assert (
        reading.operating_mode,
        reading.compressor_running,
        reading.circulation_pump,
        reading.defrost_active,
    ) == expected


async def test_daily_rollover_keeps_counters_continuous(
    isg_source: ModbusSource, isg_sim: ModbusSimulator
) -> None:
    """total + today neither dips nor jumps when the ISG books the day at midnight.

    Start: 12 MWh + 345 kWh + 6 today = 12351 kWh.
    """

    async def heating_counter() -> float | None:
        return extra_float(await isg_source.async_read(), "thermal_energy_heating_counter")

    assert await heating_counter() == 12351.0
    # Day part restarts first; the total still says 12345: 12345 + 6 carried = 12351.
    isg_sim.set_input(3500, 0)
    assert await heating_counter() == 12351.0
    isg_sim.set_input(3500, 1)  # 1 kWh after midnight
    assert await heating_counter() == 12352.0
    # Now the total takes in the day: 12351 + 1 today = 12352.
    isg_sim.set_input(3501, 351)
    assert await heating_counter() == 12352.0
    # Next midnight the other way round: today is 20 -> 12371, then the
    # total grows first (12371 + 20 would be 12391), then the day restarts.
    isg_sim.set_input(3500, 20)
    assert await heating_counter() == 12371.0
    isg_sim.set_input(3501, 371)
    assert await heating_counter() == 12371.0
    isg_sim.set_input(3500, 0)
    assert await heating_counter() == 12371.0
    isg_sim.set_input(3500, 3)
    assert await heating_counter() == 12374.0
    # Both steps in one poll: total 12374, today restarts at 2 -> 12376.
    isg_sim.set_input(3501, 374)
    isg_sim.set_input(3500, 2)
    assert await heating_counter() == 12376.0
    # A total that grows by more than today held (12374 -> 12999) is real
    # energy: 12999 + 2 today, of which the total already took in 2 -> 12999.
    isg_sim.set_input(3501, 999)
    assert await heating_counter() == 12999.0
    # The kWh part wraps into the MWh part: 13 x 1000 + 0 = 13000.
    isg_sim.set_input(3501, 0)
    isg_sim.set_input(3502, 13)
    assert await heating_counter() == 13000.0
    isg_sim.set_input(3500, 0)  # the day restarts: nothing left to carry
    assert await heating_counter() == 13000.0


# --------------------------------------------------------------------------- #
# User maps: decoding and validation
# --------------------------------------------------------------------------- #


async def test_word_orders_and_32_bit_types() -> None:
    """float32/int32/uint32 in both word orders, a uint16 sentinel, odd scales.

    21.5 as float32 = 0x41AC0000: big = [0x41AC, 0x0000], little = [0x0000, 0x41AC].
    123456789 = 0x075BCD15: big = [0x075B, 0xCD15], little = [0xCD15, 0x075B].
    -2 as int32 = 0xFFFFFFFE -> -2 x 0.5 = -1.0.
    0xFFFF as uint16 is the sentinel -> None; 1234 x 0.01 = 12.34 (unit W... kW x 1000).
    """
    registers = [
        {"key": "flow_temperature", "address": 100, "data_type": "float32"},
        {"key": "dhw_temperature", "address": 102, "data_type": "float32", "word_order": "little"},
        {"key": "pulses_big", "address": 104, "data_type": "uint32"},
        {"key": "pulses_little", "address": 106, "data_type": "uint32", "word_order": "little"},
        {"key": "signed_pair", "address": 108, "data_type": "int32", "scale": 0.5},
        {"key": "compressor_modulation", "address": 110, "data_type": "uint16"},
        {"key": "electrical_power", "address": 111, "data_type": "uint16", "scale": 0.01},
    ]
    test_map = custom_map(registers, defaults={"register_type": "holding", "sentinels": [0xFFFF]})
    table = dict(
        enumerate(
            float32_words(21.5)
            + float32_words(21.5, "little")
            + words32(123456789)
            + words32(123456789, "little")
            + words32(-2 & 0xFFFFFFFF)
            + [0xFFFF, 1234],
            start=100,
        )
    )
    assert table[100] == 0x41AC
    assert table[103] == 0x41AC
    async with ModbusSimulator(holding_registers=table) as sim:
        source = tcp_source(sim.port, test_map)
        try:
            reading = await source.async_read()
        finally:
            await source.async_close()
    assert source.request_plan == (ReadBlock("holding", 100, 12),)
    assert reading.flow_temperature == 21.5
    assert reading.dhw_temperature == 21.5
    assert extra_float(reading, "pulses_big") == 123456789.0
    assert extra_float(reading, "pulses_little") == 123456789.0
    assert extra_float(reading, "signed_pair") == -1.0
    assert reading.compressor_modulation is None
    assert reading.electrical_power == 12.34


def test_map_defaults_and_user_file(tmp_path: Path) -> None:
    """A user's YAML file loads by path; defaults fill every register."""
    path = tmp_path / "my_pump.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "manufacturer": "Acme",
                "model": "HP 9",
                "defaults": {"register_type": "holding", "data_type": "int16", "scale": 0.1},
                "registers": [
                    {"key": "flow_temperature", "address": 0, "unit": "°C"},
                    {"key": "power_meter", "address": 1, "data_type": "uint32", "scale": 1},
                ],
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    loaded = load_register_map(path)
    assert loaded.name == "my_pump.yaml"
    assert (loaded.manufacturer, loaded.model) == ("Acme", "HP 9")
    flow, meter = loaded.registers
    assert (flow.register_type, flow.data_type, flow.scale) == ("holding", "int16", 0.1)
    assert (meter.data_type, meter.scale, meter.count) == ("uint32", 1.0, 2)
    assert loaded.extra_units == {"power_meter": None}


GOOD_REGISTER: dict[str, Any] = {
    "key": "flow_temperature",
    "address": 1,
    "register_type": "input",
    "data_type": "int16",
}


@pytest.mark.parametrize(
    ("registers", "computed", "register", "field", "words"),
    [
        pytest.param(
            [{**GOOD_REGISTER, "data_type": "int8"}],
            [],
            "flow_temperature",
            "data_type",
            ["int8", "int16"],
            id="bad data_type",
        ),
        pytest.param(
            [{k: v for k, v in GOOD_REGISTER.items() if k != "address"}],
            [],
            "flow_temperature",
            "address",
            ["required"],
            id="missing address",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "scale": "0.1"}],
            [],
            "flow_temperature",
            "scale",
            ["number", "'0.1'"],
            id="scale not a number",
        ),
        pytest.param(
            [GOOD_REGISTER, {**GOOD_REGISTER, "address": 2}],
            [],
            "flow_temperature",
            "key",
            ["duplicate"],
            id="duplicate key",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "unit": "K"}],
            [],
            "flow_temperature",
            "unit",
            ["°C"],
            id="contract unit",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "adress": 3}],
            [],
            "flow_temperature",
            "adress",
            ["not a known field"],
            id="unknown field",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "key": "status", "states": {"bits": {16: "x_flag"}}}],
            [],
            "status",
            "states.bits.16",
            ["outside 16 bits"],
            id="state bit out of range",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "sentinels": [70000]}],
            [],
            "flow_temperature",
            "sentinels.0",
            ["70000", "int16"],
            id="sentinel too large",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "key": "st", "states": {"modes": [{"mode": "dhw"}]}}],
            [],
            "st",
            "states.modes.0",
            ["exactly one of"],
            id="mode rule without bit",
        ),
        pytest.param(
            [GOOD_REGISTER],
            [{"key": "thermal_energy", "sum": [{"key": "flow_temperature"}, {"key": "nope"}]}],
            "thermal_energy",
            "sum.1.key",
            ["'nope'"],
            id="sum of unknown key",
        ),
        pytest.param(
            [{**GOOD_REGISTER, "address": True}],
            [],
            "flow_temperature",
            "address",
            ["whole number"],
            id="address not a number",
        ),
    ],
)
def test_map_validation_names_register_and_field(
    registers: list[dict[str, Any]],
    computed: list[dict[str, Any]],
    register: str,
    field: str,
    words: list[str],
) -> None:
    """Each mistake is reported with the register's name and the field."""
    with pytest.raises(RegisterMapError) as caught:
        custom_map(registers, computed=computed)
    err = caught.value
    assert isinstance(err, ValueError)
    assert (err.register, err.field) == (register, field)
    text = str(err)
    assert "\n" not in text
    assert f"register '{register}'" in text
    assert f"field '{field}'" in text
    assert text.startswith("test.yaml: ")
    for word in words:
        assert word in text


def test_map_validation_reports_every_problem() -> None:
    """Several mistakes: all listed, on one line; the first one locates the error."""
    with pytest.raises(RegisterMapError) as caught:
        custom_map(
            [
                {**GOOD_REGISTER, "data_type": "double"},
                {**GOOD_REGISTER, "key": "return_temperature", "scale": "x"},
            ]
        )
    err = caught.value
    assert len(err.problems) == 2
    assert (err.register, err.field) == ("flow_temperature", "data_type")
    assert "2 problems" in str(err)
    assert "register 'return_temperature', field 'scale'" in str(err)
    assert "\n" not in str(err)


def test_map_loading_errors(tmp_path: Path) -> None:
    """Unknown model, missing file, broken YAML, missing top-level fields."""
    with pytest.raises(RegisterMapError, match="unknown model 'no_such_pump'") as caught:
        load_register_map("no_such_pump")
    assert caught.value.field == "model"
    with pytest.raises(RegisterMapError, match="cannot read"):
        load_register_map(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("registers:\n  - key: [unclosed\n", encoding="utf-8")
    with pytest.raises(RegisterMapError, match=r"broken\.yaml: invalid YAML at line \d"):
        load_register_map(broken)
    with pytest.raises(RegisterMapError) as caught:
        parse_register_map("registers: []\nmodel: x\n", name="t.yaml")
    assert caught.value.field == "manufacturer"
    assert "2 problems" in str(caught.value)  # manufacturer missing, registers empty
    with pytest.raises(RegisterMapError) as caught:
        parse_register_map(
            "manufacturer: a\nmodel: b\ndefaults: {scale: zero}\nregisters: [{key: a}]\n"
        )
    assert (caught.value.register, caught.value.field) == (None, "defaults.scale")


# --------------------------------------------------------------------------- #
# Request planning
# --------------------------------------------------------------------------- #


def reg(key: str, address: int, data_type: str = "uint16", kind: str = "input") -> RegisterDef:
    """A bare register for planning tests."""
    return RegisterDef(key, address, kind, data_type)  # type: ignore[arg-type]


def test_plan_bridges_small_gaps_only() -> None:
    """A hole of 10 registers is read and discarded; a hole of 11 starts a new request."""
    # 0 and 11: hole 1..10 = 10 registers -> one request of 12.
    assert plan_requests([reg("a", 0), reg("b", 11)]) == (ReadBlock("input", 0, 12),)
    # 0 and 12: hole of 11 -> two requests.
    assert plan_requests([reg("a", 0), reg("b", 12)]) == (
        ReadBlock("input", 0, 1),
        ReadBlock("input", 12, 1),
    )
    assert plan_requests([reg("a", 0), reg("b", 12)], max_gap=11) == (ReadBlock("input", 0, 13),)
    # Types never share a request; input comes first.
    assert plan_requests([reg("h", 5, kind="holding"), reg("i", 5)]) == (
        ReadBlock("input", 5, 1),
        ReadBlock("holding", 5, 1),
    )


def test_plan_respects_125_registers_and_keeps_32_bit_values_whole() -> None:
    """A request holds at most 125 registers and never splits a 32-bit value."""
    # 200 consecutive registers: 125 + 75.
    many = [reg(f"r{i}", i) for i in range(200)]
    assert plan_requests(many) == (ReadBlock("input", 0, 125), ReadBlock("input", 125, 75))
    # A uint32 at 124 would end at 126 > 125: it starts the next request whole.
    assert plan_requests([reg("a", 0), reg("b", 124, "uint32")]) == (
        ReadBlock("input", 0, 1),
        ReadBlock("input", 124, 2),
    )
    # Overlapping views of one word share the request.
    assert plan_requests([reg("a", 10, "uint32"), reg("b", 11)]) == (ReadBlock("input", 10, 2),)
    # A learned cut at 5 keeps 4 and 5 apart.
    assert plan_requests([reg("a", 4), reg("b", 5)], cuts={"input": [5]}) == (
        ReadBlock("input", 4, 1),
        ReadBlock("input", 5, 1),
    )


# --------------------------------------------------------------------------- #
# Refused addresses
# --------------------------------------------------------------------------- #


async def test_refused_register_does_not_blank_its_block(
    isg_source: ModbusSource, isg_sim: ModbusSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    """One address answering exception 2 costs only its own value, and only once."""
    caplog.set_level(logging.INFO, logger=MODBUS_LOGGER)
    isg_sim.refuse("input", 512)  # flow temperature, in the middle of block 506..522
    reading = await isg_source.async_read()
    assert reading.flow_temperature is None
    # Its neighbours in the same block are all there.
    assert reading.outside_temperature == -5.0
    assert extra_float(reading, "heating_circuit_1_temperature") == -0.5
    assert extra_float(reading, "flow_temperature_booster") == 35.3
    assert reading.return_temperature == 29.8
    assert reading.dhw_temperature == 48.6
    assert reading.thermal_energy == 16142.0
    # Splitting cost extra requests this once.
    assert isg_source.last_poll_requests > 4
    assert isg_source.unsupported_registers == {"flow_temperature"}
    logged = [r for r in caplog.records if "not supported" in r.getMessage()]
    assert len(logged) == 1
    assert "flow_temperature" in logged[0].getMessage()
    # Next poll: address 512 is no longer asked for, so its block is read in
    # two parts around it (5 requests), without any refusal; no new log.
    assert (
        isg_source.request_plan
        == (
            ReadBlock("input", 506, 4),  # 506, 507, 509
            ReadBlock("input", 513, 10),  # 513..522
            *ISG_PLAN[1:],
        )
    )
    isg_sim.requests.clear()
    reading = await isg_source.async_read()
    assert reading.flow_temperature is None
    assert reading.return_temperature == 29.8
    assert isg_source.last_poll_requests == len(isg_sim.requests) == 5
    assert isg_source.diagnostics()["last_poll"]["refused_requests"] == 0
    assert all(
        not (r.function_code == 4 and r.address <= 512 < r.address + r.count)
        for r in isg_sim.requests
    )
    assert len([r for r in caplog.records if "not supported" in r.getMessage()]) == 1
    diag = isg_source.diagnostics()["registers"]["flow_temperature"]
    assert diag["status"] == "unsupported (exception 2)"


async def test_refused_hole_is_no_longer_bridged() -> None:
    """A device that refuses an unused address between two values: split once, then 2 requests."""
    test_map = custom_map(
        [
            {"key": "outside_temperature", "address": 10, "scale": 0.1},
            {"key": "flow_temperature", "address": 15, "scale": 0.1},
        ],
        defaults={"register_type": "input", "data_type": "int16"},
    )
    # Only 10 and 15 exist: the bridged hole 11..14 answers exception 2.
    async with ModbusSimulator({10: int16(-12), 15: 401}) as sim:
        source = tcp_source(sim.port, test_map)
        try:
            assert list(source.request_plan) == [ReadBlock("input", 10, 6)]
            reading = await source.async_read()
            # -12 x 0.1 = -1.2 °C; 401 x 0.1 = 40.1 °C.
            assert (reading.outside_temperature, reading.flow_temperature) == (-1.2, 40.1)
            assert source.last_poll_requests == 3  # the block, then each half
            assert list(source.request_plan) == [
                ReadBlock("input", 10, 1),
                ReadBlock("input", 15, 1),
            ]
            reading = await source.async_read()
            assert source.last_poll_requests == 2
            assert reading.flow_temperature == 40.1
            assert source.unsupported_registers == frozenset()
        finally:
            await source.async_close()


async def test_nothing_readable_is_a_data_error(isg_map: RegisterMap) -> None:
    """A device that refuses every request: SourceDataError, not a connection error."""
    async with ModbusSimulator({0: 1}, {0: 1}) as sim:
        source = tcp_source(sim.port, isg_map)
        try:
            with pytest.raises(SourceDataError, match="no register"):
                await source.async_read()
            # Everything was refused with exception 2: nothing is asked again.
            assert source.request_plan == ()
            with pytest.raises(SourceDataError):
                await source.async_read()
            assert source.last_poll_requests == 0
        finally:
            await source.async_close()


def short_answer(request: bytes) -> bytes:
    """A well-formed Modbus TCP answer carrying one register, whatever was asked."""
    transaction, unit, function = request[0:2], request[6:7], request[7:8]
    pdu = function + b"\x02" + (352).to_bytes(2, "big")
    return transaction + b"\x00\x00" + (len(pdu) + 1).to_bytes(2, "big") + unit + pdu


async def test_truncated_answers_are_a_data_error(isg_map: RegisterMap) -> None:
    """Answers shorter than asked are not decoded into wrong registers."""
    async with RawServer(short_answer) as server:
        source = tcp_source(server.port, isg_map, timeout=1.0)
        try:
            with pytest.raises(SourceDataError):
                await source.async_read()
            assert source.last_poll_requests == 4
            assert source.diagnostics()["registers"]["flow_temperature"]["status"].startswith(
                "short answer"
            )
        finally:
            await source.async_close()


# --------------------------------------------------------------------------- #
# Connection faults
# --------------------------------------------------------------------------- #


async def test_connection_refused(isg_map: RegisterMap) -> None:
    """Nothing listening: SourceConnectionError at once."""
    source = tcp_source(free_port(), isg_map, timeout=2.0)
    started = time.monotonic()
    with pytest.raises(SourceConnectionError, match="cannot connect"):
        await source.async_read()
    assert time.monotonic() - started < 1.0
    await source.async_close()


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(lambda _data: None, id="silent"),
        # An MBAP header announcing 200 bytes, then only 3 of them.
        pytest.param(lambda data: data[0:4] + b"\x00\xc8\x01\x04\x02", id="truncated"),
    ],
)
async def test_unanswered_request_times_out(isg_map: RegisterMap, respond: Any) -> None:
    """A device that accepts but never answers properly fails within the timeout."""
    async with RawServer(respond) as server:
        source = tcp_source(server.port, isg_map, timeout=0.5)
        started = time.monotonic()
        with pytest.raises(SourceConnectionError, match=r"0\.5 s|No response"):
            await source.async_read()
        elapsed = time.monotonic() - started
        await source.async_close()
    assert server.received  # the request went out: this was no connect failure
    assert 0.4 <= elapsed < 1.2


@pytest.mark.parametrize(
    ("data", "foreign"),
    [
        (b"\x00\x01\x00\x00\x00\x05\x01\x04\x02\x01\x60", False),  # an answer: 2 bytes
        (b"\x00\x01\x00\x00", False),  # a header still arriving
        (b"\x00\x01\x00\x00\x01\x00", True),  # length 256 > 254
        (b"\x00\x01\x00\x00\x00\x01", True),  # length 1: not even unit + function
        (b"HTTP/1.1 400 Bad Request\r\n", True),  # protocol id "TP"
    ],
)
def test_foreign_bytes_known_answers(data: bytes, *, foreign: bool) -> None:
    """Transaction id (2 bytes), protocol id 0 (2), length 2..254 (2): else not Modbus TCP."""
    assert foreign_bytes(data) is foreign


@pytest.mark.parametrize(
    "respond",
    [
        pytest.param(lambda _data: b"\xde\xad\xbe\xef" * 4, id="garbage"),
        # Transaction id and protocol id 0 as asked, but a length no Modbus answer has.
        pytest.param(lambda data: data[0:4] + b"\x10\x00\x01\x04", id="length"),
    ],
)
async def test_foreign_bytes_are_not_a_modbus_device(isg_map: RegisterMap, respond: Any) -> None:
    """Bytes that cannot start a Modbus TCP answer: SourceNotThisDeviceError at once (before,
    the request waited out its 30 s timeout and said SourceConnectionError)."""
    async with RawServer(respond) as server:
        source = tcp_source(server.port, isg_map, timeout=30.0)
        with pytest.raises(SourceNotThisDeviceError, match="not with Modbus TCP frames"):
            await source.async_read()
        assert source.diagnostics()["connection"]["connected"] is False
        await source.async_close()
    assert server.received


async def test_web_server_on_the_port_is_not_a_modbus_device(isg_map: RegisterMap) -> None:
    """An HTTP server (aiohttp, here the H66 simulator) answers the binary request with
    ``HTTP/1.1 400 Bad Request``: said as "not a Modbus device", and the error shows
    what answered."""
    async with H66Simulator("thermia") as web:
        port = int(web.host.rsplit(":", 1)[1])
        source = tcp_source(port, isg_map, timeout=30.0)
        with pytest.raises(SourceNotThisDeviceError, match=r"b'HTTP/1\.\d 400"):
            await source.async_read()
        await source.async_close()


async def test_cancelled_poll_drops_the_connection(isg_map: RegisterMap) -> None:
    """A poll cancelled mid-request (e.g. by the caller's own timeout) leaves no half exchange."""
    async with RawServer() as silent:
        source = tcp_source(silent.port, isg_map, timeout=5.0)
        poll = asyncio.ensure_future(source.async_read())
        await asyncio.wait_for(silent.got_request.wait(), 2.0)
        assert source.diagnostics()["connection"]["connected"] is True
        poll.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poll
        assert source.diagnostics()["connection"]["connected"] is False
        await source.async_close()


async def test_recovers_after_the_device_returns(
    isg_source: ModbusSource, isg_sim: ModbusSimulator
) -> None:
    """Device gone -> SourceConnectionError; back on its port -> readings again."""
    assert (await isg_source.async_read()).flow_temperature == 35.2
    port = isg_sim.port
    await isg_sim.stop()
    await asyncio.sleep(0.05)  # between polls the client sees the connection close
    started = time.monotonic()
    with pytest.raises(SourceConnectionError, match="cannot connect"):
        await isg_source.async_read()
    with pytest.raises(SourceConnectionError, match="cannot connect"):
        await isg_source.async_read()
    assert time.monotonic() - started < 1.0  # refused at once, no timeout wait
    isg_sim.set_input(512, 401)
    await isg_sim.start(port)
    assert (await isg_source.async_read()).flow_temperature == 40.1
    assert isg_source.diagnostics()["last_error"] is None


async def test_failing_source_does_not_delay_another(isg_map: RegisterMap) -> None:
    """Two heat pumps polled together: the silent one never holds up the good one."""
    inputs, holding = isg_tables()
    async with RawServer() as silent, ModbusSimulator(inputs, holding) as good_sim:
        bad = tcp_source(silent.port, isg_map, timeout=1.5)
        good = tcp_source(good_sim.port, isg_map, timeout=1.5)

        async def poll_good() -> float:
            started = time.monotonic()
            for _ in range(5):
                assert (await good.async_read()).flow_temperature == 35.2
            return time.monotonic() - started

        started = time.monotonic()
        bad_result, good_elapsed = await asyncio.gather(
            bad.async_read(), poll_good(), return_exceptions=True
        )
        total = time.monotonic() - started
        await bad.async_close()
        await good.async_close()
    assert isinstance(bad_result, SourceConnectionError)
    assert isinstance(good_elapsed, float)
    assert good_elapsed < 0.5  # five polls while the other waits its 1.5 s out
    assert total >= 1.4


# --------------------------------------------------------------------------- #
# RTU and construction
# --------------------------------------------------------------------------- #


async def test_rtu_framing_over_a_socket(isg_map: RegisterMap) -> None:
    """The serial client speaks RTU frames (CRC, unit 7) via pyserial's socket:// port."""
    pytest.importorskip("serial", reason="Modbus RTU needs pyserial")
    inputs, holding = isg_tables()
    async with ModbusSimulator(inputs, holding, framer="rtu", device_id=7) as sim:
        source = ModbusSource(
            connection="rtu",
            serial_port=f"socket://127.0.0.1:{sim.port}",
            unit_id=7,
            baudrate=19200,
            register_map=isg_map,
            timeout=2.0,
        )
        try:
            reading = await source.async_read()
        finally:
            await source.async_close()
    assert reading.flow_temperature == 35.2
    assert reading.thermal_energy == 16142.0
    assert len(sim.requests) == 4
    assert source.diagnostics()["connection"]["type"] == "rtu"


async def test_rtu_without_pyserial_is_a_connection_error(
    isg_map: RegisterMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without pyserial the RTU path fails with a message that says what is missing."""
    monkeypatch.delitem(sys.modules, "serial", raising=False)
    source = ModbusSource(
        connection="rtu", serial_port="/dev/ttyUSB0", register_map=isg_map, timeout=0.5
    )
    with pytest.raises(SourceConnectionError, match="pyserial"):
        await source.async_read()
    await source.async_close()


def test_constructor_checks_the_connection(isg_map: RegisterMap) -> None:
    """TCP needs a host, RTU a serial port; unit ids are 0..255."""
    with pytest.raises(ValueError, match="host"):
        ModbusSource(connection="tcp", register_map=isg_map)
    with pytest.raises(ValueError, match="serial_port"):
        ModbusSource(connection="rtu", register_map=isg_map)
    with pytest.raises(ValueError, match="unit_id"):
        ModbusSource(connection="tcp", host="h", unit_id=300, register_map=isg_map)


async def test_diagnostics_hold_raw_words_and_plan(
    isg_source: ModbusSource, isg_sim: ModbusSimulator
) -> None:
    """Diagnostics: raw words per register, decoded values, the plan, the poll's cost."""
    await isg_source.async_read()
    diag = isg_source.diagnostics()
    assert diag["request_plan"] == [
        {"register_type": "input", "address": 506, "count": 17},
        {"register_type": "input", "address": 2500, "count": 7},
        {"register_type": "input", "address": 3500, "count": 16},
        {"register_type": "holding", "address": 1500, "count": 11},
    ]
    outside = diag["registers"]["outside_temperature"]
    assert outside["raw_words"] == [0xFFCE]
    assert outside["value"] == -5.0
    assert diag["registers"]["thermal_energy_heating_total_mwh"]["raw_words"] == [12]
    assert diag["computed"]["thermal_energy"] == 16142.0
    assert diag["last_poll"]["requests"] == 4
    assert diag["last_poll"]["registers_read"] == 51
    assert diag["connection"]["connected"] is True
    assert diag["connection"]["host"] == "127.0.0.1"
    await isg_source.async_close()
    assert isg_source.diagnostics()["connection"]["connected"] is False
