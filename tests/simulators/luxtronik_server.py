"""A Luxtronik 2 controller on 127.0.0.1 speaking the TCP protocol of port 8889.

The client sends (command, 0) as two big-endian int32; the controller answers

* 3003 parameters:   echo 3003, count N, N x int32
* 3004 calculations: echo 3004, status, count N, N x int32
* 3005 visibilities: echo 3005, count N, N x int8

Fault modes (attributes, may be changed between connections):

* ``fragment``: send replies in pieces of that many bytes, pausing between them
* ``stall_after``: after that many reply bytes on a connection, send nothing
  more (until the client disconnects or the server stops)
* ``close_after``: after that many reply bytes, close the connection (EOF mid-frame)
* ``garbage``: answer every command with random bytes whose first int32 is
  not the command's echo
* ``count_override``: announce this count instead of the real one (values unchanged)
* ``echo_override``: a well-formed reply that echoes this number instead of the command
* ``web_server``: answer like the web server that may listen on the port instead
  (``HTTP/1.1 400 Bad Request`` and close), as a wrong port or another device does

`from_frames` serves recorded replies byte for byte (the real-data tests).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct

from .listener import Listener

CMD_PARAMETERS = 3003
CMD_CALCULATIONS = 3004
CMD_VISIBILITIES = 3005

# Known values at the indices the source maps (package 0.3.14 definitions).
VERSION = "V3.85.4"


def default_parameters() -> list[int]:
    """1126 parameters with known settings."""
    values = [0] * 1126
    values[1] = -10  # ID_Einst_WK_akt: -1.0 °C
    values[2] = 505  # ID_Einst_BWS_akt: 50.5 °C
    values[3] = 0  # ID_Ba_Hz_akt: Automatic
    values[4] = 2  # ID_Ba_Bw_akt: Party
    values[11] = 345  # ID_Einst_HzHwHKE_akt: 34.5 °C
    values[12] = 262  # ID_Einst_HzHKRANH_akt: 26.2 °C
    values[13] = 0  # ID_Einst_HzHKRABS_akt
    values[74] = 30  # ID_Einst_BWS_Hyst_akt: 3.0 K
    values[108] = 0  # ID_Einst_BA_Kuehl_akt: Off
    values[700] = 165  # ID_Einst_Heizgrenze_Temp: 16.5 °C
    values[874] = 1905  # ID_WP_SerienNummer_DATUM
    values[875] = 0x2A3B  # ID_WP_SerienNummer_HEX
    return values


def default_calculations() -> list[int]:
    """260 calculations of an air-to-water heat pump that is heating."""
    values = [0] * 260
    values[10] = 352  # TVL 35.2 °C
    values[11] = 301  # TRL 30.1 °C
    values[12] = 305  # Sollwert_TRL_HZ 30.5 °C
    values[14] = 781  # THG 78.1 °C
    values[15] = -52  # TA -5.2 °C
    values[16] = -31  # Mitteltemperatur -3.1 °C
    values[17] = 483  # TBW 48.3 °C
    values[18] = 500  # Einst_BWS_akt 50.0 °C
    values[19] = -41  # TWE -4.1 °C
    values[20] = -83  # TWA -8.3 °C
    values[21] = 312  # TFB1 31.2 °C
    values[39] = 1  # HUPout
    values[44] = 1  # VD1out
    values[56] = 36_000_000  # BetrZeitVD1: 10000 h
    values[57] = 4321  # ImpVD1
    values[60] = 360_000  # BetrZeitZWE1: 100 h
    values[63] = 36_000_000  # BetrZeitWP
    values[64] = 28_800_000  # BetrZeitHz: 8000 h
    values[65] = 7_200_000  # BetrZeitBW: 2000 h
    values[78] = 8  # Code_WP_akt: L2A
    values[79] = 1  # BIV_Stufe_akt
    values[80] = 0  # WP_BZ_akt: heating
    for offset, char in enumerate(VERSION):  # SoftStand, one char per value
        values[81 + offset] = ord(char)
    values[91] = -1062731519  # AdresseIP_akt 192.168.1.1 (signed)
    values[95], values[100] = 1_600_000_000, 717  # error slot 0
    values[96], values[101] = 1_700_000_000, 730  # error slot 1 (latest)
    values[151] = 123_456  # WMZ_Heizung 12345.6 kWh
    values[152] = 23_456  # WMZ_Brauchwasser 2345.6 kWh
    values[153] = 0  # WMZ_Schwimmbad
    values[154] = 146_912  # WMZ_Seit
    values[155] = 1200  # WMZ_Durchfluss 1200 l/h
    values[173] = 0  # Durchfluss_WQ (air source: none)
    values[174] = 1  # LIN_exists
    values[175] = -92  # LIN_ANSAUG_VERDAMPFER -9.2 °C
    values[176] = -45  # LIN_ANSAUG_VERDICHTER -4.5 °C
    values[178] = 52  # LIN_UH 5.2 K
    values[180] = 1850  # LIN_HD 18.5 bar
    values[181] = 620  # LIN_ND 6.2 bar
    values[231] = 0  # Freq_VD: fixed speed
    values[241] = 65  # Circulation_Pump 65 %
    values[257] = 6200  # Heat_Output 6200 W
    return values


def default_visibilities() -> list[int]:
    """355 visibilities: everything shown except the room station."""
    values = [1] * 355
    values[35] = 0  # ID_Visi_Temp_Raumstation
    return values


class LuxtronikSimulator(Listener):
    """An asyncio TCP server answering like a Luxtronik 2 controller."""

    def __init__(
        self,
        parameters: list[int] | None = None,
        calculations: list[int] | None = None,
        visibilities: list[int] | None = None,
        *,
        status: int = 0,
        fragment: int | None = None,
        fragment_delay: float = 0.0,
        stall_after: int | None = None,
        close_after: int | None = None,
        garbage: bool = False,
        count_override: int | None = None,
        echo_override: int | None = None,
        web_server: bool = False,
    ) -> None:
        """Serve these value lists (defaults: realistic tables with known values)."""
        self.parameters = default_parameters() if parameters is None else parameters
        self.calculations = default_calculations() if calculations is None else calculations
        self.visibilities = default_visibilities() if visibilities is None else visibilities
        self.status = status
        self.fragment = fragment
        self.fragment_delay = fragment_delay
        self.stall_after = stall_after
        self.close_after = close_after
        self.garbage = garbage
        self.count_override = count_override
        self.echo_override = echo_override
        self.web_server = web_server
        # Recorded replies (command -> bytes), served verbatim when set.
        self.recorded: dict[int, bytes] = {}
        self.connections = 0
        self.commands: list[int] = []
        self.client_disconnects = 0  # connections the client closed itself
        self.active = 0
        self.max_active = 0  # most connections open at the same time
        self._server: asyncio.Server | None = None
        self._stopped = asyncio.Event()
        self._handlers: set[asyncio.Task[None]] = set()
        self._random = random.Random(1234)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        assert self._server is not None
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def start(self) -> int:
        """Listen on 127.0.0.1 (ephemeral port) and return the port."""
        self._stopped.clear()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self.port

    async def stop(self) -> None:
        """Stop listening and end every connection, stalled ones included."""
        self._stopped.set()
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        for task in list(self._handlers):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    # -- replies -------------------------------------------------------------

    @classmethod
    def from_frames(cls, frames: dict[int, bytes]) -> LuxtronikSimulator:
        """A controller that answers each command with its recorded reply."""
        server = cls()
        server.recorded = dict(frames)
        return server

    def reply(self, command: int) -> bytes:
        """The exact bytes the controller answers to `command`."""
        if command in self.recorded:
            return self.recorded[command]
        if self.garbage:
            junk = bytearray(self._random.randbytes(64))
            echo = struct.unpack(">i", junk[:4])[0]
            if echo == command:
                junk[0] ^= 0xFF
            return bytes(junk)
        if command == CMD_PARAMETERS:
            return self._frame(command, None, self.parameters, "i")
        if command == CMD_CALCULATIONS:
            return self._frame(command, self.status, self.calculations, "i")
        if command == CMD_VISIBILITIES:
            return self._frame(command, None, self.visibilities, "b")
        return b""

    def _frame(self, command: int, status: int | None, values: list[int], fmt: str) -> bytes:
        count = len(values) if self.count_override is None else self.count_override
        if self.echo_override is not None:
            command = self.echo_override
        head = (
            struct.pack(">ii", command, status)
            if status is not None
            else struct.pack(">i", command)
        )
        return head + struct.pack(">i", count) + struct.pack(f">{len(values)}{fmt}", *values)

    # -- connection ------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self.connections += 1
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sent = 0
        try:
            while True:
                try:
                    request = await reader.readexactly(8)
                except asyncio.IncompleteReadError:
                    self.client_disconnects += 1
                    return
                command, _ = struct.unpack(">ii", request)
                self.commands.append(command)
                if self.web_server:
                    await self._send(
                        writer,
                        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                        b"Connection: close\r\n\r\n",
                    )
                    return
                data = self.reply(command)
                limit = self.stall_after if self.stall_after is not None else self.close_after
                if limit is not None and sent + len(data) > limit:
                    await self._send(writer, data[: max(0, limit - sent)])
                    if self.stall_after is not None:
                        await self._stall(reader)
                    return
                await self._send(writer, data)
                sent += len(data)
        except ConnectionError:
            self.client_disconnects += 1
        finally:
            self.active -= 1
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _send(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        if not self.fragment:
            writer.write(data)
            await writer.drain()
            return
        for start in range(0, len(data), self.fragment):
            writer.write(data[start : start + self.fragment])
            await writer.drain()
            await asyncio.sleep(self.fragment_delay)

    async def _stall(self, reader: asyncio.StreamReader) -> None:
        """Send nothing more; return when the client hangs up or the server stops."""
        eof = asyncio.ensure_future(reader.read())
        stopped = asyncio.ensure_future(self._stopped.wait())
        try:
            await asyncio.wait({eof, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if eof.done():
                self.client_disconnects += 1
        finally:
            for fut in (eof, stopped):
                fut.cancel()
