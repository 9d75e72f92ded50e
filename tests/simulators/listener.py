"""What every simulator's lifecycle shares: `async with` starts it and stops it."""

from __future__ import annotations

from typing import Any, Self


class Listener:
    """Subclasses implement `start` (listen on 127.0.0.1) and `stop` (close everything)."""

    async def start(self) -> Any:
        """Listen on a free port of 127.0.0.1."""
        raise NotImplementedError

    async def stop(self) -> None:
        """Stop listening and end every connection."""
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        """Start."""
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop, whether the block ended or raised."""
        await self.stop()
