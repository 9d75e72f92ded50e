"""The Luxtronik source against a simulated Luxtronik 2 controller (real TCP on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
import dataclasses
from datetime import UTC, datetime
import socket
import time
from typing import Any

import pytest

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode
from custom_components.heatpump_stats.sources.base import (
    SourceConnectionError,
    SourceDataError,
    SourceNotThisDeviceError,
)
from custom_components.heatpump_stats.sources.luxtronik import (
    DEFAULT_MODEL,
    DEFAULT_PORT,
    DIAGNOSTICS_TO_REDACT,
    MANUFACTURER,
    OPERATING_STATE_OPTIONS,
    REDACTED,
    LuxtronikSource,
)
from tests.simulators.luxtronik_server import (
    CMD_CALCULATIONS,
    CMD_PARAMETERS,
    CMD_VISIBILITIES,
    LuxtronikSimulator,
    default_calculations,
    default_parameters,
    default_visibilities,
)
from tests.sources.realdata import realdata_dir

# Home Assistant's test plugin blocks sockets; the simulator is real TCP on 127.0.0.1.
pytestmark = pytest.mark.usefixtures("socket_enabled")

PARAMS = len(default_parameters())
CALCS = len(default_calculations())
VISIS = len(default_visibilities())
# Reply sizes: parameters = echo + count + values; calculations add a status.
PARAM_REPLY = 8 + 4 * PARAMS
CALC_REPLY = 12 + 4 * CALCS


@pytest.fixture
async def sim() -> AsyncIterator[LuxtronikSimulator]:
    """A running simulator with the default (realistic) tables."""
    server = LuxtronikSimulator()
    await server.start()
    yield server
    await server.stop()


def source_for(server: LuxtronikSimulator, timeout: float = 5.0) -> LuxtronikSource:
    return LuxtronikSource("127.0.0.1", server.port, timeout=timeout)


def without_timestamp(reading: HeatPumpReading) -> HeatPumpReading:
    return dataclasses.replace(reading, timestamp=datetime(2000, 1, 1, tzinfo=UTC))


async def until(condition: Callable[[], bool]) -> None:
    """Give the simulator's handlers a moment to notice what the client did."""
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.005)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_default_port_is_the_protocol_port() -> None:
    source = LuxtronikSource("192.0.2.1")
    assert DEFAULT_PORT == 8889
    assert source._port == 8889  # not 8888, the web port


async def test_contract_values_known_answers(sim: LuxtronikSimulator) -> None:
    reading = await source_for(sim).async_read()

    assert reading.timestamp.tzinfo is not None
    assert reading.flow_temperature == 35.2  # raw 352
    assert reading.return_temperature == 30.1
    assert reading.outside_temperature == -5.2  # signed int32
    assert reading.dhw_temperature == 48.3
    assert reading.operating_mode is OperatingMode.HEATING
    assert reading.compressor_running is True
    assert reading.defrost_active is False
    assert reading.circulation_pump is True
    assert reading.flow_rate == 20.0  # 1200 l/h
    assert reading.thermal_energy == pytest.approx(12345.6 + 2345.6)
    assert reading.thermal_power == pytest.approx(6.2)  # Heat_Output 6200 W
    assert reading.compressor_modulation is None
    assert reading.electrical_power is None
    assert reading.electrical_energy is None


