"""The controller's value tables: names and datatypes (from `luxtronik`) and what we read."""

from __future__ import annotations

from collections.abc import Mapping
import re
from typing import Any, Final

from luxtronik.calculations import Calculations
from luxtronik.parameters import Parameters
from luxtronik.visibilities import Visibilities

from custom_components.heatpump_stats.model.reading import OperatingMode

from .protocol import LuxtronikFrames

# The package's definitions, copied once (read-only; see the package docstring).
PARAMETER_TYPES: Final[dict[int, Any]] = dict(Parameters.parameters)
CALCULATION_TYPES: Final[dict[int, Any]] = dict(Calculations.calculations)
VISIBILITY_TYPES: Final[dict[int, Any]] = dict(Visibilities.visibilities)


def _index(types: Mapping[int, Any]) -> dict[str, int]:
    return {datatype.name: idx for idx, datatype in types.items()}


_PARAMETER_INDEX: Final = _index(PARAMETER_TYPES)
_CALCULATION_INDEX: Final = _index(CALCULATION_TYPES)
_VISIBILITY_INDEX: Final = _index(VISIBILITY_TYPES)

# Calculations 81..90 hold the firmware version, one character each.
_VERSION_FIRST: Final = _CALCULATION_INDEX["ID_WEB_SoftStand"]
_VERSION_CHARS: Final = 10

# ID_WEB_WP_BZ_akt (package text) -> (our mode, stable snake_case state).
# Pool/solar and "heating external source" count as heating (space heat is
# being made); an EVU (utility) lock forbids the compressor but the unit is on
# and resumes by itself, so it is standby, not off.
OPERATING_STATES: Final[dict[str, tuple[OperatingMode, str]]] = {
    "heating": (OperatingMode.HEATING, "heating"),
    "hot water": (OperatingMode.DHW, "hot_water"),
    "swimming pool/solar": (OperatingMode.HEATING, "pool_solar"),
    "evu": (OperatingMode.STANDBY, "utility_lock"),
    "defrost": (OperatingMode.DEFROST, "defrost"),
    "no request": (OperatingMode.STANDBY, "no_request"),
    "heating external source": (OperatingMode.HEATING, "heating_external_source"),
    "cooling": (OperatingMode.COOLING, "cooling"),
}
OPERATING_STATE_OPTIONS: Final = tuple(state for _, state in OPERATING_STATES.values())

# extra key -> (calculation name, visibility that must not be 0 or None).
EXTRA_TEMPERATURES: Final[dict[str, tuple[str, str | None]]] = {
    "hot_gas_temperature": ("ID_WEB_Temperatur_THG", "ID_Visi_Temp_Heissgas"),
    "heat_source_inlet_temperature": ("ID_WEB_Temperatur_TWE", "ID_Visi_Temp_WQ_Ein"),
    "heat_source_outlet_temperature": ("ID_WEB_Temperatur_TWA", None),
    "return_target_temperature": ("ID_WEB_Sollwert_TRL_HZ", "ID_Visi_Temp_RL_Soll"),
    "outside_temperature_average": ("ID_WEB_Mitteltemperatur", None),
    "dhw_target_temperature": ("ID_WEB_Einst_BWS_akt", "ID_Visi_Temp_BW_Soll"),
    "mixing_circuit_1_flow_temperature": ("ID_WEB_Temperatur_TFB1", "ID_Visi_Temp_MK1_Vorlauf"),
}
# Refrigerant-circuit values only exist on units with a LIN bus (ID_WEB_LIN_exists).
EXTRA_LIN: Final[dict[str, str]] = {
    "compressor_suction_temperature": "ID_WEB_LIN_ANSAUG_VERDICHTER",
    "evaporator_suction_temperature": "ID_WEB_LIN_ANSAUG_VERDAMPFER",
    "superheat": "ID_WEB_LIN_UH",
    "high_pressure": "ID_WEB_LIN_HD",
    "low_pressure": "ID_WEB_LIN_ND",
}
# Operating-hour counters (seconds in the controller) -> hours.
EXTRA_HOURS: Final[dict[str, str]] = {
    "operating_hours_compressor": "ID_WEB_Zaehler_BetrZeitVD1",
    "operating_hours_heating": "ID_WEB_Zaehler_BetrZeitHz",
    "operating_hours_dhw": "ID_WEB_Zaehler_BetrZeitBW",
    "operating_hours_second_heat_generator": "ID_WEB_Zaehler_BetrZeitZWE1",
}
# Heat-quantity counters (kWh, the package converts the tenths).
HEAT_COUNTERS: Final[dict[str, str]] = {
    "thermal_energy_heating_counter": "ID_WEB_WMZ_Heizung",
    "thermal_energy_dhw_counter": "ID_WEB_WMZ_Brauchwasser",
    "thermal_energy_pool_counter": "ID_WEB_WMZ_Schwimmbad",
}
# The heat meter's own lifetime total (heating + hot water + pool), kWh.
HEAT_TOTAL: Final = "ID_WEB_WMZ_Seit"
# A temperature input without a sensor reads -50.0 °C (raw -500), the bottom of
# the controller's range (e.g. the brine temperatures of an air-source unit).
_NO_SENSOR_RAW: Final = -500
# Values that read 0 on units without the sensor/feature: reported only once
# they have been non-zero at least once in this session.
FLOW_HEATING: Final = "ID_WEB_WMZ_Durchfluss"  # heat meter flow, l/h
FLOW_SOURCE: Final = "ID_WEB_Durchfluss_WQ"  # heat source (brine/well) flow, l/h
HEAT_OUTPUT: Final = "Heat_Output"  # W, newer firmware only
COMPRESSOR_FREQUENCY: Final = "ID_WEB_Freq_VD"  # Hz, inverter units only
PUMP_SPEED: Final = "Circulation_Pump"  # %, newer firmware only

