"""Heat pumps on Modbus (TCP or RTU), described by a YAML register map.

A register map (``register_maps/<model>.yaml`` or a user's file) says which
registers hold which values and how to decode them; this module validates
it (`load_register_map`) and polls a device with it (`ModbusSource`).

Map format (top level)::

    manufacturer: Stiebel Eltron      # DeviceIdentity.manufacturer
    model: WPM (ISG)                  # DeviceIdentity.model
    max_gap: 10                       # unread registers bridged inside one request
    defaults: {register_type: input, data_type: int16, scale: 0.1, sentinels: [-32768]}
    registers: [...]                  # see below
    computed: [...]                   # see below

A register::

    - key: flow_temperature     # contract key (HeatPumpReading field) or a free
                                # snake_case name, which lands in `extra`
      address: 512              # wire address (0-based, as sent in the request)
      register_type: input      # input | holding
      data_type: int16          # int16 | uint16 | int32 | uint32 | float32
      word_order: big           # big | little: which register holds the high word
      scale: 0.1                # value = raw x scale
      unit: °C                  # contract keys must use the contract's unit
      sentinels: [-32768]       # raw values meaning "not available" -> None;
                                # written signed or unsigned (-32768 == 0x8000)
      labels: {0: off, 1: on}   # optional: raw integer -> text
      internal: false           # true: only used by `computed` (and diagnostics)
      setting: false            # true: goes to `settings` (the change log)
      poll_every: 1             # read every n-th poll only (settings, counters that
                                # change slowly); the last value is kept between reads
      states:                   # optional, integer registers only
        bits: {6: compressor_running, 9: defrost_active, 4: heating_mode}
        modes:                  # first match wins, so list order = precedence
          - {bit: 9, mode: defrost}     # or {value: 3, mode: dhw} for enum registers
        default_mode: standby   # when no rule matches

State bits named ``compressor_running``, ``defrost_active`` or
``circulation_pump`` fill those reading fields; other bit names land in
`extra` as 1.0 / 0.0. Modes are `OperatingMode` values.

A computed value::

    - key: thermal_energy_heating_counter
      unit: kWh
      sum: [{key: heat_total_mwh, factor: 1000}, {key: heat_total_kwh}, {key: heat_today}]
      daily: heat_today

`sum` adds registers (or earlier computed values) times their factor; it is
None while any part is None. `daily` names a part that restarts at midnight
while the other parts (totals) take in the finished day once a day, as
Stiebel Eltron's ISG does: the source then keeps the sum continuous however
the two are ordered around midnight (see `_DailyRollover`).

Reads are coalesced: per register type and `poll_every`, registers go into as
few requests as possible (at most 125 registers each, holes of up to `max_gap`
registers read and discarded); a block with ``poll_every: n`` is read on the
first poll and then on every n-th. Each block's registers are listed once,
with the plan, so decoding a poll touches only what that poll read. A request
that the device answers with an exception is split in halves down to single
registers, so one bad address does not blank its neighbours. What answers
exception 2 (illegal data address) is remembered: an unsupported register is
no longer read, and a refused hole is no longer bridged, so the next poll
needs no splitting.
"""

from __future__ import annotations

import asyncio
import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
import logging
import math
from pathlib import Path
import re
import struct
import time
from typing import Any, Final, Literal, cast

from pymodbus.client import AsyncModbusSerialClient, AsyncModbusTcpClient, ModbusBaseClient
from pymodbus.exceptions import ModbusException
from pymodbus.pdu import ModbusPDU
import voluptuous as vol
import yaml

from custom_components.heatpump_stats.model.reading import (
    READING_FLAGS,
    READING_UNITS,
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)

from .base import SourceConnectionError, SourceDataError

_LOGGER = logging.getLogger(__name__)

type RegisterType = Literal["input", "holding"]
type DataType = Literal["int16", "uint16", "int32", "uint32", "float32"]
type WordOrder = Literal["big", "little"]
type Value = float | str | None

REGISTER_MAP_DIR: Final = Path(__file__).parent / "register_maps"
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
# Reading fields no register may claim directly.
_RESERVED_KEYS: Final = frozenset({"operating_mode", "timestamp", "settings", "extra"})

_KEY_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")
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


