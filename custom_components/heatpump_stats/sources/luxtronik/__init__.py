"""Luxtronik 2 controllers (Alpha Innotec, Novelan, Roth, ...) over their TCP protocol.

One TCP connection per poll (port 8889; 8888 is the web port) reads the three
tables the controller keeps: parameters (command 3003), calculations (3004)
and visibilities (3005). The socket I/O is done here with asyncio; the
`luxtronik` package (0.3.14) is used only for its data definitions: the names
of the indices and each index's datatype (`from_heatpump` does the scaling,
e.g. tenths of a degree to °C).

Modules: :mod:`.protocol` (the frames on the wire), :mod:`.tables` (the
value tables and what is read from them), :mod:`.source` (:class:`LuxtronikSource`).

Why not `luxtronik.Luxtronik` itself: it connects and reads in its
constructor, blocks, sets no socket timeout (a hung controller would hold an
executor thread forever) and does not loop on short `recv` calls, so values
can come out shifted. And its `Parameters/Calculations/Visibilities.parse()`
store the values on datatype objects that live in *class-level* dicts, i.e.
shared by every instance in the process (two heat pumps would overwrite each
other). So the definitions are only read here, never `parse()`d into.
"""

from .protocol import CMD_CALCULATIONS, CMD_PARAMETERS, CMD_VISIBILITIES, MAX_COUNT, LuxtronikFrames
from .source import DEFAULT_MODEL, DEFAULT_PORT, MANUFACTURER, LuxtronikSource
from .tables import DIAGNOSTICS_TO_REDACT, OPERATING_STATE_OPTIONS, REDACTED

__all__ = [
    "CMD_CALCULATIONS",
    "CMD_PARAMETERS",
    "CMD_VISIBILITIES",
    "DEFAULT_MODEL",
    "DEFAULT_PORT",
    "DIAGNOSTICS_TO_REDACT",
    "MANUFACTURER",
    "MAX_COUNT",
    "OPERATING_STATE_OPTIONS",
    "REDACTED",
    "LuxtronikFrames",
    "LuxtronikSource",
]
