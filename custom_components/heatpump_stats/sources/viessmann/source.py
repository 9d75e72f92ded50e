"""One Viessmann heat pump as a source: one feature fetch a poll, one per gateway if shared."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
import threading
from typing import Any, Final

from PyViCare.PyViCareCachedService import ViCareCachedService
from PyViCare.PyViCareDeviceConfig import PyViCareDeviceConfig
from PyViCare.PyViCareService import ViCareDeviceAccessor
from PyViCare.PyViCareServiceViaGateway import filter_features_for_device
from PyViCare.PyViCareUtils import PyViCareInvalidDataError, PyViCareNotSupportedFeatureError

from custom_components.heatpump_stats.model.reading import DeviceIdentity, HeatPumpReading
from custom_components.heatpump_stats.sources.base import SourceDataError

from .client import CALLS_PER_POLL, FEATURE_CACHE_SECONDS, CountingOAuthManager
from .devices import ViessmannDevice
from .mapping import reading_from_features
from .privacy import redact_features

_LOGGER = logging.getLogger(__name__)


MANUFACTURER: Final = "Viessmann"


# ---------------------------------------------------------------------------
# The source
# ---------------------------------------------------------------------------
class _OneFetchService(ViCareCachedService):  # type: ignore[misc]
    """PyViCare's cached service whose cache lives until ``clear_cache()``, not for a time.

    PyViCare's own expiry compares naive local wall-clock times, so a clock
    change (DST) could make a getter refetch in the middle of a read. Here the
    only fetch is the one :meth:`ViessmannSource.read` asks for.
    """

    def is_cache_invalid(self) -> bool:
        return self._cacheTime is None


def bulk_features_url(installation_id: int, gateway_serial: str) -> str:
    """PyViCare's gateway-wide bulk endpoint (``ViCareServiceViaGateway``)."""
    return (
        f"/features/installations/{installation_id}"
        f"/gateways/{gateway_serial}/features?includeDevicesFeatures=true"
    )


class GatewayFeed:
    """One gateway's bulk feature answer, shared by the heat pumps behind it. Thread-safe.

    `members` are the entries (device ids) that read from it; with fewer than
    two it is not used. `max_age` is how long an answer serves further readers.
    """

    def __init__(self, installation_id: int, gateway_serial: str) -> None:
        """An empty feed for one gateway."""
        self.installation_id = installation_id
        self.gateway_serial = gateway_serial
        self.members: set[str] = set()
        self.max_age = timedelta(seconds=60)
        self._lock = threading.Lock()
        self._data: dict[str, Any] | None = None
        self._fetched: datetime | None = None
        self.fetches = 0
        # False once the bulk answer lacked a member's features: per device from then on.
        self.supported = True

    @property
    def shared(self) -> bool:
        """Whether more than one heat pump reads from this gateway's bulk answer."""
        return self.supported and len(self.members) > 1

    @property
    def calls_per_round(self) -> int:
        """API calls one poll of every member costs: 1 shared, else 1 per member."""
        return 1 if self.shared else len(self.members)

    @property
    def fetched_at(self) -> datetime | None:
        """When the cached bulk answer was fetched."""
        return self._fetched

    def features(
        self, manager: CountingOAuthManager, device_id: str, now: datetime
    ) -> list[dict[str, Any]]:
        """The device's features: from the cached answer when fresh, else ONE bulk call."""
        with self._lock:
            fresh = (
                self._data is not None
                and self._fetched is not None
                and timedelta(0) <= now - self._fetched < self.max_age
            )
            if not fresh:
                data = manager.get(bulk_features_url(self.installation_id, self.gateway_serial))
                if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                    raise SourceDataError("Viessmann gateway answer is not a feature list")
                self._data, self._fetched = data, now
                self.fetches += 1
            assert self._data is not None
            features: list[dict[str, Any]] = filter_features_for_device(
                self._data["data"], device_id
            )
            if not features:
                self.supported = False
                _LOGGER.warning(
                    "The Viessmann gateway answer has no features of device %s; "
                    "reading each heat pump on its own from now on",
                    device_id,
                )
            return features


class ViessmannSource:
    """One Viessmann heat pump. Blocking: the glue runs :meth:`read` in the executor."""

    calls_per_poll: int = CALLS_PER_POLL

    def __init__(
        self,
        manager: CountingOAuthManager,
        device: ViessmannDevice,
        gateway: GatewayFeed | None = None,
    ) -> None:
        """Build PyViCare's device objects for `device`; no API call."""
        self._manager = manager
        self.device = device
        self.gateway = gateway
        self.identity = DeviceIdentity(
            manufacturer=MANUFACTURER, model=device.model, serial_number=device.gateway_serial
        )
        self._accessor = ViCareDeviceAccessor(
            device.installation_id, device.gateway_serial, device.device_id
        )
        self._service = _OneFetchService(manager, list(device.roles), FEATURE_CACHE_SECONDS)
        config = PyViCareDeviceConfig(
            self._accessor,
            self._service,
            device.model,
            device.status,
            device.device_type,
            list(device.roles),
        )
        self._heat_pump: Any = config.asHeatPump()
        self._lock = threading.Lock()
        self._last_raw: dict[str, Any] | None = None
        self._last_read: datetime | None = None
        # When the API answered with the data of the last read (a shared gateway
        # answer may be older than the read itself).
        self.data_fetched_at: datetime | None = None

    @property
    def manager(self) -> CountingOAuthManager:
        """The counting manager (its budget and call counter)."""
        return self._manager

    def read(self, now: datetime) -> HeatPumpReading:
        """Fetch all features in ONE call and map them. Raises source errors / BudgetExceeded."""
        with self._lock:
            self._service.clear_cache()
            fetched = now
            try:
                data = None
                if self.gateway is not None and self.gateway.shared:
                    # Several heat pumps on this gateway: one bulk call per round.
                    features = self.gateway.features(self._manager, self.device.device_id, now)
                    if features:
                        data = {"data": features}
                        self._service._cache, self._service._cacheTime = data, now
                        fetched = self.gateway.fetched_at or now
                if data is None:
                    data = self._service.fetch_all_features(self._accessor)
                    fetched = now
            except PyViCareInvalidDataError as err:
                raise SourceDataError(f"Viessmann features answer without data: {err}") from err
            except PyViCareNotSupportedFeatureError as err:
                raise SourceDataError(f"Viessmann features not available: {err}") from err
            if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                raise SourceDataError("Viessmann features answer is not a feature list")
            self._last_raw = data
            self._last_read = now
            self.data_fetched_at = fetched
            return reading_from_features(self._heat_pump, now)

    def diagnostics(self) -> dict[str, Any]:
        """Raw feature JSON of the last fetch plus the device and call counters."""
        return {
            "device": self.device.to_dict(),
            "calls_per_poll": self.calls_per_poll,
            "api_calls": self._manager.calls,
            "token_renewals": self._manager.token_renewals,
            "last_read": None if self._last_read is None else self._last_read.isoformat(),
            "features": None
            if self._last_raw is None
            else redact_features(self._last_raw.get("data"), self.device),
        }
