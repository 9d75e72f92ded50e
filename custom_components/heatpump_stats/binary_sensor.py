"""Binary sensors: compressor, defrost and circulation pump states; short-cycling and COP alerts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import Alerts, HeatPumpData, HeatPumpStatsConfigEntry
from .engine.alerts import CopBelowExpected, ShortCycling
from .entity import HeatPumpStatsEntity
from .model.metrics import Metrics
from .sensor_descriptions import has_electricity

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class HeatPumpStatsBinarySensorDescription(BinarySensorEntityDescription):
    """A binary sensor read from the engine's metrics."""

    value_fn: Callable[[Metrics], bool | None]
    exists_fn: Callable[[HeatPumpData], bool] = lambda _: True


BINARY_SENSORS: tuple[HeatPumpStatsBinarySensorDescription, ...] = (
    HeatPumpStatsBinarySensorDescription(
        key="compressor_running",
        translation_key="compressor_running",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda m: m.compressor_running,
    ),
    HeatPumpStatsBinarySensorDescription(
        key="defrost_active",
        translation_key="defrost_active",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda m: m.defrost_active,
        exists_fn=lambda d: d.metrics.defrost_active is not None,
    ),
    HeatPumpStatsBinarySensorDescription(
        key="circulation_pump",
        translation_key="circulation_pump",
        device_class=BinarySensorDeviceClass.RUNNING,
        value_fn=lambda m: m.circulation_pump,
        exists_fn=lambda d: d.reading.circulation_pump is not None,
    ),
)


@dataclass(frozen=True, kw_only=True)
class HeatPumpStatsAlertDescription(BinarySensorEntityDescription):
    """A problem sensor read from the coordinator's alert verdicts."""

    verdict_fn: Callable[[Alerts], ShortCycling | CopBelowExpected]
    # COP needs electricity: with meter "none" the COP alert could never say anything.
    needs_electricity: bool = False


ALERT_SENSORS: tuple[HeatPumpStatsAlertDescription, ...] = (
    HeatPumpStatsAlertDescription(
        key="short_cycling",
        translation_key="short_cycling",
        device_class=BinarySensorDeviceClass.PROBLEM,
        verdict_fn=lambda a: a.short_cycling,
    ),
    HeatPumpStatsAlertDescription(
        key="cop_below_expected",
        translation_key="cop_below_expected",
        device_class=BinarySensorDeviceClass.PROBLEM,
        verdict_fn=lambda a: a.cop_below_expected,
        needs_electricity=True,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: HeatPumpStatsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors the source can fill."""
    coordinator = entry.runtime_data.heat_pump
    async_add_entities(
        HeatPumpStatsBinarySensor(entry=entry, coordinator=coordinator, description=description)
        for description in BINARY_SENSORS
        if description.exists_fn(coordinator.data)
    )
    async_add_entities(
        HeatPumpStatsAlertSensor(entry=entry, coordinator=coordinator, description=description)
        for description in ALERT_SENSORS
        if not description.needs_electricity or has_electricity(entry)
    )


class HeatPumpStatsBinarySensor(HeatPumpStatsEntity, BinarySensorEntity):
    """A heat pump state."""

    entity_description: HeatPumpStatsBinarySensorDescription

    @property
    def is_on(self) -> bool | None:
        """Return the state from the latest metrics."""
        return self.entity_description.value_fn(self.coordinator.data.metrics)


class HeatPumpStatsAlertSensor(HeatPumpStatsEntity, BinarySensorEntity):
    """A problem found in the recent history (unknown while the data is too thin)."""

    entity_description: HeatPumpStatsAlertDescription

    def _verdict(self) -> ShortCycling | CopBelowExpected | None:
        alerts = getattr(self.coordinator.data, "alerts", None)
        return None if alerts is None else self.entity_description.verdict_fn(alerts)

    @property
    def is_on(self) -> bool | None:
        """On when the problem is seen; None while the data is too thin."""
        verdict = self._verdict()
        return None if verdict is None else verdict.state

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The figures behind the verdict."""
        verdict = self._verdict()
        return None if verdict is None else verdict.attributes()
