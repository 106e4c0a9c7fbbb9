"""Accounts (Elibom, Aldeamo), their recipients and contacts, and their options."""

from __future__ import annotations

from collections.abc import Mapping
import ipaddress
from typing import Any

from homeassistant.components import webhook
from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME, CONF_URL, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import section
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.network import NoURLAvailableError
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConversationAgentSelector,
    ConversationAgentSelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from .aldeamo.coordinator import AldeamoCoordinator
from .api import (
    ALDEAMO_URL,
    ELIBOM_URL,
    LISTENING_CHANNELS,
    SENDING_CHANNELS,
    AldeamoClient,
    AuthenticationError,
    ElibomAccount,
    ElibomClient,
    LatamMessagingError,
    ProviderError,
    UnparseableResponseError,
)
from .const import (
    CHANNEL_NAMES,
    CONF_ACCOUNT_ID,
    CONF_AGENT_ID,
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_ASSIST,
    CONF_CHANNEL,
    CONF_CHANNELS,
    CONF_CLIENT_ID,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_LOW_CREDIT_THRESHOLD,
    CONF_PHONE_NUMBER,
    CONF_PLAIN_ALPHABET,
    CONF_PROVIDER,
    CONF_SCAN_INTERVAL,
    DEFAULT_AGENT_ID,
    DEFAULT_ALDEAMO_SCAN_INTERVAL,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DEFAULT_LOW_CREDIT_THRESHOLD,
    DEFAULT_PLAIN_ALPHABET,
    DOMAIN,
    LOGGER,
    MAX_SCAN_INTERVAL,
    MIN_SCAN_INTERVAL,
    PROVIDER_ALDEAMO,
    PROVIDER_ELIBOM,
    REQUEST_TIMEOUT,
    SUBENTRY_CONTACT,
    SUBENTRY_RECIPIENT,
)
from .identity import (
    KEYED_BY_OWNER,
    aldeamo_key_taken,
    aldeamo_unique_id,
    elibom_login_taken,
    elibom_unique_id,
)
from .validation import (
    client_id,
    has_control_characters,
    listening_channels,
    masked,
    phone_number,
)

ALDEAMO_TITLE = "Aldeamo bots"
MAX_TEXT = 256
"""Longest value accepted in any text field of the flows."""

_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_EMAIL = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
_TEXT = TextSelector()
_CHANNELS = SelectSelector(
    SelectSelectorConfig(
        options=list(LISTENING_CHANNELS),
        multiple=True,
        mode=SelectSelectorMode.LIST,
        translation_key=CONF_CHANNELS,
    )
)


class FlowError(Exception):
    """A problem shown on the form: its error key and the field it belongs to."""

    def __init__(self, key: str, field: str = "base", detail: str = "") -> None:
        """Name the error."""
        super().__init__(key)
        self.key = key
        self.field = field
        self.detail = detail


