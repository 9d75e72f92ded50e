"""What every heat pump source offers, and the errors it may raise."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    MeterReading,
)


class SourceError(Exception):
    """Base class of source errors."""


class SourceConnectionError(SourceError):
    """The device could not be reached, timed out, or broke the connection."""


class SourceDataError(SourceError):
    """The device answered with something that cannot be decoded."""


class SourceNotThisDeviceError(SourceDataError):
    """Something answers at the address, but not the device asked for.

    For example a web server on the Luxtronik port, or an HTTP server that is
    not an H66 gateway or a Shelly.
    """


class SourceAuthError(SourceError):
    """The device or cloud refused the credentials."""


class SourceAuthRequiredError(SourceAuthError):
    """The device requires credentials and none were given."""


class HeatPumpSource(Protocol):
    """A heat pump the coordinator polls."""

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer, model and serial as far as the source knows them."""

    async def async_read(self) -> HeatPumpReading:
        """Read one consistent set of values (one timestamp)."""

    def state_to_store(self) -> dict[str, Any] | None:
        """Return state that must survive a restart (None if the source has none)."""

    def diagnostics(self) -> dict[str, Any]:
        """Return everything raw the source last saw, for the diagnostics download."""

    async def async_close(self) -> None:
        """Release connections."""


@runtime_checkable
class StatesExtraUnits(Protocol):
    """A source whose further values come with a stated unit (a register map, a brand table)."""

    @property
    def extra_units(self) -> Mapping[str, str | None]:
        """Unit of each key the reading carries in `extra` (None: no unit)."""


class MeterSource(Protocol):
    """An electricity meter the meter coordinator polls."""

    @property
    def identity(self) -> DeviceIdentity:
        """Manufacturer, model and serial as far as the meter reports them."""

    async def async_read(self) -> MeterReading:
        """Read power (W) and the cumulative energy counter (kWh)."""

    def diagnostics(self) -> dict[str, Any]:
        """Return the raw payload last seen, for the diagnostics download."""

    async def async_close(self) -> None:
        """Release connections."""
