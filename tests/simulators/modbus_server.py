"""Modbus devices on 127.0.0.1 (ephemeral ports) for tests and the bench.

`ModbusSimulator` is pymodbus' own server (the `SimDevice` / `SimData`
simulator datastore) serving tables of input and holding registers, so the
real client library and the real framing (Modbus TCP, or RTU frames over
TCP) are exercised. Addresses missing from a table answer exception 2
(illegal data address), as a real device does for registers it lacks.

`RawServer` is a bare asyncio TCP server for faults the library's server
cannot produce: a device that accepts and never answers, or answers garbage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
import struct
from typing import Literal, cast

from pymodbus import FramerType
from pymodbus.constants import ExcCodes
from pymodbus.pdu import ModbusPDU
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

from .listener import Listener

type RegisterKind = Literal["input", "holding"]

NOT_AVAILABLE = 0x8000  # Stiebel Eltron ISG: "no such value"
_FUNCTION_KIND: dict[int, RegisterKind] = {4: "input", 3: "holding"}


def int16(value: int) -> int:
    """The register word of a signed 16-bit value (-50 -> 0xFFCE)."""
    return value & 0xFFFF


def words32(raw: int, word_order: Literal["big", "little"] = "big") -> list[int]:
    """The two register words of a 32-bit pattern, high word first for `big`."""
    high, low = raw >> 16 & 0xFFFF, raw & 0xFFFF
    return [high, low] if word_order == "big" else [low, high]


def float32_words(value: float, word_order: Literal["big", "little"] = "big") -> list[int]:
    """The two register words of an IEEE float32 (21.5 -> 0x41AC 0x0000 big)."""
    return words32(int.from_bytes(struct.pack(">f", value), "big"), word_order)


@dataclass(frozen=True, slots=True)
class Request:
    """One request the simulator received."""

    function_code: int
    address: int
    count: int


def _runs(table: Mapping[int, int]) -> list[SimData]:
    """Contiguous runs of defined addresses; the holes stay invalid."""
    runs: list[SimData] = []
    start = previous = -2
    values: list[int] = []
    for address in sorted(table):
        if address != previous + 1 and values:
            runs.append(SimData(start, values=values, datatype=DataType.REGISTERS))
            values = []
        if not values:
            start = address
        values.append(table[address])
        previous = address
    if values:
        runs.append(SimData(start, values=values, datatype=DataType.REGISTERS))
    return runs


class ModbusSimulator(Listener):
    """A Modbus device serving register tables on 127.0.0.1.

    `set_input` / `set_holding` change values between polls; `refuse`
    makes an address answer exception 2 from now on; `delay` (s) slows every
    answer down; `requests` lists what arrived (function code, address,
    count), so tests can count requests per poll.
    """

    def __init__(
        self,
        input_registers: Mapping[int, int] | None = None,
        holding_registers: Mapping[int, int] | None = None,
        *,
        device_id: int = 1,
        framer: Literal["socket", "rtu"] = "socket",
        delay: float = 0.0,
    ) -> None:
        """Serve copies of the tables (address -> 16-bit word)."""
        self._values: dict[RegisterKind, dict[int, int]] = {
            "input": dict(input_registers or {}),
            "holding": dict(holding_registers or {}),
        }
        for table in self._values.values():
            for address, word in table.items():
                if not 0 <= word <= 0xFFFF:
                    raise ValueError(f"register {address}: {word} is not a 16-bit word")
        self._refused: dict[RegisterKind, set[int]] = {"input": set(), "holding": set()}
        self._device_id = device_id
        self._framer = FramerType.RTU if framer == "rtu" else FramerType.SOCKET
        self.delay = delay
        self.requests: list[Request] = []
        self._server: ModbusTcpServer | None = None
        self._port = 0

    @property
    def port(self) -> int:
        """The TCP port the simulator listens on."""
        return self._port

    def set_input(self, address: int, word: int) -> None:
        """Change an input register (it must be in the table)."""
        self._set("input", address, word)

    def set_holding(self, address: int, word: int) -> None:
        """Change a holding register (it must be in the table)."""
        self._set("holding", address, word)

    def _set(self, kind: RegisterKind, address: int, word: int) -> None:
        if address not in self._values[kind]:
            raise KeyError(f"{kind} register {address} is not served")
        self._values[kind][address] = word & 0xFFFF

    def refuse(self, kind: RegisterKind, address: int) -> None:
        """Answer exception 2 for any request that includes `address`."""
        self._refused[kind].add(address)

    def allow(self, kind: RegisterKind, address: int) -> None:
        """Undo `refuse`."""
        self._refused[kind].discard(address)

    def _device(self) -> SimDevice:
        def block(kind: RegisterKind) -> list[SimData]:
            # SimDevice wants at least one entry per table.
            return _runs(self._values[kind]) or [
                SimData(0, values=[0], datatype=DataType.REGISTERS)
            ]

        bits = [SimData(0, values=[False] * 16, datatype=DataType.BITS)]
        return SimDevice(
            id=self._device_id,
            simdata=(bits, list(bits), block("holding"), block("input")),
            action=self._action,
        )

    async def _action(
        self,
        function_code: int,
        start_address: int,
        address: int,
        count: int,
        registers: list[int],
        _set_values: list[int] | list[bool] | None,
    ) -> ExcCodes | None:
        kind = _FUNCTION_KIND.get(function_code)
        if kind is None:
            return None
        if self.delay:
            await asyncio.sleep(self.delay)
        if any(address <= refused < address + count for refused in self._refused[kind]):
            return ExcCodes.ILLEGAL_ADDRESS
        for served, word in self._values[kind].items():
            if 0 <= served - start_address < len(registers):
                registers[served - start_address] = word
        return None

    def _trace_pdu(self, sending: bool, pdu: ModbusPDU) -> ModbusPDU:
        if not sending:
            self.requests.append(Request(pdu.function_code, pdu.address, pdu.count))
        return pdu

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:`port` (0 = any free port)."""
        if self._server is not None:
            raise RuntimeError("simulator already running")
        server = ModbusTcpServer(
            self._device(),
            framer=self._framer,
            address=("127.0.0.1", port),
            trace_pdu=self._trace_pdu,
        )
        await server.serve_forever(background=True)
        self._server = server
        listener = cast(asyncio.Server, server.transport)
        self._port = listener.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every client connection."""
        if self._server is not None:
            await self._server.shutdown()  # type: ignore[no-untyped-call]
            self._server = None


class _RawProtocol(asyncio.Protocol):
    def __init__(self, owner: RawServer) -> None:
        self._owner = owner
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast_transport(transport)
        self._owner.transports.add(self._transport)

    def data_received(self, data: bytes) -> None:
        self._owner.received += data
        self._owner.got_request.set()
        if self._transport is not None and (answer := self._owner.respond(data)) is not None:
            self._transport.write(answer)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._owner.transports.discard(self._transport)


def cast_transport(transport: asyncio.BaseTransport) -> asyncio.Transport:
    """Narrow a stream server's transport."""
    if not isinstance(transport, asyncio.Transport):
        raise TypeError("expected a stream transport")
    return transport


