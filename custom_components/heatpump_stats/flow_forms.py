"""The config flow's forms: selectors, input checks and the table of local network sources.

`DEVICE_FORMS` has one row per local network form (Luxtronik, Modbus TCP,
Modbus RTU, H66): its schema, the parser that turns the form's input into
entry data (raising `RecoverableError` with the field and error key), the
unique id and the title. The flow's one device step body reads the row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.util import slugify
import probatio as vol

from .const import (
    CONF_BAUDRATE,
    CONF_BRAND,
    CONF_CONNECTION,
    CONF_HOST,
    CONF_MODEL,
    CONF_PORT,
    CONF_REGISTER_MAP,
    CONF_SERIAL_PORT,
    CONF_UNIT_ID,
    CONNECTION_RTU,
    CONNECTION_TCP,
    DEFAULT_LUXTRONIK_PORT,
    DEFAULT_MODBUS_PORT,
    H66_BRANDS,
    MODBUS_MODELS,
    MODEL_CUSTOM,
    SOURCE_H66,
    SOURCE_LUXTRONIK,
    SOURCE_MODBUS,
)
from .model.reading import DeviceIdentity, HeatPumpReading
from .sources.http import parse_host

PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
TEXT = TextSelector()
# Baud rates as the select offers them: strings (a select's values are strings;
# an int default would be refused by the schema when the frontend sends it back).
_BAUDRATES = ("2400", "4800", "9600", "19200", "38400", "57600", "115200")
_DEFAULT_BAUDRATE = "9600"
# The keys the local network forms own.
DEVICE_KEYS = (
    CONF_CONNECTION,
    CONF_HOST,
    CONF_PORT,
    CONF_SERIAL_PORT,
    CONF_BAUDRATE,
    CONF_UNIT_ID,
    CONF_MODEL,
    CONF_REGISTER_MAP,
    CONF_BRAND,
)


def select_selector(options: list[str], key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(options=options, translation_key=key, mode=SelectSelectorMode.LIST)
    )


def number_selector(
    minimum: float, maximum: float, step: float, unit: str | None = None
) -> NumberSelector:
    config = NumberSelectorConfig(min=minimum, max=maximum, step=step, mode=NumberSelectorMode.BOX)
    if unit is not None:
        config["unit_of_measurement"] = unit
    return NumberSelector(config)


def has_electricity(reading: HeatPumpReading) -> bool:
    return reading.electrical_power is not None or reading.electrical_energy is not None


class RecoverableError(Exception):
    """Input the user can correct: shown as `error` on `field` of the form."""

    def __init__(self, field: str, error: str, **placeholders: str) -> None:
        """Remember where the error goes and what it says."""
        super().__init__(f"{field}: {error}")
        self.field = field
        self.error = error
        self.placeholders = placeholders


def plain_host(value: Any, field: str = CONF_HOST) -> str:
    """A host name or address without scheme, path or port (Luxtronik, Modbus TCP)."""
    host = str(value or "").strip()
    if not host:
        raise RecoverableError(field, "host_required")
    try:
        parsed, _port = parse_host(host)
    except ValueError as err:
        raise RecoverableError(field, "invalid_plain_host") from err
    if parsed != host.strip("[]"):
        # host:port in a host field: the port has its own field here.
        raise RecoverableError(field, "invalid_plain_host")
    return host


def http_host(value: Any, field: str = CONF_HOST) -> str:
    """`host` or `host:port` of an HTTP device (H66, Shelly)."""
    host = str(value or "").strip()
    try:
        parse_host(host)
    except ValueError as err:
        raise RecoverableError(field, "invalid_host") from err
    return host


def device_title(identity: DeviceIdentity) -> str:
    """Make and model, never an address: the device name (and so the entity ids)."""
    model = identity.model or ""
    make = identity.manufacturer or ""
    if not make or model.lower().startswith(make.split()[0].lower()):
        return model or make
    return f"{make} {model}".strip()


# ------------------------------------------------------------- device forms


@dataclass(frozen=True, kw_only=True)
class DeviceForm:
    """One local network source: its form, checks, unique id and title."""

    source: str
    schema: Callable[[], dict[Any, Any]]
    parse: Callable[[Mapping[str, Any]], dict[str, Any]]
    unique_id: Callable[[Mapping[str, Any], DeviceIdentity], str]
    title: Callable[[DeviceIdentity], str]
    # The field a failed connection is shown on.
    connection_field: str
    # The error when something answers that is not this kind of device.
    not_this_device: str
    # The unique id comes from the device's serial (when it reports one): a
    # reconfigure that reaches another device aborts (HA's reconfigure rule).
    serial_unique_id: bool = False


def _luxtronik_schema() -> dict[Any, Any]:
    return {
        vol.Required(CONF_HOST): TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_LUXTRONIK_PORT): number_selector(1, 65535, 1),
    }


def _luxtronik_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = {
        CONF_HOST: plain_host(user_input.get(CONF_HOST)),
        CONF_PORT: int(user_input[CONF_PORT]),
    }
    if data[CONF_PORT] in (80, 8888):
        raise RecoverableError(CONF_PORT, "web_port")
    return data


def _luxtronik_unique_id(data: Mapping[str, Any], identity: DeviceIdentity) -> str:
    unique = identity.serial_number or f"{data[CONF_HOST]}_{data[CONF_PORT]}"
    return f"luxtronik_{slugify(unique)}"


def _luxtronik_title(identity: DeviceIdentity) -> str:
    model = identity.model or "Luxtronik"
    return model if "luxtronik" in model.lower() else f"Luxtronik {model}"


def _modbus_common() -> dict[Any, Any]:
    return {
        vol.Required(CONF_UNIT_ID, default=1): number_selector(0, 247, 1),
        vol.Required(CONF_MODEL, default=MODBUS_MODELS[0]): select_selector(
            list(MODBUS_MODELS), CONF_MODEL
        ),
        vol.Optional(CONF_REGISTER_MAP): TEXT,
    }


def _modbus_tcp_schema() -> dict[Any, Any]:
    return {
        vol.Required(CONF_HOST): TEXT,
        vol.Required(CONF_PORT, default=DEFAULT_MODBUS_PORT): number_selector(1, 65535, 1),
        **_modbus_common(),
    }


def _modbus_rtu_schema() -> dict[Any, Any]:
    return {
        vol.Required(CONF_SERIAL_PORT): TEXT,
        vol.Required(CONF_BAUDRATE, default=_DEFAULT_BAUDRATE): select_selector(
            list(_BAUDRATES), CONF_BAUDRATE
        ),
        **_modbus_common(),
    }


def _modbus_parse_common(user_input: Mapping[str, Any]) -> dict[str, Any]:
    data = {
        CONF_UNIT_ID: int(user_input[CONF_UNIT_ID]),
        CONF_MODEL: user_input[CONF_MODEL],
        CONF_REGISTER_MAP: str(user_input.get(CONF_REGISTER_MAP) or "").strip(),
    }
    if data[CONF_MODEL] == MODEL_CUSTOM and not data[CONF_REGISTER_MAP]:
        raise RecoverableError(CONF_REGISTER_MAP, "register_map_required")
    return data


def _modbus_tcp_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    return {
        CONF_CONNECTION: CONNECTION_TCP,
        CONF_HOST: plain_host(user_input.get(CONF_HOST)),
        CONF_PORT: int(user_input[CONF_PORT]),
        **_modbus_parse_common(user_input),
    }


def _modbus_rtu_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    serial_port = str(user_input.get(CONF_SERIAL_PORT) or "").strip()
    if not serial_port:
        raise RecoverableError(CONF_SERIAL_PORT, "serial_port_required")
    return {
        CONF_CONNECTION: CONNECTION_RTU,
        CONF_SERIAL_PORT: serial_port,
        CONF_BAUDRATE: int(user_input[CONF_BAUDRATE]),
        **_modbus_parse_common(user_input),
    }


def _modbus_unique_id(data: Mapping[str, Any], identity: DeviceIdentity) -> str:
    where = (
        f"{data[CONF_HOST]}:{data[CONF_PORT]}"
        if data[CONF_CONNECTION] == CONNECTION_TCP
        else data[CONF_SERIAL_PORT]
    )
    return f"modbus_{slugify(where)}_{data[CONF_UNIT_ID]}"


def _modbus_form(
    schema: Callable[[], dict[Any, Any]],
    parse: Callable[[Mapping[str, Any]], dict[str, Any]],
    connection_field: str,
) -> DeviceForm:
    """A Modbus form (TCP or RTU): one unique id rule, titled by the map's make and model."""
    return DeviceForm(
        source=SOURCE_MODBUS,
        schema=schema,
        parse=parse,
        unique_id=_modbus_unique_id,
        title=device_title,
        connection_field=connection_field,
        not_this_device="not_modbus",
    )


