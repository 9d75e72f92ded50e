"""Store tests run without Home Assistant."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the HA fixture: these tests need no hass."""


@pytest.fixture(autouse=True)
def config_dir_in_tmp() -> None:
    """Override the HA fixture: these tests need no hass."""


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the integration keeps its database, below a fresh folder."""
    return tmp_path / "heatpump_stats" / "heatpump_stats.db"
