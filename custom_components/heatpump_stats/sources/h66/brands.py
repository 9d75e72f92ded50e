"""The brand tables (``h66_brands/<brand>.yaml``): register ids, their types, scales and keys."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
import functools
from pathlib import Path
import re
from typing import Any, Final, Literal, get_args

import yaml

from custom_components.heatpump_stats.model.reading import READING_FLAGS, READING_UNITS
from custom_components.heatpump_stats.sources.map_keys import KEY_RE, RESERVED_KEYS

Brand = Literal["thermia", "ivt", "nibe"]
BRANDS: Final[tuple[Brand, ...]] = get_args(Brand)
MANUFACTURERS: Final[Mapping[Brand, str]] = {"thermia": "Thermia", "ivt": "IVT", "nibe": "NIBE"}
BRAND_TABLE_DIR: Final = Path(__file__).parent.parent / "h66_brands"

# `HeatPumpReading` fields a register may feed, with the contract's unit.
FLOAT_KEYS: Final = READING_UNITS
BOOL_KEYS: Final = READING_FLAGS

REGISTER_ID_RE: Final = re.compile(r"^[0-9A-F]{4}$")


@dataclass(frozen=True, slots=True)
class RegisterType:
    """Defaults implied by an id's first hex digit."""

    name: str
    scale: float
    unit: str | None
    signed: bool
    status: bool = False


REGISTER_TYPES: Final[Mapping[str, RegisterType]] = {
    "0": RegisterType("temperature", 0.1, "°C", signed=True),
    "1": RegisterType("status", 1, None, signed=False, status=True),
    "2": RegisterType("number", 0.1, None, signed=True),
    "3": RegisterType("percent", 0.1, "%", signed=True),
    "4": RegisterType("current", 0.1, "A", signed=True),
    "5": RegisterType("energy", 0.1, "kWh", signed=False),
    "6": RegisterType("hours", 0.1, "h", signed=False),
    "7": RegisterType("minutes", 1, "min", signed=False),
    "8": RegisterType("degree_minutes", 0.1, "°C·min", signed=True),
    "9": RegisterType("power", 0.1, "kW", signed=True),
    "A": RegisterType("pressure", 0.1, "bar", signed=True),
    "B": RegisterType("count", 1, None, signed=False),
    "C": RegisterType("power_w", 1, "W", signed=False),
}
_RAW_TYPE: Final = RegisterType("raw", 1, None, signed=False)
SETTING_CATEGORY: Final = "2"


# Raw values the gateway sends for a sensor that is not fitted, for every brand:
# 0xDEAD (57005; -853.1 °C if decoded) and temperatures below the -50 °C bottom
# of the controllers' sensor range (65015 = -521 -> -52.1 °C).
ABSENT_RAW: Final = frozenset({0xDEAD})
MIN_TEMPERATURE: Final = -50.0


def register_type(register_id: str) -> RegisterType:
    """The type implied by the id's first hex digit (raw for D, E, F)."""
    return REGISTER_TYPES.get(register_id[:1], _RAW_TYPE)


def to_signed16(raw: int) -> int:
    """Two's complement of a 16-bit value; other values are returned unchanged."""
    return raw - 0x10000 if 0x8000 <= raw <= 0xFFFF else raw


@dataclass(frozen=True, slots=True)
class Register:
    """One row of a brand table, defaults resolved."""

    id: str
    key: str
    name: str
    scale: float
    unit: str | None
    signed: bool
    status: bool
    setting: bool

    @property
    def contract(self) -> bool:
        """True if the key is a `HeatPumpReading` field."""
        return self.key in FLOAT_KEYS or self.key in BOOL_KEYS

    def decode(self, raw: int) -> float | bool:
        """Raw integer -> bool (status) or scaled float in `unit`."""
        value = to_signed16(raw) if self.signed else raw
        if self.status:
            return value != 0
        return round(value * self.scale, 6)


