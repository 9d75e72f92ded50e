"""Read an entry's own entities back from the recorder and stream them into the analytics.

The recorder keeps one row per state change. Rows of the entry's entities are
read in time order, one time window at a time (bounded memory, whatever the
period), merged into samples as they come and fed to
:class:`~.engine.analytics.SummaryBuilder`. Everything here blocks: it runs in
the recorder's executor (:func:`async_summarize_history`), never on the event loop.

How rows become samples:

* A state holds until its entity's next row (Home Assistant's meaning), so each
  sample carries every entity's latest value. ``unknown``/``unavailable`` and
  unreadable states are None (unknown) until the next good row.
* Rows less than :data:`COALESCE_S` apart form one sample, at the first row's
  time: one poll writes all the entry's entities within milliseconds, and its
  counter increments belong to the state *before* that poll, as in the live engine.
* The states at ``start`` (each entity's last row at or before it) form a
  sample at ``start``, and the carried values a sample at ``end``, so counters
  are differenced from the start value to the end value, like the live sensors.
  A period is read up to now, never beyond: an ``end`` in the future is cut
  at now (the carried sample is stamped now), and a period that begins after
  now reads nothing. An entity without a row at ``start`` is unknown there, so
  the time before the first row is not covered (see the analytics' data quality).
* Energy comes from our ``electrical_energy`` and ``thermal_energy`` sensors
  (the engine's totals; the thermal one is net heat, falling during defrosts).
  A power entity is read only when its counter has no history: the totals are
  known whenever the power is, and skipping the power rows saves a third of
  the reading.
* The per-purpose totals (``electrical_energy_heating`` / ``_dhw``,
  ``thermal_energy_heating`` / ``_dhw``, which mirror the device's own
  per-purpose counters where it has them) split each interval by purpose, so
  a summary from states agrees with one from long-term statistics of the same
  sensors (see the analytics' by-purpose counters).
* Because a state holds until the next row, no interval is a gap
  (``max_gap_s`` = ∞); a Home Assistant downtime reads as the last state held.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
import math
from typing import TYPE_CHECKING, Any, Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import get_instance, session_scope
from homeassistant.util import dt as dt_util

from .const import CONF_SCAN_INTERVAL_S, DEFAULT_SCAN_INTERVAL_S, DOMAIN
from .engine.analytics import VALUE_FIELDS, Summary, SummaryBuilder
from .sources.reading import OperatingMode

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from sqlalchemy.orm import Session

# The entity key (the contract's) of each builder value, in add_values' order.
_KEYS: Final = tuple("operating_mode" if f == "mode" else f for f in VALUE_FIELDS)
_BINARY_KEYS: Final = frozenset({"compressor_running", "defrost_active", "circulation_pump"})
# (key, platform) of the entities a summary reads.
HISTORY_ENTITIES: Final[tuple[tuple[str, str], ...]] = tuple(
    (key, "binary_sensor" if key in _BINARY_KEYS else "sensor") for key in _KEYS
)
_SLOT: Final = {key: i for i, key in enumerate(_KEYS)}
# How a state string is read: a number, an operating mode, on/off.
_FLOAT, _MODE, _ONOFF = range(3)
_KIND: Final = {
    key: _MODE if key == "operating_mode" else _ONOFF if key in _BINARY_KEYS else _FLOAT
    for key in _KEYS
}
# A power is read only where its counter has no history (see the module docstring).
_POWER_OF_COUNTER: Final = {
    "electrical_energy": "electrical_power",
    "thermal_energy": "thermal_power",
}

COALESCE_S: Final = 1.0  # rows closer than this are one poll
WINDOW_S: Final = 86_400.0  # one query per day of history (about 17 000 rows at 30 s)
FETCH_ROWS: Final = 1000  # rows per fetch from the cursor

_MODES: Final = {mode.value: mode for mode in OperatingMode}
_BINARY: Final = {"on": True, "off": False}


@callback
def async_entry_entity_ids(hass: HomeAssistant, entry: ConfigEntry) -> dict[str, str]:
    """The entry's entities a summary reads, by key (those the registry knows)."""
    registry = er.async_get(hass)
    found: dict[str, str] = {}
    for key, platform in HISTORY_ENTITIES:
        entity_id = registry.async_get_entity_id(platform, DOMAIN, f"{entry.unique_id}_{key}")
        if entity_id is not None:
            found[key] = entity_id
    return found


def builder_options(entry: ConfigEntry) -> dict[str, Any]:
    """SummaryBuilder options for history of `entry` (expected interval = its poll interval)."""
    return {
        "expected_interval_s": float(
            entry.options.get(CONF_SCAN_INTERVAL_S, DEFAULT_SCAN_INTERVAL_S)
        ),
        "max_gap_s": math.inf,
        # Our thermal_energy is net heat: it falls during defrosts and never resets.
        "net_thermal_counter": True,
    }


async def async_summarize_history(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    **options: Any,
) -> Summary:
    """Summarise (start, end] from the recorder, in the recorder's executor."""
    return await get_instance(hass).async_add_executor_job(
        summarize_history, hass, dict(entity_ids), start, end, options
    )


