"""Husdata H66 gateway (Thermia, IVT, NIBE) over its local HTTP API.

One ``GET http://<host>/api/alldata`` returns every register the gateway
knows as a flat JSON object: 4-hex-digit register ids -> raw integers. All
values of a poll therefore share one timestamp.

Decoding (the convention is documented in each brand table's header,
``h66_brands/<brand>.yaml``):

* The first hex digit of an id is its value type and gives the default scale
  and unit (`REGISTER_TYPES`): 0 temperature in tenths of °C, 1 on/off status
  (relays, digital outputs; 1A01 is the compressor), 2 setting number in tenths,
  3 percent in tenths, 4 current in tenths of A, 5 energy in tenths of kWh,
  6 hours in tenths, 7 minutes, 8 degree-minutes in tenths, 9 power in tenths
  of kW, A pressure in tenths of bar, B plain count/code, C power in W.
* The second hex digit is the register's category: 0 sensor, 1 calculated
  value, 2 setting (goes to `HeatPumpReading.settings` unless the table maps it
  to a contract key), A output/relay, C counter.
* Values are raw unsigned 16-bit numbers; for signed types a value in
  0x8000..0xFFFF is two's complement (v - 0x10000): 0xFFCE -> -50 -> -5.0 °C.
  Counters may exceed 16 bits and are never converted.

Something else answering at the address is `SourceNotThisDeviceError` (the
flow's "not an H66 gateway"): HTTP 404/405/410 on /api/alldata (no such API,
or the gateway's API disabled), an HTML page, or a JSON object without a
single 4-hex-digit register id.

Sensor-absent markers are not values: 0xDEAD (-853.1 °C if decoded) and any
temperature below -50 °C (65015 -> -52.1 °C) are None for every brand, as are
the brand table's `missing_values`.

Supply/return: the contract's flow/return temperatures come from the heat
carrier (condenser) pair 0004/0003 where the heat pump reports it; a heat pump
that does not (some Thermia models report only the radiator pair) gets the
radiator forward/return pair 0002/0001 instead, both together (the table's
`fallback`), never one of each.

The brand table maps ids to keys: the contract's `HeatPumpReading` fields, or
free snake_case names that land in `extra` (or `settings`). Ids the table does
not know are logged once per id and source instance and kept only in
`diagnostics()`.

Operating mode precedence: defrost (`defrost_active`) > DHW (any of the
table's `operating_mode.dhw` flags, e.g. the 3-way valve, while the compressor
is not known to be off) > heating (`compressor_running`) > standby
(compressor off). A DHW valve resting in its hot-water position while the
compressor is off is standby. Without a compressor flag the mode is unknown
(None) unless defrost/DHW decide it.

Modules: :mod:`.brands` (the brand tables and register decoding),
:mod:`.source` (:class:`H66Source`).
"""

from .brands import (
    ABSENT_RAW,
    BOOL_KEYS,
    BRAND_TABLE_DIR,
    BRANDS,
    FLOAT_KEYS,
    MANUFACTURERS,
    MIN_TEMPERATURE,
    REGISTER_TYPES,
    SETTING_CATEGORY,
    Brand,
    BrandTable,
    Register,
    RegisterType,
    async_load_brand_table,
    load_brand_table,
    normalize_id,
    register_type,
    to_signed16,
)
from .source import H66Source, derive_operating_mode

__all__ = [
    "ABSENT_RAW",
    "BOOL_KEYS",
    "BRANDS",
    "BRAND_TABLE_DIR",
    "FLOAT_KEYS",
    "MANUFACTURERS",
    "MIN_TEMPERATURE",
    "REGISTER_TYPES",
    "SETTING_CATEGORY",
    "Brand",
    "BrandTable",
    "H66Source",
    "Register",
    "RegisterType",
    "async_load_brand_table",
    "derive_operating_mode",
    "load_brand_table",
    "normalize_id",
    "register_type",
    "to_signed16",
]
