"""EntryOptions: the entry's options parsed once, with the contract's defaults."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from custom_components.heatpump_stats.model.reading import OperatingMode
from custom_components.heatpump_stats.options import EntryOptions
from custom_components.heatpump_stats.sources.entities import ESPALTHERMA_MODE_MAP, ModeMapError


def test_no_options_are_the_defaults() -> None:
    """Empty options and the dataclass's own defaults agree (contract: 30 days, 07:00, 1450)."""
    parsed = EntryOptions.from_options({})
    assert parsed == EntryOptions()
    assert parsed.scan_interval == timedelta(seconds=30)
    assert parsed.meter_scan_interval == timedelta(seconds=10)
    assert parsed.season_start == (7, 1)
    assert parsed.viessmann_daily_call_budget == 1450
    assert parsed.csv_retention_days == 30
    assert parsed.csv_time == time(7, 0)
    assert parsed.csv_directory is None
    assert parsed.rated_thermal_power_kw is None
    assert parsed.flow_rate_l_min is None
    assert parsed.mode_map == ESPALTHERMA_MODE_MAP
    assert parsed.stale_after == timedelta(minutes=15)
    assert parsed.demo_history_days is None
    assert parsed.influxdb is None


def test_options_are_parsed_once_into_types() -> None:
    """Numbers, the season start, the CSV time and the mode map come back typed."""
    parsed = EntryOptions.from_options(
        {
            "rated_thermal_power_kw": 9,
            "flow_rate_l_min": "18.5",
            "scan_interval_s": 45,
            "meter_scan_interval_s": 5,
            "season_start": "09-15",
            "short_cycling_max_starts_per_hour": 4,
            "cop_below_expected_pct": 20,
            "viessmann_daily_call_budget": 500,
            "mode_map": "Heating = heating\nStandby = standby",
            "stale_after_min": 5,
            "csv_directory": "  exports_here ",
            "csv_time": "06:45:30",
            "csv_retention_days": 0,
            "demo_history_days": 30,
            "influxdb_url": "http://127.0.0.1:8086",
        }
    )
    assert parsed.rated_thermal_power_kw == 9.0
    assert parsed.flow_rate_l_min == 18.5
    assert parsed.scan_interval == timedelta(seconds=45)
    assert parsed.meter_scan_interval == timedelta(seconds=5)
    assert parsed.season_start == (9, 15)
    assert parsed.short_cycling_max_starts_per_hour == 4.0
    assert parsed.cop_below_expected_pct == 20.0
    assert parsed.viessmann_daily_call_budget == 500
    assert parsed.mode_map == {"heating": OperatingMode.HEATING, "standby": OperatingMode.STANDBY}
    assert parsed.stale_after == timedelta(minutes=5)
    assert parsed.csv_directory == "exports_here"
    assert parsed.csv_time == time(6, 45, 30)
    assert parsed.csv_retention_days == 1  # at least one day
    assert parsed.demo_history_days == 30
    assert parsed.influxdb is not None
    assert parsed.influxdb.url == "http://127.0.0.1:8086"


def test_unusable_options_raise_or_fall_back() -> None:
    """A bad mode map or season start raises; a bad CSV time or retention falls back."""
    with pytest.raises(ModeMapError):
        EntryOptions.from_options({"mode_map": "no equals sign here"})
    with pytest.raises(ValueError, match="day"):
        EntryOptions.from_options({"season_start": "02-30"})
    parsed = EntryOptions.from_options({"csv_time": "25:99", "csv_retention_days": "many"})
    assert parsed.csv_time == time(7, 0)
    assert parsed.csv_retention_days == 30


def test_options_are_frozen() -> None:
    """Nothing changes the parsed options behind setup's back."""
    parsed = EntryOptions()
    with pytest.raises(AttributeError):
        parsed.scan_interval_s = 5  # type: ignore[misc]
