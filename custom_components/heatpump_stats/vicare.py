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
from typing import TYPE_CHECKING, Any, override

from aiohttp import ClientError
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import OAuth2TokenRequestError, OAuth2TokenRequestReauthError
from homeassistant.helpers import config_entry_oauth2_flow, issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey
from PyViCare.PyViCareAbstractOAuthManager import AbstractViCareOAuthManager
from PyViCare.PyViCareUtils import PyViCareInvalidCredentialsError
import requests

from .const import DOMAIN
from .model.api_rate_limit import BudgetExceeded, CallBudget
from .model.reading import DeviceIdentity, HeatPumpReading
from .source_hooks import SourceHooks, SourceRetryLaterError
from .sources.viessmann import (
    CountingOAuthManager,
    GatewayFeed,
    RateLimited,
    ViessmannDevice,
    ViessmannSource,
    acquire_log_filter,
    filtered_pyvicare_log,
    list_devices,
    release_log_filter,
)

if TYPE_CHECKING:
    from .coordinator import HeatPumpCoordinator

_LOGGER = logging.getLogger(__name__)
_TIMEOUT_S = 31
BUDGET_SAVE_DELAY_S = 10
RATE_LIMIT_ISSUE = "rate_limited_{}"
# A shared gateway answer serves the other heat pumps for this share of the interval.
GATEWAY_ANSWER_SHARE = 0.9


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
class _Member:
    """One entry of the account: its heat pump and, once running, its coordinator."""

    device: ViessmannDevice
    daily_limit: int | None = None
    coordinator: DataUpdateCoordinator[Any] | None = None
    base_interval: timedelta = timedelta(0)


@dataclass
class AccountBudget:
    """One Viessmann account's budget, its entries and where the budget is kept.

    Every change of the account's entries (an entry set up, unloaded, reloaded,
    removed; Home Assistant starting them one by one) recomputes the poll
    interval of *every* entry of the account (:meth:`recompute`): all of them
    poll at the interval at which one round of all of them fits the budget.
    Heat pumps behind one gateway share one call per round (:class:`GatewayFeed`).
    The daily limit is the smallest `viessmann_daily_call_budget` of the
    entries set up now (so raising it on one entry takes effect once no other
    entry asks for less).
    """

    budget: CallBudget
    store: Store[dict[str, Any]]
    members: dict[str, _Member] = field(default_factory=dict)
    gateways: dict[tuple[int, str], GatewayFeed] = field(default_factory=dict)

    @property
    def entries(self) -> set[str]:
        """The entry ids of the account that are set up (or being set up)."""
        return set(self.members)

    def join(
        self, entry_id: str, device: ViessmannDevice, daily_limit: int | None = None
    ) -> GatewayFeed:
        """An entry starts: count it (and its gateway) before its first call."""
        self.leave(entry_id, recompute=False)
        self.members[entry_id] = _Member(device, daily_limit)
        key = (device.installation_id, device.gateway_serial)
        feed = self.gateways.get(key)
        if feed is None:
            feed = self.gateways[key] = GatewayFeed(*key)
        feed.members.add(device.device_id)
        self.recompute()
        return feed

    def attach(
        self, entry_id: str, coordinator: DataUpdateCoordinator[Any], base_interval: timedelta
    ) -> None:
        """The entry's coordinator exists: it follows the account's interval from now on."""
        if (member := self.members.get(entry_id)) is None:
            return
        member.coordinator, member.base_interval = coordinator, base_interval
        self.recompute()

    def leave(self, entry_id: str, *, recompute: bool = True) -> None:
        """An entry stops (unload, failed setup, removal): the others may poll faster."""
        if (member := self.members.pop(entry_id, None)) is None:
            return
        key = (member.device.installation_id, member.device.gateway_serial)
        if (feed := self.gateways.get(key)) is not None:
            feed.members.discard(member.device.device_id)
            if not feed.members:
                del self.gateways[key]
        if recompute:
            self.recompute()

    @property
    def calls_per_round(self) -> int:
        """API calls for one poll of every entry (at least 1)."""
        return max(1, sum(feed.calls_per_round for feed in self.gateways.values()))

    def interval(self) -> timedelta:
        """The interval at which every entry of the account polls."""
        return self.budget.poll_interval(self.calls_per_round)

    def recompute(self) -> timedelta:
        """Set every entry's interval (and the shared answers' lifetime) from the entries now."""
        limits = [m.daily_limit for m in self.members.values() if m.daily_limit is not None]
        if limits:
            self.budget.set_daily_limit(min(limits))
        interval = self.interval()
        for feed in self.gateways.values():
            feed.max_age = interval * GATEWAY_ANSWER_SHARE
        for member in self.members.values():
            if member.coordinator is None:
                continue
            wanted = max(member.base_interval, interval)
            if member.coordinator.update_interval != wanted:
                member.coordinator.update_interval = wanted
        return interval

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
    # With entries running, their own limits hold (AccountBudget.recompute: the
    # smallest); a config flow listing devices must not lift them.
    if not shared.members:
        shared.budget.set_daily_limit(daily_limit)
    return shared


