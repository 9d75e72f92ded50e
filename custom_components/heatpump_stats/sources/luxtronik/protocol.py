"""The controller's TCP protocol: three request/reply frames of big-endian integers."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import os
import socket
import struct
from typing import Final

from custom_components.heatpump_stats.sources.base import (
    SourceConnectionError,
    SourceDataError,
    SourceNotThisDeviceError,
)

CMD_PARAMETERS: Final = 3003
CMD_CALCULATIONS: Final = 3004
CMD_VISIBILITIES: Final = 3005
# Real controllers send ~1100 parameters, ~260 calculations, ~350 visibilities.
MAX_COUNT: Final = 10000


@dataclass(frozen=True, slots=True)
class LuxtronikFrames:
    """The raw integers of one poll, exactly as the controller sent them."""

    parameters: tuple[int, ...]
    calculations: tuple[int, ...]
    calculations_status: int
    visibilities: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class RawFrames:
    """The three replies' value bytes as read from the socket (unpacked off the loop)."""

    parameter_count: int
    parameters: bytes
    calculation_count: int
    calculations: bytes
    calculations_status: int
    visibility_count: int
    visibilities: bytes


async def request_frame(
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


async def close_writer(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(1.0):
            await writer.wait_closed()


async def fetch_frames(host: str, port: int, time_limit_s: float) -> RawFrames:
    """One connection: the three tables' replies as read (`time_limit_s` for all of it)."""
    where = f"{host}:{port}"
    writer: asyncio.StreamWriter | None = None
    try:
        async with asyncio.timeout(time_limit_s):
            reader, writer = await asyncio.open_connection(host, port)
            _, n_par, parameters = await request_frame(reader, writer, CMD_PARAMETERS, status=False)
            status, n_calc, calculations = await request_frame(
                reader, writer, CMD_CALCULATIONS, status=True
            )
            _, n_vis, visibilities = await request_frame(
                reader, writer, CMD_VISIBILITIES, status=False, item_size=1
            )
    except TimeoutError as err:
        raise SourceConnectionError(
            f"Luxtronik {where}: no complete answer within {time_limit_s:g} s"
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
            await close_writer(writer)
    return RawFrames(
        parameter_count=n_par,
        parameters=parameters,
        calculation_count=n_calc,
        calculations=calculations,
        calculations_status=status,
        visibility_count=n_vis,
        visibilities=visibilities,
    )


def unpack_frames(raw: RawFrames) -> LuxtronikFrames:
    """The replies' value bytes as integers (CPU work: the source runs it in the executor)."""
    return LuxtronikFrames(
        parameters=struct.unpack(f">{raw.parameter_count}i", raw.parameters),
        calculations=struct.unpack(f">{raw.calculation_count}i", raw.calculations),
        calculations_status=raw.calculations_status,
        visibilities=struct.unpack(f">{raw.visibility_count}b", raw.visibilities),
    )
