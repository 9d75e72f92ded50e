"""The synthetic weather the benches share: outdoor temperature and heat demand."""

from __future__ import annotations

import math


def outdoor_c(day: float, hour: float) -> float:
    """°C on day `day` (days since the epoch) at local `hour`: a season and a day's swing."""
    return (
        9.5
        + 8.5 * math.cos(2 * math.pi * (day - 206.5) / 365.25)
        - 4 * math.cos(2 * math.pi * (hour - 5) / 24)
    )


def heat_demand_kw(out: float) -> float:
    """Space-heating demand (kW) at outdoor `out` °C: none from 16 °C up."""
    return max(0.0, 0.25 * (20 - out)) if out < 16 else 0.0
