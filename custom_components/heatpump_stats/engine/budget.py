"""Compatibility path: the API-call budget lives in :mod:`..model.api_rate_limit`."""

from custom_components.heatpump_stats.model.api_rate_limit import (
    DEFAULT_BURST_LIMIT,
    DEFAULT_BURST_WINDOW,
    DEFAULT_DAILY_LIMIT,
    POLL_SHARE,
    BudgetExceeded,
    CallBudget,
)

__all__ = [
    "DEFAULT_BURST_LIMIT",
    "DEFAULT_BURST_WINDOW",
    "DEFAULT_DAILY_LIMIT",
    "POLL_SHARE",
    "BudgetExceeded",
    "CallBudget",
]