@dataclass(frozen=True, slots=True)
class BrandTable:
    """A brand's register table (`h66_brands/<brand>.yaml`), validated."""

    brand: str
    registers: Mapping[str, Register]
    missing_values: frozenset[int]
    dhw_flags: tuple[str, ...]
    # contract key -> the key that stands in for it (applied as one group).
    fallback: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: Any, *, source: str = "brand table") -> BrandTable:
        """Validate a parsed table; any problem raises ValueError naming `source`."""

        def fail(message: str) -> ValueError:
            return ValueError(f"{source}: {message}")

        if not isinstance(data, dict):
            raise fail("not a mapping")
        unknown = set(data) - {
            "brand",
            "fallback",
            "missing_values",
            "operating_mode",
            "registers",
        }
        if unknown:
            raise fail(f"unknown fields {sorted(unknown)}")
        brand = data.get("brand")
        if not isinstance(brand, str):
            raise fail("brand must be a string")
        missing = data.get("missing_values") or []
        if not isinstance(missing, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in missing
        ):
            raise fail("missing_values must be a list of integers")

        rows = data.get("registers")
        if not isinstance(rows, dict) or not rows:
            raise fail("registers must be a non-empty mapping")
        registers: dict[str, Register] = {}
        keys: set[str] = set()
        for reg_id, row in rows.items():
            if not isinstance(reg_id, str) or not REGISTER_ID_RE.match(reg_id):
                raise fail(f"register id {reg_id!r} is not 4 upper-case hex digits (quote it)")
            registers[reg_id] = reg = _register_from_row(reg_id, row, fail)
            if reg.key in keys:
                raise fail(f"key {reg.key!r} used twice")
            keys.add(reg.key)

        mode = data.get("operating_mode") or {}
        if not isinstance(mode, dict) or set(mode) - {"dhw"}:
            raise fail("operating_mode may only hold 'dhw'")
        dhw = mode.get("dhw") or []
        by_key = {reg.key: reg for reg in registers.values()}
        if not isinstance(dhw, list):
            raise fail("operating_mode.dhw must be a list of keys")
        for flag in dhw:
            if flag not in by_key or not by_key[flag].status:
                raise fail(f"operating_mode.dhw: {flag!r} is not a status register's key")
        fallback = data.get("fallback") or {}
        if not isinstance(fallback, dict):
            raise fail("fallback must map contract keys to keys")
        for primary, stand_in in fallback.items():
            if primary not in by_key or primary not in FLOAT_KEYS:
                raise fail(f"fallback: {primary!r} is not a contract key of this table")
            if stand_in not in by_key or by_key[stand_in].contract:
                raise fail(f"fallback: {stand_in!r} is not a non-contract key of this table")
            if by_key[stand_in].unit != by_key[primary].unit:
                raise fail(f"fallback: {stand_in!r} is not in {by_key[primary].unit}")
        return cls(
            brand=brand,
            registers=registers,
            missing_values=frozenset(missing),
            dhw_flags=tuple(dhw),
            fallback=dict(fallback),
        )

    @property
    def extra_units(self) -> dict[str, str | None]:
        """Unit of every value the reading carries in `extra` (key -> unit; None for flags)."""
        return {
            reg.key: reg.unit
            for reg in self.registers.values()
            if not reg.contract and not reg.setting
        }


def _register_from_row(reg_id: str, row: Any, fail: Callable[[str], ValueError]) -> Register:
    if not isinstance(row, dict):
        raise fail(f"{reg_id}: row must be a mapping")
    unknown = set(row) - {"key", "name", "unit", "scale", "signed", "setting", "status"}
    if unknown:
        raise fail(f"{reg_id}: unknown fields {sorted(unknown)}")
    key = row.get("key")
    if not isinstance(key, str) or not KEY_RE.match(key) or key in RESERVED_KEYS:
        raise fail(f"{reg_id}: invalid key {key!r}")
    rtype = register_type(reg_id)
    status = row.get("status", rtype.status)
    scale = row.get("scale", rtype.scale)
    unit = row.get("unit", rtype.unit)
    signed = row.get("signed", rtype.signed)
    setting = row.get("setting", reg_id[1] == SETTING_CATEGORY)
    name = row.get("name", key)
    if not isinstance(status, bool) or not isinstance(signed, bool):
        raise fail(f"{reg_id}: status/signed must be booleans")
    if not isinstance(setting, bool):
        raise fail(f"{reg_id}: setting must be a boolean")
    if isinstance(scale, bool) or not isinstance(scale, int | float) or scale == 0:
        raise fail(f"{reg_id}: scale must be a non-zero number")
    if unit is not None and not isinstance(unit, str):
        raise fail(f"{reg_id}: unit must be a string")
    if not isinstance(name, str):
        raise fail(f"{reg_id}: name must be a string")
    if status:
        unit = None
    if key in BOOL_KEYS and not status:
        raise fail(f"{reg_id}: {key} needs a status register")
    if key in FLOAT_KEYS:
        if status:
            raise fail(f"{reg_id}: {key} cannot be a status register")
        if unit != FLOAT_KEYS[key]:
            raise fail(f"{reg_id}: {key} must be in {FLOAT_KEYS[key]}, not {unit}")
    if setting and (key in FLOAT_KEYS or key in BOOL_KEYS):
        raise fail(f"{reg_id}: contract key {key} cannot be a setting")
    return Register(
        id=reg_id,
        key=key,
        name=name,
        scale=float(scale),
        unit=unit,
        signed=signed,
        status=status,
        setting=setting,
    )


@functools.cache
def load_brand_table(brand: str) -> BrandTable:
    """Read and validate ``h66_brands/<brand>.yaml`` (blocking file I/O; cached)."""
    if brand not in BRANDS:
        raise ValueError(f"unknown H66 brand {brand!r} (known: {', '.join(BRANDS)})")
    path = BRAND_TABLE_DIR / f"{brand}.yaml"
    table = BrandTable.from_dict(yaml.safe_load(path.read_text("utf-8")), source=path.name)
    if table.brand != brand:
        raise ValueError(f"{path.name}: brand {table.brand!r} does not match the file name")
    return table


async def async_load_brand_table(brand: str) -> BrandTable:
    """`load_brand_table` in the executor (no file I/O on the event loop)."""
    return await asyncio.get_running_loop().run_in_executor(None, load_brand_table, brand)


def normalize_id(raw_id: str) -> str:
    """Upper-case an id; tolerate the ``X`` prefix of the gateway's other endpoints."""
    reg_id = raw_id.strip().upper()
    if len(reg_id) == 5 and reg_id.startswith("X"):
        reg_id = reg_id[1:]
    return reg_id
