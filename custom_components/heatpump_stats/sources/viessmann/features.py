"""Reading values out of the cached feature answer: getters, units and sensor states."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import json
import math
from typing import Any, Final

from PyViCare.PyViCareUtils import PyViCareNotSupportedFeatureError

_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# ---------------------------------------------------------------------------
# Value helpers
# ---------------------------------------------------------------------------
def optional(getter: Callable[[], Any]) -> Any:
    """A PyViCare getter's value, or None when the device lacks the data point."""
    try:
        value = getter()
    except PyViCareNotSupportedFeatureError, KeyError, IndexError, TypeError, ValueError:
        return None
    if isinstance(value, str) and value == "error":  # PyViCare's feature-flag fallback
        return None
    return value


def as_float(value: Any) -> float | None:
    """A finite number as float; None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def as_text(value: Any) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def on_off(value: Any) -> str | None:
    """A bool as "on"/"off"; None for anything else."""
    return None if not isinstance(value, bool) else ("on" if value else "off")


def pump_status(value: Any) -> bool | None:
    """A pump's ``status`` ("on"/"off") as a bool; None for anything else."""
    return {"on": True, "off": False}.get(value) if isinstance(value, str) else None


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces: equal settings give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


KWH: Final = {"kilowattHour": 1.0, "wattHour": 0.001}
KW: Final = {"kilowatt": 1.0, "watt": 0.001}
# "liter" alone is l/h (HA's vicare and the devices' own displays read it so).
L_MIN: Final = {
    "liter": 1 / 60,
    "liter/hour": 1 / 60,
    "liter/minute": 1.0,
    "cubicMeter/hour": 1000 / 60,
}
PERCENT: Final = {"percent": 1.0}
RPS: Final = {"revolutionsPerSecond": 1.0, "rotations/second": 1.0}
CELSIUS: Final = {"celsius": 1.0}
# A temperature outside this range is a sensor fault or a placeholder, not a value.
TEMPERATURE_RANGE: Final = (-60.0, 150.0)
# Sensor states that mean "no value" (the value, if any, is a placeholder).
_NOT_CONNECTED: Final = frozenset({"notConnected", "error", "disconnected", "notAvailable"})


def scaled(value: Any, unit: Any, factors: dict[str, float], default: float | None) -> float | None:
    """`value` in the target unit; an unknown unit gives None, a missing one `default`."""
    number = as_float(value)
    if number is None:
        return None
    if unit in (None, ""):
        return None if default is None else number * default
    factor = factors.get(str(unit))
    return None if factor is None else number * factor


@dataclass(slots=True)
class Features:
    """Read access to the features of the one cached response, by PyViCare's getProperty."""

    device: Any

    def prop(self, feature: str, name: str = "value") -> Any:
        return optional(lambda: self.device.getProperty(feature)["properties"][name]["value"])

    def unit(self, feature: str, name: str = "value") -> Any:
        return optional(lambda: self.device.getProperty(feature)["properties"][name].get("unit"))

    def connected(self, feature: str, name: str = "value") -> Any:
        """A sensor's value, or None when its status says it has none (not connected, error)."""
        status = self.prop(feature, "status")
        if isinstance(status, str) and status in _NOT_CONNECTED:
            return None
        return self.prop(feature, name)

    def temperature(self, feature: str) -> float | None:
        """A temperature sensor in °C; None when not connected, in another unit or out of range."""
        value = scaled(self.connected(feature), self.unit(feature), CELSIUS, 1.0)
        if value is None or not TEMPERATURE_RANGE[0] <= value <= TEMPERATURE_RANGE[1]:
            return None
        return value

    def first_in(self, factors: dict[str, float], *features: str) -> float | None:
        """The first of `features` with a value in a unit of `factors` (a bare number: None)."""
        for feature in features:
            value = scaled(self.prop(feature), self.unit(feature), factors, None)
            if value is not None:
                return value
        return None

    def has(self, feature: str) -> bool:
        return optional(lambda: self.device.getProperty(feature)) is not None

    def schedule(self, feature: str) -> dict[str, Any] | None:
        """``{"active": bool, "mon": [...], ...}`` (PyViCare's schedule shape) from properties."""
        active = self.prop(feature, "active")
        entries = self.prop(feature, "entries")
        if not isinstance(entries, dict):
            return None
        result: dict[str, Any] = {"active": active}
        result.update({day: entries[day] for day in _DAYS if day in entries})
        return result
