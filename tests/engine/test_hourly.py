"""Known answers for summaries from hourly figures (long-term statistics, InfluxDB windows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from custom_components.heatpump_stats.engine.hourly import Hour, summarize_hours

T0 = datetime(2026, 1, 31, 20, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def _hours() -> list[Hour]:
    """Four hours; the third has no data.

    h0: -3.5 °C, 2 kWh el / 6 kWh heat, all heating, flow 40 °C, 2 starts
    h1: -3.2 °C, 1 kWh el / 3 kWh heat, of which dhw 0.5 / 1.0, flow 50 °C, 0.2 kWh defrost
    h2: nothing known
    h3: +1.0 °C, 1 kWh el / 4 kWh heat, all heating, no flow temperature, 1 start
    """
    return [
        Hour(T0, 2.0, 6.0, 2.0, 0.0, 0.0, 6.0, 0.0, -3.5, 40.0, 2),
        Hour(T0 + timedelta(hours=1), 1.0, 3.0, 0.5, 0.5, 0.2, 2.0, 1.0, -3.2, 50.0, 0),
        Hour(T0 + timedelta(hours=2)),
        Hour(T0 + timedelta(hours=3), 1.0, 4.0, 1.0, 0.0, 0.0, 4.0, 0.0, 1.0, None, 1),
    ]


def test_totals_purposes_and_coverage() -> None:
    """Σ el = 4, Σ heat = 13 -> COP 3.25; heating 3.5 / 12 -> 3.43; dhw 0.5 / 1 -> 2.

    Heat-weighted outdoor mean: (6 × -3.5 + 3 × -3.2 + 4 × 1) / 13 = -26.6 / 13 = -2.046;
    flow mean over hours with a flow: (6 × 40 + 3 × 50) / 9 = 43.33.
    Coverage: 3 of 4 hours = 75 %.
    """
    s = summarize_hours(_hours(), start=T0, end=T0 + timedelta(hours=4), time_zone=BERLIN)
    combined = s["energy"]["combined"]
    assert combined["electrical_energy"] == pytest.approx(4.0)
    assert combined["thermal_energy"] == pytest.approx(13.0)
    assert combined["cop"] == pytest.approx(3.25)
    assert combined["outside_temperature_mean"] == pytest.approx(-26.6 / 13)
    assert combined["flow_temperature_mean"] == pytest.approx(390 / 9)
    assert combined["compressor_starts"] == 3
    assert s["energy"]["heating"]["cop"] == pytest.approx(12 / 3.5)
    assert s["energy"]["dhw"]["cop"] == pytest.approx(2.0)
    assert s["defrost"]["electrical_energy"] == pytest.approx(0.2)
    assert s["defrost"]["pct_of_electricity"] == pytest.approx(5.0)
    assert s["data_quality"]["hours"] == 4.0
    assert s["data_quality"]["hours_with_data"] == 3.0
    assert s["data_quality"]["coverage_pct"] == pytest.approx(75.0)
    assert s["sessions"] == []
    assert s["sessions_available"] is False
    assert s["history"] == "statistics"


def test_bins_of_the_hourly_mean() -> None:
    """-3.5 and -3.2 fall in [-4, -3): 3 kWh el, 9 heat; +1.0 in [1, 2): 1 el, 4 heat."""
    s = summarize_hours(_hours(), start=T0, end=T0 + timedelta(hours=4), time_zone=BERLIN)
    bins = s["outside_temperature_bins"]["all"]
    assert [(b["outside_temperature_from"], b["hours"]) for b in bins] == [(-4.0, 2.0), (1.0, 1.0)]
    assert bins[0]["cop"] == pytest.approx(3.0)
    assert bins[1]["cop"] == pytest.approx(4.0)
    heating = s["outside_temperature_bins"]["heating"]
    assert heating[0]["electrical_energy"] == pytest.approx(2.5)
    assert heating[0]["thermal_energy"] == pytest.approx(8.0)


def test_months_in_the_local_time_zone() -> None:
    """20:00 UTC on 31 Jan is 21:00 in Berlin (January); 23:00 UTC is 00:00 on 1 Feb."""
    s = summarize_hours(_hours(), start=T0, end=T0 + timedelta(hours=4), time_zone=BERLIN)
    assert [(m["month"], m["electrical_energy"]) for m in s["months"]] == [
        ("2026-01", 3.0),
        ("2026-02", 1.0),
    ]


def test_hours_outside_the_period_are_ignored() -> None:
    """[T0+1 h, T0+3 h) holds h1 and the empty h2: 1 kWh, 50 % coverage."""
    s = summarize_hours(
        _hours(),
        start=T0 + timedelta(hours=1),
        end=T0 + timedelta(hours=3),
        time_zone=UTC,
    )
    assert s["energy"]["combined"]["electrical_energy"] == pytest.approx(1.0)
    assert s["data_quality"]["coverage_pct"] == pytest.approx(50.0)


def test_no_data_is_not_zero() -> None:
    """A period without any hour: COPs are None (unknown), coverage 0 %."""
    s = summarize_hours([], start=T0, end=T0 + timedelta(hours=2), time_zone=UTC)
    assert s["energy"]["combined"]["cop"] is None
    assert s["energy"]["combined"]["compressor_starts"] is None
    assert s["data_quality"]["coverage_pct"] == 0.0
    assert s["defrost"]["pct_of_electricity"] is None
    with pytest.raises(ValueError, match="after start"):
        summarize_hours([], start=T0, end=T0, time_zone=UTC)
