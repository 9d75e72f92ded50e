"""What the README promises a new user (issue 13), read from the README itself.

- The custom Modbus register map is documented with a complete example: the example
  parses, reads known answers from a device serving it, and every field the map's schema
  takes is named in the section's table.
- Every figure of a `summarize` response is defined in the README's table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
import voluptuous as vol

from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.model.reading import OperatingMode
from custom_components.heatpump_stats.sources.modbus import (
    ModbusSource,
    parse_register_map,
    schema as map_schema,
)

from .common import advance
from .simulators.modbus_server import ModbusSimulator, int16, words32

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    """The README's text from the heading `title` to the next heading of its level or above
    (lines in code blocks, such as YAML comments, are not headings)."""
    level = len(title.split(" ", 1)[0])
    lines = README.split("\n")
    start = lines.index(title) + 1
    fenced = False
    for end in range(start, len(lines)):
        line = lines[end]
        if line.startswith("```"):
            fenced = not fenced
        marks = len(line) - len(line.lstrip("#"))
        if not fenced and 0 < marks <= level and line[marks : marks + 1] == " ":
            return "\n".join(lines[start:end])
    return "\n".join(lines[start:])


def _yaml_block(text: str) -> str:
    match = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert match, "no ```yaml block"
    return match.group(1)


MAP_SECTION = _section("### Custom Modbus register map")


def _schema_keys(schema: Any) -> Iterator[str]:
    """Every field name a voluptuous schema (nested dicts and lists) takes."""
    if isinstance(schema, vol.Schema):
        yield from _schema_keys(schema.schema)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if isinstance(key, vol.Marker) and isinstance(key.schema, str):
                yield key.schema
            yield from _schema_keys(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _schema_keys(item)
    elif isinstance(schema, vol.All):
        for item in schema.validators:
            yield from _schema_keys(item)


def test_every_register_map_field_is_in_the_readme_table() -> None:
    """Top level, register, states, mode rules, computed and its parts: each field of the
    parser's schemas appears in backticks in the README's table."""
    fields: set[str] = set()
    for name in dir(map_schema):
        if name.endswith("_SCHEMA"):
            fields.update(_schema_keys(getattr(map_schema, name)))
    assert {"manufacturer", "registers", "word_order", "bits", "daily", "factor"} <= fields
    table = MAP_SECTION.split("| Field |", 1)[1]
    documented = set(re.findall(r"`(?:states\.)?([a-z_]+)`", table))
    # `bit`, `value`, `mode`, `key`, `factor` appear inside the rule and part examples.
    documented |= set(re.findall(r"\{([a-z_]+):", table))
    documented |= set(re.findall(r", ([a-z_]+): ", table))
    assert fields - documented == set(), sorted(fields - documented)


@pytest.mark.usefixtures("socket_enabled")
async def test_the_readme_example_map_reads_a_device() -> None:
    """The example, as written, served by a Modbus simulator.

    Raw words (scale 0.1, int16): outside 0xFFCE = -50 → -5.0 °C; flow 352 → 35.2 °C;
    return 298 → 29.8 °C; hot water 486 → 48.6 °C; modulation 57 (uint16 × 1) → 57 %;
    flow rate 185 (uint16 × 0.1) → 18.5 l/min; power words 0x0000 0x04D2 (uint32,
    big) → 1234 W; status 0b0101 = bits 0 and 2: compressor running, defrost → mode
    defrost (first rule); electricity 4 MWh × 1000 + 321 kWh = 4321 kWh; the hot-water
    target (holding) 500 → 50.0 °C, a setting; program 1 → "automatic".
    """
    register_map = parse_register_map(_yaml_block(MAP_SECTION), name="README example")
    assert (register_map.manufacturer, register_map.model) == ("Acme", "AW 9")
    inputs = {0: int16(-50), 1: 352, 2: 298, 3: 486, 4: 57, 5: 185, 20: 0b0101, 30: 4, 31: 321}
    inputs |= dict(zip((10, 11), words32(1234), strict=True))
    holding = {100: 500, 101: 1}
    async with ModbusSimulator(inputs, holding) as sim:
        source = ModbusSource(
            connection="tcp", host="127.0.0.1", port=sim.port, register_map=register_map
        )
        try:
            reading = await source.async_read()
        finally:
            await source.async_close()
    expected = {
        "outside_temperature": -5.0,
        "flow_temperature": 35.2,
        "return_temperature": 29.8,
        "dhw_temperature": 48.6,
        "compressor_modulation": 57.0,
        "flow_rate": 18.5,
        "electrical_power": 1234.0,
        "compressor_running": True,
        "defrost_active": True,
        "circulation_pump": False,
        "operating_mode": OperatingMode.DEFROST,
        "electrical_energy": 4321.0,
    }
    assert {field: getattr(reading, field) for field in expected} == expected
    assert reading.settings["dhw_target_temperature"] == 50.0
    assert reading.settings["operating_program"] == "automatic"


SUMMARY_SECTION = _section("## Season summaries from history: `summarize`")


def _paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Dotted paths of a response's keys; list items as `[]`, purposes and modes as `<…>`."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            yield path
            yield from _paths(item, path)
    elif isinstance(value, list):
        for item in value:
            yield from _paths(item, f"{prefix}[]")


@pytest.mark.freeze_time("2026-01-15T04:50:00+00:00")
async def test_every_summary_figure_is_defined_in_the_readme(
    recorder_mock: Recorder,
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An hour of the demo in winter, then `summarize` of that hour: every key of the
    response (at any depth) is named, in backticks, in the README's summarize section."""
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    start = dt_util.utcnow()
    await advance(hass, freezer, 3600)
    await async_wait_recording_done(hass)
    response = await hass.services.async_call(
        DOMAIN,
        "summarize",
        {"config_entry_id": demo_entry.entry_id, "start": start, "end": dt_util.utcnow()},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    assert response["sessions"], "an hour of winter has a compressor run"
    prose = re.sub(r"```.*?```", "", SUMMARY_SECTION, flags=re.DOTALL)
    named = set(re.findall(r"`([^`]+)`", prose))
    words = {word for name in named for word in re.findall(r"[a-z_]+", name)}
    entity_keys = set(response.get("entities", {}))
    missing = sorted(
        path
        for path in _paths(response)
        if path.rsplit(".", 1)[-1].removesuffix("[]") not in words
        and not path.startswith("entities.")
    )
    assert missing == [], missing
    assert entity_keys  # the entity ids read, by key (documented as a whole)
