"""Hourly figures of an `entities` heat pump rebuilt from its source entities' history.

For the ``entities`` source the heat pump *is* a set of Home Assistant
entities (the ESPAltherma sensors the user picked). Their history is older
than the entry, so the entry's hours before it existed can be computed from
them: the recorded states are replayed through the same mapping the live
source uses (:func:`~.sources.entities.build_reading`: units, mode map,
defrost entity) and the live engine (:class:`~.engine.replay.HourlyReplay`).

How the replay polls:

* On a fixed grid of the entry's poll interval, from ``start`` up to (not
  including) ``end``; at each poll every entity shows its latest recorded
  state (a state holds until its next row, Home Assistant's meaning), so a
  value that did not change for hours is not stale.
* A poll whose required fields (outdoor, flow, return temperature) are not
  known is skipped, as the live source reports the heat pump unavailable.
* The ``entity`` meter's power and energy entities are replayed with it; the
  ``source`` meter takes the electricity of the heat pump's own entities; a
  Shelly meter has no history here (the hours then carry no electricity).
* Units and device classes are the entities' current ones.

Readers: the recorder (:func:`read_recorder_rows`, public
``state_changes_during_period``) and InfluxDB (:func:`read_influx_rows`). All
readers block; call them in an executor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
import heapq
from typing import Any, Final

from homeassistant.components.recorder.history import state_changes_during_period
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant

from .const import CONF_ENERGY_ENTITY, CONF_METER, CONF_POWER_ENTITY, METER_ENTITY, METER_SOURCE
from .engine.core import Engine, EngineConfig
from .engine.hourly import Hour
from .engine.replay import HourlyReplay
from .model.reading import MeterReading, OperatingMode
from .sources.entities import DEFROST_FIELD, FIELDS, RawState, build_reading, missing_required
from .store.influxdb import InfluxHistory

#: Slot prefix of the `entity` meter's fields (the heat pump's fields have none).
METER_PREFIX: Final = "meter:"
_WINDOW: Final = timedelta(days=1)
_EPSILON: Final = timedelta(microseconds=1)
_NUMERIC_SLOTS: Final = frozenset(f for f in FIELDS if f != "operating_mode")

type Row = tuple[float, str, str | None]  # (unix time s, slot, state string)


def entity_slots(data: Mapping[str, Any]) -> dict[str, str]:
    """Slot -> entity id of an `entities` entry: its fields and its `entity` meter's."""
    slots = {
        key: value
        for key, value in data.items()
        if (key in FIELDS or key == DEFROST_FIELD) and isinstance(value, str) and value
    }
    if data.get(CONF_METER) == METER_ENTITY:
        for field, conf in (
            ("electrical_power", CONF_POWER_ENTITY),
            ("electrical_energy", CONF_ENERGY_ENTITY),
        ):
            if entity_id := data.get(conf):
                slots[METER_PREFIX + field] = str(entity_id)
    return slots


