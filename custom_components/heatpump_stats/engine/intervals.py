"""The history of a period as intervals: what the before/after comparison (:mod:`.impact`) reads.

Units: energy kWh, temperatures °C, time hours, degree-hours K·h. One interval
is an hour or a day of history, from a summary (:func:`interval_from_summary`)
or an hour of statistics (:func:`..compare.interval_from_hour`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from .summary import SECONDS_PER_HOUR, Summary

HEATING_BASE_C: Final = 15.0  # heating limit: no heating demand at or above it

PURPOSE_HEATING: Final = "heating"
PURPOSE_DHW: Final = "dhw"
PURPOSE_COMBINED: Final = "combined"
PURPOSES: Final = (PURPOSE_HEATING, PURPOSE_DHW)


@dataclass(frozen=True, slots=True)
class PurposeFigures:
    """Energy of one purpose in one interval; temperatures heat-weighted (None = unknown)."""

    electrical_energy: float = 0.0
    thermal_energy: float = 0.0
    outside_temperature: float | None = None
    flow_temperature: float | None = None


@dataclass(frozen=True, slots=True)
class Interval:
    """One hour or day of history, reduced to what the comparison needs."""

    start: datetime
    end: datetime
    covered_hours: float  # time with data
    outside_hours: float  # time with a known outdoor temperature
    outside_temperature: float | None  # time-weighted mean
    heating_degree_hours: float  # Σ max(0, HEATING_BASE_C − T) × h
    combined: PurposeFigures
    heating: PurposeFigures
    dhw: PurposeFigures
    flow_temperature: float | None = None  # heat-weighted, all purposes

    @property
    def hours(self) -> float:
        """Length of the interval."""
        return (self.end - self.start).total_seconds() / SECONDS_PER_HOUR

    def purpose(self, name: str) -> PurposeFigures:
        """The figures of `name` (heating, dhw, combined)."""
        figures: PurposeFigures = getattr(self, name)
        return figures


def interval_from_summary(summary: Summary, base_c: float = HEATING_BASE_C) -> Interval:
    """An :class:`Interval` from a period's :class:`~.analytics.Summary`.

    The time-weighted outdoor mean and the degree-hours come from the summary's
    outdoor-temperature bins (each bin's hours at its middle temperature: use
    a narrow ``bin_width_k``, e.g. 0.1 K, to keep that error below 0.05 K).
    """

    def figures(name: str) -> PurposeFigures:
        p = summary.purposes[name]
        return PurposeFigures(
            electrical_energy=p.electrical_energy,
            thermal_energy=p.thermal_energy,
            outside_temperature=p.outside_temperature_mean,
            flow_temperature=p.flow_temperature_mean,
        )

    hours = 0.0
    t_hours = 0.0
    degree_hours = 0.0
    for b in summary.bins:
        mid = (b.low + b.high) / 2.0
        hours += b.hours
        t_hours += b.hours * mid
        degree_hours += b.hours * max(0.0, base_c - mid)
    combined = figures("combined")
    return Interval(
        start=summary.start,
        end=summary.end,
        covered_hours=summary.data_quality.covered_s / SECONDS_PER_HOUR,
        outside_hours=hours,
        outside_temperature=t_hours / hours if hours > 0 else None,
        heating_degree_hours=degree_hours,
        combined=combined,
        heating=figures(PURPOSE_HEATING),
        dhw=figures(PURPOSE_DHW),
        flow_temperature=combined.flow_temperature,
    )
