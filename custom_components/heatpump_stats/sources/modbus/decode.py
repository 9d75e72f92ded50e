"""Decoding registers into values, and the values into a reading (units: the map's)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
import math
import struct
from typing import Any, cast

from custom_components.heatpump_stats.model.reading import (
    HeatPumpReading,
)

from .registers import (
    CONTRACT_FLAGS,
    CONTRACT_UNITS,
    ComputedDef,
    DataType,
    RegisterDef,
    RegisterMap,
    RegisterStates,
    RegisterType,
    Value,
    WordOrder,
)


def _assemble(words: Sequence[int], word_order: WordOrder) -> int:
    """The raw unsigned value of one or two registers."""
    if len(words) == 1:
        return words[0]
    high, low = (words[0], words[1]) if word_order == "big" else (words[1], words[0])
    return high << 16 | low


def _as_number(raw: int, data_type: DataType) -> float:
    """Interpret the raw bit pattern (unscaled)."""
    match data_type:
        case "int16":
            return float(raw - 0x10000 if raw & 0x8000 else raw)
        case "int32":
            return float(raw - 0x100000000 if raw & 0x80000000 else raw)
        case "float32":
            return cast(float, struct.unpack(">f", raw.to_bytes(4, "big"))[0])
        case _:
            return float(raw)


def _scaled(number: float, reg: RegisterDef) -> float:
    """Apply the scale without binary noise (352 x 0.1 -> 35.2, not 35.2000...3)."""
    if reg.data_type == "float32":
        # A float32 carries about 7 significant digits; the rest is noise.
        return float(f"{number * reg.scale:.7g}")
    inverse = 1 / reg.scale
    if inverse > 1 and abs(inverse - round(inverse)) < 1e-9:
        # Dividing by an integer rounds correctly; multiplying by 0.1 does not.
        return number / round(inverse)
    return number * reg.scale


@dataclass(slots=True)
class _Decoded:
    """One register's outcome in a poll."""

    words: list[int] | None = None
    raw: int | None = None
    value: Value = None
    status: str = "ok"


def _decode(reg: RegisterDef, words: list[int] | None, failure: str | None) -> _Decoded:
    if words is None:
        return _Decoded(status=failure or "not read")
    raw = _assemble(words, reg.word_order)
    if raw in reg.sentinels:
        return _Decoded(words, raw, None, "not available (sentinel)")
    number = _as_number(raw, reg.data_type)
    if math.isnan(number):
        return _Decoded(words, raw, None, "not available (NaN)")
    if reg.labels is not None:
        whole = int(number)
        return _Decoded(words, raw, reg.labels.get(whole, str(whole)))
    if reg.key in CONTRACT_FLAGS:
        return _Decoded(words, raw, 1.0 if number else 0.0)
    return _Decoded(words, raw, _scaled(number, reg))


@dataclass(slots=True)
class _DailyRollover:
    """Keeps total + today continuous across the ISG's midnight bookkeeping.

    At midnight the day part restarts and the totals take in the finished
    day, in either order and maybe several polls apart. Seen alone, each step
    would make total + today dip or jump by a day's worth. `offset` bridges
    the gap: a restart of the day part adds the finished day's count until
    the totals grow by it; totals that grow before the restart subtract what
    they took in until the day part restarts. A poll holding both steps
    leaves the offset at 0.
    """

    totals: float | None = None
    day: float | None = None
    offset: float = 0.0

    def update(self, totals: float, day: float) -> float:
        """Live counter for this poll (kWh, or the parts' unit)."""
        if self.totals is not None and self.day is not None:
            if day < self.day:
                self.offset += self.day
            self.offset -= totals - self.totals
            # Totals cannot have taken in more of today than today holds.
            self.offset = max(self.offset, -day)
        self.totals, self.day = totals, day
        return totals + day + self.offset


