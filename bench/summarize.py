"""The `summarize` path over a year of recorder history (run by hand).

1. Starts Home Assistant's recorder on a new SQLite file so HA itself creates
   the schema, stops it, and fills `states` with a year of 30-s samples of one
   entry's inputs with executemany (continuous sensors change every poll, as our
   float sensors do; modes and binary sensors get a row per change only, as the
   recorder writes them): about 1 M rows per continuous entity.
2. Starts HA and the recorder on that file again and times
   `summaries.async_summarize_history` (recorder executor, the recorder's
   history API two hours at a time, streaming merge, SummaryBuilder) for a month, a
   quarter and the year, with a probe task on the event loop measuring its
   worst lag.
3. Measures the Python heap peak (tracemalloc) per period and the process's
   peak RSS growth.

    .venv/bin/python bench/summarize.py [--days 365] [--db /tmp/hp_bench.db]

With --db the database is kept and reused by the next run.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
import math
from pathlib import Path
import resource
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance

from bench.recorder_hass import start_hass
from bench.synthetic import heat_demand_kw, outdoor_c
from custom_components.heatpump_stats.summaries import async_summarize_history

STEP_S = 30.0
START = datetime(2025, 7, 1, tzinfo=UTC)
ENTITIES = {
    "operating_mode": "sensor.bench_operating_mode",
    "electrical_power": "sensor.bench_electrical_power",
    "thermal_power": "sensor.bench_thermal_power",
    "electrical_energy": "sensor.bench_electrical_energy",
    "thermal_energy": "sensor.bench_thermal_energy",
    "flow_temperature": "sensor.bench_flow_temperature",
    "outside_temperature": "sensor.bench_outside_temperature",
    "compressor_running": "binary_sensor.bench_compressor_running",
    "defrost_active": "binary_sensor.bench_defrost_active",
    "circulation_pump": "binary_sensor.bench_circulation_pump",
}


async def _stop_hass(hass: HomeAssistant) -> None:
    await get_instance(hass).async_block_till_done()
    await hass.async_stop()


def _synthetic(days: float) -> Iterable[tuple[float, dict[str, str]]]:
    """A plausible heat pump every 30 s: seasonal weather, on/off cycles, hot water at
    06:00 and 18:00, 5-min defrosts after 60 min of cold running. Yields changed states."""
    t0 = START.timestamp()
    elec = 1000.0
    heat = 3500.0
    run_s = 0.0
    frost_s = 0.0
    defrost_left = 0.0
    last: dict[str, str] = {}
    for i in range(int(days * 86_400 / STEP_S) + 1):
        t = t0 + i * STEP_S
        day = t / 86_400
        hour = (t % 86_400) / 3600
        out = outdoor_c(day, hour)
        demand = heat_demand_kw(out)
        dhw = (6.0 <= hour < 6.4) or (18.0 <= hour < 18.4)
        cycle = (i % 120) < max(20, min(120, int(demand / 8 * 120)))
        if defrost_left > 0:
            mode, heat_kw, elec_kw = "defrost", -3.0, 1.5
            defrost_left -= STEP_S
        elif dhw:
            mode, heat_kw, elec_kw = "dhw", 8.0, 8.0 / 2.8
        elif demand > 0 and cycle:
            mode = "heating"
            heat_kw = max(1.6, demand)
            elec_kw = heat_kw / max(1.5, 0.42 * (308 / max(5.0, 35 - out)))
        else:
            mode, heat_kw, elec_kw = ("standby" if demand > 0 else "off"), 0.0, 0.015
        running = mode in ("heating", "dhw", "defrost")
        if running and mode != "defrost":
            run_s += STEP_S
            if out < 5:
                frost_s += STEP_S
                if frost_s >= 3600:
                    defrost_left, frost_s = 300.0, 0.0
        flow = 35 + 0.8 * (20 - out) if mode == "heating" else (52.0 if mode == "dhw" else 25.0)
        # Real readings wobble, so these sensors get a row every poll.
        noise = (i * 7919 % 101 - 50) / 5000
        elec_kw *= 1 + noise
        heat_kw *= 1 + noise if running else 1
        elec += elec_kw * STEP_S / 3600
        heat += heat_kw * STEP_S / 3600
        states = {
            "operating_mode": mode,
            "electrical_power": repr(round(elec_kw * 1000, 1)),
            "thermal_power": repr(round(heat_kw, 3)),
            "electrical_energy": repr(elec),
            "thermal_energy": repr(heat),
            "flow_temperature": repr(round(flow + 0.01 * (i % 7), 2)),
            "outside_temperature": repr(round(out + noise, 3)),
            "compressor_running": "on" if running else "off",
            "defrost_active": "on" if mode == "defrost" else "off",
            "circulation_pump": "on" if mode != "off" else "off",
        }
        changed = {k: v for k, v in states.items() if last.get(k) != v}
        last = states
        yield t, changed


def fill(db_path: Path, days: float) -> dict[str, int]:
    """Write the synthetic year straight into HA's schema; return rows per entity."""
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA synchronous=OFF")
    metadata: dict[str, int] = {}
    for key, entity_id in ENTITIES.items():
        cur = con.execute("INSERT INTO states_meta (entity_id) VALUES (?)", (entity_id,))
        assert cur.lastrowid is not None
        metadata[key] = cur.lastrowid
    counts = dict.fromkeys(ENTITIES, 0)
    batch: list[tuple[int, str, float, int]] = []
    sql = "INSERT INTO states (metadata_id, state, last_updated_ts, origin_idx) VALUES (?,?,?,?)"
    for t, changed in _synthetic(days):
        for key, state in changed.items():
            # One poll writes its entities a few microseconds apart.
            batch.append((metadata[key], state, t + counts[key] % 7 * 1e-5, 0))
            counts[key] += 1
        if len(batch) >= 200_000:
            con.executemany(sql, batch)
            batch.clear()
    con.executemany(sql, batch)
    con.commit()
    con.close()
    return counts


