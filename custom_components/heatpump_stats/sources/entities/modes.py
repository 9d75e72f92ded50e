"""Operating-mode maps: ESPAltherma's labels, the user's text form, the lookup."""

from collections.abc import Mapping
from typing import Final

from custom_components.heatpump_stats.model.reading import OperatingMode

# A binary "on" says nothing about which mode; never looked up.
BINARY_ON: Final = frozenset({"on"})


class ModeMapError(ValueError):
    """A bad line in a user-written mode map (``line_number`` is 1-based)."""

    def __init__(self, line_number: int, message: str) -> None:
        """Keep the line number and message apart for the options form."""
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.message = message


# --- operating mode maps ---------------------------------------------------


def normalize_state(state: str) -> str:
    """Key used for mode lookups: whitespace collapsed, casefolded."""
    return " ".join(state.split()).casefold()


def _mode_map(pairs: Mapping[str, OperatingMode]) -> dict[str, OperatingMode]:
    return {normalize_state(key): mode for key, mode in pairs.items()}


_H = OperatingMode.HEATING
_C = OperatingMode.COOLING
_S = OperatingMode.STANDBY
_D = OperatingMode.DHW

ESPALTHERMA_MODE_MAP: Final[dict[str, OperatingMode]] = _mode_map(
    {
        # ESPAltherma "Operation Mode" (conversion 217, outdoor unit).
        "Fan Only": _S,  # what an idle Altherma reports
        "Heating": _H,
        "Cooling": _C,
        "Auto": _H,  # heat/cool changeover; almost always heating
        "Ventilation": _S,
        "Auto Cool": _C,
        "Auto Heat": _H,
        "Dry": _C,
        "Aux.": _H,
        "Aux": _H,
        "Cooling Storage": _C,
        "Heating Storage": _H,
        **{f"UseStrdThrm(cl){n}": _C for n in range(1, 5)},
        **{f"UseStrdThrm(ht){n}": _H for n in range(1, 5)},
        # ESPAltherma "I/U operation mode" (conversion 315, indoor unit).
        "Stop": _S,
        "DHW": _D,
        "Heating + DHW": _D,  # the 3-way valve serves the tank first
        "Cooling + DHW": _D,
        # Generic labels (other integrations, HA climate hvac_action / mode).
        "off": OperatingMode.OFF,
        "standby": _S,
        "idle": _S,
        "fan": _S,
        "heat": _H,
        "cool": _C,
        "hot water": _D,
        "domestic hot water": _D,
        "water heating": _D,
        "defrost": OperatingMode.DEFROST,
        "defrosting": OperatingMode.DEFROST,
    }
)

_MODES_TEXT: Final = ", ".join(mode.value for mode in OperatingMode)


def parse_mode_map(text: str) -> dict[str, OperatingMode]:
    """Parse the user's mode map: one ``state = mode`` per line.

    The state is everything before the last ``=`` (normalised like
    :func:`normalize_state`), the mode one of the :class:`OperatingMode` values
    (any case). Blank lines and lines starting with ``#`` are ignored, as is a
    ``# comment`` after the mode. The same state twice with different modes is
    an error. Raises :class:`ModeMapError` (1-based line number) on a bad line.
    An empty text gives an empty map (every state unmapped).
    """
    result: dict[str, OperatingMode] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        label, sep, mode_text = stripped.rpartition("=")
        if not sep:
            raise ModeMapError(number, f"expected 'state = mode', got {stripped!r}")
        key = normalize_state(label)
        if not key:
            raise ModeMapError(number, "missing the state before '='")
        if key in BINARY_ON:
            raise ModeMapError(number, f"{key!r} is a binary state, not a mode")
        mode_name = mode_text.partition("#")[0].strip().casefold()
        if not mode_name:
            raise ModeMapError(number, f"missing the mode after '=' (one of {_MODES_TEXT})")
        try:
            mode = OperatingMode(mode_name)
        except ValueError:
            raise ModeMapError(
                number, f"unknown mode {mode_name!r} (expected one of {_MODES_TEXT})"
            ) from None
        previous = result.get(key)
        if previous is not None and previous is not mode:
            raise ModeMapError(number, f"state {key!r} is already mapped to {previous.value!r}")
        result[key] = mode
    return result


def format_mode_map(mapping: Mapping[str, OperatingMode]) -> str:
    """Text form of a mode map (inverse of :func:`parse_mode_map`), in map order.

    Keys are written normalised. Raises ValueError for a key that cannot be
    written back (empty, starting with ``#``, or ``on``).
    """
    lines: list[str] = []
    for label, mode in mapping.items():
        key = normalize_state(label)
        if not key or key.startswith("#") or key in BINARY_ON:
            raise ValueError(f"state {label!r} cannot be written in a mode map")
        lines.append(f"{key} = {OperatingMode(mode).value}")
    return "\n".join(lines) + ("\n" if lines else "")


# --- units -----------------------------------------------------------------


def lookup_mode(state: str, mode_map: Mapping[str, OperatingMode]) -> OperatingMode | None:
    """The mode a state maps to (normalised lookup; ``"on"`` is never a mode)."""
    key = normalize_state(state)
    if key in BINARY_ON:
        return None
    mode = _mode_map(mode_map).get(key)
    return None if mode is None else OperatingMode(mode)
