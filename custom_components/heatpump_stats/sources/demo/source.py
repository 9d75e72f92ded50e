"""The simulated heat pump as a polled source.

The simulator itself (`simulator.DemoHeatPump`) is synchronous and CPU-bound; after
a long downtime it may have days to catch up, so every step runs in the
default executor, never on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any
import zlib

from custom_components.heatpump_stats.model.reading import DeviceIdentity, HeatPumpReading

from .simulator import DemoHeatPump


def demo_seed(name: str) -> int:
    """Derive a stable simulator seed (0..9999) from the entry's name."""
    return zlib.crc32(name.strip().casefold().encode()) % 10000


class DemoSource:
    """Polls a `DemoHeatPump` at the clock's current time."""

    def __init__(
        self,
        *,
        name: str,
        clock: Callable[[], datetime],
        rated_thermal_power_kw: float,
        flow_rate_l_min: float,
        stored: dict[str, Any] | None = None,
    ) -> None:
        """Restore the simulator from `stored` or start a new one now."""
        self._clock = clock
        self._lock = asyncio.Lock()
        if stored:
            self._sim = DemoHeatPump.from_dict(stored)
        else:
            self._sim = DemoHeatPump(
                seed=demo_seed(name),
                start=clock(),
                rated_thermal_power_kw=rated_thermal_power_kw,
                flow_rate_l_min=flow_rate_l_min,
            )

    @property
    def simulator(self) -> DemoHeatPump:
        """The simulator (its ground truth is what tests compare against)."""
        return self._sim

    @property
    def identity(self) -> DeviceIdentity:
        """The simulator's identity."""
        return self._sim.identity

    async def async_read(self) -> HeatPumpReading:
        """Advance the simulation to now and return its reading."""
        now = self._clock()
        async with self._lock:
            return await asyncio.get_running_loop().run_in_executor(None, self._sim.advance, now)

    def state_to_store(self) -> dict[str, Any] | None:
        """The simulator's full state, so it continues exactly after a restart."""
        return self._sim.to_dict()

    def diagnostics(self) -> dict[str, Any]:
        """The simulator's ground truth so far."""
        return {"truth": self._sim.truth.to_dict(), "now": self._sim.now.isoformat()}

    async def async_close(self) -> None:
        """Nothing to close."""
