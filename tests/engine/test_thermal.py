"""Known answers for the thermal power formulas."""

from __future__ import annotations

import pytest

from custom_components.heatpump_stats.engine.thermal import (
    ThermalMethod,
    best_thermal_power,
    thermal_power_delta_t,
    thermal_power_modulation,
)


def test_delta_t_known_answer() -> None:
    # 20 l/min, flow 35 °C, return 30 °C: 20/60 × 4.186 × 5 = 6.97667 kW
    assert thermal_power_delta_t(20.0, 35.0, 30.0) == pytest.approx(6.976667, abs=1e-6)


def test_delta_t_negative_during_defrost() -> None:
    # 12 l/min, flow 22 °C, return 25 °C: 12/60 × 4.186 × (−3) = −2.5116 kW
    assert thermal_power_delta_t(12.0, 22.0, 25.0) == pytest.approx(-2.5116)


@pytest.mark.parametrize(
    ("flow", "t_flow", "t_return"),
    [(None, 35.0, 30.0), (20.0, None, 30.0), (20.0, 35.0, None)],
)
def test_delta_t_none_when_an_input_is_missing(
    flow: float | None, t_flow: float | None, t_return: float | None
) -> None:
    assert thermal_power_delta_t(flow, t_flow, t_return) is None


def test_modulation_known_answer() -> None:
    # 8 kW rated × 45 % / 100 = 3.6 kW
    assert thermal_power_modulation(8.0, 45.0) == pytest.approx(3.6)
    assert thermal_power_modulation(None, 45.0) is None
    assert thermal_power_modulation(8.0, None) is None


def test_best_thermal_power_precedence() -> None:
    assert best_thermal_power(5.0, 4.0, 3.0) == (5.0, ThermalMethod.MEASURED)
    assert best_thermal_power(None, 4.0, 3.0) == (4.0, ThermalMethod.DELTA_T)
    assert best_thermal_power(None, None, 3.0) == (3.0, ThermalMethod.MODULATION)
    assert best_thermal_power(None, None, None) == (None, None)
    # A measured 0 kW is a value, not a missing one.
    assert best_thermal_power(0.0, 4.0, 3.0) == (0.0, ThermalMethod.MEASURED)
