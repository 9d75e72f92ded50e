"""Application credentials for the Viessmann cloud (the user's own ViCare client id)."""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.application_credentials import ClientCredential
from homeassistant.core import HomeAssistant
from homeassistant.helpers.config_entry_oauth2_flow import (
    AUTH_CALLBACK_PATH,
    MY_AUTH_CALLBACK_PATH,
    LocalOAuth2ImplementationWithPkce,
)
from PyViCare.PyViCareAbstractOAuthManager import (
    AUTHORIZE_URL,
    SCOPE_IOT,
    SCOPE_OFFLINE_ACCESS,
    TOKEN_URL,
)

VICARE_SCOPES = [SCOPE_IOT, SCOPE_OFFLINE_ACCESS]


async def async_get_description_placeholders(hass: HomeAssistant) -> dict[str, str]:
    """Where to get a client id, and the redirect URIs the sign-in really uses.

    Home Assistant's OAuth2 flow sends ``MY_AUTH_CALLBACK_PATH`` when the `my`
    integration is loaded (``default_config`` loads it), else the address the
    browser uses for Home Assistant followed by ``AUTH_CALLBACK_PATH``
    (``config_entry_oauth2_flow.async_get_redirect_uri``). Placeholders, not
    text: hassfest refuses URLs in translation strings.
    """
    return {
        "more_info_url": "https://app.developer.viessmann-climatesolutions.com/",
        "redirect_url": MY_AUTH_CALLBACK_PATH,
        "callback_path": AUTH_CALLBACK_PATH,
    }


async def async_get_auth_implementation(
    hass: HomeAssistant, auth_domain: str, credential: ClientCredential
) -> ViCareOAuth2Implementation:
    """Viessmann's OAuth2 with PKCE, as HA's own vicare integration does it.

    A public client: the credential's secret (Home Assistant's dialog requires
    one) is not used; neither the authorize URL nor the token request carries it.
    """
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
