"""Config flow and options flow (calls of the flow manager; tests/test_flow_walk.py drives the
same forms over HTTP as the frontend does).

Coverage of config_flow.py (HA's Bronze rule: 100 %):
    scripts/coverage_config_flow
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntryState,
    ConfigFlowResult,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.heatpump_stats.config_flow import HeatPumpStatsConfigFlow
from custom_components.heatpump_stats.const import DOMAIN
from custom_components.heatpump_stats.flow_forms import device_title
from custom_components.heatpump_stats.model.api_rate_limit import BudgetExceeded
from custom_components.heatpump_stats.model.reading import DeviceIdentity
from custom_components.heatpump_stats.sensor_descriptions import ELECTRICITY_KEYS
from custom_components.heatpump_stats.sources.base import (
    SourceAuthError,
    SourceAuthRequiredError,
    SourceConnectionError,
    SourceDataError,
    SourceError,
    SourceNotThisDeviceError,
)
from custom_components.heatpump_stats.sources.viessmann import ViessmannDevice

_FLOW = "custom_components.heatpump_stats.config_flow"
_SOURCES = "custom_components.heatpump_stats.flow_sources"
_METER = "custom_components.heatpump_stats.flow_meter"
_OPTIONS = "custom_components.heatpump_stats.options_flow"


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return str(result["flow_id"])


async def test_user_flow_demo_creates_entry(
    hass: HomeAssistant, mock_setup_entry: AsyncMock
) -> None:
    """user -> demo -> meter creates one entry with the contract's keys (and sets it up once)."""
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "demo"
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "  Garden HP "})
    assert result["step_id"] == "meter"
    result = await hass.config_entries.flow.async_configure(flow_id, {"meter": "source"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garden HP"
    assert result["data"] == {"source": "demo", "name": "Garden HP", "meter": "source"}
    assert result["result"].unique_id == "demo_garden_hp"
    assert len(mock_setup_entry.mock_calls) == 1


async def test_user_step_offers_only_working_sources(hass: HomeAssistant) -> None:
    """Only sources that work are offered; others are rejected by the schema."""
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    schema = result["data_schema"].schema
    selector = next(iter(schema.values()))
    assert selector.config["options"] == [
        "demo",
        "viessmann",
        "luxtronik",
        "modbus",
        "h66",
        "entities",
    ]


async def test_duplicate_demo_name_is_a_field_error(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A second demo with the same name: the name field says so (no abort)."""
    demo_entry.add_to_hass(hass)
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "Test Heat Pump"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_taken"}


async def test_demo_name_without_letters_is_a_field_error(hass: HomeAssistant) -> None:
    """A name that slugifies to nothing is refused on its field; the flow goes on."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": " -- "})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "invalid_name"}
    result = await hass.config_entries.flow.async_configure(flow_id, {"name": "HP 2"})
    assert result["step_id"] == "meter"


async def test_meter_none(hass: HomeAssistant) -> None:
    """With no meter the entry is still created, with no electricity entity at all.

    Issue 13: figures made of electricity (energy, COP, by purpose, per period) have no
    input without a meter; a 0.0 kWh entity would say the heat pump used nothing, so
    none is created. The heat side is unaffected.
    """
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    await hass.config_entries.flow.async_configure(flow_id, {"name": "No meter"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"meter": "none"})
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["meter"] == "none"
    entry = result["result"]
    assert entry.state is ConfigEntryState.LOADED
    registry = er.async_get(hass)
    for key in sorted(ELECTRICITY_KEYS):
        assert registry.async_get_entity_id("sensor", DOMAIN, f"{entry.unique_id}_{key}") is None
        assert hass.states.get(f"sensor.no_meter_{key}") is None
    assert hass.states.get("sensor.no_meter_thermal_energy") is not None
    assert hass.states.get("sensor.no_meter_thermal_power") is not None
    # The COP alert needs electricity too; short cycling needs only the compressor.
    assert (
        registry.async_get_entity_id(
            "binary_sensor", DOMAIN, f"{entry.unique_id}_cop_below_expected"
        )
        is None
    )
    assert hass.states.get("binary_sensor.no_meter_short_cycling") is not None