# --------------------------------------------------------------------------- #
# Loading and validation
# --------------------------------------------------------------------------- #


def available_models() -> list[str]:
    """Names of the shipped register maps (``register_maps/*.yaml``)."""
    return sorted(path.stem for path in REGISTER_MAP_DIR.glob("*.yaml"))


def load_register_map(source: str | Path) -> RegisterMap:
    """Load and validate a shipped model's map (by name) or a YAML file (by path).

    Blocking file I/O: call it from an executor inside Home Assistant.
    Raises `RegisterMapError` naming the register and field of every mistake.
    """
    if isinstance(source, str) and _MODEL_RE.match(source):
        path = REGISTER_MAP_DIR / f"{source}.yaml"
        if not path.is_file():
            known = ", ".join(available_models())
            raise RegisterMapError(
                None, "model", f"unknown model '{source}' (shipped maps: {known})"
            )
        name = source
    else:
        path = Path(source)
        name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise RegisterMapError(
            None, None, f"cannot read register map {path}: {err.strerror or err}"
        ) from err
    return parse_register_map(text, name=name)


def parse_register_map(text: str, *, name: str = "register map") -> RegisterMap:
    """Validate a register map given as YAML text (see the module docstring)."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or "syntax error"
        raise RegisterMapError(None, None, f"invalid YAML{where}: {problem}", source=name) from err
    return _MapValidator(name).validate(document)


def _message(err: vol.Invalid) -> str:
    text = str(err.error_message)
    if text.startswith("not a valid option"):  # voluptuous' word for an unknown key
        return "is not a known field" + text.removeprefix("not a valid option")
    return {
        "required key not provided": "is required",
        "extra keys not allowed": "is not a known field",
        "expected a dictionary": "must be a mapping",
        "expected list": "must be a list",
        "expected dict": "must be a mapping",
    }.get(text, text)


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def validate(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise vol.Invalid(f"must be a whole number (got {value!r})")
        if not low <= value <= high:
            raise vol.Invalid(f"must be between {low} and {high} (got {value})")
        return value

    return validate


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise vol.Invalid(f"must be a number (got {value!r})")
    if not math.isfinite(value):
        raise vol.Invalid(f"must be a finite number (got {value!r})")
    return float(value)


def _scale(value: Any) -> float:
    number = _number(value)
    if number == 0:
        raise vol.Invalid("must not be 0")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid(f"must be a non-empty text (got {value!r})")
    return value.strip()


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise vol.Invalid(f"must be true or false (got {value!r})")
    return value


def _snake_key(value: Any) -> str:
    if not isinstance(value, str) or not _KEY_RE.match(value):
        raise vol.Invalid(f"must be a snake_case name (got {value!r})")
    return value


def _one_of(options: Iterable[str]) -> Callable[[Any], str]:
    allowed = tuple(options)

    def validate(value: Any) -> str:
        if value not in allowed:
            raise vol.Invalid(f"must be one of {', '.join(allowed)} (got {value!r})")
        return cast(str, value)

    return validate


_MODES: Final = tuple(mode.value for mode in OperatingMode)
_RAW_MIN: Final = -(2**31)
_RAW_MAX: Final = 2**32 - 1

_TOP_SCHEMA: Final = vol.Schema(
    {
        vol.Required("manufacturer"): _text,
        vol.Required("model"): _text,
        vol.Optional("description"): _text,
        vol.Optional("max_gap", default=DEFAULT_MAX_GAP): _integer(
            0, MAX_REGISTERS_PER_REQUEST - 2
        ),
        vol.Optional("defaults", default=dict): dict,
        vol.Required("registers"): vol.All(
            list, vol.Length(min=1, msg="must list at least one register")
        ),
        vol.Optional("computed", default=list): list,
    }
)

_MODE_RULE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("mode"): _one_of(_MODES),
        vol.Optional("bit"): _integer(0, 31),
        vol.Optional("value"): _integer(_RAW_MIN, _RAW_MAX),
    }
)

_STATES_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("bits", default=dict): {_integer(0, 31): _snake_key},
        vol.Optional("modes", default=list): [_MODE_RULE_SCHEMA],
        vol.Optional("default_mode"): _one_of(_MODES),
    }
)

# Fields a register may take from `defaults`.
_DEFAULTABLE: Final = {
    vol.Optional("register_type"): _one_of(REGISTER_TYPES),
    vol.Optional("data_type"): _one_of(DATA_TYPES),
    vol.Optional("word_order"): _one_of(WORD_ORDERS),
    vol.Optional("scale"): _scale,
    vol.Optional("unit"): vol.Any(None, _text),
    vol.Optional("sentinels"): [_integer(_RAW_MIN, _RAW_MAX)],
    vol.Optional("poll_every"): _integer(1, 10_000),
}
_DEFAULTS_SCHEMA: Final = vol.Schema(_DEFAULTABLE)

_REGISTER_SCHEMA: Final = vol.Schema(
    {
        vol.Required("key"): _snake_key,
        vol.Required("address"): _integer(0, 65535),
        vol.Required("register_type"): _one_of(REGISTER_TYPES),
        vol.Required("data_type"): _one_of(DATA_TYPES),
        vol.Optional("word_order", default="big"): _one_of(WORD_ORDERS),
        vol.Optional("scale", default=1.0): _scale,
        vol.Optional("unit", default=None): vol.Any(None, _text),
        vol.Optional("sentinels", default=list): [_integer(_RAW_MIN, _RAW_MAX)],
        vol.Optional("labels"): {_integer(_RAW_MIN, _RAW_MAX): _text},
        vol.Optional("states"): _STATES_SCHEMA,
        vol.Optional("internal", default=False): _boolean,
        vol.Optional("setting", default=False): _boolean,
        vol.Optional("poll_every", default=1): _integer(1, 10_000),
        vol.Optional("description"): _text,
    }
)

_COMPUTED_SCHEMA: Final = vol.Schema(
    {
        vol.Required("key"): _snake_key,
        vol.Required("sum"): vol.All(
            [
                vol.Schema(
                    {
                        vol.Required("key"): _snake_key,
                        vol.Optional("factor", default=1.0): _number,
                    }
                )
            ],
            vol.Length(min=1, msg="must list at least one part"),
        ),
        vol.Optional("daily"): _snake_key,
        vol.Optional("unit", default=None): vol.Any(None, _text),
        vol.Optional("internal", default=False): _boolean,
        vol.Optional("description"): _text,
    }
)


class _MapValidator:
    """Collects every problem of one map, then builds it or raises."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[MapProblem] = []
        self.owner: dict[str, str] = {}  # every key in the map -> who defines it

    def problem(self, register: str | None, field: str | None, message: str) -> None:
        self.problems.append(MapProblem(register, field, message))

    def schema(
        self, schema: vol.Schema, data: Any, register: str | None, prefix: str = ""
    ) -> dict[str, Any] | None:
        try:
            return cast(dict[str, Any], schema(data))
        except vol.MultipleInvalid as errors:
            for err in sorted(errors.errors, key=lambda err: [str(p) for p in err.path]):
                path = ".".join(str(part) for part in err.path)
                field_name = f"{prefix}{path}" if path else (prefix.rstrip(".") or None)
                message = _message(err)
                if (
                    message == "is required"
                    and path in ("register_type", "data_type")
                    and register is not None
                ):
                    message = "is required (or set it under `defaults`)"
                self.problem(register, field_name, message)
            return None

    def claim(self, key: str, owner: str, register: str, field_name: str) -> None:
        if key in _RESERVED_KEYS:
            self.problem(register, field_name, f"'{key}' is reserved (use `states.modes`)")
        elif key in self.owner:
            self.problem(
                register, field_name, f"duplicate key '{key}' (already used by {self.owner[key]})"
            )
        else:
            self.owner[key] = owner

    def validate(self, document: Any) -> RegisterMap:
        if not isinstance(document, dict):
            raise RegisterMapError(
                None, None, "must be a YAML mapping with `registers`", source=self.name
            )
        top = self.schema(_TOP_SCHEMA, document, None)
        if top is None:
            raise self.error()
        defaults = self.schema(_DEFAULTS_SCHEMA, top["defaults"], None, "defaults.")
        if defaults is None:
            raise self.error()
        registers = [
            reg
            for index, entry in enumerate(top["registers"])
            if (reg := self.register(index, entry, defaults)) is not None
        ]
        modes = [reg.key for reg in registers if reg.states is not None and reg.states.modes]
        if len(modes) > 1:
            self.problem(
                modes[1], "states.modes", f"only one register may set modes ({modes[0]} does)"
            )
        numeric = {reg.key: reg for reg in registers if reg.labels is None}
        computed: list[ComputedDef] = []
        for index, entry in enumerate(top["computed"]):
            comp = self.computed_value(index, entry, numeric, {c.key for c in computed})
            if comp is not None:
                computed.append(comp)
        if self.problems:
            raise self.error()
        return RegisterMap(
            name=self.name,
            manufacturer=top["manufacturer"],
            model=top["model"],
            registers=tuple(registers),
            computed=tuple(computed),
            max_gap=top["max_gap"],
        )

    def error(self) -> RegisterMapError:
        first = self.problems[0]
        return RegisterMapError(
            first.register, first.field, first.message, problems=self.problems, source=self.name
        )

    def register(self, index: int, entry: Any, defaults: dict[str, Any]) -> RegisterDef | None:
        label = f"registers[{index}]"
        if not isinstance(entry, dict):
            self.problem(label, None, "must be a mapping")
            return None
        key = entry.get("key")
        name = key if isinstance(key, str) and key else label
        data = self.schema(_REGISTER_SCHEMA, {**defaults, **entry}, name)
        if data is None:
            return None
        key = data["key"]
        data_type: DataType = data["data_type"]
        bits = 16 * _WIDTH[data_type]
        if data["address"] + _WIDTH[data_type] > 65536:
            self.problem(key, "address", f"{data_type} at {data['address']} runs past 65535")
        self.claim(key, f"register '{key}'", key, "key")
        sentinels: set[int] = set()
        for position, sentinel in enumerate(data["sentinels"]):
            if not -(2 ** (bits - 1)) <= sentinel < 2**bits:
                self.problem(key, f"sentinels.{position}", f"{sentinel} does not fit a {data_type}")
            sentinels.add(sentinel % 2**bits)
        unit = data["unit"]
        if key in CONTRACT_UNITS and unit is not None and unit != CONTRACT_UNITS[key]:
            self.problem(
                key,
                "unit",
                f"{key} must be in {CONTRACT_UNITS[key]} (got {unit}); convert with `scale`",
            )
        integer_only = []
        if data.get("labels") is not None:
            integer_only.append("labels")
        if data.get("states") is not None:
            integer_only.append("states")
        if key in CONTRACT_FLAGS:
            integer_only.append("key")
        for field_name in integer_only:
            if data_type == "float32":
                self.problem(key, field_name, "needs an integer data_type, not float32")
        if data.get("labels") is not None and (key in CONTRACT_UNITS or key in CONTRACT_FLAGS):
            self.problem(key, "labels", f"{key} is a number; it cannot have labels")
        states = self.states(key, data["states"], bits) if "states" in data else None
        return RegisterDef(
            key=key,
            address=data["address"],
            register_type=data["register_type"],
            data_type=data_type,
            word_order=data["word_order"],
            scale=data["scale"],
            unit=unit if unit is not None else CONTRACT_UNITS.get(key),
            sentinels=frozenset(sentinels),
            labels=data.get("labels"),
            states=states,
            internal=data["internal"],
            setting=data["setting"],
            poll_every=data["poll_every"],
        )

    def states(self, key: str, data: dict[str, Any], bits: int) -> RegisterStates:
        for bit, flag in data["bits"].items():
            if bit >= bits:
                self.problem(key, f"states.bits.{bit}", f"bit {bit} is outside {bits} bits")
            self.claim(flag, f"state bit {bit} of '{key}'", key, f"states.bits.{bit}")
        rules: list[ModeRule] = []
        for position, rule in enumerate(data["modes"]):
            where = f"states.modes.{position}"
            if ("bit" in rule) == ("value" in rule):
                self.problem(key, where, "needs exactly one of `bit` or `value`")
                continue
            if rule.get("bit") is not None and rule["bit"] >= bits:
                self.problem(key, f"{where}.bit", f"bit {rule['bit']} is outside {bits} bits")
            value = rule.get("value")
            rules.append(
                ModeRule(
                    mode=OperatingMode(rule["mode"]),
                    bit=rule.get("bit"),
                    value=None if value is None else value % 2**bits,
                )
            )
        default = data.get("default_mode")
        return RegisterStates(
            bits=dict(data["bits"]),
            modes=tuple(rules),
            default_mode=None if default is None else OperatingMode(default),
        )

    def computed_value(
        self, index: int, entry: Any, numeric: Mapping[str, RegisterDef], earlier: set[str]
    ) -> ComputedDef | None:
        label = f"computed[{index}]"
        if not isinstance(entry, dict):
            self.problem(label, None, "must be a mapping")
            return None
        key = entry.get("key")
        name = key if isinstance(key, str) and key else label
        data = self.schema(_COMPUTED_SCHEMA, entry, name)
        if data is None:
            return None
        key = data["key"]
        self.claim(key, f"computed '{key}'", key, "key")
        if key in CONTRACT_FLAGS:
            self.problem(key, "key", f"{key} is on/off; a sum cannot fill it")
        unit = data["unit"]
        if key in CONTRACT_UNITS and unit is not None and unit != CONTRACT_UNITS[key]:
            self.problem(key, "unit", f"{key} must be in {CONTRACT_UNITS[key]} (got {unit})")
        parts = []
        for position, part in enumerate(data["sum"]):
            if part["key"] not in numeric and part["key"] not in earlier:
                self.problem(
                    key,
                    f"sum.{position}.key",
                    f"'{part['key']}' is not a numeric register or an earlier computed value",
                )
            parts.append(SumPart(part["key"], part["factor"]))
        daily = data.get("daily")
        if daily is not None and daily not in {part.key for part in parts}:
            self.problem(key, "daily", f"'{daily}' is not one of the sum's parts")
        return ComputedDef(
            key=key,
            parts=tuple(parts),
            daily=daily,
            unit=unit if unit is not None else CONTRACT_UNITS.get(key),
            internal=data["internal"],
        )