def _h66_parse(user_input: Mapping[str, Any]) -> dict[str, Any]:
    return {CONF_HOST: http_host(user_input.get(CONF_HOST)), CONF_BRAND: user_input[CONF_BRAND]}


DEVICE_FORMS: dict[str, DeviceForm] = {
    SOURCE_LUXTRONIK: DeviceForm(
        source=SOURCE_LUXTRONIK,
        schema=_luxtronik_schema,
        parse=_luxtronik_parse,
        unique_id=_luxtronik_unique_id,
        title=_luxtronik_title,
        connection_field=CONF_HOST,
        not_this_device="not_luxtronik",
        serial_unique_id=True,
    ),
    "modbus_tcp": _modbus_form(_modbus_tcp_schema, _modbus_tcp_parse, CONF_HOST),
    "modbus_rtu": _modbus_form(_modbus_rtu_schema, _modbus_rtu_parse, CONF_SERIAL_PORT),
    SOURCE_H66: DeviceForm(
        source=SOURCE_H66,
        schema=lambda: {
            vol.Required(CONF_HOST): TEXT,
            vol.Required(CONF_BRAND, default=H66_BRANDS[0]): select_selector(
                list(H66_BRANDS), CONF_BRAND
            ),
        },
        parse=_h66_parse,
        unique_id=lambda data, identity: f"h66_{slugify(data[CONF_HOST])}",
        title=lambda identity: f"{identity.manufacturer} heat pump (H66)",
        connection_field=CONF_HOST,
        not_this_device="not_h66",
    ),
}


def shown_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """Stored data as the form shows it (a select's values are strings)."""
    shown = dict(data)
    if CONF_BAUDRATE in shown:
        shown[CONF_BAUDRATE] = str(shown[CONF_BAUDRATE])
    return shown
