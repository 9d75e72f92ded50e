"""The Viessmann API's calls: the counting OAuth manager that books each one, and its errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
import logging
import threading
from typing import Any, Final

from authlib.integrations.base_client import OAuthError
from PyViCare.PyViCareAbstractOAuthManager import AbstractViCareOAuthManager
from PyViCare.PyViCareUtils import (
    PyViCareCommandError,
    PyViCareDeviceCommunicationError,
    PyViCareInternalServerError,
    PyViCareInvalidConfigurationError,
    PyViCareInvalidCredentialsError,
    PyViCareInvalidDataError,
    PyViCareNotPaidForError,
    PyViCareRateLimitError,
)
import requests

from custom_components.heatpump_stats.model.api_rate_limit import CallBudget
from custom_components.heatpump_stats.model.timeutil import as_utc
from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceConnectionError,
    SourceDataError,
)

_LOGGER = logging.getLogger(__name__)
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
    that instance by a booking wrapper; see the package docstring. Thread-safe.
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
