"""Home Assistant's hassfest rules for this integration, reproduced (hassfest is not on PyPI).

Modeled on home-assistant/core script/hassfest/, run with `--integration-path`
(the custom-integration mode):

- manifest.py: CUSTOM_INTEGRATION_MANIFEST_SCHEMA's keys and types, a valid
  `version` (AwesomeVersion), `domain` equal to the folder name, a known
  `iot_class`; and the key order hassfest's `sort_manifest` enforces
  (domain, name, then alphabetical).
- dependencies.py: every `homeassistant.components.<x>` import is an entity
  platform, an ALLOWED_USED_COMPONENTS domain, a platform file of ours, or in
  `dependencies` / `after_dependencies`.
- translations.py: gen_strings_schema's allowed top-level keys (no
  `dashboard`), the data-entry schema (step title/description/data/
  data_description/menu_options, data_description keys also in data),
  selector/entity/exception/service/issue shapes, and
  `validate_translation_value` on every string: no HTML
  (cv.string_with_no_html), no placeholder in single quotes, placeholders are
  identifiers, no leading/trailing spaces, no URLs (RE_URL). Applied to en.json
  and, as a German file must obey the same rules, de.json.
- services.py: services.yaml's shape; every service and field has a name and
  a description in the translations, a select's translation_key exists, and
  every service has an icon in icons.json (core's rule, kept here too).
- quality_scale.py: the SCHEMA of quality_scale.yaml (rules from ALL_RULES,
  `todo`/`done` or {status, comment}, `exempt` only with a comment); we also
  require every rule to be listed, each with an honest status.
- icons.py: icons are `mdi:` names; entity and service icons name
  translation keys / services that exist.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import string
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.const import Platform
import homeassistant.helpers.config_validation as cv
import probatio as vol
import pytest
import yaml

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "heatpump_stats"
TRANSLATIONS = ("en", "de")

# script/hassfest/quality_scale.py ALL_RULES (Bronze, Silver, Gold, Platinum).
ALL_RULES = (
    "action-setup",
    "appropriate-polling",
    "brands",
    "common-modules",
    "config-flow",
    "config-flow-test-coverage",
    "dependency-transparency",
    "docs-actions",
    "docs-conditions",
    "docs-high-level-description",
    "docs-installation-instructions",
    "docs-removal-instructions",
    "docs-triggers",
    "entity-event-setup",
    "entity-unique-id",
    "has-entity-name",
    "runtime-data",
    "test-before-configure",
    "test-before-setup",
    "unique-config-entry",
    "action-exceptions",
    "config-entry-unloading",
    "docs-configuration-parameters",
    "docs-installation-parameters",
    "entity-unavailable",
    "integration-owner",
    "log-when-unavailable",
    "parallel-updates",
    "reauthentication-flow",
    "test-coverage",
    "devices",
    "diagnostics",
    "discovery",
    "discovery-update-info",
    "docs-data-update",
    "docs-examples",
    "docs-known-limitations",
    "docs-supported-devices",
    "docs-supported-functions",
    "docs-troubleshooting",
    "docs-use-cases",
    "dynamic-devices",
    "entity-category",
    "entity-device-class",
    "entity-disabled-by-default",
    "entity-translations",
    "exception-translations",
    "icon-translations",
    "reconfiguration-flow",
    "repair-issues",
    "stale-devices",
    "async-dependency",
    "inject-websession",
    "strict-typing",
)

# script/hassfest/dependencies.py ALLOWED_USED_COMPONENTS (besides the entity platforms).
ALLOWED_USED_COMPONENTS = {
    *(platform.value for platform in Platform),
    "alert",
    "automation",
    "conversation",
    "default_config",
    "device_automation",
    "frontend",
    "group",
    "homeassistant",
    "input_boolean",
    "input_button",
    "input_datetime",
    "input_number",
    "input_select",
    "input_text",
    "media_source",
    "onboarding",
    "panel_custom",
    "persistent_notification",
    "person",
    "script",
    "shopping_list",
    "sun",
    "system_health",
    "system_log",
    "timer",
    "webhook",
    "websocket_api",
    "zone",
    "mjpeg",
    "stream",
}

# script/hassfest/manifest.py
SUPPORTED_IOT_CLASSES = {
    "assumed_state",
    "calculated",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}

# script/hassfest/translations.py
RE_URL = re.compile(
    r"(((ftp|ftps|scp|http|https|mqtt|mqtts|socket|socks5):\/\/|www\.)"
    r"[a-z0-9]+([\-\.]{1}[a-z0-9]+)*\.[a-z]{2,5}(:[0-9]{1,5})?(\/.*)?)",
    re.IGNORECASE,
)
RE_PLACEHOLDER_IN_SINGLE_QUOTES = re.compile(r"'{\w+}'")
RE_COMBINED_REFERENCE = re.compile(r"(.+\[%)|(%\].+)")
RE_TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")
ALLOWED_TOP_LEVEL = {
    "title",
    "config",
    "config_subentries",
    "options",
    "preview_features",
    "selector",
    "device_automation",
    "system_health",
    "config_panel",
    "application_credentials",
    "issues",
    "entity_component",
    "device",
    "entity",
    "exceptions",
    "services",
    "conditions",
    "triggers",
    "conversation",
    "common",
}
RE_ICON = re.compile(r"^mdi:[a-z0-9-]+$")


def _manifest() -> dict[str, Any]:
    return dict(json.loads((INTEGRATION / "manifest.json").read_text()))


def _translations(lang: str) -> dict[str, Any]:
    return dict(json.loads((INTEGRATION / "translations" / f"{lang}.json").read_text()))


# ------------------------------------------------------------------ manifest


def _version(value: str) -> str:
    AwesomeVersion(
        value,
        ensure_strategy=[
            AwesomeVersionStrategy.CALVER,
            AwesomeVersionStrategy.SEMVER,
            AwesomeVersionStrategy.SIMPLEVER,
            AwesomeVersionStrategy.BUILDVER,
            AwesomeVersionStrategy.PEP440,
        ],
    )
    return value


MANIFEST_SCHEMA = vol.Schema(
    {
        vol.Required("domain"): str,
        vol.Required("name"): str,
        vol.Optional("after_dependencies"): [str],
        vol.Required("codeowners"): [str],
        vol.Optional("config_flow"): bool,
        vol.Optional("dependencies"): [str],
        vol.Required("documentation"): vol.All(str, vol.Match(r"^https://")),
        vol.Optional("integration_type"): vol.In(INTEGRATION_TYPES),
        vol.Required("iot_class"): vol.In(SUPPORTED_IOT_CLASSES),
        vol.Optional("issue_tracker"): vol.All(str, vol.Match(r"^https://")),
        vol.Optional("loggers"): [str],
        vol.Optional("requirements"): [vol.Match(r"^[A-Za-z0-9_.\-\[\]]+==[^=]+$")],
        vol.Required("version"): vol.All(str, _version),
    }
)


def test_manifest_schema_and_domain() -> None:
    """The custom-integration manifest schema; domain = folder name."""
    manifest = _manifest()
    MANIFEST_SCHEMA(manifest)
    assert manifest["domain"] == INTEGRATION.name
    assert not set(manifest.get("dependencies", [])) & set(manifest.get("after_dependencies", []))


def test_manifest_keys_sorted() -> None:
    """hassfest's sort_manifest: domain, name, then the rest alphabetically."""
    keys = list(_manifest())
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])


