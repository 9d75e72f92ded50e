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

from .client import (
    CALLS_PER_DEVICE_LIST,
    CALLS_PER_POLL,
    FEATURE_CACHE_SECONDS,
    CountingOAuthManager,
    RateLimited,
)
from .devices import ViessmannDevice, is_heat_pump, list_devices
from .features import TEMPERATURE_RANGE, canonical_json
from .privacy import (
    PYVICARE_LOGGER,
    PYVICARE_LOGGERS,
    REDACTED,
    PyViCareLogFilter,
    acquire_log_filter,
    filtered_pyvicare_log,
    log_filter_installed,
    redact_features,
    release_log_filter,
)
from .source import MANUFACTURER, GatewayFeed, ViessmannSource, bulk_features_url
from .state import circulation_pump_from, operating_mode_from

__all__ = [
    "CALLS_PER_DEVICE_LIST",
    "CALLS_PER_POLL",
    "FEATURE_CACHE_SECONDS",
    "MANUFACTURER",
    "PYVICARE_LOGGER",
    "PYVICARE_LOGGERS",
    "REDACTED",
    "TEMPERATURE_RANGE",
    "CountingOAuthManager",
    "GatewayFeed",
    "PyViCareLogFilter",
    "RateLimited",
    "ViessmannDevice",
    "ViessmannSource",
    "acquire_log_filter",
    "bulk_features_url",
    "canonical_json",
    "circulation_pump_from",
    "filtered_pyvicare_log",
    "is_heat_pump",
    "list_devices",
    "log_filter_installed",
    "operating_mode_from",
    "redact_features",
    "release_log_filter",
]