def _text(user_input: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    """Return a text field, trimmed; refuse absurd lengths and control characters."""
    value = user_input.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise FlowError("required", key)
        return ""
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise FlowError("invalid_value", key)
    if has_control_characters(value):
        raise FlowError("invalid_value", key)
    return value.strip()


def _base_url(user_input: Mapping[str, Any], default: str) -> str:
    """Return the provider URL: https, or plain http only for this machine."""
    raw = _text(user_input, CONF_URL, required=False) or default
    if not raw.isascii():
        # An API address is plain ASCII; anything else is a typing accident.
        raise FlowError("invalid_url", CONF_URL)
    try:
        url = URL(raw)
    except (TypeError, ValueError) as err:
        raise FlowError("invalid_url", CONF_URL) from err
    if url.scheme not in ("http", "https") or not url.host:
        raise FlowError("invalid_url", CONF_URL)
    if url.scheme == "http" and not _is_loopback(url.host):
        raise FlowError("insecure_url", CONF_URL)
    return str(url).rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _check(call: Any) -> Any:
    """Run a provider call, turning its failure into the form's error."""
    try:
        return await call
    except AuthenticationError as err:
        raise FlowError("invalid_auth") from err
    except UnparseableResponseError as err:
        raise FlowError("invalid_response") from err
    except ProviderError as err:
        raise FlowError("provider_refused", detail=err.message) from err
    except LatamMessagingError as err:
        raise FlowError("cannot_connect") from err
    except Exception as err:
        LOGGER.exception("Unexpected error while checking the account")
        raise FlowError("unknown") from err


class LatamMessagingConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an Elibom or Aldeamo account."""

    VERSION = 1
    MINOR_VERSION = KEYED_BY_OWNER

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients (for an SMS account) and contacts (for a bot), on every entry.

        The integration page offers each type for every account of the integration;
        on the wrong kind of account the flow says so at once (see each flow).
        """
        return {SUBENTRY_RECIPIENT: RecipientFlow, SUBENTRY_CONTACT: ContactFlow}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow: polling, low-credit warning, alphabet, country code."""
        return LatamOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the provider."""
        return self.async_show_menu(
            step_id="user", menu_options=[PROVIDER_ELIBOM, PROVIDER_ALDEAMO]
        )

    # Elibom --------------------------------------------------------------------

    async def _elibom_account(self, data: Mapping[str, Any]) -> ElibomAccount:
        client = ElibomClient(
            async_get_clientsession(self.hass),
            data[CONF_USERNAME],
            data[CONF_API_TOKEN],
            url=data[CONF_URL],
            request_timeout=REQUEST_TIMEOUT,
        )
        account: ElibomAccount = await _check(client.account())
        return account

    async def async_step_elibom(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Elibom e-mail, API password and (rarely) URL."""
        errors: dict[str, str] = {}
        placeholders = {"error": ""}
        if user_input is not None:
            try:
                data = {
                    CONF_PROVIDER: PROVIDER_ELIBOM,
                    CONF_USERNAME: _text(user_input, CONF_USERNAME),
                    CONF_API_TOKEN: _text(user_input, CONF_API_TOKEN),
                    CONF_URL: _base_url(user_input, ELIBOM_URL),
                }
                if elibom_login_taken(self.hass, data[CONF_USERNAME]):
                    return self.async_abort(reason="already_configured")
                account = await self._elibom_account(data)
                await self.async_set_unique_id(
                    elibom_unique_id(account, data[CONF_USERNAME])
                )
                self._abort_if_unique_id_configured()
                if account.owner_id is not None:
                    # An entry not yet keyed by its owner (made before 1.2).
                    self._async_abort_entries_match({CONF_ACCOUNT_ID: account.owner_id})
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
            else:
                return self.async_create_entry(
                    title=account.name,
                    data=data
                    | {
                        CONF_ACCOUNT_ID: account.owner_id,
                        CONF_WEBHOOK_ID: webhook.async_generate_id(),
                    },
                )
        return self.async_show_form(
            step_id=PROVIDER_ELIBOM,
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_USERNAME): _EMAIL,
                        vol.Required(CONF_API_TOKEN): _PASSWORD,
                        vol.Optional(CONF_URL): _URL,
                    }
                ),
                {CONF_URL: ELIBOM_URL}
                | {k: v for k, v in (user_input or {}).items() if k != CONF_API_TOKEN},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    # Aldeamo -------------------------------------------------------------------

    async def _check_aldeamo(self, api_key: str, url: str, channels: list[str]) -> None:
        client = AldeamoClient(
            async_get_clientsession(self.hass),
            api_key,
            url=url,
            request_timeout=REQUEST_TIMEOUT,
        )
        for channel in channels:
            await _check(client.users(channel))

    @staticmethod
    def _channels(user_input: Mapping[str, Any]) -> list[str]:
        chosen = user_input.get(CONF_CHANNELS) or []
        if not isinstance(chosen, list) or not set(chosen) <= set(LISTENING_CHANNELS):
            raise FlowError("invalid_value", CONF_CHANNELS)
        channels = listening_channels(chosen)
        if not channels:
            raise FlowError("no_channels", CONF_CHANNELS)
        return channels

    async def async_step_aldeamo(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Aldeamo API key, channels and (rarely) URL."""
        errors: dict[str, str] = {}
        placeholders = {"error": ""}
        if user_input is not None:
            try:
                data: dict[str, Any] = {
                    CONF_PROVIDER: PROVIDER_ALDEAMO,
                    CONF_API_KEY: _text(user_input, CONF_API_KEY),
                    CONF_CHANNELS: self._channels(user_input),
                    CONF_URL: _base_url(user_input, ALDEAMO_URL),
                }
                await self.async_set_unique_id(
                    aldeamo_unique_id(data[CONF_API_KEY], data[CONF_URL])
                )
                self._abort_if_unique_id_configured()
                if aldeamo_key_taken(self.hass, data[CONF_API_KEY], data[CONF_URL]):
                    return self.async_abort(reason="already_configured")
                await self._check_aldeamo(
                    data[CONF_API_KEY], data[CONF_URL], data[CONF_CHANNELS]
                )
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
            else:
                return self.async_create_entry(title=ALDEAMO_TITLE, data=data)
        return self.async_show_form(
            step_id=PROVIDER_ALDEAMO,
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_API_KEY): _PASSWORD,
                        vol.Required(CONF_CHANNELS): _CHANNELS,
                        vol.Optional(CONF_URL): _URL,
                    }
                ),
                {CONF_URL: ALDEAMO_URL, CONF_CHANNELS: ["whatsapp"]}
                | {k: v for k, v in (user_input or {}).items() if k != CONF_API_KEY},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    # Reauth and reconfigure ------------------------------------------------------

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start when the provider refused the stored secret."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new API password or key of the same account."""
        entry = self._get_reauth_entry()
        elibom = entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM
        secret = CONF_API_TOKEN if elibom else CONF_API_KEY
        errors: dict[str, str] = {}
        placeholders = {"account": entry.title, "error": ""}
        if user_input is not None:
            try:
                return await self._update_account(
                    entry, entry.data | {secret: _text(user_input, secret)}
                )
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(secret): _PASSWORD}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the URL, the Elibom user or the Aldeamo channels."""
        entry = self._get_reconfigure_entry()
        elibom = entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM
        errors: dict[str, str] = {}
        placeholders = {"account": entry.title, "error": ""}
        if user_input is not None:
            try:
                if elibom:
                    data = entry.data | {
                        CONF_USERNAME: _text(user_input, CONF_USERNAME),
                        CONF_URL: _base_url(user_input, ELIBOM_URL),
                    }
                    if token := _text(user_input, CONF_API_TOKEN, required=False):
                        data[CONF_API_TOKEN] = token
                else:
                    data = entry.data | {
                        CONF_CHANNELS: self._channels(user_input),
                        CONF_URL: _base_url(user_input, ALDEAMO_URL),
                    }
                return await self._update_account(entry, data)
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
        if elibom:
            schema = vol.Schema(
                {
                    vol.Required(CONF_USERNAME): _EMAIL,
                    vol.Optional(CONF_API_TOKEN): _PASSWORD,
                    vol.Optional(CONF_URL): _URL,
                }
            )
        else:
            schema = vol.Schema(
                {vol.Required(CONF_CHANNELS): _CHANNELS, vol.Optional(CONF_URL): _URL}
            )
        suggested = {k: v for k, v in entry.data.items() if k in schema.schema}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, (user_input or suggested) | {CONF_API_TOKEN: ""}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def _update_account(
        self, entry: ConfigEntry, data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Check new data against the provider, then store it and reload."""
        if data[CONF_PROVIDER] == PROVIDER_ELIBOM:
            account = await self._elibom_account(data)
            known = entry.data.get(CONF_ACCOUNT_ID)
            if known is not None and entry.unique_id == known:
                await self.async_set_unique_id(
                    elibom_unique_id(account, data[CONF_USERNAME]),
                    raise_on_progress=False,
                )
                self._abort_if_unique_id_mismatch(reason="wrong_account")
            elif known is not None and account.owner_id != known:
                # Not keyed by its owner yet (set-up does it): the stored owner tells.
                return self.async_abort(reason="wrong_account")
        else:
            await self._check_aldeamo(
                data[CONF_API_KEY], data[CONF_URL], data[CONF_CHANNELS]
            )
            # The key is the only identity: a new key cannot be told from another
            # account's, so the entry keeps the digest it was created with.
            if aldeamo_key_taken(
                self.hass, data[CONF_API_KEY], data[CONF_URL], besides=entry.entry_id
            ):
                return self.async_abort(reason="already_configured")
        changed = dict(data) != dict(entry.data)
        listened = entry.state is ConfigEntryState.LOADED
        result = self.async_update_and_abort(entry, data=data)
        if not (changed and listened):
            # A loaded entry's update listener reloads it on a change. Otherwise no
            # listener runs (not loaded, or nothing changed), yet a reauth after a
            # passing 401 must restart polling: reload here.
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return result


