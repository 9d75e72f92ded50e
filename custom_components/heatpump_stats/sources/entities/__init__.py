"""The ``entities`` source: a heat pump that is already in Home Assistant.

The main case is ESPAltherma over MQTT (leaving / inlet water temperature,
outdoor air temperature, "Operation Mode", "Flow sensor (l/min)", an
electricity sensor), but any entities work. The Home Assistant glue takes, for
each configured field, a plain :class:`RawState` snapshot of the entity's state
and calls :func:`build_reading`; everything about *interpreting* those states
lives here, free of Home Assistant imports.

Field keys (:data:`FIELDS`) are the contract's ``entities`` step fields. A
field missing from ``states`` (or mapped to ``None``) is "not configured" and
its reading value is ``None``; required fields (:data:`REQUIRED_FIELDS`) are no
exception: the glue decides what a missing required value means
(:func:`missing_required` lists them).

Numbers
    States are parsed leniently: surrounding whitespace, comma decimals
    (``"35,5"``) and a unit suffix in the state itself (``"35.2 °C"``) are
    accepted. ``unavailable``, ``unknown``, ``none`` and ``""`` (any case) and
    anything that is not a finite number (``"abc"``, ``"nan"``, ``"1.2.3"``,
    ``"1,234.5"``) give ``None``; nothing raises.

Units (converted to the reading's units)
    * temperatures -> °C: ``°C`` (also ``C``, ``ºC``, ``℃``), ``°F``, ``K``;
    * ``electrical_power`` -> W: ``W``, ``kW`` (``KW``), ``MW``;
    * ``electrical_energy`` -> kWh: ``Wh``, ``kWh``, ``MWh``, ``GWh``,
      ``kJ``, ``MJ``, ``GJ``;
    * ``flow_rate`` -> l/min: ``L/min``/``l/min``, ``L/h``, ``L/s``, ``mL/s``,
      ``m³/h`` (also ``m3/h``), ``m³/s``, ``gal/min``, ``gal/h``, ``ft³/min``;
    * ``compressor_modulation``: ``%`` only.

    Power and energy prefixes are matched case-sensitively (``mW`` is not
    ``MW``). A missing unit (no ``unit_of_measurement`` and no suffix) means the
    reading's own unit (°C, W, kWh, l/min, %). A unit that does not fit the
    field (``A`` for ``electrical_power``), a ``device_class`` of another
    quantity (``current`` for ``electrical_power``) or a state suffix that
    contradicts the unit attribute gives ``None`` for that field.

Problems
    Why a configured field is ``None`` is reported in two ways:

    * :func:`check_units` (for the config flow): field -> message for units and
      device classes that do not fit, i.e. the things a user fixes by picking
      another entity. Transient states (unavailable, stale) are not reported.
    * :func:`build_reading` puts ``extra["problem_<field>"] = message`` into
      the reading for every configured field that came out ``None`` (wrong
      unit, unavailable, not a number, stale, unmapped mode);
      :func:`reading_problems` collects them as field -> message.

Staleness
    A state whose ``last_updated`` is *more than* ``stale_after`` before
    ``now`` is stale and gives ``None`` (ESPAltherma can freeze while the MQTT
    sensor keeps its last value). Exactly ``stale_after`` old is still fresh
    (the boundary is inclusive of fresh). A ``stale_after`` of zero or less
    turns the check off. ``last_updated`` should be the newest of HA's
    ``last_changed`` / ``last_reported`` so that a steady value that keeps being
    re-published is not stale. Naive datetimes are taken as UTC.

Operating mode
    The state is normalised (whitespace collapsed, casefolded) and looked up in
    ``mode_map`` (whose keys are normalised the same way).
    :data:`ESPALTHERMA_MODE_MAP` holds the defaults: ESPAltherma's "Operation
    Mode" labels ("Fan Only" = idle -> standby, "Heating", "Cooling", "Auto",
    "Heating Storage", ...), its "I/U operation mode" labels ("Stop", "DHW",
    "Heating + DHW", ...) and generic labels ("off", "standby", "idle",
    "hot water", "DHW", "defrost", HA climate ``hvac_action`` values). "on" is
    never a mode. An unmapped state gives ``None`` and
    ``extra["operating_mode_raw"]`` = the state as received (stripped).
    ESPAltherma's "Operation Mode" does not tell space heating from hot water:
    use its "I/U operation mode" entity (or edit the map) for DHW. Its ON/OFF
    registers ("Defrost Operation", ...) are not mode entities: their "OFF"
    would read as mode ``off``, so the config flow should not offer binary
    sensors for ``operating_mode``.

    The user-editable form of a map is text, one ``state = mode`` per line
    (:func:`parse_mode_map`, :func:`format_mode_map`).

Defrost
    ESPAltherma reports defrost only in its ON/OFF "Defrost Operation" value,
    never in "Operation Mode". The optional field ``defrost``
    (:data:`DEFROST_FIELD`, not in :data:`FIELDS`: it is an on/off entity, not
    a number) takes such an entity: ``on``/``ON``/``true``/``1``/``yes`` is
    defrosting, ``off``/``false``/``0``/``no`` is not (a binary sensor, an
    input_boolean or ESPAltherma's text sensor); unavailable, unknown, other
    text or stale gives ``None`` and a ``problem_defrost``. While it says on,
    ``operating_mode`` is ``defrost`` whatever the mode entity says.

"Fan Only" while the water is being heated
    An Altherma can report "Fan Only" in "Operation Mode" while the
    compressor heats (ESPAltherma issue 437). "Fan Only" (:data:`FAN_ONLY`)
    therefore counts as standby only while the flow is no more than
    :data:`HEATING_SPREAD_K` (2 K) above the return; with a larger spread it is
    heating, unless a configured electrical power says the unit draws less
    than :data:`RUNNING_POWER_W` (200 W: no compressor runs). Without flow and
    return values it stays standby.

Derived flags
    ``defrost_active`` comes from the ``defrost`` entity when one is
    configured and has a value; otherwise it is ``True`` when the mode is
    defrost, ``False`` for any other known mode and ``None`` without a mode.
    ``compressor_running`` and ``circulation_pump`` stay ``None`` (the engine
    classifies from power).
    The reading's ``timestamp`` is ``now`` (in UTC).
"""

