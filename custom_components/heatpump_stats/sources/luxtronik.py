"""Luxtronik 2 controllers (Alpha Innotec, Novelan, Roth, ...) over their TCP protocol.

One TCP connection per poll (port 8889; 8888 is the web port) reads the three
tables the controller keeps: parameters (command 3003), calculations (3004)
and visibilities (3005). The socket I/O is done here with asyncio; the
`luxtronik` package (0.3.14) is used only for its data definitions: the names
of the indices and each index's datatype (`from_heatpump` does the scaling,
e.g. tenths of a degree to °C).

Why not `luxtronik.Luxtronik` itself: it connects and reads in its
constructor, blocks, sets no socket timeout (a hung controller would hold an
executor thread forever) and does not loop on short `recv` calls, so values
can come out shifted. And its `Parameters/Calculations/Visibilities.parse()`
store the values on datatype objects that live in *class-level* dicts, i.e.
shared by every instance in the process (two heat pumps would overwrite each
other). So the definitions are only read here, never `parse()`d into.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
import logging
import os
import re
import socket
import struct
from typing import Any, Final

from luxtronik.calculations import Calculations
from luxtronik.parameters import Parameters
from luxtronik.visibilities import Visibilities

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)

from .base import (
    SourceConnectionError,
    SourceDataError,
    SourceError,
    SourceNotThisDeviceError,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT: Final = 8889
MANUFACTURER: Final = "Alpha Innotec / Novelan (Luxtronik)"
DEFAULT_MODEL: Final = "Luxtronik 2"

CMD_PARAMETERS: Final = 3003
CMD_CALCULATIONS: Final = 3004
CMD_VISIBILITIES: Final = 3005
# Real controllers send ~1100 parameters, ~260 calculations, ~350 visibilities.
MAX_COUNT: Final = 10000

# The package's definitions, copied once (read-only; see the module docstring).
_PARAMETER_TYPES: Final[dict[int, Any]] = dict(Parameters.parameters)
_CALCULATION_TYPES: Final[dict[int, Any]] = dict(Calculations.calculations)
_VISIBILITY_TYPES: Final[dict[int, Any]] = dict(Visibilities.visibilities)


def _index(types: Mapping[int, Any]) -> dict[str, int]:
    return {datatype.name: idx for idx, datatype in types.items()}


_PARAMETER_INDEX: Final = _index(_PARAMETER_TYPES)
_CALCULATION_INDEX: Final = _index(_CALCULATION_TYPES)
_VISIBILITY_INDEX: Final = _index(_VISIBILITY_TYPES)

# Calculations 81..90 hold the firmware version, one character each.
_VERSION_FIRST: Final = _CALCULATION_INDEX["ID_WEB_SoftStand"]
_VERSION_CHARS: Final = 10

# ID_WEB_WP_BZ_akt (package text) -> (our mode, stable snake_case state).
# Pool/solar and "heating external source" count as heating (space heat is
# being made); an EVU (utility) lock forbids the compressor but the unit is on
# and resumes by itself, so it is standby, not off.
_OPERATING_STATES: Final[dict[str, tuple[OperatingMode, str]]] = {
    "heating": (OperatingMode.HEATING, "heating"),
    "hot water": (OperatingMode.DHW, "hot_water"),
    "swimming pool/solar": (OperatingMode.HEATING, "pool_solar"),
    "evu": (OperatingMode.STANDBY, "utility_lock"),
    "defrost": (OperatingMode.DEFROST, "defrost"),
    "no request": (OperatingMode.STANDBY, "no_request"),
    "heating external source": (OperatingMode.HEATING, "heating_external_source"),
    "cooling": (OperatingMode.COOLING, "cooling"),
}
OPERATING_STATE_OPTIONS: Final = tuple(state for _, state in _OPERATING_STATES.values())

# extra key -> (calculation name, visibility that must not be 0 or None).
_EXTRA_TEMPERATURES: Final[dict[str, tuple[str, str | None]]] = {
    "hot_gas_temperature": ("ID_WEB_Temperatur_THG", "ID_Visi_Temp_Heissgas"),
    "heat_source_inlet_temperature": ("ID_WEB_Temperatur_TWE", "ID_Visi_Temp_WQ_Ein"),
    "heat_source_outlet_temperature": ("ID_WEB_Temperatur_TWA", None),
    "return_target_temperature": ("ID_WEB_Sollwert_TRL_HZ", "ID_Visi_Temp_RL_Soll"),
    "outside_temperature_average": ("ID_WEB_Mitteltemperatur", None),
    "dhw_target_temperature": ("ID_WEB_Einst_BWS_akt", "ID_Visi_Temp_BW_Soll"),
    "mixing_circuit_1_flow_temperature": ("ID_WEB_Temperatur_TFB1", "ID_Visi_Temp_MK1_Vorlauf"),
}
# Refrigerant-circuit values only exist on units with a LIN bus (ID_WEB_LIN_exists).
_EXTRA_LIN: Final[dict[str, str]] = {
    "compressor_suction_temperature": "ID_WEB_LIN_ANSAUG_VERDICHTER",
    "evaporator_suction_temperature": "ID_WEB_LIN_ANSAUG_VERDAMPFER",
    "superheat": "ID_WEB_LIN_UH",
    "high_pressure": "ID_WEB_LIN_HD",
    "low_pressure": "ID_WEB_LIN_ND",
}
# Operating-hour counters (seconds in the controller) -> hours.
_EXTRA_HOURS: Final[dict[str, str]] = {
    "operating_hours_compressor": "ID_WEB_Zaehler_BetrZeitVD1",
    "operating_hours_heating": "ID_WEB_Zaehler_BetrZeitHz",
    "operating_hours_dhw": "ID_WEB_Zaehler_BetrZeitBW",
    "operating_hours_second_heat_generator": "ID_WEB_Zaehler_BetrZeitZWE1",
}
# Heat-quantity counters (kWh, the package converts the tenths).
_HEAT_COUNTERS: Final[dict[str, str]] = {
    "thermal_energy_heating_counter": "ID_WEB_WMZ_Heizung",
    "thermal_energy_dhw_counter": "ID_WEB_WMZ_Brauchwasser",
    "thermal_energy_pool_counter": "ID_WEB_WMZ_Schwimmbad",
}
# The heat meter's own lifetime total (heating + hot water + pool), kWh.
_HEAT_TOTAL: Final = "ID_WEB_WMZ_Seit"
# A temperature input without a sensor reads -50.0 °C (raw -500), the bottom of
# the controller's range (e.g. the brine temperatures of an air-source unit).
_NO_SENSOR_RAW: Final = -500
# Values that read 0 on units without the sensor/feature: reported only once
# they have been non-zero at least once in this session.
_FLOW_HEATING: Final = "ID_WEB_WMZ_Durchfluss"  # heat meter flow, l/h
_FLOW_SOURCE: Final = "ID_WEB_Durchfluss_WQ"  # heat source (brine/well) flow, l/h
_HEAT_OUTPUT: Final = "Heat_Output"  # W, newer firmware only
_COMPRESSOR_FREQUENCY: Final = "ID_WEB_Freq_VD"  # Hz, inverter units only
_PUMP_SPEED: Final = "Circulation_Pump"  # %, newer firmware only

_ERROR_SLOTS: Final = tuple(
    (f"ID_WEB_ERROR_Time{slot}", f"ID_WEB_ERROR_Nr{slot}") for slot in range(5)
)

# settings key -> parameter name.
_SETTINGS: Final[dict[str, str]] = {
    "heating_curve_end_point": "ID_Einst_HzHwHKE_akt",
    "heating_curve_parallel_shift": "ID_Einst_HzHKRANH_akt",
    "heating_curve_night_setback": "ID_Einst_HzHKRABS_akt",
    "heating_temperature_offset": "ID_Einst_WK_akt",
    "heating_limit_temperature": "ID_Einst_Heizgrenze_Temp",
    "dhw_setpoint": "ID_Einst_BWS_akt",
    "dhw_hysteresis": "ID_Einst_BWS_Hyst_akt",
    "heating_mode": "ID_Ba_Hz_akt",
    "dhw_mode": "ID_Ba_Bw_akt",
    "cooling_mode": "ID_Einst_BA_Kuehl_akt",
}


# The controller hands out its web-server password in parameters 755..760; it
# never leaves this module (diagnostics show "**REDACTED**" instead).
_SECRET_PARAMETERS: Final = frozenset(f"ID_WebserverPasswort_{n}_akt" for n in range(1, 7))
REDACTED: Final = "**REDACTED**"
# Keys in `diagnostics()` that identify the unit or the network (serial number
# halves, IP addresses); the Home Assistant side should redact these.
DIAGNOSTICS_TO_REDACT: Final = frozenset(
    {
        "ID_WP_SerienNummer_DATUM",
        "ID_WP_SerienNummer_HEX",
        "ID_AdresseIP_akt",
        "ID_SubNetMask_akt",
        "ID_Add_Broadcast_akt",
        "ID_Add_StdGateway_akt",
        "ID_AdresseIPServ_akt",
        "ID_WEB_AdresseIP_akt",
        "ID_WEB_SubNetMask_akt",
        "ID_WEB_Add_Broadcast",
        "ID_WEB_Add_StdGateway",
    }
)


@dataclass(frozen=True, slots=True)
class LuxtronikFrames:
    """The raw integers of one poll, exactly as the controller sent them."""

    parameters: tuple[int, ...]
    calculations: tuple[int, ...]
    calculations_status: int
    visibilities: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class _RawFrames:
    """The three replies' value bytes as read from the socket (unpacked off the loop)."""

    parameter_count: int
    parameters: bytes
    calculation_count: int
    calculations: bytes
    calculations_status: int
    visibility_count: int
    visibilities: bytes


