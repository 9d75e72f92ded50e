"""Event-loop CPU of one Luxtronik poll (run by hand).

The simulated controller runs in its own thread (own event loop), so the
figure counts only what the polling side does on its event loop: socket
reads, unpacking the 1,741 values of a 3.x controller (1126 parameters, 260
calculations, 355 visibilities) and mapping them to a reading. Measured as
the loop thread's CPU time (`time.thread_time`) per poll; with
``--executor-ms`` also the time spent in the executor (off the loop).

    .venv/bin/python bench/luxtronik_loop.py [--polls 300]
"""

from __future__ import annotations

import argparse
import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import statistics
import sys
import threading
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.heatpump_stats.sources.luxtronik import LuxtronikSource
from tests.simulators.luxtronik_server import LuxtronikSimulator


def _serve(ready: threading.Event, stop: threading.Event, box: list[int]) -> None:
    async def main() -> None:
        sim = LuxtronikSimulator()
        box.append(await sim.start())
        ready.set()
        await asyncio.to_thread(stop.wait)
        await sim.stop()

    asyncio.run(main())


async def bench(polls: int) -> None:
    ready, stop, box = threading.Event(), threading.Event(), []
    server = threading.Thread(target=_serve, args=(ready, stop, box), daemon=True)
    server.start()
    ready.wait()
    loop = asyncio.get_running_loop()
    # The executor's threads are not the loop thread: their CPU does not count.
    loop.set_default_executor(ThreadPoolExecutor(max_workers=2))
    source = LuxtronikSource("127.0.0.1", box[0])
    for _ in range(20):  # warm up (imports, caches)
        await source.async_read()
    loop_ms: list[float] = []
    wall_ms: list[float] = []
    for _ in range(polls):
        cpu0, wall0 = time.thread_time(), time.perf_counter()
        await source.async_read()
        loop_ms.append((time.thread_time() - cpu0) * 1000)
        wall_ms.append((time.perf_counter() - wall0) * 1000)
    stop.set()
    server.join()
    print(f"Luxtronik full read, {polls} polls against the simulator (1741 values)")
    print(
        f"  event-loop CPU per poll: median {statistics.median(loop_ms):.3f} ms, "
        f"p90 {sorted(loop_ms)[int(polls * 0.9)]:.3f} ms"
    )
    print(f"  wall time per poll:      median {statistics.median(wall_ms):.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polls", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(bench(args.polls))


if __name__ == "__main__":
    main()
