"""The account's heat pumps: what an entry stores, and the one call that lists them."""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from typing import Any, Final

from PyViCare.PyViCare import PyViCare
from PyViCare.PyViCareService import is_gateway_role
from PyViCare.PyViCareUtils import PyViCareInvalidDataError

from custom_components.heatpump_stats.sources.base import SourceDataError

from .client import FEATURE_CACHE_SECONDS, CountingOAuthManager

# PyViCare's own auto-detection pattern for heat pumps (PyViCareDeviceConfig).
_HEAT_PUMP_MODEL: Final = re.compile(r"Vitocal|VBC70|V200WO1A|CU401B|OBNG_SCU|OBNG_OCU")
_HEAT_PUMP_ROLE: Final = "type:heatpump"
_HEATING_DEVICE_TYPE: Final = "heating"


# ---------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ViessmannDevice:
    """One heat pump of the account (what an entry stores to find it again)."""

    installation_id: int
    gateway_serial: str
    device_id: str
    model: str
    device_type: str = _HEATING_DEVICE_TYPE
    roles: tuple[str, ...] = field(default=())
    status: str | None = None

    @property
    def unique_id(self) -> str:
        """``<installation>_<gateway serial>_<device id>``."""
        return f"{self.installation_id}_{self.gateway_serial}_{self.device_id}"

    @property
    def online(self) -> bool | None:
        """The device list's status ("Online"); None when unknown."""
        return None if self.status is None else self.status.lower() == "online"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (config entry data)."""
        return {
            "installation_id": self.installation_id,
            "gateway_serial": self.gateway_serial,
            "device_id": self.device_id,
            "model": self.model,
            "device_type": self.device_type,
            "roles": list(self.roles),
            "status": self.status,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ViessmannDevice:
        """Inverse of :meth:`to_dict`."""
        return cls(
            installation_id=int(data["installation_id"]),
            gateway_serial=str(data["gateway_serial"]),
            device_id=str(data["device_id"]),
            model=str(data["model"]),
            device_type=str(data.get("device_type") or _HEATING_DEVICE_TYPE),
            roles=tuple(str(r) for r in data.get("roles") or ()),
            status=None if data.get("status") is None else str(data["status"]),
        )


def is_heat_pump(model: str, device_type: str | None, roles: list[str] | tuple[str, ...]) -> bool:
    """A heating device (not a gateway, room control, zigbee, ...) that is a heat pump.

    PyViCare's own rule (``asAutoDetectDevice``): model matches its heat pump
    pattern or the device has the ``type:heatpump`` role; restricted here to
    ``deviceType == "heating"`` so outdoor units and gateways are skipped.
    """
    if device_type != _HEATING_DEVICE_TYPE or is_gateway_role(list(roles)):
        return False
    return bool(_HEAT_PUMP_MODEL.search(model or "")) or _HEAT_PUMP_ROLE in roles


def list_devices(manager: CountingOAuthManager) -> list[ViessmannDevice]:
    """The heat pumps of the account. Blocking; exactly 1 API call."""
    client = PyViCare()
    client.setCacheDuration(FEATURE_CACHE_SECONDS)
    try:
        client.initWithExternalOAuth(manager)
        configs = list(client.all_devices)
    except PyViCareInvalidDataError as err:
        raise SourceDataError(f"Unexpected installations answer: {err}") from err
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        raise SourceDataError(f"Unexpected installations answer: {err!r}") from err
    devices: list[ViessmannDevice] = []
    for config in configs:
        roles = tuple(str(r) for r in (config.roles or ()))
        model = str(config.device_model or "")
        device_type = None if config.device_type is None else str(config.device_type)
        if not is_heat_pump(model, device_type, roles):
            continue
        accessor = config.accessor
        devices.append(
            ViessmannDevice(
                installation_id=int(accessor.id),
                gateway_serial=str(accessor.serial),
                device_id=str(accessor.device_id),
                model=model,
                device_type=device_type or _HEATING_DEVICE_TYPE,
                roles=roles,
                status=None if config.status is None else str(config.status),
            )
        )
    return devices