def _snake(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _as_float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


class _Values:
    """Typed access to one poll's frames through the package's datatypes."""

    def __init__(self, frames: LuxtronikFrames) -> None:
        self.frames = frames

    def calc_raw(self, name: str) -> int | None:
        idx = _CALCULATION_INDEX[name]
        raw = self.frames.calculations
        return raw[idx] if idx < len(raw) else None

    def calc(self, name: str) -> Any:
        raw = self.calc_raw(name)
        if raw is None:
            return None
        return _CALCULATION_TYPES[_CALCULATION_INDEX[name]].from_heatpump(raw)

    def param_raw(self, name: str) -> int | None:
        idx = _PARAMETER_INDEX[name]
        raw = self.frames.parameters
        return raw[idx] if idx < len(raw) else None

    def param(self, name: str) -> Any:
        raw = self.param_raw(name)
        if raw is None:
            return None
        return _PARAMETER_TYPES[_PARAMETER_INDEX[name]].from_heatpump(raw)

    def visible(self, name: str | None) -> bool:
        """False only if the controller says the value is hidden on this unit.

        The visibility table's layout depends on the firmware: the package
        describes the layout of 3.x firmware (355 entries); an older controller
        (V1.80 sends 336) numbers them differently, so there its flags say
        nothing about our indices and every value counts as visible. Contract
        values are never gated on visibilities (see `_map`).
        """
        if name is None:
            return True
        raw = self.frames.visibilities
        if len(raw) != len(_VISIBILITY_TYPES):
            return True
        idx = _VISIBILITY_INDEX[name]
        return raw[idx] != 0

    def temperature(self, name: str) -> float | None:
        """A temperature in °C; the no-sensor placeholder (-50.0 °C) is None."""
        raw = self.calc_raw(name)
        if raw is None or raw <= _NO_SENSOR_RAW:
            return None
        return _as_float(self.calc(name))

    def firmware(self) -> str | None:
        chars = self.frames.calculations[_VERSION_FIRST : _VERSION_FIRST + _VERSION_CHARS]
        text = "".join(chr(c) for c in chars if 32 <= c < 127).strip()
        return text or None

    def model(self) -> str | None:
        name = self.calc("ID_WEB_Code_WP_akt")
        return str(name) if name else None

    def serial(self) -> str | None:
        date = self.param_raw("ID_WP_SerienNummer_DATUM")
        number = self.param_raw("ID_WP_SerienNummer_HEX")
        if not date or date < 0 or number is None:
            return None
        return f"{date}-{number & 0xFFFFFFFF:x}"

    def last_error_code(self) -> int | None:
        latest: tuple[int, int] | None = None
        for time_name, code_name in _ERROR_SLOTS:
            when, code = self.calc_raw(time_name), self.calc_raw(code_name)
            if when is None or not code:
                continue
            if latest is None or when > latest[0]:
                latest = (when, code)
        return None if latest is None else latest[1]


class LuxtronikSource:
    """A heat pump with a Luxtronik 2 controller, polled over TCP (one connection per poll)."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, *, timeout: float = 10.0) -> None:
        """Remember where the controller is; nothing is opened until `async_read`."""
        self._host = host
        self._port = port
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._frames: LuxtronikFrames | None = None
        self._last_error: str | None = None
        self._identity = DeviceIdentity(manufacturer=MANUFACTURER, model=DEFAULT_MODEL)
        # Optional values that have been non-zero at least once (see _FLOW_HEATING etc.).
        self._seen_nonzero: set[str] = set()
        self._logged_unknown_states: set[int] = set()

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer, heat pump type, serial and firmware (complete after the first read)."""
        return self._identity

    async def async_read(self) -> HeatPumpReading:
        """Read all three tables over one connection and map them to a reading."""
        async with self._lock:
            try:
                raw = await self._async_fetch()
                # Unpacking and mapping 1,700+ values costs ~0.4 ms of CPU: done in
                # the executor so the event loop only carries the socket I/O.
                reading = await asyncio.get_running_loop().run_in_executor(
                    None, self._decode, raw, datetime.now(UTC)
                )
            except SourceError as err:
                self._last_error = str(err)
                raise
            self._last_error = None
            return reading

    def state_to_store(self) -> None:
        """Nothing to persist: the controller keeps its own counters."""

    def diagnostics(self) -> dict[str, Any]:
        """Every raw value of the last complete poll, keyed by package name (else index)."""
        frames = self._frames
        result: dict[str, Any] = {
            "parameters": {},
            "calculations": {},
            "visibilities": {},
            "calculations_status": None,
            "last_error": self._last_error,
        }
        if frames is None:
            return result
        for key, types, raw in (
            ("parameters", _PARAMETER_TYPES, frames.parameters),
            ("calculations", _CALCULATION_TYPES, frames.calculations),
            ("visibilities", _VISIBILITY_TYPES, frames.visibilities),
        ):
            table: dict[str, int | str] = {}
            for idx, value in enumerate(raw):
                datatype = types.get(idx)
                name = datatype.name if datatype is not None else str(idx)
                table[name] = REDACTED if name in _SECRET_PARAMETERS else value
            result[key] = table
        result["calculations_status"] = frames.calculations_status
        return result

    async def async_close(self) -> None:
        """Nothing stays open between polls."""

    def _decode(self, raw: _RawFrames, now: datetime) -> HeatPumpReading:
        """Unpack the replies and map them (runs in the executor; the lock is held)."""
        frames = LuxtronikFrames(
            parameters=struct.unpack(f">{raw.parameter_count}i", raw.parameters),
            calculations=struct.unpack(f">{raw.calculation_count}i", raw.calculations),
            calculations_status=raw.calculations_status,
            visibilities=struct.unpack(f">{raw.visibility_count}b", raw.visibilities),
        )
        # Kept even if mapping fails: the raw values are what diagnostics need then.
        self._frames = frames
        return self._to_reading(frames, now)

    # -- I/O ---------------------------------------------------------------

    async def _async_fetch(self) -> _RawFrames:
        where = f"{self._host}:{self._port}"
        writer: asyncio.StreamWriter | None = None
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await asyncio.open_connection(self._host, self._port)
                _, n_par, parameters = await _request(reader, writer, CMD_PARAMETERS, status=False)
                status, n_calc, calculations = await _request(
                    reader, writer, CMD_CALCULATIONS, status=True
                )
                _, n_vis, visibilities = await _request(
                    reader, writer, CMD_VISIBILITIES, status=False, item_size=1
                )
        except TimeoutError as err:
            raise SourceConnectionError(
                f"Luxtronik {where}: no complete answer within {self._timeout:g} s"
            ) from err
        except asyncio.IncompleteReadError as err:
            raise SourceConnectionError(
                f"Luxtronik {where}: connection closed mid-reply "
                f"({len(err.partial)} of {err.expected} bytes)"
            ) from err
        except OSError as err:
            # asyncio's "Connect call failed (...)" hides the errno's plain text.
            if err.errno and err.errno > 0 and not isinstance(err, socket.gaierror):
                reason = os.strerror(err.errno)
            else:
                reason = err.strerror or type(err).__name__
            raise SourceConnectionError(f"Luxtronik {where}: {reason}") from err
        finally:
            if writer is not None:
                await _close(writer)
        return _RawFrames(
            parameter_count=n_par,
            parameters=parameters,
            calculation_count=n_calc,
            calculations=calculations,
            calculations_status=status,
            visibility_count=n_vis,
            visibilities=visibilities,
        )

    # -- mapping -----------------------------------------------------------

    def _optional(self, values: _Values, name: str) -> Any:
        """A value that reads 0 on units lacking it: None until it was non-zero once."""
        raw = values.calc_raw(name)
        if raw is None:
            return None
        if raw != 0:
            self._seen_nonzero.add(name)
        if name not in self._seen_nonzero:
            return None
        return values.calc(name)

    def _operating_state(self, values: _Values) -> tuple[OperatingMode | None, str | None]:
        code = values.calc_raw("ID_WEB_WP_BZ_akt")
        if code is None:
            return None, None
        text = values.calc("ID_WEB_WP_BZ_akt")
        known = _OPERATING_STATES.get(text) if isinstance(text, str) else None
        if known is None:
            if code not in self._logged_unknown_states:
                self._logged_unknown_states.add(code)
                _LOGGER.debug("Luxtronik: unknown operating state code %s", code)
            return None, None
        mode, state = known
        if (
            mode is OperatingMode.STANDBY
            and state == "no_request"
            and values.param("ID_Ba_Hz_akt") == "Off"
            and values.param("ID_Ba_Bw_akt") == "Off"
        ):
            mode = OperatingMode.OFF
        return mode, state

    def _to_reading(self, frames: LuxtronikFrames, now: datetime) -> HeatPumpReading:
        values = _Values(frames)
        try:
            return self._map(values, now)
        except (ValueError, TypeError, OverflowError) as err:
            raise SourceDataError(f"Luxtronik: undecodable values ({err})") from err

    def _map(self, values: _Values, now: datetime) -> HeatPumpReading:
        calc = values.calc
        mode, state = self._operating_state(values)

        vd1, vd2 = calc("ID_WEB_VD1out"), calc("ID_WEB_VD2out")
        compressor = None if vd1 is None else bool(vd1 or vd2)
        # AV is the 4-way (defrost) valve; reversible units also switch it for cooling.
        valve = calc("ID_WEB_AVout")
        if valve is None and mode is None:
            defrost = None
        else:
            defrost = mode is OperatingMode.DEFROST or (
                bool(valve) and mode is not OperatingMode.COOLING
            )

        flow_l_h = _as_float(self._optional(values, _FLOW_HEATING))
        source_flow_l_h = _as_float(self._optional(values, _FLOW_SOURCE))
        heat_output_w = _as_float(self._optional(values, _HEAT_OUTPUT))

        counters = {key: _as_float(calc(name)) for key, name in _HEAT_COUNTERS.items()}
        counter_sum = sum(v for v in counters.values() if v is not None)
        total = _as_float(calc(_HEAT_TOTAL))
        # All counters 0: the unit has no heat meter; report nothing rather than "no heat".
        has_heat_meter = counter_sum > 0 or bool(total)
        thermal_energy: float | None = None
        if has_heat_meter:
            # The controller's own total where it keeps one, else the sum of its parts.
            thermal_energy = total if total else round(counter_sum, 1)

        extra: dict[str, str | float | None] = {}
        for key, (name, visibility) in _EXTRA_TEMPERATURES.items():
            extra[key] = values.temperature(name) if values.visible(visibility) else None
        lin = bool(calc("ID_WEB_LIN_exists"))
        for key, name in _EXTRA_LIN.items():
            extra[key] = _as_float(calc(name)) if lin else None
        extra["compressor_frequency"] = _as_float(self._optional(values, _COMPRESSOR_FREQUENCY))
        extra["circulation_pump_speed"] = _as_float(self._optional(values, _PUMP_SPEED))
        extra["heat_source_flow_rate"] = (
            None if source_flow_l_h is None else round(source_flow_l_h / 60, 2)
        )
        for key, name in _EXTRA_HOURS.items():
            seconds = calc(name)
            extra[key] = None if seconds is None else round(seconds / 3600, 2)
        starts = calc("ID_WEB_Zaehler_BetrZeitImpVD1")
        extra["compressor_starts"] = None if starts is None else int(starts)
        for key, value in counters.items():
            extra[key] = value if has_heat_meter else None
        extra["last_error_code"] = values.last_error_code()
        extra["operating_state"] = state
        second = calc("ID_WEB_ZW1out")
        extra["second_heat_generator_active"] = None if second is None else bool(second)

        settings: dict[str, str | float | None] = {}
        for key, name in _SETTINGS.items():
            value = values.param(name)
            if isinstance(value, str):
                settings[key] = _snake(value)
            elif value is None and values.param_raw(name) is not None:
                settings[key] = f"code_{values.param_raw(name)}"  # selection code unknown
            else:
                settings[key] = _as_float(value)

        model = values.model()
        self._identity = DeviceIdentity(
            manufacturer=MANUFACTURER,
            model=model or DEFAULT_MODEL,
            serial_number=values.serial(),
            sw_version=values.firmware(),
        )

        return HeatPumpReading(
            timestamp=now,
            # Contract temperatures are never hidden by a visibility flag: the
            # flags' layout varies by firmware (a V1.80 unit flags its real
            # 64.2 °C hot-water reading as hidden); only the placeholder is None.
            outside_temperature=values.temperature("ID_WEB_Temperatur_TA"),
            flow_temperature=values.temperature("ID_WEB_Temperatur_TVL"),
            return_temperature=values.temperature("ID_WEB_Temperatur_TRL"),
            dhw_temperature=values.temperature("ID_WEB_Temperatur_TBW"),
            compressor_modulation=None,
            flow_rate=None if flow_l_h is None else round(flow_l_h / 60, 2),
            operating_mode=mode,
            compressor_running=compressor,
            defrost_active=defrost,
            circulation_pump=_as_bool(calc("ID_WEB_HUPout")),
            electrical_power=None,
            electrical_energy=None,
            thermal_power=None if heat_output_w is None else heat_output_w / 1000,
            thermal_energy=thermal_energy,
            thermal_energy_heating=(
                counters["thermal_energy_heating_counter"] if has_heat_meter else None
            ),
            thermal_energy_dhw=counters["thermal_energy_dhw_counter"] if has_heat_meter else None,
            settings=settings,
            extra=extra,
        )


def _as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


async def _request(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    command: int,
    *,
    status: bool,
    item_size: int = 4,
) -> tuple[int, int, bytes]:
    """Send (command, 0) and read one verified reply frame: (status, count, value bytes)."""
    writer.write(struct.pack(">ii", command, 0))
    await writer.drain()
    first = command == CMD_PARAMETERS
    try:
        head = await reader.readexactly(4)
    except asyncio.IncompleteReadError as err:
        if first and err.partial[:1] in (b"H", b"<"):
            # "HT"/"<!" and then EOF: a web server rejected our request.
            raise SourceNotThisDeviceError(
                f"Luxtronik: answer to command {command} is {err.partial!r} and then EOF; "
                "this does not answer like a Luxtronik controller"
            ) from err
        raise
    echo: int = struct.unpack(">i", head)[0]
    if echo != command:
        message = f"Luxtronik: answer to command {command} starts with {echo} ({head!r})"
        if first:
            # The first answer decides: a web server (b"HTTP", b"<!DO") or any
            # other protocol on this port is not the controller's data port.
            raise SourceNotThisDeviceError(
                f"{message}; this does not answer like a Luxtronik controller"
            )
        raise SourceDataError(message)
    if status:
        frame_status, count = struct.unpack(">ii", await reader.readexactly(8))
    else:
        frame_status, count = 0, struct.unpack(">i", await reader.readexactly(4))[0]
    if not 0 <= count <= MAX_COUNT:
        raise SourceDataError(f"Luxtronik: implausible value count {count} for command {command}")
    return frame_status, count, await reader.readexactly(count * item_size)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(1.0):
            await writer.wait_closed()
