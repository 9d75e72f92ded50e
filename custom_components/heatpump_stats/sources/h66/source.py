"""One heat pump behind an H66 gateway: one ``/api/alldata`` poll decoded by its brand table."""

from __future__ import annotations

from datetime import UTC, datetime
import logging
from typing import Any

import aiohttp

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)
from custom_components.heatpump_stats.sources.base import SourceNotThisDeviceError
from custom_components.heatpump_stats.sources.http import (
    NO_SUCH_API_STATUS,
    async_json_object,
    async_request,
    base_url,
    check_status,
    parse_host,
)

from .brands import (
    ABSENT_RAW,
    BRANDS,
    MANUFACTURERS,
    MIN_TEMPERATURE,
    REGISTER_ID_RE,
    Brand,
    BrandTable,
    async_load_brand_table,
    normalize_id,
    to_signed16,
)

_LOGGER = logging.getLogger(__name__)


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

    @property
    def extra_units(self) -> dict[str, str | None]:
        """The brand table's unit of every further value (empty before the table is loaded)."""
        return self._table.extra_units if self._table is not None else {}

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
            isinstance(key, str) and REGISTER_ID_RE.match(normalize_id(key)) for key in payload
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