class EntitiesReplay:
    """Feed time-ordered rows with :meth:`feed`; :meth:`finish` returns the hours."""

    def __init__(
        self,
        *,
        config: EngineConfig,
        time_zone: tzinfo,
        start: datetime,
        end: datetime,
        step_s: float,
        attributes: Mapping[str, tuple[str | None, str | None]],
        mode_map: Mapping[str, OperatingMode],
        meter: str | None,
    ) -> None:
        """`attributes`: slot -> (unit, device class); `meter` is the entry's meter kind."""
        self._replay = HourlyReplay(
            Engine(config, time_zone), source_is_meter=meter == METER_SOURCE
        )
        self._with_meter = meter == METER_ENTITY
        self._attributes = dict(attributes)
        self._mode_map = dict(mode_map)
        self._step = step_s
        self._next = start.timestamp()
        self._end = end.timestamp()
        self._states: dict[str, str | None] = {}
        # Polls never stale a value (see the module docstring): an hour is plenty.
        self._stale_after = timedelta(hours=1)

    def feed(self, rows: Iterable[Row]) -> None:
        """Apply rows (time-ordered); polls due before each row run first."""
        for ts, slot, state in rows:
            self._poll_until(ts, inclusive=False)
            self._states[slot] = state

    def finish(self) -> list[Hour]:
        """Run the polls left up to `end` and return the hours (the last one may be partial)."""
        self._poll_until(self._end, inclusive=False)
        return self._replay.finish(include_open_hour=True)

    def _poll_until(self, ts: float, *, inclusive: bool) -> None:
        limit = min(ts, self._end)
        while self._next < limit or (inclusive and self._next == limit):
            self._poll(self._next)
            self._next += self._step

    def _raw(self, slot: str, now: datetime) -> RawState | None:
        state = self._states.get(slot)
        if state is None and slot not in self._states:
            return None
        unit, device_class = self._attributes.get(slot, (None, None))
        return RawState(
            state=state if state is not None else "unknown",
            unit=unit,
            last_updated=now,
            device_class=device_class,
        )

    def _poll(self, t: float) -> None:
        now = datetime.fromtimestamp(t, UTC)
        slots = [s for s in self._attributes if not s.startswith(METER_PREFIX)]
        reading = build_reading(
            {slot: self._raw(slot, now) for slot in slots},
            now=now,
            mode_map=self._mode_map,
            stale_after=self._stale_after,
        )
        if missing_required(reading):
            return
        meter: MeterReading | None = None
        if self._with_meter:
            values = build_reading(
                {
                    slot.removeprefix(METER_PREFIX): self._raw(slot, now)
                    for slot in self._attributes
                    if slot.startswith(METER_PREFIX)
                },
                now=now,
                mode_map={},
                stale_after=self._stale_after,
            )
            if values.electrical_power is not None or values.electrical_energy is not None:
                meter = MeterReading(
                    timestamp=now, power=values.electrical_power, energy=values.electrical_energy
                )
        self._replay.add(reading, meter)


def current_attributes(
    hass: HomeAssistant, slots: Mapping[str, str]
) -> dict[str, tuple[str | None, str | None]]:
    """Slot -> (unit, device class) from the entities' current states."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for slot, entity_id in slots.items():
        state = hass.states.get(entity_id)
        attrs = state.attributes if state is not None else {}
        found[slot] = (attrs.get(ATTR_UNIT_OF_MEASUREMENT), attrs.get(ATTR_DEVICE_CLASS))
    return found


def _windows(start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
    lower = start
    while lower < end:
        upper = min(lower + _WINDOW, end)
        yield lower, upper
        lower = upper


def read_recorder_rows(
    hass: HomeAssistant, slots: Mapping[str, str], start: datetime, end: datetime
) -> Iterator[Row]:
    """Blocking: the slots' recorded states in [start, end), one day at a time, in time order.

    The first rows are the states at `start` (each entity's state then, if any).
    """
    first = True
    for lower, upper in _windows(start, end):
        streams: list[list[Row]] = []
        for slot, entity_id in slots.items():
            states = state_changes_during_period(
                hass,
                lower - _EPSILON,  # the query is (start, end): include `lower` itself
                upper,
                entity_id,
                no_attributes=True,
                include_start_time_state=first,
            ).get(entity_id.lower(), [])
            streams.append(
                [(max(s.last_updated_timestamp, start.timestamp()), slot, s.state) for s in states]
            )
        first = False
        yield from heapq.merge(*streams, key=lambda row: row[0])


def read_influx_rows(
    reader: InfluxHistory, slots: Mapping[str, str], start: datetime, end: datetime
) -> Iterator[Row]:
    """Blocking: the slots' points in InfluxDB in [start, end), one day at a time, in time order.

    Numbers come from the field ``value``, modes and on/off states from ``state``.
    """
    t0 = start.timestamp()
    initial: list[Row] = []
    for slot, entity_id in slots.items():
        value: Any
        if slot in _NUMERIC_SLOTS or slot.startswith(METER_PREFIX):
            value = reader.last_before(entity_id, start + _EPSILON)
        else:
            value = reader.last_state_before(entity_id, start + _EPSILON)
        if value is not None:
            initial.append((t0, slot, str(value)))
    yield from initial
    for lower, upper in _windows(start, end):
        streams: list[list[Row]] = []
        for slot, entity_id in slots.items():
            points: list[tuple[datetime, Any]]
            if slot in _NUMERIC_SLOTS or slot.startswith(METER_PREFIX):
                points = list(reader.numeric(entity_id, lower, upper))
            else:
                points = list(reader.states(entity_id, lower, upper))
            streams.append([(ts.timestamp(), slot, str(v)) for ts, v in points if ts > start])
        yield from heapq.merge(*streams, key=lambda row: row[0])
