"""Setup, unload, reload, removal, failures and recovery."""

from __future__ import annotations

import logging
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats.change_recorder import ChangeRecorder
from custom_components.heatpump_stats.const import (
    CONF_METER,
    CONF_NAME,
    CONF_POWER_ENTITY,
    CONF_SOURCE,
    DOMAIN,
    METER_ENTITY,
    SOURCE_DEMO,
)
from custom_components.heatpump_stats.csv_reports import CsvReports
from custom_components.heatpump_stats.ha_sources import EntityMeter
from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceConnectionError,
    SourceDataError,
)
from custom_components.heatpump_stats.sources.demo import DemoSource

from .common import advance

STORE_KEY = "heatpump_stats.{}"


async def test_setup_and_unload(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_storage: dict[str, object]
) -> None:
    """Setup creates the device and entities; unload writes state and leaves nothing."""
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    assert demo_entry.state is ConfigEntryState.LOADED

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, "demo_test_heat_pump"), demo_entry.entry_id
    )
    assert device is not None
    assert device.manufacturer == "Heat Pump Stats"
    assert device.model == "Simulated air-to-water heat pump"
    assert device.name == "Test heat pump"
    entities = er.async_entries_for_config_entry(er.async_get(hass), demo_entry.entry_id)
    assert len(entities) >= 25
    assert all(e.unique_id.startswith("demo_test_heat_pump_") for e in entities)

    assert await hass.config_entries.async_unload(demo_entry.entry_id)
    await hass.async_block_till_done()
    assert demo_entry.state is ConfigEntryState.NOT_LOADED
    assert hass.states.get("sensor.test_heat_pump_cop").state == STATE_UNAVAILABLE
    stored = hass_storage[STORE_KEY.format(demo_entry.entry_id)]["data"]
    assert set(stored) == {"engine", "source", "alerts"}
    # Nothing of ours is left scheduled.
    assert not hass.data.get(DOMAIN)


async def test_reload_keeps_entities(hass: HomeAssistant, demo_entry: MockConfigEntry) -> None:
    """A reload brings the same entities back, loaded."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    before = {
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), demo_entry.entry_id)
    }
    assert await hass.config_entries.async_reload(demo_entry.entry_id)
    await hass.async_block_till_done()
    after = {
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), demo_entry.entry_id)
    }
    assert before == after
    assert demo_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("sensor.test_heat_pump_flow_temperature").state != STATE_UNAVAILABLE


async def test_remove_entry_deletes_stored_state(
    hass: HomeAssistant, demo_entry: MockConfigEntry, hass_storage: dict[str, object]
) -> None:
    """Deleting the entry deletes its accumulated state file."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(demo_entry.entry_id)
    assert STORE_KEY.format(demo_entry.entry_id) in hass_storage
    await hass.config_entries.async_remove(demo_entry.entry_id)
    await hass.async_block_till_done()
    assert STORE_KEY.format(demo_entry.entry_id) not in hass_storage


