"""Viessmann source: PyViCare fed recorded-style JSON; only the Viessmann cloud is faked.

The fake is an ``AbstractViCareOAuthManager`` (like HA's ``ConfigEntryAuth``)
whose HTTP session is a stand-in for the cloud: it answers by URL from the
fixtures in ``tests/fixtures/vicare`` and records every request that reaches
it. PyViCare's own code (error detection, token retry, cached service,
getters) runs for real.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
import math
from pathlib import Path
from typing import Any

import pytest
from PyViCare import Feature
from PyViCare.PyViCareAbstractOAuthManager import API_BASE_URL, AbstractViCareOAuthManager
import PyViCare.PyViCareCachedServiceBase as cached_service_base
from PyViCare.PyViCareUtils import PyViCareInvalidCredentialsError
import requests

from custom_components.heatpump_stats.engine.core import Engine, EngineConfig
from custom_components.heatpump_stats.model.api_rate_limit import BudgetExceeded, CallBudget
from custom_components.heatpump_stats.model.reading import READING_UNITS, OperatingMode
from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceConnectionError,
    SourceDataError,
)
from custom_components.heatpump_stats.sources.viessmann import (
    REDACTED,
    CountingOAuthManager,
    GatewayFeed,
    RateLimited,
    ViessmannDevice,
    ViessmannSource,
    is_heat_pump,
    list_devices,
    operating_mode_from,
    redact_features,
)
from tests.simulators.vicare_cloud import (
    BULK_URL,
    FEATURES_URL,
    HEAT_PUMP,
    INSTALLATIONS_URL,
    FakeCloud,
    FakeResponse,
    bulk_features,
    heat_pump,
    load,
)
from tests.sources.realdata import realdata_dir, realdata_path

T0 = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
RESET = datetime(2026, 1, 10, 13, 0, tzinfo=UTC)  # rate_limit.json's limitReset


class FakeViCareAuth(AbstractViCareOAuthManager):
    """Like HA's ConfigEntryAuth: PyViCare's own get() over a session (here the fake cloud)."""

    def __init__(self, cloud: FakeCloud) -> None:
        super().__init__(cloud)
        self.renewals = 0
        self.renew_error: Exception | None = None

    def renewToken(self) -> None:
        self.renewals += 1
        if self.renew_error is not None:
            raise self.renew_error


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def cloud() -> FakeCloud:
    cloud = FakeCloud()
    cloud.answer(INSTALLATIONS_URL, FakeResponse(load("installations.json")))
    cloud.answer(FEATURES_URL, FakeResponse(load("vitocal.json")))
    return cloud


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def auth(cloud: FakeCloud) -> FakeViCareAuth:
    return FakeViCareAuth(cloud)


@pytest.fixture
def budget() -> CallBudget:
    return CallBudget()


@pytest.fixture
def manager(auth: FakeViCareAuth, budget: CallBudget, clock: Clock) -> CountingOAuthManager:
    return CountingOAuthManager(auth, budget, clock=clock)


@pytest.fixture
def source(manager: CountingOAuthManager) -> ViessmannSource:
    return ViessmannSource(manager, HEAT_PUMP)


def features_with(changes: dict[str, dict[str, Any] | None]) -> dict[str, Any]:
    """The device fixture with some features' properties replaced (None: feature removed)."""
    data = load("vitocal.json")
    kept = []
    for feature in data["data"]:
        name = feature["feature"]
        if name in changes:
            if changes[name] is None:
                continue
            feature["properties"].update(changes[name])
        kept.append(feature)
    data["data"] = kept
    return data


# ---------------------------------------------------------------------------
# Devices
# ---------------------------------------------------------------------------
def test_list_devices_returns_the_heat_pumps_in_one_call(
    cloud: FakeCloud, manager: CountingOAuthManager, budget: CallBudget
) -> None:
    devices = list_devices(manager)

    assert [d.unique_id for d in devices] == [
        "1234567_7736172201234567_0",
        "1234567_7736172209876543_0",
    ]
    first, second = devices
    assert (first.installation_id, first.gateway_serial, first.device_id, first.model) == (
        1234567,
        "7736172201234567",
        "0",
        "CU401B_G",
    )
    assert "type:heatpump" in first.roles
    assert first.online is True
    assert (second.model, second.online) == ("E3_Vitocal", False)
    # Gateways, room control, zigbee TRVs and the E3 energy manager are skipped.
    assert cloud.requests == [API_BASE_URL + INSTALLATIONS_URL]
    assert manager.calls == 1
    assert budget.used(T0) == 1


@pytest.mark.parametrize(
    ("model", "device_type", "roles", "expected"),
    [
        ("CU401B_G", "heating", ["type:legacy"], True),  # by model (PyViCare's pattern)
        ("E3_Vitocal", "heating", ["type:E3", "type:heatpump"], True),  # by role
        ("Vitodens_200W", "heating", ["type:boiler"], False),
        ("E3_HEMS", "heating", ["type:E3", "type:hems"], False),
        ("Heatbox2_SRC", "vitoconnect", ["type:gateway;VitoconnectOpto2/OT2"], False),
        ("E3_TCU10_x07", "tcu", ["type:gateway;TCU300"], False),
        ("Smart_Device_eTRV_generic_50", "zigbee", ["type:radiator"], False),
    ],
)
def test_is_heat_pump(model: str, device_type: str, roles: list[str], expected: bool) -> None:
    assert is_heat_pump(model, device_type, roles) is expected


