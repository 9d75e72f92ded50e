"""Compatibility path: the readings live in :mod:`..model.reading`."""

from custom_components.heatpump_stats.model.reading import (
    READING_FLAGS,
    READING_UNITS,
    DeviceIdentity,
    HeatPumpReading,
    MeterReading,
    OperatingMode,
)

__all__ = [
    "READING_FLAGS",
    "READING_UNITS",
    "DeviceIdentity",
    "HeatPumpReading",
    "MeterReading",
    "OperatingMode",
]
