"""The cards of the live dashboard: entity ids from the registry, tiles, sections, graphs, impact.

Building blocks of :func:`.dashboard.build_dashboard`; each returns plain
Lovelace card configuration (dicts), nothing is written anywhere.
"""

from __future__ import annotations

import json
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.const import ATTR_RESTORED, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN


class Resolver:
    """Entity ids of one entry's keys, from the entity registry (never from names)."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry, names: dict[str, str]) -> None:
        self._hass = hass
        self._registry = er.async_get(hass)
        self._unique_prefix = f"{entry.unique_id}_"
        self._loaded = entry.state is ConfigEntryState.LOADED
        self._names = names

    def entity_id(self, platform: Platform, key: str) -> str | None:
        """The entity id of `key`, or None when it does not exist or is not shown.

        An entity counts when the registry has it, it is enabled, and (while the
        entry is loaded) it has a state that its integration wrote: a registry
        entry that the integration no longer creates only has the `restored`
        placeholder state, and a card for it would show an error.
        """
        entity_id = self._registry.async_get_entity_id(
            platform, DOMAIN, f"{self._unique_prefix}{key}"
        )
        if entity_id is None:
            return None
        entry = self._registry.async_get(entity_id)
        if entry is None or entry.disabled_by is not None:
            return None
        if self._loaded:
            state = self._hass.states.get(entity_id)
            if state is None or (
                state.state == STATE_UNAVAILABLE and state.attributes.get(ATTR_RESTORED)
            ):
                return None
        return entity_id

    def ref(self, platform: Platform, key: str) -> dict[str, str] | None:
        """`{"entity": ..., "name": ...}` for a multi-entity card, or None.

        The short translated name is given unless the user renamed the entity
        (then the card shows the user's name).
        """
        entity_id = self.entity_id(platform, key)
        if entity_id is None:
            return None
        ref = {"entity": entity_id}
        entry = self._registry.async_get(entity_id)
        name = self._names.get(f"{platform}.{key}")
        if entry is not None and entry.name is None and name:
            ref["name"] = name
        return ref

    def refs(self, items: tuple[tuple[Platform, str], ...]) -> list[dict[str, str]]:
        """The refs of the items that exist, in order."""
        return [ref for platform, key in items if (ref := self.ref(platform, key)) is not None]


def tiles(resolver: Resolver, items: tuple[tuple[Platform, str], ...]) -> list[dict[str, Any]]:
    return [{"type": "tile", **ref} for ref in resolver.refs(items)]


def heading(title: str, icon: str) -> dict[str, Any]:
    return {"type": "heading", "heading": title, "icon": icon}


def section(cards: list[dict[str, Any]], **extra: Any) -> dict[str, Any] | None:
    """A grid section, or None when it would hold nothing but its heading."""
    if len(cards) <= 1:
        return None
    return {"type": "grid", "cards": cards, **extra}


def history_graph(
    title: str, entities: list[dict[str, str]], hours_to_show: int, **extra: Any
) -> list[dict[str, Any]]:
    if not entities:
        return []
    return [
        {
            "type": "history-graph",
            "title": title,
            "hours_to_show": hours_to_show,
            "entities": entities,
            **extra,
        }
    ]


def statistics_graph(
    title: str,
    entities: list[dict[str, str]],
    *,
    stat_types: list[str],
    chart_type: str,
    days_to_show: int,
    **extra: Any,
) -> list[dict[str, Any]]:
    if not entities:
        return []
    return [
        {
            "type": "statistics-graph",
            "title": title,
            "entities": entities,
            "period": "day",
            "stat_types": stat_types,
            "chart_type": chart_type,
            "days_to_show": days_to_show,
            **extra,
        }
    ]


def impact_template(note_entity: str, t: dict[str, str]) -> str:
    """Markdown (Jinja) listing the note entity's `recent_changes`, newest first, with impact."""
    reasons = {
        key.removeprefix("reason_"): text for key, text in t.items() if key.startswith("reason_")
    }
    levels = {
        key.removeprefix("confidence_"): text
        for key, text in t.items()
        if key.startswith("confidence_")
    }
    # JSON literals are valid Jinja dict literals; the texts are ours (translations).
    return (
        f"{{%- set changes = state_attr({json.dumps(note_entity)}, 'recent_changes') or [] -%}}\n"
        f"{{%- set reasons = {json.dumps(reasons, ensure_ascii=False)} -%}}\n"
        f"{{%- set levels = {json.dumps(levels, ensure_ascii=False)} -%}}\n"
        "{%- macro pct(v) -%}"
        "{{ '%+.1f' | format(v) if v is not none else '–' }} %"
        "{%- endmacro -%}\n"
        f"{{%- if not changes %}}{t['impact_none']}{{% endif -%}}\n"
        "{%- for c in changes | reverse %}\n"
        "**{{ as_timestamp(c.timestamp) | timestamp_custom('%Y-%m-%d %H:%M') }}** · "
        "{% if c.source == 'note' %}{{ c.message }}"
        "{% else %}{{ c.key | replace('_', ' ') }}: {{ c.old }} → {{ c.new }}{% endif %}  \n"
        "{%- set i = c.impact %}\n"
        "{% if i.weather_normalized_cop_change_pct is not none -%}\n"
        f"{t['impact_cop']} **{{{{ pct(i.weather_normalized_cop_change_pct) }}}}** "
        f"({t['impact_plain']} {{{{ pct(i.cop_change_pct) }}}}"
        "{% if i.weather_normalized_heat_demand_change_pct is not none %}, "
        f"{t['impact_demand']} {{{{ pct(i.weather_normalized_heat_demand_change_pct) }}}}"
        "{% endif %}) · "
        f"{t['impact_confidence']}: {{{{ levels.get(i.confidence, i.confidence) }}}}\n"
        "{%- else -%}\n"
        f"{t['impact_pending']}: {{{{ reasons.get(i.reason, i.reason) }}}}\n"
        "{%- endif %}\n"
        "{% endfor %}"
    )


def impact_cards(r: Resolver, t: dict[str, str]) -> list[dict[str, Any]]:
    """The note field next to the log, and every recent change with its impact."""
    note = r.ref(Platform.TEXT, "note")
    if note is None:
        return []
    return [
        {"type": "entities", "entities": [note], "grid_options": {"columns": "full"}},
        {
            "type": "markdown",
            "title": t["impact"],
            "content": impact_template(note["entity"], t),
            "grid_options": {"columns": "full"},
        },
    ]
