"""Event-loop CPU per poll per entry, against Home Assistant's own floor (run by hand).

Starts a real Home Assistant (no recorder, no frontend) in a temporary
configuration folder with

* N demo entries of Heat Pump Stats (the simulated heat pump, its own meter;
  about 46 entities each), and
* N entries of a minimal integration written here, `bench_floor`: a
  DataUpdateCoordinator and CoordinatorEntity sensors/binary sensors, HA's
  plain pattern, one entity for each of ours with the same device class,
  state class, unit, options and attributes, whose numbers change every poll
  and which writes every state at every poll (CoordinatorEntity's default).
  That is what writing the same states costs at the least: HA's floor.

Simulated time starts now and moves 30 s per round (``homeassistant.util.dt.utcnow`` is
replaced by a clock the bench moves; no freezegun, which would slow every
datetime). Each round refreshes every coordinator of one side with
``async_refresh`` and waits for Home Assistant to be idle, then the other side;
the event-loop thread's CPU time (``time.thread_time`` in the loop thread, so
executor jobs such as the simulator step and SQLite writes do not count) is
summed per side. Printed: ms per poll per entry for both, the ratio, and the
states each side wrote per poll.

    .venv/bin/python bench/poll_cost.py [--entries 1 4] [--polls 300] [--warmup 40] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
import cProfile
from datetime import datetime, timedelta
import gc
import json
from pathlib import Path
import pstats
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

from homeassistant.util import dt as dt_util  # noqa: E402

LIST = "--list" in sys.argv
if LIST:
    sys.argv.remove("--list")
STEP = timedelta(seconds=30)
_real_utcnow = dt_util.utcnow
# Simulated time = real time + an offset that grows by STEP per round. It
# starts at real time and only runs ahead: Home Assistant's timers mix
# `utcnow()` with `time.time()`, and a clock behind the real one makes them
# fire at once, again and again.
_offset = [timedelta(0)]


def _fake_utcnow() -> datetime:
    return _real_utcnow() + _offset[0]


# Before anything binds it (the demo source keeps `dt_util.utcnow` as its clock).
dt_util.utcnow = _fake_utcnow

from homeassistant import loader  # noqa: E402
from homeassistant.bootstrap import async_load_base_functionality  # noqa: E402
from homeassistant.config_entries import ConfigEntries, ConfigEntry  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import entity_registry as er  # noqa: E402

FLOOR_MANIFEST = {
    "domain": "bench_floor",
    "name": "Bench floor",
    "version": "1.0.0",
    "config_flow": True,
    "codeowners": [],
    "documentation": "https://example.invalid",
    "iot_class": "local_polling",
    "requirements": [],
}

FLOOR_INIT = '''
"""HA's plain pattern: one coordinator, CoordinatorEntity entities, a write per entity per poll."""

from datetime import timedelta
import logging

from homeassistant.const import Platform
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

PLATFORMS = [Platform.BINARY_SENSOR, Platform.SENSOR]


class FloorCoordinator(DataUpdateCoordinator):
    def __init__(self, hass, entry, specs):
        super().__init__(
            hass,
            logging.getLogger(__name__),
            config_entry=entry,
            name="bench floor",
            update_interval=timedelta(seconds=30),
        )
        self.specs = specs
        self.polls = 0

    async def _async_update_data(self):
        # Every number moves at every poll; texts, flags and times stay.
        self.polls += 1
        return {
            spec["key"]: spec["value"] + self.polls * 0.01
            if isinstance(spec["value"], float)
            else spec["value"]
            for spec in self.specs
        }


async def async_setup_entry(hass, entry):
    coordinator = FloorCoordinator(hass, entry, hass.data["bench_floor_specs"])
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass, entry):
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
'''

FLOOR_FLOW = '''
"""Config entries need a flow module; the bench adds its entries directly."""

from homeassistant.config_entries import ConfigFlow


class FloorFlow(ConfigFlow, domain="bench_floor"):
    VERSION = 1
'''

FLOOR_ENTITY = '''
"""The floor's {platform} entities."""

from homeassistant.components.{platform} import {cls}
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

PARALLEL_UPDATES = 0


async def async_setup_entry(hass, entry, async_add_entities):
    coordinator = entry.runtime_data
    async_add_entities(
        FloorEntity(entry, coordinator, spec)
        for spec in coordinator.specs
        if spec["platform"] == "{platform}"
    )


