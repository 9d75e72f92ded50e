"""One compressor run (session) while a summary is built: its running totals, then its summary.

Units: energy kWh, temperatures °C, time s (epoch seconds).
"""

from __future__ import annotations

from datetime import UTC, datetime

from .summary import SessionSummary


class OpenSession:
    """Running totals of one compressor run (or of a pending dhw interruption)."""

    __slots__ = (
        "defrosts",
        "dhw_s",
        "elec",
        "end",
        "flow_max",
        "flow_s",
        "flow_sum",
        "heat",
        "int_elec",
        "int_heat",
        "interruptions",
        "out_s",
        "out_sum",
        "purpose",
        "seconds",
        "start",
        "truncated",
    )

    def __init__(self, purpose: str, start: float, truncated: bool) -> None:
        self.purpose = purpose
        self.start = start
        self.end = start
        self.truncated = truncated
        self.elec = 0.0
        self.heat = 0.0
        self.seconds = 0.0
        self.dhw_s = 0.0
        self.flow_max: float | None = None
        self.flow_sum = 0.0
        self.flow_s = 0.0
        self.out_sum = 0.0
        self.out_s = 0.0
        self.defrosts = 0
        self.interruptions = 0
        self.int_elec = 0.0
        self.int_heat = 0.0

    def book(
        self, elec: float, heat: float, secs: float, flow: float | None, out: float | None
    ) -> None:
        self.elec += elec
        self.heat += heat
        self.seconds += secs
        if flow is not None:
            self.flow_sum += flow * secs
            self.flow_s += secs
            if self.flow_max is None or flow > self.flow_max:
                self.flow_max = flow
        if out is not None:
            self.out_sum += out * secs
            self.out_s += secs

    def absorb_interruption(self, other: OpenSession) -> None:
        """A short dhw run inside this heating session: count it, keep its energy apart."""
        self.interruptions += 1
        self.int_elec += other.elec + other.int_elec
        self.int_heat += other.heat + other.int_heat
        self.defrosts += other.defrosts

    def freeze(self, end: float, truncated: bool) -> SessionSummary:
        return SessionSummary(
            purpose=self.purpose,
            start=datetime.fromtimestamp(self.start, UTC),
            end=datetime.fromtimestamp(end, UTC),
            duration_s=end - self.start,
            electrical_energy=self.elec,
            thermal_energy=self.heat,
            cop=self.heat / self.elec if self.elec > 0.0 else None,
            flow_temperature_max=self.flow_max,
            flow_temperature_mean=self.flow_sum / self.flow_s if self.flow_s > 0 else None,
            outside_temperature_mean=self.out_sum / self.out_s if self.out_s > 0 else None,
            defrosts=self.defrosts,
            dhw_interruptions=self.interruptions,
            interruption_electrical_energy=self.int_elec,
            interruption_thermal_energy=self.int_heat,
            truncated=self.truncated or truncated,
        )
