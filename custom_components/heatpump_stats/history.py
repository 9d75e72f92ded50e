"""Read an entry's own entities back from the recorder and stream them into the analytics.

The recorder keeps one row per state change. Rows of the entry's entities are
read through the recorder's public history API
(:func:`homeassistant.components.recorder.history.get_significant_states_with_session`,
compressed, without attributes), two hours at a time (bounded memory, whatever
the period, and few enough objects that they die young: see :data:`WINDOW_S`),
put in time order and merged into samples (:class:`~.engine.rows.RowMerger`,
the read loop all readers share: :func:`~.engine.rows.merge_windows`) for the
:class:`~.engine.analytics.SummaryBuilder` that :mod:`.summaries` (the one
factory of summaries) hands in. Everything here blocks: it runs in the
recorder's executor, never on the event loop.

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
  An entity the recorder has no row of at all is left out.
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

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from itertools import repeat
import math
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final

from homeassistant.components.recorder.history import (
    get_last_state_changes,
    get_significant_states_with_session,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.recorder import session_scope

from .const import CONF_SCAN_INTERVAL_S, DEFAULT_SCAN_INTERVAL_S, DOMAIN
from .engine.analytics import SummaryBuilder
from .engine.rows import (
    BINARY_KEYS,
    KEYS,
    SLOT,
    RowMerger,
    merge_windows,
    reading_slots,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from sqlalchemy.orm import Session

# (key, platform) of the entities a summary reads.
HISTORY_ENTITIES: Final[tuple[tuple[str, str], ...]] = tuple(
    (key, "binary_sensor" if key in BINARY_KEYS else "sensor") for key in KEYS
)
# Two hours a query: about 1 100 rows at 30-s polls. The history API makes a few
# objects per row and they live until the window is merged; fewer than the
# garbage collector's first threshold (2 000) die young and never trigger the
# full collections that hold the GIL, and so the event loop, for 100+ ms
# (bench/summarize.py, a year: a day a query took 13 s of CPU and stalled the
# loop 130 ms at p99; two hours take 8 s and 5-10 ms).
WINDOW_S: Final = 7_200.0
# The history API reads (start, end) with both ends open; rows at a window's
# end belong to it ((lower, upper], a state holds until the next row), so each
# query reaches this much past `upper` and what lies beyond `upper` is dropped.
_PAST_END: Final = timedelta(microseconds=1)
_TIME: Final = itemgetter(2)
_STATE: Final = itemgetter("s")
_UPDATED: Final = itemgetter("lu")


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


def feed_states(
    hass: HomeAssistant,
    entity_ids: Mapping[str, str],
    builder: SummaryBuilder,
    start: datetime,
    cut: datetime,
) -> None:
    """Blocking: the recorder's rows of (start, cut] into `builder` (recorder executor).

    Whether and up to when to read is :mod:`.summaries`' (the period is cut at now).
    """
    recorded = {
        key: entity_id
        for key, entity_id in entity_ids.items()
        if key in SLOT and get_last_state_changes(hass, 1, entity_id)
    }
    by_entity = {recorded[key]: slot for key, slot in reading_slots(recorded).items()}
    if not by_entity:
        return
    lower = start.astimezone(UTC)
    with session_scope(hass=hass, read_only=True) as session:
        merge_windows(
            RowMerger(builder, by_entity),
            _start_rows(hass, session, by_entity, lower),
            lambda lo, hi: _window_rows(hass, session, by_entity, lo, hi),
            start=lower,
            cut=cut.astimezone(UTC),
            window=timedelta(seconds=WINDOW_S),
        )


def _history(
    hass: HomeAssistant,
    session: Session,
    entity_ids: Mapping[str, Any],
    lower: datetime,
    upper: datetime,
    *,
    at_start: bool,
) -> dict[str, list[Any]]:
    """Every row of (lower, upper) as {"s": state, "lu": epoch s}, by entity.

    `at_start`: instead, each entity's last row before `lower` (none for an
    entity without one).
    """
    return get_significant_states_with_session(
        hass,
        session,
        lower,
        upper,
        list(entity_ids),
        include_start_time_state=at_start,
        # Leaves out rows where only attributes changed (same state): they
        # change no value, and minimal_response drops repeated states anyway.
        significant_changes_only=True,
        minimal_response=True,
        no_attributes=True,
        compressed_state_format=True,
    )


def _start_rows(
    hass: HomeAssistant, session: Session, slots: Mapping[str, Any], start: datetime
) -> list[tuple[str, str, float]]:
    """Each entity's last state at or before `start`, stamped at `start` (one sample)."""
    at = start + _PAST_END
    start_ts = start.timestamp()
    found = _history(hass, session, slots, at, at, at_start=True)
    return [(entity_id, rows[0]["s"], start_ts) for entity_id, rows in found.items() if rows]


def _window_rows(
    hass: HomeAssistant,
    session: Session,
    slots: Mapping[str, Any],
    lower: datetime,
    upper: datetime,
) -> list[tuple[str, str, float]]:
    """(entity_id, state, ts) in (lower, upper], ordered by time.

    The history API returns each entity's rows in order; one window of all of
    them is sorted here (C speed; a stable sort keeps an entity's rows
    of one instant in order).
    """
    found = _history(hass, session, slots, lower, upper + _PAST_END, at_start=False)
    rows: list[tuple[str, str, float]] = []
    for entity_id, states in found.items():
        # zip and itemgetter build the tuples in C (a third of this function's time).
        rows.extend(
            zip(repeat(entity_id), map(_STATE, states), map(_UPDATED, states), strict=False)
        )
    rows.sort(key=_TIME)
    upper_ts = upper.timestamp()
    while rows and rows[-1][2] > upper_ts:
        rows.pop()
    return rows
