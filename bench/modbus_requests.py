"""Requests per poll and time per poll of the Modbus source (run by hand).

Starts the test simulator (a Stiebel Eltron ISG with known values) on
127.0.0.1, polls it with the shipped ISG map and prints what one poll
costs: registers defined vs registers on the wire, requests vs one request
per register, and milliseconds per poll over N polls. Then the same with one
refused register, to show what learning it costs once and afterwards.

    .venv/bin/python bench/modbus_requests.py [--polls 100]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
import statistics
import sys
import time

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from custom_components.heatpump_stats.sources.modbus import (
    ModbusSource,
    load_register_map,
)
from tests.simulators.modbus_server import ModbusSimulator, isg_tables


async def bench(polls: int, refuse: int | None) -> None:
    """Poll `polls` times and print the figures."""
    register_map = load_register_map("stiebel_eltron_isg")
    inputs, holding = isg_tables()
    async with ModbusSimulator(inputs, holding) as sim:
        if refuse is not None:
            sim.refuse("input", refuse)
        source = ModbusSource(
            connection="tcp",
            host="127.0.0.1",
            port=sim.port,
            register_map=register_map,
            timeout=5.0,
        )
        try:
            durations: list[float] = []
            requests: list[int] = []
            for _ in range(polls):
                started = time.perf_counter()
                await source.async_read()
                durations.append((time.perf_counter() - started) * 1000)
                requests.append(source.last_poll_requests)
        finally:
            await source.async_close()
    defined = len(register_map.registers)
    on_wire = sum(block.count for block in source.request_plan)
    title = "ISG map" if refuse is None else f"ISG map, input register {refuse} refused"
    print(f"== {title}, {polls} polls ==")
    print(f"registers defined          {defined}")
    print(f"registers read per poll    {on_wire} (holes bridged)")
    print(f"requests per poll          {requests[-1]} (one per register would be {defined})")
    print(f"requests, first poll       {requests[0]}")
    print(f"requests, all polls        {sum(requests)}")
    print(
        "ms per poll                "
        f"mean {statistics.fmean(durations):.2f}  "
        f"median {statistics.median(durations):.2f}  "
        f"p95 {sorted(durations)[int(0.95 * (len(durations) - 1))]:.2f}  "
        f"max {max(durations):.2f}"
    )
    plan = ", ".join(f"{b.register_type} {b.address}+{b.count}" for b in source.request_plan)
    print(f"plan                       {plan}")
    print()


def main() -> None:
    """Parse arguments and run both scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polls", type=int, default=100, help="polls per scenario")
    args = parser.parse_args()
    asyncio.run(bench(args.polls, None))
    asyncio.run(bench(args.polls, 512))


if __name__ == "__main__":
    main()