def test_device_round_trips_through_entry_data() -> None:
    stored = json.loads(json.dumps(HEAT_PUMP.to_dict()))
    assert ViessmannDevice.from_dict(stored) == HEAT_PUMP
    assert ViessmannDevice.from_dict(stored).unique_id == "1234567_7736172201234567_0"


def test_list_devices_without_data_is_a_data_error(
    cloud: FakeCloud, manager: CountingOAuthManager
) -> None:
    cloud.answer(INSTALLATIONS_URL, FakeResponse({"cursor": {"next": ""}}))
    with pytest.raises(SourceDataError):
        list_devices(manager)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def test_read_maps_the_recorded_vitocal(source: ViessmannSource) -> None:
    reading = source.read(T0)

    assert reading.timestamp == T0
    assert reading.outside_temperature == 3.2
    # The heat pump's own outlet/inlet (secondary circuit), not heating circuit 0 (33.8)
    # nor the common return sensor (29.4).
    assert reading.return_temperature == 29.6
    assert reading.flow_temperature == 35.1
    assert reading.dhw_temperature == 47.3
    assert reading.compressor_modulation == 55.0
    assert reading.rated_thermal_power == 16.0
    assert reading.flow_rate == 21.0  # 1260 l/h
    assert reading.compressor_running is True
    # Circuit 0's pump runs; the DHW circulation pump (off) is not the heat pump's flow.
    assert reading.circulation_pump is True
    assert reading.extra["dhw_circulation_pump"] == "off"
    assert reading.defrost_active is False  # compressor phase "heating"
    assert reading.operating_mode is OperatingMode.HEATING
    assert reading.electrical_power is None
    assert reading.thermal_power is None
    assert reading.extra["supply_temperature_circuit_1"] == 41.5
    assert reading.extra["secondary_supply_temperature"] == 35.1
    assert reading.extra["compressor_starts"] == 4321.0
    assert reading.extra["circuit_pump_circuit_0"] == "on"


def test_settings_keys_are_present_and_canonical(source: ViessmannSource) -> None:
    settings = source.read(T0).settings
    per_circuit = [
        "heating_schedule",
        "current_desired_temperature",
        "comfort_temperature",
        "normal_temperature",
        "reduced_temperature",
        "operating_program",
        "operating_mode",
        "heating_curve_slope",
        "heating_curve_shift",
    ]
    expected = {f"{k}_circuit_{c}" for k in per_circuit for c in ("0", "1")} | {
        "dhw_target_temperature",
        "dhw_target_temperature_2",
        "dhw_schedule",
        "dhw_operating_mode",
        "circulation_schedule",
    }
    assert set(settings) == expected
    assert settings["current_desired_temperature_circuit_0"] == 20.5  # program "normal"
    assert settings["current_desired_temperature_circuit_1"] == 18.0  # program "reduced"
    assert settings["comfort_temperature_circuit_0"] == 22.0
    assert settings["comfort_temperature_circuit_1"] is None  # circuit 1 has no comfort program
    assert settings["normal_temperature_circuit_1"] == 21.0
    assert settings["reduced_temperature_circuit_0"] == 17.0
    assert settings["operating_program_circuit_0"] == "normal"
    assert settings["operating_mode_circuit_1"] == "dhwAndHeating"
    assert settings["heating_curve_slope_circuit_1"] == 1.1
    assert settings["dhw_target_temperature"] == 50.0
    assert settings["dhw_target_temperature_2"] == 60.0
    assert settings["dhw_operating_mode"] is None  # this device has no separate DHW mode

    for key in ("heating_schedule_circuit_0", "dhw_schedule", "circulation_schedule"):
        text = settings[key]
        assert isinstance(text, str)
        parsed = json.loads(text)
        assert json.dumps(parsed, sort_keys=True, separators=(",", ":")) == text
        assert set(parsed) == {"active", "mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    assert json.loads(str(settings["circulation_schedule"]))["mon"] == [
        {"start": "06:30", "end": "07:30", "mode": "5/25-cycles", "position": 0}
    ]
    circuit_1 = json.loads(str(settings["heating_schedule_circuit_1"]))
    assert [p["start"] for p in circuit_1["sat"]] == ["06:00", "17:00"]


def test_vendor_figures_go_to_extra(source: ViessmannSource) -> None:
    extra = source.read(T0).extra
    assert extra["vendor_scop_total"] == 4.1
    assert extra["vendor_scop_heating"] == 4.3
    assert extra["vendor_scop_dhw"] == 3.2
    assert extra["vendor_spf_total"] == 3.9
    assert "vendor_cop_total" not in extra  # not reported by this device
    assert extra["power_consumption_heating_today_kwh"] == 12.3
    assert extra["power_consumption_dhw_last_seven_days_kwh"] == 14.7
    assert extra["power_consumption_heating_last_year_kwh"] == 4012.5
    assert extra["power_consumption_today_kwh"] == 14.4  # the device's own total
    assert extra["power_consumption_this_year_kwh"] == 285.8
    assert extra["heat_production_heating_today_kwh"] == 49.8
    assert extra["heat_production_today_kwh"] == pytest.approx(56.3)  # heating + dhw
    assert extra["heat_production_this_month_kwh"] == pytest.approx(1046.3)


def _feature(name: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "feature": name,
        "gatewayId": "7736172201234567",
        "deviceId": "0",
        "isEnabled": True,
        "isReady": True,
        "properties": properties,
        "commands": {},
        "timestamp": "2026-01-10T09:59:00.000Z",
        "uri": f"https://api.viessmann-climatesolutions.com/iot/v2/features/installations/"
        f"1234567/gateways/7736172201234567/devices/0/features/{name}",
    }


