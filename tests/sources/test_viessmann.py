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
from typing import Any

import pytest
from PyViCare import Feature
from PyViCare.PyViCareAbstractOAuthManager import API_BASE_URL, AbstractViCareOAuthManager
import PyViCare.PyViCareCachedServiceBase as cached_service_base
from PyViCare.PyViCareUtils import PyViCareInvalidCredentialsError
import requests

from custom_components.heatpump_stats.engine.budget import BudgetExceeded, CallBudget
from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceConnectionError,
    SourceDataError,
)
from custom_components.heatpump_stats.sources.reading import OperatingMode
from custom_components.heatpump_stats.sources.viessmann import (
    CountingOAuthManager,
    RateLimited,
    ViessmannDevice,
    ViessmannSource,
    is_heat_pump,
    list_devices,
    operating_mode_from,
)
from tests.simulators.vicare_cloud import (
    FEATURES_URL,
    INSTALLATIONS_URL,
    FakeCloud,
    FakeResponse,
    load,
)

# PyViCare builds the rate-limit reset with datetime.utcfromtimestamp (deprecated in 3.12+).
pytestmark = pytest.mark.filterwarnings(
    "ignore:datetime.datetime.utcfromtimestamp:DeprecationWarning"
)

T0 = datetime(2026, 1, 10, 10, 0, tzinfo=UTC)
RESET = datetime(2026, 1, 10, 13, 0, tzinfo=UTC)  # rate_limit.json's limitReset
HEAT_PUMP = ViessmannDevice(
    installation_id=1234567,
    gateway_serial="7736172201234567",
    device_id="0",
    model="CU401B_G",
    roles=("type:heatpump", "type:legacy", "type:product;CU401B"),
    status="Online",
)


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
    assert reading.return_temperature == 29.4
    assert reading.flow_temperature == 33.8  # circuit 0 supply
    assert reading.dhw_temperature == 47.3
    assert reading.compressor_modulation == 55.0
    assert reading.rated_thermal_power == 16.0
    assert reading.flow_rate == 21.0  # 1260 l/h
    assert reading.compressor_running is True
    assert reading.circulation_pump is False
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
    assert reading.return_temperature == 29.4  # the rest is unaffected


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
    assert source.identity.manufacturer == "Viessmann"
    assert source.identity.model == "CU401B_G"
    assert source.identity.serial_number == "7736172201234567"
    assert source.diagnostics()["features"] is None
    source.read(T0)
    diag = source.diagnostics()
    assert diag["features"] == load("vitocal.json")["data"]
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