async def test_first_refresh_failure_retries_setup(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A source that cannot be read at startup means 'retry later', not an error."""
    demo_entry.add_to_hass(hass)
    with patch.object(DemoSource, "async_read", side_effect=SourceConnectionError("refused")):
        await hass.config_entries.async_setup(demo_entry.entry_id)
        await hass.async_block_till_done()
    assert demo_entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize(
    "error", [SourceConnectionError("timed out"), SourceDataError("truncated frame")]
)
async def test_failure_unavailable_one_log_line_then_recovery(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    """A failing source makes entities unavailable with one log line, and recovers."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 300)
    energy_before = float(hass.states.get("sensor.test_heat_pump_electrical_energy").state)

    caplog.clear()
    with patch.object(DemoSource, "async_read", side_effect=error):
        await advance(hass, freezer, 120)
        assert hass.states.get("sensor.test_heat_pump_flow_temperature").state == STATE_UNAVAILABLE
        assert hass.states.get("sensor.test_heat_pump_electrical_energy").state == STATE_UNAVAILABLE
    failures = [
        r for r in caplog.records if r.levelno >= logging.ERROR and "heat pump" in r.getMessage()
    ]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    # No traceback above debug level (the coordinator keeps the full error for debug logs).
    assert not [r for r in caplog.records if r.levelno > logging.DEBUG and r.exc_info]

    await advance(hass, freezer, 30)
    assert hass.states.get("sensor.test_heat_pump_flow_temperature").state != STATE_UNAVAILABLE
    # The energy of the outage is not lost: the counter difference covers it.
    sim = demo_entry.runtime_data.heat_pump.source.simulator
    energy_after = float(hass.states.get("sensor.test_heat_pump_electrical_energy").state)
    assert energy_after >= energy_before
    # The total mirrors the simulator's lifetime counter.
    assert energy_after == pytest.approx(
        sim.counter_base["electrical_energy"] + sim.truth.electrical_energy, abs=1e-6
    )


@pytest.mark.freeze_time("2026-01-15T05:00:00+00:00")
async def test_state_is_written_while_running_not_only_at_stop(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, object],
) -> None:
    """Polls every 30 s must not keep postponing the 60 s delayed save (a crash loses less)."""
    demo_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    key = STORE_KEY.format(demo_entry.entry_id)
    await advance(hass, freezer, 5 * 60)
    assert key in hass_storage
    first = hass_storage[key]["data"]["engine"]["elec_total"]  # type: ignore[index]
    await advance(hass, freezer, 5 * 60)
    second = hass_storage[key]["data"]["engine"]["elec_total"]  # type: ignore[index]
    assert second > first


@pytest.mark.parametrize(
    ("failing", "error", "state"),
    [
        ("heat_pump", SourceConnectionError("refused"), ConfigEntryState.SETUP_RETRY),
        ("heat_pump", SourceAuthError("401"), ConfigEntryState.SETUP_ERROR),
        ("meter", SourceConnectionError("no value"), ConfigEntryState.SETUP_RETRY),
    ],
)
async def test_failed_first_refresh_closes_what_setup_opened(
    hass: HomeAssistant, failing: str, error: Exception, state: ConfigEntryState
) -> None:
    """Setup registers every close with the entry; a failed first refresh runs them all.

    The heat pump source, the meter, the change log and the CSV sample store are
    each closed once, whichever of the two first refreshes fails and however.
    """
    hass.states.async_set("sensor.hp_power", "1200", {"unit_of_measurement": "W"})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Test heat pump",
        unique_id="demo_closing",
        data={
            CONF_SOURCE: SOURCE_DEMO,
            CONF_NAME: "Test heat pump",
            CONF_METER: METER_ENTITY,
            CONF_POWER_ENTITY: "sensor.hp_power",
        },
        options={},
    )
    entry.add_to_hass(hass)
    failing_cls = DemoSource if failing == "heat_pump" else EntityMeter
    closes = {
        cls: patch.object(cls, "async_close", autospec=True, side_effect=cls.async_close)
        for cls in (DemoSource, EntityMeter, ChangeRecorder, CsvReports)
    }
    with (
        patch.object(failing_cls, "async_read", side_effect=error),
        closes[DemoSource] as source_close,
        closes[EntityMeter] as meter_close,
        closes[ChangeRecorder] as changes_close,
        closes[CsvReports] as csv_close,
    ):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is state
        assert source_close.call_count == 1
        assert meter_close.call_count == 1
        assert changes_close.call_count == 1
        assert csv_close.call_count == 1
    # The sample store's connection is really closed (the mocks called through).
    csv_reports = csv_close.call_args.args[0]
    assert csv_reports.store._conn is None


async def test_unload_closes_what_setup_opened(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """Unload closes the source, the change log and the sample store once each."""
    demo_entry.add_to_hass(hass)
    closes = {
        cls: patch.object(cls, "async_close", autospec=True, side_effect=cls.async_close)
        for cls in (DemoSource, ChangeRecorder, CsvReports)
    }
    with (
        closes[DemoSource] as source_close,
        closes[ChangeRecorder] as changes_close,
        closes[CsvReports] as csv_close,
    ):
        assert await hass.config_entries.async_setup(demo_entry.entry_id)
        await hass.async_block_till_done()
        assert source_close.call_count == changes_close.call_count == csv_close.call_count == 0
        assert await hass.config_entries.async_unload(demo_entry.entry_id)
        await hass.async_block_till_done()
        assert source_close.call_count == changes_close.call_count == csv_close.call_count == 1