def test_green_cop_is_read_and_a_cop_of_zero_is_unknown(
    cloud: FakeCloud, source: ViessmannSource
) -> None:
    """heating.cop.green 3.9 comes out; heating.cop.cooling 0 (never cooled) is no COP."""
    data = load("vitocal.json")
    data["data"] += [
        _feature("heating.cop.green", {"value": {"type": "number", "value": 3.9}}),
        _feature("heating.cop.cooling", {"value": {"type": "number", "value": 0}}),
    ]
    cloud.answer(FEATURES_URL, FakeResponse(data))
    extra = source.read(T0).extra
    assert extra["vendor_cop_green"] == 3.9
    assert "vendor_cop_cooling" not in extra


@pytest.mark.parametrize(
    ("internal", "running", "expected"),
    [
        # The heat pump's own pump runs: water flows (circuit pump state does not matter).
        ("on", False, True),
        # It stands still with the compressor off: no flow, even with circuit 0's pump on.
        ("off", False, False),
        # Compressor running with the pump reading off: unknown, never "no flow".
        ("off", True, None),
    ],
)
def test_e3_internal_pump_is_the_heat_pump_flow(
    cloud: FakeCloud, source: ViessmannSource, internal: str, running: bool, expected: bool | None
) -> None:
    data = features_with(
        {"heating.compressors.0": {"active": {"type": "boolean", "value": running}}}
    )
    data["data"] += [
        _feature(
            "heating.boiler.pumps.internal", {"status": {"type": "string", "value": internal}}
        ),
        _feature(
            "heating.boiler.pumps.internal.current",
            {"value": {"type": "number", "unit": "percent", "value": 51}},
        ),
    ]
    cloud.answer(FEATURES_URL, FakeResponse(data))
    reading = source.read(T0)
    assert reading.extra["circuit_pump_circuit_0"] == "on"
    assert reading.extra["internal_pump"] == internal
    assert reading.extra["internal_pump_speed_pct"] == 51.0
    assert reading.circulation_pump is expected


def test_one_call_per_poll_and_none_for_setup(
    cloud: FakeCloud, manager: CountingOAuthManager, budget: CallBudget
) -> None:
    source = ViessmannSource(manager, HEAT_PUMP)
    assert cloud.requests == []  # building the source costs nothing
    assert source.calls_per_poll == 1
    for i in range(3):
        source.read(T0 + timedelta(minutes=i))
        assert cloud.count(FEATURES_URL) == i + 1
    assert len(cloud.requests) == 3
    assert manager.calls == 3
    assert budget.used(T0 + timedelta(minutes=3)) == 3


def test_getters_never_refetch_within_a_read(
    cloud: FakeCloud, source: ViessmannSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    class JumpingTimer:
        """PyViCare's clock, jumping 2 h per look (a DST change, a slow executor...)."""

        now_value = datetime(2026, 1, 10, 10, 0)

        def now(self) -> datetime:
            JumpingTimer.now_value += timedelta(hours=2)
            return JumpingTimer.now_value

    monkeypatch.setattr(cached_service_base, "ViCareTimer", JumpingTimer)
    source.read(T0)
    assert len(cloud.requests) == 1


def test_missing_features_give_none_not_errors(cloud: FakeCloud, source: ViessmannSource) -> None:
    cloud.answer(
        FEATURES_URL,
        FakeResponse(
            features_with(
                {
                    "heating.sensors.temperature.outside": None,
                    "heating.compressors.0.power": None,
                    "heating.dhw.pumps.circulation.schedule": None,
                    "heating.circuits.1.sensors.temperature.supply": None,
                    "heating.scop.total": None,
                }
            )
        ),
    )
    reading = source.read(T0)
    assert reading.outside_temperature is None
    assert reading.rated_thermal_power is None
    assert reading.settings["circulation_schedule"] is None
    assert reading.extra["supply_temperature_circuit_1"] is None
    assert "vendor_scop_total" not in reading.extra
    assert reading.return_temperature == 29.6  # the rest is unaffected


def test_an_empty_feature_list_reads_as_all_none(cloud: FakeCloud, source: ViessmannSource) -> None:
    cloud.answer(FEATURES_URL, FakeResponse({"data": []}))
    reading = source.read(T0)
    assert reading.outside_temperature is None
    assert reading.flow_temperature is None
    assert reading.compressor_running is None
    assert reading.operating_mode is None
    assert reading.settings["dhw_schedule"] is None


def test_e3_program_names_and_compressor_without_active_flag(
    cloud: FakeCloud, source: ViessmannSource
) -> None:
    data = load("vitocal.json")
    for feature in data["data"]:
        for program in ("comfort", "normal", "reduced"):
            old = f"heating.circuits.0.operating.programs.{program}"
            if feature["feature"] == old:
                feature["feature"] = f"{old}Heating"
    data["data"] = [f for f in data["data"] if f["feature"] != "heating.compressors.0"]
    for feature in data["data"]:
        if feature["feature"] == "heating.circuits.0.operating.programs.active":
            feature["properties"]["value"]["value"] = "normalHeating"
    cloud.answer(FEATURES_URL, FakeResponse(data))

    reading = source.read(T0)
    assert reading.settings["normal_temperature_circuit_0"] == 20.5
    assert reading.settings["comfort_temperature_circuit_0"] == 22.0
    assert reading.settings["current_desired_temperature_circuit_0"] == 20.5
    # No "active" flag: running from modulation (55 %).
    assert reading.compressor_running is True
    assert reading.operating_mode is OperatingMode.HEATING


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"heating.dhw.charging": {"active": {"type": "boolean", "value": True}}}, "dhw"),
        (
            {
                "heating.compressors.0": {"active": {"type": "boolean", "value": False}},
                "heating.compressors.0.sensors.power": {
                    "value": {"type": "number", "unit": "percent", "value": 0}
                },
            },
            "standby",
        ),
        (
            {
                "heating.compressors.0": {"active": {"type": "boolean", "value": False}},
                "heating.circuits.0.operating.modes.active": {
                    "value": {"type": "string", "value": "standby"}
                },
                "heating.circuits.1.operating.modes.active": {
                    "value": {"type": "string", "value": "standby"}
                },
            },
            "off",
        ),
    ],
)
def test_operating_mode_from_the_recorded_device(
    cloud: FakeCloud, source: ViessmannSource, changes: dict[str, Any], expected: str
) -> None:
    cloud.answer(FEATURES_URL, FakeResponse(features_with(changes)))
    assert source.read(T0).operating_mode == OperatingMode(expected)