class ReadingDecoder:
    """The decoded registers of the latest polls and the reading they make.

    A register keeps its last value while its block is not due (``poll_every``);
    computed values (``sum``, ``daily``) are recomputed every poll.
    """

    def __init__(self, register_map: RegisterMap) -> None:
        """Nothing decoded yet."""
        self._map = register_map
        self._rollovers: dict[str, _DailyRollover] = {
            comp.key: _DailyRollover() for comp in register_map.computed if comp.daily
        }
        self.decoded: dict[str, _Decoded] = {}
        self.computed: dict[str, float | None] = {}

    def update(
        self,
        words: Mapping[RegisterType, Mapping[int, int]],
        failures: Mapping[str, str],
        unsupported: AbstractSet[str],
        read: Iterable[RegisterDef],
    ) -> None:
        """Decode the registers `read` this poll; the others keep their last values.

        `words`: address → register value per register type, `failures`: why a
        register could not be read, `unsupported`: registers the device refused.
        """
        decoded = dict(self.decoded)
        for reg in read:
            if reg.key in unsupported and reg.key not in failures:
                decoded[reg.key] = _Decoded(status="unsupported (exception 2)")
                continue
            table = words[reg.register_type]
            got = [table.get(address) for address in range(reg.address, reg.end)]
            complete = [word for word in got if word is not None]
            decoded[reg.key] = _decode(
                reg,
                complete if len(complete) == reg.count else None,
                failures.get(reg.key),
            )
        for reg in self._map.registers:
            if reg.key in unsupported and reg.key not in failures:
                decoded[reg.key] = _Decoded(status="unsupported (exception 2)")
            elif reg.key not in decoded:
                decoded[reg.key] = _Decoded(status="not read")
        self.decoded = decoded
        values: dict[str, float | None] = {
            key: result.value if not isinstance(result.value, str) else None
            for key, result in decoded.items()
        }
        computed: dict[str, float | None] = {}
        for comp in self._map.computed:
            computed[comp.key] = values[comp.key] = self._compute(comp, values)
        self.computed = computed

    def _compute(self, comp: ComputedDef, values: Mapping[str, float | None]) -> float | None:
        parts = [(values.get(part.key), part.factor, part.key) for part in comp.parts]
        if any(value is None for value, _factor, _key in parts):
            return None
        totals = sum(cast(float, v) * f for v, f, key in parts if key != comp.daily)
        if comp.daily is None:
            return round(totals, 6)
        day = sum(cast(float, v) * f for v, f, key in parts if key == comp.daily)
        return round(self._rollovers[comp.key].update(totals, day), 6)

    def reading(self, timestamp: datetime) -> HeatPumpReading:
        """The reading of the latest poll, stamped `timestamp` (UTC)."""
        fields: dict[str, Any] = {}
        extra: dict[str, str | float | None] = {}
        settings: dict[str, str | float | None] = {}
        for reg in self._map.registers:
            result = self.decoded[reg.key]
            if reg.states is not None:
                raw = result.raw if result.status == "ok" else None  # sentinel: unknown
                self._apply_states(reg.states, raw, fields, extra)
            if reg.internal:
                continue
            if reg.key in CONTRACT_UNITS:
                fields[reg.key] = result.value
            elif reg.key in CONTRACT_FLAGS:
                fields[reg.key] = None if result.value is None else bool(result.value)
            elif reg.setting:
                settings[reg.key] = result.value
            else:
                extra[reg.key] = result.value
        for comp in self._map.computed:
            if comp.internal:
                continue
            if comp.key in CONTRACT_UNITS:
                fields[comp.key] = self.computed[comp.key]
            else:
                extra[comp.key] = self.computed[comp.key]
        return HeatPumpReading(timestamp=timestamp, settings=settings, extra=extra, **fields)

    @staticmethod
    def _apply_states(
        states: RegisterStates,
        raw: int | None,
        fields: dict[str, Any],
        extra: dict[str, str | float | None],
    ) -> None:
        for bit, name in states.bits.items():
            is_set = None if raw is None else bool(raw >> bit & 1)
            if name in CONTRACT_FLAGS:
                fields[name] = is_set
            else:
                extra[name] = None if is_set is None else float(is_set)
        if states.modes or states.default_mode is not None:
            fields["operating_mode"] = None if raw is None else states.mode(raw)
