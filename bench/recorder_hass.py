"""A bare Home Assistant with only the recorder on a given SQLite file (for the benches)."""

from __future__ import annotations

from pathlib import Path

from homeassistant import loader
from homeassistant.bootstrap import async_load_base_functionality
from homeassistant.config_entries import ConfigEntries
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import async_initialize_recorder, get_instance
from homeassistant.setup import async_setup_component


async def start_hass(config_dir: str, db_path: Path) -> HomeAssistant:
    """Start Home Assistant (UTC) with the recorder on `db_path`, ready to read."""
    hass = HomeAssistant(config_dir)
    await hass.config.async_set_time_zone("UTC")
    loader.async_setup(hass)
    hass.config_entries = ConfigEntries(hass, {})
    async_initialize_recorder(hass)
    assert await async_load_base_functionality(hass)
    assert await async_setup_component(
        hass,
        "recorder",
        {"recorder": {"db_url": f"sqlite:///{db_path}", "auto_purge": False, "commit_interval": 5}},
    )
    await hass.async_start()
    await get_instance(hass).async_db_ready
    await hass.async_block_till_done()
    return hass