async def test_extras_and_settings(sim: LuxtronikSimulator) -> None:
    reading = await source_for(sim).async_read()
    extra = reading.extra

    assert extra["thermal_energy_heating_counter"] == pytest.approx(12345.6)
    assert extra["thermal_energy_dhw_counter"] == pytest.approx(2345.6)
    assert extra["thermal_energy_pool_counter"] == 0.0
    assert extra["hot_gas_temperature"] == 78.1
    assert extra["heat_source_inlet_temperature"] == -4.1
    assert extra["heat_source_outlet_temperature"] == -8.3
    assert extra["return_target_temperature"] == 30.5
    assert extra["outside_temperature_average"] == -3.1
    assert extra["dhw_target_temperature"] == 50.0
    assert extra["mixing_circuit_1_flow_temperature"] == 31.2
    assert extra["compressor_suction_temperature"] == -4.5
    assert extra["evaporator_suction_temperature"] == -9.2
    assert extra["superheat"] == 5.2
    assert extra["high_pressure"] == 18.5
    assert extra["low_pressure"] == 6.2
    assert extra["compressor_frequency"] is None  # fixed-speed unit reports 0
    assert extra["circulation_pump_speed"] == 65.0
    assert extra["heat_source_flow_rate"] is None  # air source: no brine flow
    assert extra["operating_hours_compressor"] == 10000.0
    assert extra["operating_hours_heating"] == 8000.0
    assert extra["operating_hours_dhw"] == 2000.0
    assert extra["operating_hours_second_heat_generator"] == 100.0
    assert extra["compressor_starts"] == 4321
    assert extra["last_error_code"] == 730  # the slot with the latest time
    assert extra["operating_state"] == "heating"
    assert repr(extra["second_heat_generator_active"]) == "False"  # a bool, not 0.0

    assert reading.settings == {
        "heating_curve_end_point": 34.5,
        "heating_curve_parallel_shift": 26.2,
        "heating_curve_night_setback": 0.0,
        "heating_temperature_offset": -1.0,
        "heating_limit_temperature": 16.5,
        "dhw_setpoint": 50.5,
        "dhw_hysteresis": 3.0,
        "heating_mode": "automatic",
        "dhw_mode": "party",
        "cooling_mode": "off",
    }


@pytest.mark.parametrize(
    ("code", "mode", "state"),
    [
        (0, OperatingMode.HEATING, "heating"),
        (1, OperatingMode.DHW, "hot_water"),
        (2, OperatingMode.HEATING, "pool_solar"),
        (3, OperatingMode.STANDBY, "utility_lock"),
        (4, OperatingMode.DEFROST, "defrost"),
        (5, OperatingMode.STANDBY, "no_request"),
        (6, OperatingMode.HEATING, "heating_external_source"),
        (7, OperatingMode.COOLING, "cooling"),
        (99, None, None),
    ],
)
async def test_operating_state_codes(
    sim: LuxtronikSimulator, code: int, mode: OperatingMode | None, state: str | None
) -> None:
    sim.calculations[80] = code
    reading = await source_for(sim).async_read()
    assert reading.operating_mode is mode
    assert reading.extra["operating_state"] == state
    assert state is None or state in OPERATING_STATE_OPTIONS
    assert reading.defrost_active is (code == 4)


