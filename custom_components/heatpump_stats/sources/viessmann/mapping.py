"""One feature answer to one :class:`HeatPumpReading`: compressor, circuits, DHW, energy."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any, Final

from custom_components.heatpump_stats.model.reading import HeatPumpReading

from .features import (
    KW,
    KWH,
    L_MIN,
    PERCENT,
    RPS,
    Features,
    as_float,
    as_text,
    canonical_json,
    on_off,
    optional,
    pump_status,
    scaled,
)
from .state import circulation_pump_from, operating_mode_from

_PROGRAMS: Final = ("comfort", "normal", "reduced")
_SUMMARY_PERIODS: Final = (
    ("currentDay", "today"),
    ("currentMonth", "this_month"),
    ("currentYear", "this_year"),
    ("lastSevenDays", "last_seven_days"),
    ("lastMonth", "last_month"),
    ("lastYear", "last_year"),
)
# Legacy arrays (index 0 = the current day/week/month/year).
_ARRAY_PERIODS: Final = (("day", "today"), ("month", "this_month"), ("year", "this_year"))
_PURPOSES: Final = ("heating", "dhw", "cooling")
_LEGACY_ARRAY: Final = {"currentDay": "day", "currentMonth": "month", "currentYear": "year"}


def reading_from_features(hp: Any, now: datetime) -> HeatPumpReading:
    """The reading from PyViCare's heat pump object `hp` (its cache holds the one answer)."""
    f = Features(hp)
    settings: dict[str, str | float | None] = {}
    extra: dict[str, str | float | None] = {}

    # Compressor (the first one the device lists; "0" otherwise).
    compressors = optional(hp.getAvailableCompressors)
    comp_id = str(compressors[0]) if isinstance(compressors, list) and compressors else "0"
    comp = hp.getCompressor(comp_id)
    comp_feature = f"heating.compressors.{comp_id}"
    active = optional(comp.getActive)
    # Modulation is a percentage (heating.compressors.N.sensors.power); E3
    # units report the compressor speed in rps instead, which is not a %.
    modulation = scaled(
        f.connected(f"{comp_feature}.sensors.power"),
        f.unit(f"{comp_feature}.sensors.power"),
        PERCENT,
        1.0,
    )
    if modulation is not None and not 0.0 <= modulation <= 100.0:
        modulation = None
    speed = scaled(
        f.connected(f"{comp_feature}.speed.current"),
        f.unit(f"{comp_feature}.speed.current"),
        RPS,
        None,
    )
    extra["compressor_speed_rps"] = speed
    compressor_running: bool | None
    if isinstance(active, bool):
        compressor_running = active
    elif modulation is not None:
        compressor_running = modulation > 0
    elif speed is not None:
        compressor_running = speed > 0
    else:
        compressor_running = None
    phase = as_text(optional(comp.getPhase))
    rated = scaled(optional(comp.getPower), optional(comp.getPowerUnit), KW, 1.0)
    extra["compressor_phase"] = phase
    extra["compressor_starts"] = as_float(optional(comp.getStarts))
    extra["compressor_hours"] = as_float(optional(comp.getHours))

    # Circuits.
    circuit_ids = optional(hp.getAvailableCircuits)
    circuits = [str(c) for c in circuit_ids] if isinstance(circuit_ids, list) else []
    programs: list[str | None] = []
    modes: list[str | None] = []
    circuit_supply: float | None = None
    heat_pump_pumps: list[bool] = []
    for cid in circuits:
        circuit = hp.getCircuit(cid)
        supply = f.temperature(f"heating.circuits.{cid}.sensors.temperature.supply")
        extra[f"supply_temperature_circuit_{cid}"] = supply
        if circuit_supply is None:
            circuit_supply = supply
        extra[f"room_temperature_circuit_{cid}"] = f.temperature(
            f"heating.circuits.{cid}.sensors.temperature.room"
        )
        circuit_pump = optional(circuit.getCirculationPumpActive)
        if isinstance(circuit_pump, bool):
            heat_pump_pumps.append(circuit_pump)
        extra[f"circuit_pump_circuit_{cid}"] = on_off(circuit_pump)
        schedule = optional(circuit.getHeatingSchedule) or f.schedule(
            f"heating.circuits.{cid}.heating.schedule"
        )
        settings[f"heating_schedule_circuit_{cid}"] = (
            None if schedule is None else canonical_json(schedule)
        )
        settings[f"current_desired_temperature_circuit_{cid}"] = as_float(
            optional(circuit.getCurrentDesiredTemperature)
        )
        for program in _PROGRAMS:
            settings[f"{program}_temperature_circuit_{cid}"] = _program_temperature(
                circuit, program
            )
        program_active = as_text(optional(circuit.getActiveProgram))
        mode_active = as_text(optional(circuit.getActiveMode))
        programs.append(program_active)
        modes.append(mode_active)
        settings[f"operating_program_circuit_{cid}"] = program_active
        settings[f"operating_mode_circuit_{cid}"] = mode_active
        settings[f"heating_curve_slope_circuit_{cid}"] = as_float(
            optional(circuit.getHeatingCurveSlope)
        )
        settings[f"heating_curve_shift_circuit_{cid}"] = as_float(
            optional(circuit.getHeatingCurveShift)
        )

    # Heat pump water side (secondary circuit) and source side (primary circuit).
    # Flow and return are the heat pump's own outlet and inlet: the secondary
    # circuit, not a heating circuit behind a mixer or buffer (a heating
    # circuit's supply gives 0.3 K or negative spreads where the outlet gives 8 K).
    secondary_supply = f.temperature("heating.secondaryCircuit.sensors.temperature.supply")
    secondary_return = f.temperature("heating.secondaryCircuit.sensors.temperature.return")
    extra["secondary_supply_temperature"] = secondary_supply
    extra["secondary_return_temperature"] = secondary_return
    extra["primary_supply_temperature"] = f.temperature(
        "heating.primaryCircuit.sensors.temperature.supply"
    )
    extra["primary_return_temperature"] = f.temperature(
        "heating.primaryCircuit.sensors.temperature.return"
    )
    extra["buffer_temperature"] = f.temperature("heating.buffer.sensors.temperature.main")
    flow_temperature = secondary_supply if secondary_supply is not None else circuit_supply
    return_temperature = secondary_return
    if return_temperature is None:
        return_temperature = f.temperature("heating.sensors.temperature.return")

    # Domestic hot water.
    dhw_temperature = f.temperature("heating.dhw.sensors.temperature.dhwCylinder")
    if dhw_temperature is None:
        dhw_temperature = f.temperature("heating.dhw.sensors.temperature.hotWaterStorage")
    dhw_charging = optional(hp.getDomesticHotWaterChargingActive)
    dhw_charging = dhw_charging if isinstance(dhw_charging, bool) else None
    dhw_mode = as_text(optional(hp.getDomesticHotWaterActiveOperatingMode))
    extra["dhw_charging"] = on_off(dhw_charging)
    dhw_primary_pump = optional(hp.getDomesticHotWaterPumpActive)
    if isinstance(dhw_primary_pump, bool):
        heat_pump_pumps.append(dhw_primary_pump)
    extra["dhw_primary_pump"] = on_off(dhw_primary_pump)
    settings["dhw_target_temperature"] = as_float(
        optional(hp.getDomesticHotWaterConfiguredTemperature)
    )
    settings["dhw_target_temperature_2"] = as_float(
        optional(hp.getDomesticHotWaterConfiguredTemperature2)
    )
    dhw_schedule = optional(hp.getDomesticHotWaterSchedule) or f.schedule("heating.dhw.schedule")
    settings["dhw_schedule"] = None if dhw_schedule is None else canonical_json(dhw_schedule)
    settings["dhw_operating_mode"] = dhw_mode

    # The DHW circulation pump (hot water to the taps) says nothing about the
    # heat pump's water flow: it is an extra value only. `circulation_pump`
    # is the heat pump's own water side (heating-circuit pumps, the DHW
    # charging pump): on when one of them runs; off only when all that the
    # device reports are off and the compressor is not running (a running
    # compressor moves water; a pump the API does not list may be the one).
    # The schedule is taken from the feature's properties only (PyViCare's
    # getter adds the command's default mode, which comes and goes with the
    # API's command list and would look like a change).
    extra["dhw_circulation_pump"] = on_off(optional(hp.getDomesticHotWaterCirculationPumpActive))
    # E3 units report the heat pump's own secondary pump ("internal"): that
    # one says whether water flows through the heat pump (a heating-circuit
    # pump may run off a buffer while it stands still).
    internal = pump_status(f.prop("heating.boiler.pumps.internal", "status"))
    extra["internal_pump"] = on_off(internal)
    extra["internal_pump_speed_pct"] = scaled(
        f.prop("heating.boiler.pumps.internal.current"),
        f.unit("heating.boiler.pumps.internal.current"),
        PERCENT,
        None,
    )
    circulation_pump = circulation_pump_from(
        heat_pump_pumps, compressor_running, internal_pump=internal
    )
    circ_schedule = f.schedule("heating.dhw.pumps.circulation.schedule")
    settings["circulation_schedule"] = (
        None if circ_schedule is None else canonical_json(circ_schedule)
    )

    # Defrost, valve.
    defrost_raw = f.prop("heating.outdoor.defrosting", "active")
    defrost_active: bool | None = defrost_raw if isinstance(defrost_raw, bool) else None
    if defrost_active is None and phase is not None:
        defrost_active = phase.lower() in ("defrost", "defrosting")
    valve = as_text(f.prop("heating.valves.fourThreeWay.position"))
    extra["valve_position"] = valve

    # Flow rate (l/min). A bare "liter" is l/h, as HA's vicare reads it
    # (1215 "liter" on a Vitocal 200-S = 20.25 l/min).
    flow_rate = scaled(
        f.connected("heating.sensors.volumetricFlow.allengra"),
        f.unit("heating.sensors.volumetricFlow.allengra"),
        L_MIN,
        None,
    )

    # The device's own current power figures, where it has them.
    electrical_kw = f.first_in(
        KW, "heating.power.consumption.current", f"{comp_feature}.power.consumption.current"
    )
    thermal_kw = f.first_in(
        KW, "heating.heat.production.current", f"{comp_feature}.heat.production.current"
    )

    _vendor_figures(f, extra, comp_feature)

    mode = operating_mode_from(
        defrost=defrost_active,
        compressor_running=compressor_running,
        dhw_charging=dhw_charging,
        valve_position=valve,
        compressor_phase=phase,
        circuit_programs=programs,
        circuit_modes=modes,
        dhw_mode=dhw_mode,
    )
    return HeatPumpReading(
        timestamp=now,
        outside_temperature=f.temperature("heating.sensors.temperature.outside"),
        flow_temperature=flow_temperature,
        return_temperature=return_temperature,
        dhw_temperature=dhw_temperature,
        compressor_modulation=modulation,
        flow_rate=flow_rate,
        operating_mode=mode,
        compressor_running=compressor_running,
        defrost_active=defrost_active,
        circulation_pump=circulation_pump,
        electrical_power=None if electrical_kw is None else electrical_kw * 1000.0,
        thermal_power=thermal_kw,
        rated_thermal_power=rated,
        settings=settings,
        extra=extra,
    )