async def _open_settings(hass: HomeAssistant, entry_id: str) -> ConfigFlowResult:
    """Configure → the options menu → Settings."""
    result = await hass.config_entries.options.async_init(entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["settings", "influxdb"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )


async def test_options_flow_saves_and_reloads(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Options are stored (intervals as int) and the entry reloads with them (real setup)."""
    demo_entry = init_integration
    result = await _open_settings(hass, demo_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "settings"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "rated_thermal_power_kw": 9.5,
            "flow_rate_l_min": 18.0,
            "scan_interval_s": 60.0,
            "season_start": "09-01",
        },
    )
    await hass.async_block_till_done()
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert demo_entry.options == {
        "rated_thermal_power_kw": 9.5,
        "flow_rate_l_min": 18.0,
        "scan_interval_s": 60,
        "season_start": "09-01",
        "csv_retention_days": 30,
        "csv_time": "07:00",
        "short_cycling_max_starts_per_hour": 3,
        "cop_below_expected_pct": 15,
    }
    assert demo_entry.state is ConfigEntryState.LOADED
    coordinator = demo_entry.runtime_data.heat_pump
    assert coordinator.update_interval is not None
    assert coordinator.update_interval.total_seconds() == 60
    assert coordinator.engine.config.rated_thermal_power_kw == 9.5


async def test_options_flow_rejects_bad_season_start(
    hass: HomeAssistant, demo_entry: MockConfigEntry
) -> None:
    """A season start that is no calendar day is a field error."""
    demo_entry.add_to_hass(hass)
    result = await _open_settings(hass, demo_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval_s": 30, "season_start": "13-45"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"season_start": "invalid_season_start"}


class _FailingSource:
    """A source whose read raises `error` (the flow's error mapping under test)."""

    identity = DeviceIdentity(manufacturer="X", model="Y")

    def __init__(self, error: Exception) -> None:
        self._error = error

    async def async_read(self) -> None:
        raise self._error

    async def async_close(self) -> None:
        return None


@pytest.mark.parametrize(
    ("error", "field", "key"),
    [
        (SourceNotThisDeviceError("a web server"), "host", "not_luxtronik"),
        (SourceAuthRequiredError("password"), "host", "auth_required"),
        (SourceAuthError("refused"), "host", "invalid_auth"),
        (SourceDataError("garbage"), "host", "invalid_response"),
        (SourceConnectionError("refused"), "host", "cannot_connect"),
        (SourceError("other"), "host", "cannot_connect"),
    ],
)
async def test_luxtronik_probe_errors_map_to_field_errors(
    hass: HomeAssistant, error: Exception, field: str, key: str
) -> None:
    """Each source error becomes one clear error on the field it concerns."""
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "luxtronik"})
    with patch(f"{_SOURCES}.async_create_source", return_value=_FailingSource(error)):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"host": "10.0.0.9", "port": 8889}
        )
    assert result["errors"] == {field: key}


_FORM_INPUT: dict[str, dict[str, object]] = {
    "luxtronik": {"host": "10.0.0.9", "port": 8889},
    "modbus_tcp": {"host": "10.0.0.9", "port": 502, "unit_id": 1, "model": "stiebel_eltron_isg"},
    "modbus_rtu": {
        "serial_port": "/dev/ttyUSB0",
        "baudrate": "9600",
        "unit_id": 1,
        "model": "stiebel_eltron_isg",
    },
    "h66": {"host": "10.0.0.9", "brand": "thermia"},
}


@pytest.mark.parametrize(
    ("step", "error", "errors"),
    [
        ("luxtronik", SourceNotThisDeviceError("http"), {"host": "not_luxtronik"}),
        ("modbus_tcp", SourceNotThisDeviceError("http"), {"host": "not_modbus"}),
        ("modbus_rtu", SourceNotThisDeviceError("noise"), {"serial_port": "not_modbus"}),
        ("h66", SourceNotThisDeviceError("a router"), {"host": "not_h66"}),
        ("luxtronik", SourceAuthRequiredError("pw"), {"host": "auth_required"}),
        ("modbus_tcp", SourceAuthRequiredError("pw"), {"host": "auth_required"}),
        ("modbus_rtu", SourceAuthRequiredError("pw"), {"serial_port": "auth_required"}),
        ("h66", SourceAuthRequiredError("pw"), {"host": "auth_required"}),
        ("modbus_rtu", SourceConnectionError("no port"), {"serial_port": "cannot_open_serial"}),
        ("h66", SourceConnectionError("refused"), {"host": "cannot_connect"}),
    ],
)
async def test_every_device_form_maps_not_this_device_and_auth_required(
    hass: HomeAssistant, step: str, error: Exception, errors: dict[str, str]
) -> None:
    """Every local source's "not this device" / "auth required" is a translated field error.

    The keys are in both translations (checked here), on the field the user can fix.
    """
    flow_id = await _start(hass)
    source = "modbus" if step.startswith("modbus") else step
    result = await hass.config_entries.flow.async_configure(flow_id, {"source": source})
    if source == "modbus":
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"connection": step.removeprefix("modbus_")}
        )
    assert result["step_id"] == step
    with patch(f"{_SOURCES}.async_create_source", return_value=_FailingSource(error)):
        result = await hass.config_entries.flow.async_configure(flow_id, _FORM_INPUT[step])
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    for language in ("en", "de"):
        translations = await async_get_translations(hass, language, "config", [DOMAIN])
        for key in errors.values():
            text = translations.get(f"component.{DOMAIN}.config.error.{key}")
            assert text, (language, key)


