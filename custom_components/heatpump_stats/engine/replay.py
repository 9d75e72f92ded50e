"""Replay readings through the live engine and keep each hour's figures.

Units: energy kWh, temperatures °C. No Home Assistant import.

Used to make hourly history the live sensors would have recorded, had they
existed: the demo heat pump's month before its entry was created, and a
heat pump's history rebuilt from its own readings. The rules are the live
engine's (:mod:`.core`), so the hours continue seamlessly into the live
sensors' statistics:

* An hour's energy is the change of the engine's counter between the last
  sample before the hour and the last sample in it (Home Assistant's
  statistics difference the sensor's state the same way).
* An hour's temperature is the mean of the samples in it.
* Hours with no sample are not emitted (no data, not zero).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from custom_components.heatpump_stats.model.reading import HeatPumpReading, MeterReading
from custom_components.heatpump_stats.model.timeutil import as_utc

from .core import Engine
from .hourly import CHANGE_FIELDS, Hour

#: Engine counters (Metrics attributes) whose hourly change is an Hour field.
COUNTER_KEYS: Final = CHANGE_FIELDS


def _hour_of(ts: datetime) -> datetime:
    return as_utc(ts).replace(minute=0, second=0, microsecond=0)


class HourlyReplay:
    """Feed readings in time order with :meth:`add`; :meth:`finish` returns the hours."""

    def __init__(self, engine: Engine, *, source_is_meter: bool) -> None:
        """Replay into `engine`; with `source_is_meter` the reading's electricity is the meter's."""
        self._engine = engine
        self._source_is_meter = source_is_meter
        self._hour: datetime | None = None
        self._base: dict[str, float] | None = None
        self._last_ts: datetime | None = None
        self._temps: dict[str, list[float]] = {"outside_temperature": [], "flow_temperature": []}
        self._hours: list[Hour] = []

    def _counters(self) -> dict[str, float]:
        assert self._last_ts is not None
        metrics = self._engine.snapshot(self._last_ts)
        values: dict[str, float] = {}
        for key in COUNTER_KEYS:
            value = getattr(metrics, key)
            values[key] = 0.0 if value is None else float(value)
        return values

    def _close_hour(self) -> None:
        if self._hour is None or self._last_ts is None:
            return
        now = self._counters()
        base = self._base if self._base is not None else now
        means = {
            key: (sum(values) / len(values) if values else None)
            for key, values in self._temps.items()
        }
        self._hours.append(
            Hour(
                start=self._hour,
                **{key: now[key] - base[key] for key in COUNTER_KEYS},
                **means,
            )
        )
        self._base = now
        for values in self._temps.values():
            values.clear()

    def add(self, reading: HeatPumpReading, meter: MeterReading | None = None) -> None:
        """Process one heat-pump poll (and the meter's reading at the same time, if any)."""
        hour = _hour_of(reading.timestamp)
        if self._hour is not None and hour != self._hour:
            self._close_hour()
        if self._hour is None and self._last_ts is not None:
            self._base = self._counters()
        self._hour = hour
        self._engine.update_heat_pump(reading)
        if self._source_is_meter:
            self._engine.update_meter(
                MeterReading(
                    timestamp=reading.timestamp,
                    power=reading.electrical_power,
                    energy=reading.electrical_energy,
                )
            )
        elif meter is not None:
            self._engine.update_meter(meter)
        self._last_ts = as_utc(reading.timestamp)
        if self._base is None:
            # The first sample is the reference: its hour starts from it.
            self._base = self._counters()
        for key, values in self._temps.items():
            value = getattr(reading, key)
            if value is not None:
                values.append(float(value))

    def finish(self, *, include_open_hour: bool = False) -> list[Hour]:
        """The hours replayed so far; the hour in progress only with `include_open_hour`."""
        if include_open_hour:
            self._close_hour()
            self._hour = None
        return list(self._hours)

    @property
    def engine(self) -> Engine:
        """The engine after the replay (its totals continue into the live entry)."""
        return self._engine