# Options ----------------------------------------------------------------------------


class LatamOptionsFlow(OptionsFlow):
    """Polling period for both; low-credit warning, alphabet and country code for Elibom."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        entry = self.config_entry
        elibom = entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM
        errors: dict[str, str] = {}
        if user_input is not None:
            code = str(user_input.get(CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE))
            code = code.strip().lstrip("+")
            if elibom and not (
                code.isascii() and code.isdigit() and 1 <= len(code) <= 3
            ):
                errors[CONF_DEFAULT_COUNTRY_CODE] = "invalid_country_code"
            else:
                options: dict[str, Any] = {
                    CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL])
                }
                if elibom:
                    options[CONF_LOW_CREDIT_THRESHOLD] = float(
                        user_input.get(CONF_LOW_CREDIT_THRESHOLD, 0)
                    )
                    options[CONF_PLAIN_ALPHABET] = bool(
                        user_input.get(CONF_PLAIN_ALPHABET, DEFAULT_PLAIN_ALPHABET)
                    )
                    options[CONF_DEFAULT_COUNTRY_CODE] = code
                return self.async_create_entry(data=options)

        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_SCAN_INTERVAL): NumberSelector(
                NumberSelectorConfig(
                    min=MIN_SCAN_INTERVAL,
                    max=MAX_SCAN_INTERVAL,
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="s",
                )
            )
        }
        defaults: dict[str, Any] = {
            CONF_SCAN_INTERVAL: DEFAULT_ELIBOM_SCAN_INTERVAL
            if elibom
            else DEFAULT_ALDEAMO_SCAN_INTERVAL
        }
        if elibom:
            fields[vol.Required(CONF_LOW_CREDIT_THRESHOLD)] = NumberSelector(
                NumberSelectorConfig(
                    min=0, max=1_000_000, step=0.1, mode=NumberSelectorMode.BOX
                )
            )
            fields[vol.Optional(CONF_PLAIN_ALPHABET)] = BooleanSelector()
            fields[vol.Required(CONF_DEFAULT_COUNTRY_CODE)] = _TEXT
            defaults |= {
                CONF_LOW_CREDIT_THRESHOLD: DEFAULT_LOW_CREDIT_THRESHOLD,
                CONF_PLAIN_ALPHABET: DEFAULT_PLAIN_ALPHABET,
                CONF_DEFAULT_COUNTRY_CODE: DEFAULT_COUNTRY_CODE,
            }
            fields |= _inbound_sms_section(self.hass, entry)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields), defaults | dict(entry.options) | (user_input or {})
            ),
            errors=errors,
            description_placeholders={
                "account": entry.title,
                "webhook_url": _webhook_url(self.hass, entry),
            },
        )


INBOUND_SMS = "inbound_sms"
"""The options' section (Elibom only) that shows the address for incoming SMS."""


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
                        key, description={"suggested_value": url}
                    ): TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
                }
            ),
            {"collapsed": False},
        )
    }


