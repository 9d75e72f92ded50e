"""The ``entities`` source: interpreting HA entity states (no Home Assistant)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
import json

import pytest

from custom_components.heatpump_stats.model.reading import HeatPumpReading, OperatingMode
from custom_components.heatpump_stats.sources.entities import (
    ESPALTHERMA_MODE_MAP,
    FIELDS,
    REQUIRED_FIELDS,
    ModeMapError,
    RawState,
    build_reading,
    check_units,
    format_mode_map,
    is_stale,
    missing_required,
    parse_mode_map,
    parse_number,
    reading_problems,
)
from tests.sources.realdata import realdata_dir

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
STALE = timedelta(minutes=10)


def raw(
    state: str,
    unit: str | None = None,
    *,
    age: timedelta = timedelta(seconds=5),
    device_class: str | None = None,
) -> RawState:
    """A state snapshot updated ``age`` before NOW."""
    return RawState(state=state, unit=unit, last_updated=NOW - age, device_class=device_class)


def read(**states: RawState | None) -> HeatPumpReading:
    """build_reading with the ESPAltherma defaults."""
    return build_reading(states, now=NOW, mode_map=ESPALTHERMA_MODE_MAP, stale_after=STALE)


def one(field: str, state: RawState) -> float | None:
    """The converted value of a single numeric field."""
    value = getattr(read(**{field: state}), field)
    assert value is None or isinstance(value, float)
    return value


# --- fields ------------------------------------------------------------------


def test_fields_are_the_contract_keys_in_its_order() -> None:
    """The keys are reading field names; the contract lists the three required ones first."""
    reading_fields = [field.name for field in dataclasses.fields(HeatPumpReading)]
    assert len(set(FIELDS)) == len(FIELDS) == 9
    assert set(FIELDS) <= set(reading_fields)
    assert FIELDS[:3] == REQUIRED_FIELDS
    assert REQUIRED_FIELDS == ("outside_temperature", "flow_temperature", "return_temperature")
    # The contract puts the mode after the temperatures and the meter's two last.
    assert FIELDS.index("operating_mode") == 4
    assert FIELDS[-2:] == ("electrical_power", "electrical_energy")


# --- numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("35.2", 35.2),
        ("35,5", 35.5),
        (" 35.2 °C ", 35.2),
        ("35.2°C", 35.2),
        ("-3.5", -3.5),
        ("+7", 7.0),
        ("12", 12.0),
        (".5", 0.5),
    ],
)
def test_string_numbers(state: str, expected: float) -> None:
    assert one("flow_temperature", raw(state, "°C")) == pytest.approx(expected)


@pytest.mark.parametrize("state", ["unavailable", "unknown", "None", "", "  ", "UNAVAILABLE"])
def test_unavailable_states_are_none(state: str) -> None:
    reading = read(flow_temperature=raw(state, "°C"))
    assert reading.flow_temperature is None
    assert "flow_temperature" in reading_problems(reading)


@pytest.mark.parametrize(
    "state", ["abc", "nan", "inf", "1.2.3", "1,234.5", "--5", "12 34", "1e999"]
)
def test_garbage_is_none_without_exception(state: str) -> None:
    reading = read(outside_temperature=raw(state, "°C"))
    assert reading.outside_temperature is None
    assert reading_problems(reading)["outside_temperature"]


def test_parse_number_returns_suffix() -> None:
    assert parse_number(" 35.2 °C ") == (35.2, "°C")
    assert parse_number("35,5") == (35.5, None)
    assert parse_number("Heating") is None


# --- units -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("95", "°F", 35.0),
        ("32", "°F", 0.0),
        ("-40", "°F", -40.0),
        ("308.15", "K", 35.0),
        ("273.15", "K", 0.0),
        ("35", "°C", 35.0),
        ("35", "ºC", 35.0),
        ("35", None, 35.0),
        ("95 °F", None, 35.0),
    ],
)
def test_temperature_units(state: str, unit: str | None, expected: float) -> None:
    assert one("return_temperature", raw(state, unit)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("1.2", "kW", 1200.0),
        ("1,2", "KW", 1200.0),
        ("850", "W", 850.0),
        ("0.002", "MW", 2000.0),
        ("1.2 kW", None, 1200.0),
        ("640", None, 640.0),
    ],
)
def test_power_to_watts(state: str, unit: str | None, expected: float) -> None:
    assert one("electrical_power", raw(state, unit)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("12345", "Wh", 12.345),
        ("12.5", "kWh", 12.5),
        ("1.5", "MWh", 1500.0),
        ("3.6", "MJ", 1.0),
    ],
)
def test_energy_to_kwh(state: str, unit: str, expected: float) -> None:
    assert one("electrical_energy", raw(state, unit)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("state", "unit", "expected"),
    [
        ("1.2", "m³/h", 20.0),
        ("1.2", "m3/h", 20.0),
        ("1200", "L/h", 20.0),
        ("1200", "l/h", 20.0),
        ("20", "L/min", 20.0),
        ("20", "l/min", 20.0),
        ("0.5", "L/s", 30.0),
    ],
)
def test_flow_to_l_per_min(state: str, unit: str, expected: float) -> None:
    assert one("flow_rate", raw(state, unit)) == pytest.approx(expected)


def test_modulation_percent() -> None:
    assert one("compressor_modulation", raw("45", "%")) == pytest.approx(45.0)
    assert one("compressor_modulation", raw("45 %", None)) == pytest.approx(45.0)
    assert one("compressor_modulation", raw("45", "Hz")) is None


def test_wrong_unit_is_none_with_problem() -> None:
    states = {
        "electrical_power": raw("5.1", "A"),
        "flow_temperature": raw("35", "°C"),
    }
    reading = read(**states)
    assert reading.electrical_power is None
    assert reading.flow_temperature == pytest.approx(35.0)
    problem = reading_problems(reading)["electrical_power"]
    assert "'A'" in problem
    assert "current" in problem
    assert "electrical_power" in problem
    assert reading.extra["problem_electrical_power"] == problem
    # The config flow can ask the same without building a reading.
    assert check_units(states) == {"electrical_power": problem}


@pytest.mark.parametrize(
    ("field", "state"),
    [
        ("electrical_energy", raw("12", "W")),  # power where energy is wanted
        ("electrical_power", raw("12", "kWh")),  # energy where power is wanted
        ("flow_rate", raw("12", "°C")),
        ("outside_temperature", raw("12", "l/min")),
        ("electrical_power", raw("12", "mW")),  # milliwatt is not megawatt
        ("electrical_power", raw("12", None, device_class="current")),
        ("outside_temperature", raw("12 A", None)),  # unit in the state itself
        ("outside_temperature", raw("12 °F", "°C")),  # suffix contradicts attribute
    ],
)
def test_units_that_do_not_fit(field: str, state: RawState) -> None:
    assert getattr(read(**{field: state}), field) is None
    assert field in check_units({field: state})


def test_check_units_ignores_transient_states() -> None:
    states = {
        "outside_temperature": raw("unavailable", "°C"),
        "flow_temperature": raw("35", "°C", age=timedelta(days=3)),
        "return_temperature": raw("abc", "°C"),
        "operating_mode": raw("Weird", None),
        "dhw_temperature": None,
    }
    assert check_units(states) == {}


def test_unknown_field_key_is_a_caller_bug() -> None:
    with pytest.raises(ValueError, match="flow_temp"):
        read(flow_temp=raw("35", "°C"))


# --- staleness -----------------------------------------------------------------


def test_stale_value_is_none() -> None:
    reading = read(outside_temperature=raw("3.5", "°C", age=timedelta(hours=2)))
    assert reading.outside_temperature is None
    assert reading_problems(reading)["outside_temperature"].startswith("stale")


def test_stale_boundary_is_fresh_exactly_at_limit() -> None:
    at_limit = read(outside_temperature=raw("3.5", "°C", age=STALE))
    just_over = read(outside_temperature=raw("3.5", "°C", age=STALE + timedelta(microseconds=1)))
    assert at_limit.outside_temperature == pytest.approx(3.5)
    assert just_over.outside_temperature is None


def test_stale_applies_to_mode_and_can_be_disabled() -> None:
    old = raw("Heating", age=timedelta(days=1))
    assert read(operating_mode=old).operating_mode is None
    assert "operating_mode_raw" not in read(operating_mode=old).extra
    reading = build_reading(
        {"operating_mode": old},
        now=NOW,
        mode_map=ESPALTHERMA_MODE_MAP,
        stale_after=timedelta(0),
    )
    assert reading.operating_mode is OperatingMode.HEATING


def test_is_stale_handles_timezones_and_future() -> None:
    local = datetime(2026, 1, 15, 13, 0, tzinfo=UTC).astimezone()  # same instant as NOW + 1 h
    assert not is_stale(local, now=NOW, stale_after=STALE)  # future: fresh
    naive = datetime(2026, 1, 15, 11, 0)  # taken as UTC: one hour old
    assert is_stale(naive, now=NOW, stale_after=STALE)


# --- operating mode ------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("Heating", OperatingMode.HEATING),
        ("Cooling", OperatingMode.COOLING),
        ("Fan Only", OperatingMode.STANDBY),
        ("Auto", OperatingMode.HEATING),
        ("Auto Cool", OperatingMode.COOLING),
        ("Heating Storage", OperatingMode.HEATING),
        ("Cooling Storage", OperatingMode.COOLING),
        ("UseStrdThrm(ht)2", OperatingMode.HEATING),
        ("Stop", OperatingMode.STANDBY),
        ("DHW", OperatingMode.DHW),
        ("Heating + DHW", OperatingMode.DHW),
        ("hot water", OperatingMode.DHW),
        ("off", OperatingMode.OFF),
        ("OFF", OperatingMode.OFF),
        ("standby", OperatingMode.STANDBY),
        ("defrost", OperatingMode.DEFROST),
        ("  fan   ONLY ", OperatingMode.STANDBY),
    ],
)
def test_espaltherma_default_modes(state: str, expected: OperatingMode) -> None:
    reading = read(operating_mode=raw(state))
    assert reading.operating_mode is expected
    assert reading.defrost_active is (expected is OperatingMode.DEFROST)
    assert "operating_mode_raw" not in reading.extra


def test_default_map_keys_are_casefolded() -> None:
    assert all(key == key.casefold() for key in ESPALTHERMA_MODE_MAP)


@pytest.mark.parametrize("state", ["Turbo", "on", "ON"])
def test_unmapped_mode_keeps_raw_state(state: str) -> None:
    reading = read(operating_mode=raw(f" {state} "))
    assert reading.operating_mode is None
    assert reading.defrost_active is None
    assert reading.extra["operating_mode_raw"] == state
    assert "operating_mode" in reading_problems(reading)


def test_unavailable_mode_is_none_without_raw() -> None:
    reading = read(operating_mode=raw("unavailable"))
    assert reading.operating_mode is None
    assert "operating_mode_raw" not in reading.extra


def test_defrost_sets_defrost_active_only() -> None:
    reading = read(operating_mode=raw("Defrosting"), electrical_power=raw("2000", "W"))
    assert reading.operating_mode is OperatingMode.DEFROST
    assert reading.defrost_active is True
    assert reading.compressor_running is None  # the engine classifies from power
    assert reading.circulation_pump is None


def test_custom_mode_map_used_case_insensitively() -> None:
    custom = {"WP Heizen": OperatingMode.HEATING, "warmwasser": OperatingMode.DHW}
    states = {"operating_mode": raw("wp heizen")}
    reading = build_reading(states, now=NOW, mode_map=custom, stale_after=STALE)
    assert reading.operating_mode is OperatingMode.HEATING
    states = {"operating_mode": raw("WarmWasser")}
    reading = build_reading(states, now=NOW, mode_map=custom, stale_after=STALE)
    assert reading.operating_mode is OperatingMode.DHW
    # The defaults are not merged in.
    states = {"operating_mode": raw("Heating")}
    reading = build_reading(states, now=NOW, mode_map=custom, stale_after=STALE)
    assert reading.operating_mode is None


# --- mode map text -------------------------------------------------------------


def test_parse_mode_map_comments_blank_lines_whitespace_case() -> None:
    text = (
        "# my Altherma\n"
        "\n"
        "Heating = heating\n"
        "   Fan   Only   =   STANDBY   \n"
        "\t# indented comment\n"
        "Heating + DHW = dhw  # valve on the tank\n"
        "a=b = Cooling\n"
        "Heating = Heating\n"  # same mapping again is fine
    )
    assert parse_mode_map(text) == {
        "heating": OperatingMode.HEATING,
        "fan only": OperatingMode.STANDBY,
        "heating + dhw": OperatingMode.DHW,
        "a=b": OperatingMode.COOLING,
    }
    assert parse_mode_map("") == {}
    assert parse_mode_map("# nothing\n\n") == {}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("Heating = heating\nCooling cooling\n", 2, "state = mode"),
        ("# c\n\nHeating = warm\n", 3, "unknown mode 'warm'"),
        (" = heating", 1, "missing the state"),
        ("Heating =", 1, "missing the mode"),
        ("Heating = heating\nx = dhw\nheating = cooling", 3, "already mapped"),
        ("on = heating", 1, "binary"),
    ],
)
def test_parse_mode_map_bad_lines(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ModeMapError) as info:
        parse_mode_map(text)
    assert info.value.line_number == line
    assert fragment in info.value.message
    assert str(info.value).startswith(f"line {line}:")
    assert isinstance(info.value, ValueError)


def test_format_parse_round_trip() -> None:
    text = format_mode_map(ESPALTHERMA_MODE_MAP)
    assert "fan only = standby\n" in text
    assert parse_mode_map(text) == ESPALTHERMA_MODE_MAP
    assert list(parse_mode_map(text)) == list(ESPALTHERMA_MODE_MAP)  # order kept
    custom = {"Pretty  Label": OperatingMode.DEFROST, "x=y": OperatingMode.OFF}
    assert parse_mode_map(format_mode_map(custom)) == {
        "pretty label": OperatingMode.DEFROST,
        "x=y": OperatingMode.OFF,
    }
    assert format_mode_map({}) == ""


def test_format_rejects_unwritable_keys() -> None:
    with pytest.raises(ValueError, match="cannot be written"):
        format_mode_map({"# hash": OperatingMode.OFF})
    with pytest.raises(ValueError, match="cannot be written"):
        format_mode_map({"on": OperatingMode.HEATING})


# --- whole reading -------------------------------------------------------------


def test_full_espaltherma_reading() -> None:
    reading = read(
        outside_temperature=raw("2.5", "°C"),
        flow_temperature=raw("38,0", "°C"),
        return_temperature=raw("33.0", "°C"),
        dhw_temperature=raw("48", "°C"),
        operating_mode=raw("Heating"),
        compressor_modulation=raw("60", "%"),
        flow_rate=raw("18.5", "L/min"),
        electrical_power=raw("1.1", "kW"),
        electrical_energy=raw("4321", "kWh"),
    )
    assert reading.timestamp == NOW
    assert reading.outside_temperature == pytest.approx(2.5)
    assert reading.flow_temperature == pytest.approx(38.0)
    assert reading.return_temperature == pytest.approx(33.0)
    assert reading.dhw_temperature == pytest.approx(48.0)
    assert reading.operating_mode is OperatingMode.HEATING
    assert reading.defrost_active is False
    assert reading.compressor_modulation == pytest.approx(60.0)
    assert reading.flow_rate == pytest.approx(18.5)
    assert reading.electrical_power == pytest.approx(1100.0)
    assert reading.electrical_energy == pytest.approx(4321.0)
    assert reading.compressor_running is None
    assert reading.circulation_pump is None
    assert reading.extra == {}
    assert reading_problems(reading) == {}
    assert missing_required(reading) == ()


def test_missing_optional_fields_are_none() -> None:
    reading = read(
        outside_temperature=raw("2.5", "°C"),
        flow_temperature=raw("38", "°C"),
        return_temperature=raw("33", "°C"),
        dhw_temperature=None,
    )
    for field in ("dhw_temperature", "compressor_modulation", "flow_rate"):
        assert getattr(reading, field) is None
    assert reading.electrical_power is None
    assert reading.electrical_energy is None
    assert reading.operating_mode is None
    assert reading.defrost_active is None
    assert reading.extra == {}  # unconfigured is not a problem


def test_missing_required_field_is_representable() -> None:
    reading = read(outside_temperature=raw("2.5", "°C"), flow_temperature=raw("n/a", "°C"))
    assert reading.return_temperature is None
    assert reading.flow_temperature is None
    assert missing_required(reading) == ("flow_temperature", "return_temperature")
    empty = read()
    assert missing_required(empty) == REQUIRED_FIELDS
    assert empty.timestamp == NOW


def test_timestamp_is_now_in_utc() -> None:
    local_now = NOW.astimezone()
    reading = build_reading({}, now=local_now, mode_map={}, stale_after=STALE)
    assert reading.timestamp == NOW
    assert reading.timestamp.tzinfo is UTC


# --- defrost entity and "Fan Only" (ESPAltherma) ------------------------------


@pytest.mark.parametrize(
    ("state", "expected"),
    [("ON", True), ("OFF", False), ("on", True), ("off", False), (" On ", True)],
)
def test_defrost_entity_sets_defrost(state: str, expected: bool) -> None:
    """ESPAltherma's "Defrost Operation" (ON/OFF text) or a binary sensor (on/off)."""
    reading = read(operating_mode=raw("Heating"), defrost=raw(state))
    assert reading.defrost_active is expected
    assert reading.operating_mode is (OperatingMode.DEFROST if expected else OperatingMode.HEATING)


