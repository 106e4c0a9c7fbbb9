"""The integration's events in words, in the activity view, in Home Assistant's language.

Home Assistant does not translate what a logbook platform describes, so the words
come from the integration's own translations (the `common` section), which Home
Assistant keeps loaded for its language from set-up on and loads again when the
language changes. Nothing here shows a whole phone number: a saved person's name, or its last digits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.translation import async_get_cached_translations

from .const import (
    CHANNEL_NAMES,
    CONF_CHANNEL,
    CONF_CLIENT_ID,
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
)
from .elibom.coordinator import recipient_name

PREVIEW_LENGTH = 60
"""Characters of a received message shown in the activity view."""
DELIVERY_WORDS = {
    "created": "accepted",
    "running": "sending",
    "finished": "delivered",
    "failed": "failed",
    "expired": "expired",
}
SCHEDULE_WORDS = {"executed": "executed", "cancelled": "cancelled"}

type Describe = Callable[[Event], dict[str, str]]


def last_digits(value: object) -> str:
    """Show a number or user id by its last four characters only."""
    text = str(value or "").strip()
    return f"…{text[-4:]}" if text else "…"


def preview(message: object) -> str:
    """Put a message on one line and cut it short."""
    text = " ".join(str(message or "").split())
    if len(text) <= PREVIEW_LENGTH:
        return text
    return text[: PREVIEW_LENGTH - 1].rstrip() + "…"


def _words(hass: HomeAssistant, key: str, **placeholders: str) -> str:
    """Return the sentence `key` in Home Assistant's language (English if missing)."""
    full_key = f"component.{DOMAIN}.common.logbook_{key}"
    for language in (hass.config.language, "en"):
        found = async_get_cached_translations(hass, language, "common", DOMAIN)
        if full_key in found:
            return found[full_key].format(**placeholders)
    return " ".join((key, *placeholders.values()))  # translations not loaded yet


def _sender(hass: HomeAssistant, data: Mapping[str, Any]) -> str:
    """Name who wrote: the saved recipient or contact, the name they gave, or digits."""
    entry = hass.config_entries.async_get_entry(str(data.get("config_entry_id")))
    channel, client_id = data.get("channel"), data.get("client_id")
    for subentry in entry.subentries.values() if entry else ():
        saved = subentry.data
        if (
            saved.get(CONF_CHANNEL) == channel
            and saved.get(CONF_CLIENT_ID) == client_id
        ) or (channel == "sms" and saved.get(CONF_PHONE_NUMBER) == client_id):
            return subentry.title
    name = data.get("name")
    if isinstance(name, str) and name.strip() and not name.strip().isdigit():
        return name.strip()
    return last_digits(client_id)


def _recipient(hass: HomeAssistant, event: Event, number: object) -> str:
    """Name an SMS's recipient if the number is a saved one, else by its last digits."""
    entry = hass.config_entries.async_get_entry(str(event.data.get("config_entry_id")))
    name = recipient_name(entry, str(number)) if entry else None
    return name or last_digits(number)


@callback
def async_describe_events(
    hass: HomeAssistant, async_describe_event: Callable[[str, str, Describe], None]
) -> None:
    """Describe the three events of the integration."""

    @callback
    def message_received(event: Event) -> dict[str, str]:
        channel = str(event.data.get("channel"))
        return {
            LOGBOOK_ENTRY_NAME: _sender(hass, event.data),
            LOGBOOK_ENTRY_MESSAGE: _words(
                hass,
                "message_received",
                channel=CHANNEL_NAMES.get(channel, channel),
                message=preview(event.data.get("message")),
            ),
        }

    @callback
    def delivery_status(event: Event) -> dict[str, str]:
        numbers = [m.get("to") for m in event.data.get("messages") or ()]
        if not numbers:
            name = _words(hass, "sms", id=str(event.data.get("delivery_token")))
        elif len(numbers) == 1:
            name = _words(hass, "sms_to", number=_recipient(hass, event, numbers[0]))
        else:
            name = _words(
                hass,
                "sms_to_more",
                number=_recipient(hass, event, numbers[0]),
                more=str(len(numbers) - 1),
            )
        status = str(event.data.get("status"))
        return {
            LOGBOOK_ENTRY_NAME: name,
            LOGBOOK_ENTRY_MESSAGE: _words(
                hass, DELIVERY_WORDS.get(status, "delivery_other"), status=status
            ),
        }

    @callback
    def schedule_status(event: Event) -> dict[str, str]:
        status = str(event.data.get("status"))
        return {
            LOGBOOK_ENTRY_NAME: _words(
                hass, "scheduled_sms", id=str(event.data.get("schedule_id"))
            ),
            LOGBOOK_ENTRY_MESSAGE: _words(
                hass, SCHEDULE_WORDS.get(status, "schedule_other"), status=status
            ),
        }

    async_describe_event(DOMAIN, EVENT_MESSAGE_RECEIVED, message_received)
    async_describe_event(DOMAIN, EVENT_DELIVERY_STATUS, delivery_status)
    async_describe_event(DOMAIN, EVENT_SCHEDULE_STATUS, schedule_status)
