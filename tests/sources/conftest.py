"""Source tests run without Home Assistant."""

from collections.abc import AsyncIterator

import aiohttp
import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the HA fixture: these tests need no hass."""


@pytest.fixture(autouse=True)
def config_dir_in_tmp() -> None:
    """Override the HA fixture: these tests need no hass."""


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """A client session like the one Home Assistant injects (HTTP device tests)."""
    async with aiohttp.ClientSession() as client:
        yield client