def test_defrost_entity_without_a_mode_entity() -> None:
    """The flag alone: defrost_active known, the mode is defrost while it is on."""
    assert read(defrost=raw("OFF")).defrost_active is False
    assert read(defrost=raw("OFF")).operating_mode is None
    assert read(defrost=raw("ON")).operating_mode is OperatingMode.DEFROST


@pytest.mark.parametrize("state", ["unavailable", "maybe", "2"])
def test_defrost_entity_without_a_value(state: str) -> None:
    """No value from the flag: defrost follows the mode, with a problem noted."""
    reading = read(operating_mode=raw("Heating"), defrost=raw(state))
    assert reading.defrost_active is False  # from the mode
    assert "defrost" in reading_problems(reading)


def test_stale_defrost_entity_is_no_value() -> None:
    reading = read(defrost=raw("ON", age=timedelta(minutes=11)))
    assert reading.defrost_active is None
    assert "stale" in reading_problems(reading)["defrost"]


def test_check_units_ignores_the_defrost_entity() -> None:
    assert check_units({"defrost": raw("ON"), "flow_temperature": raw("35", "°C")}) == {}


@pytest.mark.parametrize(
    ("flow", "ret", "power", "expected"),
    [
        ("43.2", "37.6", None, OperatingMode.HEATING),  # 5.6 K spread: the compressor heats
        ("43.2", "37.6", "1500", OperatingMode.HEATING),
        ("43.2", "37.6", "35", OperatingMode.STANDBY),  # 35 W: nothing runs, water cools
        ("30.5", "29.8", None, OperatingMode.STANDBY),  # 0.7 K: the pump only
        ("32.0", "30.0", None, OperatingMode.STANDBY),  # exactly 2 K is not more than 2 K
    ],
)
def test_fan_only_while_the_flow_heats_is_heating(
    flow: str, ret: str, power: str | None, expected: OperatingMode
) -> None:
    """ESPAltherma issue 437: "Fan Only" while heating; the spread tells."""
    states: dict[str, RawState | None] = {
        "flow_temperature": raw(flow, "°C"),
        "return_temperature": raw(ret, "°C"),
        "operating_mode": raw("Fan Only"),
    }
    if power is not None:
        states["electrical_power"] = raw(power, "W")
    assert read(**states).operating_mode is expected


