"""A Luxtronik 2 controller as a source: one poll, its values mapped to a reading."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import logging
from typing import Any, Final

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)
from custom_components.heatpump_stats.sources.base import SourceDataError, SourceError

from .protocol import LuxtronikFrames, RawFrames, fetch_frames, unpack_frames
from .tables import (
    CALCULATION_TYPES,
    COMPRESSOR_FREQUENCY,
    EXTRA_HOURS,
    EXTRA_LIN,
    EXTRA_TEMPERATURES,
    FLOW_HEATING,
    FLOW_SOURCE,
    HEAT_COUNTERS,
    HEAT_OUTPUT,
    HEAT_TOTAL,
    OPERATING_STATES,
    PARAMETER_TYPES,
    PUMP_SPEED,
    REDACTED,
    SECRET_PARAMETERS,
    SETTINGS,
    VISIBILITY_TYPES,
    Values,
    as_bool,
    as_float,
    snake_case,
)

_LOGGER = logging.getLogger(__name__)

DEFAULT_PORT: Final = 8889
MANUFACTURER: Final = "Alpha Innotec / Novelan (Luxtronik)"
DEFAULT_MODEL: Final = "Luxtronik 2"


class LuxtronikSource:
    """A heat pump with a Luxtronik 2 controller, polled over TCP (one connection per poll)."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, *, timeout: float = 10.0) -> None:
        """Remember where the controller is; nothing is opened until `async_read`."""
        self._host = host
        self._port = port
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._frames: LuxtronikFrames | None = None
        self._last_error: str | None = None
        self._identity = DeviceIdentity(manufacturer=MANUFACTURER, model=DEFAULT_MODEL)
        # Optional values that have been non-zero at least once (see FLOW_HEATING etc.).
        self._seen_nonzero: set[str] = set()
        self._logged_unknown_states: set[int] = set()

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer, heat pump type, serial and firmware (complete after the first read)."""
        return self._identity

    async def async_read(self) -> HeatPumpReading:
        """Read all three tables over one connection and map them to a reading."""
        async with self._lock:
            try:
                raw = await fetch_frames(self._host, self._port, self._timeout)
                # Unpacking and mapping 1,700+ values costs ~0.4 ms of CPU: done in
                # the executor so the event loop only carries the socket I/O.
                reading = await asyncio.get_running_loop().run_in_executor(
                    None, self._decode, raw, datetime.now(UTC)
                )
            except SourceError as err:
                self._last_error = str(err)
                raise
            self._last_error = None
            return reading

    def state_to_store(self) -> None:
        """Nothing to persist: the controller keeps its own counters."""

    def diagnostics(self) -> dict[str, Any]:
        """Every raw value of the last complete poll, keyed by package name (else index)."""
        frames = self._frames
        result: dict[str, Any] = {
            "parameters": {},
            "calculations": {},
            "visibilities": {},
            "calculations_status": None,
            "last_error": self._last_error,
        }
        if frames is None:
            return result
        for key, types, raw in (
            ("parameters", PARAMETER_TYPES, frames.parameters),
            ("calculations", CALCULATION_TYPES, frames.calculations),
            ("visibilities", VISIBILITY_TYPES, frames.visibilities),
        ):
            table: dict[str, int | str] = {}
            for idx, value in enumerate(raw):
                datatype = types.get(idx)
                name = datatype.name if datatype is not None else str(idx)
                table[name] = REDACTED if name in SECRET_PARAMETERS else value
            result[key] = table
        result["calculations_status"] = frames.calculations_status
        return result

    async def async_close(self) -> None:
        """Nothing stays open between polls."""

    def _decode(self, raw: RawFrames, now: datetime) -> HeatPumpReading:
        """Unpack the replies and map them (runs in the executor; the lock is held)."""
        frames = unpack_frames(raw)
        # Kept even if mapping fails: the raw values are what diagnostics need then.
        self._frames = frames
        return self._to_reading(frames, now)

    # -- mapping -----------------------------------------------------------

    def _optional(self, values: Values, name: str) -> Any:
        """A value that reads 0 on units lacking it: None until it was non-zero once."""
        raw = values.calc_raw(name)
        if raw is None:
            return None
        if raw != 0:
            self._seen_nonzero.add(name)
        if name not in self._seen_nonzero:
            return None
        return values.calc(name)

    def _operating_state(self, values: Values) -> tuple[OperatingMode | None, str | None]:
        code = values.calc_raw("ID_WEB_WP_BZ_akt")
        if code is None:
            return None, None
        text = values.calc("ID_WEB_WP_BZ_akt")
        known = OPERATING_STATES.get(text) if isinstance(text, str) else None
        if known is None:
            if code not in self._logged_unknown_states:
                self._logged_unknown_states.add(code)
                _LOGGER.debug("Luxtronik: unknown operating state code %s", code)
            return None, None
        mode, state = known
        if (
            mode is OperatingMode.STANDBY
            and state == "no_request"
            and values.param("ID_Ba_Hz_akt") == "Off"
            and values.param("ID_Ba_Bw_akt") == "Off"
        ):
            mode = OperatingMode.OFF
        return mode, state

    def _to_reading(self, frames: LuxtronikFrames, now: datetime) -> HeatPumpReading:
        values = Values(frames)
        try:
            return self._map(values, now)
        except (ValueError, TypeError, OverflowError) as err:
            raise SourceDataError(f"Luxtronik: undecodable values ({err})") from err

    def _map(self, values: Values, now: datetime) -> HeatPumpReading:
        calc = values.calc
        mode, state = self._operating_state(values)

        vd1, vd2 = calc("ID_WEB_VD1out"), calc("ID_WEB_VD2out")
        compressor = None if vd1 is None else bool(vd1 or vd2)
        # AV is the 4-way (defrost) valve; reversible units also switch it for cooling.
        valve = calc("ID_WEB_AVout")
        if valve is None and mode is None:
            defrost = None
        else:
            defrost = mode is OperatingMode.DEFROST or (
                bool(valve) and mode is not OperatingMode.COOLING
            )

        flow_l_h = as_float(self._optional(values, FLOW_HEATING))
        source_flow_l_h = as_float(self._optional(values, FLOW_SOURCE))
        heat_output_w = as_float(self._optional(values, HEAT_OUTPUT))

        counters = {key: as_float(calc(name)) for key, name in HEAT_COUNTERS.items()}
        counter_sum = sum(v for v in counters.values() if v is not None)
        total = as_float(calc(HEAT_TOTAL))
        # All counters 0: the unit has no heat meter; report nothing rather than "no heat".
        has_heat_meter = counter_sum > 0 or bool(total)
        thermal_energy: float | None = None
        if has_heat_meter:
            # The controller's own total where it keeps one, else the sum of its parts.
            thermal_energy = total if total else round(counter_sum, 1)

        extra: dict[str, str | float | None] = {}
        for key, (name, visibility) in EXTRA_TEMPERATURES.items():
            extra[key] = values.temperature(name) if values.visible(visibility) else None
        lin = bool(calc("ID_WEB_LIN_exists"))
        for key, name in EXTRA_LIN.items():
            extra[key] = as_float(calc(name)) if lin else None
        extra["compressor_frequency"] = as_float(self._optional(values, COMPRESSOR_FREQUENCY))
        extra["circulation_pump_speed"] = as_float(self._optional(values, PUMP_SPEED))
        extra["heat_source_flow_rate"] = (
            None if source_flow_l_h is None else round(source_flow_l_h / 60, 2)
        )
        for key, name in EXTRA_HOURS.items():
            seconds = calc(name)
            extra[key] = None if seconds is None else round(seconds / 3600, 2)
        starts = calc("ID_WEB_Zaehler_BetrZeitImpVD1")
        extra["compressor_starts"] = None if starts is None else int(starts)
        for key, value in counters.items():
            extra[key] = value if has_heat_meter else None
        extra["last_error_code"] = values.last_error_code()
        extra["operating_state"] = state
        second = calc("ID_WEB_ZW1out")
        extra["second_heat_generator_active"] = None if second is None else bool(second)

        settings: dict[str, str | float | None] = {}
        for key, name in SETTINGS.items():
            value = values.param(name)
            if isinstance(value, str):
                settings[key] = snake_case(value)
            elif value is None and values.param_raw(name) is not None:
                settings[key] = f"code_{values.param_raw(name)}"  # selection code unknown
            else:
                settings[key] = as_float(value)

        model = values.model()
        self._identity = DeviceIdentity(
            manufacturer=MANUFACTURER,
            model=model or DEFAULT_MODEL,
            serial_number=values.serial(),
            sw_version=values.firmware(),
        )

        return HeatPumpReading(
            timestamp=now,
            # Contract temperatures are never hidden by a visibility flag: the
            # flags' layout varies by firmware (a V1.80 unit flags its real
            # 64.2 °C hot-water reading as hidden); only the placeholder is None.
            outside_temperature=values.temperature("ID_WEB_Temperatur_TA"),
            flow_temperature=values.temperature("ID_WEB_Temperatur_TVL"),
            return_temperature=values.temperature("ID_WEB_Temperatur_TRL"),
            dhw_temperature=values.temperature("ID_WEB_Temperatur_TBW"),
            compressor_modulation=None,
            flow_rate=None if flow_l_h is None else round(flow_l_h / 60, 2),
            operating_mode=mode,
            compressor_running=compressor,
            defrost_active=defrost,
            circulation_pump=as_bool(calc("ID_WEB_HUPout")),
            electrical_power=None,
            electrical_energy=None,
            thermal_power=None if heat_output_w is None else heat_output_w / 1000,
            thermal_energy=thermal_energy,
            thermal_energy_heating=(
                counters["thermal_energy_heating_counter"] if has_heat_meter else None
            ),
            thermal_energy_dhw=counters["thermal_energy_dhw_counter"] if has_heat_meter else None,
            settings=settings,
            extra=extra,
        )
