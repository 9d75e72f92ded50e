"""A year summarised from long-term statistics and from a real InfluxDB (run by hand).

1. Simulates a heat pump for a year at 5-minute resolution (seasonal weather,
   on/off cycles, hot water twice a day, defrosts in the cold): counters of
   electricity and heat per purpose, compressor starts, outdoor and flow
   temperatures.
2. **Statistics**: starts Home Assistant's recorder on a new SQLite file, imports
   the year as 8,760 hourly statistics per sensor (the recorder's public
   ``async_import_statistics``, as ``import_history`` does) and times
   :func:`statistics_history.async_summarize_statistics` for the year (the
   reading ``summarize(history=statistics)`` does).
3. **InfluxDB**: starts the real ``influxd`` from ``.toolchain`` (as the tests
   do), writes the same year as Home Assistant's influxdb integration writes it
   (measurement = unit, tags ``domain``/``entity_id``, field ``value``; 105,120
   points per sensor) and times :func:`influx_history.summarize_influx` for the
   year: hourly windows folded on the server (``GROUP BY time(1h)``), never the
   raw points.

    .venv/bin/python bench/year_history.py [--days 365] [--runs 3]

Both summaries are printed side by side: they read the same hours.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
import os
from pathlib import Path
import statistics as stats
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from homeassistant.components.recorder.models import StatisticData, StatisticMetaData
from homeassistant.components.recorder.models.statistics import StatisticMeanType
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.helpers.recorder import get_instance
from influxdb import InfluxDBClient

from bench.recorder_hass import start_hass
from bench.synthetic import heat_demand_kw, outdoor_c
from custom_components.heatpump_stats.history import builder_options
from custom_components.heatpump_stats.statistics_history import CHANGE_KEYS, MEAN_KEYS
from custom_components.heatpump_stats.store.influxdb import InfluxConfig, InfluxHistory
from custom_components.heatpump_stats.summaries import async_summarize_statistics, summarize_influx
from tests.simulators.influxdb_server import influxd_binary, run_influxd

STEP_S = 300
START = datetime(2025, 7, 1, tzinfo=UTC)
DATABASE = "home_assistant"
IDS = {key: f"sensor.bench_{key}" for key in (*CHANGE_KEYS, *MEAN_KEYS)}


def simulate(days: int) -> Iterator[tuple[int, dict[str, float]]]:
    """(unix seconds, values) every 5 minutes: counters in kWh (starts: count), °C."""
    counters = dict.fromkeys(CHANGE_KEYS, 0.0)
    counters["electrical_energy"] = 1000.0  # a meter that was not new
    counters["thermal_energy"] = 3500.0
    running = False
    frost_s = 0.0
    defrost_left = 0
    t0 = int(START.timestamp())
    for i in range(days * 86_400 // STEP_S):
        t = t0 + i * STEP_S
        day, hour = t / 86_400, (t % 86_400) / 3600
        out = outdoor_c(day, hour)
        demand = heat_demand_kw(out)
        dhw = (6.0 <= hour < 6.5) or (18.0 <= hour < 18.5)
        cycle = (i % 12) < max(2, min(12, round(demand / 8 * 12)))
        h = STEP_S / 3600
        if defrost_left > 0:
            mode, heat_kw, elec_kw = "defrost", -3.0, 1.5
            defrost_left -= 1
        elif dhw:
            mode, heat_kw, elec_kw = "dhw", 8.0, 8.0 / 2.8
        elif demand > 0 and cycle:
            mode, heat_kw = "heating", max(1.6, demand)
            elec_kw = heat_kw / max(1.5, 0.42 * (308 / max(5.0, 35 - out)))
        else:
            mode, heat_kw, elec_kw = "standby", 0.0, 0.015
        now_running = mode in ("heating", "dhw")
        if now_running and not running:
            counters["compressor_starts"] += 1
        running = now_running
        if running and out < 5:
            frost_s += STEP_S
            if frost_s >= 3600:
                defrost_left, frost_s = 1, 0.0
        counters["electrical_energy"] += elec_kw * h
        counters["thermal_energy"] += heat_kw * h
        purpose = "dhw" if mode == "dhw" else "heating"
        counters[f"electrical_energy_{purpose}"] += elec_kw * h
        if heat_kw > 0:
            counters[f"thermal_energy_{purpose}"] += heat_kw * h
        if mode == "defrost":
            counters["electrical_energy_defrost"] += elec_kw * h
        flow = 35 + 0.8 * (20 - out) if mode == "heating" else (52.0 if mode == "dhw" else 25.0)
        yield t, {**counters, "outside_temperature": out, "flow_temperature": flow}


def hourly(days: int) -> dict[str, list[StatisticData]]:
    """The year as the recorder's hourly statistics: sums of counters, means of temperatures."""
    rows: dict[str, list[StatisticData]] = {key: [] for key in IDS}
    base = dict.fromkeys(CHANGE_KEYS, 0.0)
    first: dict[str, float] | None = None
    hour_start: int | None = None
    temps: dict[str, list[float]] = {key: [] for key in MEAN_KEYS}
    last: dict[str, float] = {}

    def close(ts: int) -> None:
        assert first is not None
        start = datetime.fromtimestamp(ts, UTC)
        for key in CHANGE_KEYS:
            total = last[key] - first[key] + base[key]
            rows[key].append(StatisticData(start=start, sum=total, state=last[key]))
        for key in MEAN_KEYS:
            mean = sum(temps[key]) / len(temps[key])
            rows[key].append(StatisticData(start=start, mean=mean, min=mean, max=mean))
            temps[key].clear()

    for t, values in simulate(days):
        if first is None:
            first = dict(values)
        hour = t - t % 3600
        if hour_start is not None and hour != hour_start:
            close(hour_start)
        hour_start = hour
        last = values
        for key in MEAN_KEYS:
            temps[key].append(values[key])
    if hour_start is not None:
        close(hour_start)
    return rows


