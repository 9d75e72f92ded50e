"""Whether what answers on a Modbus TCP port speaks Modbus at all.

Every Modbus TCP answer starts with a header: transaction id, protocol id 0
and a length of at most 254 (unit id + function + 252 bytes of data). Bytes
that cannot start one (a web server's ``HTTP/1.1 400 Bad Request``, noise)
mean that another kind of server listens on the port. `ForeignBytesWatch`
is pymodbus' packet hook (``trace_packet``): it notes such bytes and ends the
wait for the answer at once, so the request fails without its timeout.
"""

from __future__ import annotations

import asyncio
from typing import Final

MAX_MBAP_LENGTH: Final = 254


def foreign_bytes(data: bytes) -> bool:
    """Whether received bytes cannot start a Modbus TCP answer (protocol id 0, sane length)."""
    if len(data) >= 4 and data[2:4] != b"\x00\x00":
        return True
    return len(data) >= 6 and not 2 <= int.from_bytes(data[4:6], "big") <= MAX_MBAP_LENGTH


class ForeignBytesWatch:
    """The packet hook of one client: the first foreign bytes of the request in flight."""

    def __init__(self) -> None:
        """Nothing seen, nothing waiting."""
        self.seen: bytes | None = None
        self._deadline: asyncio.Timeout | None = None

    def start(self, deadline: asyncio.Timeout) -> None:
        """A request goes out: forget what came before; foreign bytes end `deadline` now."""
        self.seen = None
        self._deadline = deadline

    def stop(self) -> None:
        """The request is over (answered or failed)."""
        self._deadline = None

    def __call__(self, sending: bool, data: bytes) -> bytes:
        """pymodbus' ``trace_packet``: look at received bytes, pass every packet on unchanged."""
        if not sending and self.seen is None and foreign_bytes(data):
            self.seen = bytes(data[:24])
            if self._deadline is not None:
                self._deadline.reschedule(asyncio.get_running_loop().time())
        return data
