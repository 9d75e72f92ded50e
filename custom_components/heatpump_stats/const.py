"""Constants of the Heat Pump Stats integration (names fixed by shared/CONTRACT.md)."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "heatpump_stats"
LOGGER = logging.getLogger(__package__)

# Config-flow keys.
CONF_SOURCE: Final = "source"
CONF_NAME: Final = "name"
CONF_METER: Final = "meter"

SOURCE_DEMO: Final = "demo"
SOURCE_VIESSMANN: Final = "viessmann"
SOURCE_LUXTRONIK: Final = "luxtronik"
SOURCE_MODBUS: Final = "modbus"
SOURCE_H66: Final = "h66"
SOURCE_ENTITIES: Final = "entities"
ALL_SOURCES: Final = (
    SOURCE_DEMO,
    SOURCE_VIESSMANN,
    SOURCE_LUXTRONIK,
    SOURCE_MODBUS,
    SOURCE_H66,
    SOURCE_ENTITIES,
)
# Only sources that work are offered in the flow.
AVAILABLE_SOURCES: Final = (
    SOURCE_DEMO,
    SOURCE_VIESSMANN,
    SOURCE_LUXTRONIK,
    SOURCE_MODBUS,
    SOURCE_H66,
    SOURCE_ENTITIES,
)

METER_NONE: Final = "none"
METER_SHELLY_PRO_3EM: Final = "shelly_pro_3em"
METER_ENTITY: Final = "entity"
METER_SOURCE: Final = "source"

# Options.
CONF_RATED_THERMAL_POWER_KW: Final = "rated_thermal_power_kw"
CONF_FLOW_RATE_L_MIN: Final = "flow_rate_l_min"
CONF_SCAN_INTERVAL_S: Final = "scan_interval_s"
CONF_METER_SCAN_INTERVAL_S: Final = "meter_scan_interval_s"
CONF_SEASON_START: Final = "season_start"

DEFAULT_SCAN_INTERVAL_S: Final = 30
DEFAULT_METER_SCAN_INTERVAL_S: Final = 10
DEFAULT_SEASON_START: Final = "07-01"
MIN_SCAN_INTERVAL_S: Final = 5
MAX_SCAN_INTERVAL_S: Final = 3600

# The demo simulator's rated thermal output (kW) and flow rate (l/min).
DEMO_RATED_THERMAL_POWER_KW: Final = 8.0
DEMO_FLOW_RATE_L_MIN: Final = 20.0

STORAGE_VERSION: Final = 1
# Accumulated state is written at most this often (and always on unload/stop).
STORAGE_SAVE_DELAY: Final = timedelta(seconds=60)

# The change log.
EVENT_CONFIG_CHANGE: Final = "heatpump_stats_config_change"
EVENT_TYPES: Final = ("setpoint_changed", "schedule_changed", "mode_changed", "note_added")
# Event kinds of a note edited or deleted (bus event and event entity; never a stored kind).
EVENT_NOTE_UPDATED: Final = "note_updated"
EVENT_NOTE_DELETED: Final = "note_deleted"

# Source and meter fields (contract names).
CONF_HOST: Final = "host"
CONF_PORT: Final = "port"
CONF_CONNECTION: Final = "connection"
CONF_UNIT_ID: Final = "unit_id"
CONF_SERIAL_PORT: Final = "serial_port"
CONF_BAUDRATE: Final = "baudrate"
CONF_MODEL: Final = "model"
CONF_REGISTER_MAP: Final = "register_map"
CONF_BRAND: Final = "brand"
CONF_SHELLY_HOST: Final = "shelly_host"
CONF_SHELLY_PASSWORD: Final = "shelly_password"
CONF_POWER_ENTITY: Final = "power_entity"
CONF_ENERGY_ENTITY: Final = "energy_entity"
# Options of the `entities` source.
CONF_MODE_MAP: Final = "mode_map"
CONF_STALE_AFTER_MIN: Final = "stale_after_min"
DEFAULT_STALE_AFTER_MIN: Final = 15

CONNECTION_TCP: Final = "tcp"
CONNECTION_RTU: Final = "rtu"
DEFAULT_LUXTRONIK_PORT: Final = 8889
DEFAULT_MODBUS_PORT: Final = 502
MODEL_CUSTOM: Final = "custom"
MODBUS_MODELS: Final = ("stiebel_eltron_isg", MODEL_CUSTOM)
H66_BRANDS: Final = ("thermia", "ivt", "nibe")

# Viessmann.
CONF_DEVICE: Final = "device"
CONF_VIESSMANN_DAILY_CALL_BUDGET: Final = "viessmann_daily_call_budget"
DEFAULT_VIESSMANN_DAILY_CALL_BUDGET: Final = 1450

# Second round (shared/CONTRACT.md "Additions").
# `entities` source: an on/off defrost entity (ESPAltherma's "Defrost Operation").
CONF_DEFROST: Final = "defrost"
# Alerts (options).
CONF_SHORT_CYCLING_MAX_STARTS_PER_HOUR: Final = "short_cycling_max_starts_per_hour"
DEFAULT_SHORT_CYCLING_MAX_STARTS_PER_HOUR: Final = 3
CONF_COP_BELOW_EXPECTED_PCT: Final = "cop_below_expected_pct"
DEFAULT_COP_BELOW_EXPECTED_PCT: Final = 15

# History beyond the recorder (issue 10): where `summarize` and `compare_periods` read.
HISTORY_RECORDER: Final = "recorder"
HISTORY_STATISTICS: Final = "statistics"
HISTORY_INFLUXDB: Final = "influxdb"
HISTORIES: Final = (HISTORY_RECORDER, HISTORY_STATISTICS, HISTORY_INFLUXDB)
# InfluxDB connection (options step `influxdb`): API v1 uses database, username and
# password; API v2 bucket, org and token.
CONF_INFLUXDB_URL: Final = "influxdb_url"
CONF_INFLUXDB_API_VERSION: Final = "influxdb_api_version"
CONF_INFLUXDB_DATABASE: Final = "influxdb_database"
CONF_INFLUXDB_USERNAME: Final = "influxdb_username"
CONF_INFLUXDB_PASSWORD: Final = "influxdb_password"
CONF_INFLUXDB_BUCKET: Final = "influxdb_bucket"
CONF_INFLUXDB_ORG: Final = "influxdb_org"
CONF_INFLUXDB_TOKEN: Final = "influxdb_token"
INFLUXDB_KEYS: Final = (
    CONF_INFLUXDB_URL,
    CONF_INFLUXDB_API_VERSION,
    CONF_INFLUXDB_DATABASE,
    CONF_INFLUXDB_USERNAME,
    CONF_INFLUXDB_PASSWORD,
    CONF_INFLUXDB_BUCKET,
    CONF_INFLUXDB_ORG,
    CONF_INFLUXDB_TOKEN,
)
DEFAULT_INFLUXDB_DATABASE: Final = "home_assistant"

# Options read by `options.EntryOptions` that other modules define the meaning of:
# CSV reports (`csv_reports`) and the demo's imported history (`demo_history`).
CONF_CSV_DIRECTORY: Final = "csv_directory"
CONF_CSV_RETENTION_DAYS: Final = "csv_retention_days"
CONF_CSV_TIME: Final = "csv_time"
DEFAULT_CSV_RETENTION_DAYS: Final = 30
DEFAULT_CSV_TIME: Final = "07:00"
#: Options key the config flow sets on a new demo entry: days of history to import.
CONF_DEMO_HISTORY_DAYS: Final = "demo_history_days"

# Services: the field every service has.
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