_IDLE: dict[str, Any] = {
    "defrost": None,
    "compressor_running": False,
    "dhw_charging": False,
    "valve_position": None,
    "compressor_phase": None,
    "circuit_programs": ["normal"],
    "circuit_modes": ["dhwAndHeating"],
    "dhw_mode": None,
}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"defrost": True, "compressor_running": True}, OperatingMode.DEFROST),
        ({"compressor_phase": "defrost"}, OperatingMode.DEFROST),
        ({"dhw_charging": True}, OperatingMode.DHW),
        (
            {"compressor_running": True, "valve_position": "domesticHotWater"},
            OperatingMode.DHW,
        ),
        ({"valve_position": "domesticHotWater"}, OperatingMode.STANDBY),  # valve parked
        ({"compressor_running": True}, OperatingMode.HEATING),
        (
            {"compressor_running": True, "circuit_programs": ["normalCooling"]},
            OperatingMode.COOLING,
        ),
        ({"compressor_running": True, "compressor_phase": "cooling"}, OperatingMode.COOLING),
        ({}, OperatingMode.STANDBY),
        ({"circuit_modes": ["standby", "standby"]}, OperatingMode.OFF),  # legacy: no DHW mode
        ({"circuit_modes": ["standby"], "dhw_mode": "off"}, OperatingMode.OFF),
        ({"circuit_modes": ["standby"], "dhw_mode": "efficient"}, OperatingMode.STANDBY),
        ({"compressor_running": None}, None),
        ({"compressor_running": None, "circuit_modes": ["standby"]}, OperatingMode.OFF),
    ],
)
def test_operating_mode_rule(changes: dict[str, Any], expected: OperatingMode | None) -> None:
    assert operating_mode_from(**(_IDLE | changes)) is expected


def test_identity_and_diagnostics(source: ViessmannSource) -> None:
    """Diagnostics carry every feature, with the gateway serial and installation id scrubbed."""
    assert source.identity.manufacturer == "Viessmann"
    assert source.identity.model == "CU401B_G"
    assert source.identity.serial_number == "7736172201234567"
    assert source.diagnostics()["features"] is None
    source.read(T0)
    diag = source.diagnostics()
    # Expected by hand from the fixture: every feature and command URI names
    # ".../installations/1234567/gateways/7736172201234567/..."; both ids become
    # **REDACTED**, every "gatewayId" is redacted, and the one private feature of
    # this dump (heating.controller.serial, value 7723181102527121) has every string
    # of its properties redacted (its value and, with it, the "type" string).
    # Everything else is the cloud's payload unchanged.
    raw_text = json.dumps(load("vitocal.json")["data"])
    assert raw_text.count("/installations/1234567/gateways/7736172201234567/") > 58
    expected = json.loads(
        raw_text.replace(
            "/installations/1234567/gateways/7736172201234567/",
            "/installations/**REDACTED**/gateways/**REDACTED**/",
        )
    )
    for feature in expected:
        feature["gatewayId"] = "**REDACTED**"
        if feature["feature"] == "heating.controller.serial":
            feature["properties"] = {"value": {"type": "**REDACTED**", "value": "**REDACTED**"}}
    assert diag["features"] == expected
    # (The "device" block is redacted by diagnostics.py's TO_REDACT keys.)
    shown = json.dumps(diag["features"])
    for secret in ("7736172201234567", "1234567", "7723181102527121"):
        assert secret not in shown
    assert diag["api_calls"] == 1
    assert diag["device"]["device_id"] == "0"
    assert diag["last_read"] == T0.isoformat()


# ---------------------------------------------------------------------------
# Errors and the budget
# ---------------------------------------------------------------------------
def test_rate_limit_blocks_the_budget_until_the_reset(
    cloud: FakeCloud,
    source: ViessmannSource,
    budget: CallBudget,
    clock: Clock,
) -> None:
    cloud.answer(
        FEATURES_URL, FakeResponse(load("rate_limit.json"), 429), FakeResponse(load("vitocal.json"))
    )
    with pytest.raises(RateLimited) as exc:
        source.read(T0)
    assert isinstance(exc.value, SourceConnectionError)
    assert exc.value.reset_at == RESET
    assert budget.blocked_until == RESET

    # No call reaches the cloud before the reset.
    clock.now = RESET - timedelta(seconds=1)
    with pytest.raises(BudgetExceeded) as blocked:
        source.read(clock.now)
    assert blocked.value.retry_at == RESET
    assert len(cloud.requests) == 1

    clock.now = RESET
    assert source.read(clock.now).outside_temperature == 3.2
    assert len(cloud.requests) == 2


