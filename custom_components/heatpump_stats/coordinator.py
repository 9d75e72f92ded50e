"""Coordinators and runtime data of Heat Pump Stats.

One DataUpdateCoordinator per source, each at its own cadence. Data flows one
way: source -> coordinator -> engine -> entities. The coordinator maps the
sources' errors to Home Assistant's in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol, override

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .change_recorder import ChangeRecorder
from .const import (
    CONF_ENERGY_ENTITY,
    CONF_METER,
    CONF_POWER_ENTITY,
    CONF_SHELLY_HOST,
    DOMAIN,
    LOGGER,
    METER_ENTITY,
    METER_SHELLY_PRO_3EM,
    METER_SOURCE,
    STORAGE_SAVE_DELAY,
    STORAGE_VERSION,
)
from .csv_reports import CsvReports
from .engine.alerts import AlertTracker, CopBelowExpected, ShortCycling
from .engine.core import Engine, EngineConfig
from .model.metrics import Metrics
from .model.reading import DeviceIdentity, HeatPumpReading, MeterReading
from .options import EntryOptions
from .source_hooks import SourceRetryLaterError
from .sources.base import (
    HeatPumpSource,
    MeterSource,
    SourceAuthError,
    SourceDataError,
    SourceError,
)

ALERTS_STORE_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Alerts:
    """The alert verdicts of one poll."""

    short_cycling: ShortCycling
    cop_below_expected: CopBelowExpected


@dataclass(frozen=True, slots=True)
class HeatPumpData:
    """What the heat pump coordinator hands its entities."""

    reading: HeatPumpReading
    metrics: Metrics
    alerts: Alerts | None = None


@dataclass(frozen=True, slots=True)
class MeterData:
    """What the meter coordinator hands its entities."""

    reading: MeterReading
    metrics: Metrics


class PollRecorder(Protocol):
    """Keeps each heat pump poll (the change log, the CSV samples)."""

    async def async_record_poll(self, reading: HeatPumpReading, metrics: Metrics) -> None:
        """Record one poll; never raises (the readings matter more than any record)."""


def _map_source_error(err: SourceError, device: str) -> Exception:
    """One place that turns a source's error into Home Assistant's."""
    if isinstance(err, SourceAuthError):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="auth_failed",
            translation_placeholders={"device": device},
        )
    key = "invalid_data" if isinstance(err, SourceDataError) else "cannot_connect"
    retry_at = err.retry_at if isinstance(err, SourceRetryLaterError) else None
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"device": device, "error": str(err)},
        # A source that knows when it may be asked again (the Viessmann budget,
        # a rate limit) is not polled before that.
        retry_after=None
        if retry_at is None
        else max(1.0, (retry_at - dt_util.utcnow()).total_seconds()),
    )


class EntryStore:
    """Everything of one entry that must survive a restart (engine + source state)."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Create the store `.storage/heatpump_stats.<entry_id>`."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}", private=True, atomic_writes=True
        )
        self.data: dict[str, Any] = {}
        self._save_pending = False

    async def async_load(self) -> dict[str, Any]:
        """Load the stored state (empty on first start)."""
        self.data = await self._store.async_load() or {}
        return self.data

    def schedule_save(self) -> None:
        """Write within STORAGE_SAVE_DELAY; Home Assistant also flushes pending writes at stop.

        A save already scheduled is left alone: `Store.async_delay_save`
        restarts its timer on every call, and polls more frequent than the
        delay would otherwise postpone the write until shutdown.
        """
        if self._save_pending:
            return
        self._save_pending = True
        self._store.async_delay_save(self._data_to_save, STORAGE_SAVE_DELAY.total_seconds())

    def _data_to_save(self) -> dict[str, Any]:
        self._save_pending = False
        return self.data

    async def async_save(self) -> None:
        """Write now."""
        self._save_pending = False
        await self._store.async_save(self.data)

    async def async_remove(self) -> None:
        """Delete the file when the entry is removed."""
        await self._store.async_remove()


def engine_config(options: EntryOptions, data: Mapping[str, Any]) -> EngineConfig:
    """Build the engine's configuration from the entry's options and data."""
    month, day = options.season_start
    return EngineConfig(
        rated_thermal_power_kw=options.rated_thermal_power_kw,
        flow_rate_l_min=options.flow_rate_l_min,
        scan_interval_s=options.scan_interval_s,
        meter_interval_s=options.meter_scan_interval_s,
        season_start_month=month,
        season_start_day=day,
        meter_basis=meter_basis(data),
    )


def meter_basis(data: Mapping[str, Any]) -> str:
    """Which counter the electricity comes from; a change is a new basis for the total."""
    meter = str(data.get(CONF_METER, ""))
    if meter == METER_SHELLY_PRO_3EM:
        return f"{meter}:{data.get(CONF_SHELLY_HOST, '')}"
    if meter == METER_ENTITY:
        return f"{meter}:{data.get(CONF_ENERGY_ENTITY) or data.get(CONF_POWER_ENTITY) or ''}"
    return meter