def _meta(key: str) -> StatisticMetaData:
    mean = key in MEAN_KEYS
    unit = "°C" if mean else (None if key == "compressor_starts" else "kWh")
    return StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC if mean else StatisticMeanType.NONE,
        has_sum=not mean,
        name=None,
        source="recorder",
        statistic_id=IDS[key],
        unit_class=None if unit is None else ("temperature" if mean else "energy"),
        unit_of_measurement=unit,
    )


def _timed(runs: int, fn: Any) -> tuple[list[tuple[float, float]], Any]:
    times, result = [], None
    for _ in range(runs):
        t, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append((time.perf_counter() - t, time.process_time() - cpu))
    return times, result


async def bench_statistics(days: int, runs: int, tmp: str) -> dict[str, Any]:
    """Import the hourly year into a new recorder and time its summary."""
    hass = await start_hass(tmp, Path(tmp) / "year.db")
    try:
        t = time.perf_counter()
        for key, rows in hourly(days).items():
            async_import_statistics(hass, _meta(key), rows)
        await get_instance(hass).async_block_till_done()
        imported = time.perf_counter() - t
        end = START + timedelta(days=days)
        times: list[tuple[float, float]] = []
        result: dict[str, Any] = {}
        for _ in range(runs):
            # The event loop idles meanwhile: the process's CPU time is the summary's.
            t, cpu = time.perf_counter(), time.process_time()
            result = await async_summarize_statistics(hass, IDS, START, end, UTC)
            times.append((time.perf_counter() - t, time.process_time() - cpu))
    finally:
        await get_instance(hass).async_block_till_done()
        await hass.async_stop()
    return {"times": times, "import_s": imported, "summary": result}


