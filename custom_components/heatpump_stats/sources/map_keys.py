"""The keys a device map (a Modbus register map, an H66 brand table) may give a value.

A key is a `HeatPumpReading` field (with the contract's unit, or an on/off
flag) or a free snake_case name that lands in the reading's ``extra`` (or
``settings``). Both maps check their keys with these two rules.
"""

from __future__ import annotations

import re
from typing import Final

# Reading fields no register may claim: the source sets them itself.
RESERVED_KEYS: Final = frozenset({"timestamp", "operating_mode", "settings", "extra"})
# A free key: lower-case snake_case.
KEY_RE: Final = re.compile(r"^[a-z][a-z0-9_]*$")