@pytest.mark.parametrize(
    ("step", "data", "errors"),
    [
        ("luxtronik", {"host": "  ", "port": 8889}, {"host": "host_required"}),
        (
            "modbus_tcp",
            {"host": "10.0.0.9", "port": 502, "unit_id": 1, "model": "custom"},
            {"register_map": "register_map_required"},
        ),
        (
            "modbus_rtu",
            {"serial_port": " ", "baudrate": "9600", "unit_id": 1, "model": "stiebel_eltron_isg"},
            {"serial_port": "serial_port_required"},
        ),
        ("h66", {"host": "http://10.0.0.9", "brand": "ivt"}, {"host": "invalid_host"}),
    ],
)
async def test_local_checks_before_connecting(
    hass: HomeAssistant, step: str, data: dict[str, object], errors: dict[str, str]
) -> None:
    """Empty or malformed fields are refused on their field without a connection."""
    flow_id = await _start(hass)
    source = "modbus" if step.startswith("modbus") else step
    result = await hass.config_entries.flow.async_configure(flow_id, {"source": source})
    if source == "modbus":
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"connection": step.removeprefix("modbus_")}
        )
    assert result["step_id"] == step
    with patch(f"{_SOURCES}.async_create_source", side_effect=AssertionError("no connection")):
        result = await hass.config_entries.flow.async_configure(flow_id, data)
    assert result["errors"] == errors


def test_title_is_make_and_model_without_address() -> None:
    """The title names the device: make + model, the model alone when it starts with the make."""
    assert (
        device_title(DeviceIdentity(manufacturer="Stiebel Eltron", model="WPM"))
        == "Stiebel Eltron WPM"
    )
    assert device_title(DeviceIdentity(manufacturer="NIBE", model="NIBE F1255")) == "NIBE F1255"
    assert device_title(DeviceIdentity(manufacturer="", model="Mine")) == "Mine"


async def _demo_to_meter(hass: HomeAssistant, meter: str) -> str:
    flow_id = await _start(hass)
    await hass.config_entries.flow.async_configure(flow_id, {"source": "demo"})
    await hass.config_entries.flow.async_configure(flow_id, {"name": "Meter test"})
    result = await hass.config_entries.flow.async_configure(flow_id, {"meter": meter})
    assert result["step_id"] == meter
    return flow_id


@pytest.mark.parametrize(
    ("error", "errors"),
    [
        (SourceAuthRequiredError("401"), {"shelly_password": "auth_required"}),
        (SourceNotThisDeviceError("not a shelly"), {"shelly_host": "not_shelly"}),
        (SourceDataError("garbage"), {"shelly_host": "invalid_response"}),
        (SourceConnectionError("refused"), {"shelly_host": "cannot_connect"}),
    ],
)
async def test_shelly_errors(hass: HomeAssistant, error: Exception, errors: dict[str, str]) -> None:
    """A Shelly asking for a password says so; other failures sit on the host."""
    flow_id = await _demo_to_meter(hass, "shelly_pro_3em")
    with patch(f"{_METER}.async_create_meter", return_value=_FailingSource(error)):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {"shelly_host": "10.0.0.7"}
        )
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"shelly_host": "http://10.0.0.7"}
    )
    assert result["errors"] == {"shelly_host": "invalid_host"}


