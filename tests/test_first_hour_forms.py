"""Names, forms and the manifest as a new user reads them (issue 13), from the shipped files.

- The meter step's text does not name an option (the heat pump's own readings are offered
  only where the source has them, so the text must not promise them).
- The entities form's unit errors are sentences saying what the field needs (en, de).
- No two entities of an entry share a name, for any source: read from the syrupy snapshots,
  which test_snapshots.py asserts equal to the entities of each source set up live.
- The manifest's `iot_class` and why (one class for a mixed local/cloud integration) are in
  the README's known limitations.
"""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path
import re
from typing import Any

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "custom_components" / "heatpump_stats"
LANGUAGES = ("en", "de")


def _translations(language: str) -> dict[str, Any]:
    text = (PACKAGE / "translations" / f"{language}.json").read_text(encoding="utf-8")
    result: dict[str, Any] = json.loads(text)
    return result


@pytest.mark.parametrize("language", LANGUAGES)
def test_meter_step_text_names_no_option(language: str) -> None:
    translations = _translations(language)
    step = translations["config"]["step"]["meter"]
    text = " ".join([step.get("description", ""), *step.get("data_description", {}).values()])
    labels = translations["selector"]["meter"]["options"]
    for option in ("source", "shelly_pro_3em", "entity"):
        assert labels[option].casefold() not in text.casefold(), (option, text)
    assert "shelly" not in text.casefold()


@pytest.mark.parametrize("language", LANGUAGES)
def test_entity_unit_errors_are_sentences(language: str) -> None:
    errors = _translations(language)["config"]["error"]
    unit_errors = {key: text for key, text in errors.items() if key.startswith("wrong_unit")}
    assert {"wrong_unit_temperature", "wrong_unit_power", "wrong_unit_energy"} <= set(unit_errors)
    for key, text in unit_errors.items():
        assert len(text) > 20, (key, text)
        assert "_" not in text, (key, text)
        assert text.rstrip().endswith("."), (key, text)
        assert re.search(r"(\bW\b|kWh|°C|%|L/min)", text), (key, text)  # says the unit wanted


def test_no_two_entities_of_an_entry_share_a_name() -> None:
    """Luxtronik had two "Compressor starts" (ours and the controller's raw value)."""
    text = (ROOT / "tests" / "snapshots" / "test_snapshots.ambr").read_text(encoding="utf-8")
    names: dict[str, list[str]] = {}
    for block in re.split(r"^# name: ", text, flags=re.MULTILINE)[1:]:
        title = block.split("\n", 1)[0]
        found = re.search(r"'original_name': '([^']*)'", block)
        if found and title.endswith("-entry]"):
            names.setdefault(title.split("[", 1)[0], []).append(found.group(1))
    assert len(names) >= 6, sorted(names)  # every source's snapshot test
    for test, entry_names in names.items():
        counts = Counter(name.casefold() for name in entry_names)
        assert [n for n, c in counts.items() if c > 1] == [], test


def test_iot_class_and_its_reason_are_documented() -> None:
    manifest = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    limitations = readme.split("\n## Known limitations\n", 1)[1].split("\n## ", 1)[0]
    assert f"`iot_class` is `{manifest['iot_class']}`" in limitations
    assert "Viessmann" in limitations
    assert "cloud" in limitations