def test_rate_limit_is_caught_even_with_pyvicare_flag_off(
    cloud: FakeCloud,
    source: ViessmannSource,
    budget: CallBudget,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Feature, "raise_exception_on_rate_limit", False)
    cloud.answer(FEATURES_URL, FakeResponse(load("rate_limit.json"), 429))
    with pytest.raises(RateLimited) as exc:
        source.read(T0)
    assert exc.value.reset_at == RESET
    assert budget.blocked_until == RESET


def test_rate_limit_reset_in_the_past_still_blocks_a_minute(
    cloud: FakeCloud, source: ViessmannSource, budget: CallBudget, clock: Clock
) -> None:
    clock.now = RESET + timedelta(hours=1)  # the reported reset is already over
    cloud.answer(FEATURES_URL, FakeResponse(load("rate_limit.json"), 429))
    with pytest.raises(RateLimited) as exc:
        source.read(clock.now)
    assert exc.value.reset_at == clock.now + timedelta(seconds=60)
    assert budget.blocked_until == clock.now + timedelta(seconds=60)


def test_budget_exhaustion_raises_before_any_request(
    cloud: FakeCloud, auth: FakeViCareAuth, clock: Clock
) -> None:
    budget = CallBudget(daily_limit=2)
    source = ViessmannSource(CountingOAuthManager(auth, budget, clock=clock), HEAT_PUMP)
    source.read(T0)
    clock.now = T0 + timedelta(minutes=5)
    source.read(clock.now)
    clock.now = T0 + timedelta(minutes=10)
    with pytest.raises(BudgetExceeded) as exc:
        source.read(clock.now)
    assert exc.value.retry_at == T0 + timedelta(hours=24)
    assert len(cloud.requests) == 2


def test_two_entries_of_one_account_share_the_budget(cloud: FakeCloud, clock: Clock) -> None:
    shared = CallBudget(daily_limit=3)
    entry_a = ViessmannSource(
        CountingOAuthManager(FakeViCareAuth(cloud), shared, clock=clock), HEAT_PUMP
    )
    entry_b = ViessmannSource(
        CountingOAuthManager(FakeViCareAuth(cloud), shared, clock=clock), HEAT_PUMP
    )
    entry_a.read(T0)
    entry_b.read(T0)
    entry_a.read(T0)
    with pytest.raises(BudgetExceeded):
        entry_b.read(T0)
    assert len(cloud.requests) == 3


def test_invalid_credentials_are_an_auth_error(
    cloud: FakeCloud, auth: FakeViCareAuth, source: ViessmannSource
) -> None:
    cloud.answer(FEATURES_URL, FakeResponse(load("expired_token.json")))
    auth.renew_error = PyViCareInvalidCredentialsError()
    with pytest.raises(SourceAuthError):
        source.read(T0)
    assert auth.renewals == 1


def test_http_401_is_an_auth_error(cloud: FakeCloud, source: ViessmannSource) -> None:
    cloud.answer(
        FEATURES_URL,
        FakeResponse({"statusCode": 401, "error": "Unauthorized", "message": "Invalid token"}, 401),
    )
    with pytest.raises(SourceAuthError):
        source.read(T0)


@pytest.mark.parametrize(
    "answer",
    [
        FakeResponse(load("error_500.json"), 500),
        FakeResponse("<html>502 Bad Gateway</html>", 502, "text/html"),
        FakeResponse(load("device_offline.json"), 400),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError("connection refused"),
    ],
    ids=["http500", "http502_html", "device_offline", "timeout", "connection_error"],
)
def test_server_errors_and_timeouts_are_connection_errors(
    cloud: FakeCloud, source: ViessmannSource, answer: FakeResponse | Exception
) -> None:
    cloud.answer(FEATURES_URL, answer)
    with pytest.raises(SourceConnectionError) as exc:
        source.read(T0)
    assert not isinstance(exc.value, RateLimited)
    assert len(cloud.requests) == 1  # PyViCare does not retry these by itself


def test_exceptions_of_other_managers_are_mapped_too(budget: CallBudget, clock: Clock) -> None:
    class Raising(AbstractViCareOAuthManager):
        def __init__(self, error: Exception) -> None:
            super().__init__(None)
            self.error = error

        def renewToken(self) -> None:
            """Nothing to renew."""

        def get(self, url: str) -> Any:
            raise self.error

    for error, expected in (
        (requests.exceptions.Timeout("slow"), SourceConnectionError),
        (TimeoutError(), SourceConnectionError),
        (PyViCareInvalidCredentialsError(), SourceAuthError),
        (ValueError("bad json"), SourceDataError),
    ):
        manager = CountingOAuthManager(Raising(error), budget, clock=clock)
        with pytest.raises(expected):
            list_devices(manager)


def test_answer_without_data_is_a_data_error(cloud: FakeCloud, source: ViessmannSource) -> None:
    cloud.answer(FEATURES_URL, FakeResponse({"unexpected": True}))
    with pytest.raises(SourceDataError):
        source.read(T0)


