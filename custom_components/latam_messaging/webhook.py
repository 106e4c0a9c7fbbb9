"""Elibom's inbound-SMS callback: `GET <webhook URL>?from=...&text=...&date=...`."""

from __future__ import annotations

from collections import deque
from datetime import datetime
import hashlib

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import COLOMBIA
from .const import (
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_MESSAGE_RECEIVED,
    LOGGER,
    PROVIDER_ELIBOM,
    SUBENTRY_RECIPIENT,
)
from .coordinator import LatamConfigEntry

DATE_FORMAT = "%d-%m-%Y-%H-%M-%S"
REMEMBERED = 200
"""Recent message ids kept to ignore a callback Elibom repeats."""


@callback
def async_register_inbound_sms(
    hass: HomeAssistant, entry: LatamConfigEntry
) -> CALLBACK_TYPE:
    """Register the entry's webhook; returns what unregisters it."""
    webhook_id: str | None = entry.data.get(CONF_WEBHOOK_ID)
    if not webhook_id:
        return lambda: None
    seen: deque[str] = deque(maxlen=REMEMBERED)

    async def handle(
        hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        sender = request.query.get("from", "").strip().lstrip("+")
        text = request.query.get("text")
        if not sender.isdigit() or text is None:
            LOGGER.debug("Ignored an inbound SMS callback without `from` or `text`")
            return web.Response(status=400)
        date = request.query.get("date", "")
        message_id = hashlib.sha256(f"{sender}\n{date}\n{text}".encode()).hexdigest()[
            :20
        ]
        if message_id in seen:
            return web.Response(status=200)
        seen.append(message_id)
        hass.bus.async_fire(
            EVENT_MESSAGE_RECEIVED,
            {
                "config_entry_id": entry.entry_id,
                "provider": PROVIDER_ELIBOM,
                "channel": "sms",
                "client_id": sender,
                "name": _recipient_name(entry, sender),
                "message": text,
                "message_id": message_id,
                "time": _when(date).isoformat(),
            },
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


def _when(date: str) -> datetime:
    """Elibom writes dd-MM-yyyy-HH-mm-ss in Colombia time; now if absent or unreadable."""
    try:
        return datetime.strptime(date, DATE_FORMAT).replace(tzinfo=COLOMBIA)
    except ValueError:
        return dt_util.utcnow()


def _recipient_name(entry: LatamConfigEntry, number: str) -> str | None:
    """Return the name of the recipient with this number, if there is one."""
    for subentry in entry.subentries.values():
        if (
            subentry.subentry_type == SUBENTRY_RECIPIENT
            and subentry.data.get(CONF_PHONE_NUMBER) == number
        ):
            return subentry.title
    return None