async def test_entity_meter_errors(hass: HomeAssistant) -> None:
    """No entity, a missing entity and a wrong unit are said on the right field."""
    hass.states.async_set("sensor.amps", "5", {"unit_of_measurement": "A"})
    flow_id = await _demo_to_meter(hass, "entity")
    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["errors"] == {"base": "meter_entity_required"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {"power_entity": "sensor.amps", "energy_entity": "sensor.missing"}
    )
    assert result["errors"] == {
        "power_entity": "wrong_unit_power",
        "energy_entity": "entity_not_found",
    }


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_entities_source_and_shelly_meter(hass: HomeAssistant) -> None:
    """Entities entry: the form is pre-filled; the meter offers `source` and the Shelly host."""
    temperature = {"unit_of_measurement": "°C", "device_class": "temperature"}
    for entity_id in ("sensor.o", "sensor.f", "sensor.r"):
        hass.states.async_set(entity_id, "20", temperature)
    hass.states.async_set("sensor.p", "100", {"unit_of_measurement": "W", "device_class": "power"})
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Heat pump (f)",
        unique_id="entities_sensor_f",
        data={
            "source": "entities",
            "outside_temperature": "sensor.o",
            "flow_temperature": "sensor.f",
            "return_temperature": "sensor.r",
            "electrical_power": "sensor.p",
            "dhw_temperature": "sensor.gone",
            "meter": "shelly_pro_3em",
            "shelly_host": "10.0.0.7",
            "shelly_password": "",
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reconfigure_meter"}
    )
    assert "source" in result["data_schema"].schema["meter"].config["options"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"meter": "shelly_pro_3em"}
    )
    assert result["step_id"] == "shelly_pro_3em"
    suggested = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["shelly_host"] == "10.0.0.7"

    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "source_settings"}
    )
    assert result["step_id"] == "entities"
    # The optional hot-water entity is cleared: it leaves the entry.
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "outside_temperature": "sensor.o",
            "flow_temperature": "sensor.f",
            "return_temperature": "sensor.r",
            "electrical_power": "sensor.p",
        },
    )
    assert result["reason"] == "reconfigure_successful"
    assert "dhw_temperature" not in entry.data
    assert entry.data["shelly_host"] == "10.0.0.7"


async def test_options_flow_errors(
    hass: HomeAssistant, tmp_path: Path, mock_setup_entry: AsyncMock
) -> None:
    """A folder outside the allowlist and a broken mode map are field errors."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="E",
        unique_id="entities_x",
        data={"source": "entities", "meter": "none"},
    )
    entry.add_to_hass(hass)
    result = await _open_settings(hass, entry.entry_id)
    assert "mode_map" in result["data_schema"].schema
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval_s": 30,
            "season_start": "07-01",
            "csv_directory": "/definitely/not/allowed",
            "mode_map": "Heating = nonsense",
        },
    )
    assert result["errors"] == {
        "csv_directory": "csv_directory_not_allowed",
        "mode_map": "invalid_mode_map",
    }
    assert result["description_placeholders"]["problem"]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval_s": 30}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1  # the save (re)loads the entry


async def test_options_of_a_viessmann_entry_have_the_budget(hass: HomeAssistant) -> None:
    """Only a Viessmann entry shows the daily call budget."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="V", unique_id="viessmann_x", data={"source": "viessmann"}
    )
    entry.add_to_hass(hass)
    result = await _open_settings(hass, entry.entry_id)
    assert "viessmann_daily_call_budget" in result["data_schema"].schema


# ---------------------------------------------- Viessmann account outcomes
# The OAuth2 dance itself runs for real in tests/test_viessmann.py; here the
# outcomes of the account test after the token (1 budgeted call) are driven
# directly on the flow handler, with the device list patched.

_TOKEN = {"auth_implementation": "viessmann", "token": {"access_token": "a"}}


def _device(serial: str) -> ViessmannDevice:
    return ViessmannDevice(
        installation_id=1,
        gateway_serial=serial,
        device_id="0",
        model="CU401B_G",
        roles=("type:heatpump",),
        status="Online",
    )


def _viessmann_entry(meter: str = "none") -> MockConfigEntry:
    data: dict[str, object] = {
        "source": "viessmann",
        "auth_implementation": "viessmann",
        "token": {"access_token": "old"},
        "device": _device("1111").to_dict(),
        "meter": meter,
    }
    if meter == "shelly_pro_3em":
        data |= {"shelly_host": "10.0.0.7", "shelly_password": ""}
    return MockConfigEntry(domain=DOMAIN, title="V", unique_id="viessmann_x", data=data)


def _handler(
    hass: HomeAssistant, source: str, entry: MockConfigEntry | None = None
) -> HeatPumpStatsConfigFlow:
    flow = HeatPumpStatsConfigFlow()
    flow.hass = hass
    flow.handler = DOMAIN
    flow.flow_id = "flow-under-test"
    flow.context = {"source": source}  # type: ignore[typeddict-item]
    if entry is not None:
        flow.context["entry_id"] = entry.entry_id
    return flow


