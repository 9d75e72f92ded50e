"""The schemas and value checks of a register map's YAML (format: see the package)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
import math
from typing import Any, Final, cast

import voluptuous as vol

from custom_components.heatpump_stats.model.reading import (
    OperatingMode,
)
from custom_components.heatpump_stats.sources.map_keys import KEY_RE

from .registers import (
    DATA_TYPES,
    DEFAULT_MAX_GAP,
    MAX_REGISTERS_PER_REQUEST,
    REGISTER_TYPES,
    WORD_ORDERS,
)


def _message(err: vol.Invalid) -> str:
    text = str(err.error_message)
    if text.startswith("not a valid option"):  # voluptuous' word for an unknown key
        return "is not a known field" + text.removeprefix("not a valid option")
    return {
        "required key not provided": "is required",
        "extra keys not allowed": "is not a known field",
        "expected a dictionary": "must be a mapping",
        "expected list": "must be a list",
        "expected dict": "must be a mapping",
    }.get(text, text)


def _integer(low: int, high: int) -> Callable[[Any], int]:
    def validate(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise vol.Invalid(f"must be a whole number (got {value!r})")
        if not low <= value <= high:
            raise vol.Invalid(f"must be between {low} and {high} (got {value})")
        return value

    return validate


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise vol.Invalid(f"must be a number (got {value!r})")
    if not math.isfinite(value):
        raise vol.Invalid(f"must be a finite number (got {value!r})")
    return float(value)


def _scale(value: Any) -> float:
    number = _number(value)
    if number == 0:
        raise vol.Invalid("must not be 0")
    return number


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid(f"must be a non-empty text (got {value!r})")
    return value.strip()


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise vol.Invalid(f"must be true or false (got {value!r})")
    return value


def _snake_key(value: Any) -> str:
    if not isinstance(value, str) or not KEY_RE.match(value):
        raise vol.Invalid(f"must be a snake_case name (got {value!r})")
    return value


def _one_of(options: Iterable[str]) -> Callable[[Any], str]:
    allowed = tuple(options)

    def validate(value: Any) -> str:
        if value not in allowed:
            raise vol.Invalid(f"must be one of {', '.join(allowed)} (got {value!r})")
        return cast(str, value)

    return validate


_MODES: Final = tuple(mode.value for mode in OperatingMode)
_RAW_MIN: Final = -(2**31)
_RAW_MAX: Final = 2**32 - 1

_TOP_SCHEMA: Final = vol.Schema(
    {
        vol.Required("manufacturer"): _text,
        vol.Required("model"): _text,
        vol.Optional("description"): _text,
        vol.Optional("max_gap", default=DEFAULT_MAX_GAP): _integer(
            0, MAX_REGISTERS_PER_REQUEST - 2
        ),
        vol.Optional("defaults", default=dict): dict,
        vol.Required("registers"): vol.All(
            list, vol.Length(min=1, msg="must list at least one register")
        ),
        vol.Optional("computed", default=list): list,
    }
)

_MODE_RULE_SCHEMA: Final = vol.Schema(
    {
        vol.Required("mode"): _one_of(_MODES),
        vol.Optional("bit"): _integer(0, 31),
        vol.Optional("value"): _integer(_RAW_MIN, _RAW_MAX),
    }
)

_STATES_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("bits", default=dict): {_integer(0, 31): _snake_key},
        vol.Optional("modes", default=list): [_MODE_RULE_SCHEMA],
        vol.Optional("default_mode"): _one_of(_MODES),
    }
)

# Fields a register may take from `defaults`.
_DEFAULTABLE: Final = {
    vol.Optional("register_type"): _one_of(REGISTER_TYPES),
    vol.Optional("data_type"): _one_of(DATA_TYPES),
    vol.Optional("word_order"): _one_of(WORD_ORDERS),
    vol.Optional("scale"): _scale,
    vol.Optional("unit"): vol.Any(None, _text),
    vol.Optional("sentinels"): [_integer(_RAW_MIN, _RAW_MAX)],
    vol.Optional("poll_every"): _integer(1, 10_000),
}
_DEFAULTS_SCHEMA: Final = vol.Schema(_DEFAULTABLE)

_REGISTER_SCHEMA: Final = vol.Schema(
    {
        vol.Required("key"): _snake_key,
        vol.Required("address"): _integer(0, 65535),
        vol.Required("register_type"): _one_of(REGISTER_TYPES),
        vol.Required("data_type"): _one_of(DATA_TYPES),
        vol.Optional("word_order", default="big"): _one_of(WORD_ORDERS),
        vol.Optional("scale", default=1.0): _scale,
        vol.Optional("unit", default=None): vol.Any(None, _text),
        vol.Optional("sentinels", default=list): [_integer(_RAW_MIN, _RAW_MAX)],
        vol.Optional("labels"): {_integer(_RAW_MIN, _RAW_MAX): _text},
        vol.Optional("states"): _STATES_SCHEMA,
        vol.Optional("internal", default=False): _boolean,
        vol.Optional("setting", default=False): _boolean,
        vol.Optional("poll_every", default=1): _integer(1, 10_000),
        vol.Optional("description"): _text,
    }
)

_COMPUTED_SCHEMA: Final = vol.Schema(
    {
        vol.Required("key"): _snake_key,
        vol.Required("sum"): vol.All(
            [
                vol.Schema(
                    {
                        vol.Required("key"): _snake_key,
                        vol.Optional("factor", default=1.0): _number,
                    }
                )
            ],
            vol.Length(min=1, msg="must list at least one part"),
        ),
        vol.Optional("daily"): _snake_key,
        vol.Optional("unit", default=None): vol.Any(None, _text),
        vol.Optional("internal", default=False): _boolean,
        vol.Optional("description"): _text,
    }
)