@pytest.mark.parametrize(("count_refresh", "booked"), [(True, 3), (False, 2)])
def test_token_refresh_and_retry_are_booked(
    cloud: FakeCloud,
    auth: FakeViCareAuth,
    budget: CallBudget,
    clock: Clock,
    count_refresh: bool,
    booked: int,
) -> None:
    cloud.answer(
        FEATURES_URL, FakeResponse(load("expired_token.json")), FakeResponse(load("vitocal.json"))
    )
    manager = CountingOAuthManager(auth, budget, clock=clock, count_token_refresh=count_refresh)
    reading = ViessmannSource(manager, HEAT_PUMP).read(T0)
    assert reading.outside_temperature == 3.2
    assert auth.renewals == 1
    assert len(cloud.requests) == 2  # the first try and PyViCare's retry
    assert manager.calls == booked
    assert budget.used(T0) == booked
    assert manager.token_renewals == 1


def test_a_token_still_rejected_after_refresh_does_not_loop(
    cloud: FakeCloud, auth: FakeViCareAuth, source: ViessmannSource
) -> None:
    cloud.answer(FEATURES_URL, FakeResponse(load("expired_token.json")))
    with pytest.raises(SourceAuthError):
        source.read(T0)
    assert auth.renewals == 1
    assert len(cloud.requests) == 2


def test_wrapping_a_manager_again_keeps_a_single_hook(
    cloud: FakeCloud, auth: FakeViCareAuth, clock: Clock
) -> None:
    CountingOAuthManager(auth, CallBudget(), clock=clock)  # e.g. before a reload
    budget = CallBudget()
    manager = CountingOAuthManager(auth, budget, clock=clock)
    cloud.answer(
        FEATURES_URL, FakeResponse(load("expired_token.json")), FakeResponse(load("vitocal.json"))
    )
    ViessmannSource(manager, HEAT_PUMP).read(T0)
    assert budget.used(T0) == 3
    assert auth.renewals == 1


# ---------------------------------------------------------------------------
# Real devices: every PyViCare dump in ../shared/realdata/viessmann
# ---------------------------------------------------------------------------
# Every JSON file under ../shared/realdata/viessmann/ (all folders), one test case each.
_VIESSMANN_DUMPS = realdata_path("viessmann")
_TEMPERATURE_RANGE = (-60.0, 150.0)
# What the two-estimate check assumes where a dump lacks the input (a user's options):
# 20 l/min is a typical nominal flow of a 6-12 kW heat pump at a 5-8 K spread
# (12 kW / (20 / 60 × 4.186 × 8.2 K) on the 300-G CU401B dump: 11.4 kW by ΔT, 12.0 by modulation).
TYPICAL_FLOW_L_MIN = 20.0
TYPICAL_RATED_KW = 10.0


def _dumps() -> list[Any]:
    found = [
        pytest.param(path, id=str(path.relative_to(_VIESSMANN_DUMPS).with_suffix("")))
        for path in sorted(_VIESSMANN_DUMPS.rglob("*.json"))
    ]
    return found or [pytest.param(None, id="no-realdata")]


def _all_dumps() -> list[Path]:
    return sorted(realdata_dir("viessmann").rglob("*.json"))


def _feature_value(data: dict[str, Any], name: str, prop: str = "value") -> Any:
    """A feature's property value as the dump has it; None when absent or not connected."""
    for feature in data["data"]:
        if feature["feature"] != name:
            continue
        properties = feature.get("properties") or {}
        status = properties.get("status", {}).get("value")
        if status not in (None, "connected"):
            return None
        return properties.get(prop, {}).get("value")
    return None


def _read(path: Path | None) -> tuple[dict[str, Any], Any]:
    if path is None:
        realdata_dir("viessmann")  # skips: ../shared/realdata is not present
        pytest.skip(f"no PyViCare dumps in {_VIESSMANN_DUMPS}")
    data = json.loads(path.read_text(encoding="utf-8"))
    cloud = FakeCloud()
    cloud.answer(FEATURES_URL, FakeResponse(data))
    manager = CountingOAuthManager(FakeViCareAuth(cloud), CallBudget(), clock=Clock(T0))
    return data, ViessmannSource(manager, HEAT_PUMP).read(T0)


def _metrics(reading: Any, config: EngineConfig | None = None) -> Any:
    engine = Engine(config or EngineConfig(), UTC)
    engine.update_heat_pump(reading)
    return engine.snapshot(T0)


def _replay(path: Path | None) -> tuple[dict[str, Any], Any, Any]:
    data, reading = _read(path)
    return data, reading, _metrics(reading)


def _with_typical_inputs(reading: Any) -> EngineConfig:
    """Options a user would set where the dump lacks flow or rated power (see the constants)."""
    return EngineConfig(
        flow_rate_l_min=TYPICAL_FLOW_L_MIN if reading.flow_rate is None else None,
        rated_thermal_power_kw=TYPICAL_RATED_KW if reading.rated_thermal_power is None else None,
    )


def _heats(reading: Any) -> bool:
    return reading.compressor_running is True and not reading.defrost_active


def test_every_viessmann_dump_is_replayed() -> None:
    """The parametrization covers every file (a dump added later is not left out)."""
    files = _all_dumps()
    assert files, "the viessmann real-data folder is empty"
    assert [param.values[0] for param in _dumps()] == files