def _imported_components() -> set[str]:
    found: set[str] = set()
    for path in INTEGRATION.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module.startswith("homeassistant.components."):
                    found.add(node.module.split(".")[2])
                elif node.module == "homeassistant.components":
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("homeassistant.components."):
                        found.add(alias.name.split(".")[2])
    return found


def test_used_components_are_dependencies() -> None:
    """dependencies.py: no component used that the manifest does not name (lovelace!)."""
    manifest = _manifest()
    allowed = (
        ALLOWED_USED_COMPONENTS
        | set(manifest.get("dependencies", []))
        | set(manifest.get("after_dependencies", []))
    )
    own_platforms = {path.stem for path in INTEGRATION.glob("*.py")}
    missing = {domain for domain in _imported_components() if domain not in allowed | own_platforms}
    assert not missing, f"used but not in dependencies/after_dependencies: {missing}"


# -------------------------------------------------------------- translations


def _value(value: Any, *, placeholders: bool = True) -> str:
    """translations.py validate_translation_value."""
    text = cv.string_with_no_html(value)
    if RE_PLACEHOLDER_IN_SINGLE_QUOTES.search(text):
        raise vol.Invalid("placeholder inside single quotes")
    for _, field_name, _, _ in string.Formatter().parse(text):
        if field_name:
            if not placeholders:
                raise vol.Invalid("placeholders are not supported in this value")
            if not field_name.isidentifier():
                raise vol.Invalid("placeholders must be valid identifiers")
    if RE_COMBINED_REFERENCE.search(text):
        raise vol.Invalid("combined translations")
    if text != text.strip():
        raise vol.Invalid("leading or trailing spaces")
    if RE_URL.search(text):
        raise vol.Invalid("URLs are not allowed, use description placeholders")
    return text


