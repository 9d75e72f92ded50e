"""Loading a register map: a shipped model by name or a YAML file, every mistake named."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import voluptuous as vol
import yaml

from custom_components.heatpump_stats.model.reading import (
    OperatingMode,
)
from custom_components.heatpump_stats.sources.map_keys import RESERVED_KEYS

from .registers import (
    _MODEL_RE,
    _WIDTH,
    CONTRACT_FLAGS,
    CONTRACT_UNITS,
    REGISTER_MAP_DIR,
    ComputedDef,
    DataType,
    MapProblem,
    ModeRule,
    RegisterDef,
    RegisterMap,
    RegisterMapError,
    RegisterStates,
    SumPart,
)
from .schema import (
    _COMPUTED_SCHEMA,
    _DEFAULTS_SCHEMA,
    _REGISTER_SCHEMA,
    _TOP_SCHEMA,
    _message,
)


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
        if key in RESERVED_KEYS:
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

    def entry(
        self,
        section: str,
        index: int,
        entry: Any,
        schema: vol.Schema,
        defaults: dict[str, Any],
    ) -> dict[str, Any] | None:
        """One list entry's checked fields; problems are named by its key, else its place."""
        label = f"{section}[{index}]"
        if not isinstance(entry, dict):
            self.problem(label, None, "must be a mapping")
            return None
        key = entry.get("key")
        name = key if isinstance(key, str) and key else label
        return self.schema(schema, {**defaults, **entry}, name)

    def register(self, index: int, entry: Any, defaults: dict[str, Any]) -> RegisterDef | None:
        data = self.entry("registers", index, entry, _REGISTER_SCHEMA, defaults)
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
        data = self.entry("computed", index, entry, _COMPUTED_SCHEMA, {})
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
