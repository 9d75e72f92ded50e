"""The Lovelace card and dashboard strategy: served by the integration, loaded by every frontend.

The bundle (``frontend/heatpump-stats-card.js``, built from the repository's
``frontend/`` project) is served at :data:`CARD_URL` and added to the
frontend's extra modules once per Home Assistant, so the card
``custom:heatpump-stats-card`` and the strategy ``custom:heatpump-stats`` work
without adding a dashboard resource by hand. The URL carries a hash of the
bundle: browsers load a new version after an update, never a cached old one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from homeassistant.components.frontend import add_extra_js_url

# The class `homeassistant.components.http` re-exports (where it is defined, for strict mypy).
from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import DOMAIN, LOGGER

CARD_FILE: Final = Path(__file__).parent / "frontend" / "heatpump-stats-card.js"
CARD_URL: Final = f"/{DOMAIN}/heatpump-stats-card.js"


def _bundle_hash() -> str:
    """Blocking: a short hash of the bundle (the cache-busting query)."""
    return hashlib.sha256(CARD_FILE.read_bytes()).hexdigest()[:12]


async def async_register_card(hass: HomeAssistant) -> str | None:
    """Serve the bundle and load it in every frontend; the module URL, or None without http."""
    if getattr(hass, "http", None) is None:  # no web server (tests that set up no http)
        return None
    try:
        await hass.http.async_register_static_paths(
            [StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=True)]
        )
    except RuntimeError as err:
        # Home Assistant's server accepts routes at any time; a bare aiohttp server that
        # has started (a test client) refuses them. The integration works without the card.
        LOGGER.warning("The card cannot be served: %s", err)
        return None
    url = f"{CARD_URL}?v={await hass.async_add_executor_job(_bundle_hash)}"
    if "frontend" in hass.config.components:
        add_extra_js_url(hass, url)
    return url
