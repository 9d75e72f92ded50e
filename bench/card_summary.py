"""The card's `heatpump_stats/summary` read over a heating season (run by hand).

1. Fills a new recorder database with bench/summarize.py's synthetic heat pump
   (30-s states of one entry's inputs) for `--days` days from 1 July, and
   imports the same stream's hourly long-term statistics (the energy counters
   in total and per purpose, the compressor starts, the mean outdoor and flow
   temperatures) through the recorder's public `async_import_statistics`.
2. Times the websocket round trip of ``heatpump_stats/summary`` for each
   period at noon of the season's last day: from the message handed to a
   websocket connection (:class:`ActiveConnection`, as HA's websocket hands it
   each message) to the JSON answer it sends, for an entry whose registry
   entries name the bench's entities. A probe on the event loop measures its
   worst lag. Twice: the first request reads the season's hours; later ones
   keep them, as the command does per entry, and read the newest hours only.
   ``--profile`` prints cProfile's view of the blocking reads (in the
   recorder's executor thread).

    .venv/bin/python bench/card_summary.py [--days 200] [--db /tmp/hp_card.db] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
from datetime import UTC, datetime, timedelta
import json
import logging
import math
from pathlib import Path
import pstats
import sys
import tempfile
import time
from types import MappingProxyType, SimpleNamespace
from typing import Any
from unittest.mock import patch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from homeassistant.auth.models import User
from homeassistant.components.recorder.models import StatisticMeanType
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import summarize as states_bench  # bench/summarize.py: the synthetic heat pump

from custom_components.heatpump_stats import websocket
from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.statistics_history import CHANGE_KEYS, MEAN_KEYS
from custom_components.heatpump_stats.websocket import (
    COMMAND_SUMMARY,
    PERIODS,
    async_setup_websocket,
)

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


class _NoChanges:
    """The change log of the bench's entry: empty (the card's markers are not timed here)."""

    async def async_query(self, **_: Any) -> list[Any]:
        return []


def _add_entry(hass: HomeAssistant) -> ConfigEntry:
    """A Heat Pump Stats entry whose registry entries name the bench's entities.

    The entry is not set up (there is no heat pump): its runtime data is a stand-in with
    what the command reads of it: the kept season hours, no live data, no change log.
    """
    entry = ConfigEntry(
        domain=DOMAIN,
        title="Bench",
        data={},
        options={},  # the season from 1 July
        source="user",
        unique_id="bench",
        version=1,
        minor_version=1,
        discovery_keys=MappingProxyType({}),
        subentries_data=None,
    )
    hass.config_entries._entries[entry.entry_id] = entry
    registry = er.async_get(hass)
    for key, entity_id in {**states_bench.ENTITIES, **STATISTICS}.items():
        platform, object_id = entity_id.split(".")
        registry.async_get_or_create(
            platform, DOMAIN, f"bench_{key}", suggested_object_id=object_id
        )
    entry.runtime_data = SimpleNamespace(  # type: ignore[assignment]
        card_hours=None, heat_pump=SimpleNamespace(data=None), changes=_NoChanges()
    )
    return entry


def _profile_reads(profiler: cProfile.Profile) -> None:
    """Profile the command's blocking read in the executor thread it runs in."""
    read = websocket._read_blocking

    def profiled(*args: Any) -> Any:
        profiler.enable()
        try:
            return read(*args)
        finally:
            profiler.disable()

    websocket._read_blocking = profiled  # type: ignore[assignment]


async def _round_trip(connection: ActiveConnection, msg: dict[str, Any]) -> dict[str, Any]:
    """Send one command the way the websocket does and wait for its answer (JSON)."""
    answer: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    connection.send_message = answer.set_result
    connection.async_handle(msg)
    sent = await answer
    found: dict[str, Any] = json.loads(sent)
    assert found["success"], found
    return found["result"]


async def main(days: float, db_arg: str | None, profile: bool) -> None:
    """Fill (unless the database exists), then time every period's websocket round trip."""
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
            entry = _add_entry(hass)
            async_setup_websocket(hass)
            user = User(name="bench", perm_lookup=None, is_owner=True)  # type: ignore[arg-type]
            connection = ActiveConnection(
                logging.getLogger(__name__),  # type: ignore[arg-type]
                hass,
                lambda _: None,
                user,
                None,
                None,
            )
            now = START + timedelta(days=days - 0.5)  # noon of the season's last day
            profiler = cProfile.Profile() if profile else None
            if profiler is not None:
                _profile_reads(profiler)
            print("\nround  period    seconds  loop lag max  history     COP  SCOP")
            msg_id = 0
            with patch.object(dt_util, "utcnow", lambda: now):
                for rnd, period in [(r, p) for r in ("first", "again") for p in PERIODS]:
                    if rnd == "first" and period == PERIODS[0]:
                        entry.runtime_data.card_hours = None  # nothing kept yet
                    msg_id += 1
                    msg = {
                        "id": msg_id,
                        "type": COMMAND_SUMMARY,
                        "config_entry_id": entry.entry_id,
                        "period": period,
                    }
                    lags: list[float] = []
                    stop = asyncio.Event()
                    probe = asyncio.create_task(states_bench._probe(lags, stop))
                    started = time.perf_counter()
                    figures = await _round_trip(connection, msg)
                    elapsed = time.perf_counter() - started
                    stop.set()
                    await probe
                    print(
                        f"{rnd:6s} {period:7s} {elapsed:8.2f}  {max(lags) * 1000:9.1f} ms  "
                        f"{figures['history']:10s} {figures['cop'] or 0:5.2f} "
                        f"{figures['season']['cop'] or 0:5.2f}"
                    )
            if profiler is not None:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats("heatpump_stats", 20)
        finally:
            await states_bench._stop_hass(hass)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=200.0)
    parser.add_argument("--db", default=None, help="reuse or create this database file")
    parser.add_argument("--profile", action="store_true", help="cProfile the requests")
    args = parser.parse_args()
    asyncio.run(main(args.days, args.db, args.profile))
