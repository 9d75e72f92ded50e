"""The `heatpump_stats.install_dashboard` service (registered in services.py)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import ServiceCall, ServiceResponse
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import service
from homeassistant.helpers.selector import ConfigEntrySelector
from homeassistant.util import slugify
import probatio as vol

from .const import DOMAIN
from .dashboard import (
    DEFAULT_DAYS_TO_SHOW,
    DEFAULT_HOURS_TO_SHOW,
    async_build_dashboard,
    async_install_dashboard,
)

SERVICE_INSTALL_DASHBOARD = "install_dashboard"

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_URL_PATH = "url_path"
ATTR_HOURS_TO_SHOW = "hours_to_show"
ATTR_DAYS_TO_SHOW = "days_to_show"

MAX_HOURS_TO_SHOW = 720
MAX_DAYS_TO_SHOW = 365


def _url_path(value: Any) -> str:
    """A lovelace url path: lower-case slug words joined by hyphens, at least one hyphen."""
    text = str(value).strip()
    if "-" not in text or slugify(text, separator="-") != text:
        raise vol.Invalid(
            f"invalid url_path {text!r}: use lower-case words joined by hyphens, "
            "e.g. heat-pump-cellar"
        )
    return text


INSTALL_DASHBOARD_SCHEMA = vol.Schema(
    {
        vol.Required(ATTR_CONFIG_ENTRY_ID): ConfigEntrySelector({"integration": DOMAIN}),
        vol.Optional(ATTR_URL_PATH): _url_path,
        vol.Optional(ATTR_HOURS_TO_SHOW, default=DEFAULT_HOURS_TO_SHOW): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_HOURS_TO_SHOW)
        ),
        vol.Optional(ATTR_DAYS_TO_SHOW, default=DEFAULT_DAYS_TO_SHOW): vol.All(
            vol.Coerce(int), vol.Range(min=1, max=MAX_DAYS_TO_SHOW)
        ),
    }
)


async def async_handle_install_dashboard(call: ServiceCall) -> ServiceResponse:
    """Create or update the entry's dashboard; return its url path and configuration."""
    entry = service.async_get_config_entry(call.hass, DOMAIN, call.data[ATTR_CONFIG_ENTRY_ID])
    if entry.unique_id is None:
        # Entity unique ids are `<entry unique id>_<key>`: without one nothing resolves.
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="dashboard_no_entities",
            translation_placeholders={"title": entry.title},
        )
    config = await async_build_dashboard(
        call.hass,
        entry,
        hours_to_show=call.data[ATTR_HOURS_TO_SHOW],
        days_to_show=call.data[ATTR_DAYS_TO_SHOW],
    )
    if not config["views"][0]["sections"]:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="dashboard_no_entities",
            translation_placeholders={"title": entry.title},
        )
    url_path = await async_install_dashboard(
        call.hass, entry, url_path=call.data.get(ATTR_URL_PATH), config=config
    )
    if call.return_response:
        return {"url_path": url_path, "config": config}
    return None