def _public_webhook_url(hass: HomeAssistant, entry: ConfigEntry) -> tuple[str, bool]:
    """Return the inbound-SMS URL, preferring the external one, and if it is public."""
    webhook_id = str(entry.data.get(CONF_WEBHOOK_ID) or "")
    try:
        url = webhook.async_generate_url(hass, webhook_id, allow_internal=False)
    except NoURLAvailableError:
        return _webhook_url(hass, entry), False
    host = URL(url).host or ""
    return url, not (_is_loopback(host) or _is_private(host))


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
        return webhook.async_generate_url(hass, webhook_id)
    except NoURLAvailableError:
        return webhook.async_generate_path(webhook_id)


# Subentries -------------------------------------------------------------------------


def _assist_fields(hass: HomeAssistant) -> dict[vol.Marker, Any]:
    """Return the fields that let a person talk to Assist (off unless turned on)."""
    return {
        vol.Optional(CONF_ASSIST, default=False): BooleanSelector(),
        vol.Optional(CONF_AGENT_ID, default=DEFAULT_AGENT_ID): (
            ConversationAgentSelector(
                ConversationAgentSelectorConfig(language=hass.config.language)
            )
        ),
    }


def _assist_data(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return what the subentry keeps of the Assist fields: nothing while it is off."""
    if not user_input.get(CONF_ASSIST, False):
        return {}
    return {
        CONF_ASSIST: True,
        CONF_AGENT_ID: str(user_input.get(CONF_AGENT_ID) or DEFAULT_AGENT_ID),
    }


class RecipientFlow(ConfigSubentryFlow):
    """A phone number that gets its own notify entity."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a recipient to an Elibom account; a bot's people are contacts."""
        if self._get_entry().data[CONF_PROVIDER] != PROVIDER_ELIBOM:
            return self.async_abort(reason="not_an_elibom_account")
        return await self._form("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient's name or number."""
        return await self._form("reconfigure", user_input)

    async def _form(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        current = self._get_reconfigure_subentry() if step_id == "reconfigure" else None
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                name = _text(user_input, CONF_NAME)
                number = phone_number(
                    _text(user_input, CONF_PHONE_NUMBER),
                    str(
                        entry.options.get(
                            CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE
                        )
                    ),
                )
            except FlowError as err:
                errors[err.field] = err.key
            except ServiceValidationError:
                errors[CONF_PHONE_NUMBER] = "invalid_phone_number"
            else:
                if any(
                    sub.unique_id == number and sub is not current
                    for sub in entry.subentries.values()
                ):
                    return self.async_abort(reason="already_configured")
                data = {
                    CONF_NAME: name,
                    CONF_PHONE_NUMBER: number,
                    **_assist_data(user_input),
                }
                if current is not None:
                    # The entry's update listener reloads it when it is loaded.
                    return self.async_update_and_abort(
                        entry, current, title=name, data=data, unique_id=number
                    )
                return self.async_create_entry(
                    title=name,
                    data=data,
                    unique_id=number,
                    description="added",
                    description_placeholders={"name": name, "number": masked(number)},
                )
        suggested = dict(current.data) if current else {}
        return self.async_show_form(
            step_id=step_id,
            description_placeholders={
                "number": masked(str(current.data.get(CONF_PHONE_NUMBER, "")))
                if current
                else ""
            },
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_NAME): _TEXT,
                        vol.Required(CONF_PHONE_NUMBER): TextSelector(
                            TextSelectorConfig(type=TextSelectorType.TEL)
                        ),
                        **_assist_fields(self.hass),
                    }
                ),
                user_input or suggested,
            ),
            errors=errors,
        )


