"""Application credentials for the Viessmann cloud (the user's own ViCare client id)."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.application_credentials import ClientCredential
from homeassistant.core import HomeAssistant
from homeassistant.helpers.config_entry_oauth2_flow import LocalOAuth2ImplementationWithPkce
from PyViCare.PyViCareAbstractOAuthManager import (
    AUTHORIZE_URL,
    SCOPE_IOT,
    SCOPE_OFFLINE_ACCESS,
    TOKEN_URL,
)

VICARE_SCOPES = [SCOPE_IOT, SCOPE_OFFLINE_ACCESS]


async def async_get_description_placeholders(hass: HomeAssistant) -> dict[str, str]:
    """Where to get a client id."""
    return {
        "more_info_url": "https://app.developer.viessmann-climatesolutions.com/",
        # A placeholder, not text: hassfest refuses URLs in translation strings.
        "redirect_url": "https://my.home-assistant.io/redirect/oauth",
    }


async def async_get_auth_implementation(
    hass: HomeAssistant, auth_domain: str, credential: ClientCredential
) -> ViCareOAuth2Implementation:
    """Viessmann's OAuth2 with PKCE (public client: no secret)."""
    return ViCareOAuth2Implementation(
        hass, auth_domain, credential.client_id, AUTHORIZE_URL, TOKEN_URL
    )


class ViCareOAuth2Implementation(LocalOAuth2ImplementationWithPkce):
    """ViCare OAuth2 implementation with PKCE and the IoT scopes."""

    @property
    @override
    def extra_authorize_data(self) -> dict[str, Any]:
        """Ask for the IoT scope and a refresh token."""
        return super().extra_authorize_data | {"scope": " ".join(VICARE_SCOPES)}
