"""The checks of HACS's validation action that can run locally.

hacs/action checks a repository of category "integration" for: a valid
hacs.json (known keys, a name), a LICENSE, one integration under
custom_components/ whose manifest has domain, documentation, issue_tracker,
codeowners, name and version, and brand images (for a custom integration,
`brand/icon.png` in its folder). The network checks (GitHub topics,
description, releases, the brands repository) are not reproduced.
"""

from __future__ import annotations

import json
from pathlib import Path
import struct

ROOT = Path(__file__).parent.parent
INTEGRATION = ROOT / "custom_components" / "heatpump_stats"
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}


def test_hacs_json() -> None:
    """Known keys only, a name, and a Home Assistant version."""
    data = json.loads((ROOT / "hacs.json").read_text())
    assert set(data) <= HACS_KEYS, set(data) - HACS_KEYS
    assert data["name"]
    assert data["homeassistant"].count(".") == 2


def test_license() -> None:
    """A LICENSE file: MIT, by the project's contributors."""
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "heatpump_stats contributors" in text


def test_one_integration_with_a_complete_manifest() -> None:
    """Exactly one integration; its manifest has every key HACS reads."""
    integrations = [
        p for p in (ROOT / "custom_components").iterdir() if (p / "manifest.json").is_file()
    ]
    assert integrations == [INTEGRATION]
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    for key in ("domain", "documentation", "issue_tracker", "codeowners", "name", "version"):
        assert manifest.get(key), key


def test_brand_icon() -> None:
    """brand/icon.png is a square PNG of at least 256 px."""
    data = (INTEGRATION / "brand" / "icon.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == height
    assert width >= 256
