"""Viessmann in Home Assistant: OAuth2 adapters, the per-account call budget, the source.

The budget is shared by every entry signed in with the same application
credential (one Viessmann account), persisted in
`.storage/heatpump_stats.vicare_budget.<account>` so restarts and reloads
cannot reset it. PyViCare is blocking: every call runs in the executor.
"""

from __future__ import annotations

from asyncio import run_coroutine_threadsafe
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import logging
from typing import Any, override

from aiohttp import ClientError
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import OAuth2TokenRequestError, OAuth2TokenRequestReauthError
from homeassistant.helpers import config_entry_oauth2_flow, issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
from PyViCare.PyViCareAbstractOAuthManager import AbstractViCareOAuthManager
from PyViCare.PyViCareUtils import PyViCareInvalidCredentialsError
import requests

from .const import DOMAIN
from .engine.budget import BudgetExceeded, CallBudget
from .sources.base import SourceConnectionError
from .sources.reading import DeviceIdentity, HeatPumpReading
from .sources.viessmann import (
    CountingOAuthManager,
    RateLimited,
    ViessmannDevice,
    ViessmannSource,
    list_devices,
)

_LOGGER = logging.getLogger(__name__)
_TIMEOUT_S = 31
BUDGET_SAVE_DELAY_S = 10
RATE_LIMIT_ISSUE = "rate_limited_{}"


class _TimeoutSession(requests.Session):
    """A requests session with a default timeout (PyViCare sets none)."""

    @override
    def request(  # type: ignore[override]
        self, method: str, url: str, **kwargs: Any
    ) -> requests.Response:
        kwargs.setdefault("timeout", _TIMEOUT_S)
        return super().request(method, url, **kwargs)


class ConfigEntryAuth(AbstractViCareOAuthManager):  # type: ignore[misc]
    """PyViCare's OAuth manager over Home Assistant's OAuth2 session of an entry."""

    def __init__(
        self, hass: HomeAssistant, oauth_session: config_entry_oauth2_flow.OAuth2Session
    ) -> None:
        """Start with the entry's current token."""
        self._hass = hass
        self._ha_session = oauth_session
        session = _TimeoutSession()
        session.headers["Authorization"] = self._bearer()
        super().__init__(session)

    def renewToken(self) -> None:
        """Refresh through Home Assistant (it stores the new token in the entry).

        Its errors are raised as PyViCare's and requests' own, which the
        counting manager maps: a refused refresh means reauth, anything else
        is a connection problem.
        """
        try:
            run_coroutine_threadsafe(
                self._ha_session.async_ensure_token_valid(), self._hass.loop
            ).result()
        except OAuth2TokenRequestReauthError as err:
            raise PyViCareInvalidCredentialsError() from err
        except (OAuth2TokenRequestError, ClientError) as err:
            raise requests.ConnectionError(str(err)) from err
        self.oauth_session.headers["Authorization"] = self._bearer()

    def _bearer(self) -> str:
        token: dict[str, Any] = self._ha_session.token
        return f"Bearer {token['access_token']}"


class TokenAuth(AbstractViCareOAuthManager):  # type: ignore[misc]
    """A fresh token from the config flow, used once to list the account's devices."""

    def __init__(self, access_token: str) -> None:
        """Use `access_token` as it is."""
        session = _TimeoutSession()
        session.headers["Authorization"] = f"Bearer {access_token}"
        super().__init__(session)

    def renewToken(self) -> None:
        """A token minutes old does not expire; nothing to renew."""


@dataclass
class AccountBudget:
    """One Viessmann account's budget and where it is kept."""

    budget: CallBudget
    store: Store[dict[str, Any]]
    entries: set[str] = field(default_factory=set)

    def schedule_save(self) -> None:
        """Write soon (and at shutdown)."""
        self.store.async_delay_save(
            lambda: self.budget.to_dict(dt_util.utcnow()), BUDGET_SAVE_DELAY_S
        )


BUDGETS: HassKey[dict[str, AccountBudget]] = HassKey(f"{DOMAIN}_vicare_budgets")