async def test_unknown_state_logged_once(
    sim: LuxtronikSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG", logger="custom_components.heatpump_stats.sources.luxtronik")
    sim.calculations[80] = 42
    source = source_for(sim)
    await source.async_read()
    await source.async_read()
    assert sum("unknown operating state code 42" in r.getMessage() for r in caplog.records) == 1


async def test_everything_switched_off_is_off(sim: LuxtronikSimulator) -> None:
    sim.calculations[80] = 5  # no request
    sim.parameters[3] = 4  # heating mode Off
    sim.parameters[4] = 4  # DHW mode Off
    source = source_for(sim)
    assert (await source.async_read()).operating_mode is OperatingMode.OFF
    sim.parameters[4] = 0  # DHW back to automatic: only waiting
    assert (await source.async_read()).operating_mode is OperatingMode.STANDBY


async def test_defrost_valve(sim: LuxtronikSimulator) -> None:
    source = source_for(sim)
    sim.calculations[37] = 1  # AVout while heating: defrost
    assert (await source.async_read()).defrost_active is True
    sim.calculations[80] = 7  # cooling switches the same 4-way valve: not defrost
    assert (await source.async_read()).defrost_active is False


async def test_identity_and_firmware(sim: LuxtronikSimulator) -> None:
    source = source_for(sim)
    before = source.identity
    assert before.manufacturer == MANUFACTURER
    assert before.model == DEFAULT_MODEL
    assert before.sw_version is None

    await source.async_read()
    identity = source.identity
    assert identity.manufacturer == "Alpha Innotec / Novelan (Luxtronik)"
    assert identity.model == "L2A"  # ID_WEB_Code_WP_akt 8
    assert identity.sw_version == "V3.85.4"
    assert identity.serial_number == "1905-2a3b"


async def test_unknown_type_and_missing_serial_fall_back(sim: LuxtronikSimulator) -> None:
    sim.calculations[78] = 999  # type code the package does not know
    sim.parameters[874] = 0
    source = source_for(sim)
    await source.async_read()
    assert source.identity.model == DEFAULT_MODEL
    assert source.identity.serial_number is None


async def test_counts_come_from_the_controller(sim: LuxtronikSimulator) -> None:
    # Older firmware: fewer values of each kind.
    sim.parameters = default_parameters()[:800]
    sim.calculations = default_calculations()[:236]
    sim.visibilities = default_visibilities()[:250]
    source = source_for(sim)
    old = await source.async_read()
    assert old.flow_temperature == 35.2
    assert old.thermal_energy == pytest.approx(14691.2)
    assert old.thermal_power is None  # Heat_Output (257) not sent
    assert old.extra["circulation_pump_speed"] is None  # index 241 not sent
    assert old.settings["heating_limit_temperature"] == 16.5  # parameter 700 is sent
    assert source.identity.serial_number is None  # parameter 874 not sent
    diag = source.diagnostics()
    assert len(diag["parameters"]) == 800
    assert len(diag["calculations"]) == 236
    assert len(diag["visibilities"]) == 250

    # Newer firmware: more values than the package names.
    sim.parameters = [*default_parameters(), *range(200)]
    sim.calculations = [*default_calculations(), *([7] * 40)]
    sim.visibilities = [*default_visibilities(), *([1] * 45)]
    new = await source.async_read()
    assert new.flow_temperature == 35.2
    assert new.thermal_power == pytest.approx(6.2)
    diag = source.diagnostics()
    assert len(diag["parameters"]) == PARAMS + 200
    assert len(diag["calculations"]) == CALCS + 40
    assert len(diag["visibilities"]) == VISIS + 45
    assert diag["calculations"]["299"] == 7


async def test_fragmented_replies_parse_identically(sim: LuxtronikSimulator) -> None:
    source = source_for(sim)
    whole = await source.async_read()
    whole_diag = source.diagnostics()

    sim.fragment = 7  # splits every int32 across reads
    fragmented_source = source_for(sim)
    fragmented = await fragmented_source.async_read()

    assert without_timestamp(fragmented) == without_timestamp(whole)
    assert fragmented_source.diagnostics() == whole_diag
    assert fragmented_source.identity == source.identity


@pytest.mark.parametrize(
    "stall_after",
    [4, PARAM_REPLY + 100, PARAM_REPLY + CALC_REPLY + 3],
    ids=["parameters-header", "calculations-values", "visibilities-echo"],
)
async def test_stall_times_out(sim: LuxtronikSimulator, stall_after: int) -> None:
    sim.stall_after = stall_after
    source = source_for(sim, timeout=0.5)
    start = time.monotonic()
    with pytest.raises(SourceConnectionError, match=r"within 0\.5 s"):
        async with asyncio.timeout(3):  # a missing timeout fails here instead of hanging
            await source.async_read()
    elapsed = time.monotonic() - start
    assert 0.4 < elapsed < 1.5
    # The source hung up on the stalled controller.
    await until(lambda: sim.client_disconnects == 1)
    assert sim.client_disconnects == 1


async def test_connection_refused() -> None:
    source = LuxtronikSource("127.0.0.1", free_port(), timeout=2.0)
    with pytest.raises(SourceConnectionError) as err:
        await source.async_read()
    message = str(err.value)
    assert "refused" in message.lower()
    assert "\n" not in message
    assert "Traceback" not in message
    assert source.diagnostics()["last_error"] == message


async def test_garbage_echo_is_a_data_error(sim: LuxtronikSimulator) -> None:
    sim.garbage = True
    with pytest.raises(SourceDataError):
        await source_for(sim).async_read()
    await until(lambda: sim.client_disconnects == 1)
    assert sim.client_disconnects == 1  # socket closed on a data error too


@pytest.mark.parametrize("echo", [3004, 0, -3003])
async def test_wrong_echo_is_a_data_error(sim: LuxtronikSimulator, echo: int) -> None:
    sim.echo_override = echo  # otherwise a perfectly shaped frame
    with pytest.raises(SourceDataError, match="starts with"):
        await source_for(sim).async_read()


@pytest.mark.parametrize("count", [-1, 10001, 2**31 - 1])
async def test_absurd_count_is_a_data_error(sim: LuxtronikSimulator, count: int) -> None:
    sim.count_override = count
    with pytest.raises(SourceDataError, match="implausible value count"):
        await source_for(sim).async_read()


@pytest.mark.parametrize(
    "close_after",
    [2, PARAM_REPLY - 3, PARAM_REPLY + 9, PARAM_REPLY + CALC_REPLY + 8 + 100],
    ids=["echo", "parameters-values", "calculations-count", "visibilities-values"],
)
async def test_eof_mid_frame(sim: LuxtronikSimulator, close_after: int) -> None:
    sim.close_after = close_after
    with pytest.raises(SourceConnectionError, match="closed mid-reply"):
        await source_for(sim).async_read()


async def test_recovery_after_failures(sim: LuxtronikSimulator) -> None:
    source = source_for(sim, timeout=0.5)
    good = await source.async_read()
    good_diag = source.diagnostics()

    sim.stall_after = 100
    with pytest.raises(SourceConnectionError):
        await source.async_read()
    # The last good poll stays available, next to the error.
    diag = source.diagnostics()
    assert diag["calculations"] == good_diag["calculations"]
    assert diag["last_error"]

    sim.stall_after = None
    sim.garbage = True
    with pytest.raises(SourceDataError):
        await source.async_read()

    sim.garbage = False
    sim.calculations[10] = 401
    again = await source.async_read()
    assert again.flow_temperature == 40.1
    assert again.return_temperature == good.return_temperature
    assert source.diagnostics()["last_error"] is None
    assert sim.connections == 4


async def test_diagnostics_hold_all_raw_values(sim: LuxtronikSimulator) -> None:
    source = source_for(sim)
    assert source.diagnostics()["calculations"] == {}

    sim.visibilities[354] = -1  # int8, signed
    await source.async_read()
    diag = source.diagnostics()
    assert len(diag["parameters"]) == PARAMS
    assert len(diag["calculations"]) == CALCS
    assert len(diag["visibilities"]) == VISIS
    secrets = range(755, 761)  # ID_WebserverPasswort_1..6_akt
    assert [v for i, v in enumerate(diag["parameters"].values()) if i not in secrets] == [
        v for i, v in enumerate(sim.parameters) if i not in secrets
    ]
    assert list(diag["calculations"].values()) == sim.calculations
    assert list(diag["visibilities"].values()) == sim.visibilities
    assert diag["calculations"]["ID_WEB_Temperatur_TVL"] == 352  # raw, not scaled
    assert diag["calculations"]["ID_WEB_WMZ_Heizung"] == 123_456
    assert diag["calculations"]["82"] == ord("3")  # version characters have no name
    assert diag["parameters"]["ID_Einst_HzHwHKE_akt"] == 345
    assert diag["visibilities"]["Unknown_Visibility_354"] == -1
    assert diag["calculations_status"] == 0
    for key in DIAGNOSTICS_TO_REDACT:  # all real keys of the tables
        assert key in diag["parameters"] or key in diag["calculations"]


async def test_diagnostics_never_show_the_web_password(sim: LuxtronikSimulator) -> None:
    for offset, idx in enumerate(range(755, 761)):
        sim.parameters[idx] = 0x41424300 + offset
    source = source_for(sim)
    await source.async_read()
    params = source.diagnostics()["parameters"]
    for n in range(1, 7):
        assert params[f"ID_WebserverPasswort_{n}_akt"] == REDACTED
    assert not any(0x41424300 <= v <= 0x41424305 for v in params.values() if isinstance(v, int))


async def test_one_connection_per_poll(sim: LuxtronikSimulator) -> None:
    source = source_for(sim)
    for _ in range(3):
        await source.async_read()
    assert sim.connections == 3
    assert sim.commands == [CMD_PARAMETERS, CMD_CALCULATIONS, CMD_VISIBILITIES] * 3
    await until(lambda: sim.client_disconnects == 3)
    assert sim.client_disconnects == 3


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({}, None),
        ({"garbage": True}, SourceDataError),
        ({"count_override": -5}, SourceDataError),
        ({"stall_after": 100}, SourceConnectionError),
        ({"close_after": 100}, SourceConnectionError),
    ],
    ids=["ok", "garbage", "count", "stall", "eof"],
)
async def test_socket_closed_in_every_case(
    sim: LuxtronikSimulator,
    monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, object],
    error: type[Exception] | None,
) -> None:
    # Keep a reference to every writer, so only an explicit close can close it
    # (not the garbage collector).
    writers: list[asyncio.StreamWriter] = []
    real_open = asyncio.open_connection

    async def recording_open(
        *args: Any, **kwargs: Any
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await real_open(*args, **kwargs)
        writers.append(writer)
        return reader, writer

    monkeypatch.setattr(asyncio, "open_connection", recording_open)
    for name, value in fault.items():
        setattr(sim, name, value)
    source = source_for(sim, timeout=0.5)
    if error is None:
        await source.async_read()
    else:
        with pytest.raises(error):
            await source.async_read()
    assert len(writers) == 1
    assert writers[0].is_closing()


async def test_concurrent_reads_never_overlap(sim: LuxtronikSimulator) -> None:
    sim.fragment = 512
    source = source_for(sim)
    first, second = await asyncio.gather(source.async_read(), source.async_read())
    assert first.flow_temperature == second.flow_temperature == 35.2
    assert sim.connections == 2
    assert sim.max_active == 1


async def test_units_without_heat_meter_or_flow(sim: LuxtronikSimulator) -> None:
    for idx in (151, 152, 153, 154, 155, 257):
        sim.calculations[idx] = 0
    source = source_for(sim)
    reading = await source.async_read()
    # Zero counters mean "no heat meter", not "no heat".
    assert reading.thermal_energy is None
    assert reading.extra["thermal_energy_heating_counter"] is None
    assert reading.flow_rate is None
    assert reading.thermal_power is None

    sim.calculations[155] = 900  # the flow meter shows up
    assert (await source.async_read()).flow_rate == 15.0
    sim.calculations[155] = 0  # and later reads 0 with the pump off: a real 0
    assert (await source.async_read()).flow_rate == 0.0


async def test_hidden_values_are_none(sim: LuxtronikSimulator) -> None:
    sim.visibilities[27] = 0  # ID_Visi_Temp_Heissgas
    sim.calculations[174] = 0  # no LIN bus
    sim.calculations[231] = 55  # inverter compressor at 55 Hz
    reading = await source_for(sim).async_read()
    assert reading.extra["hot_gas_temperature"] is None
    assert reading.extra["superheat"] is None
    assert reading.extra["high_pressure"] is None
    assert reading.extra["compressor_frequency"] == 55.0
    assert reading.flow_temperature == 35.2


async def test_close_is_harmless(sim: LuxtronikSimulator) -> None:
    source = source_for(sim)
    assert source.state_to_store() is None  # type: ignore[func-returns-value]
    await source.async_read()
    await source.async_close()
    await until(lambda: sim.active == 0)
    assert sim.active == 0


async def test_visibility_never_hides_a_contract_value(sim: LuxtronikSimulator) -> None:
    """ID_Visi_Temp_BW_Ist = 0 must not hide the DHW temperature (raw 483 = 48.3 °C)."""
    sim.visibilities[29] = 0
    reading = await source_for(sim).async_read()
    assert reading.dhw_temperature == 48.3


async def test_visibilities_of_another_layout_are_ignored(sim: LuxtronikSimulator) -> None:
    """A table shorter than the package's 355 entries numbers its flags differently."""
    sim.visibilities = [0] * 336
    reading = await source_for(sim).async_read()
    assert reading.extra["hot_gas_temperature"] == 78.1
    assert reading.extra["dhw_target_temperature"] == 50.0


async def test_no_sensor_placeholder_is_not_a_temperature(sim: LuxtronikSimulator) -> None:
    """Raw -500 (-50.0 °C) is the controller's "no sensor", for contract and extra values."""
    sim.calculations[17] = -500  # TBW
    sim.calculations[19] = -500  # TWE
    sim.calculations[20] = -500  # TWA
    reading = await source_for(sim).async_read()
    assert reading.dhw_temperature is None
    assert reading.extra["heat_source_inlet_temperature"] is None
    assert reading.extra["heat_source_outlet_temperature"] is None
    sim.calculations[17] = -499  # -49.9 °C would be a (cold) reading
    assert (await source_for(sim).async_read()).dhw_temperature == -49.9


async def test_lifetime_heat_counters_by_purpose(sim: LuxtronikSimulator) -> None:
    """WMZ_Heizung 123456 -> 12345.6 kWh, WMZ_Brauchwasser 23456 -> 2345.6 kWh;
    WMZ_Seit 146912 -> 14691.2 kWh is the controller's own total."""
    reading = await source_for(sim).async_read()
    assert reading.thermal_energy_heating == pytest.approx(12345.6)
    assert reading.thermal_energy_dhw == pytest.approx(2345.6)
    assert reading.thermal_energy == pytest.approx(14691.2)
    assert reading.electrical_energy is None  # no electricity counter in these tables

    sim.calculations[154] = 0  # firmware without a total: the sum of the parts
    sim.calculations[153] = 1000  # pool 100.0 kWh
    reading = await source_for(sim).async_read()
    assert reading.thermal_energy == pytest.approx(12345.6 + 2345.6 + 100.0)


async def test_web_server_on_the_port_is_not_this_device() -> None:
    server = LuxtronikSimulator(web_server=True)
    await server.start()
    try:
        with pytest.raises(SourceNotThisDeviceError, match="does not answer like a Luxtronik"):
            await source_for(server).async_read()
    finally:
        await server.stop()


def _recorded_frames() -> dict[int, bytes]:
    folder = realdata_dir("luxtronik")
    return {
        command: (folder / f"coolchip_{command}.bin").read_bytes()
        for command in (CMD_PARAMETERS, CMD_CALCULATIONS, CMD_VISIBILITIES)
    }


async def test_real_v180_controller_frames() -> None:
    """Byte-exact replies of an L1A controller, firmware V1.80 (coolchip/luxtronik2).

    Calculations: TVL 342 -> 34.2 °C, TRL 326 -> 32.6 °C, TA 139 -> 13.9 °C,
    TBW 642 -> 64.2 °C (flagged hidden by visibility 29 of its 336-entry table),
    TWE/TWA -500 (the air-source unit has no brine sensors), operating state 5
    "no request", compressor off, heat counters all 0 (no heat meter).
    """
    server = LuxtronikSimulator.from_frames(_recorded_frames())
    await server.start()
    try:
        source = source_for(server)
        reading = await source.async_read()
    finally:
        await server.stop()
    assert reading.flow_temperature == 34.2
    assert reading.return_temperature == 32.6
    assert reading.outside_temperature == 13.9
    assert reading.dhw_temperature == 64.2
    assert reading.operating_mode is OperatingMode.STANDBY
    assert reading.compressor_running is False
    assert reading.defrost_active is False
    assert reading.extra["heat_source_inlet_temperature"] is None
    assert reading.extra["heat_source_outlet_temperature"] is None
    assert reading.extra["dhw_target_temperature"] == 50.0
    assert reading.extra["compressor_starts"] == 9869
    # 15707970 s of compressor operation = 4363.3 h
    assert reading.extra["operating_hours_compressor"] == pytest.approx(4363.32)
    # No heat meter: no counters rather than a lifetime of 0 kWh.
    assert reading.thermal_energy is None
    assert reading.thermal_energy_heating is None
    assert reading.thermal_energy_dhw is None
    assert source.identity.sw_version == "V1.80"
    assert source.identity.model == "L1A"
    # Every temperature that came out is physically plausible.
    temps = [reading.flow_temperature, reading.return_temperature, reading.outside_temperature]
    temps += [v for k, v in reading.extra.items() if k.endswith("_temperature") and v is not None]
    assert all(isinstance(t, float) and -40 < t < 100 for t in temps), temps
