"""The Elibom account in the flows: set-up, reauth, reconfigure, options, inbound SMS."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import section
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
    TextSelectorConfig,
)
import voluptuous as vol
from yarl import URL

from ..account_forms import AccountForms, CheckedAccount
from ..api import ELIBOM_URL, ElibomClient
from ..const import (
    CONF_ACCOUNT_ID,
    CONF_API_TOKEN,
    CONF_DAILY_LIMIT,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_LOW_CREDIT_THRESHOLD,
    CONF_PLAIN_ALPHABET,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_DAILY_LIMIT,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DEFAULT_LOW_CREDIT_THRESHOLD,
    DEFAULT_PLAIN_ALPHABET,
    MAX_DAILY_LIMIT,
    PROVIDER_ELIBOM,
)
from ..flow_input import (
    EMAIL,
    PASSWORD,
    TEXT,
    URL_FIELD,
    FlowError,
    base_url,
    check,
    is_loopback,
    text,
)
from ..identity import elibom_login_taken, elibom_unique_id
from .webhook import inbound_path

INBOUND_SMS = "inbound_sms"
"""The options' section that shows the address for incoming SMS."""


class ElibomForms(AccountForms):
    """An Elibom account: e-mail, API password, low-credit warning, inbound SMS."""

    provider = PROVIDER_ELIBOM
    secret = CONF_API_TOKEN
    default_scan_interval = DEFAULT_ELIBOM_SCAN_INTERVAL
    url = ELIBOM_URL
    setup_fields = {CONF_USERNAME: EMAIL, CONF_API_TOKEN: PASSWORD}

    def credentials(self, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Return the e-mail and the API password."""
        return {
            CONF_USERNAME: text(user_input, CONF_USERNAME),
            CONF_API_TOKEN: text(user_input, CONF_API_TOKEN),
        }

    def taken(self, hass: HomeAssistant, data: Mapping[str, Any]) -> bool:
        """Tell whether an entry logs in with this e-mail."""
        return elibom_login_taken(hass, data[CONF_USERNAME])

    async def async_check(
        self, hass: HomeAssistant, data: Mapping[str, Any], timeout: float
    ) -> CheckedAccount:
        """Read the account: its name and owner."""
        client = ElibomClient(
            async_get_clientsession(hass),
            data[CONF_USERNAME],
            data[CONF_API_TOKEN],
            url=data[CONF_URL],
            request_timeout=timeout,
        )
        account = await check(client.account())
        return CheckedAccount(
            title=account.name,
            unique_id=elibom_unique_id(account, data[CONF_USERNAME]),
            owner_id=account.owner_id,
            data={CONF_ACCOUNT_ID: account.owner_id},
        )

    def created_data(self) -> dict[str, Any]:
        """Return the new entry's webhook id, for inbound SMS."""
        return {CONF_WEBHOOK_ID: webhook.async_generate_id()}

    def reconfigure_schema(self) -> vol.Schema:
        """Return the user, the API password (kept when empty) and the URL."""
        return vol.Schema(
            {
                vol.Required(CONF_USERNAME): EMAIL,
                vol.Optional(CONF_API_TOKEN): PASSWORD,
                vol.Optional(CONF_URL): URL_FIELD,
            }
        )

    def reconfigure_data(
        self, entry: ConfigEntry, user_input: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return the entry's data with the new user, URL and perhaps password."""
        data = dict(entry.data) | {
            CONF_USERNAME: text(user_input, CONF_USERNAME),
            CONF_URL: base_url(user_input, self.url),
        }
        if token := text(user_input, CONF_API_TOKEN, required=False):
            data[CONF_API_TOKEN] = token
        return data

    def option_fields(
        self, hass: HomeAssistant, entry: ConfigEntry
    ) -> tuple[dict[vol.Marker, Any], dict[str, Any]]:
        """Return the low-credit warning, daily limit, alphabet, country code, inbound SMS."""
        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_LOW_CREDIT_THRESHOLD): NumberSelector(
                NumberSelectorConfig(
                    min=0, max=1_000_000, step=0.1, mode=NumberSelectorMode.BOX
                )
            ),
            vol.Optional(CONF_DAILY_LIMIT): NumberSelector(
                NumberSelectorConfig(
                    min=0, max=MAX_DAILY_LIMIT, step=1, mode=NumberSelectorMode.BOX
                )
            ),
            vol.Optional(CONF_PLAIN_ALPHABET): BooleanSelector(),
            vol.Required(CONF_DEFAULT_COUNTRY_CODE): TEXT,
        }
        defaults = {
            CONF_LOW_CREDIT_THRESHOLD: DEFAULT_LOW_CREDIT_THRESHOLD,
            CONF_DAILY_LIMIT: DEFAULT_DAILY_LIMIT,
            CONF_PLAIN_ALPHABET: DEFAULT_PLAIN_ALPHABET,
            CONF_DEFAULT_COUNTRY_CODE: DEFAULT_COUNTRY_CODE,
        }
        return fields | _inbound_sms_section(hass, entry), defaults

    def options(self, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Return the options; a country code is one to three digits."""
        code = str(user_input.get(CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE))
        code = code.strip().lstrip("+")
        if not (code.isascii() and code.isdigit() and 1 <= len(code) <= 3):
            raise FlowError("invalid_country_code", CONF_DEFAULT_COUNTRY_CODE)
        return {
            CONF_LOW_CREDIT_THRESHOLD: float(
                user_input.get(CONF_LOW_CREDIT_THRESHOLD, 0)
            ),
            CONF_DAILY_LIMIT: int(
                user_input.get(CONF_DAILY_LIMIT, DEFAULT_DAILY_LIMIT)
            ),
            CONF_PLAIN_ALPHABET: bool(
                user_input.get(CONF_PLAIN_ALPHABET, DEFAULT_PLAIN_ALPHABET)
            ),
            CONF_DEFAULT_COUNTRY_CODE: code,
        }

    def options_placeholders(
        self, hass: HomeAssistant, entry: ConfigEntry
    ) -> dict[str, str]:
        """Return the address to give Elibom for inbound SMS."""
        return {"webhook_url": _webhook_url(hass, entry)}


def _inbound_sms_section(
    hass: HomeAssistant, entry: ConfigEntry
) -> dict[vol.Marker, Any]:
    """Show the inbound-SMS address in a field of its own, to copy from.

    Its label says whether the internet can reach it; what is typed there is
    ignored when the options are saved.
    """
    url, public = _public_webhook_url(hass, entry)
    key = "webhook_url" if public else "local_webhook_url"
    return {
        vol.Optional(INBOUND_SMS): section(
            vol.Schema(
                {
                    vol.Optional(
                        key,
                        description={"suggested_value": url},
                        # Several lines: the whole address shows, to be copied whole.
                    ): TextSelector(TextSelectorConfig(multiline=True))
                }
            ),
            {"collapsed": False},
        )
    }


def _public_webhook_url(hass: HomeAssistant, entry: ConfigEntry) -> tuple[str, bool]:
    """Return the inbound-SMS URL, preferring the external one, and if it is public."""
    webhook_id = str(entry.data.get(CONF_WEBHOOK_ID) or "")
    try:
        url = get_url(hass, allow_internal=False, allow_cloud=False) + inbound_path(
            webhook_id
        )
    except NoURLAvailableError:
        return _webhook_url(hass, entry), False
    host = URL(url).host or ""
    return url, not (is_loopback(host) or _is_private(host))


def _is_private(host: str) -> bool:
    if host.endswith(".local"):
        return True
    try:
        return ipaddress.ip_address(host).is_private
    except ValueError:
        return False


def _webhook_url(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Return the URL to give Elibom for inbound SMS (a path if none is set up)."""
    webhook_id = entry.data.get(CONF_WEBHOOK_ID)
    if not webhook_id:
        return "-"
    try:
        return get_url(hass, allow_cloud=False, prefer_external=True) + inbound_path(
            webhook_id
        )
    except NoURLAvailableError:
        return inbound_path(webhook_id)
