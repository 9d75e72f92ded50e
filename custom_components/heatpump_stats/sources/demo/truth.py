"""The simulation's ground truth: what the engine's figures are checked against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from custom_components.heatpump_stats.model.reading import OperatingMode

_MODES = tuple(m.value for m in OperatingMode)


def zero_modes() -> dict[str, float]:
    """Zero seconds in each operating mode."""
    return dict.fromkeys(_MODES, 0.0)


@dataclass(slots=True)
class DemoTruth:
    """Ground truth accumulated since the simulation began (kWh, counts, seconds).

    Heat is net of defrosts (defrost heat is negative). A defrost's heat and
    electricity count towards the purpose (heating/dhw) running when it began and
    are also totalled in the ``*_defrost`` fields. Electricity used while the
    compressor is off is in ``electrical_energy_standby``, so
    heating + dhw + standby = total for electricity, heating + dhw = total for heat.
    """

    thermal_energy: float = 0.0
    electrical_energy: float = 0.0
    thermal_energy_heating: float = 0.0
    thermal_energy_dhw: float = 0.0
    electrical_energy_heating: float = 0.0
    electrical_energy_dhw: float = 0.0
    electrical_energy_defrost: float = 0.0
    thermal_energy_defrost: float = 0.0
    electrical_energy_standby: float = 0.0
    compressor_starts: int = 0
    defrost_count: int = 0
    seconds_by_mode: dict[str, float] = field(default_factory=zero_modes)

    @property
    def cop(self) -> float | None:
        """Overall COP (heat / electricity) so far, None before any electricity."""
        if self.electrical_energy <= 0.0:
            return None
        return self.thermal_energy / self.electrical_energy

    def copy(self) -> DemoTruth:
        """An independent snapshot."""
        return DemoTruth.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        return {
            "thermal_energy": self.thermal_energy,
            "electrical_energy": self.electrical_energy,
            "thermal_energy_heating": self.thermal_energy_heating,
            "thermal_energy_dhw": self.thermal_energy_dhw,
            "electrical_energy_heating": self.electrical_energy_heating,
            "electrical_energy_dhw": self.electrical_energy_dhw,
            "electrical_energy_defrost": self.electrical_energy_defrost,
            "thermal_energy_defrost": self.thermal_energy_defrost,
            "electrical_energy_standby": self.electrical_energy_standby,
            "compressor_starts": self.compressor_starts,
            "defrost_count": self.defrost_count,
            "seconds_by_mode": dict(self.seconds_by_mode),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoTruth:
        seconds = zero_modes()
        seconds.update({str(k): float(v) for k, v in data.get("seconds_by_mode", {}).items()})
        return cls(
            thermal_energy=float(data["thermal_energy"]),
            electrical_energy=float(data["electrical_energy"]),
            thermal_energy_heating=float(data["thermal_energy_heating"]),
            thermal_energy_dhw=float(data["thermal_energy_dhw"]),
            electrical_energy_heating=float(data["electrical_energy_heating"]),
            electrical_energy_dhw=float(data["electrical_energy_dhw"]),
            electrical_energy_defrost=float(data["electrical_energy_defrost"]),
            thermal_energy_defrost=float(data["thermal_energy_defrost"]),
            electrical_energy_standby=float(data.get("electrical_energy_standby", 0.0)),
            compressor_starts=int(data["compressor_starts"]),
            defrost_count=int(data["defrost_count"]),
            seconds_by_mode=seconds,
        )
