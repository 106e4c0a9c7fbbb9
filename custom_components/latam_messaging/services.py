"""The integration's actions, registered once; every input is checked before any request.

The schemas accept any value on purpose: each field is checked here, so that every
bad input gets a translated error that names it, rather than a schema message.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
import re
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import voluptuous as vol

from .aldeamo.coordinator import AldeamoCoordinator
from .const import (
    ATTR_CHANNEL,
    ATTR_CLIENT_ID,
    ATTR_CONFIG_ENTRY_ID,
    ATTR_DELIVERY_TOKEN,
    ATTR_MESSAGE,
    ATTR_PLAIN_ALPHABET,
    ATTR_RECIPIENTS,
    ATTR_SCHEDULE_AT,
    ATTR_SCHEDULE_ID,
    ATTR_TO,
    CONF_PHONE_NUMBER,
    CONF_PROVIDER,
    DOMAIN,
    PROVIDER_ALDEAMO,
    PROVIDER_ELIBOM,
    SERVICE_CANCEL_SCHEDULED_SMS,
    SERVICE_GET_DELIVERY,
    SERVICE_SEND_BOT_MESSAGE,
    SERVICE_SEND_SMS,
    SUBENTRY_RECIPIENT,
)
from .coordinator import LatamConfigEntry
from .elibom.coordinator import ElibomCoordinator
from .errors import validation_error
from .notify import async_record_sent
from .sms_parts import encoding, segments
from .validation import (
    bot_text,
    client_id,
    has_control_characters,
    phone_numbers,
    schedule_time,
    sending_channel,
    shown,
    sms_text,
)

_ID = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_FIELDS = {
    SERVICE_SEND_SMS: (
        ATTR_CONFIG_ENTRY_ID,
        ATTR_TO,
        ATTR_RECIPIENTS,
        ATTR_MESSAGE,
        ATTR_SCHEDULE_AT,
        ATTR_PLAIN_ALPHABET,
    ),
    SERVICE_CANCEL_SCHEDULED_SMS: (ATTR_CONFIG_ENTRY_ID, ATTR_SCHEDULE_ID),
    SERVICE_GET_DELIVERY: (ATTR_CONFIG_ENTRY_ID, ATTR_DELIVERY_TOKEN),
    SERVICE_SEND_BOT_MESSAGE: (
        ATTR_CONFIG_ENTRY_ID,
        ATTR_CHANNEL,
        ATTR_CLIENT_ID,
        ATTR_MESSAGE,
    ),
}


def _schema(service: str) -> vol.Schema:
    return vol.Schema({vol.Optional(field): object for field in _FIELDS[service]})


def _required(call: ServiceCall, field: str) -> Any:
    value = call.data.get(field)
    if value is None:
        raise validation_error("missing_field", field=field)
    return value


def _text(call: ServiceCall, field: str) -> str:
    """Return a text field; numbers count as text (YAML writes ids unquoted)."""
    value = _required(call, field)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise validation_error("wrong_type", field=field, expected="text")
    return str(value)


def _identifier(call: ServiceCall, field: str, not_found: str) -> str:
    value = _text(call, field).strip()
    if not _ID.fullmatch(value):
        raise validation_error(not_found, **{field: shown(value)})
    return value


def _coordinator[CoordinatorT: (ElibomCoordinator, AldeamoCoordinator)](
    hass: HomeAssistant, call: ServiceCall, kind: type[CoordinatorT]
) -> CoordinatorT:
    """Return the coordinator of the loaded entry the action names."""
    entry_id = _text(call, ATTR_CONFIG_ENTRY_ID)
    entry: LatamConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise validation_error("entry_not_found", config_entry_id=shown(entry_id))
    provider = PROVIDER_ELIBOM if kind is ElibomCoordinator else PROVIDER_ALDEAMO
    if entry.data[CONF_PROVIDER] != provider:
        # The message names both kinds of account in words, in the user's language.
        raise validation_error(
            "needs_elibom_account"
            if provider == PROVIDER_ELIBOM
            else "needs_aldeamo_account",
            title=entry.title,
        )
    if entry.state is not ConfigEntryState.LOADED or not isinstance(
        coordinator := entry.runtime_data, kind
    ):
        raise validation_error("entry_not_loaded", title=entry.title)
    return coordinator


def _numbers(
    hass: HomeAssistant, call: ServiceCall, coordinator: ElibomCoordinator
) -> list[str]:
    """Return the numbers of `to` and of the saved `recipients`, each once, in order.

    `to` may be left out when recipients are picked by name.
    """
    saved = _saved_recipients(hass, call, coordinator)
    if saved and call.data.get(ATTR_TO) is None:
        return saved
    typed = _recipients(call, coordinator.country_code)
    return list(dict.fromkeys([*typed, *saved]))


def _saved_recipients(
    hass: HomeAssistant, call: ServiceCall, coordinator: ElibomCoordinator
) -> list[str]:
    """Return the numbers of the recipients picked by their notify entities."""
    value = call.data.get(ATTR_RECIPIENTS)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    entry = coordinator.config_entry
    registry = er.async_get(hass)
    numbers: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise validation_error(
                "wrong_type", field=ATTR_RECIPIENTS, expected="notify entities"
            )
        registered = registry.async_get(item.strip())
        subentry = (
            entry.subentries.get(registered.config_subentry_id or "")
            if registered is not None
            and registered.platform == DOMAIN
            and registered.config_entry_id == entry.entry_id
            else None
        )
        if subentry is None or subentry.subentry_type != SUBENTRY_RECIPIENT:
            raise validation_error(
                "unknown_recipient", recipient=shown(item), title=entry.title
            )
        numbers.append(str(subentry.data[CONF_PHONE_NUMBER]))
    return numbers


def _recipients(call: ServiceCall, country_code: str) -> list[str]:
    value = _required(call, ATTR_TO)
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise validation_error(
                "wrong_type", field=ATTR_TO, expected="phone numbers"
            )
    return phone_numbers([str(item) for item in items], country_code)


def _schedule_at(call: ServiceCall) -> datetime | None:
    value = call.data.get(ATTR_SCHEDULE_AT)
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else None
    if isinstance(value, str) and not has_control_characters(value):
        # (Home Assistant's parser would stop reading at a NUL and accept the rest.)
        try:
            moment = dt_util.parse_datetime(value.strip())
        except ValueError:  # shaped like a date, but February 30th or the like
            moment = None
    if moment is None:
        raise validation_error("invalid_schedule_at", schedule_at=shown(str(value)))
    return schedule_time(moment)


def _plain_alphabet(call: ServiceCall, coordinator: ElibomCoordinator) -> bool:
    """Return the call's plain_alphabet, or the entry's option when the call has none."""
    value = call.data.get(ATTR_PLAIN_ALPHABET)
    if value is None:
        return coordinator.plain_alphabet
    if not isinstance(value, bool):
        raise validation_error("not_a_boolean", field=ATTR_PLAIN_ALPHABET)
    return value


async def _send_sms(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(hass, call, ElibomCoordinator)
    numbers = _numbers(hass, call, coordinator)
    plain_alphabet = _plain_alphabet(call, coordinator)
    text = sms_text(_text(call, ATTR_MESSAGE), plain_alphabet=plain_alphabet)
    when = _schedule_at(call)
    ids: list[Any] = await coordinator.async_send_sms(numbers, text, when, call.context)
    if when is None:
        async_record_sent(hass, coordinator.config_entry.entry_id, numbers)
    response: dict[str, Any] = (
        {"delivery_tokens": ids}
        if when is None
        else {"schedule_ids": ids, "scheduled_for": dt_util.as_local(when).isoformat()}
    )
    # What one recipient's message costs, counted on the text as sent.
    response |= {"encoding": encoding(text), "segments": segments(text)}
    if limit := coordinator.daily_limit:
        response |= {"parts_today": coordinator.parts_today, "daily_limit": limit}
    return response


async def _cancel_scheduled_sms(hass: HomeAssistant, call: ServiceCall) -> None:
    coordinator = _coordinator(hass, call, ElibomCoordinator)
    await coordinator.async_cancel(
        _identifier(call, ATTR_SCHEDULE_ID, "schedule_not_found")
    )


async def _get_delivery(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(hass, call, ElibomCoordinator)
    return await coordinator.async_get_delivery(
        _identifier(call, ATTR_DELIVERY_TOKEN, "delivery_not_found")
    )


async def _send_bot_message(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    coordinator = _coordinator(hass, call, AldeamoCoordinator)
    channel = sending_channel(_text(call, ATTR_CHANNEL))
    user = client_id(_text(call, ATTR_CLIENT_ID), channel)
    text = bot_text(_text(call, ATTR_MESSAGE))
    message_id = await coordinator.async_send(channel, user, text)
    async_record_sent(hass, coordinator.config_entry.entry_id, [f"{channel}:{user}"])
    return {"message_id": message_id}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every action of the integration."""

    def register(
        name: str,
        handler: Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]],
        supports: SupportsResponse,
    ) -> None:
        async def run(call: ServiceCall) -> ServiceResponse:
            return await handler(hass, call)

        hass.services.async_register(
            DOMAIN, name, run, schema=_schema(name), supports_response=supports
        )

    register(SERVICE_SEND_SMS, _send_sms, SupportsResponse.OPTIONAL)
    register(SERVICE_CANCEL_SCHEDULED_SMS, _cancel_scheduled_sms, SupportsResponse.NONE)
    register(SERVICE_GET_DELIVERY, _get_delivery, SupportsResponse.ONLY)
    register(SERVICE_SEND_BOT_MESSAGE, _send_bot_message, SupportsResponse.OPTIONAL)
