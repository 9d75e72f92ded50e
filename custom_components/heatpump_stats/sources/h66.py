"""Husdata H66 gateway (Thermia, IVT, NIBE) over its local HTTP API.

One ``GET http://<host>/api/alldata`` returns every register the gateway
knows as a flat JSON object: 4-hex-digit register ids -> raw integers. All
values of a poll therefore share one timestamp.

Decoding (the convention is documented in each brand table's header,
``h66_brands/<brand>.yaml``):

* The first hex digit of an id is its value type and gives the default scale
  and unit (`REGISTER_TYPES`): 0 temperature in tenths of °C, 1 on/off status
  (relays, digital outputs; 1A01 is the compressor), 2 setting number in tenths,
  3 percent in tenths, 4 current in tenths of A, 5 energy in tenths of kWh,
  6 hours in tenths, 7 minutes, 8 degree-minutes in tenths, 9 power in tenths
  of kW, A pressure in tenths of bar, B plain count/code, C power in W.
* The second hex digit is the register's category: 0 sensor, 1 calculated
  value, 2 setting (goes to `HeatPumpReading.settings` unless the table maps it
  to a contract key), A output/relay, C counter.
* Values are raw unsigned 16-bit numbers; for signed types a value in
  0x8000..0xFFFF is two's complement (v - 0x10000): 0xFFCE -> -50 -> -5.0 °C.
  Counters may exceed 16 bits and are never converted.

Something else answering at the address is `SourceNotThisDeviceError` (the
flow's "not an H66 gateway"): HTTP 404/405/410 on /api/alldata (no such API,
or the gateway's API disabled), an HTML page, or a JSON object without a
single 4-hex-digit register id.

Sensor-absent markers are not values: 0xDEAD (-853.1 °C if decoded) and any
temperature below -50 °C (65015 -> -52.1 °C) are None for every brand, as are
the brand table's `missing_values`.

Supply/return: the contract's flow/return temperatures come from the heat
carrier (condenser) pair 0004/0003 where the heat pump reports it; a heat pump
that does not (some Thermia models report only the radiator pair) gets the
radiator forward/return pair 0002/0001 instead, both together (the table's
`fallback`), never one of each.

The brand table maps ids to keys: the contract's `HeatPumpReading` fields, or
free snake_case names that land in `extra` (or `settings`). Ids the table does
not know are logged once per id and source instance and kept only in
`diagnostics()`.

Operating mode precedence: defrost (`defrost_active`) > DHW (any of the
table's `operating_mode.dhw` flags, e.g. the 3-way valve, while the compressor
is not known to be off) > heating (`compressor_running`) > standby
(compressor off). A DHW valve resting in its hot-water position while the
compressor is off is standby. Without a compressor flag the mode is unknown
(None) unless defrost/DHW decide it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
import functools
import logging
from pathlib import Path
import re
from typing import Any, Final, Literal, get_args

import aiohttp
import yaml

from custom_components.heatpump_stats.model.reading import (
    READING_FLAGS,
    READING_UNITS,
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)

from .base import SourceNotThisDeviceError
from .http import (
    NO_SUCH_API_STATUS,
    async_json_object,
    async_request,
    base_url,
    check_status,
    parse_host,
)

_LOGGER = logging.getLogger(__name__)

Brand = Literal["thermia", "ivt", "nibe"]
BRANDS: Final[tuple[Brand, ...]] = get_args(Brand)
MANUFACTURERS: Final[Mapping[Brand, str]] = {"thermia": "Thermia", "ivt": "IVT", "nibe": "NIBE"}
BRAND_TABLE_DIR: Final = Path(__file__).parent / "h66_brands"

# `HeatPumpReading` fields a register may feed, with the contract's unit.
FLOAT_KEYS: Final = READING_UNITS
BOOL_KEYS: Final = READING_FLAGS
# Reading fields no register may claim.
_RESERVED_KEYS: Final = frozenset({"timestamp", "operating_mode", "settings", "extra"})

_ID_RE: Final = re.compile(r"^[0-9A-F]{4}$")
_KEY_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")


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
            if not isinstance(reg_id, str) or not _ID_RE.match(reg_id):
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
    if not isinstance(key, str) or not _KEY_RE.match(key) or key in _RESERVED_KEYS:
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


def derive_operating_mode(
    *,
    defrost: bool | None,
    dhw: bool | None,
    compressor: bool | None,
) -> OperatingMode | None:
    """Mode from the flags: defrost > dhw > heating > standby (see module doc)."""
    if defrost:
        return OperatingMode.DEFROST
    if dhw and compressor is not False:
        return OperatingMode.DHW
    if compressor is True:
        return OperatingMode.HEATING
    if compressor is False:
        return OperatingMode.STANDBY
    return None


class H66Source:
    """A heat pump behind a Husdata H66 gateway; satisfies `HeatPumpSource`."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        host: str,
        brand: Brand,
        *,
        timeout: float = 10.0,
        table: BrandTable | None = None,
    ) -> None:
        """Prepare polling; `host` is ``host[:port]``. `table` overrides the brand's file."""
        if brand not in BRANDS:
            raise ValueError(f"unknown H66 brand {brand!r} (known: {', '.join(BRANDS)})")
        self._session = session
        self._host, self._port = parse_host(host)
        self._brand: Brand = brand
        self._timeout = timeout
        self._table = table
        self._url = f"{base_url(self._host, self._port)}/api/alldata"
        manufacturer = MANUFACTURERS[brand]
        self._identity = DeviceIdentity(
            manufacturer=manufacturer, model=f"H66 gateway ({manufacturer})"
        )
        self._last_raw: dict[str, Any] | None = None
        self._last_poll: datetime | None = None
        self._unknown_seen: set[str] = set()
        self._invalid_logged: set[str] = set()

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer from the brand; the gateway reports no serial."""
        return self._identity

    @property
    def url(self) -> str:
        """The polled URL."""
        return self._url

    @property
    def table(self) -> BrandTable | None:
        """The brand table once loaded (by `async_table` or the first read)."""
        return self._table

    async def async_table(self) -> BrandTable:
        """The brand table in use (loaded in the executor on first use)."""
        if self._table is None:
            self._table = await async_load_brand_table(self._brand)
        return self._table

    async def async_read(self) -> HeatPumpReading:
        """Poll ``/api/alldata`` once and decode it with the brand table."""
        table = await self.async_table()
        payload = await self._async_fetch()
        now = datetime.now(UTC)
        self._last_raw = payload
        self._last_poll = now
        return self._decode(table, payload, now)

    async def _async_fetch(self) -> dict[str, Any]:
        """The /api/alldata object; `SourceNotThisDeviceError` when a web server that is no
        H66 answers (no such path, an HTML page, JSON without register ids)."""
        resp = await async_request(self._session, self._url, request_timeout=self._timeout)
        if resp.status in NO_SUCH_API_STATUS:
            raise SourceNotThisDeviceError(
                f"HTTP {resp.status} from {self._url}: not an H66 gateway, or its API is off"
            )
        check_status(resp, self._url)  # before the page check: a failing gateway is no web page
        content_type = resp.headers.get("Content-Type", "").lower()
        if "html" in content_type or resp.body.lstrip()[:1] == b"<":
            raise SourceNotThisDeviceError(f"{self._url} answers with a web page, not H66 data")
        payload = await async_json_object(resp, self._url)
        if payload and not any(
            isinstance(key, str) and _ID_RE.match(normalize_id(key)) for key in payload
        ):
            raise SourceNotThisDeviceError(
                f"{self._url} answers JSON without any register id: not an H66 gateway"
            )
        return payload

    def _decode(self, table: BrandTable, payload: dict[str, Any], now: datetime) -> HeatPumpReading:
        values: dict[str, float | bool | None] = {reg.key: None for reg in table.registers.values()}
        new_unknown: list[str] = []
        for raw_id, raw in payload.items():
            reg_id = normalize_id(raw_id)
            reg = table.registers.get(reg_id)
            if reg is None:
                if reg_id not in self._unknown_seen:
                    self._unknown_seen.add(reg_id)
                    new_unknown.append(raw_id)
                continue
            if isinstance(raw, bool) or not isinstance(raw, int):
                if reg_id not in self._invalid_logged:
                    self._invalid_logged.add(reg_id)
                    _LOGGER.warning(
                        "H66 %s: register %s (%s) is not an integer: %r; reported as unknown",
                        self._host,
                        reg_id,
                        reg.key,
                        raw,
                    )
                continue
            self._invalid_logged.discard(reg_id)
            if (
                raw in ABSENT_RAW
                or (to_signed16(raw) if reg.signed else raw) in table.missing_values
            ):
                continue
            decoded = reg.decode(raw)
            if reg.unit == "°C" and isinstance(decoded, float) and decoded < MIN_TEMPERATURE:
                continue  # a sensor-absent marker, not a temperature
            values[reg.key] = decoded
        if table.fallback and any(values[key] is None for key in table.fallback):
            stand_ins = [values[key] for key in table.fallback.values()]
            if None not in stand_ins:
                values.update(zip(table.fallback, stand_ins, strict=True))
        if new_unknown:
            _LOGGER.info(
                "H66 %s (%s): %d register id(s) not in the brand table, kept in diagnostics: %s",
                self._host,
                table.brand,
                len(new_unknown),
                ", ".join(sorted(new_unknown)),
            )

        contract: dict[str, Any] = {}
        settings: dict[str, str | float | None] = {}
        extra: dict[str, str | float | None] = {}
        for reg in table.registers.values():
            value = values[reg.key]
            if reg.contract:
                contract[reg.key] = value
            else:
                number = None if value is None else float(value)
                (settings if reg.setting else extra)[reg.key] = number

        flags = [values[flag] for flag in table.dhw_flags]
        dhw: bool | None = None
        if any(flags):
            dhw = True
        elif flags and None not in flags:
            dhw = False
        mode = derive_operating_mode(
            defrost=contract.get("defrost_active"),
            dhw=dhw,
            compressor=contract.get("compressor_running"),
        )
        return HeatPumpReading(
            timestamp=now, operating_mode=mode, settings=settings, extra=extra, **contract
        )

    def state_to_store(self) -> dict[str, Any] | None:
        """Nothing survives a restart."""
        return None

    def diagnostics(self) -> dict[str, Any]:
        """The raw JSON of the last poll, plus what was not in the table."""
        return {
            "brand": self._brand,
            "url": self._url,
            "last_poll": self._last_poll.isoformat() if self._last_poll else None,
            "alldata": self._last_raw,
            "unknown_ids": sorted(self._unknown_seen),
        }

    async def async_close(self) -> None:
        """Nothing to release: the session belongs to the caller."""