def _no_placeholders(value: Any) -> str:
    return _value(value, placeholders=False)


def _key(value: Any) -> str:
    if not isinstance(value, str) or RE_TRANSLATION_KEY.match(value) is None:
        raise vol.Invalid(f"invalid translation key {value!r}")
    return value


def _data_entry(value: Any) -> Any:
    schema = vol.Schema(
        {
            vol.Optional("flow_title"): _value,
            vol.Required("step"): {
                str: {
                    vol.Optional("title"): _value,
                    vol.Optional("description"): _value,
                    vol.Optional("data"): {str: _value},
                    vol.Optional("data_description"): {str: _value},
                    vol.Optional("menu_options"): {str: _value},
                    vol.Optional("menu_option_descriptions"): {str: _value},
                    vol.Optional("submit"): _value,
                }
            },
            vol.Optional("error"): {str: _value},
            vol.Optional("abort"): {str: _value},
            vol.Optional("progress"): {str: _value},
            vol.Optional("create_entry"): {str: _value},
        }
    )
    schema(value)
    for step_id, step in value["step"].items():
        for key in step.get("data_description", {}):
            if key not in step.get("data", {}):
                raise vol.Invalid(f"step {step_id}: data_description key {key} is not in data")
    return value


STRINGS_SCHEMA = vol.Schema(
    {
        vol.Optional("title"): _value,
        vol.Optional("config"): _data_entry,
        vol.Optional("options"): _data_entry,
        vol.Optional("selector"): {
            str: {
                vol.Optional("options"): {_key: _value},
                vol.Optional("unit_of_measurement"): {_key: _value},
            }
        },
        vol.Optional("application_credentials"): {vol.Optional("description"): _value},
        vol.Optional("issues"): {
            str: {vol.Required("title"): _value, vol.Optional("description"): _value}
        },
        vol.Optional("device"): {_key: {vol.Optional("name"): _value}},
        vol.Optional("entity"): {
            str: {
                _key: {
                    vol.Optional("name"): _value,
                    vol.Optional("state"): {_key: _no_placeholders},
                    vol.Optional("state_attributes"): {
                        _key: {
                            vol.Optional("name"): _no_placeholders,
                            vol.Optional("state"): {_key: _no_placeholders},
                        }
                    },
                    vol.Optional("unit_of_measurement"): _no_placeholders,
                }
            }
        },
        vol.Optional("exceptions"): {str: {vol.Optional("message"): _value}},
        vol.Optional("services"): {
            _key: {
                vol.Required("name"): _value,
                vol.Required("description"): _value,
                vol.Optional("fields"): {
                    _key: {
                        vol.Required("name"): str,
                        vol.Required("description"): _value,
                        vol.Optional("example"): _value,
                    }
                },
                vol.Optional("sections"): {
                    _key: {vol.Required("name"): str, vol.Optional("description"): _value}
                },
            }
        },
        vol.Optional("common"): {cv.slug: _value},
    }
)


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_translation_top_level_keys(lang: str) -> None:
    """Only the top-level blocks gen_strings_schema knows (no `dashboard`)."""
    unknown = set(_translations(lang)) - ALLOWED_TOP_LEVEL
    assert not unknown, f"{lang}.json: top-level keys hassfest refuses: {unknown}"


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_translation_schema_and_strings(lang: str) -> None:
    """The schema, and every string: no HTML, no URL, clean placeholders, no edge spaces."""
    STRINGS_SCHEMA(_translations(lang))


