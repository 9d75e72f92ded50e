"""The Modbus client: polls a device with a register map (TCP or RTU) and returns readings.

Over TCP, bytes that cannot start a Modbus answer (a web server on the port)
fail the request at once with `SourceNotThisDeviceError` (see `.framing`).

Longer than the usual 400 lines: `ModbusSource` is one class whose connection
handling, request splitting and learned cuts share its state (the plan,
decoding and framing checks live in their own modules).
"""

from __future__ import annotations

import asyncio
import bisect
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
import time
from typing import Any, Literal, cast

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient, ModbusBaseClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
)
from custom_components.heatpump_stats.sources.base import (
    SourceConnectionError,
    SourceDataError,
    SourceNotThisDeviceError,
)

from .decode import (
    ReadingDecoder,
)
from .framing import ForeignBytesWatch
from .plan import (
    _overlap_groups,
    plan_requests,
)
from .registers import (
    ILLEGAL_DATA_ADDRESS,
    ReadBlock,
    RegisterDef,
    RegisterMap,
    RegisterType,
)

# One logger for the package, named as before the split (users configure it).
_LOGGER = logging.getLogger(__package__)


@dataclass(slots=True)
class _Poll:
    """What one poll gathered."""

    words: dict[RegisterType, dict[int, int]] = field(
        default_factory=lambda: {"input": {}, "holding": {}}
    )
    failures: dict[str, str] = field(default_factory=dict)  # register key -> why
    requests: int = 0
    refused: int = 0  # requests answered with an exception or a bad payload
    learned: bool = False


