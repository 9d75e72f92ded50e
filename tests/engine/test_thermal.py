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


def test_running_compressor_never_gets_0_kw_from_a_zero_flow() -> None:
    """Vitocal 300-G (CU401B dump): compressor at 100 % in heating, rated 12 kW.

    Flow taken as 0 l/min (the pump flag said off) -> ΔT estimate 0 kW; the
    modulation estimate is 12 kW × 100 / 100 = 12 kW and is the plausible one.
    """
    assert best_thermal_power(None, 0.0, 12.0) == (0.0, ThermalMethod.DELTA_T)  # not running
    assert best_thermal_power(None, 0.0, 12.0, running=True, rated_kw=12.0) == (
        12.0,
        ThermalMethod.MODULATION_PLAUSIBLE,
    )
    # A measured 0 kW from a running compressor is passed over for ΔT (5 kW).
    assert best_thermal_power(0.0, 5.0, None, running=True) == (
        5.0,
        ThermalMethod.DELTA_T_PLAUSIBLE,
    )
    # Nothing plausible: unknown, not 0 kW.
    assert best_thermal_power(None, 0.0, None, running=True) == (None, None)


def test_estimates_more_than_2x_apart_keep_the_plausible_one() -> None:
    """Electricity 0.9 kW: ΔT 12 kW (COP 13.3 > 10, implausible), modulation 6 × 51 % = 3.06 kW.

    3.06 / 0.9 = COP 3.4: plausible, so the modulation estimate wins and says why.
    Above 1.5 × rated is implausible too: 20 kW ΔT with rated 6 kW (limit 9 kW).
    """
    assert best_thermal_power(None, 12.0, 3.06, running=True, electrical_kw=0.9) == (
        3.06,
        ThermalMethod.MODULATION_PLAUSIBLE,
    )
    assert best_thermal_power(None, 20.0, 3.06, running=True, rated_kw=6.0) == (
        3.06,
        ThermalMethod.MODULATION_PLAUSIBLE,
    )
    # Both plausible (4 kW and 3.06 kW, COP 4.4 and 3.4): the usual order holds.
    assert best_thermal_power(None, 4.0, 3.06, running=True, electrical_kw=0.9) == (
        4.0,
        ThermalMethod.DELTA_T,
    )
    # A defrost takes heat from the circuit: negative ΔT heat is real then.
    assert best_thermal_power(None, -2.0, 3.0, running=True, defrost=True) == (
        -2.0,
        ThermalMethod.DELTA_T,
    )
