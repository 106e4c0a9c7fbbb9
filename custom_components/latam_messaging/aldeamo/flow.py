"""The Aldeamo bot in the flows: set-up, reauth and reconfigure (key, channels, URL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ..account_forms import AccountForms, CheckedAccount
from ..api import ALDEAMO_URL, LISTENING_CHANNELS, AldeamoClient
from ..const import (
    CHANNEL_NAMES,
    CONF_API_KEY,
    CONF_CHANNELS,
    DEFAULT_ALDEAMO_SCAN_INTERVAL,
    PROVIDER_ALDEAMO,
)
from ..flow_input import PASSWORD, URL_FIELD, FlowError, base_url, check, text
from ..identity import aldeamo_key_taken, aldeamo_unique_id
from ..validation import listening_channels


def aldeamo_title(channels: list[str]) -> str:
    """Title a bot by the channels it listens on: two bots can be told apart."""
    return f"Aldeamo ({', '.join(CHANNEL_NAMES.get(c, c) for c in channels)})"


CHANNELS = SelectSelector(
    SelectSelectorConfig(
        options=list(LISTENING_CHANNELS),
        multiple=True,
        mode=SelectSelectorMode.LIST,
        translation_key=CONF_CHANNELS,
    )
)


def _channels(user_input: Mapping[str, Any]) -> list[str]:
    chosen = user_input.get(CONF_CHANNELS) or []
    if not isinstance(chosen, list) or not set(chosen) <= set(LISTENING_CHANNELS):
        raise FlowError("invalid_value", CONF_CHANNELS)
    channels = listening_channels(chosen)
    if not channels:
        raise FlowError("no_channels", CONF_CHANNELS)
    return channels


class AldeamoForms(AccountForms):
    """An Aldeamo bot: its API key and the channels it listens on."""

    provider = PROVIDER_ALDEAMO
    secret = CONF_API_KEY
    default_scan_interval = DEFAULT_ALDEAMO_SCAN_INTERVAL
    url = ALDEAMO_URL
    setup_fields = {CONF_API_KEY: PASSWORD, CONF_CHANNELS: CHANNELS}
    setup_defaults = {CONF_CHANNELS: ["whatsapp"]}

    def credentials(self, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Return the API key and the channels."""
        return {
            CONF_API_KEY: text(user_input, CONF_API_KEY),
            CONF_CHANNELS: _channels(user_input),
        }

    def known_unique_id(self, data: Mapping[str, Any]) -> str:
        """Return the digest of the key and URL."""
        return aldeamo_unique_id(data[CONF_API_KEY], data[CONF_URL])

    def taken(self, hass: HomeAssistant, data: Mapping[str, Any]) -> bool:
        """Tell whether an entry uses this key and URL."""
        return aldeamo_key_taken(hass, data[CONF_API_KEY], data[CONF_URL])

    async def async_check(
        self, hass: HomeAssistant, data: Mapping[str, Any], timeout: float
    ) -> CheckedAccount:
        """Try the key on every channel (the answer names no account)."""
        client = AldeamoClient(
            async_get_clientsession(hass),
            data[CONF_API_KEY],
            url=data[CONF_URL],
            request_timeout=timeout,
        )
        for channel in data[CONF_CHANNELS]:
            await check(client.users(channel))
        return CheckedAccount(title=aldeamo_title(list(data[CONF_CHANNELS])))

    def reconfigure_schema(self) -> vol.Schema:
        """Return the channels and the URL."""
        return vol.Schema(
            {vol.Required(CONF_CHANNELS): CHANNELS, vol.Optional(CONF_URL): URL_FIELD}
        )

    def reconfigure_data(
        self, entry: ConfigEntry, user_input: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return the entry's data with the new channels and URL."""
        return dict(entry.data) | {
            CONF_CHANNELS: _channels(user_input),
            CONF_URL: base_url(user_input, self.url),
        }

    def taken_besides(
        self, hass: HomeAssistant, data: Mapping[str, Any], entry: ConfigEntry
    ) -> bool:
        """Tell whether another entry uses the new key and URL.

        The key is the only identity: a new key cannot be told from another
        account's, so the entry keeps the digest it was created with.
        """
        return aldeamo_key_taken(
            hass, data[CONF_API_KEY], data[CONF_URL], besides=entry.entry_id
        )