def summarize_history(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    start: datetime,
    end: datetime,
    options: Mapping[str, Any],
) -> Summary:
    """Blocking: read the rows and build the summary (call in the recorder's executor)."""
    builder = SummaryBuilder(start=start, end=end, **options)
    # Time that has not happened yet has no data: the period is read up to now.
    start_ts, end_ts = start.timestamp(), min(end.timestamp(), dt_util.utcnow().timestamp())
    if end_ts <= start_ts:
        return builder.result()
    instance = get_instance(hass)
    with session_scope(hass=hass, read_only=True) as session:
        metadata = instance.states_meta_manager.get_many(entity_ids.values(), session, False)
        known = {
            key: metadata_id
            for key, entity_id in entity_ids.items()
            if key in _SLOT and (metadata_id := metadata.get(entity_id)) is not None
        }
        for counter, power in _POWER_OF_COUNTER.items():
            if counter in known:
                known.pop(power, None)
        slots = {metadata_id: (_SLOT[key], _KIND[key]) for key, metadata_id in known.items()}
        if slots:
            merger = _Merger(builder, slots)
            merger.feed(_start_rows(session, slots, start_ts))
            merger.flush()
            lower = start_ts
            while lower < end_ts:
                upper = min(lower + WINDOW_S, end_ts)
                merger.feed(_window_rows(session, slots, lower, upper))
                lower = upper
            merger.finish(end_ts)
    return builder.result()


def _start_rows(
    session: Session, slots: Mapping[int, Any], start_ts: float
) -> list[tuple[int, str | None, float]]:
    """Each entity's last state at or before `start_ts` (a reverse index scan per entity)."""
    from homeassistant.components.recorder.db_schema import States  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    rows: list[tuple[int, str | None, float]] = []
    for metadata_id in slots:
        state = session.execute(
            select(States.state)
            .where(States.metadata_id == metadata_id, States.last_updated_ts <= start_ts)
            .order_by(States.last_updated_ts.desc())
            .limit(1)
        ).scalar()
        rows.append((metadata_id, state, start_ts))  # stamped at start: one sample
    return rows


def _window_rows(
    session: Session, slots: Mapping[int, Any], lower: float, upper: float
) -> Iterator[Sequence[Any]]:
    """(metadata_id, state, last_updated_ts) in (lower, upper], ordered by time.

    The database sorts one window (a day), not the period. Rows come from the
    DB-API cursor in small batches: plain tuples cost a fifth less than
    SQLAlchemy rows (measured: bench/summarize.py), and rows that die young never
    reach the oldest GC generation, whose full collections hold the GIL (and so
    the event loop) for 100+ ms in a Home Assistant sized heap. The statement is
    SQLAlchemy's, compiled for the recorder's database with its (numeric) values
    inline, so it suits every database the recorder supports.
    """
    from homeassistant.components.recorder.db_schema import States  # noqa: PLC0415
    from sqlalchemy import select  # noqa: PLC0415

    ts = States.last_updated_ts
    stmt = (
        select(States.metadata_id, States.state, ts)
        .where(States.metadata_id.in_(list(slots)), ts > lower, ts <= upper)
        .order_by(ts)
    )
    sql = str(stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_ROWS):
            yield from rows
    finally:
        cursor.close()


class _Merger:
    """Turns time-ordered rows into samples: carried values, coalesced polls."""

    def __init__(self, builder: SummaryBuilder, slots: Mapping[int, tuple[int, int]]) -> None:
        """`slots`: metadata id → (index in VALUE_FIELDS, how to read the state)."""
        self._add: Callable[..., None] = builder.add_values
        self._slots = dict(slots)
        self._values: list[Any] = [None] * len(_KEYS)
        self._group_t: float | None = None

    def feed(self, rows: Iterable[Sequence[Any]]) -> None:
        """Apply time-ordered rows (metadata_id, state, ts); emits each finished sample."""
        # Hot path (once per row): locals only.
        slots, values, add = self._slots, self._values, self._add
        modes, onoff = _MODES, _BINARY
        group_t = self._group_t
        group_end = -math.inf if group_t is None else group_t + COALESCE_S
        for metadata_id, state, ts in rows:
            if ts >= group_end:
                if group_t is not None:
                    add(group_t, *values)
                group_t, group_end = ts, ts + COALESCE_S
            slot, kind = slots[metadata_id]
            if kind == _FLOAT:
                try:
                    values[slot] = float(state)
                except TypeError, ValueError:
                    values[slot] = None  # unknown, unavailable, garbage
            elif kind == _MODE:
                values[slot] = modes.get(state)
            else:
                values[slot] = onoff.get(state)
        self._group_t = group_t

    def flush(self) -> None:
        """Emit the pending sample now (the start states must stay a sample of their own)."""
        if self._group_t is not None:
            self._emit(self._group_t)
            self._group_t = None

    def finish(self, end_ts: float) -> None:
        """Emit the last sample and the carried values at `end_ts`."""
        last = self._group_t
        self.flush()
        if last is None or last < end_ts:
            self._emit(end_ts)

    def _emit(self, t: float) -> None:
        self._add(t, *self._values)
