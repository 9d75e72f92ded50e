"""Viessmann heat pumps through the Viessmann cloud API (PyViCare), with a hard call budget.

Blocking code: every function and method here that talks to the cloud runs in
an executor thread. Nothing here imports Home Assistant; the OAuth2 session is
the glue's ``AbstractViCareOAuthManager`` (HA's config-entry OAuth2 session),
wrapped in :class:`CountingOAuthManager`.

Calls (each one is booked in the shared :class:`~..model.api_rate_limit.CallBudget`):

* :func:`list_devices`: 1 call (``GET /equipment/installations?includeGateways=true``).
* :class:`ViessmannSource` construction: 0 calls (it is built from the stored
  :class:`ViessmannDevice`, no auto-detection fetch).
* :meth:`ViessmannSource.read`: 1 call, ``GET .../devices/{id}/features/``
  (PyViCare's ``fetch_all_features``) into PyViCare's ``ViCareCachedService``
  (a subclass whose cache lives until the next read clears it); every
  PyViCare getter then reads from that one cached response.
* An expired token: PyViCare renews it and sends the request again. The retry
  is booked (+1), and so is the renewal itself (+1, ``count_token_refresh``;
  the renewal goes to the IAM token endpoint, not the IoT API, so this is the
  cautious side). At most one renewal per request; a token still rejected
  after it is an auth error, not a loop.

Several heat pumps behind one gateway share one call per round: the
gateway-wide bulk fetch that PyViCare uses with ``loadViaGateway()``
(``/features/installations/{id}/gateways/{serial}/features?includeDevicesFeatures=true``)
returns the features of *all* devices behind the gateway. A
:class:`GatewayFeed` holds that answer; the first entry of the gateway to
poll fetches it (1 call), the others read their own features out of it (0
calls, PyViCare's ``filter_features_for_device``) while it is younger than
``max_age`` (90 % of the poll interval). A heat pump alone behind its
gateway uses the per-device endpoint (1 call, a smaller answer).

Operating mode rule (:func:`operating_mode_from`), first match wins:

1. defrost reported (``heating.outdoor.defrosting`` active, or compressor
   phase ``defrost``) -> ``defrost``;
2. DHW charging (``heating.dhw.charging`` active), or the compressor runs with
   the 4/3-way valve at ``domesticHotWater`` -> ``dhw``;
3. compressor running: ``cooling`` when the compressor phase is ``cooling`` or
   a circuit's active program/mode is a cooling one, else ``heating``;
4. compressor not running: ``off`` when every circuit's mode is
   ``standby``/``off`` and DHW is not switched on by its own mode (devices
   without a separate DHW mode: the circuit mode covers DHW), else ``standby``;
5. compressor state unknown: ``off`` when switched off as in 4, else None
   (the engine then classifies from power).

"Compressor running" is ``heating.compressors.N`` ``active``; without that
feature, modulation > 0 (``heating.compressors.N.sensors.power``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
import json
import logging
import math
import re
import threading
from typing import Any, Final

from authlib.integrations.base_client import OAuthError
from PyViCare.PyViCare import PyViCare
from PyViCare.PyViCareAbstractOAuthManager import AbstractViCareOAuthManager
from PyViCare.PyViCareCachedService import ViCareCachedService
from PyViCare.PyViCareDeviceConfig import PyViCareDeviceConfig
from PyViCare.PyViCareService import ViCareDeviceAccessor, is_gateway_role
from PyViCare.PyViCareServiceViaGateway import filter_features_for_device
from PyViCare.PyViCareUtils import (
    PyViCareCommandError,
    PyViCareDeviceCommunicationError,
    PyViCareInternalServerError,
    PyViCareInvalidConfigurationError,
    PyViCareInvalidCredentialsError,
    PyViCareInvalidDataError,
    PyViCareNotPaidForError,
    PyViCareNotSupportedFeatureError,
    PyViCareRateLimitError,
)
import requests

from custom_components.heatpump_stats.model.api_rate_limit import CallBudget
from custom_components.heatpump_stats.model.reading import (
    DeviceIdentity,
    HeatPumpReading,
    OperatingMode,
)
from custom_components.heatpump_stats.model.timeutil import as_utc

from .base import SourceAuthError, SourceConnectionError, SourceDataError

_LOGGER = logging.getLogger(__name__)

MANUFACTURER: Final = "Viessmann"
CALLS_PER_POLL: Final = 1
CALLS_PER_DEVICE_LIST: Final = 1
# PyViCare's cache lifetime (list_devices builds PyViCare's own services, which
# are not used to fetch; the source's service keeps its cache until cleared).
FEATURE_CACHE_SECONDS: Final = 3600
# A rate-limit reset the API reports is honoured within these bounds (a reset
# in the past, or a garbled one, must neither lift the block nor last forever).
MIN_RATE_LIMIT_BLOCK: Final = timedelta(seconds=60)
MAX_RATE_LIMIT_BLOCK: Final = timedelta(hours=24)
# Token renewals allowed within one request before it counts as an auth failure.
MAX_RENEWALS_PER_REQUEST: Final = 1

# PyViCare's own auto-detection pattern for heat pumps (PyViCareDeviceConfig).
_HEAT_PUMP_MODEL: Final = re.compile(r"Vitocal|VBC70|V200WO1A|CU401B|OBNG_SCU|OBNG_OCU")
_HEAT_PUMP_ROLE: Final = "type:heatpump"
_HEATING_DEVICE_TYPE: Final = "heating"

_PROGRAMS: Final = ("comfort", "normal", "reduced")
_SUMMARY_PERIODS: Final = (
    ("currentDay", "today"),
    ("currentMonth", "this_month"),
    ("currentYear", "this_year"),
    ("lastSevenDays", "last_seven_days"),
    ("lastMonth", "last_month"),
    ("lastYear", "last_year"),
)
# Legacy arrays (index 0 = the current day/week/month/year).
_ARRAY_PERIODS: Final = (("day", "today"), ("month", "this_month"), ("year", "this_year"))
_PURPOSES: Final = ("heating", "dhw", "cooling")
_LEGACY_ARRAY: Final = {"currentDay": "day", "currentMonth": "month", "currentYear": "year"}
_DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# ---------------------------------------------------------------------------
# Errors and the counting OAuth manager
# ---------------------------------------------------------------------------
class RateLimited(SourceConnectionError):
    """The Viessmann API refused the call (HTTP 429); no call before ``reset_at``."""

    def __init__(self, reset_at: datetime, message: str = "Viessmann API rate limit") -> None:
        """Store the reset time (UTC)."""
        self.reset_at = reset_at
        super().__init__(f"{message}; resets at {reset_at.isoformat()}")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CountingOAuthManager(AbstractViCareOAuthManager):  # type: ignore[misc]
    """An ``AbstractViCareOAuthManager`` that books every API call in a :class:`CallBudget`.

    Wraps the glue's manager (HA's ``ConfigEntryAuth``) and is what PyViCare
    is given. Each ``get``/``post`` first calls ``budget.acquire(now)``
    (raising :class:`~..model.api_rate_limit.BudgetExceeded` *before* any request
    when the budget is spent or blocked), then delegates to the wrapped
    manager, and maps PyViCare's errors to the source errors:

    * rate limit (HTTP 429) -> ``budget.block_until(reset)`` and :class:`RateLimited`
    * invalid credentials / configuration, OAuth errors, HTTP 401 -> ``SourceAuthError``
    * server errors (5xx, non-JSON 502), device communication errors,
      timeouts and other ``requests``/OS errors -> ``SourceConnectionError``
    * invalid data, undecodable JSON, package not paid for -> ``SourceDataError``

    To see PyViCare's token-expiry retry (which happens *inside* the wrapped
    manager's ``get``), the wrapped manager's ``renewToken`` is replaced on
    that instance by a booking wrapper; see the module docstring. Thread-safe.
    """

    def __init__(
        self,
        inner: Any,
        budget: CallBudget,
        *,
        clock: Callable[[], datetime] = _utc_now,
        count_token_refresh: bool = True,
    ) -> None:
        """Wrap `inner` (an ``AbstractViCareOAuthManager``); book calls in `budget`."""
        super().__init__(None)
        self._inner = inner
        self.budget = budget
        self._clock = clock
        self._count_token_refresh = count_token_refresh
        self._lock = threading.Lock()
        self._local = threading.local()
        self.calls = 0
        self.token_renewals = 0
        self._install_renew_hook()

    # PyViCare reads the session through the manager; it is the wrapped one's.
    @property
    def oauth_session(self) -> Any:
        """The wrapped manager's HTTP session."""
        return self._inner.oauth_session

    def replace_session(self, new_session: Any) -> None:
        """Replace the wrapped manager's HTTP session."""
        self._inner.replace_session(new_session)

    def renewToken(self) -> None:
        """Renew the token through the wrapped manager (booked like PyViCare's own renewals)."""
        self._inner.renewToken()

    def get(self, url: str) -> Any:
        """GET `url` (relative to the API base) after booking it; errors mapped."""
        self._book()
        self._local.renewals = 0
        with self._mapped_errors():
            response = self._inner.get(url)
            self._check_response(response)
        return response

    def post(self, url: str, data: Any) -> Any:
        """POST `data` to `url` after booking it; errors mapped."""
        self._book()
        self._local.renewals = 0
        with self._mapped_errors():
            response = self._inner.post(url, data)
            self._check_response(response)
        return response

    # -- internals ----------------------------------------------------------
    def _book(self) -> None:
        self.budget.acquire(self._clock())
        with self._lock:
            self.calls += 1

    def _install_renew_hook(self) -> None:
        current = self._inner.renewToken
        # A manager wrapped before (entry reload) keeps one hook, not a chain.
        original: Callable[[], None] = getattr(current, "_heatpump_stats_original", current)

        def counted_renew() -> None:
            renewals = getattr(self._local, "renewals", 0) + 1
            self._local.renewals = renewals
            if renewals > MAX_RENEWALS_PER_REQUEST:
                raise SourceAuthError("Viessmann API still rejects the token after a refresh")
            if self._count_token_refresh:
                self._book()
            original()
            with self._lock:
                self.token_renewals += 1
            # PyViCare sends the request again right after renewing: book it.
            self._book()

        counted_renew._heatpump_stats_original = original  # type: ignore[attr-defined]
        self._inner.renewToken = counted_renew

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        try:
            yield
        except PyViCareRateLimitError as err:
            raise self._rate_limited(err.limitResetDate, str(err)) from err
        except (PyViCareInvalidCredentialsError, PyViCareInvalidConfigurationError) as err:
            raise SourceAuthError(f"Viessmann refused the credentials: {err}") from err
        except OAuthError as err:
            raise SourceAuthError(f"Viessmann OAuth error: {err}") from err
        except PyViCareNotPaidForError as err:
            raise SourceDataError(f"Viessmann features not available: {err}") from err
        except (PyViCareInternalServerError, PyViCareDeviceCommunicationError) as err:
            raise SourceConnectionError(f"Viessmann API error: {err}") from err
        except PyViCareCommandError as err:
            raise SourceDataError(f"Viessmann command failed: {err}") from err
        except requests.exceptions.JSONDecodeError as err:
            raise SourceDataError(f"Viessmann API sent no JSON: {err}") from err
        except (requests.RequestException, OSError, TimeoutError) as err:
            raise SourceConnectionError(f"Cannot reach the Viessmann API: {err}") from err
        except (PyViCareInvalidDataError, ValueError, KeyError, TypeError) as err:
            # KeyError/TypeError: PyViCare parsing an error answer of an unexpected shape.
            raise SourceDataError(f"Unexpected answer from the Viessmann API: {err!r}") from err

    def _check_response(self, response: Any) -> None:
        """What PyViCare lets through but is an error for us."""
        if not isinstance(response, dict):
            raise SourceDataError("Viessmann API answer is not a JSON object")
        status = response.get("statusCode")
        if status == 429:
            # PyViCare raises this itself unless its feature flag is off.
            payload = response.get("extendedPayload")
            reset_ms = payload.get("limitReset") if isinstance(payload, dict) else None
            reset = (
                datetime.fromtimestamp(reset_ms / 1000, UTC)
                if isinstance(reset_ms, (int, float)) and not isinstance(reset_ms, bool)
                else None
            )
            raise self._rate_limited(reset, str(response.get("message") or "rate limit"))
        if status == 401:
            raise SourceAuthError(f"Viessmann API: unauthorized ({response.get('message')})")

    def _rate_limited(self, reset: Any, message: str) -> RateLimited:
        now = as_utc(self._clock())
        # PyViCare gives naive UTC (utcfromtimestamp); as_utc takes naive as UTC.
        reset_at = as_utc(reset) if isinstance(reset, datetime) else now + MIN_RATE_LIMIT_BLOCK
        reset_at = min(max(reset_at, now + MIN_RATE_LIMIT_BLOCK), now + MAX_RATE_LIMIT_BLOCK)
        self.budget.block_until(reset_at)
        _LOGGER.warning("Viessmann API rate limit hit; no call before %s", reset_at.isoformat())
        return RateLimited(reset_at, message)