async def _probe(lags: list[float], stop: asyncio.Event) -> None:
    """Worst event-loop lag: sleep 5 ms and measure how late we wake up."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(0.005)
        lags.append(loop.time() - before - 0.005)


async def _timed(hass: HomeAssistant, days: float) -> tuple[float, float, list[float], Any]:
    """Wall seconds, process CPU seconds (steadier on a loaded machine), lags, summary."""
    lags: list[float] = []
    stop = asyncio.Event()
    probe = asyncio.create_task(_probe(lags, stop))
    started, cpu = time.perf_counter(), time.process_time()
    summary = await async_summarize_history(
        hass, ENTITIES, START, START + timedelta(days=days), **{"max_gap_s": math.inf}
    )
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    await probe
    return elapsed, cpu, sorted(lags), summary


async def main(days: float, db_arg: str | None) -> None:
    """Build the database (unless it exists) and print the figures."""
    with tempfile.TemporaryDirectory() as config_dir:
        db_path = Path(db_arg) if db_arg else Path(config_dir) / "bench.db"
        if not db_path.exists():
            started = time.perf_counter()
            hass = await start_hass(config_dir, db_path)
            await _stop_hass(hass)
            counts = fill(db_path, days)
            print(
                f"filled {sum(counts.values()):,} rows in {time.perf_counter() - started:.1f} s "
                f"({db_path.stat().st_size / 1e6:.0f} MB):"
            )
            for key, count in counts.items():
                print(f"  {key:20s} {count:>10,}")
        hass = await start_hass(config_dir, db_path)
        try:
            rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(
                "\nperiod   seconds  cpu s  loop lag max / p99 / >50ms   samples  kWh el   COP"
                "  sessions"
            )
            for span in (30, 91, days):
                elapsed, cpu, lags, summary = await _timed(hass, span)
                c = summary.purposes["combined"]
                worst, p99 = lags[-1] * 1000, lags[int(len(lags) * 0.99)] * 1000
                over = sum(1 for lag in lags if lag > 0.05)
                print(
                    f"{span:5.0f} d  {elapsed:7.2f}  {cpu:5.2f}  "
                    f"{worst:7.1f} / {p99:5.1f} ms / {over:3d}  "
                    f"{summary.data_quality.samples:>9,}  {c.electrical_energy:7.0f}  "
                    f"{c.cop or 0:5.2f}  {len(summary.sessions):>7,}"
                )
            rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(f"\npeak RSS growth over all runs: {(rss1 - rss0) / 1024:.0f} MB")

            print("\nPython heap peak (tracemalloc; slower, times not comparable):")
            for span in (30, 91, days):
                tracemalloc.start()
                _, _, _, summary = await _timed(hass, span)
                _, peak = tracemalloc.get_traced_memory()
                tracemalloc.stop()
                print(
                    f"{span:5.0f} d  peak {peak / 1e6:6.1f} MB  "
                    f"({len(summary.sessions):,} sessions in the result)"
                )

        finally:
            await _stop_hass(hass)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=365.0)
    parser.add_argument("--db", default=None, help="reuse or create this database file")
    args = parser.parse_args()
    asyncio.run(main(args.days, args.db))
