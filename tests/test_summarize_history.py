"""`history` of summarize and compare_periods: the default follows what the recorder holds,
long-term statistics answer for hours before it (imported here), InfluxDB needs its options."""

from __future__ import annotations

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder.core import Recorder
from homeassistant.components.recorder.models import StatisticData, StatisticMetaData
from homeassistant.components.recorder.models.statistics import StatisticMeanType
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.heatpump_stats.statistics_history import async_statistics_entity_ids

from .common import advance, call_service as _call

# The entry is set up at 04:50; statistics are imported for 23:00-04:00 the night before.
WINTER_START = "2026-01-15T04:50:00+00:00"
MIDNIGHT = datetime.fromisoformat("2026-01-15T00:00:00+00:00")
# Hour by hour from 23:00: electricity 1 kWh each; heat 3, 3, then 4, 4 kWh; 0 °C outside.
ELECTRICITY = (0.0, 1.0, 1.0, 1.0, 1.0)
HEAT = (0.0, 3.0, 3.0, 4.0, 4.0)


@pytest.fixture(autouse=True)
def recorder_before_hass(recorder_mock: Recorder) -> None:
    """The recorder must be set up before `hass`, which conftest's autouse fixtures use."""


def _meta(statistic_id: str, *, mean: bool) -> StatisticMetaData:
    return StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC if mean else StatisticMeanType.NONE,
        has_sum=not mean,
        name=None,
        source="recorder",
        statistic_id=statistic_id,
        unit_class="temperature" if mean else "energy",
        unit_of_measurement="°C" if mean else "kWh",
    )


def _import_night(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Hourly statistics from 23:00 to 04:00, before the entry's first state (04:50)."""
    ids = async_statistics_entity_ids(hass, entry)
    first = MIDNIGHT - timedelta(hours=1)
    for key, changes in (("electrical_energy", ELECTRICITY), ("thermal_energy", HEAT)):
        total = 0.0
        rows = []
        for i, change in enumerate(changes):
            total += change
            rows.append(StatisticData(start=first + timedelta(hours=i), sum=total, state=total))
        async_import_statistics(hass, _meta(ids[key], mean=False), rows)
    async_import_statistics(
        hass,
        _meta(ids["outside_temperature"], mean=True),
        [
            StatisticData(start=first + timedelta(hours=i), mean=0.0, min=0.0, max=0.0)
            for i in range(len(HEAT))
        ],
    )


@pytest.mark.freeze_time(WINTER_START)
async def test_default_history_recorder_inside_statistics_before(
    hass: HomeAssistant, demo_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Inside the recorder's window the default is the recorder (sessions); the night before
    the entry, which only the (imported) statistics hold, is summarised from them:
    00:00-04:00 = 4 kWh electricity, 14 kWh heat, COP 3.5, 4 of 4 hours covered."""
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    _import_night(hass, demo_entry)
    await advance(hass, freezer, 600)
    start = dt_util.utcnow()
    await advance(hass, freezer, 3600)
    await async_wait_recording_done(hass)
    base = {"config_entry_id": demo_entry.entry_id}

    inside = await _call(hass, "summarize", **base, start=start, end=dt_util.utcnow())
    assert inside["history"] == "recorder"
    assert inside["coverage"]["coverage_pct"] > 99
    assert "not_available" not in inside
    assert inside["energy"]["combined"]["electrical_energy"] > 0

    night = await _call(hass, "summarize", **base, start=MIDNIGHT, end=start - timedelta(hours=1))
    assert night["history"] == "statistics"
    combined = night["energy"]["combined"]
    assert combined["electrical_energy"] == pytest.approx(4.0)
    assert combined["thermal_energy"] == pytest.approx(14.0)
    assert combined["cop"] == pytest.approx(3.5)
    assert night["coverage"] == {
        "covered_hours": 4.0,
        "coverage_pct": pytest.approx(100.0),
        "first": MIDNIGHT.isoformat(),
        "last": (MIDNIGHT + timedelta(hours=4)).isoformat(),
    }
    assert night["sessions"] == []
    assert set(night["not_available"]) >= {"sessions", "defrost_count"}
    # Asked for, the recorder says what it holds of the night: nothing.
    recorded = await _call(
        hass,
        "summarize",
        **base,
        start=MIDNIGHT,
        end=start - timedelta(hours=1),
        history="recorder",
    )
    assert recorded["history"] == "recorder"
    assert recorded["energy"]["combined"]["electrical_energy"] == 0

    # An end in the future: read up to now, but the coverage is a share of the whole
    # period (as from the recorder): of 12 hours asked for, the 4 imported night hours and
    # at most the 3 hours since (as far as the recorder compiled them) have data.
    ahead = await _call(
        hass,
        "summarize",
        **base,
        start=MIDNIGHT,
        end=MIDNIGHT + timedelta(hours=12),
        history="statistics",
    )
    assert ahead["end"] == (MIDNIGHT + timedelta(hours=12)).isoformat()
    assert ahead["data_quality"]["hours"] == 12.0
    assert 100 * 4 / 12 <= ahead["coverage"]["coverage_pct"] <= 100 * 7 / 12

    # A period that starts in the night and ends in the recorder's window: the statistics
    # reach further back than the recorder, so they answer.
    across = await _call(hass, "summarize", **base, start=MIDNIGHT, end=dt_util.utcnow())
    assert across["history"] == "statistics"

    # compare_periods from statistics: 00-02 h COP 3, 02-04 h COP 4 (+33.3 %).
    compared = await _call(
        hass,
        "compare_periods",
        **base,
        before_start=MIDNIGHT,
        before_end=MIDNIGHT + timedelta(hours=2),
        after_start=MIDNIGHT + timedelta(hours=2),
        after_end=MIDNIGHT + timedelta(hours=4),
        history="statistics",
    )
    assert compared["history"] == "statistics"
    assert compared["before"]["cop"] == pytest.approx(3.0)
    assert compared["after"]["cop"] == pytest.approx(4.0)
    assert compared["before"]["days"] == pytest.approx(2 / 24)
    assert compared["before"]["outside_temperature_mean"] == pytest.approx(0.0)
    assert compared["cop_change_pct"] == pytest.approx(100 / 3)


async def test_influxdb_without_connection_is_refused(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """history=influxdb before the options step `influxdb` is a translated validation error."""
    demo_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(demo_entry.entry_id)
    await hass.async_block_till_done()
    now = dt_util.utcnow()
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "summarize",
            config_entry_id=demo_entry.entry_id,
            start=now - timedelta(days=1),
            end=now,
            history="influxdb",
        )
    assert err.value.translation_key == "influxdb_not_configured"
    assert err.value.translation_placeholders == {"title": demo_entry.title}
