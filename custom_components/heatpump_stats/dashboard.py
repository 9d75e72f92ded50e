"""The live part of the heat pump's dashboard, built from the entities the entry has now.

`build_dashboard` makes one sections view (live tiles, daily statistics,
history graphs, heat against outdoor temperature, and the change log next to
the COP curve) from the entities the entry really has: every entity id is
looked up in the entity registry by its unique id `<entry unique id>_<key>`; a
card whose entities are all missing is left out, a card with some missing
shows the others.

Nothing here writes Lovelace: the dashboard strategy `custom:heatpump-stats`
(in the card's bundle) asks for this view over the websocket
(`heatpump_stats/dashboard`, see :mod:`.websocket`) each time the dashboard
is opened and puts the card `custom:heatpump-stats-card` in front of it.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN
from .daily_cop import daily_cop_statistic_id
from .dashboard_cards import (
    Resolver,
    heading,
    history_graph,
    impact_cards,
    section,
    statistics_graph,
    tiles,
)

DASHBOARD_ICON: Final = "mdi:heat-pump"
DEFAULT_HOURS_TO_SHOW: Final = 24
DEFAULT_DAYS_TO_SHOW: Final = 30

# Card and section titles: `common.dashboard_<key>` in translations/<lang>.json;
# these English texts are used when a translation is missing.
TITLES: Final[dict[str, str]] = {
    "now": "Now",
    "power": "Heat and electrical power",
    "temperatures": "Temperatures",
    "temperature_history": "Flow, return and outside temperature",
    "energy": "Energy per day",
    "daily_energy": "Electricity and heat per day",
    "daily_cop": "Daily COP (heat ÷ electricity of each day)",
    "outdoor": "Heat by outdoor temperature",
    "daily_heat": "Heat per day",
    "daily_outside": "Outside temperature per day (mean)",
    "changes": "Configuration changes and COP",
    "cop_history": "COP",
    "changelog": "Change log",
    # The impact card (its words too: a markdown card has no translations of its own).
    "impact": "Impact of each change (normalised for the weather)",
    "impact_cop": "COP, weather-normalised",
    "impact_plain": "plain",
    "impact_demand": "heat demand",
    "impact_confidence": "confidence",
    "impact_pending": "cannot say yet",
    "impact_none": "No changes yet. Write a note when you change a setting.",
    "confidence_low": "low",
    "confidence_medium": "medium",
    "confidence_high": "high",
    "reason_no_data": "no heat recorded in one of the periods",
    "reason_too_few_points": "too few hours with heat before the change",
    "reason_too_few_days": "too few days of data before or after the change",
    "reason_no_temperature_overlap": (
        "the weather after the change was outside the range seen before it"
    ),
    "reason_poor_fit": "the COP before the change scatters too much",
    "reason_purpose_not_comparable": "heating or hot water cannot be compared yet",
    "reason_no_history": "the recorder's history is not available",
    "reason_no_period": "another change came at the same time",
}

# Live tiles, in order: (platform, key).
NOW_TILES: Final = (
    (Platform.SENSOR, "operating_mode"),
    (Platform.BINARY_SENSOR, "compressor_running"),
    (Platform.SENSOR, "cop"),
    (Platform.SENSOR, "thermal_power"),
    (Platform.SENSOR, "electrical_power"),
    (Platform.SENSOR, "compressor_modulation"),
    (Platform.SENSOR, "daily_cop"),
    (Platform.SENSOR, "seasonal_cop"),
)
TEMPERATURE_TILES: Final = (
    (Platform.SENSOR, "outside_temperature"),
    (Platform.SENSOR, "flow_temperature"),
    (Platform.SENSOR, "return_temperature"),
    (Platform.SENSOR, "dhw_temperature"),
)
ENERGY_TILES: Final = (
    (Platform.SENSOR, "energy_today"),
    (Platform.SENSOR, "projected_annual_energy"),
)


async def _async_texts(hass: HomeAssistant) -> tuple[dict[str, str], dict[str, str]]:
    """(card titles, short entity names) in Home Assistant's language."""
    language = hass.config.language
    # hassfest allows no `dashboard` block in translations: the titles are
    # `common.dashboard_<key>` strings.
    common = await async_get_translations(hass, language, "common", {DOMAIN})
    entity = await async_get_translations(hass, language, "entity", {DOMAIN})
    titles = {
        key: common.get(f"component.{DOMAIN}.common.dashboard_{key}", default)
        for key, default in TITLES.items()
    }
    prefix = f"component.{DOMAIN}.entity."
    names: dict[str, str] = {}
    for full_key, text in entity.items():
        # component.heatpump_stats.entity.<platform>.<key>.name
        parts = full_key.removeprefix(prefix).split(".")
        if full_key.startswith(prefix) and len(parts) == 3 and parts[2] == "name":
            names[f"{parts[0]}.{parts[1]}"] = text
    return titles, names