def test_stop_is_standby_whatever_the_spread() -> None:
    """Only "Fan Only" is reinterpreted; the indoor unit's "Stop" is standby."""
    reading = read(
        flow_temperature=raw("43.2", "°C"),
        return_temperature=raw("37.6", "°C"),
        operating_mode=raw("Stop"),
    )
    assert reading.operating_mode is OperatingMode.STANDBY


def _espaltherma_states(payload: dict[str, object]) -> dict[str, RawState]:
    """ESPAltherma ATTR values as the MQTT sensors' states (numbers as text)."""
    return {label: raw(str(value)) for label, value in payload.items()}


def test_real_espaltherma_issue75_defrost_payload() -> None:
    """ESPAltherma issue 75: "Operation Mode" Heating while "Defrost Operation" ON;
    leaving water before BUH 43.2 °C, inlet 37.6 °C, outdoor "-8.7" (quoted), flow 29.6
    l/min. The defrost flag wins: mode defrost, defrost_active on."""
    payload = json.loads((realdata_dir("espaltherma") / "issue75_attr.json").read_text())
    labels = _espaltherma_states(payload)
    reading = read(
        outside_temperature=labels["Outdoor air temp.(R1T)"],
        flow_temperature=labels["Leaving water temp. before BUH (R1T)"],
        return_temperature=labels["Inlet water temp.(R4T)"],
        dhw_temperature=labels["DHW tank temp. (R5T)"],
        flow_rate=labels["Flow sensor (l/min)"],
        operating_mode=labels["Operation Mode"],
        defrost=labels["Defrost Operation"],
    )
    assert reading.outside_temperature == -8.7
    assert reading.flow_temperature == 43.2
    assert reading.return_temperature == 37.6
    assert reading.dhw_temperature == 28.4
    assert reading.flow_rate == 29.6
    assert reading.defrost_active is True
    assert reading.operating_mode is OperatingMode.DEFROST
    assert reading_problems(reading) == {}


def test_real_espaltherma_issue338_attributes() -> None:
    """ESPAltherma issue 338: outlet 28.5 °C, inlet 22.9 °C, the DHW tank sensor -40.7 °C
    (no tank fitted: a value, but far below any tank's temperature), "Space heating
    Operation ON/OFF" ON. Its ON/OFF values are not a mode."""
    payload = json.loads((realdata_dir("espaltherma") / "issue338_attrs.json").read_text())
    labels = _espaltherma_states(payload)
    reading = read(
        flow_temperature=labels["Outlet Water Heat Exch. Temp. (R1T)"],
        return_temperature=labels["Inlet water temp.(R4T)"],
        operating_mode=labels["Space heating Operation ON/OFF"],
    )
    assert reading.flow_temperature == 28.5
    assert reading.return_temperature == 22.9
    assert reading.operating_mode is None  # "ON" is never a mode
    assert reading.defrost_active is None