_ERROR_SLOTS: Final = tuple(
    (f"ID_WEB_ERROR_Time{slot}", f"ID_WEB_ERROR_Nr{slot}") for slot in range(5)
)

# settings key -> parameter name.
SETTINGS: Final[dict[str, str]] = {
    "heating_curve_end_point": "ID_Einst_HzHwHKE_akt",
    "heating_curve_parallel_shift": "ID_Einst_HzHKRANH_akt",
    "heating_curve_night_setback": "ID_Einst_HzHKRABS_akt",
    "heating_temperature_offset": "ID_Einst_WK_akt",
    "heating_limit_temperature": "ID_Einst_Heizgrenze_Temp",
    "dhw_setpoint": "ID_Einst_BWS_akt",
    "dhw_hysteresis": "ID_Einst_BWS_Hyst_akt",
    "heating_mode": "ID_Ba_Hz_akt",
    "dhw_mode": "ID_Ba_Bw_akt",
    "cooling_mode": "ID_Einst_BA_Kuehl_akt",
}


# The controller hands out its web-server password in parameters 755..760; it
# never leaves this module (diagnostics show "**REDACTED**" instead).
SECRET_PARAMETERS: Final = frozenset(f"ID_WebserverPasswort_{n}_akt" for n in range(1, 7))
REDACTED: Final = "**REDACTED**"
# Keys in `diagnostics()` that identify the unit or the network (serial number
# halves, IP addresses); the Home Assistant side should redact these.
DIAGNOSTICS_TO_REDACT: Final = frozenset(
    {
        "ID_WP_SerienNummer_DATUM",
        "ID_WP_SerienNummer_HEX",
        "ID_AdresseIP_akt",
        "ID_SubNetMask_akt",
        "ID_Add_Broadcast_akt",
        "ID_Add_StdGateway_akt",
        "ID_AdresseIPServ_akt",
        "ID_WEB_AdresseIP_akt",
        "ID_WEB_SubNetMask_akt",
        "ID_WEB_Add_Broadcast",
        "ID_WEB_Add_StdGateway",
    }
)


def snake_case(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def as_float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


class Values:
    """Typed access to one poll's frames through the package's datatypes."""

    def __init__(self, frames: LuxtronikFrames) -> None:
        self.frames = frames

    def calc_raw(self, name: str) -> int | None:
        idx = _CALCULATION_INDEX[name]
        raw = self.frames.calculations
        return raw[idx] if idx < len(raw) else None

    def calc(self, name: str) -> Any:
        raw = self.calc_raw(name)
        if raw is None:
            return None
        return CALCULATION_TYPES[_CALCULATION_INDEX[name]].from_heatpump(raw)

    def param_raw(self, name: str) -> int | None:
        idx = _PARAMETER_INDEX[name]
        raw = self.frames.parameters
        return raw[idx] if idx < len(raw) else None

    def param(self, name: str) -> Any:
        raw = self.param_raw(name)
        if raw is None:
            return None
        return PARAMETER_TYPES[_PARAMETER_INDEX[name]].from_heatpump(raw)

    def visible(self, name: str | None) -> bool:
        """False only if the controller says the value is hidden on this unit.

        The visibility table's layout depends on the firmware: the package
        describes the layout of 3.x firmware (355 entries); an older controller
        (V1.80 sends 336) numbers them differently, so there its flags say
        nothing about our indices and every value counts as visible. Contract
        values are never gated on visibilities (see `_map`).
        """
        if name is None:
            return True
        raw = self.frames.visibilities
        if len(raw) != len(VISIBILITY_TYPES):
            return True
        idx = _VISIBILITY_INDEX[name]
        return raw[idx] != 0

    def temperature(self, name: str) -> float | None:
        """A temperature in °C; the no-sensor placeholder (-50.0 °C) is None."""
        raw = self.calc_raw(name)
        if raw is None or raw <= _NO_SENSOR_RAW:
            return None
        return as_float(self.calc(name))

    def firmware(self) -> str | None:
        chars = self.frames.calculations[_VERSION_FIRST : _VERSION_FIRST + _VERSION_CHARS]
        text = "".join(chr(c) for c in chars if 32 <= c < 127).strip()
        return text or None

    def model(self) -> str | None:
        name = self.calc("ID_WEB_Code_WP_akt")
        return str(name) if name else None

    def serial(self) -> str | None:
        date = self.param_raw("ID_WP_SerienNummer_DATUM")
        number = self.param_raw("ID_WP_SerienNummer_HEX")
        if not date or date < 0 or number is None:
            return None
        return f"{date}-{number & 0xFFFFFFFF:x}"

    def last_error_code(self) -> int | None:
        latest: tuple[int, int] | None = None
        for time_name, code_name in _ERROR_SLOTS:
            when, code = self.calc_raw(time_name), self.calc_raw(code_name)
            if when is None or not code:
                continue
            if latest is None or when > latest[0]:
                latest = (when, code)
        return None if latest is None else latest[1]


def as_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)
