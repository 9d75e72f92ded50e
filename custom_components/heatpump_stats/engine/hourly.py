"""A period's summary from hourly figures: long-term statistics or hourly InfluxDB windows.

Units: energy kWh, temperatures °C, hours. No Home Assistant import.

Home Assistant keeps long-term statistics for ever, but only per hour: the
sum (change) of each energy sensor and the mean of each temperature. From
those this module builds what can honestly be built:

* **Energy** per purpose: ``combined`` from ``electrical_energy`` /
  ``thermal_energy``, ``heating`` and ``dhw`` from the per-purpose sensors,
  ``defrost`` electricity from ``electrical_energy_defrost`` (a subset of
  heating + dhw, as in the live sensors). COP = Σ heat / Σ electricity.
  Mean outdoor and flow temperatures are heat-weighted (weights: hours with
  positive heat and the temperature known), and the Carnot COP and % of
  Carnot use :func:`~.analytics.carnot_cop` on those means.
* **Months** (calendar months in the given time zone): electricity, heat,
  COP, hours with data: the seasonal COP month by month.
* **Outdoor-temperature bins** of the hour's *mean* outdoor temperature:
  bin ``k`` holds hours with ``k × width ≤ mean < (k + 1) × width``. An hour
  is one point, so a bin is coarser than the recorder's per-interval bins.
* **Compressor starts** from the hourly change of ``compressor_starts``.
* **Not available** from hourly figures: sessions, defrost counts and
  durations, time in each mode: ``sessions`` is empty and
  ``sessions_available`` is False; a summary from the recorder has them.
* **Coverage**: ``hours_with_data`` are hours where either energy is known;
  ``coverage_pct`` = hours with data / hours of the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
import math
from typing import Any, Final

from custom_components.heatpump_stats.model.timeutil import as_utc, dt_to_json

from .sample import carnot_cop, carnot_percent

SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Hour:
    """One hour's figures; energies are the hour's change (kWh), temperatures its mean (°C)."""

    start: datetime
    electrical_energy: float | None = None
    thermal_energy: float | None = None
    electrical_energy_heating: float | None = None
    electrical_energy_dhw: float | None = None
    electrical_energy_defrost: float | None = None
    thermal_energy_heating: float | None = None
    thermal_energy_dhw: float | None = None
    outside_temperature: float | None = None
    flow_temperature: float | None = None
    compressor_starts: float | None = None


#: The Hour fields that are an hour's change of a counter (the energies, the starts).
CHANGE_FIELDS: Final = (
    "electrical_energy",
    "thermal_energy",
    "electrical_energy_heating",
    "electrical_energy_dhw",
    "electrical_energy_defrost",
    "thermal_energy_heating",
    "thermal_energy_dhw",
    "compressor_starts",
)
#: The Hour fields that are an hour's mean.
MEAN_FIELDS: Final = ("outside_temperature", "flow_temperature")


def _num(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0.0 else None


class _Acc:
    """Electricity, heat and heat-weighted temperatures of one purpose, bin or month."""

    __slots__ = ("elec", "flow_w", "heat", "hours", "out_w", "w_flow", "w_out")

    def __init__(self) -> None:
        self.elec = 0.0
        self.heat = 0.0
        self.hours = 0
        self.out_w = 0.0  # Σ heat × outdoor
        self.w_out = 0.0  # Σ heat where outdoor known
        self.flow_w = 0.0
        self.w_flow = 0.0

    def add(self, elec: float, heat: float, out: float | None, flow: float | None) -> None:
        self.elec += elec
        self.heat += heat
        self.hours += 1
        if heat > 0.0:
            if out is not None:
                self.out_w += heat * out
                self.w_out += heat
            if flow is not None:
                self.flow_w += heat * flow
                self.w_flow += heat

    @property
    def cop(self) -> float | None:
        return _ratio(self.heat, self.elec)

    def to_dict(self) -> dict[str, Any]:
        out = self.out_w / self.w_out if self.w_out > 0.0 else None
        flow = self.flow_w / self.w_flow if self.w_flow > 0.0 else None
        return {
            "electrical_energy": self.elec,
            "thermal_energy": self.heat,
            "cop": self.cop,
            "flow_temperature_mean": flow,
            "outside_temperature_mean": out,
            "carnot_cop": carnot_cop(flow, out),
            "carnot_pct": carnot_percent(self.cop, flow, out),
            "hours": float(self.hours),
        }


def summarize_hours(
    hours: Iterable[Hour],
    *,
    start: datetime,
    end: datetime,
    time_zone: tzinfo,
    bin_width_k: float = 1.0,
    history: str = "statistics",
) -> dict[str, Any]:
    """Summarise the hours that start in [start, end) (see the module docstring).

    The caller reads the hours up to now; `end` may lie ahead of now, and the
    coverage is then a share of the whole period, as a recorder summary's is.
    """
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        raise ValueError("end must be after start")
    if bin_width_k <= 0:
        raise ValueError("bin width must be positive")
    combined, heating, dhw, defrost = _Acc(), _Acc(), _Acc(), _Acc()
    months: dict[str, _Acc] = {}
    bins: dict[int, _Acc] = {}
    bins_heating: dict[int, _Acc] = {}
    unbinned = _Acc()
    starts = 0.0
    starts_known = False
    with_data = 0
    first: datetime | None = None
    last: datetime | None = None
    for hour in hours:
        ts = as_utc(hour.start)
        if ts < start or ts >= end:
            continue
        elec, heat = _num(hour.electrical_energy), _num(hour.thermal_energy)
        if elec is None and heat is None:
            continue
        with_data += 1
        first = ts if first is None else first
        last = ts
        out, flow = _num(hour.outside_temperature), _num(hour.flow_temperature)
        e, h = elec or 0.0, heat or 0.0
        combined.add(e, h, out, flow)
        e_heat, h_heat = _num(hour.electrical_energy_heating), _num(hour.thermal_energy_heating)
        e_dhw, h_dhw = _num(hour.electrical_energy_dhw), _num(hour.thermal_energy_dhw)
        if e_heat is not None or h_heat is not None:
            heating.add(e_heat or 0.0, h_heat or 0.0, out, flow)
        if e_dhw is not None or h_dhw is not None:
            dhw.add(e_dhw or 0.0, h_dhw or 0.0, out, flow)
        e_def = _num(hour.electrical_energy_defrost)
        if e_def is not None:
            defrost.elec += e_def
        month = ts.astimezone(time_zone).strftime("%Y-%m")
        months.setdefault(month, _Acc()).add(e, h, out, flow)
        if out is None:
            unbinned.add(e, h, out, flow)
        else:
            k = math.floor(out / bin_width_k)
            bins.setdefault(k, _Acc()).add(e, h, out, flow)
            if e_heat is not None or h_heat is not None:
                bins_heating.setdefault(k, _Acc()).add(e_heat or 0.0, h_heat or 0.0, out, flow)
        n = _num(hour.compressor_starts)
        if n is not None:
            starts += max(n, 0.0)
            starts_known = True
    period_hours = (end - start).total_seconds() / SECONDS_PER_HOUR

    def _bins(table: dict[int, _Acc]) -> list[dict[str, Any]]:
        return [
            {
                "outside_temperature_from": k * bin_width_k,
                "outside_temperature_to": (k + 1) * bin_width_k,
                "hours": float(acc.hours),
                "electrical_energy": acc.elec,
                "thermal_energy": acc.heat,
                "cop": acc.cop,
            }
            for k, acc in sorted(table.items())
        ]

    combined_dict = combined.to_dict()
    combined_dict["compressor_starts"] = round(starts) if starts_known else None
    return {
        "start": dt_to_json(start),
        "end": dt_to_json(end),
        "history": history,
        "energy": {
            "combined": combined_dict,
            "heating": heating.to_dict(),
            "dhw": dhw.to_dict(),
        },
        "defrost": {
            "electrical_energy": defrost.elec,
            "pct_of_electricity": (
                100.0 * defrost.elec / combined.elec if combined.elec > 0.0 else None
            ),
        },
        "months": [
            {"month": month, **{k: v for k, v in acc.to_dict().items() if k != "carnot_cop"}}
            for month, acc in sorted(months.items())
        ],
        "outside_temperature_bins": {
            "bin_width_k": bin_width_k,
            "basis": "hourly_mean",
            "all": _bins(bins),
            "heating": _bins(bins_heating),
            "unbinned": None
            if unbinned.hours == 0
            else {
                "hours": float(unbinned.hours),
                "electrical_energy": unbinned.elec,
                "thermal_energy": unbinned.heat,
                "cop": unbinned.cop,
            },
        },
        "sessions": [],
        "sessions_available": False,
        "data_quality": {
            "hours": period_hours,
            "hours_with_data": float(with_data),
            "coverage_pct": 100.0 * with_data / period_hours if period_hours > 0 else None,
            "first_hour": dt_to_json(first),
            "last_hour": dt_to_json(last),
        },
    }
