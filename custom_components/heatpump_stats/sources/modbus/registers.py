"""The register map's types, limits and errors, and the validated map itself."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
import re
from typing import Final, Literal

from custom_components.heatpump_stats.model.reading import (
    READING_FLAGS,
    READING_UNITS,
    OperatingMode,
)

type RegisterType = Literal["input", "holding"]
type DataType = Literal["int16", "uint16", "int32", "uint32", "float32"]
type WordOrder = Literal["big", "little"]
type Value = float | str | None

REGISTER_MAP_DIR: Final = Path(__file__).parents[1] / "register_maps"
MAX_REGISTERS_PER_REQUEST: Final = 125
DEFAULT_MAX_GAP: Final = 10
ILLEGAL_DATA_ADDRESS: Final = 2

REGISTER_TYPES: Final[tuple[RegisterType, ...]] = ("input", "holding")
DATA_TYPES: Final[tuple[DataType, ...]] = ("int16", "uint16", "int32", "uint32", "float32")
WORD_ORDERS: Final[tuple[WordOrder, ...]] = ("big", "little")
_WIDTH: Final[Mapping[DataType, int]] = {
    "int16": 1,
    "uint16": 1,
    "int32": 2,
    "uint32": 2,
    "float32": 2,
}

CONTRACT_UNITS: Final = READING_UNITS
CONTRACT_FLAGS: Final = READING_FLAGS

_MODEL_RE: Final = re.compile(r"^[a-z0-9_]+$")


# --------------------------------------------------------------------------- #
# Errors
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class MapProblem:
    """One mistake in a register map: where it is and what is wrong."""

    register: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        """Render as ``register 'x', field 'y': message``."""
        where = []
        if self.register is not None:
            where.append(f"register '{self.register}'")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class RegisterMapError(ValueError):
    """A register map that cannot be used.

    `register` and `field` locate the first problem (None where a problem is
    not about one register or field); `problems` lists all of them; `str()`
    is one human-readable line naming each.
    """

    def __init__(
        self,
        register: str | None,
        field: str | None,
        message: str,
        *,
        problems: Sequence[MapProblem] = (),
        source: str | None = None,
    ) -> None:
        """Describe the first problem; `problems` may add more."""
        self.register = register
        self.field = field
        self.message = message
        self.problems: tuple[MapProblem, ...] = tuple(problems) or (
            MapProblem(register, field, message),
        )
        self.source = source
        prefix = f"{source}: " if source else ""
        if len(self.problems) == 1:
            text = f"{prefix}{self.problems[0]}"
        else:
            listed = "; ".join(str(problem) for problem in self.problems)
            text = f"{prefix}{len(self.problems)} problems: {listed}"
        super().__init__(" ".join(text.split()))


# --------------------------------------------------------------------------- #
# The validated map
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class ModeRule:
    """`mode` applies when `bit` is set, or when the raw value equals `value`."""

    mode: OperatingMode
    bit: int | None = None
    value: int | None = None

    def matches(self, raw: int) -> bool:
        """Whether the rule holds for the register's raw (unsigned) value."""
        if self.bit is not None:
            return bool(raw >> self.bit & 1)
        return raw == self.value


@dataclass(frozen=True, slots=True)
class RegisterStates:
    """Flags and the operating mode decoded from a status register."""

    bits: Mapping[int, str]
    modes: tuple[ModeRule, ...] = ()
    default_mode: OperatingMode | None = None

    def mode(self, raw: int) -> OperatingMode | None:
        """The first matching rule's mode, else the default."""
        for rule in self.modes:
            if rule.matches(raw):
                return rule.mode
        return self.default_mode


@dataclass(frozen=True, slots=True)
class RegisterDef:
    """One value on the wire and how to decode it."""

    key: str
    address: int
    register_type: RegisterType
    data_type: DataType
    word_order: WordOrder = "big"
    scale: float = 1.0
    unit: str | None = None
    sentinels: frozenset[int] = frozenset()  # unsigned raw bit patterns
    labels: Mapping[int, str] | None = None
    states: RegisterStates | None = None
    internal: bool = False
    setting: bool = False
    poll_every: int = 1

    @property
    def count(self) -> int:
        """Registers this value spans (1 or 2)."""
        return _WIDTH[self.data_type]

    @property
    def end(self) -> int:
        """First address after the value."""
        return self.address + self.count


@dataclass(frozen=True, slots=True)
class SumPart:
    """A part of a computed sum."""

    key: str
    factor: float = 1.0


@dataclass(frozen=True, slots=True)
class ComputedDef:
    """A value computed from registers (or earlier computed values)."""

    key: str
    parts: tuple[SumPart, ...]
    daily: str | None = None
    unit: str | None = None
    internal: bool = False


@dataclass(frozen=True, slots=True)
class RegisterMap:
    """A validated register map."""

    name: str
    manufacturer: str
    model: str
    registers: tuple[RegisterDef, ...]
    computed: tuple[ComputedDef, ...] = ()
    max_gap: int = DEFAULT_MAX_GAP

    @property
    def extra_units(self) -> dict[str, str | None]:
        """Unit of every value the reading carries in `extra` (key -> unit)."""
        units: dict[str, str | None] = {}
        for reg in self.registers:
            if reg.states is not None:
                for name in reg.states.bits.values():
                    if name not in CONTRACT_FLAGS:
                        units[name] = None
            if reg.internal or reg.setting or reg.key in CONTRACT_UNITS:
                continue
            if reg.key not in CONTRACT_FLAGS:
                units[reg.key] = reg.unit
        for comp in self.computed:
            if not comp.internal and comp.key not in CONTRACT_UNITS:
                units[comp.key] = comp.unit
        return units


@dataclass(frozen=True, slots=True)
class ReadBlock:
    """One read request: `count` registers of `register_type` from `address`, every n-th poll."""

    register_type: RegisterType
    address: int
    count: int
    every: int = 1

    @property
    def end(self) -> int:
        """First address after the block."""
        return self.address + self.count
