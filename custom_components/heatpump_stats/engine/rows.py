"""State rows of an entry's entities → the samples :class:`~.analytics.SummaryBuilder` takes.

Every history reader (the recorder's, InfluxDB's raw points) yields rows
``(key, state, ts)``: which entity, its state as the history stores it (a
number or text, ``unknown``/``unavailable``, garbage) and the epoch time (s).
The rules, one place for all readers:

* A state holds until its entity's next row, so each sample carries every
  entity's latest value; a state that does not read as its kind is None
  (unknown) until the next good row.
* Rows less than :data:`COALESCE_S` apart form one sample, at the first row's
  time (one poll writes all the entry's entities within milliseconds).
* A power is read only where its counter has no history
  (:data:`POWER_OF_COUNTER`): the totals are known whenever the power is.

:func:`merge_windows` is the one read loop of all readers: the states at the
start as a sample of their own, then the period one window at a time (bounded
memory whatever the period), then the carried values at the cut.
:func:`summary_sample` reads a row of the integration's own sample store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
import math
from typing import Any, Final

from custom_components.heatpump_stats.model.reading import OperatingMode

from .analytics import SummaryBuilder
from .sample import VALUE_FIELDS, Sample

# The entity key (the contract's) of each builder value, in add_values' order.
KEYS: Final = tuple("operating_mode" if f == "mode" else f for f in VALUE_FIELDS)
BINARY_KEYS: Final = frozenset({"compressor_running", "defrost_active", "circulation_pump"})
SLOT: Final = {key: i for i, key in enumerate(KEYS)}
# How a state is read: a number, an operating mode, on/off.
FLOAT, MODE, ONOFF = range(3)
KIND: Final = {
    key: MODE if key == "operating_mode" else ONOFF if key in BINARY_KEYS else FLOAT for key in KEYS
}
POWER_OF_COUNTER: Final = {
    "electrical_energy": "electrical_power",
    "thermal_energy": "thermal_power",
}
COALESCE_S: Final = 1.0  # rows closer than this are one poll

_MODES: Final = {mode.value: mode for mode in OperatingMode}
_BINARY: Final = {"on": True, "off": False}


def reading_slots(keys: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Entity key → (index in VALUE_FIELDS, kind) for the keys a summary reads.

    Unknown keys are left out, and a power whose counter is there (see
    :data:`POWER_OF_COUNTER`).
    """
    wanted = [key for key in keys if key in SLOT]
    skipped = {power for counter, power in POWER_OF_COUNTER.items() if counter in wanted}
    return {key: (SLOT[key], KIND[key]) for key in wanted if key not in skipped}


class RowMerger:
    """Turns time-ordered rows into samples: carried values, coalesced polls."""

    def __init__(self, builder: SummaryBuilder, slots: Mapping[Any, tuple[int, int]]) -> None:
        """`slots`: row key → (index in VALUE_FIELDS, how to read the state)."""
        self._add: Callable[..., None] = builder.add_values
        self._slots = dict(slots)
        self._values: list[Any] = [None] * len(KEYS)
        self._group_t: float | None = None

    def feed(self, rows: Iterable[Sequence[Any]]) -> None:
        """Apply time-ordered rows (key, state, ts); emits each finished sample."""
        # Hot path (once per row): locals only.
        slots, values, add = self._slots, self._values, self._add
        modes, onoff = _MODES, _BINARY
        group_t = self._group_t
        group_end = -math.inf if group_t is None else group_t + COALESCE_S
        for key, state, ts in rows:
            if ts >= group_end:
                if group_t is not None:
                    add(group_t, *values)
                group_t, group_end = ts, ts + COALESCE_S
            slot, kind = slots[key]
            if kind == FLOAT:
                try:
                    values[slot] = float(state)
                except TypeError, ValueError:
                    values[slot] = None  # unknown, unavailable, garbage
            elif kind == MODE:
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


type WindowReader = Callable[[datetime, datetime], Iterable[Sequence[Any]]]


def merge_windows(
    merger: RowMerger,
    start_rows: Iterable[Sequence[Any]],
    read: WindowReader,
    *,
    start: datetime,
    cut: datetime,
    window: timedelta,
) -> None:
    """Feed (start, cut] into `merger`, one window of `read(lower, upper)` at a time.

    `start_rows` are the states at `start` (one sample of their own); `read`
    returns the time-ordered rows of (lower, upper]; the carried values close
    the period at `cut`.
    """
    merger.feed(start_rows)
    merger.flush()
    lower = start
    while lower < cut:
        upper = min(lower + window, cut)
        merger.feed(read(lower, upper))
        lower = upper
    merger.finish(cut.timestamp())


#: The stored columns a summary sample takes as they are: the numbers (with the
#: per-purpose totals, which split intervals where the purpose changed between
#: polls) and the on/off flags.
_SAMPLE_NUMBERS: Final = tuple(f for f in VALUE_FIELDS if f != "mode" and f not in BINARY_KEYS)
_SAMPLE_FLAGS: Final = tuple(f for f in VALUE_FIELDS if f in BINARY_KEYS)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def summary_sample(row: Mapping[str, Any]) -> Sample:
    """A row of the sample store (:mod:`..store.samples`) as the analytics' sample.

    The metrics, not the raw values: the counters are the engine's own
    accumulated ``electrical_energy`` and net ``thermal_energy`` (they survive
    meter resets and include defrosts' negative heat) and its per-purpose
    totals, so the summary agrees with the entities.
    """
    mode: OperatingMode | None
    try:
        mode = OperatingMode(row["operating_mode"])
    except KeyError, ValueError:
        mode = None
    values: dict[str, Any] = {key: _number(row.get(key)) for key in _SAMPLE_NUMBERS}
    values.update((key, _flag(row.get(key))) for key in _SAMPLE_FLAGS)
    return Sample(ts=row["timestamp"], mode=mode, **values)
