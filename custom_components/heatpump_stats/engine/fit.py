"""A weighted straight-line fit (COP or heat against outdoor temperature) for :mod:`.impact`.

Units: x in °C (outdoor temperature), y as fitted (COP, kWh/h), weights kWh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math
from typing import Any, Final

MIN_SPREAD_K: Final = 1.0  # less temperature spread than this: a flat line (mean COP)
RANGE_MARGIN_K: Final = 0.5  # the fit is used this far outside the range it saw


@dataclass(frozen=True, slots=True)
class LinearFit:
    """y = intercept + slope × x, fitted on x in [x_min, x_max]."""

    intercept: float
    slope: float
    x_min: float
    x_max: float
    points: int
    scatter_pct: float  # weighted RMS of (y − fit) / fit × 100

    def predict(self, x: float) -> float | None:
        """The fit at `x`, or None outside the range it saw (± RANGE_MARGIN_K)."""
        if x < self.x_min - RANGE_MARGIN_K or x > self.x_max + RANGE_MARGIN_K:
            return None
        return self.intercept + self.slope * x

    @property
    def prediction_error_pct(self) -> float:
        """Scatter / √points: the relative error of a mean of the fit's values."""
        return self.scatter_pct / math.sqrt(self.points)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "intercept": self.intercept,
            "slope_per_k": self.slope,
            "outside_temperature_min": self.x_min,
            "outside_temperature_max": self.x_max,
            "points": self.points,
            "scatter_pct": self.scatter_pct,
            "prediction_error_pct": self.prediction_error_pct,
        }


def fit_line(points: Sequence[tuple[float, float, float]]) -> LinearFit | None:
    """Weighted least squares on (x, y, weight); None without points or weight.

    With less than MIN_SPREAD_K between the smallest and largest x the slope
    is 0 (the weighted mean of y): a slope from a narrow range is noise.
    """
    pts = [(x, y, w) for x, y, w in points if w > 0 and math.isfinite(x) and math.isfinite(y)]
    total_w = sum(w for _, _, w in pts)
    if not pts or total_w <= 0:
        return None
    mx = sum(x * w for x, _, w in pts) / total_w
    my = sum(y * w for _, y, w in pts) / total_w
    x_min, x_max = min(x for x, _, _ in pts), max(x for x, _, _ in pts)
    sxx = sum(w * (x - mx) ** 2 for x, _, w in pts)
    slope = 0.0
    if x_max - x_min >= MIN_SPREAD_K and sxx > 0:
        slope = sum(w * (x - mx) * (y - my) for x, y, w in pts) / sxx
    intercept = my - slope * mx
    sq = 0.0
    for x, y, w in pts:
        fitted = intercept + slope * x
        if fitted > 0:
            sq += w * ((y - fitted) / fitted) ** 2
    return LinearFit(
        intercept=intercept,
        slope=slope,
        x_min=x_min,
        x_max=x_max,
        points=len(pts),
        scatter_pct=100.0 * math.sqrt(sq / total_w),
    )