class RawServer(Listener):
    """A TCP server on 127.0.0.1 that answers requests with `respond(data)`.

    ``respond`` returning None keeps silent: a device that accepts the
    connection and never answers.
    """

    def __init__(self, respond: Callable[[bytes], bytes | None] = lambda _data: None) -> None:
        """Answer each received chunk with `respond(chunk)`."""
        self.respond = respond
        self.received = b""
        self.got_request = asyncio.Event()
        self.transports: set[asyncio.Transport] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        """Listen on a free port."""
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _RawProtocol(self), "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Close the listener and every connection."""
        for transport in list(self.transports):
            transport.close()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()


def isg_tables() -> tuple[dict[int, int], dict[int, int]]:
    """An ISG (WPM) with known values: (input registers, holding registers).

    The documented ranges are served in full, with 0x8000 wherever this
    heat pump has no value, as a real ISG does. Wire address = manual - 1.
    """
    inputs = dict.fromkeys(range(500, 612), NOT_AVAILABLE)  # manual 501..612
    inputs.update(dict.fromkeys(range(2500, 2547), NOT_AVAILABLE))  # 2501..2547
    inputs.update(dict.fromkeys(range(3500, 3522), NOT_AVAILABLE))  # 3501..3522
    inputs.update(
        {
            506: int16(-50),  # outside -5.0 °C
            507: int16(-5),  # HK 1 actual -0.5 °C
            509: 312,  # HK 1 set 31.2 °C
            512: 352,  # flow WP 35.2 °C
            513: 353,  # flow NHZ 35.3 °C
            514: 351,  # flow 35.1 °C
            515: 298,  # return 29.8 °C
            517: 340,  # buffer 34.0 °C
            519: 182,  # heating pressure 1.82 bar (x 0.01)
            520: 1850,  # flow rate 18.5 l/min (x 0.01)
            521: 486,  # DHW 48.6 °C
            522: 500,  # DHW set 50.0 °C
            2500: 0b0101_0001,  # HC 1 pump (0) + heating (4) + compressor (6)
            2501: 0,  # no utility lock
            2503: 0,  # no fault
            3500: 6,  # heat heating today, kWh
            3501: 345,  # heat heating total, kWh part
            3502: 12,  # heat heating total, MWh part
            3503: 2,  # heat DHW today
            3504: 789,
            3505: 3,
            3506: 12,  # booster heat heating total kWh / MWh
            3507: 0,
            3508: 40,  # booster heat DHW total kWh / MWh
            3509: 0,
            3510: 2,  # electricity heating today
            3511: 456,
            3512: 3,
            3513: 1,  # electricity DHW today
            3514: 234,
            3515: 1,
        }
    )
    holding = dict.fromkeys(range(1500, 1521), NOT_AVAILABLE)  # manual 1501..1521
    holding.update(
        {
            1500: 2,  # operating mode: program
            1501: 220,  # comfort HK 1 22.0 °C
            1502: 190,  # eco HK 1 19.0 °C
            1503: 45,  # heating curve rise 0.45
            1509: 500,  # DHW comfort 50.0 °C
            1510: 450,  # DHW eco 45.0 °C
        }
    )
    return inputs, holding