class FloorEntity(CoordinatorEntity, {cls}):
    _attr_has_entity_name = True

    def __init__(self, entry, coordinator, spec):
        super().__init__(coordinator)
        self._key = spec["key"]
        self._attr_unique_id = f"{{entry.entry_id}}_{{spec['key']}}"
        self._attr_name = spec["name"]
        self._attr_device_info = DeviceInfo(
            identifiers={{("bench_floor", entry.entry_id)}},
            manufacturer="Bench",
            model="Floor",
            name=entry.title,
        )
        for attr, value in spec["attrs"].items():
            setattr(self, f"_attr_{{attr}}", value)
        self._attr_extra_state_attributes = spec["extra"] or None

    @property
    def {value_property}(self):
        return self.coordinator.data[self._key]
'''


def _write_floor(config_dir: Path) -> None:
    base = config_dir / "custom_components" / "bench_floor"
    base.mkdir(parents=True)
    (base / "manifest.json").write_text(json.dumps(FLOOR_MANIFEST))
    (base / "__init__.py").write_text(FLOOR_INIT)
    (base / "config_flow.py").write_text(FLOOR_FLOW)
    (base / "sensor.py").write_text(
        FLOOR_ENTITY.format(platform="sensor", cls="SensorEntity", value_property="native_value")
    )
    (base / "binary_sensor.py").write_text(
        FLOOR_ENTITY.format(
            platform="binary_sensor", cls="BinarySensorEntity", value_property="is_on"
        )
    )


_SENSOR_ATTRS = {
    "device_class": "device_class",
    "state_class": "state_class",
    "unit_of_measurement": "native_unit_of_measurement",
    "options": "options",
}
_SKIP = {"friendly_name", "icon"}


def _floor_specs(hass: HomeAssistant, entity_ids: list[str]) -> list[dict[str, Any]]:
    """One floor entity per entity of ours: same classes, unit, options and attributes."""
    registry = er.async_get(hass)
    specs: list[dict[str, Any]] = []
    for index, entity_id in enumerate(entity_ids):
        state = hass.states.get(entity_id)
        assert state is not None
        platform = entity_id.split(".")[0]
        entry = registry.async_get(entity_id)
        attrs: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for name, attr_value in state.attributes.items():
            if name in _SKIP:
                continue
            if platform == "sensor" and name in _SENSOR_ATTRS:
                attrs[_SENSOR_ATTRS[name]] = attr_value
            elif name == "device_class":
                attrs["device_class"] = attr_value
            else:
                extra[name] = attr_value
        if platform == "sensor" and entry is not None:
            precision = (entry.options.get("sensor") or {}).get("suggested_display_precision")
            if precision is not None:
                attrs["suggested_display_precision"] = precision
        value: Any
        if platform == "binary_sensor":
            value = state.state == "on"
        elif attrs.get("device_class") == "timestamp":
            value = _real_utcnow().replace(microsecond=0)
        else:
            try:
                value = float(state.state)
            except ValueError:
                value = state.state if state.state not in ("unknown", "unavailable") else None
            if "options" in attrs and value not in attrs["options"]:
                value = attrs["options"][0]
            if value is None and "native_unit_of_measurement" in attrs:
                value = 1.0
        specs.append(
            {
                "key": f"e{index}",
                "name": entity_id.split(".", 1)[1],
                "platform": platform,
                "attrs": attrs,
                "extra": extra,
                "value": value,
            }
        )
    return specs


def _entry(domain: str, title: str, data: dict[str, Any], unique_id: str) -> ConfigEntry:
    return ConfigEntry(
        data=data,
        discovery_keys={},  # type: ignore[arg-type]
        domain=domain,
        minor_version=1,
        options={},
        source="user",
        subentries_data=(),
        title=title,
        unique_id=unique_id,
        version=1,
    )


async def _start(config_dir: Path) -> HomeAssistant:
    hass = HomeAssistant(str(config_dir))
    hass.config.skip_pip = True
    await hass.config.async_set_time_zone("Europe/Berlin")
    loader.async_setup(hass)
    hass.config_entries = ConfigEntries(hass, {})
    await hass.config_entries.async_initialize()
    assert await async_load_base_functionality(hass)
    # Only the Viessmann sign-in needs application_credentials (and so http);
    # the demo does not: count it as loaded instead of serving HTTP.
    hass.config.components.add("application_credentials")
    await hass.async_start()
    await hass.async_block_till_done()
    return hass


def _entities_of(hass: HomeAssistant, entry: ConfigEntry) -> list[str]:
    """The entry's enabled sensors and binary sensors (the ones a poll writes)."""
    return sorted(
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if e.disabled_by is None and e.domain in ("sensor", "binary_sensor")
    )


async def _round(hass: HomeAssistant, coordinators: list[Any]) -> float:
    """Refresh every coordinator once; the loop thread's CPU seconds for it."""
    start = time.thread_time()
    for coordinator in coordinators:
        await coordinator.async_refresh()
    await hass.async_block_till_done()
    return time.thread_time() - start


async def bench(entries: int, polls: int, warmup: int, profile: bool) -> dict[str, float]:
    """Set up `entries` of each side, poll `polls` rounds, print and return the figures."""
    _offset[0] = timedelta(0)
    with tempfile.TemporaryDirectory(prefix="hps_poll_cost_") as tmp:
        config_dir = Path(tmp)
        # `custom_components` is a namespace package: its path follows sys.path.
        sys.path.insert(0, str(config_dir))
        (config_dir / "custom_components").mkdir()
        (config_dir / "custom_components" / "heatpump_stats").symlink_to(
            ROOT / "custom_components" / "heatpump_stats"
        )
        _write_floor(config_dir)
        hass = await _start(config_dir)

        ours: list[ConfigEntry] = []
        for n in range(entries):
            entry = _entry(
                "heatpump_stats",
                f"Bench {n}",
                {"source": "demo", "name": f"Bench {n}", "meter": "source"},
                f"bench_{n}",
            )
            await hass.config_entries.async_add(entry)
            ours.append(entry)
        await hass.async_block_till_done()
        our_ids = _entities_of(hass, ours[0])
        if LIST:
            for e in er.async_entries_for_config_entry(er.async_get(hass), ours[0].entry_id):
                print(e.entity_id, e.disabled_by)
        hass.data["bench_floor_specs"] = _floor_specs(hass, our_ids)
        floor: list[ConfigEntry] = []
        for n in range(entries):
            entry = _entry("bench_floor", f"Floor {n}", {}, f"floor_{n}")
            await hass.config_entries.async_add(entry)
            floor.append(entry)
        await hass.async_block_till_done()
        floor_ids = _entities_of(hass, floor[0])

        our_coordinators = [
            c for e in ours for c in (e.runtime_data.heat_pump, e.runtime_data.meter) if c
        ]
        floor_coordinators = [e.runtime_data for e in floor]
        all_ours = [i for e in ours for i in _entities_of(hass, e)]
        all_floor = [i for e in floor for i in _entities_of(hass, e)]
        writes = {"ours": 0, "floor": 0}

        def _reported(entity_ids: list[str]) -> dict[str, datetime]:
            return {i: s.last_reported for i in entity_ids if (s := hass.states.get(i))}

        cpu = {"ours": 0.0, "floor": 0.0}
        profiler = cProfile.Profile() if profile else None
        gc.collect()
        for i in range(warmup + polls):
            _offset[0] += STEP
            measuring = i >= warmup
            before = _reported(all_ours), _reported(all_floor)
            if profiler is not None and measuring:
                profiler.enable()
            our_cpu = await _round(hass, our_coordinators)
            if profiler is not None and measuring:
                profiler.disable()
            floor_cpu = await _round(hass, floor_coordinators)
            if measuring:
                cpu["ours"] += our_cpu
                cpu["floor"] += floor_cpu
                # A write moves last_reported, changed or not.
                after = _reported(all_ours), _reported(all_floor)
                for side, old, new in (
                    ("ours", before[0], after[0]),
                    ("floor", before[1], after[1]),
                ):
                    writes[side] += sum(1 for k, v in new.items() if old.get(k) != v)

        for entry in (*ours, *floor):
            await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_stop()
        sys.path.remove(str(config_dir))

    per = entries * polls
    ours_ms = cpu["ours"] / per * 1000
    floor_ms = cpu["floor"] / per * 1000
    print(
        f"{entries} entr{'y' if entries == 1 else 'ies'} × {polls} polls, "
        f"{len(our_ids)} entities per entry (floor: {len(floor_ids)})"
    )
    print(
        f"  heatpump_stats : {ours_ms:6.3f} ms per poll per entry, "
        f"{writes['ours'] / per:5.1f} states written per poll"
    )
    print(
        f"  HA floor       : {floor_ms:6.3f} ms per poll per entry, "
        f"{writes['floor'] / per:5.1f} states written per poll"
    )
    print(f"  ratio          : {ours_ms / floor_ms:5.2f}× HA's floor (target ≤ 1.5×)")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return {"ours_ms": ours_ms, "floor_ms": floor_ms}


def main(argv: list[str] | None = None) -> None:
    """Parse arguments and run one bench per entry count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--polls", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--profile", action="store_true", help="cProfile our polls")
    args = parser.parse_args(argv)
    runner: Callable[[int], Any] = lambda n: asyncio.run(  # noqa: E731
        bench(n, args.polls, args.warmup, args.profile)
    )
    for entries in args.entries:
        runner(entries)


if __name__ == "__main__":
    main()
