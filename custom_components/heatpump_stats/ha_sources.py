"""Sources that read Home Assistant's own states: the `entities` heat pump and the `entity` meter.

They poll nothing on the network. The heat pump source also listens to state
changes and asks its coordinator for a refresh, so values arrive when the
entities change (the coordinator's debouncer batches bursts); the regular
interval keeps samples coming while nothing changes. Interpreting the states
(units, strings, staleness, mode names) is `sources.entities`' job.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, override

from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import CALLBACK_TYPE, Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .model.reading import DeviceIdentity, HeatPumpReading, MeterReading, OperatingMode
from .source_hooks import SourceHooks
from .sources.base import SourceConnectionError
from .sources.entities import (
    DEFROST_FIELD,
    FIELDS,
    RawState,
    build_reading,
    missing_required,
    reading_problems,
)

if TYPE_CHECKING:
    from .coordinator import HeatPumpCoordinator


def raw_state(hass: HomeAssistant, entity_id: str) -> RawState | None:
    """A plain snapshot of an entity's state (None when the entity does not exist)."""
    state = hass.states.get(entity_id)
    if state is None:
        return None
    return RawState(
        state=state.state,
        unit=state.attributes.get(ATTR_UNIT_OF_MEASUREMENT),
        last_updated=max(state.last_changed, state.last_reported),
        device_class=state.attributes.get(ATTR_DEVICE_CLASS),
    )


def _identity(hass: HomeAssistant, entity_id: str) -> DeviceIdentity:
    """Manufacturer/model of the device the flow temperature entity belongs to, if any."""
    entry = er.async_get(hass).async_get(entity_id)
    device = dr.async_get(hass).async_get(entry.device_id) if entry and entry.device_id else None
    if not isinstance(device, dr.DeviceEntry) or any(
        domain == DOMAIN for domain, _ in device.identifiers
    ):
        # Our own entities (a demo entry's, say) describe our device, not a heat pump.
        return DeviceIdentity(manufacturer="Home Assistant", model="Heat pump from entities")
    return DeviceIdentity(
        manufacturer=device.manufacturer or "Home Assistant",
        model=device.model or "Heat pump from entities",
        sw_version=device.sw_version,
    )


class EntitiesSource(SourceHooks):
    """A heat pump made of existing entities (ESPAltherma and others)."""

    def __init__(
        self,
        hass: HomeAssistant,
        fields: Mapping[str, str],
        *,
        mode_map: Mapping[str, OperatingMode],
        stale_after: timedelta,
    ) -> None:
        """`fields` maps contract field keys (and `defrost`) to entity ids: the entry data."""
        self._hass = hass
        self._fields = {
            key: value
            for key, value in fields.items()
            if (key in FIELDS or key == DEFROST_FIELD) and isinstance(value, str) and value
        }
        self._mode_map = dict(mode_map)
        self._stale_after = stale_after
        self._identity = _identity(hass, self._fields["flow_temperature"])
        self._last_problems: dict[str, str] = {}

    @property
    def identity(self) -> DeviceIdentity:
        """The device behind the entities, as far as the registry knows it."""
        return self._identity

    async def async_read(self) -> HeatPumpReading:
        """Build a reading from the entities' current states."""
        states = {key: raw_state(self._hass, entity_id) for key, entity_id in self._fields.items()}
        reading = build_reading(
            states, now=dt_util.utcnow(), mode_map=self._mode_map, stale_after=self._stale_after
        )
        self._last_problems = reading_problems(reading)
        if missing := missing_required(reading):
            raise SourceConnectionError(
                "; ".join(
                    f"{self._fields[key]}: {self._last_problems.get(key, 'no value')}"
                    for key in missing
                )
            )
        return reading

    @callback
    def async_listen(self, on_change: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `on_change` whenever one of the entities changes; returns the unsubscribe."""

        @callback
        def _changed(_event: Event[EventStateChangedData]) -> None:
            on_change()

        return async_track_state_change_event(self._hass, list(self._fields.values()), _changed)

    @callback
    @override
    def async_bind(self, coordinator: HeatPumpCoordinator) -> CALLBACK_TYPE:
        """Push: a changed entity asks for a refresh (the debouncer batches bursts)."""
        entry = coordinator.config_entry

        @callback
        def _entities_changed() -> None:
            entry.async_create_background_task(
                self._hass, coordinator.async_request_refresh(), "heatpump_stats entities refresh"
            )

        return self.async_listen(_entities_changed)

    def state_to_store(self) -> None:
        """Nothing to keep: Home Assistant has the states."""
        return

    def diagnostics(self) -> dict[str, Any]:
        """The entity ids and why values were missing last time."""
        return {"entities": dict(self._fields), "problems": dict(self._last_problems)}

    async def async_close(self) -> None:
        """Nothing to close."""


class EntityMeter:
    """The `entity` meter: any power and/or energy entity."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        power_entity: str | None,
        energy_entity: str | None,
        stale_after: timedelta,
        clock: Callable[[], Any] = dt_util.utcnow,
    ) -> None:
        """At least one of the two entities is set (the config flow makes sure)."""
        self._hass = hass
        self._fields = {
            key: value
            for key, value in (
                ("electrical_power", power_entity),
                ("electrical_energy", energy_entity),
            )
            if value
        }
        self._stale_after = stale_after
        self._clock = clock
        self._last_problems: dict[str, str] = {}

    @property
    def identity(self) -> DeviceIdentity:
        """A meter that is an entity."""
        return DeviceIdentity(manufacturer="Home Assistant", model="Energy entity")

    async def async_read(self) -> MeterReading:
        """Power (W) and energy (kWh) from the entities, converted."""
        states = {key: raw_state(self._hass, entity_id) for key, entity_id in self._fields.items()}
        reading = build_reading(
            states, now=self._clock(), mode_map={}, stale_after=self._stale_after
        )
        self._last_problems = reading_problems(reading)
        if reading.electrical_power is None and reading.electrical_energy is None:
            raise SourceConnectionError(
                "; ".join(f"{self._fields[k]}: {v}" for k, v in self._last_problems.items())
                or "no value"
            )
        return MeterReading(
            timestamp=reading.timestamp,
            power=reading.electrical_power,
            energy=reading.electrical_energy,
        )

    def diagnostics(self) -> dict[str, Any]:
        """The entity ids and why values were missing last time."""
        return {"entities": dict(self._fields), "problems": dict(self._last_problems)}

    async def async_close(self) -> None:
        """Nothing to close."""