@contextmanager
def _account(devices: object) -> Iterator[None]:
    """The Viessmann account's answer to the device list (1 budgeted call): `devices`, or
    the error `devices` is."""
    error = devices if isinstance(devices, Exception) else None
    with (
        patch(f"{_FLOW}.async_get_budget", AsyncMock()),
        patch(f"{_FLOW}.async_list_devices", AsyncMock(side_effect=error, return_value=devices)),
    ):
        yield


@pytest.mark.parametrize(
    ("devices", "reason"),
    [
        (SourceAuthError("401"), "invalid_auth"),
        (SourceConnectionError("down"), "cannot_connect"),
        (BudgetExceeded(datetime(2026, 1, 1, tzinfo=UTC)), "cannot_connect"),
        ([], "no_devices"),
    ],
)
async def test_viessmann_account_problems_abort(
    hass: HomeAssistant, devices: object, reason: str
) -> None:
    """A refused sign-in, an unreachable cloud, a spent budget or an empty account abort."""
    flow = _handler(hass, SOURCE_USER)
    with _account(devices):
        result = await flow.async_oauth_create_entry(dict(_TOKEN))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == reason


async def test_viessmann_one_or_several_heat_pumps(hass: HomeAssistant) -> None:
    """One heat pump goes straight to the meter; several ask which one."""
    with _account([_device("1111")]):
        result = await _handler(hass, SOURCE_USER).async_oauth_create_entry(dict(_TOKEN))
    assert result["step_id"] == "meter"
    flow = _handler(hass, SOURCE_USER)
    two = [_device("1111"), _device("2222")]
    with _account(two):
        result = await flow.async_oauth_create_entry(dict(_TOKEN))
    assert result["step_id"] == "device"
    result = await flow.async_step_device({"device": two[1].unique_id})
    assert result["step_id"] == "meter"
    assert flow.unique_id == f"viessmann_{two[1].unique_id}"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_viessmann_reauth_and_reconfigure_outcomes(hass: HomeAssistant) -> None:
    """Reauth needs the same credentials; reconfigure needs the same heat pump on the account."""
    entry = _viessmann_entry()
    entry.add_to_hass(hass)
    flow = _handler(hass, SOURCE_REAUTH, entry)
    result = await flow.async_oauth_create_entry({**_TOKEN, "auth_implementation": "other"})
    assert result["reason"] == "wrong_account"
    result = await flow.async_oauth_create_entry({**_TOKEN, "token": {"access_token": "new"}})
    await hass.async_block_till_done()
    assert result["reason"] == "reauth_successful"
    assert entry.data["token"] == {"access_token": "new"}

    flow = _handler(hass, SOURCE_RECONFIGURE, entry)
    with _account([_device("9999")]):
        result = await flow.async_oauth_create_entry(dict(_TOKEN))
    assert result["reason"] == "device_not_found"


async def test_viessmann_reauth_with_a_shelly_goes_on_to_the_sign_in(
    hass: HomeAssistant,
) -> None:
    """Viessmann + Shelly: an empty password skips the Shelly; then the sign-in follows."""
    entry = _viessmann_entry("shelly_pro_3em")
    entry.add_to_hass(hass)
    flow = _handler(hass, SOURCE_REAUTH, entry)
    result = await flow.async_step_reauth(entry.data)
    assert result["step_id"] == "reauth_confirm"
    with patch.object(
        HeatPumpStatsConfigFlow,
        "async_step_pick_implementation",
        AsyncMock(return_value={"type": FlowResultType.EXTERNAL_STEP}),
    ) as pick:
        result = await flow.async_step_reauth_confirm({})
    pick.assert_awaited_once_with({"implementation": "viessmann"})
    assert result["type"] is FlowResultType.EXTERNAL_STEP


async def test_options_relative_csv_folder_is_checked_in_the_config_folder(
    hass: HomeAssistant, demo_entry: MockConfigEntry, mock_setup_entry: AsyncMock
) -> None:
    """A relative CSV folder is resolved against the configuration folder before the check."""
    demo_entry.add_to_hass(hass)
    result = await _open_settings(hass, demo_entry.entry_id)
    with patch(f"{_OPTIONS}.directory_allowed", return_value=True) as allowed:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {"scan_interval_s": 30, "csv_directory": "exports"}
        )
    assert allowed.call_args.args[1] == Path(hass.config.path("exports"))
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Saving reloads (here: sets up) the entry.
    await hass.async_block_till_done()
    assert len(mock_setup_entry.mock_calls) == 1