class ModbusSource:
    """A heat pump read over Modbus TCP or RTU with a register map.

    One client per source, connected on the first read and again after any
    failure; nothing is shared between sources, so one unreachable device
    never delays another.
    """

    def __init__(
        self,
        *,
        connection: Literal["tcp", "rtu"],
        host: str | None = None,
        port: int = 502,
        unit_id: int = 1,
        serial_port: str | None = None,
        baudrate: int = 9600,
        register_map: RegisterMap,
        timeout: float = 5.0,
    ) -> None:
        """Describe the device; nothing connects until the first read.

        `timeout` (s) bounds connecting and each request; a read whose
        request times out fails within about that time.
        """
        if connection == "tcp" and not host:
            raise ValueError("a Modbus TCP source needs a host")
        if connection == "rtu" and not serial_port:
            raise ValueError("a Modbus RTU source needs a serial_port")
        if connection not in ("tcp", "rtu"):
            raise ValueError(f"unknown Modbus connection {connection!r}")
        if not 0 <= unit_id <= 255:
            raise ValueError(f"unit_id must be 0..255 (got {unit_id})")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._connection = connection
        self._host = host
        self._port = port
        self._unit_id = unit_id
        self._serial_port = serial_port
        self._baudrate = baudrate
        self._map = register_map
        self._timeout = timeout
        self._client: ModbusBaseClient | None = None
        self._lock = asyncio.Lock()
        self._unsupported: set[str] = set()
        self._cuts: dict[RegisterType, set[int]] = {"input": set(), "holding": set()}
        self._plan: tuple[ReadBlock, ...] = ()
        self._block_registers: tuple[tuple[RegisterDef, ...], ...] = ()
        self._make_plan()
        self._polls = 0
        self._decoder = ReadingDecoder(register_map)
        self._last_poll: dict[str, Any] = {}
        self._last_error: str | None = None
        self._foreign = ForeignBytesWatch()  # TCP only: another kind of server on the port
        self.last_poll_requests = 0
        self.last_poll_registers = 0

    # ----------------------------------------------------------- properties

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer and model from the register map."""
        return DeviceIdentity(manufacturer=self._map.manufacturer, model=self._map.model)

    @property
    def register_map(self) -> RegisterMap:
        """The map this source reads with."""
        return self._map

    @property
    def extra_units(self) -> dict[str, str | None]:
        """The map's unit of every further value (the `unit:` of a custom map)."""
        return self._map.extra_units

    @property
    def request_plan(self) -> tuple[ReadBlock, ...]:
        """The coalesced read requests of the next poll."""
        return self._plan

    @property
    def unsupported_registers(self) -> frozenset[str]:
        """Keys of registers the device refused (exception 2) and that are no longer read."""
        return frozenset(self._unsupported)

    # --------------------------------------------------------------- protocol

    async def async_read(self) -> HeatPumpReading:
        """Poll every register of the map once and decode one reading.

        Raises `SourceConnectionError` when the device cannot be reached or
        does not answer in time, `SourceNotThisDeviceError` when something
        answers that does not speak Modbus TCP, `SourceDataError` when it
        answered but not a single register could be read.
        """
        async with self._lock:
            started = time.monotonic()
            timestamp = datetime.now(UTC)
            poll = _Poll()
            due = [
                index
                for index, block in enumerate(self._plan)
                if self._polls % block.every == 0 or self._block_missing(index)
            ]
            try:
                client = await self._connected_client()
                for index in due:
                    block = self._plan[index]
                    regs = list(self._block_registers[index])
                    await self._read_span(client, block.register_type, regs, poll)
            except (SourceConnectionError, SourceNotThisDeviceError) as err:
                self._drop_client()
                self._last_error = str(err)
                raise
            except asyncio.CancelledError:
                # A late answer to the abandoned request must not be taken
                # for the answer to the next one (RTU has no transaction ids).
                self._drop_client()
                raise
            finally:
                self.last_poll_requests = poll.requests
                self.last_poll_registers = sum(len(words) for words in poll.words.values())
            self._polls += 1
            read_any = any(poll.words.values())
            self._decoder.update(
                poll.words,
                poll.failures,
                self._unsupported,
                (reg for index in due for reg in self._block_registers[index]),
            )
            if poll.learned:
                self._make_plan()
            self._last_poll = {
                "timestamp": timestamp.isoformat(),
                "requests": poll.requests,
                "refused_requests": poll.refused,
                "registers_read": sum(len(words) for words in poll.words.values()),
                "duration_ms": round((time.monotonic() - started) * 1000, 2),
            }
            if not read_any:
                self._last_error = "no register could be read"
                raise SourceDataError(
                    f"{self._where}: the device answered, but no register of "
                    f"{self._map.name} could be read ({poll.refused} refused requests)"
                )
            self._last_error = None
            return self._decoder.reading(timestamp)

    def state_to_store(self) -> None:
        """Nothing survives a restart: the device keeps its own counters."""
        return

    def diagnostics(self) -> dict[str, Any]:
        """Raw register words and decoded values of the last poll, and the plan."""
        return {
            "map": {
                "name": self._map.name,
                "manufacturer": self._map.manufacturer,
                "model": self._map.model,
                "registers": len(self._map.registers),
                "computed": len(self._map.computed),
                "max_gap": self._map.max_gap,
            },
            "connection": {
                "type": self._connection,
                "host": self._host,
                "port": self._port,
                "serial_port": self._serial_port,
                "baudrate": self._baudrate,
                "unit_id": self._unit_id,
                "timeout": self._timeout,
                "connected": self._client is not None and self._client.connected,
            },
            "request_plan": [
                {"register_type": b.register_type, "address": b.address, "count": b.count}
                for b in self._plan
            ],
            "last_poll": dict(self._last_poll),
            "last_error": self._last_error,
            "unsupported_registers": sorted(self._unsupported),
            "cuts": {kind: sorted(cuts) for kind, cuts in self._cuts.items() if cuts},
            "registers": {
                reg.key: {
                    "register_type": reg.register_type,
                    "address": reg.address,
                    "data_type": reg.data_type,
                    "raw_words": decoded.words,
                    "value": decoded.value,
                    "unit": reg.unit,
                    "status": decoded.status,
                }
                for reg in self._map.registers
                if (decoded := self._decoder.decoded.get(reg.key)) is not None
            },
            "computed": dict(self._decoder.computed),
        }

    async def async_close(self) -> None:
        """Close the connection (a later read connects again)."""
        async with self._lock:
            self._drop_client()

    # ------------------------------------------------------------ connection

    @property
    def _where(self) -> str:
        if self._connection == "tcp":
            return f"Modbus TCP {self._host}:{self._port} unit {self._unit_id}"
        return f"Modbus RTU {self._serial_port} unit {self._unit_id}"

    def _new_client(self) -> ModbusBaseClient:
        # retries=0 and reconnect_delay=0: this class owns retrying and
        # reconnecting, so that a failure costs one timeout, not four, and no
        # background task outlives a poll.
        if self._connection == "tcp":
            return AsyncModbusTcpClient(
                cast(str, self._host),
                port=self._port,
                timeout=self._timeout,
                retries=0,
                reconnect_delay=0,
                trace_packet=self._foreign,
            )
        try:
            return AsyncModbusSerialClient(
                cast(str, self._serial_port),
                baudrate=self._baudrate,
                timeout=self._timeout,
                retries=0,
                reconnect_delay=0,
            )
        except RuntimeError as err:  # pymodbus says so when pyserial is missing
            raise SourceConnectionError(
                f"{self._where}: Modbus RTU needs the pyserial package ({err})"
            ) from err

    async def _connected_client(self) -> ModbusBaseClient:
        if self._client is None:
            self._client = self._new_client()
        client = self._client
        if client.connected:
            return client
        try:
            async with asyncio.timeout(self._timeout):
                connected = await client.connect()
        except TimeoutError:
            connected = False
        if not connected:
            raise SourceConnectionError(f"{self._where}: cannot connect")
        return client

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ reads

    def _make_plan(self) -> None:
        """The blocks and, once per plan, each block's registers (not per poll)."""
        wanted = [reg for reg in self._map.registers if reg.key not in self._unsupported]
        plan = plan_requests(wanted, max_gap=self._map.max_gap, cuts=self._cuts)
        members: list[list[RegisterDef]] = [[] for _ in plan]
        starts: dict[tuple[RegisterType, int], list[tuple[int, int]]] = {}
        for index, block in enumerate(plan):
            starts.setdefault((block.register_type, block.every), []).append((block.address, index))
        for group in starts.values():
            group.sort()
        for reg in wanted:
            group = starts[reg.register_type, reg.poll_every]
            # The block that starts at or before the register (blocks never overlap).
            position = bisect.bisect_right(group, (reg.address, len(plan))) - 1
            members[group[position][1]].append(reg)
        self._plan = plan
        self._block_registers = tuple(tuple(regs) for regs in members)

    def _block_missing(self, index: int) -> bool:
        """Whether a slow block has no value yet (never read, or its last read failed)."""
        return any(
            (decoded := self._decoder.decoded.get(reg.key)) is None or decoded.words is None
            for reg in self._block_registers[index]
        )

    async def _request(
        self, client: ModbusBaseClient, register_type: RegisterType, address: int, count: int
    ) -> ModbusPDU:
        read = (
            client.read_input_registers
            if register_type == "input"
            else client.read_holding_registers
        )
        try:
            async with asyncio.timeout(self._timeout) as deadline:
                self._foreign.start(deadline)
                return await read(address, count=count, device_id=self._unit_id)
        except (TimeoutError, ModbusException, OSError) as err:
            if self._foreign.seen is not None:
                raise SourceNotThisDeviceError(
                    f"{self._where}: answers, but not with Modbus TCP frames "
                    f"({self._foreign.seen!r})"
                ) from err
            if isinstance(err, TimeoutError):
                raise SourceConnectionError(
                    f"{self._where}: no answer within {self._timeout:g} s"
                ) from err
            raise SourceConnectionError(f"{self._where}: {err}") from err
        finally:
            self._foreign.stop()

    async def _read_span(
        self,
        client: ModbusBaseClient,
        register_type: RegisterType,
        regs: list[RegisterDef],
        poll: _Poll,
    ) -> bool:
        """Read the span covering `regs`, splitting it while the device refuses.

        Returns whether the span's own request succeeded.
        """
        if not regs:
            return True
        start = min(reg.address for reg in regs)
        end = max(reg.end for reg in regs)
        count = end - start
        poll.requests += 1
        response = await self._request(client, register_type, start, count)
        if not response.isError():
            words = list(response.registers)
            if len(words) == count:
                poll.words[register_type].update(zip(range(start, end), words, strict=True))
                return True
            poll.refused += 1
            _LOGGER.debug(
                "%s: asked for %d %s registers at %d, got %d",
                self._where,
                count,
                register_type,
                start,
                len(words),
            )
            for reg in regs:
                poll.failures[reg.key] = f"short answer ({len(words)} of {count} registers)"
            return False
        poll.refused += 1
        code = response.exception_code
        groups = _overlap_groups(regs)
        if len(groups) == 1:
            for reg in regs:
                poll.failures[reg.key] = f"exception {code}"
            if code == ILLEGAL_DATA_ADDRESS:
                self._mark_unsupported(regs, poll)
            return False
        half = len(groups) // 2
        left = [reg for group in groups[:half] for reg in group]
        right = [reg for group in groups[half:] for reg in group]
        left_ok = await self._read_span(client, register_type, left, poll)
        right_ok = await self._read_span(client, register_type, right, poll)
        if left_ok and right_ok and code == ILLEGAL_DATA_ADDRESS:
            # Each half reads on its own, so an address between them (a hole
            # bridged by the gap rule) is what the device refuses.
            left_end = max(reg.end for reg in left)
            right_start = min(reg.address for reg in right)
            self._cuts[register_type].update(range(left_end, right_start + 1))
            poll.learned = True
            _LOGGER.debug(
                "%s: %s registers %d..%d refused; no longer bridged",
                self._where,
                register_type,
                left_end,
                right_start - 1,
            )
        return False

    def _mark_unsupported(self, regs: list[RegisterDef], poll: _Poll) -> None:
        for reg in regs:
            if reg.key in self._unsupported:
                continue
            self._unsupported.add(reg.key)
            self._cuts[reg.register_type].update((reg.address, reg.end))
            poll.learned = True
            _LOGGER.info(
                "%s: %s register %d (%s) is not supported by the device "
                "(exception 2); it will not be read again",
                self._where,
                reg.register_type,
                reg.address,
                reg.key,
            )
