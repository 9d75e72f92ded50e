"""Where the public device payloads of ``../shared/realdata`` are (never copied into the repo).

Tests that replay them call `realdata_dir(device)`; when the folder does not
exist (a checkout without the shared data) the test is skipped with the reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The repository's parent holds `shared/realdata` in the project's layout;
# HEATPUMP_STATS_REALDATA points elsewhere.
_DEFAULT = Path(__file__).resolve().parents[3] / "shared" / "realdata"


def realdata_path(device: str) -> Path:
    """Where one device's recorded payloads would be (no skip: for parametrizing at collection)."""
    return Path(os.environ.get("HEATPUMP_STATS_REALDATA", _DEFAULT)) / device


def realdata_dir(device: str) -> Path:
    """The folder of one device's recorded payloads; skips the test when it is absent."""
    folder = realdata_path(device)
    if not folder.is_dir():
        pytest.skip(f"real device data not available: {folder} does not exist")
    return folder