class HeatPumpCoordinator(DataUpdateCoordinator[HeatPumpData]):
    """Polls the heat pump source and feeds the engine."""

    config_entry: HeatPumpStatsConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HeatPumpStatsConfigEntry,
        *,
        options: EntryOptions,
        source: HeatPumpSource,
        engine: Engine,
        store: EntryStore,
        recorders: Sequence[PollRecorder] = (),
        min_interval: timedelta | None = None,
    ) -> None:
        """Initialise with the entry's scan interval (or the source's minimum, if longer).

        `recorders` keep every poll, in this order (the change log, the CSV
        samples); none of them can fail a poll.
        """
        interval = options.scan_interval
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} heat pump {entry.title}",
            # A source with a call budget may demand a longer interval.
            update_interval=max(interval, min_interval or interval),
        )
        self.options = options
        self.source = source
        self.engine = engine
        self.store = store
        self._recorders = tuple(recorders)
        self.alerts = AlertTracker.from_dict(store.data.get("alerts"))
        self._alerts_stored: datetime | None = None
        # With meter `source` the heat pump's own electricity readings are the meter.
        self._source_is_meter = entry.data.get(CONF_METER) == METER_SOURCE

    @override
    async def _async_update_data(self) -> HeatPumpData:
        """Read the source; errors become UpdateFailed / ConfigEntryAuthFailed."""
        try:
            reading = await self.source.async_read()
        except SourceError as err:
            raise _map_source_error(err, "heat pump") from err
        # One poll: the engine learns the reading, the state is kept, the recorders get it.
        self._feed_engine(reading)
        now = dt_util.utcnow()
        metrics = self.engine.snapshot(now)
        data = HeatPumpData(reading=reading, metrics=metrics, alerts=self._alerts(now, metrics))
        self._keep_state(now)
        for recorder in self._recorders:
            await recorder.async_record_poll(reading, metrics)
        return data

    def _feed_engine(self, reading: HeatPumpReading) -> None:
        """The reading into the engine (and as the meter's, with meter `source`)."""
        self.engine.update_heat_pump(reading)
        if self._source_is_meter:
            self.engine.update_meter(
                MeterReading(
                    timestamp=reading.timestamp,
                    power=reading.electrical_power,
                    energy=reading.electrical_energy,
                )
            )

    def _keep_state(self, now: datetime) -> None:
        """What must survive a restart into the entry's store (written within a minute)."""
        self.store.data["engine"] = self.engine.to_dict()
        self.store.data["source"] = self.source.state_to_store()
        # A few hundred buckets: copied for the store every few minutes, not every poll.
        if self._alerts_stored is None or now - self._alerts_stored >= ALERTS_STORE_EVERY:
            self.store.data["alerts"] = self.alerts.to_dict()
            self._alerts_stored = now
        self.store.schedule_save()

    async def async_add_history(
        self, changes: Mapping[str, Mapping[datetime, float]], meter: MeterCoordinator | None
    ) -> None:
        """Imported hours (key -> hour start -> kWh) into the live period figures.

        After an import into the statistics (the demo's month, `import_history`),
        energy today … this year, the daily and the seasonal COP and the projection
        include those hours as the statistics do (the engine books only hours before
        its own data: nothing twice); stored at once, so a restart keeps them.
        """
        self.engine.add_history(
            changes.get("electrical_energy", {}), changes.get("thermal_energy", {})
        )
        self.store.data["engine"] = self.engine.to_dict()
        await self.store.async_save()
        metrics = self.engine.snapshot(dt_util.utcnow())
        if self.data is not None:
            self.async_set_updated_data(replace(self.data, metrics=metrics))
        if meter is not None and meter.data is not None:
            meter.async_set_updated_data(replace(meter.data, metrics=metrics))

    def _alerts(self, now: datetime, metrics: Metrics) -> Alerts:
        """Feed the alert state and judge it with the entry's thresholds."""
        self.alerts.observe(now, metrics)
        return Alerts(
            short_cycling=self.alerts.short_cycling(
                now, self.options.short_cycling_max_starts_per_hour
            ),
            cop_below_expected=self.alerts.cop_below_expected(
                now, self.options.cop_below_expected_pct
            ),
        )


class MeterCoordinator(DataUpdateCoordinator[MeterData]):
    """Polls a separate electricity meter at its own cadence and feeds the engine."""

    config_entry: HeatPumpStatsConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: HeatPumpStatsConfigEntry,
        *,
        options: EntryOptions,
        meter: MeterSource,
        engine: Engine,
        store: EntryStore,
    ) -> None:
        """Initialise with the entry's meter interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} meter {entry.title}",
            update_interval=options.meter_scan_interval,
        )
        self.meter = meter
        self.engine = engine
        self.store = store

    @override
    async def _async_update_data(self) -> MeterData:
        """Read the meter."""
        try:
            reading = await self.meter.async_read()
        except SourceError as err:
            raise _map_source_error(err, "electricity meter") from err
        self.engine.update_meter(reading)
        self.store.data["engine"] = self.engine.to_dict()
        self.store.schedule_save()
        return MeterData(reading=reading, metrics=self.engine.snapshot(dt_util.utcnow()))


@dataclass(kw_only=True)
class HeatPumpStatsRuntimeData:
    """What a loaded entry holds."""

    heat_pump: HeatPumpCoordinator
    meter: MeterCoordinator | None
    identity: DeviceIdentity
    #: The entry's options, parsed once at setup (the options flow reloads the entry).
    options: EntryOptions
    store: EntryStore
    changes: ChangeRecorder
    csv: CsvReports
    # The card's season of hourly statistics (websocket.SeasonHours), read once, then extended.
    card_hours: Any = None


type HeatPumpStatsConfigEntry = ConfigEntry[HeatPumpStatsRuntimeData]
