"""What a period's summary is: the result types of :class:`~.analytics.SummaryBuilder`.

Units: temperatures °C, energy kWh, durations s (``to_dict`` gives hours).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from custom_components.heatpump_stats.model.timeutil import dt_to_json

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class PurposeSummary:
    """Figures of one purpose (kWh, °C, s)."""

    electrical_energy: float
    thermal_energy: float
    cop: float | None
    flow_temperature_mean: float | None  # heat-weighted
    outside_temperature_mean: float | None  # heat-weighted
    carnot_cop: float | None  # of the two heat-weighted means
    carnot_pct: float | None  # cop / carnot_cop × 100
    compressor_starts: int
    starts_per_running_hour: float | None
    seconds: float
    running_seconds: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "electrical_energy": self.electrical_energy,
            "thermal_energy": self.thermal_energy,
            "cop": self.cop,
            "flow_temperature_mean": self.flow_temperature_mean,
            "outside_temperature_mean": self.outside_temperature_mean,
            "carnot_cop": self.carnot_cop,
            "carnot_pct": self.carnot_pct,
            "compressor_starts": self.compressor_starts,
            "starts_per_running_hour": self.starts_per_running_hour,
            "hours": self.seconds / SECONDS_PER_HOUR,
            "running_hours": self.running_seconds / SECONDS_PER_HOUR,
        }


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """One compressor run (kWh, °C, s)."""

    purpose: str
    start: datetime
    end: datetime
    duration_s: float
    electrical_energy: float
    thermal_energy: float
    cop: float | None
    flow_temperature_max: float | None
    flow_temperature_mean: float | None  # time-weighted
    outside_temperature_mean: float | None  # time-weighted
    defrosts: int
    dhw_interruptions: int
    interruption_electrical_energy: float  # booked to dhw, not in electrical_energy
    interruption_thermal_energy: float
    truncated: bool  # cut by the period's ends or by a data gap

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "purpose": self.purpose,
            "start": dt_to_json(self.start),
            "end": dt_to_json(self.end),
            "duration_s": self.duration_s,
            "electrical_energy": self.electrical_energy,
            "thermal_energy": self.thermal_energy,
            "cop": self.cop,
            "flow_temperature_max": self.flow_temperature_max,
            "flow_temperature_mean": self.flow_temperature_mean,
            "outside_temperature_mean": self.outside_temperature_mean,
            "defrosts": self.defrosts,
            "dhw_interruptions": self.dhw_interruptions,
            "interruption_electrical_energy": self.interruption_electrical_energy,
            "interruption_thermal_energy": self.interruption_thermal_energy,
            "truncated": self.truncated,
        }


@dataclass(frozen=True, slots=True)
class DefrostSummary:
    """Defrosts of the period (kWh, s); heat is negative."""

    count: int
    seconds: float
    electrical_energy: float
    thermal_energy: float
    pct_of_heat: float | None  # −thermal_energy / net heat of the period × 100
    pct_of_electricity: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "count": self.count,
            "seconds": self.seconds,
            "electrical_energy": self.electrical_energy,
            "thermal_energy": self.thermal_energy,
            "pct_of_heat": self.pct_of_heat,
            "pct_of_electricity": self.pct_of_electricity,
        }


@dataclass(frozen=True, slots=True)
class TemperatureBin:
    """Outdoor temperatures in [low, low + width) °C."""

    low: float
    high: float
    hours: float
    electrical_energy: float
    thermal_energy: float
    cop: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "outside_temperature_from": self.low,
            "outside_temperature_to": self.high,
            "hours": self.hours,
            "electrical_energy": self.electrical_energy,
            "thermal_energy": self.thermal_energy,
            "cop": self.cop,
        }


@dataclass(frozen=True, slots=True)
class StateChange:
    """The latest state of an on/off condition and when it last switched."""

    state: bool | None
    last_change: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"state": self.state, "last_change": dt_to_json(self.last_change)}


@dataclass(frozen=True, slots=True)
class DataQuality:
    """How much of the period the samples cover."""

    samples: int
    expected_samples: float
    samples_pct: float | None
    covered_s: float
    coverage_pct: float | None
    gaps: int  # intervals longer than max_gap_s
    first_sample: datetime | None
    last_sample: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "samples": self.samples,
            "expected_samples": self.expected_samples,
            "samples_pct": self.samples_pct,
            "covered_hours": self.covered_s / SECONDS_PER_HOUR,
            "coverage_pct": self.coverage_pct,
            "gaps": self.gaps,
            "first_sample": dt_to_json(self.first_sample),
            "last_sample": dt_to_json(self.last_sample),
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """A period's summary; :meth:`to_dict` is the service response and CSV source."""

    start: datetime
    end: datetime
    purposes: dict[str, PurposeSummary]
    time_in_mode: dict[str, float]  # s per OperatingMode value
    defrost: DefrostSummary
    sessions: tuple[SessionSummary, ...]
    bin_width_k: float
    bins: tuple[TemperatureBin, ...]
    bins_heating: tuple[TemperatureBin, ...]
    unbinned: TemperatureBin | None  # intervals without outdoor temperature (low/high NaN)
    last_changes: dict[str, StateChange]
    data_quality: DataQuality
    settings: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (ISO 8601 UTC times, kWh, °C, hours)."""
        return {
            "start": dt_to_json(self.start),
            "end": dt_to_json(self.end),
            "energy": {key: value.to_dict() for key, value in self.purposes.items()},
            "time_in_mode_hours": {
                mode: secs / SECONDS_PER_HOUR for mode, secs in self.time_in_mode.items()
            },
            "defrost": self.defrost.to_dict(),
            "sessions": [s.to_dict() for s in self.sessions],
            "outside_temperature_bins": {
                "bin_width_k": self.bin_width_k,
                "all": [b.to_dict() for b in self.bins],
                "heating": [b.to_dict() for b in self.bins_heating],
                "unbinned": None
                if self.unbinned is None
                else {
                    "hours": self.unbinned.hours,
                    "electrical_energy": self.unbinned.electrical_energy,
                    "thermal_energy": self.unbinned.thermal_energy,
                    "cop": self.unbinned.cop,
                },
            },
            "last_changes": {key: value.to_dict() for key, value in self.last_changes.items()},
            "data_quality": self.data_quality.to_dict(),
            "settings": dict(self.settings),
        }
