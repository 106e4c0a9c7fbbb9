"""Elibom's inbound-SMS callback: `GET <webhook URL>?from=...&text=...&date=...`.

The URL is a secret: anyone who has it can post an SMS that never was.
"""

from __future__ import annotations

from datetime import datetime
import hashlib
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util

from ..api import COLOMBIA
from ..const import CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE, DOMAIN, LOGGER
from ..validation import phone_number

if TYPE_CHECKING:
    from .coordinator import ElibomCoordinator

DATE_FORMAT = "%d-%m-%Y-%H-%M-%S"


def read_query(raw: str) -> dict[str, str]:
    """Decode a query string as UTF-8, or as ISO-8859-1 (Elibom's own charset).

    aiohttp decodes percent escapes as UTF-8 only, which leaves `Ma%F1ana` as it is.
    """
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(raw, keep_blank_values=True, encoding="iso-8859-1")
    return dict(pairs)


def message_id(sender: str, text: str, date: str, received: datetime) -> str:
    """Name an inbound SMS: a callback repeated has the same id, two messages do not.

    Without a date, two identical replies ("SI") are two messages: the moment
    the callback arrived names each.
    """
    moment = date or received.isoformat()
    return hashlib.sha256(f"{sender}\n{moment}\n{text}".encode()).hexdigest()[:20]


@callback
def async_register_inbound_sms(
    hass: HomeAssistant, coordinator: ElibomCoordinator
) -> CALLBACK_TYPE:
    """Register the entry's webhook; returns what unregisters it."""
    entry = coordinator.config_entry
    webhook_id: str | None = entry.data.get(CONF_WEBHOOK_ID)
    if not webhook_id:
        return lambda: None

    async def handle(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        query = read_query(request.rel_url.raw_query_string)
        try:
            # The same digits as a recipient's number: +, spaces, local numbers.
            sender = phone_number(
                query.get("from", ""),
                str(entry.options.get(CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE)),
            )
        except ServiceValidationError:
            sender = ""
        text = query.get("text")
        if not sender or text is None:
            LOGGER.debug("Ignored an inbound SMS callback without `from` or `text`")
            return web.Response(status=400)
        if (
            entry.state is not ConfigEntryState.LOADED
            or entry.runtime_data is not coordinator
        ):
            return web.Response(status=503)  # Elibom calls again later
        date = query.get("date", "")
        now = dt_util.utcnow()
        await coordinator.async_receive_sms(
            sender, text, message_id(sender, text, date, now), _when(date, now)
        )
        return web.Response(status=200)

    webhook.async_register(
        hass,
        DOMAIN,
        f"Elibom {entry.title}",
        webhook_id,
        handle,
        allowed_methods=["GET", "POST"],
    )
    return lambda: webhook.async_unregister(hass, webhook_id)


def _when(date: str, now: datetime) -> datetime:
    """Elibom writes dd-MM-yyyy-HH-mm-ss in Colombia time; now if absent or unreadable."""
    try:
        return datetime.strptime(date, DATE_FORMAT).replace(tzinfo=COLOMBIA)
    except ValueError:
        return now