async def async_build_dashboard(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    hours_to_show: int = DEFAULT_HOURS_TO_SHOW,
    days_to_show: int = DEFAULT_DAYS_TO_SHOW,
) -> dict[str, Any]:
    """`build_dashboard` with the card titles and entity names in HA's language."""
    titles, names = await _async_texts(hass)
    return build_dashboard(
        hass,
        entry,
        hours_to_show=hours_to_show,
        days_to_show=days_to_show,
        titles=titles,
        names=names,
    )


@callback
def build_dashboard(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    hours_to_show: int = DEFAULT_HOURS_TO_SHOW,
    days_to_show: int = DEFAULT_DAYS_TO_SHOW,
    titles: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The Lovelace configuration of the entry's dashboard (cards only for entities it has).

    `hours_to_show` is the window of the history graphs and of the change log
    (the COP curve and the change log always cover the same hours);
    `days_to_show` that of the daily statistics graphs.
    """
    t = {**TITLES, **(titles or {})}
    r = Resolver(hass, entry, names or {})
    sensor = Platform.SENSOR

    now = [
        heading(t["now"], "mdi:heat-pump"),
        *tiles(r, NOW_TILES),
        *history_graph(
            t["power"],
            r.refs(((sensor, "thermal_power"), (sensor, "electrical_power"))),
            hours_to_show,
        ),
    ]
    temperatures = [
        heading(t["temperatures"], "mdi:thermometer"),
        *tiles(r, TEMPERATURE_TILES),
        *history_graph(
            t["temperature_history"],
            r.refs(
                (
                    (sensor, "flow_temperature"),
                    (sensor, "return_temperature"),
                    (sensor, "outside_temperature"),
                )
            ),
            hours_to_show,
        ),
    ]
    energy = [
        heading(t["energy"], "mdi:chart-bar"),
        *statistics_graph(
            t["daily_energy"],
            r.refs(((sensor, "electrical_energy"), (sensor, "thermal_energy"))),
            stat_types=["change"],
            chart_type="bar",
            days_to_show=days_to_show,
        ),
        *statistics_graph(
            t["daily_cop"],
            # The day's heat ÷ electricity (one row a day, see daily_cop.py), not the
            # day's mean of the sensor's running ratio.
            [
                {"entity": daily_cop_statistic_id(entry.unique_id), "name": ref["name"]}
                if "name" in ref
                else {"entity": daily_cop_statistic_id(entry.unique_id)}
                for ref in r.refs(((sensor, "daily_cop"),))
            ],
            stat_types=["mean"],
            chart_type="bar",
            days_to_show=days_to_show,
        ),
        *tiles(r, ENERGY_TILES),
    ]
    # Cards cannot call `heatpump_stats.summarize` (energy by outdoor-temperature
    # bin), so the same days are shown twice: heat per day above the day's mean
    # outside temperature, bars under bars (a bar shows from the first day on; a
    # line needs two).
    outdoor = [
        heading(t["outdoor"], "mdi:snowflake-thermometer"),
        *statistics_graph(
            t["daily_heat"],
            r.refs(((sensor, "thermal_energy_heating"), (sensor, "thermal_energy_dhw")))
            or r.refs(((sensor, "thermal_energy"),)),
            stat_types=["change"],
            chart_type="bar",
            days_to_show=days_to_show,
        ),
        *statistics_graph(
            t["daily_outside"],
            r.refs(((sensor, "outside_temperature"),)),
            stat_types=["mean"],
            chart_type="bar",
            days_to_show=days_to_show,
        ),
    ]
    # The COP curve and the change log side by side, over the same hours, so a
    # change can be read against the COP before and after it. The log lists the
    # `config_change` event entity (one line per change, with its kind); the
    # tile below shows the newest change with the setting and its new value.
    # The section spans two columns, so its grid has 24: 12 is half of it (on a
    # phone the section is one column wide and the halves stack).
    half = {"grid_options": {"columns": 12, "rows": 8}}
    log_entity = r.entity_id(Platform.EVENT, "config_change") or r.entity_id(
        sensor, "last_config_change"
    )
    changes = [
        heading(t["changes"], "mdi:history"),
        *history_graph(
            t["cop_history"],
            r.refs(((sensor, "cop"), (sensor, "daily_cop"))),
            hours_to_show,
            **half,
        ),
    ]
    if log_entity is not None:
        changes.append(
            {
                "type": "logbook",
                "title": t["changelog"],
                "hours_to_show": hours_to_show,
                "entities": [log_entity],
                **half,
            }
        )
    if (last := r.ref(sensor, "last_config_change")) is not None:
        changes.append(
            {
                "type": "tile",
                **last,
                "state_content": ["state", "description"],
                "grid_options": {"columns": "full"},
            }
        )

    changes.extend(impact_cards(r, t))

    sections = [
        built
        for built in (
            section(now),
            section(temperatures),
            section(energy),
            section(outdoor),
            section(changes, column_span=2),
        )
        if built is not None
    ]
    return {
        "title": entry.title,
        "views": [
            {
                # No view title: the toolbar shows the dashboard's (the entry's).
                "type": "sections",
                "path": "overview",
                "icon": DASHBOARD_ICON,
                "max_columns": 4,
                "sections": sections,
            }
        ],
    }