async def async_get_budget(hass: HomeAssistant, account: str, daily_limit: int) -> AccountBudget:
    """The shared budget of `account`, loaded once per Home Assistant run."""
    budgets = hass.data.setdefault(BUDGETS, {})
    if (shared := budgets.get(account)) is None:
        store: Store[dict[str, Any]] = Store(
            hass, 1, f"{DOMAIN}.vicare_budget.{account}", private=True, atomic_writes=True
        )
        stored = await store.async_load()
        budget = (
            CallBudget.from_dict(stored, daily_limit=daily_limit)
            if stored
            else CallBudget(daily_limit=daily_limit)
        )
        shared = budgets[account] = AccountBudget(budget=budget, store=store)
    # Entries of one account may set different budgets: the smallest one holds.
    if shared.entries:
        daily_limit = min(daily_limit, shared.budget.daily_limit)
    shared.budget.set_daily_limit(daily_limit)
    return shared


async def async_list_devices(
    hass: HomeAssistant, account: AccountBudget, access_token: str
) -> list[ViessmannDevice]:
    """The account's heat pumps (1 budgeted call)."""
    manager = CountingOAuthManager(TokenAuth(access_token), account.budget)
    try:
        return await hass.async_add_executor_job(list_devices, manager)
    finally:
        account.schedule_save()


class BudgetWait(SourceConnectionError):
    """The budget allows no call now; polling resumes at `retry_at`."""

    def __init__(self, retry_at: datetime) -> None:
        """Say when."""
        super().__init__(f"call budget spent until {retry_at.isoformat()}")
        self.retry_at = retry_at


class ViessmannHASource:
    """The `HeatPumpSource` of one Viessmann heat pump."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        entry_id: str,
        entry_title: str,
        manager: AbstractViCareOAuthManager,
        account: AccountBudget,
        device: ViessmannDevice,
    ) -> None:
        """No API call here."""
        self._hass = hass
        self._entry_id = entry_id
        self._title = entry_title
        self.account = account
        self._source = ViessmannSource(CountingOAuthManager(manager, account.budget), device)

    @property
    def identity(self) -> DeviceIdentity:
        """Viessmann, the model id, the gateway serial."""
        return self._source.identity

    @property
    def calls_per_poll(self) -> int:
        """API calls one poll costs."""
        return self._source.calls_per_poll

    async def async_read(self) -> HeatPumpReading:
        """One budgeted feature fetch; rate limits raise a repair issue."""
        try:
            reading = await self._hass.async_add_executor_job(self._source.read, dt_util.utcnow())
        except BudgetExceeded as err:
            raise BudgetWait(err.retry_at) from err
        except RateLimited as err:
            self._raise_rate_limit_issue(err.reset_at)
            raise BudgetWait(err.reset_at) from err
        finally:
            self.account.schedule_save()
        ir.async_delete_issue(self._hass, DOMAIN, RATE_LIMIT_ISSUE.format(self._entry_id))
        return reading

    def _raise_rate_limit_issue(self, reset_at: datetime) -> None:
        _LOGGER.warning("Viessmann API rate limit reached; no calls until %s", reset_at.isoformat())
        ir.async_create_issue(
            self._hass,
            DOMAIN,
            RATE_LIMIT_ISSUE.format(self._entry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="rate_limited",
            translation_placeholders={
                "title": self._title,
                "resume": dt_util.as_local(reset_at).strftime("%Y-%m-%d %H:%M"),
            },
        )

    def state_to_store(self) -> None:
        """Nothing: the device is in the entry, the budget has its own store."""
        return

    def diagnostics(self) -> dict[str, Any]:
        """Raw features of the last fetch and the budget's use."""
        now = dt_util.utcnow()
        return {
            **self._source.diagnostics(),
            "budget": {
                "daily_limit": self.account.budget.daily_limit,
                "used_24h": self.account.budget.used(now),
                "blocked_until": None
                if self.account.budget.blocked_until is None
                else self.account.budget.blocked_until.isoformat(),
            },
        }

    async def async_close(self) -> None:
        """Write the budget now."""
        await self.account.store.async_save(self.account.budget.to_dict(dt_util.utcnow()))


def poll_interval(account: AccountBudget, calls_per_poll: int) -> timedelta:
    """Every entry of the account polls at the interval that keeps all inside the budget."""
    return account.budget.poll_interval(calls_per_poll * max(1, len(account.entries)))