# ---------------------------------------------------------------------------
# Privacy: diagnostics and PyViCare's debug log
# ---------------------------------------------------------------------------
REDACTED: Final = "**REDACTED**"
# Features whose values identify the owner's device or home.
_PRIVATE_FEATURE = re.compile(r"(^|\.)(serial|productIdentification|houseLocation)($|\.)")
# Long digit runs (gateway and boiler serials are 16 digits, installation ids 6-8).
_LONG_NUMBER = re.compile(r"\d{6,}")
# PyViCare logs through one logger per module ("PyViCare.PyViCare", ...). A
# filter on a logger sees only the records logged on that very logger, not its
# children's, so the filter goes on "PyViCare" and on every "PyViCare.*" logger.
PYVICARE_LOGGER: Final = "PyViCare"
PYVICARE_LOGGERS: Final = (
    "PyViCare.PyViCare",
    "PyViCare.PyViCareAbstractOAuthManager",
    "PyViCare.PyViCareBrowserOAuthManager",
    "PyViCare.PyViCareCachedServiceBase",
    "PyViCare.PyViCareCachedService",
    "PyViCare.PyViCareCachedServiceViaGateway",
    "PyViCare.PyViCareDeviceConfig",
    "PyViCare.PyViCareOAuthManager",
    "PyViCare.PyViCareService",
    "PyViCare.PyViCareServiceViaGateway",
)


