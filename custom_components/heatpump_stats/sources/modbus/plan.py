"""Read planning: registers coalesced into as few requests as possible."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from .registers import (
    DEFAULT_MAX_GAP,
    MAX_REGISTERS_PER_REQUEST,
    REGISTER_TYPES,
    ReadBlock,
    RegisterDef,
    RegisterType,
)


def plan_requests(
    registers: Iterable[RegisterDef],
    *,
    max_gap: int = DEFAULT_MAX_GAP,
    max_count: int = MAX_REGISTERS_PER_REQUEST,
    cuts: Mapping[RegisterType, Iterable[int]] | None = None,
) -> tuple[ReadBlock, ...]:
    """Coalesce registers into as few read requests as possible.

    Per register type (input first) and read cadence (``poll_every``; each
    cadence has blocks of its own), in address order, a register joins the
    current block if the hole before it is at most `max_gap` registers and
    the block stays within `max_count` registers. A cut at address c means
    no block may hold both c-1 and c (learned from refused reads).
    """
    blocks: list[ReadBlock] = []
    by_type: dict[tuple[RegisterType, int], set[tuple[int, int]]] = {}
    for reg in registers:
        by_type.setdefault((reg.register_type, reg.poll_every), set()).add((reg.address, reg.end))
    for register_type, every in sorted(
        by_type, key=lambda group: (REGISTER_TYPES.index(group[0]), group[1])
    ):
        spans = sorted(by_type[register_type, every])
        type_cuts = sorted(set((cuts or {}).get(register_type, ())))
        start = end = -1
        for span_start, span_end in spans:
            new_end = max(end, span_end)
            if (
                start >= 0
                and span_start - end <= max_gap
                and new_end - start <= max_count
                and not any(start < cut < new_end for cut in type_cuts)
            ):
                end = new_end
                continue
            if start >= 0:
                blocks.append(ReadBlock(register_type, start, end - start, every))
            start, end = span_start, span_end
        if start >= 0:
            blocks.append(ReadBlock(register_type, start, end - start, every))
    return tuple(blocks)


def _overlap_groups(regs: Sequence[RegisterDef]) -> list[list[RegisterDef]]:
    """Registers grouped so that overlapping ones (two views of one word) stay together."""
    groups: list[list[RegisterDef]] = []
    group_end = -1
    for reg in sorted(regs, key=lambda reg: (reg.address, reg.end)):
        if groups and reg.address < group_end:
            groups[-1].append(reg)
            group_end = max(group_end, reg.end)
        else:
            groups.append([reg])
            group_end = reg.end
    return groups
