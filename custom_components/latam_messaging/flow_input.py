"""What every flow of the integration reads its forms with: fields, checks, errors.

The steps an account shares, and what each provider supplies, are in `account_forms.py`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
import ipaddress
from typing import Any

from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConversationAgentSelector,
    ConversationAgentSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from . import key_word
from .api import (
    AuthenticationError,
    LatamMessagingError,
    ProviderError,
    UnparseableResponseError,
)
from .const import CONF_AGENT_ID, CONF_ASSIST, CONF_ASSIST_PIN, DEFAULT_AGENT_ID, LOGGER
from .validation import has_control_characters

MAX_TEXT = 256
"""Longest value accepted in any text field of the flows."""

PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
EMAIL = TextSelector(
    TextSelectorConfig(type=TextSelectorType.EMAIL, autocomplete="username")
)
URL_FIELD = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
TEXT = TextSelector()
KEY_WORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="new-password")
)


class FlowError(Exception):
    """A problem shown on the form: its error key and the field it belongs to."""

    def __init__(self, key: str, field: str = "base", detail: str = "") -> None:
        """Name the error."""
        super().__init__(key)
        self.key = key
        self.field = field
        self.detail = detail


def text(user_input: Mapping[str, Any], key: str, *, required: bool = True) -> str:
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


def base_url(user_input: Mapping[str, Any], default: str) -> str:
    """Return the provider URL: https, or plain http only for this machine."""
    raw = text(user_input, CONF_URL, required=False) or default
    if not raw.isascii():
        # An API address is plain ASCII; anything else is a typing accident.
        raise FlowError("invalid_url", CONF_URL)
    try:
        url = URL(raw)
    except (TypeError, ValueError) as err:
        raise FlowError("invalid_url", CONF_URL) from err
    if url.scheme not in ("http", "https") or not url.host:
        raise FlowError("invalid_url", CONF_URL)
    if url.scheme == "http" and not is_loopback(url.host):
        raise FlowError("insecure_url", CONF_URL)
    return str(url).rstrip("/")


def is_loopback(host: str) -> bool:
    """Tell whether a host is this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def check[ResultT](call: Awaitable[ResultT]) -> ResultT:
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


def assist_fields(
    hass: HomeAssistant, *, key_word: bool = False
) -> dict[vol.Marker, Any]:
    """Return the fields that let a person talk to Assist (off unless turned on).

    With `key_word`, also the key word their messages must start with: a
    password field, never filled in with the one saved.
    """
    return {
        vol.Optional(CONF_ASSIST, default=False): BooleanSelector(),
        vol.Optional(CONF_AGENT_ID, default=DEFAULT_AGENT_ID): (
            ConversationAgentSelector(
                ConversationAgentSelectorConfig(language=hass.config.language)
            )
        ),
        **({vol.Optional(CONF_ASSIST_PIN): KEY_WORD} if key_word else {}),
    }


def key_word_text(user_input: Mapping[str, Any], *, required: bool = True) -> str:
    """Return the key word typed, refused when shorter than key_word.MIN_LENGTH."""
    chosen = text(user_input, CONF_ASSIST_PIN, required=required)
    if chosen and len(chosen) < key_word.MIN_LENGTH:
        raise FlowError("assist_pin_too_short", CONF_ASSIST_PIN)
    return chosen


def assist_data(
    user_input: Mapping[str, Any],
    *,
    saved_key_word: str = "",
    key_word_required: bool = False,
) -> dict[str, Any]:
    """Return what the subentry keeps of the Assist fields: nothing while it is off.

    A key word left empty keeps the one saved; `key_word_required` refuses
    Assist without one.
    """
    if not user_input.get(CONF_ASSIST, False):
        return {}
    chosen = key_word_text(user_input, required=False) or saved_key_word
    if not chosen and key_word_required:
        raise FlowError("assist_pin_required", CONF_ASSIST_PIN)
    return {
        CONF_ASSIST: True,
        CONF_AGENT_ID: str(user_input.get(CONF_AGENT_ID) or DEFAULT_AGENT_ID),
        **({CONF_ASSIST_PIN: chosen} if chosen else {}),
    }
