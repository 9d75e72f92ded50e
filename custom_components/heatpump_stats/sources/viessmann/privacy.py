"""Keeping the owner's data private: redacted diagnostics and the filter on PyViCare's debug log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import logging
import re
import threading
from typing import Any, Final

from .devices import ViessmannDevice

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
