"""End to end: Home Assistant's own InfluxDB integration writes our entities into a real
InfluxDB 1.x server; the summary read back from it equals the recorder's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from influxdb import InfluxDBClient
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
import pytest_socket

from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.history import async_entry_entity_ids, builder_options
from custom_components.heatpump_stats.statistics_history import async_statistics_entity_ids
from custom_components.heatpump_stats.store.influxdb import InfluxConfig, InfluxHistory
from custom_components.heatpump_stats.summaries import async_summarize_history, summarize_influx

from .common import advance
from .simulators.influxdb_server import influxd_binary, run_influxd

WINTER_START = "2026-01-15T04:50:00+00:00"
DATABASE = "home_assistant"

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture(scope="module")
def influx_url() -> Iterator[str]:
    """A real InfluxDB 1.x server for the module."""
    binary = influxd_binary()
    if binary is None:
        pytest.skip("influxd is not installed: scripts/setup unpacks it into .toolchain/influxdb")
    pytest_socket.enable_socket()
    with run_influxd(binary) as url:
        port = int(url.rsplit(":", 1)[1])
        client = InfluxDBClient(host="127.0.0.1", port=port)
        client.create_database(DATABASE)
        client.close()
        yield url


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_before_hass: None, enable_custom_integrations: None
) -> None:
    """conftest's fixture, after the recorder."""


@pytest.fixture(autouse=True)
def config_dir_in_tmp(recorder_before_hass: None, hass: HomeAssistant, tmp_path: Path) -> None:
    """conftest's fixture, after the recorder; HA's influxdb reads configuration.yaml."""
    hass.config.config_dir = str(tmp_path)
    (tmp_path / "configuration.yaml").write_text("homeassistant: {}\n")


@pytest.mark.freeze_time(WINTER_START)
async def test_influxdb_summary_equals_recorder_summary(
    hass: HomeAssistant,
    demo_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    influx_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two winter hours of the demo (hot water at 06:00), written by HA's influxdb
    integration with its defaults: energy, heat and COP per purpose agree within 0.5 %."""
    # Frozen time moves in 30-s jumps; HA's writer drops events it thinks are stale.
    monkeypatch.setattr("homeassistant.components.influxdb.QUEUE_BACKLOG_SECONDS", 10**9)
    host, port = influx_url.removeprefix("http://").split(":")
    influx_entry = MockConfigEntry(
        domain="influxdb",
        data={
            "api_version": "1",
            "host": host,
            "port": int(port),
            "username": None,
            "password": None,
            "database": DATABASE,
            "ssl": False,
            "path": "/",
            "verify_ssl": False,
        },
    )
    influx_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(influx_entry.entry_id)
    demo_entry.add_to_hass(hass)
    # Our side of the same server: the options step `influxdb`.
    hass.config_entries.async_update_entry(
        demo_entry,
        options={
            "influxdb_url": influx_url,
            "influxdb_api_version": "1",
            "influxdb_database": DATABASE,
        },
    )
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    await advance(hass, freezer, 600)
    start = dt_util.utcnow()
    await advance(hass, freezer, 2 * 3600)
    end = dt_util.utcnow()
    await async_wait_recording_done(hass)
    await hass.async_add_executor_job(influx_entry.runtime_data.block_till_done)

    history_ids = async_entry_entity_ids(hass, demo_entry)
    options = builder_options(demo_entry)
    recorder = (await async_summarize_history(hass, history_ids, start, end, **options)).to_dict()
    reader = InfluxHistory(InfluxConfig(url=influx_url, database=DATABASE))
    try:
        influx = await hass.async_add_executor_job(
            lambda: summarize_influx(
                reader,
                history_ids,
                async_statistics_entity_ids(hass, demo_entry),
                start,
                end,
                time_zone=dt_util.UTC,
                options=options,
            )
        )
    finally:
        await hass.async_add_executor_job(reader.close)

    assert influx["history"] == "influxdb"
    assert influx["resolution"] == "raw"
    r, i = recorder["energy"], influx["energy"]
    assert r["combined"]["electrical_energy"] > 2
    assert r["dhw"]["electrical_energy"] > 0
    for purpose in ("combined", "heating", "dhw"):
        for key in ("electrical_energy", "thermal_energy", "cop"):
            assert i[purpose][key] == pytest.approx(r[purpose][key], rel=5e-3), (purpose, key)
    assert influx["defrost"]["count"] == recorder["defrost"]["count"]
    assert len(influx["sessions"]) == len(recorder["sessions"])
    assert influx["data_quality"]["coverage_pct"] == pytest.approx(
        recorder["data_quality"]["coverage_pct"], abs=0.5
    )

    # The service: history=influxdb equals history=recorder (and the default, the recorder,
    # which holds this period from its start).
    by_history = {
        history: await _summarize(hass, demo_entry, start, end, history)
        for history in ("recorder", "influxdb", None)
    }
    assert by_history[None]["history"] == "recorder"
    assert by_history[None]["energy"] == by_history["recorder"]["energy"]
    r, i = by_history["recorder"], by_history["influxdb"]
    assert (r["history"], i["history"], i["resolution"]) == ("recorder", "influxdb", "raw")
    for purpose in ("combined", "heating", "dhw"):
        for key in ("electrical_energy", "thermal_energy", "cop"):
            assert i["energy"][purpose][key] == pytest.approx(
                r["energy"][purpose][key], rel=5e-3
            ), (purpose, key)
    assert i["defrost"]["count"] == r["defrost"]["count"]
    assert len(i["sessions"]) == len(r["sessions"]) > 0
    assert i["coverage"]["coverage_pct"] == pytest.approx(r["coverage"]["coverage_pct"], abs=0.5)
    assert r["coverage"]["coverage_pct"] > 99

    # compare_periods, hour against hour: from hourly windows on the InfluxDB server as from
    # the recorder. An hour's window holds the points in [h, h + 1 h) while the recorder's
    # interval ends with the state at h + 1 h: a poll exactly on the hour may fall on either
    # side (measured: within 0.15 %); 1 % leaves room for that and fails on a wrong hour.
    periods = {
        "config_entry_id": demo_entry.entry_id,
        "before_start": start,
        "before_end": start + timedelta(hours=1),
        "after_start": start + timedelta(hours=1),
        "after_end": end,
    }
    compared = {
        history: await hass.services.async_call(
            DOMAIN,
            "compare_periods",
            {**periods, "history": history},
            blocking=True,
            return_response=True,
        )
        for history in ("recorder", "influxdb")
    }
    assert compared["influxdb"]["history"] == "influxdb"
    for side in ("before", "after"):
        rec, flux = compared["recorder"][side], compared["influxdb"][side]
        assert flux["days"] == pytest.approx(1 / 24)
        for key in ("electrical_energy", "thermal_energy"):
            assert rec[key] > 0.5
            assert flux[key] == pytest.approx(rec[key], rel=1e-2), (side, key)
        assert flux["outside_temperature_mean"] == pytest.approx(
            rec["outside_temperature_mean"], abs=0.05
        )


async def _summarize(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    start: datetime,
    end: datetime,
    history: str | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"config_entry_id": entry.entry_id, "start": start, "end": end}
    if history is not None:
        data["history"] = history
    response = await hass.services.async_call(
        DOMAIN, "summarize", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response
