"""What the HTTP device simulators share: an aiohttp app on an ephemeral port of 127.0.0.1."""

from __future__ import annotations

import asyncio

from aiohttp import web

from .listener import Listener


class HttpDeviceSimulator(Listener):
    """Subclasses add their routes in `routes`; `async with` starts and stops the server."""

    def __init__(self) -> None:
        """Not listening yet."""
        self._release = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>`` as a user would enter it."""
        return f"127.0.0.1:{self._port}"

    def routes(self, app: web.Application) -> None:
        """Register the device's endpoints."""
        raise NotImplementedError

    async def start(self) -> str:
        """Listen on an ephemeral port of 127.0.0.1; return `host`."""
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = self._runner.addresses[0][1]
        return self.host

    async def stop(self) -> None:
        """Release slow requests and stop listening."""
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    close = stop
