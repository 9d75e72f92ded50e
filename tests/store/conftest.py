"""Store tests run without Home Assistant."""

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the HA fixture: these tests need no hass."""


@pytest.fixture(autouse=True)
def config_dir_in_tmp() -> None:
    """Override the HA fixture: these tests need no hass."""
