"""The card's figures from the integration's summaries, and the periods it shows.

Plain functions without Home Assistant: :func:`card_figures` shapes a period's
summary (from the recorder or from long-term statistics, as ``summarize``
returns it), the season's and the run-length window's into the answer of the
websocket command ``heatpump_stats/summary`` (:mod:`.websocket`);
:func:`period_start` is where each of the card's periods begins.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from .engine.core import DAILY_COP_MIN_ELECTRICAL_KWH
from .engine.periods import (
    local_midnight,
    month_start,
    season_start,
    week_start,
    year_start,
)


def period_start(period: str, now: datetime, tz: tzinfo, season: tuple[int, int]) -> datetime:
    """The local start of the current `period` (day, ISO week, month, year, heating season)."""
    today = now.astimezone(tz).date()
    if period == "day":
        day = today
    elif period == "week":
        day = week_start(today)
    elif period == "month":
        day = month_start(today)
    elif period == "year":
        day = year_start(today)
    else:
        day = season_start(today, *season)
    return local_midnight(day, tz)


#: The card shows a COP only over at least this much electricity (kWh), as the daily COP
#: sensor: in the first minutes (or a bin of a few standby minutes) heat ÷ electricity is
#: a counter's resolution or the controller's standby draw, not the heat pump's COP.
MIN_COP_ELECTRICAL_KWH = DAILY_COP_MIN_ELECTRICAL_KWH
#: Starts per day are shown after this much data (h); before, the card shows the count
#: (one start in the first ten minutes is not 144 starts a day).
MIN_CYCLES_HOURS = 24.0


def _cop(part: Mapping[str, Any]) -> float | None:
    """The part's COP, unknown below :data:`MIN_COP_ELECTRICAL_KWH` of electricity."""
    cop = part.get("cop")
    electricity = part.get("electrical_energy")
    if cop is None or electricity is None or electricity < MIN_COP_ELECTRICAL_KWH:
        return None
    return float(cop)


def _energy(part: Mapping[str, Any] | None) -> dict[str, Any]:
    part = part or {}
    return {
        "electrical_energy": part.get("electrical_energy"),
        "thermal_energy": part.get("thermal_energy"),
        "cop": _cop(part),
    }


def _mean_run_minutes(sessions: list[Mapping[str, Any]]) -> tuple[float | None, int]:
    """Mean length of the completed compressor runs (min) and their number.

    A run cut by the window (still running at its end, begun before it, or
    broken by a data gap) has no known length and is left out. Without a
    completed run the mean is unknown (None): a run still going is no lower
    bound worth showing (right after setup it would read "at least 1 min").
    """
    whole = [s["duration_s"] for s in sessions if not s.get("truncated")]
    if not whole:
        return None, 0
    return sum(whole) / len(whole) / 60.0, len(whole)


def card_figures(
    period_summary: Mapping[str, Any],
    season_summary: Mapping[str, Any] | None,
    run_summary: Mapping[str, Any] | None,
    *,
    history: str,
) -> dict[str, Any]:
    """The card's figures from summaries as `summarize` returns them (recorder or statistics).

    Units: kWh, °C, minutes, starts per day, %. Nothing is rounded here: the
    card rounds for reading.
    """
    energy = period_summary.get("energy", {})
    combined = energy.get("combined", {})
    defrost = period_summary.get("defrost", {})
    quality = period_summary.get("data_quality", {})
    bins = period_summary.get("outside_temperature_bins", {})
    if history == "recorder":
        covered_h = quality.get("covered_hours")
    else:
        covered_h = quality.get("hours_with_data")
    starts = combined.get("compressor_starts")
    enough = covered_h is not None and covered_h >= MIN_CYCLES_HOURS
    cycles = starts / (covered_h / 24.0) if starts is not None and enough else None
    runs = run_summary if run_summary is not None else period_summary
    run_minutes, run_count = _mean_run_minutes(list(runs.get("sessions", [])))
    season = season_summary or {}
    return {
        "history": history,
        "cop": _cop(combined),
        "energy": {
            "total": _energy(combined),
            "heating": _energy(energy.get("heating")),
            "dhw": _energy(energy.get("dhw")),
            "defrost": {
                "electrical_energy": defrost.get("electrical_energy"),
                "thermal_energy": defrost.get("thermal_energy"),
                "count": defrost.get("count"),
                "pct_of_electricity": defrost.get("pct_of_electricity"),
            },
        },
        "bin_width_k": bins.get("bin_width_k"),
        "bins": [
            {
                "from": b["outside_temperature_from"],
                "to": b["outside_temperature_to"],
                "hours": b["hours"],
                "electrical_energy": b["electrical_energy"],
                "thermal_energy": b["thermal_energy"],
                "cop": _cop(b),
            }
            for b in bins.get("all", [])
        ],
        "compressor_starts": starts,
        "cycles_per_day": cycles,
        "run_length_minutes": run_minutes,
        "runs": run_count,
        "run_length_from": None if run_summary is None else run_summary.get("start"),
        "carnot_pct": combined.get("carnot_pct") if _cop(combined) is not None else None,
        "flow_temperature_mean": combined.get("flow_temperature_mean"),
        "outside_temperature_mean": combined.get("outside_temperature_mean"),
        "coverage_pct": quality.get("coverage_pct"),
        "season": {
            "start": season.get("start"),
            "cop": _cop(season.get("energy", {}).get("combined", {})),
            "electrical_energy": season.get("energy", {})
            .get("combined", {})
            .get("electrical_energy"),
            "thermal_energy": season.get("energy", {}).get("combined", {}).get("thermal_energy"),
            "months": [
                {
                    "month": m["month"],
                    "cop": _cop(m),
                    "electrical_energy": m["electrical_energy"],
                    "thermal_energy": m["thermal_energy"],
                }
                for m in season.get("months", [])
            ],
        },
    }
