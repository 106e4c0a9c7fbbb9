"""The Aldeamo bot in the flows: set-up, reauth and reconfigure (key, channels, URL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ..api import ALDEAMO_URL, LISTENING_CHANNELS, AldeamoClient
from ..const import (
    CONF_API_KEY,
    CONF_CHANNELS,
    CONF_PROVIDER,
    DEFAULT_ALDEAMO_SCAN_INTERVAL,
    PROVIDER_ALDEAMO,
)
from ..flow_input import (
    PASSWORD,
    URL_FIELD,
    AccountForms,
    FlowError,
    base_url,
    check,
    text,
)
from ..identity import aldeamo_key_taken, aldeamo_unique_id
from ..validation import listening_channels

ALDEAMO_TITLE = "Aldeamo bots"
CHANNELS = SelectSelector(
    SelectSelectorConfig(
        options=list(LISTENING_CHANNELS),
        multiple=True,
        mode=SelectSelectorMode.LIST,
        translation_key=CONF_CHANNELS,
    )
)


async def _check_key(
    hass: HomeAssistant, api_key: str, url: str, channels: list[str], timeout: float
) -> None:
    client = AldeamoClient(
        async_get_clientsession(hass), api_key, url=url, request_timeout=timeout
    )
    for channel in channels:
        await check(client.users(channel))


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

    secret = CONF_API_KEY
    default_scan_interval = DEFAULT_ALDEAMO_SCAN_INTERVAL

    async def async_step_setup(
        self, flow: ConfigFlow, user_input: dict[str, Any] | None, timeout: float
    ) -> ConfigFlowResult:
        """Ask for the Aldeamo API key, channels and (rarely) URL."""
        errors: dict[str, str] = {}
        placeholders = {"error": ""}
        if user_input is not None:
            try:
                data: dict[str, Any] = {
                    CONF_PROVIDER: PROVIDER_ALDEAMO,
                    CONF_API_KEY: text(user_input, CONF_API_KEY),
                    CONF_CHANNELS: _channels(user_input),
                    CONF_URL: base_url(user_input, ALDEAMO_URL),
                }
                await flow.async_set_unique_id(
                    aldeamo_unique_id(data[CONF_API_KEY], data[CONF_URL])
                )
                # The forms act for the flow, with its own checks.
                flow._abort_if_unique_id_configured()  # noqa: SLF001
                if aldeamo_key_taken(flow.hass, data[CONF_API_KEY], data[CONF_URL]):
                    return flow.async_abort(reason="already_configured")
                await _check_key(
                    flow.hass,
                    data[CONF_API_KEY],
                    data[CONF_URL],
                    data[CONF_CHANNELS],
                    timeout,
                )
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
            else:
                return flow.async_create_entry(title=ALDEAMO_TITLE, data=data)
        return flow.async_show_form(
            step_id=PROVIDER_ALDEAMO,
            data_schema=flow.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_API_KEY): PASSWORD,
                        vol.Required(CONF_CHANNELS): CHANNELS,
                        vol.Optional(CONF_URL): URL_FIELD,
                    }
                ),
                {CONF_URL: ALDEAMO_URL, CONF_CHANNELS: ["whatsapp"]}
                | {k: v for k, v in (user_input or {}).items() if k != CONF_API_KEY},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

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
            CONF_URL: base_url(user_input, ALDEAMO_URL),
        }

    async def async_check_update(
        self,
        flow: ConfigFlow,
        entry: ConfigEntry,
        data: Mapping[str, Any],
        timeout: float,
    ) -> ConfigFlowResult | None:
        """Check the key on every channel; refuse one another entry has."""
        await _check_key(
            flow.hass, data[CONF_API_KEY], data[CONF_URL], data[CONF_CHANNELS], timeout
        )
        # The key is the only identity: a new key cannot be told from another
        # account's, so the entry keeps the digest it was created with.
        if aldeamo_key_taken(
            flow.hass, data[CONF_API_KEY], data[CONF_URL], besides=entry.entry_id
        ):
            return flow.async_abort(reason="already_configured")
        return None