def redact_features(features: Any, device: ViessmannDevice) -> Any:
    """The feature list with the gateway serial, installation id and private values removed.

    ``gatewayId`` and every string that contains the gateway serial or the
    installation id (``uri``) have them replaced; features named ``*.serial``,
    ``*.productIdentification`` and ``*.houseLocation`` lose their values.
    """
    secrets = [s for s in (device.gateway_serial, str(device.installation_id)) if s]

    def scrub(value: Any, private: bool = False) -> Any:
        if isinstance(value, dict):
            return {
                k: REDACTED if k == "gatewayId" else scrub(v, private or k == "serial")
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [scrub(v, private) for v in value]
        if isinstance(value, str):
            if private:
                return REDACTED
            for secret in secrets:
                value = value.replace(secret, REDACTED)
            return value
        if private and isinstance(value, (int, float)) and not isinstance(value, bool):
            return REDACTED
        return value

    if not isinstance(features, list):
        return scrub(features)
    result = []
    for feature in features:
        if not isinstance(feature, dict):
            result.append(scrub(feature))
            continue
        name = str(feature.get("feature", ""))
        cleaned = scrub({k: v for k, v in feature.items() if k != "properties"})
        if "properties" in feature:
            cleaned["properties"] = scrub(
                feature["properties"], private=bool(_PRIVATE_FEATURE.search(name))
            )
        result.append(cleaned)
    return result


class PyViCareLogFilter(logging.Filter):
    """Keeps serials, the installation id, the address and tokens out of PyViCare's log.

    PyViCare logs every API answer in full at debug level ("Response to get
    request: ..."): with debug logging switched on from the UI (PyViCare is in
    the manifest's ``loggers``) the installations answer would put the
    gateway and boiler serials and the street address into the log. Such a
    record (an API answer, a token) is replaced by its size; in every other
    PyViCare record long numbers (serials, installation ids) are replaced by
    ``**REDACTED**``. Records are rewritten, never dropped.
    """

    _CONTENT: Final = frozenset(
        {"Response to get request: %s", "Response: %s", "Token received: %s"}
    )

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record (it is always kept)."""
        if record.msg in self._CONTENT:
            answer = record.args[0] if isinstance(record.args, tuple) and record.args else None
            size = len(answer.get("data") or ()) if isinstance(answer, dict) else 0
            label = str(record.msg).removesuffix("%s")
            record.msg = label + "%d items (content not logged: private data)"
            record.args = (size,)
            return True
        try:
            message = record.getMessage()
        except TypeError, ValueError:
            return True
        redacted = _LONG_NUMBER.sub(REDACTED, message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_LOG_FILTER: Final = PyViCareLogFilter()
_log_filter_lock = threading.Lock()
_log_filter_users = 0


def _pyvicare_loggers() -> list[logging.Logger]:
    """ "PyViCare" and each of its module loggers (the known ones and any created since)."""
    names = {PYVICARE_LOGGER, *PYVICARE_LOGGERS}
    names.update(
        name
        for name in list(logging.root.manager.loggerDict)
        if name.startswith(f"{PYVICARE_LOGGER}.")
    )
    return [logging.getLogger(name) for name in sorted(names)]


def log_filter_installed() -> bool:
    """Whether the filter is on PyViCare's loggers now."""
    return _LOG_FILTER in logging.getLogger(PYVICARE_LOGGER).filters


def acquire_log_filter() -> None:
    """Put the filter on PyViCare's loggers (counted: one per user, e.g. a set-up entry)."""
    global _log_filter_users  # noqa: PLW0603 - one filter for the process, counted
    with _log_filter_lock:
        _log_filter_users += 1
        for logger in _pyvicare_loggers():
            if _LOG_FILTER not in logger.filters:
                logger.addFilter(_LOG_FILTER)


def release_log_filter() -> None:
    """One user less; the last one takes the filter off PyViCare's loggers again."""
    global _log_filter_users  # noqa: PLW0603 - see acquire_log_filter
    with _log_filter_lock:
        _log_filter_users = max(0, _log_filter_users - 1)
        if _log_filter_users:
            return
        for logger in _pyvicare_loggers():
            logger.removeFilter(_LOG_FILTER)


@contextmanager
def filtered_pyvicare_log() -> Iterator[None]:
    """The filter for the length of a block (a config flow listing the account's devices)."""
    acquire_log_filter()
    try:
        yield
    finally:
        release_log_filter()


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


# ---------------------------------------------------------------------------
# Value helpers
# ---------------------------------------------------------------------------
def _opt(getter: Callable[[], Any]) -> Any:
    """A PyViCare getter's value, or None when the device lacks the data point."""
    try:
        value = getter()
    except PyViCareNotSupportedFeatureError, KeyError, IndexError, TypeError, ValueError:
        return None
    if isinstance(value, str) and value == "error":  # PyViCare's feature-flag fallback
        return None
    return value


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _onoff(value: Any) -> str | None:
    return None if not isinstance(value, bool) else ("on" if value else "off")


def _onoff_status(value: Any) -> bool | None:
    """A pump's ``status`` ("on"/"off") as a bool; None for anything else."""
    return {"on": True, "off": False}.get(value) if isinstance(value, str) else None


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces: equal settings give equal strings."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


_KWH: Final = {"kilowattHour": 1.0, "wattHour": 0.001}
_KW: Final = {"kilowatt": 1.0, "watt": 0.001}
# "liter" alone is l/h (HA's vicare and the devices' own displays read it so).
_L_MIN: Final = {
    "liter": 1 / 60,
    "liter/hour": 1 / 60,
    "liter/minute": 1.0,
    "cubicMeter/hour": 1000 / 60,
}
_PERCENT: Final = {"percent": 1.0}
_RPS: Final = {"revolutionsPerSecond": 1.0, "rotations/second": 1.0}
_CELSIUS: Final = {"celsius": 1.0}
# A temperature outside this range is a sensor fault or a placeholder, not a value.
TEMPERATURE_RANGE: Final = (-60.0, 150.0)
# Sensor states that mean "no value" (the value, if any, is a placeholder).
_NOT_CONNECTED: Final = frozenset({"notConnected", "error", "disconnected", "notAvailable"})


def _scaled(
    value: Any, unit: Any, factors: dict[str, float], default: float | None
) -> float | None:
    """`value` in the target unit; an unknown unit gives None, a missing one `default`."""
    number = _num(value)
    if number is None:
        return None
    if unit in (None, ""):
        return None if default is None else number * default
    factor = factors.get(str(unit))
    return None if factor is None else number * factor


@dataclass(slots=True)
class _Features:
    """Read access to the features of the one cached response, by PyViCare's getProperty."""

    device: Any

    def prop(self, feature: str, name: str = "value") -> Any:
        return _opt(lambda: self.device.getProperty(feature)["properties"][name]["value"])

    def unit(self, feature: str, name: str = "value") -> Any:
        return _opt(lambda: self.device.getProperty(feature)["properties"][name].get("unit"))

    def connected(self, feature: str, name: str = "value") -> Any:
        """A sensor's value, or None when its status says it has none (not connected, error)."""
        status = self.prop(feature, "status")
        if isinstance(status, str) and status in _NOT_CONNECTED:
            return None
        return self.prop(feature, name)

    def temperature(self, feature: str) -> float | None:
        """A temperature sensor in °C; None when not connected, in another unit or out of range."""
        value = _scaled(self.connected(feature), self.unit(feature), _CELSIUS, 1.0)
        if value is None or not TEMPERATURE_RANGE[0] <= value <= TEMPERATURE_RANGE[1]:
            return None
        return value

    def has(self, feature: str) -> bool:
        return _opt(lambda: self.device.getProperty(feature)) is not None

    def schedule(self, feature: str) -> dict[str, Any] | None:
        """``{"active": bool, "mon": [...], ...}`` (PyViCare's schedule shape) from properties."""
        active = self.prop(feature, "active")
        entries = self.prop(feature, "entries")
        if not isinstance(entries, dict):
            return None
        result: dict[str, Any] = {"active": active}
        result.update({day: entries[day] for day in _DAYS if day in entries})
        return result


def circulation_pump_from(
    pumps: list[bool], compressor_running: bool | None, *, internal_pump: bool | None = None
) -> bool | None:
    """The heat pump's water side: on when a pump of it runs; off only when nothing moves.

    `internal_pump` is the heat pump's own secondary pump where the device
    reports it (E3 ``heating.boiler.pumps.internal``): it decides. Otherwise
    `pumps` are the pumps of its water side the device reports (heating-circuit
    pumps, the DHW charging pump; never the DHW circulation pump to the taps).
    A running compressor moves water even when the pumps read off (the
    internal pump is often not listed), so that case is unknown (None), never
    "no flow".
    """
    if internal_pump is not None:
        return True if internal_pump else (None if compressor_running is True else False)
    if any(pumps):
        return True
    if compressor_running is True or not pumps:
        return None
    return False


# ---------------------------------------------------------------------------
# Operating mode
# ---------------------------------------------------------------------------
def operating_mode_from(
    *,
    defrost: bool | None,
    compressor_running: bool | None,
    dhw_charging: bool | None,
    valve_position: str | None,
    compressor_phase: str | None,
    circuit_programs: list[str | None],
    circuit_modes: list[str | None],
    dhw_mode: str | None,
) -> OperatingMode | None:
    """The operating mode from the device's state (rule in the module docstring)."""
    phase = (compressor_phase or "").lower()
    if defrost is True or phase in ("defrost", "defrosting"):
        return OperatingMode.DEFROST
    if dhw_charging is True or (
        compressor_running is True and valve_position == "domesticHotWater"
    ):
        return OperatingMode.DHW
    known_modes = [m.lower() for m in circuit_modes if m]
    switched_off = (
        bool(known_modes)
        and all(m in ("standby", "off") for m in known_modes)
        and (dhw_mode is None or dhw_mode.lower() == "off")
    )
    if compressor_running is True:
        cooling = (
            phase == "cooling"
            or any("cooling" in p.lower() for p in circuit_programs if p)
            or any(m == "cooling" for m in known_modes)
        )
        return OperatingMode.COOLING if cooling else OperatingMode.HEATING
    if switched_off:
        return OperatingMode.OFF
    if compressor_running is False:
        return OperatingMode.STANDBY
    return None


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
            return self._map(now)

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

    # -- mapping ------------------------------------------------------------
    def _map(self, now: datetime) -> HeatPumpReading:
        hp = self._heat_pump
        f = _Features(hp)
        settings: dict[str, str | float | None] = {}
        extra: dict[str, str | float | None] = {}

        # Compressor (the first one the device lists; "0" otherwise).
        compressors = _opt(hp.getAvailableCompressors)
        comp_id = str(compressors[0]) if isinstance(compressors, list) and compressors else "0"
        comp = hp.getCompressor(comp_id)
        comp_feature = f"heating.compressors.{comp_id}"
        active = _opt(comp.getActive)
        # Modulation is a percentage (heating.compressors.N.sensors.power); E3
        # units report the compressor speed in rps instead, which is not a %.
        modulation = _scaled(
            f.connected(f"{comp_feature}.sensors.power"),
            f.unit(f"{comp_feature}.sensors.power"),
            _PERCENT,
            1.0,
        )
        if modulation is not None and not 0.0 <= modulation <= 100.0:
            modulation = None
        speed = _scaled(
            f.connected(f"{comp_feature}.speed.current"),
            f.unit(f"{comp_feature}.speed.current"),
            _RPS,
            None,
        )
        extra["compressor_speed_rps"] = speed
        compressor_running: bool | None
        if isinstance(active, bool):
            compressor_running = active
        elif modulation is not None:
            compressor_running = modulation > 0
        elif speed is not None:
            compressor_running = speed > 0
        else:
            compressor_running = None
        phase = _str(_opt(comp.getPhase))
        rated = _scaled(_opt(comp.getPower), _opt(comp.getPowerUnit), _KW, 1.0)
        extra["compressor_phase"] = phase
        extra["compressor_starts"] = _num(_opt(comp.getStarts))
        extra["compressor_hours"] = _num(_opt(comp.getHours))

        # Circuits.
        circuit_ids = _opt(hp.getAvailableCircuits)
        circuits = [str(c) for c in circuit_ids] if isinstance(circuit_ids, list) else []
        programs: list[str | None] = []
        modes: list[str | None] = []
        circuit_supply: float | None = None
        heat_pump_pumps: list[bool] = []
        for cid in circuits:
            circuit = hp.getCircuit(cid)
            supply = f.temperature(f"heating.circuits.{cid}.sensors.temperature.supply")
            extra[f"supply_temperature_circuit_{cid}"] = supply
            if circuit_supply is None:
                circuit_supply = supply
            extra[f"room_temperature_circuit_{cid}"] = f.temperature(
                f"heating.circuits.{cid}.sensors.temperature.room"
            )
            circuit_pump = _opt(circuit.getCirculationPumpActive)
            if isinstance(circuit_pump, bool):
                heat_pump_pumps.append(circuit_pump)
            extra[f"circuit_pump_circuit_{cid}"] = _onoff(circuit_pump)
            schedule = _opt(circuit.getHeatingSchedule) or f.schedule(
                f"heating.circuits.{cid}.heating.schedule"
            )
            settings[f"heating_schedule_circuit_{cid}"] = (
                None if schedule is None else canonical_json(schedule)
            )
            settings[f"current_desired_temperature_circuit_{cid}"] = _num(
                _opt(circuit.getCurrentDesiredTemperature)
            )
            for program in _PROGRAMS:
                settings[f"{program}_temperature_circuit_{cid}"] = _program_temperature(
                    circuit, program
                )
            program_active = _str(_opt(circuit.getActiveProgram))
            mode_active = _str(_opt(circuit.getActiveMode))
            programs.append(program_active)
            modes.append(mode_active)
            settings[f"operating_program_circuit_{cid}"] = program_active
            settings[f"operating_mode_circuit_{cid}"] = mode_active
            settings[f"heating_curve_slope_circuit_{cid}"] = _num(
                _opt(circuit.getHeatingCurveSlope)
            )
            settings[f"heating_curve_shift_circuit_{cid}"] = _num(
                _opt(circuit.getHeatingCurveShift)
            )

        # Heat pump water side (secondary circuit) and source side (primary circuit).
        # Flow and return are the heat pump's own outlet and inlet: the secondary
        # circuit, not a heating circuit behind a mixer or buffer (a heating
        # circuit's supply gives 0.3 K or negative spreads where the outlet gives 8 K).
        secondary_supply = f.temperature("heating.secondaryCircuit.sensors.temperature.supply")
        secondary_return = f.temperature("heating.secondaryCircuit.sensors.temperature.return")
        extra["secondary_supply_temperature"] = secondary_supply
        extra["secondary_return_temperature"] = secondary_return
        extra["primary_supply_temperature"] = f.temperature(
            "heating.primaryCircuit.sensors.temperature.supply"
        )
        extra["primary_return_temperature"] = f.temperature(
            "heating.primaryCircuit.sensors.temperature.return"
        )
        extra["buffer_temperature"] = f.temperature("heating.buffer.sensors.temperature.main")
        flow_temperature = secondary_supply if secondary_supply is not None else circuit_supply
        return_temperature = secondary_return
        if return_temperature is None:
            return_temperature = f.temperature("heating.sensors.temperature.return")

        # Domestic hot water.
        dhw_temperature = f.temperature("heating.dhw.sensors.temperature.dhwCylinder")
        if dhw_temperature is None:
            dhw_temperature = f.temperature("heating.dhw.sensors.temperature.hotWaterStorage")
        dhw_charging = _opt(hp.getDomesticHotWaterChargingActive)
        dhw_charging = dhw_charging if isinstance(dhw_charging, bool) else None
        dhw_mode = _str(_opt(hp.getDomesticHotWaterActiveOperatingMode))
        extra["dhw_charging"] = _onoff(dhw_charging)
        dhw_primary_pump = _opt(hp.getDomesticHotWaterPumpActive)
        if isinstance(dhw_primary_pump, bool):
            heat_pump_pumps.append(dhw_primary_pump)
        extra["dhw_primary_pump"] = _onoff(dhw_primary_pump)
        settings["dhw_target_temperature"] = _num(_opt(hp.getDomesticHotWaterConfiguredTemperature))
        settings["dhw_target_temperature_2"] = _num(
            _opt(hp.getDomesticHotWaterConfiguredTemperature2)
        )
        dhw_schedule = _opt(hp.getDomesticHotWaterSchedule) or f.schedule("heating.dhw.schedule")
        settings["dhw_schedule"] = None if dhw_schedule is None else canonical_json(dhw_schedule)
        settings["dhw_operating_mode"] = dhw_mode

        # The DHW circulation pump (hot water to the taps) says nothing about the
        # heat pump's water flow: it is an extra value only. `circulation_pump`
        # is the heat pump's own water side (heating-circuit pumps, the DHW
        # charging pump): on when one of them runs; off only when all that the
        # device reports are off and the compressor is not running (a running
        # compressor moves water; a pump the API does not list may be the one).
        # The schedule is taken from the feature's properties only (PyViCare's
        # getter adds the command's default mode, which comes and goes with the
        # API's command list and would look like a change).
        extra["dhw_circulation_pump"] = _onoff(_opt(hp.getDomesticHotWaterCirculationPumpActive))
        # E3 units report the heat pump's own secondary pump ("internal"): that
        # one says whether water flows through the heat pump (a heating-circuit
        # pump may run off a buffer while it stands still).
        internal = _onoff_status(f.prop("heating.boiler.pumps.internal", "status"))
        extra["internal_pump"] = _onoff(internal)
        extra["internal_pump_speed_pct"] = _scaled(
            f.prop("heating.boiler.pumps.internal.current"),
            f.unit("heating.boiler.pumps.internal.current"),
            _PERCENT,
            None,
        )
        circulation_pump = circulation_pump_from(
            heat_pump_pumps, compressor_running, internal_pump=internal
        )
        circ_schedule = f.schedule("heating.dhw.pumps.circulation.schedule")
        settings["circulation_schedule"] = (
            None if circ_schedule is None else canonical_json(circ_schedule)
        )

        # Defrost, valve.
        defrost_raw = f.prop("heating.outdoor.defrosting", "active")
        defrost_active: bool | None = defrost_raw if isinstance(defrost_raw, bool) else None
        if defrost_active is None and phase is not None:
            defrost_active = phase.lower() in ("defrost", "defrosting")
        valve = _str(f.prop("heating.valves.fourThreeWay.position"))
        extra["valve_position"] = valve

        # Flow rate (l/min). A bare "liter" is l/h, as HA's vicare reads it
        # (1215 "liter" on a Vitocal 200-S = 20.25 l/min).
        flow_rate = _scaled(
            f.connected("heating.sensors.volumetricFlow.allengra"),
            f.unit("heating.sensors.volumetricFlow.allengra"),
            _L_MIN,
            None,
        )

        # The device's own current power figures, where it has them.
        electrical_kw = _scaled(
            f.prop("heating.power.consumption.current"),
            f.unit("heating.power.consumption.current"),
            _KW,
            None,
        )
        if electrical_kw is None:
            electrical_kw = _scaled(
                f.prop(f"{comp_feature}.power.consumption.current"),
                f.unit(f"{comp_feature}.power.consumption.current"),
                _KW,
                None,
            )
        thermal_kw = _scaled(
            f.prop("heating.heat.production.current"),
            f.unit("heating.heat.production.current"),
            _KW,
            None,
        )
        if thermal_kw is None:
            thermal_kw = _scaled(
                f.prop(f"{comp_feature}.heat.production.current"),
                f.unit(f"{comp_feature}.heat.production.current"),
                _KW,
                None,
            )

        self._vendor_figures(f, extra, comp_feature)

        mode = operating_mode_from(
            defrost=defrost_active,
            compressor_running=compressor_running,
            dhw_charging=dhw_charging,
            valve_position=valve,
            compressor_phase=phase,
            circuit_programs=programs,
            circuit_modes=modes,
            dhw_mode=dhw_mode,
        )
        return HeatPumpReading(
            timestamp=now,
            outside_temperature=f.temperature("heating.sensors.temperature.outside"),
            flow_temperature=flow_temperature,
            return_temperature=return_temperature,
            dhw_temperature=dhw_temperature,
            compressor_modulation=modulation,
            flow_rate=flow_rate,
            operating_mode=mode,
            compressor_running=compressor_running,
            defrost_active=defrost_active,
            circulation_pump=circulation_pump,
            electrical_power=None if electrical_kw is None else electrical_kw * 1000.0,
            thermal_power=thermal_kw,
            rated_thermal_power=rated,
            settings=settings,
            extra=extra,
        )

    @staticmethod
    def _vendor_figures(
        f: _Features, extra: dict[str, str | float | None], comp_feature: str
    ) -> None:
        """The device's own performance factors and energy figures (only those it reports).

        None of them is a lifetime counter: the API gives day/week/month/year
        figures (arrays, index 0 = the current one) and E3 summaries
        (currentDay ... lastYear), so the reading's lifetime energy fields
        stay None and the engine counts since setup.
        """
        # A performance factor of 0 means "nothing measured" (no cooling, no
        # PV power for the green COP, a new unit): unknown, not a COP of 0.
        for kind in ("scop", "spf", "cop"):
            for purpose in ("total", "heating", "dhw", "cooling", "green"):
                value = _num(f.prop(f"heating.{kind}.{purpose}"))
                if value is not None and value > 0:
                    extra[f"vendor_{kind}_{purpose}"] = value

        # Weekly compressor figures (Vitocal 333-G and others): kWh this week.
        for kind, key in (
            ("heat.production", "heat_production"),
            ("power.consumption", "power_consumption"),
        ):
            for purpose in _PURPOSES:
                feature = f"{comp_feature}.{kind}.{purpose}.week"
                value = _scaled(f.connected(feature), f.unit(feature), _KWH, 1.0)
                if value is not None:
                    extra[f"compressor_{key}_{purpose}_this_week_kwh"] = value

        # Current power figures of the parts (W): heating rod, inverter output.
        for feature, key in (
            ("heating.heatingRod.power.consumption.current", "heating_rod_power_w"),
            ("heating.heatingRod.heat.production.current", "heating_rod_heat_w"),
            ("heating.inverters.0.sensors.power.output", "inverter_output_power_w"),
        ):
            kw = _scaled(f.connected(feature), f.unit(feature), _KW, None)
            if kw is not None:
                extra[key] = kw * 1000.0
        current = _num(f.connected("heating.inverters.0.sensors.power.current"))
        if current is not None and f.unit("heating.inverters.0.sensors.power.current") == "ampere":
            extra["inverter_current_a"] = current

        for feature_base, key_base in (
            ("heating.power.consumption", "power_consumption"),
            ("heating.heat.production", "heat_production"),
            ("heating.heatingRod.power.consumption", "heating_rod_power_consumption"),
            (f"{comp_feature}.power.consumption", "compressor_power_consumption"),
        ):
            parts: dict[str, dict[str, float]] = {}
            for purpose in _PURPOSES:
                summary = f"{feature_base}.summary.{purpose}"
                legacy = f"{feature_base}.{purpose}"
                for prop, period in _SUMMARY_PERIODS:
                    value = _scaled(f.prop(summary, prop), f.unit(summary, prop), _KWH, 1.0)
                    array_prop = _LEGACY_ARRAY.get(prop)
                    if value is None and array_prop is not None:
                        value = _first(f.prop(legacy, array_prop), f.unit(legacy, array_prop))
                    if value is not None:
                        extra[f"{key_base}_{purpose}_{period}_kwh"] = value
                        parts.setdefault(period, {})[purpose] = value
            for prop, period in _ARRAY_PERIODS:
                # A total the device reports beats the sum of the parts; the sum
                # needs at least heating and DHW (cooling only where reported).
                total = _first(
                    f.prop(f"{feature_base}.total", prop), f.unit(f"{feature_base}.total", prop)
                )
                known = parts.get(period, {})
                if total is None and "heating" in known and "dhw" in known:
                    total = sum(known.values())
                if total is not None:
                    extra[f"{key_base}_{period}_kwh"] = total


def _program_temperature(circuit: Any, program: str) -> float | None:
    """A program's target temperature; E3 devices name them comfortHeating, normalHeating, ..."""
    for name in (program, f"{program}Heating"):
        value = _num(_opt(partial(circuit.getDesiredTemperatureForProgram, name)))
        if value is not None:
            return value
    return None


def _first(values: Any, unit: Any) -> float | None:
    """Index 0 (the current period) of a legacy day/month/year array, in kWh."""
    if not isinstance(values, list) or not values:
        return None
    return _scaled(values[0], unit, _KWH, 1.0)
