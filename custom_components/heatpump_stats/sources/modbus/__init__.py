"""Heat pumps on Modbus (TCP or RTU), described by a YAML register map.

A register map (``register_maps/<model>.yaml`` or a user's file) says which
registers hold which values and how to decode them; this module validates
it (`load_register_map`) and polls a device with it (`ModbusSource`).

Map format (top level)::

    manufacturer: Stiebel Eltron      # DeviceIdentity.manufacturer
    model: WPM (ISG)                  # DeviceIdentity.model
    max_gap: 10                       # unread registers bridged inside one request
    defaults: {register_type: input, data_type: int16, scale: 0.1, sentinels: [-32768]}
    registers: [...]                  # see below
    computed: [...]                   # see below

A register::

    - key: flow_temperature     # contract key (HeatPumpReading field) or a free
                                # snake_case name, which lands in `extra`
      address: 512              # wire address (0-based, as sent in the request)
      register_type: input      # input | holding
      data_type: int16          # int16 | uint16 | int32 | uint32 | float32
      word_order: big           # big | little: which register holds the high word
      scale: 0.1                # value = raw x scale
      unit: °C                  # contract keys must use the contract's unit
      sentinels: [-32768]       # raw values meaning "not available" -> None;
                                # written signed or unsigned (-32768 == 0x8000)
      labels: {0: off, 1: on}   # optional: raw integer -> text
      internal: false           # true: only used by `computed` (and diagnostics)
      setting: false            # true: goes to `settings` (the change log)
      poll_every: 1             # read every n-th poll only (settings, counters that
                                # change slowly); the last value is kept between reads
      states:                   # optional, integer registers only
        bits: {6: compressor_running, 9: defrost_active, 4: heating_mode}
        modes:                  # first match wins, so list order = precedence
          - {bit: 9, mode: defrost}     # or {value: 3, mode: dhw} for enum registers
        default_mode: standby   # when no rule matches

State bits named ``compressor_running``, ``defrost_active`` or
``circulation_pump`` fill those reading fields; other bit names land in
`extra` as 1.0 / 0.0. Modes are `OperatingMode` values.

A computed value::

    - key: thermal_energy_heating_counter
      unit: kWh
      sum: [{key: heat_total_mwh, factor: 1000}, {key: heat_total_kwh}, {key: heat_today}]
      daily: heat_today

`sum` adds registers (or earlier computed values) times their factor; it is
None while any part is None. `daily` names a part that restarts at midnight
while the other parts (totals) take in the finished day once a day, as
Stiebel Eltron's ISG does: the source then keeps the sum continuous however
the two are ordered around midnight (see `_DailyRollover`).

Reads are coalesced: per register type and `poll_every`, registers go into as
few requests as possible (at most 125 registers each, holes of up to `max_gap`
registers read and discarded); a block with ``poll_every: n`` is read on the
first poll and then on every n-th. Each block's registers are listed once,
with the plan, so decoding a poll touches only what that poll read. A request
that the device answers with an exception is split in halves down to single
registers, so one bad address does not blank its neighbours. What answers
exception 2 (illegal data address) is remembered: an unsupported register is
no longer read, and a refused hole is no longer bridged, so the next poll
needs no splitting.

The package, one concern a module: ``registers`` (types, limits, errors, the
validated map), ``schema`` (the YAML's schemas and value checks), ``maps``
(loading and validation), ``plan`` (request coalescing), ``decode`` (registers
→ values → reading) and ``client`` (:class:`ModbusSource`, the protocol).
Every public name is imported from here.
"""

from .client import ModbusSource
from .maps import available_models, load_register_map, parse_register_map
from .plan import plan_requests
from .registers import (
    CONTRACT_FLAGS,
    CONTRACT_UNITS,
    DATA_TYPES,
    DEFAULT_MAX_GAP,
    ILLEGAL_DATA_ADDRESS,
    MAX_REGISTERS_PER_REQUEST,
    REGISTER_MAP_DIR,
    REGISTER_TYPES,
    WORD_ORDERS,
    ComputedDef,
    DataType,
    MapProblem,
    ModeRule,
    ReadBlock,
    RegisterDef,
    RegisterMap,
    RegisterMapError,
    RegisterStates,
    RegisterType,
    SumPart,
    Value,
    WordOrder,
)

__all__ = [
    "CONTRACT_FLAGS",
    "CONTRACT_UNITS",
    "DATA_TYPES",
    "DEFAULT_MAX_GAP",
    "ILLEGAL_DATA_ADDRESS",
    "MAX_REGISTERS_PER_REQUEST",
    "REGISTER_MAP_DIR",
    "REGISTER_TYPES",
    "WORD_ORDERS",
    "ComputedDef",
    "DataType",
    "MapProblem",
    "ModbusSource",
    "ModeRule",
    "ReadBlock",
    "RegisterDef",
    "RegisterMap",
    "RegisterMapError",
    "RegisterStates",
    "RegisterType",
    "SumPart",
    "Value",
    "WordOrder",
    "available_models",
    "load_register_map",
    "parse_register_map",
    "plan_requests",
]