# --------------------------------------------------------------------------- #
# Request planning
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# Decoding
# --------------------------------------------------------------------------- #


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


# --------------------------------------------------------------------------- #
# The source
# --------------------------------------------------------------------------- #


@dataclass(slots=True)
class _Poll:
    """What one poll gathered."""

    words: dict[RegisterType, dict[int, int]] = field(
        default_factory=lambda: {"input": {}, "holding": {}}
    )
    failures: dict[str, str] = field(default_factory=dict)  # register key -> why
    requests: int = 0
    refused: int = 0  # requests answered with an exception or a bad payload
    learned: bool = False


class ModbusSource:
    """A heat pump read over Modbus TCP or RTU with a register map.

    One client per source, connected on the first read and again after any
    failure; nothing is shared between sources, so one unreachable device
    never delays another.
    """

    def __init__(
        self,
        *,
        connection: Literal["tcp", "rtu"],
        host: str | None = None,
        port: int = 502,
        unit_id: int = 1,
        serial_port: str | None = None,
        baudrate: int = 9600,
        register_map: RegisterMap,
        timeout: float = 5.0,
    ) -> None:
        """Describe the device; nothing connects until the first read.

        `timeout` (s) bounds connecting and each request; a read whose
        request times out fails within about that time.
        """
        if connection == "tcp" and not host:
            raise ValueError("a Modbus TCP source needs a host")
        if connection == "rtu" and not serial_port:
            raise ValueError("a Modbus RTU source needs a serial_port")
        if connection not in ("tcp", "rtu"):
            raise ValueError(f"unknown Modbus connection {connection!r}")
        if not 0 <= unit_id <= 255:
            raise ValueError(f"unit_id must be 0..255 (got {unit_id})")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self._connection = connection
        self._host = host
        self._port = port
        self._unit_id = unit_id
        self._serial_port = serial_port
        self._baudrate = baudrate
        self._map = register_map
        self._timeout = timeout
        self._client: ModbusBaseClient | None = None
        self._lock = asyncio.Lock()
        self._unsupported: set[str] = set()
        self._cuts: dict[RegisterType, set[int]] = {"input": set(), "holding": set()}
        self._plan: tuple[ReadBlock, ...] = ()
        self._block_registers: tuple[tuple[RegisterDef, ...], ...] = ()
        self._make_plan()
        self._polls = 0
        self._rollovers: dict[str, _DailyRollover] = {
            comp.key: _DailyRollover() for comp in register_map.computed if comp.daily
        }
        self._decoded: dict[str, _Decoded] = {}
        self._computed: dict[str, float | None] = {}
        self._last_poll: dict[str, Any] = {}
        self._last_error: str | None = None
        self.last_poll_requests = 0
        self.last_poll_registers = 0

    # ----------------------------------------------------------- properties

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer and model from the register map."""
        return DeviceIdentity(manufacturer=self._map.manufacturer, model=self._map.model)

    @property
    def register_map(self) -> RegisterMap:
        """The map this source reads with."""
        return self._map

    @property
    def request_plan(self) -> tuple[ReadBlock, ...]:
        """The coalesced read requests of the next poll."""
        return self._plan

    @property
    def unsupported_registers(self) -> frozenset[str]:
        """Keys of registers the device refused (exception 2) and that are no longer read."""
        return frozenset(self._unsupported)

    # --------------------------------------------------------------- protocol

    async def async_read(self) -> HeatPumpReading:
        """Poll every register of the map once and decode one reading.

        Raises `SourceConnectionError` when the device cannot be reached or
        does not answer in time, `SourceDataError` when it answered but not a
        single register could be read.
        """
        async with self._lock:
            started = time.monotonic()
            timestamp = datetime.now(UTC)
            poll = _Poll()
            due = [
                index
                for index, block in enumerate(self._plan)
                if self._polls % block.every == 0 or self._block_missing(index)
            ]
            try:
                client = await self._connected_client()
                for index in due:
                    block = self._plan[index]
                    regs = list(self._block_registers[index])
                    await self._read_span(client, block.register_type, regs, poll)
            except SourceConnectionError as err:
                self._drop_client()
                self._last_error = str(err)
                raise
            except asyncio.CancelledError:
                # A late answer to the abandoned request must not be taken
                # for the answer to the next one (RTU has no transaction ids).
                self._drop_client()
                raise
            finally:
                self.last_poll_requests = poll.requests
                self.last_poll_registers = sum(len(words) for words in poll.words.values())
            self._polls += 1
            read_any = any(poll.words.values())
            self._decode_all(poll, due)
            if poll.learned:
                self._make_plan()
            self._last_poll = {
                "timestamp": timestamp.isoformat(),
                "requests": poll.requests,
                "refused_requests": poll.refused,
                "registers_read": sum(len(words) for words in poll.words.values()),
                "duration_ms": round((time.monotonic() - started) * 1000, 2),
            }
            if not read_any:
                self._last_error = "no register could be read"
                raise SourceDataError(
                    f"{self._where}: the device answered, but no register of "
                    f"{self._map.name} could be read ({poll.refused} refused requests)"
                )
            self._last_error = None
            return self._reading(timestamp)

    def state_to_store(self) -> None:
        """Nothing survives a restart: the device keeps its own counters."""
        return

    def diagnostics(self) -> dict[str, Any]:
        """Raw register words and decoded values of the last poll, and the plan."""
        return {
            "map": {
                "name": self._map.name,
                "manufacturer": self._map.manufacturer,
                "model": self._map.model,
                "registers": len(self._map.registers),
                "computed": len(self._map.computed),
                "max_gap": self._map.max_gap,
            },
            "connection": {
                "type": self._connection,
                "host": self._host,
                "port": self._port,
                "serial_port": self._serial_port,
                "baudrate": self._baudrate,
                "unit_id": self._unit_id,
                "timeout": self._timeout,
                "connected": self._client is not None and self._client.connected,
            },
            "request_plan": [
                {"register_type": b.register_type, "address": b.address, "count": b.count}
                for b in self._plan
            ],
            "last_poll": dict(self._last_poll),
            "last_error": self._last_error,
            "unsupported_registers": sorted(self._unsupported),
            "cuts": {kind: sorted(cuts) for kind, cuts in self._cuts.items() if cuts},
            "registers": {
                reg.key: {
                    "register_type": reg.register_type,
                    "address": reg.address,
                    "data_type": reg.data_type,
                    "raw_words": decoded.words,
                    "value": decoded.value,
                    "unit": reg.unit,
                    "status": decoded.status,
                }
                for reg in self._map.registers
                if (decoded := self._decoded.get(reg.key)) is not None
            },
            "computed": dict(self._computed),
        }

    async def async_close(self) -> None:
        """Close the connection (a later read connects again)."""
        async with self._lock:
            self._drop_client()

    # ------------------------------------------------------------ connection

    @property
    def _where(self) -> str:
        if self._connection == "tcp":
            return f"Modbus TCP {self._host}:{self._port} unit {self._unit_id}"
        return f"Modbus RTU {self._serial_port} unit {self._unit_id}"

    def _new_client(self) -> ModbusBaseClient:
        # retries=0 and reconnect_delay=0: this class owns retrying and
        # reconnecting, so that a failure costs one timeout, not four, and no
        # background task outlives a poll.
        if self._connection == "tcp":
            return AsyncModbusTcpClient(
                cast(str, self._host),
                port=self._port,
                timeout=self._timeout,
                retries=0,
                reconnect_delay=0,
            )
        try:
            return AsyncModbusSerialClient(
                cast(str, self._serial_port),
                baudrate=self._baudrate,
                timeout=self._timeout,
                retries=0,
                reconnect_delay=0,
            )
        except RuntimeError as err:  # pymodbus says so when pyserial is missing
            raise SourceConnectionError(
                f"{self._where}: Modbus RTU needs the pyserial package ({err})"
            ) from err

    async def _connected_client(self) -> ModbusBaseClient:
        if self._client is None:
            self._client = self._new_client()
        client = self._client
        if client.connected:
            return client
        try:
            async with asyncio.timeout(self._timeout):
                connected = await client.connect()
        except TimeoutError:
            connected = False
        if not connected:
            raise SourceConnectionError(f"{self._where}: cannot connect")
        return client

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # ------------------------------------------------------------------ reads

    def _make_plan(self) -> None:
        """The blocks and, once per plan, each block's registers (not per poll)."""
        wanted = [reg for reg in self._map.registers if reg.key not in self._unsupported]
        plan = plan_requests(wanted, max_gap=self._map.max_gap, cuts=self._cuts)
        members: list[list[RegisterDef]] = [[] for _ in plan]
        starts: dict[tuple[RegisterType, int], list[tuple[int, int]]] = {}
        for index, block in enumerate(plan):
            starts.setdefault((block.register_type, block.every), []).append((block.address, index))
        for group in starts.values():
            group.sort()
        for reg in wanted:
            group = starts[reg.register_type, reg.poll_every]
            # The block that starts at or before the register (blocks never overlap).
            position = bisect.bisect_right(group, (reg.address, len(plan))) - 1
            members[group[position][1]].append(reg)
        self._plan = plan
        self._block_registers = tuple(tuple(regs) for regs in members)

    def _block_missing(self, index: int) -> bool:
        """Whether a slow block has no value yet (never read, or its last read failed)."""
        return any(
            (decoded := self._decoded.get(reg.key)) is None or decoded.words is None
            for reg in self._block_registers[index]
        )

    async def _request(
        self, client: ModbusBaseClient, register_type: RegisterType, address: int, count: int
    ) -> ModbusPDU:
        read = (
            client.read_input_registers
            if register_type == "input"
            else client.read_holding_registers
        )
        try:
            async with asyncio.timeout(self._timeout):
                return await read(address, count=count, device_id=self._unit_id)
        except TimeoutError as err:
            raise SourceConnectionError(
                f"{self._where}: no answer within {self._timeout:g} s"
            ) from err
        except (ModbusException, OSError) as err:
            raise SourceConnectionError(f"{self._where}: {err}") from err

    async def _read_span(
        self,
        client: ModbusBaseClient,
        register_type: RegisterType,
        regs: list[RegisterDef],
        poll: _Poll,
    ) -> bool:
        """Read the span covering `regs`, splitting it while the device refuses.

        Returns whether the span's own request succeeded.
        """
        if not regs:
            return True
        start = min(reg.address for reg in regs)
        end = max(reg.end for reg in regs)
        count = end - start
        poll.requests += 1
        response = await self._request(client, register_type, start, count)
        if not response.isError():
            words = list(response.registers)
            if len(words) == count:
                poll.words[register_type].update(zip(range(start, end), words, strict=True))
                return True
            poll.refused += 1
            _LOGGER.debug(
                "%s: asked for %d %s registers at %d, got %d",
                self._where,
                count,
                register_type,
                start,
                len(words),
            )
            for reg in regs:
                poll.failures[reg.key] = f"short answer ({len(words)} of {count} registers)"
            return False
        poll.refused += 1
        code = response.exception_code
        groups = _overlap_groups(regs)
        if len(groups) == 1:
            for reg in regs:
                poll.failures[reg.key] = f"exception {code}"
            if code == ILLEGAL_DATA_ADDRESS:
                self._mark_unsupported(regs, poll)
            return False
        half = len(groups) // 2
        left = [reg for group in groups[:half] for reg in group]
        right = [reg for group in groups[half:] for reg in group]
        left_ok = await self._read_span(client, register_type, left, poll)
        right_ok = await self._read_span(client, register_type, right, poll)
        if left_ok and right_ok and code == ILLEGAL_DATA_ADDRESS:
            # Each half reads on its own, so an address between them (a hole
            # bridged by the gap rule) is what the device refuses.
            left_end = max(reg.end for reg in left)
            right_start = min(reg.address for reg in right)
            self._cuts[register_type].update(range(left_end, right_start + 1))
            poll.learned = True
            _LOGGER.debug(
                "%s: %s registers %d..%d refused; no longer bridged",
                self._where,
                register_type,
                left_end,
                right_start - 1,
            )
        return False

    def _mark_unsupported(self, regs: list[RegisterDef], poll: _Poll) -> None:
        for reg in regs:
            if reg.key in self._unsupported:
                continue
            self._unsupported.add(reg.key)
            self._cuts[reg.register_type].update((reg.address, reg.end))
            poll.learned = True
            _LOGGER.info(
                "%s: %s register %d (%s) is not supported by the device "
                "(exception 2); it will not be read again",
                self._where,
                reg.register_type,
                reg.address,
                reg.key,
            )

    # --------------------------------------------------------------- decoding

    def _decode_all(self, poll: _Poll, due: Iterable[int]) -> None:
        """Decode the blocks read this poll; the others keep their last values."""
        decoded = dict(self._decoded)
        for index in due:
            for reg in self._block_registers[index]:
                if reg.key in self._unsupported and reg.key not in poll.failures:
                    decoded[reg.key] = _Decoded(status="unsupported (exception 2)")
                    continue
                table = poll.words[reg.register_type]
                words = [table.get(address) for address in range(reg.address, reg.end)]
                complete = [word for word in words if word is not None]
                decoded[reg.key] = _decode(
                    reg,
                    complete if len(complete) == reg.count else None,
                    poll.failures.get(reg.key),
                )
        for reg in self._map.registers:
            if reg.key in self._unsupported and reg.key not in poll.failures:
                decoded[reg.key] = _Decoded(status="unsupported (exception 2)")
            elif reg.key not in decoded:
                decoded[reg.key] = _Decoded(status="not read")
        self._decoded = decoded
        values: dict[str, float | None] = {
            key: result.value if not isinstance(result.value, str) else None
            for key, result in decoded.items()
        }
        computed: dict[str, float | None] = {}
        for comp in self._map.computed:
            computed[comp.key] = values[comp.key] = self._compute(comp, values)
        self._computed = computed

    def _compute(self, comp: ComputedDef, values: Mapping[str, float | None]) -> float | None:
        parts = [(values.get(part.key), part.factor, part.key) for part in comp.parts]
        if any(value is None for value, _factor, _key in parts):
            return None
        totals = sum(cast(float, v) * f for v, f, key in parts if key != comp.daily)
        if comp.daily is None:
            return round(totals, 6)
        day = sum(cast(float, v) * f for v, f, key in parts if key == comp.daily)
        return round(self._rollovers[comp.key].update(totals, day), 6)

    def _reading(self, timestamp: datetime) -> HeatPumpReading:
        fields: dict[str, Any] = {}
        extra: dict[str, str | float | None] = {}
        settings: dict[str, str | float | None] = {}
        for reg in self._map.registers:
            result = self._decoded[reg.key]
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
                fields[comp.key] = self._computed[comp.key]
            else:
                extra[comp.key] = self._computed[comp.key]
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
