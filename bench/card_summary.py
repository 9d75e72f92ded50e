"""The card's `heatpump_stats/summary` read over a heating season (run by hand).

1. Fills a new recorder database with bench/summarize.py's synthetic heat pump
   (30-s states of one entry's inputs) for `--days` days from 1 July, and
   imports the same stream's hourly long-term statistics (the energy counters
   in total and per purpose, the compressor starts, the mean outdoor and flow
   temperatures) through the recorder's public `async_import_statistics`.
2. Times the websocket command's read (:func:`.websocket._read_blocking` in
   the recorder's executor, as the command runs it) for each period at noon
   of the season's last day, with a probe on the event loop measuring its
   worst lag; twice (the first request reads the season's hours; later ones
   keep them, as the websocket command does per entry, and read the newest
   hours only).

    .venv/bin/python bench/card_summary.py [--days 200] [--db /tmp/hp_card.db]
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta
import math
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
import summarize as states_bench  # bench/summarize.py: the synthetic heat pump

from custom_components.heatpump_stats.statistics_history import CHANGE_KEYS, MEAN_KEYS
from custom_components.heatpump_stats.websocket import PERIODS, _Read, _read_blocking, period_start

START = states_bench.START
STATISTICS = {key: f"sensor.bench_{key}" for key in (*CHANGE_KEYS, *MEAN_KEYS)}
UNITS = {"compressor_starts": None, "outside_temperature": "°C", "flow_temperature": "°C"}


def _hourly(days: float) -> dict[str, list[dict[str, Any]]]:
    """Hourly statistics rows of the synthetic stream (cumulative sums, means)."""
    sums = dict.fromkeys(CHANGE_KEYS, 0.0)
    means: dict[str, list[float]] = {key: [] for key in MEAN_KEYS}
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in STATISTICS}
    last: dict[str, str] = {}
    hour: float | None = None
    running = False

    def close(ts: float) -> None:
        start = datetime.fromtimestamp(ts, UTC)
        for key in CHANGE_KEYS:
            rows[key].append({"start": start, "state": sums[key], "sum": sums[key]})
        for key in MEAN_KEYS:
            values = means[key] or [math.nan]
            mean = sum(values) / len(values)
            rows[key].append({"start": start, "mean": mean, "min": mean, "max": mean})
            means[key] = []

    for t, changed in states_bench._synthetic(days):
        state = {**last, **changed}
        h = t - t % 3600
        if hour is not None and h != hour:
            close(hour)
        hour = h
        if last:
            mode = last["operating_mode"]
            d_el = float(state["electrical_energy"]) - float(last["electrical_energy"])
            d_th = float(state["thermal_energy"]) - float(last["thermal_energy"])
            sums["electrical_energy"] += d_el
            sums["thermal_energy"] += d_th
            purpose = "dhw" if mode == "dhw" else "heating"
            sums[f"electrical_energy_{purpose}"] += d_el
            sums[f"thermal_energy_{purpose}"] += d_th
            if mode == "defrost":
                sums["electrical_energy_defrost"] += d_el
        now_running = state["compressor_running"] == "on"
        if now_running and not running:
            sums["compressor_starts"] += 1
        running = now_running
        means["outside_temperature"].append(float(state["outside_temperature"]))
        means["flow_temperature"].append(float(state["flow_temperature"]))
        last = state
    return rows


async def _import(hass: HomeAssistant, days: float) -> int:
    rows = _hourly(days)
    for key, statistic_id in STATISTICS.items():
        mean = key in MEAN_KEYS
        unit = UNITS.get(key, "kWh")
        async_import_statistics(
            hass,
            {
                "mean_type": StatisticMeanType.ARITHMETIC if mean else StatisticMeanType.NONE,
                "has_sum": not mean,
                "name": None,
                "source": "recorder",
                "statistic_id": statistic_id,
                "unit_class": "temperature" if mean else "energy" if unit == "kWh" else None,
                "unit_of_measurement": unit,
            },
            rows[key],  # type: ignore[arg-type]
        )
    await get_instance(hass).async_block_till_done()
    return sum(len(r) for r in rows.values())


async def _probe(lags: list[float], stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        before = loop.time()
        await asyncio.sleep(0.005)
        lags.append(loop.time() - before - 0.005)


async def main(days: float, db_arg: str | None) -> None:
    """Fill (unless the database exists), then time every period."""
    with tempfile.TemporaryDirectory() as config_dir:
        db_path = Path(db_arg) if db_arg else Path(config_dir) / "card.db"
        fresh = not db_path.exists()
        if fresh:
            hass = await states_bench._start_hass(config_dir, db_path)
            await states_bench._stop_hass(hass)
            counts = states_bench.fill(db_path, days)
            print(f"states: {sum(counts.values()):,} rows")
        hass = await states_bench._start_hass(config_dir, db_path)
        try:
            if fresh:
                print(f"statistics: {await _import(hass, days):,} hourly rows")
            now = START + timedelta(days=days - 0.5)  # noon of the season's last day
            tz = UTC
            kept = None  # the season's hours the card keeps between requests
            print("\nround  period    seconds  loop lag max  history     COP  SCOP")
            for rnd, period in [(r, p) for r in ("first", "again") for p in PERIODS]:
                read = _Read(
                    period=period,
                    history_ids=states_bench.ENTITIES,
                    statistics_ids=STATISTICS,
                    start=period_start(period, now, tz, (7, 1)),
                    season_start=period_start("season", now, tz, (7, 1)),
                    now=now,
                    options={"max_gap_s": math.inf, "net_thermal_counter": True},
                    tz=tz,
                )
                lags: list[float] = []
                stop = asyncio.Event()
                probe = asyncio.create_task(_probe(lags, stop))
                started = time.perf_counter()
                figures, kept = await get_instance(hass).async_add_executor_job(
                    _read_blocking, hass, read, kept
                )
                elapsed = time.perf_counter() - started
                stop.set()
                await probe
                print(
                    f"{rnd:6s} {period:7s} {elapsed:8.2f}  {max(lags) * 1000:9.1f} ms  "
                    f"{figures['history']:10s} {figures['cop'] or 0:5.2f} "
                    f"{figures['season']['cop'] or 0:5.2f}"
                )
        finally:
            await states_bench._stop_hass(hass)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=200.0)
    parser.add_argument("--db", default=None, help="reuse or create this database file")
    args = parser.parse_args()
    asyncio.run(main(args.days, args.db))