@pytest.mark.parametrize(
    "text",
    [
        "Empty: <config>/heatpump_stats",
        "See https://example.com/page",
        "Trailing space ",
        "Quoted '{name}'",
    ],
)
def test_translation_rules_refuse_what_hassfest_refuses(text: str) -> None:
    """The reproduced string rules do fail (HTML, URL, spaces, quoted placeholder)."""
    with pytest.raises(vol.Invalid):
        _value(text)


def test_german_has_every_english_key() -> None:
    """de.json carries the same keys as en.json (full text in both)."""

    def keys(tree: Any, prefix: str = "") -> set[str]:
        if not isinstance(tree, dict):
            return {prefix}
        return set().union(*(keys(v, f"{prefix}.{k}") for k, v in tree.items())) or {prefix}

    assert keys(_translations("en")) - keys(_translations("de")) == set()


# ------------------------------------------------------------------ services


def test_services_have_translations_and_icons() -> None:
    """services.py: names, descriptions and field texts in en.json; an icon per service."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = _translations("en")
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    problems = []
    for service, schema in services.items():
        cv.slug(service)
        text = strings.get("services", {}).get(service, {})
        if "name" not in text or "description" not in text:
            problems.append(f"{service}: no name/description")
        if service not in icons.get("services", {}):
            problems.append(f"{service}: no icon in icons.json")
        for field, field_schema in (schema or {}).get("fields", {}).items():
            field_text = text.get("fields", {}).get(field, {})
            if "name" not in field_text or "description" not in field_text:
                problems.append(f"{service}.{field}: no name/description")
            key = (field_schema.get("selector") or {}).get("select", {}) or {}
            tkey = key.get("translation_key") if isinstance(key, dict) else None
            if tkey and tkey not in strings.get("selector", {}):
                problems.append(f"{service}.{field}: selector key {tkey} not translated")
    assert not problems, problems


# ------------------------------------------------------------- quality scale


QUALITY_SCALE_SCHEMA = vol.Schema(
    {
        vol.Required("rules"): vol.Schema(
            {
                vol.Optional(rule): vol.Any(
                    vol.In(["todo", "done"]),
                    vol.Schema(
                        {
                            vol.Required("status"): vol.In(["todo", "done"]),
                            vol.Required("comment"): str,
                        }
                    ),
                    vol.Schema({vol.Required("status"): "exempt", vol.Required("comment"): str}),
                )
                for rule in ALL_RULES
            }
        )
    }
)


def test_quality_scale_lists_every_rule() -> None:
    """quality_scale.yaml passes hassfest's SCHEMA and states every rule."""
    data = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())
    QUALITY_SCALE_SCHEMA(data)
    assert set(data["rules"]) == set(ALL_RULES)
    for rule, value in data["rules"].items():
        if isinstance(value, dict) and value["status"] == "todo":
            assert value["comment"].strip(), f"{rule}: a todo says why"


# --------------------------------------------------------------------- icons


def test_icons_json() -> None:
    """icons.py: mdi icons; entity icons for our translation keys, service icons for services."""
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    assert set(icons) <= {"entity", "services", "entity_component"}
    strings = _translations("en")
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())

    def check(icon: Any) -> None:
        assert isinstance(icon, str)
        assert RE_ICON.match(icon), icon

    for platform, keys in icons.get("entity", {}).items():
        for key, spec in keys.items():
            assert key in strings["entity"].get(platform, {}), f"icon for unknown {platform}.{key}"
            if "default" in spec:
                check(spec["default"])
            for state_icon in spec.get("state", {}).values():
                check(state_icon)
    for service, icon in icons.get("services", {}).items():
        assert service in services, f"icon for unknown service {service}"
        check(icon if isinstance(icon, str) else icon["service"])


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_translation_files_have_no_duplicate_keys(language: str) -> None:
    """A key written twice in one object is silently dropped by every JSON reader but one
    (the last wins): two merges adding the same error key must not leave both texts."""
    duplicates: list[str] = []

    def _hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        duplicates.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return dict(pairs)

    path = INTEGRATION / "translations" / f"{language}.json"
    json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_hook)
    assert duplicates == []