@pytest.mark.parametrize("path", _dumps())
def test_real_dump_temperatures_come_from_the_heat_pump_circuit(path: Path | None) -> None:
    """Each contract temperature is the dump's own value (°C, as sent), from the right sensor.

    Flow = the heat pump's outlet (secondary circuit supply), not heating circuit 0's supply;
    return = the secondary circuit return, else the common return sensor.
    """
    data, reading, _ = _replay(path)
    expected_flow = _feature_value(data, "heating.secondaryCircuit.sensors.temperature.supply")
    if expected_flow is None:
        circuits = [
            _feature_value(data, f"heating.circuits.{c}.sensors.temperature.supply")
            for c in range(4)
        ]
        expected_flow = next((c for c in circuits if c is not None), None)
    expected_return = _feature_value(data, "heating.secondaryCircuit.sensors.temperature.return")
    if expected_return is None:
        expected_return = _feature_value(data, "heating.sensors.temperature.return")
    expected_dhw = _feature_value(data, "heating.dhw.sensors.temperature.dhwCylinder")
    if expected_dhw is None:
        expected_dhw = _feature_value(data, "heating.dhw.sensors.temperature.hotWaterStorage")
    expected = {
        "outside_temperature": _feature_value(data, "heating.sensors.temperature.outside"),
        "flow_temperature": expected_flow,
        "return_temperature": expected_return,
        "dhw_temperature": expected_dhw,
    }
    for key, value in expected.items():
        got = getattr(reading, key)
        assert got == (None if value is None else float(value)), key
        if got is not None:
            assert _TEMPERATURE_RANGE[0] <= got <= _TEMPERATURE_RANGE[1], key
    # Every temperature that comes out at all (raw values too) is at the °C scale.
    for key, value in reading.extra.items():
        if key.endswith("_temperature") and value is not None:
            assert _TEMPERATURE_RANGE[0] <= value <= _TEMPERATURE_RANGE[1], key


@pytest.mark.parametrize("path", _dumps())
def test_real_dump_gives_no_sentinel_and_plausible_units(path: Path | None) -> None:
    """Every number is finite; flow in l/min (a 'liter' flow is l/h); modulation is a %.

    A performance factor of 0 (no cooling, no PV share) is "nothing measured", not a COP.
    """
    data, reading, metrics = _replay(path)
    for key in READING_UNITS:
        value = getattr(reading, key)
        if value is not None:
            assert math.isfinite(value), key
    for key, value in reading.extra.items():
        if isinstance(value, float):
            assert math.isfinite(value), key
        if key.startswith("vendor_"):
            assert isinstance(value, float)
            assert 0 < value <= 15, key
    flow = _feature_value(data, "heating.sensors.volumetricFlow.allengra")
    if flow is not None:
        # 1215 "liter" (Vitocal 200-S E8NEV) = 1215 l/h = 20.25 l/min, as HA's vicare reads it.
        assert reading.flow_rate == pytest.approx(flow / 60)
        assert 0 <= reading.flow_rate <= 200
    if reading.compressor_modulation is not None:
        assert 0 <= reading.compressor_modulation <= 100
    # E3 units: the compressor speed is in rps, never taken for a modulation %.
    speed = _feature_value(data, "heating.compressors.0.speed.current")
    if speed is not None:
        assert reading.extra["compressor_speed_rps"] == float(speed)
        if _feature_value(data, "heating.compressors.0.sensors.power") is None:
            assert reading.compressor_modulation is None
    for value in (metrics.thermal_power, metrics.thermal_power_delta_t):
        if value is not None:
            assert not (value == 0 and math.copysign(1.0, value) < 0), "-0.0 kW"


@pytest.mark.parametrize("path", _dumps())
def test_real_dump_running_compressor_never_gives_0_kw(path: Path | None) -> None:
    """Compressor running (not defrosting): the heat is > 0 kW or unknown, never 0 kW.

    The DHW circulation pump being off says nothing about the heat pump's water flow;
    with a typical flow configured (where the dump has none) the heat is known and > 0.
    """
    data, reading, metrics = _replay(path)
    if _heats(reading):
        assert metrics.thermal_power is None or metrics.thermal_power > 0
        if metrics.thermal_power_modulation:
            assert metrics.thermal_power is not None
        assert reading.circulation_pump is not False
        configured = _metrics(reading, _with_typical_inputs(reading))
        assert configured.thermal_power is not None
        assert configured.thermal_power > 0
    elif reading.compressor_running is False:
        # Standing still: no heat, and never a negative one.
        assert metrics.thermal_power in (None, 0.0)
    internal = _feature_value(data, "heating.boiler.pumps.internal", "status")
    if internal == "on":
        assert reading.circulation_pump is True
    elif internal == "off" and reading.compressor_running is False:
        assert reading.circulation_pump is False


@pytest.mark.parametrize("path", _dumps())
def test_real_dump_estimates_agree_within_a_factor_of_two(path: Path | None) -> None:
    """Both estimates where both exist: within 2×, else the plausible one wins and says so.

    Flow or rated power missing from the dump are set to typical values (the options a
    user would enter), so that the two estimates can be compared where the dump has a
    spread and a modulation. Where the device reports its inverter's output power, the
    heat over it is a COP between 1 and 10.
    """
    _, reading, _ = _replay(path)
    if not _heats(reading):
        return
    metrics = _metrics(reading, _with_typical_inputs(reading))
    dt, mod = metrics.thermal_power_delta_t, metrics.thermal_power_modulation
    if dt is not None and mod is not None:
        assert dt > 0
        assert mod > 0
        if max(dt, mod) / min(dt, mod) > 2:
            assert metrics.thermal_power_method is not None
            assert metrics.thermal_power_method.value.endswith("plausible")
    inverter_w = reading.extra.get("inverter_output_power_w")
    if inverter_w and inverter_w > 100 and metrics.thermal_power is not None:
        assert 1.0 <= metrics.thermal_power / (inverter_w / 1000) <= 10.0