def _anonymous_name(channel: str, user: str) -> str:
    """Name a contact without a name by channel and the id's end, never the whole id.

    The name becomes the entity id, which is logged and shown everywhere; an id is
    often a phone number.
    """
    return f"{CHANNEL_NAMES.get(channel, channel)} …{user[-4:]}"


class ContactFlow(ConfigSubentryFlow):
    """A bot user on one channel that gets its own notify entity."""

    def __init__(self) -> None:
        """Start without a channel."""
        self._channel = ""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Choose the channel (of an Aldeamo bot; SMS recipients are Elibom's)."""
        if self._get_entry().data[CONF_PROVIDER] != PROVIDER_ALDEAMO:
            return self.async_abort(reason="not_an_aldeamo_account")
        if user_input is not None and user_input.get(CONF_CHANNEL) in SENDING_CHANNELS:
            self._channel = user_input[CONF_CHANNEL]
            return await self.async_step_details()
        entry = self._get_entry()
        channels = [*entry.data[CONF_CHANNELS], "sms"]
        return self.async_show_form(
            step_id="user",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_CHANNEL, default=channels[0]): SelectSelector(
                        SelectSelectorConfig(
                            options=channels,
                            translation_key=CONF_CHANNELS,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a contact's name or id (its channel stays)."""
        self._channel = self._get_reconfigure_subentry().data[CONF_CHANNEL]
        return await self.async_step_details(user_input)

    def _known_users(self) -> list[SelectOptionDict]:
        """Return the users the bot already knows on the channel, to pick from."""
        entry = self._get_entry()
        if entry.state is not ConfigEntryState.LOADED:
            return []
        coordinator = entry.runtime_data
        if not isinstance(coordinator, AldeamoCoordinator) or coordinator.data is None:
            return []
        return [
            SelectOptionDict(
                value=user.user_id,
                label=f"{user.name} ({user.user_id})" if user.name else user.user_id,
            )
            for user in coordinator.data.users.get(self._channel, ())
        ]

    async def async_step_details(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pick or type the user's id and name the contact."""
        entry = self._get_entry()
        current = (
            self._get_reconfigure_subentry()
            if self.source == SOURCE_RECONFIGURE
            else None
        )
        known = self._known_users()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                user = client_id(_text(user_input, CONF_CLIENT_ID))
                name = _text(user_input, CONF_NAME, required=False) or next(
                    (
                        o["label"].rsplit(" (", 1)[0]
                        for o in known
                        if o["value"] == user and o["label"] != user
                    ),
                    _anonymous_name(self._channel, user),
                )
            except FlowError as err:
                errors[err.field] = err.key
            except ServiceValidationError:
                errors[CONF_CLIENT_ID] = "invalid_client_id"
            else:
                unique_id = f"{self._channel}:{user}"
                if any(
                    sub.unique_id == unique_id and sub is not current
                    for sub in entry.subentries.values()
                ):
                    return self.async_abort(reason="already_configured")
                data = {
                    CONF_NAME: name,
                    CONF_CHANNEL: self._channel,
                    CONF_CLIENT_ID: user,
                    **_assist_data(user_input),
                }
                if current is not None:
                    # The entry's update listener reloads it when it is loaded.
                    return self.async_update_and_abort(
                        entry, current, title=name, data=data, unique_id=unique_id
                    )
                return self.async_create_entry(
                    title=name,
                    data=data,
                    unique_id=unique_id,
                    description="added",
                    description_placeholders={
                        "name": name,
                        "channel": CHANNEL_NAMES.get(self._channel, self._channel),
                        "client_id": masked(user),
                    },
                )
        suggested = dict(current.data) if current else {}
        return self.async_show_form(
            step_id="details",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_CLIENT_ID): SelectSelector(
                            SelectSelectorConfig(
                                options=known,
                                custom_value=True,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                        vol.Optional(CONF_NAME): _TEXT,
                        **_assist_fields(self.hass),
                    }
                ),
                user_input or suggested,
            ),
            errors=errors,
            description_placeholders={"channel": self._channel},
        )