from .build import (
    DEFROST_FIELD,
    FAN_ONLY,
    FIELDS,
    HEATING_SPREAD_K,
    MODE_FIELD,
    MODE_RAW_KEY,
    PROBLEM_PREFIX,
    REQUIRED_FIELDS,
    RUNNING_POWER_W,
    build_reading,
    check_units,
    missing_required,
    read_flag,
    reading_problems,
)
from .modes import (
    BINARY_ON,
    ESPALTHERMA_MODE_MAP,
    ModeMapError,
    format_mode_map,
    lookup_mode,
    normalize_state,
    parse_mode_map,
)
from .states import (
    UNAVAILABLE_STATES,
    EntityValueError,
    RawState,
    is_stale,
    is_unavailable,
    parse_number,
)
from .units import FIELD_QUANTITY, Quantity, read_number

__all__ = [
    "BINARY_ON",
    "DEFROST_FIELD",
    "ESPALTHERMA_MODE_MAP",
    "FAN_ONLY",
    "FIELDS",
    "FIELD_QUANTITY",
    "HEATING_SPREAD_K",
    "MODE_FIELD",
    "MODE_RAW_KEY",
    "PROBLEM_PREFIX",
    "REQUIRED_FIELDS",
    "RUNNING_POWER_W",
    "UNAVAILABLE_STATES",
    "EntityValueError",
    "ModeMapError",
    "Quantity",
    "RawState",
    "build_reading",
    "check_units",
    "format_mode_map",
    "is_stale",
    "is_unavailable",
    "lookup_mode",
    "missing_required",
    "normalize_state",
    "parse_mode_map",
    "parse_number",
    "read_flag",
    "read_number",
    "reading_problems",
]