def _vendor_figures(f: Features, extra: dict[str, str | float | None], comp_feature: str) -> None:
    """The device's own performance factors and energy figures (only those it reports).

    None of them is a lifetime counter: the API gives day/week/month/year
    figures (arrays, index 0 = the current one) and E3 summaries
    (currentDay ... lastYear), so the reading's lifetime energy fields
    stay None and the engine counts since setup.
    """
    # A performance factor of 0 means "nothing measured" (no cooling, no
    # PV power for the green COP, a new unit): unknown, not a COP of 0.
    for kind in ("scop", "spf", "cop"):
        for purpose in ("total", "heating", "dhw", "cooling", "green"):
            value = as_float(f.prop(f"heating.{kind}.{purpose}"))
            if value is not None and value > 0:
                extra[f"vendor_{kind}_{purpose}"] = value

    # Weekly compressor figures (Vitocal 333-G and others): kWh this week.
    for kind, key in (
        ("heat.production", "heat_production"),
        ("power.consumption", "power_consumption"),
    ):
        for purpose in _PURPOSES:
            feature = f"{comp_feature}.{kind}.{purpose}.week"
            value = scaled(f.connected(feature), f.unit(feature), KWH, 1.0)
            if value is not None:
                extra[f"compressor_{key}_{purpose}_this_week_kwh"] = value

    # Current power figures of the parts (W): heating rod, inverter output.
    for feature, key in (
        ("heating.heatingRod.power.consumption.current", "heating_rod_power_w"),
        ("heating.heatingRod.heat.production.current", "heating_rod_heat_w"),
        ("heating.inverters.0.sensors.power.output", "inverter_output_power_w"),
    ):
        kw = scaled(f.connected(feature), f.unit(feature), KW, None)
        if kw is not None:
            extra[key] = kw * 1000.0
    current = as_float(f.connected("heating.inverters.0.sensors.power.current"))
    if current is not None and f.unit("heating.inverters.0.sensors.power.current") == "ampere":
        extra["inverter_current_a"] = current

    for feature_base, key_base in (
        ("heating.power.consumption", "power_consumption"),
        ("heating.heat.production", "heat_production"),
        ("heating.heatingRod.power.consumption", "heating_rod_power_consumption"),
        (f"{comp_feature}.power.consumption", "compressor_power_consumption"),
    ):
        parts: dict[str, dict[str, float]] = {}
        for purpose in _PURPOSES:
            summary = f"{feature_base}.summary.{purpose}"
            legacy = f"{feature_base}.{purpose}"
            for prop, period in _SUMMARY_PERIODS:
                value = scaled(f.prop(summary, prop), f.unit(summary, prop), KWH, 1.0)
                array_prop = _LEGACY_ARRAY.get(prop)
                if value is None and array_prop is not None:
                    value = _first(f.prop(legacy, array_prop), f.unit(legacy, array_prop))
                if value is not None:
                    extra[f"{key_base}_{purpose}_{period}_kwh"] = value
                    parts.setdefault(period, {})[purpose] = value
        for prop, period in _ARRAY_PERIODS:
            # A total the device reports beats the sum of the parts; the sum
            # needs at least heating and DHW (cooling only where reported).
            total = _first(
                f.prop(f"{feature_base}.total", prop), f.unit(f"{feature_base}.total", prop)
            )
            known = parts.get(period, {})
            if total is None and "heating" in known and "dhw" in known:
                total = sum(known.values())
            if total is not None:
                extra[f"{key_base}_{period}_kwh"] = total


def _program_temperature(circuit: Any, program: str) -> float | None:
    """A program's target temperature; E3 devices name them comfortHeating, normalHeating, ..."""
    for name in (program, f"{program}Heating"):
        value = as_float(optional(partial(circuit.getDesiredTemperatureForProgram, name)))
        if value is not None:
            return value
    return None


def _first(values: Any, unit: Any) -> float | None:
    """Index 0 (the current period) of a legacy day/month/year array, in kWh."""
    if not isinstance(values, list) or not values:
        return None
    return scaled(values[0], unit, KWH, 1.0)