def test_real_dumps_compare_the_two_estimates_somewhere() -> None:
    """The check above is not vacuous: some dumps heat with both estimates, and they agree.

    300-G CU401B: 100 % × 12 kW = 12.0 kW; 20 l/min / 60 × 4.186 × (44.0 − 35.8) K = 11.4 kW.
    """
    compared = {}
    for path in _all_dumps():
        _, reading = _read(path)
        if not _heats(reading):
            continue
        metrics = _metrics(reading, _with_typical_inputs(reading))
        dt, mod = metrics.thermal_power_delta_t, metrics.thermal_power_modulation
        if dt is not None and mod is not None:
            compared[path.stem] = (dt, mod)
    assert compared
    assert compared["Vitocal300G_CU401B"] == (pytest.approx(11.44, abs=0.01), 12.0)
    for dt, mod in compared.values():
        assert max(dt, mod) / min(dt, mod) <= 2


@pytest.mark.parametrize("path", _dumps())
def test_real_dump_vendor_energies_come_out(path: Path | None) -> None:
    """Figures the JSON has (green COP, weekly compressor energy, heating rod, inverter) appear."""
    data, reading, _ = _replay(path)
    extra = reading.extra
    for kind in ("scop", "spf", "cop"):
        for purpose in ("total", "heating", "dhw", "cooling", "green"):
            value = _feature_value(data, f"heating.{kind}.{purpose}")
            key = f"vendor_{kind}_{purpose}"
            if value is not None and value > 0:
                assert extra[key] == float(value)
            else:
                assert key not in extra
    for kind, key in (
        ("heat.production", "heat_production"),
        ("power.consumption", "power_consumption"),
    ):
        for purpose in ("heating", "dhw", "cooling"):
            week = _feature_value(data, f"heating.compressors.0.{kind}.{purpose}.week")
            if week is not None:
                assert extra[f"compressor_{key}_{purpose}_this_week_kwh"] == float(week)
    for purpose in ("heating", "dhw"):
        year = _feature_value(
            data, f"heating.heatingRod.power.consumption.summary.{purpose}", "currentYear"
        )
        if year is not None:
            assert extra[f"heating_rod_power_consumption_{purpose}_this_year_kwh"] == float(year)
    if (output := _feature_value(data, "heating.inverters.0.sensors.power.output")) is not None:
        assert extra["inverter_output_power_w"] == float(output)
    # None of the dumps carries a lifetime energy counter (only day/week/month/year figures).
    assert reading.electrical_energy is None
    assert reading.thermal_energy is None


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("path", _dumps())
def test_real_dump_diagnostics_keep_no_serial_or_location(path: Path | None) -> None:
    """Serial, product identification and house location features lose every value;
    gatewayId and the gateway serial inside each uri are scrubbed; the rest stays."""
    data, _reading = _read(path)
    gateway = next(f["gatewayId"] for f in data["data"] if f.get("gatewayId"))
    device = ViessmannDevice(
        installation_id=1234567, gateway_serial=gateway, device_id="0", model="dump"
    )
    scrubbed = redact_features(data["data"], device)
    assert len(scrubbed) == len(data["data"])
    private = ("serial", "productIdentification", "houseLocation")
    checked = 0
    for feature in scrubbed:
        assert feature.get("gatewayId") in (None, REDACTED)
        assert gateway not in str(feature.get("uri", ""))
        if feature["feature"].rsplit(".", 1)[-1] in private:
            values = [
                leaf
                for prop in feature["properties"].values()
                for leaf in _leaves(prop.get("value") if isinstance(prop, dict) else prop)
            ]
            assert all(v == REDACTED for v in values if v is not None), feature["feature"]
            checked += 1
    assert checked or not any(f["feature"].rsplit(".", 1)[-1] in private for f in data["data"])


def test_heat_pumps_behind_one_gateway_read_one_bulk_answer(clock: Clock) -> None:
    """Two heat pumps on one gateway: one bulk call serves both while it is fresh.

    max_age 60 s: pump 0 at 0 s fetches (1 call), pump 1 at 30 s reads it (0 calls, data
    30 s old: data_fetched_at says 0 s), pump 0 at 70 s fetches again.
    """
    cloud = FakeCloud()
    cloud.answer(BULK_URL, FakeResponse(bulk_features(["0", "1"])))
    budget = CallBudget()
    feed = GatewayFeed(1234567, "7736172201234567")
    feed.members.update({"0", "1"})
    feed.max_age = timedelta(seconds=60)
    second = heat_pump("1")
    pumps = [
        ViessmannSource(
            CountingOAuthManager(FakeViCareAuth(cloud), budget, clock=clock), device, feed
        )
        for device in (HEAT_PUMP, second)
    ]
    first = pumps[0].read(T0)
    later = pumps[1].read(T0 + timedelta(seconds=30))
    assert first.outside_temperature == later.outside_temperature == 3.2
    assert cloud.requests == [API_BASE_URL + BULK_URL]
    assert pumps[1].data_fetched_at == T0
    pumps[0].read(T0 + timedelta(seconds=70))
    assert cloud.count(BULK_URL) == 2
    assert pumps[0].data_fetched_at == T0 + timedelta(seconds=70)
    assert feed.calls_per_round == 1