async def async_list_devices(
    hass: HomeAssistant, account: AccountBudget, access_token: str
) -> list[ViessmannDevice]:
    """The account's heat pumps (1 budgeted call)."""
    manager = CountingOAuthManager(TokenAuth(access_token), account.budget)
    try:
        # The installations answer carries serials and the street address.
        with filtered_pyvicare_log():
            return await hass.async_add_executor_job(list_devices, manager)
    finally:
        account.schedule_save()


class BudgetWait(SourceRetryLaterError):
    """The budget allows no call now; polling resumes at `retry_at`."""

    def __init__(self, retry_at: datetime) -> None:
        """Say when."""
        super().__init__(f"call budget spent until {retry_at.isoformat()}", retry_at)


class ViessmannHASource(SourceHooks):
    """The `HeatPumpSource` of one Viessmann heat pump.

    It joins its account's budget when it is made and leaves it when it is
    closed (unload, or a setup that failed later), so the account's other
    entries get the calls back.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        entry_id: str,
        entry_title: str,
        manager: AbstractViCareOAuthManager,
        account: AccountBudget,
        device: ViessmannDevice,
        daily_limit: int | None = None,
    ) -> None:
        """No API call here."""
        self._hass = hass
        self._entry_id = entry_id
        self._title = entry_title
        self.account = account
        # PyViCare's debug log is filtered while the entry runs (until leave()).
        acquire_log_filter()
        self._log_filtered = True
        feed = account.join(entry_id, device, daily_limit)
        self._source = ViessmannSource(CountingOAuthManager(manager, account.budget), device, feed)

    @property
    @override
    def min_update_interval(self) -> timedelta:
        """The account's interval: one round of all its entries fits the budget."""
        return poll_interval(self.account, self.calls_per_poll)

    @callback
    @override
    def async_bind(self, coordinator: HeatPumpCoordinator) -> CALLBACK_TYPE:
        """Let the account set this entry's interval whenever its entries change.

        The entry's own `scan_interval_s` is the floor; the account's interval wins
        when it is longer. Leaving the account is `async_close`'s.
        """
        self.account.attach(self._entry_id, coordinator, coordinator.options.scan_interval)
        return super().async_bind(coordinator)

    def leave(self) -> None:
        """This entry stops polling; the account's other entries get their share."""
        self.account.leave(self._entry_id)
        if self._log_filtered:
            self._log_filtered = False
            release_log_filter()

    @property
    def identity(self) -> DeviceIdentity:
        """Viessmann, the model id, the gateway serial."""
        return self._source.identity

    @property
    def calls_per_poll(self) -> int:
        """API calls one poll costs."""
        return self._source.calls_per_poll

    @property
    def data_fetched_at(self) -> datetime | None:
        """When the API sent the data of the last poll."""
        return self._source.data_fetched_at

    async def async_read(self) -> HeatPumpReading:
        """One budgeted feature fetch; rate limits raise a repair issue."""
        rounds = self.account.calls_per_round
        try:
            reading = await self._hass.async_add_executor_job(self._source.read, dt_util.utcnow())
        except BudgetExceeded as err:
            raise BudgetWait(err.retry_at) from err
        except RateLimited as err:
            self._raise_rate_limit_issue(err.reset_at)
            raise BudgetWait(err.reset_at) from err
        finally:
            self.account.schedule_save()
            if self.account.calls_per_round != rounds:  # a gateway answer fell back
                self.account.recompute()
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
        """Leave the account and write the budget now."""
        self.leave()
        await self.account.store.async_save(self.account.budget.to_dict(dt_util.utcnow()))


def poll_interval(account: AccountBudget, calls_per_poll: int = 1) -> timedelta:
    """Every entry of the account polls at the interval that keeps all inside the budget.

    One round (every entry polled once) costs one call per heat pump, or one
    per gateway for heat pumps that share a gateway: 1450/day, POLL_SHARE 0.9
    -> 1305 rounds/day: 1 call/round 67 s, 2 -> 133 s, 3 -> 199 s.
    """
    return account.budget.poll_interval(account.calls_per_round * calls_per_poll)