def _lines(days: int) -> Iterator[str]:
    """Line protocol as HA's influxdb integration writes it (time in seconds)."""
    tags = {
        key: f"{'°C' if key in MEAN_KEYS else 'kWh'},domain=sensor,entity_id=bench_{key}"
        if key != "compressor_starts"
        else f"sensor.bench_{key},domain=sensor,entity_id=bench_{key}"
        for key in IDS
    }
    for t, values in simulate(days):
        for key, value in values.items():
            yield f"{tags[key]} value={value!r} {t}"


def bench_influx(days: int, runs: int) -> dict[str, Any]:
    """Write the 5-minute year into a real influxd and time the year's summary."""
    binary = influxd_binary()
    if binary is None:
        raise SystemExit("influxd is not installed: scripts/setup unpacks it into .toolchain/")
    with run_influxd(binary, timeout_s=60) as url:
        port = int(url.rsplit(":", 1)[1])
        client = InfluxDBClient(host="127.0.0.1", port=port, database=DATABASE, timeout=300)
        client.create_database(DATABASE)
        t = time.perf_counter()
        batch: list[str] = []
        points = 0
        for line in _lines(days):
            batch.append(line)
            if len(batch) >= 50_000:
                client.write_points(batch, protocol="line", time_precision="s")
                points += len(batch)
                batch.clear()
        if batch:
            client.write_points(batch, protocol="line", time_precision="s")
            points += len(batch)
        client.close()
        written = time.perf_counter() - t
        reader = InfluxHistory(InfluxConfig(url=url, database=DATABASE, timeout_s=300))
        options = {**builder_options_like(), "net_thermal_counter": True}
        end = START + timedelta(days=days)
        try:
            times, result = _timed(
                runs,
                lambda: summarize_influx(
                    reader, IDS, IDS, START, end, time_zone=UTC, options=options
                ),
            )
        finally:
            reader.close()
    return {"times": times, "write_s": written, "points": points, "summary": result}


def builder_options_like() -> dict[str, Any]:
    """SummaryBuilder options of an entry polled every 5 minutes (see history.builder_options)."""

    class _Entry:
        options = {"scan_interval_s": STEP_S}

    return builder_options(_Entry())  # type: ignore[arg-type]


def _fmt(times: list[tuple[float, float]]) -> str:
    wall = [w for w, _ in times]
    cpu = [c for _, c in times]
    return (
        f"wall median {stats.median(wall) * 1000:.0f} ms (min {min(wall) * 1000:.0f} ms), "
        f"CPU of this process median {stats.median(cpu) * 1000:.0f} ms"
    )


def _figures(summary: dict[str, Any]) -> str:
    c = summary["energy"]["combined"]
    q = summary["coverage"] if "coverage" in summary else summary["data_quality"]
    return (
        f"electricity {c['electrical_energy']:.1f} kWh, heat {c['thermal_energy']:.1f} kWh, "
        f"COP {c['cop']:.3f}, {len(summary.get('months', []))} months, "
        f"{len(summary['outside_temperature_bins']['all'])} outdoor bins, "
        f"coverage {q['coverage_pct']:.2f} %"
    )


def main() -> None:
    """Run both benchmarks and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=("statistics", "influxdb"))
    args = parser.parse_args()
    print(f"{args.days} days, {args.days * 24} hours; {args.runs} runs each")
    print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    if args.only != "influxdb":
        with tempfile.TemporaryDirectory(prefix="hps-year-") as tmp:
            st = asyncio.run(bench_statistics(args.days, args.runs, tmp))
        hours = args.days * 24
        print(f"statistics: imported {len(IDS)} sensors x {hours} hours in {st['import_s']:.1f} s")
        print(f"statistics: summary of the period {_fmt(st['times'])}")
        print(f"            {_figures(st['summary'])}")
    if args.only != "statistics":
        fx = bench_influx(args.days, args.runs)
        print(f"influxdb:   wrote {fx['points']:,} points (5 min) in {fx['write_s']:.1f} s")
        print(f"influxdb:   summary of the period, {_fmt(fx['times'])}")
        print(f"            {_figures(fx['summary'])} ({fx['summary']['resolution']})")
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
