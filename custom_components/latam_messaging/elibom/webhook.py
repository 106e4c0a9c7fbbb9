"""Elibom's inbound-SMS callback: `GET <webhook URL>?from=...&text=...&date=...`.

The URL is a secret: anyone who has it can post an SMS that never was, so what
cannot be an SMS from Elibom is refused (400), and so is a flood (429).

Elibom never sends a callback again once it heard 200, so a 200 is a promise:
the webhook is registered for as long as the entry exists and is enabled, not
only while it is loaded, and answers 200 only once the SMS is on disk. While
the entry is ready the SMS goes straight to its coordinator (and its store);
otherwise (Home Assistant starting, the entry loading, waiting to retry or
reloading) it waits in the entry's inbox, a store of its own that outlives
reloads, which the coordinator empties once it is ready. While Home Assistant
stops (its storage then writes only at the very end) its HTTP server answers
503 before any webhook is asked, and Elibom sends the callback again later
(see docs/inbound-sms.md).

The address given to Elibom is the integration's own path, INBOUND_PATH, not
Home Assistant's `/api/webhook/<id>`: Home Assistant's HTTP server is up before
the integrations are loaded, and its webhook component answers 200 to a webhook
id it does not know yet, so an SMS that came in that window was lost. Before the
integration is loaded its own path does not exist (404) and Elibom calls again.
The older address stays registered for accounts set up with it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
import hashlib
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from aiohttp import web
from homeassistant.components import webhook
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from ..api import COLOMBIA
from ..const import CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE, DOMAIN, LOGGER
from ..store import each, required_time
from ..validation import sender_number

if TYPE_CHECKING:
    from .coordinator import ElibomCoordinator

DATE_FORMAT = "%d-%m-%Y-%H-%M-%S"
TEXT_MAX_LENGTH = 1600
"""Longest text taken: ten concatenated SMS of 160 characters."""
FLOOD_LIMIT = 60
FLOOD_WINDOW = timedelta(minutes=1)
"""At most FLOOD_LIMIT callbacks taken per entry within any FLOOD_WINDOW."""
RETRY_AFTER = "60"
"""Seconds a callback refused for a flood is asked to wait before it comes again."""
INBOX_VERSION = 1
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters no SMS carries (line breaks and tabs are text)."""

INBOXES: HassKey[dict[str, Inbox]] = HassKey(f"{DOMAIN}_elibom_inboxes")
INBOUND_PATH = f"/api/{DOMAIN}/elibom/{{webhook_id}}"
"""The inbound-SMS address, answered only once the integration is loaded."""


def inbound_path(webhook_id: str) -> str:
    """Return the path to give Elibom for an entry's inbound SMS."""
    return INBOUND_PATH.format(webhook_id=webhook_id)


class InboundSmsView(HomeAssistantView):
    """Elibom's calls on the integration's own path, for every entry's inbox."""

    url = INBOUND_PATH
    name = f"api:{DOMAIN}:elibom_inbound_sms"
    requires_auth = False  # Elibom calls from the internet; the id is the secret

    def __init__(self, hass: HomeAssistant) -> None:
        """Answer for the inboxes of this Home Assistant."""
        self.hass = hass

    async def _async_answer(
        self, request: web.Request, webhook_id: str
    ) -> web.Response:
        inbox = next(
            (
                inbox
                for inbox in self.hass.data.get(INBOXES, {}).values()
                if inbox.webhook_id == webhook_id
            ),
            None,
        )
        if inbox is None:
            # No such account (or it is disabled): as for any unknown address.
            return web.Response(status=404)
        return await inbox.async_handle(self.hass, webhook_id, request)

    async def get(self, request: web.Request, webhook_id: str) -> web.Response:
        """Take an SMS as Elibom sends it."""
        return await self._async_answer(request, webhook_id)

    async def post(self, request: web.Request, webhook_id: str) -> web.Response:
        """Take an SMS posted with its fields in the query string."""
        return await self._async_answer(request, webhook_id)


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


@dataclass(frozen=True, slots=True)
class InboundSms:
    """An SMS Elibom called back with, as the coordinator takes it."""

    sender: str
    text: str
    message_id: str
    when: datetime

    def to_json(self) -> dict[str, str]:
        """Write it for the inbox."""
        return {
            "sender": self.sender,
            "text": self.text,
            "message_id": self.message_id,
            "when": self.when.isoformat(),
        }

    @classmethod
    def from_json(cls, item: Any) -> InboundSms:
        """Read it back from the inbox."""
        return cls(
            sender=str(item["sender"]),
            text=str(item["text"]),
            message_id=str(item["message_id"]),
            when=required_time(item["when"], "the time of an inbound SMS"),
        )


def read_callback(
    query: Mapping[str, str], country_code: str, now: datetime
) -> InboundSms | str:
    """Return the SMS a callback carries, or why it cannot be one of Elibom's."""
    if any(CONTROL.search(value) for value in query.values()):
        return "it carries control characters"
    try:
        # Elibom names the sender by the whole number, with or without +.
        sender = sender_number(query.get("from", ""), country_code)
    except ServiceValidationError:
        sender = ""
    if not sender:
        return "`from` is not a phone number"
    text = query.get("text")
    if text is None:
        return "it has no `text`"
    if len(text) > TEXT_MAX_LENGTH:
        return f"its text is over {TEXT_MAX_LENGTH} characters"
    date = query.get("date", "")
    return InboundSms(
        sender, text, message_id(sender, text, date, now), _when(date, now)
    )


def _when(date: str, now: datetime) -> datetime:
    """Elibom writes dd-MM-yyyy-HH-mm-ss in Colombia time; now if absent or unreadable."""
    try:
        return datetime.strptime(date, DATE_FORMAT).replace(tzinfo=COLOMBIA)
    except ValueError:
        return now


def _inbox_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    return Store(hass, INBOX_VERSION, f"{DOMAIN}.{entry_id}.inbox", atomic_writes=True)


class Inbox:
    """One entry's webhook: what it took, kept until the entry's coordinator has it."""

    def __init__(self, hass: HomeAssistant, entry_id: str, webhook_id: str) -> None:
        """Prepare an empty inbox; what waits on disk is read at first use."""
        self.hass = hass
        self.entry_id = entry_id
        self.webhook_id = webhook_id
        self._store = _inbox_store(hass, entry_id)
        self._pending: list[InboundSms] = []
        self._load: asyncio.Task[None] | None = None
        self._coordinator: ElibomCoordinator | None = None
        self._drain: asyncio.Task[None] | None = None
        self._taking = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False
        self._taken: deque[datetime] = deque()
        """When each callback let through in the last FLOOD_WINDOW came."""

    async def async_handle(
        self, hass: HomeAssistant, webhook_id: str, request: web.Request
    ) -> web.Response:
        """Answer one callback: 200 once it is stored, or why not."""
        # Known: the webhook goes before the entry does (async_forget).
        entry = hass.config_entries.async_get_known_entry(self.entry_id)
        now = dt_util.utcnow()
        sms = read_callback(
            read_query(request.rel_url.raw_query_string),
            str(entry.options.get(CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE)),
            now,
        )
        if isinstance(sms, str):
            LOGGER.debug("Inbound SMS callback for %s refused: %s", entry.title, sms)
            return web.Response(status=400)
        if not self._let_through(now):
            LOGGER.debug(
                "Inbound SMS callback for %s refused: over %d a minute",
                entry.title,
                FLOOD_LIMIT,
            )
            return web.Response(status=429, headers={"Retry-After": RETRY_AFTER})
        await self.async_take(sms)
        return web.Response(status=200)

    def _let_through(self, now: datetime) -> bool:
        while self._taken and self._taken[0] <= now - FLOOD_WINDOW:
            self._taken.popleft()
        if len(self._taken) >= FLOOD_LIMIT:
            return False
        self._taken.append(now)
        return True

    async def async_take(self, sms: InboundSms) -> None:
        """Store the SMS: with the coordinator if it is ready, else in the inbox."""
        self._taking += 1
        self._idle.clear()
        try:
            await self._async_load()
            if self._closed:
                return
            coordinator = self._coordinator
            if coordinator is not None and not self._pending and not self._draining:
                await coordinator.async_receive_sms(
                    sms.sender, sms.text, sms.message_id, sms.when
                )
                return
            if all(p.message_id != sms.message_id for p in self._pending):
                self._pending.append(sms)
            # Also for a repeat: its first copy may still be on its way to disk.
            await self._store.async_save(self._to_json())
            self._async_start_drain()
        finally:
            self._taking -= 1
            if not self._taking:
                self._idle.set()

    async def _async_load(self) -> None:
        """Read what waited on disk, once, before anything is added or handed over."""
        if self._load is None:
            self._load = self.hass.async_create_task(
                self._async_read(), "latam_messaging inbox load"
            )
        await self._load

    async def _async_read(self) -> None:
        try:
            raw = await self._store.async_load()
        except (ValueError, NotImplementedError, HomeAssistantError) as err:
            # A newer version's file (Store has no way down): start afresh, so
            # that the webhook keeps taking SMS.
            LOGGER.warning(
                "Inbound SMS waiting in %s could not be read (%s); starting afresh",
                self._store.path,
                repr(err),
            )
            return
        skipped: list[str] = []
        if isinstance(raw, dict):
            self._pending = each(raw, "pending", InboundSms.from_json, skipped)
        if skipped:
            LOGGER.warning(
                "Dropped %d unreadable inbound SMS: %s",
                len(skipped),
                "; ".join(skipped[:5]),
            )

    def _to_json(self) -> dict[str, Any]:
        return {"pending": [sms.to_json() for sms in self._pending]}

    @callback
    def async_attach(self, coordinator: ElibomCoordinator) -> None:
        """Hand the ready coordinator what waits, then each SMS as it comes."""
        self._coordinator = coordinator
        self._async_start_drain()

    async def async_detach(self, coordinator: ElibomCoordinator) -> None:
        """Keep SMS in the inbox from now on (the entry unloads); let the last ones land."""
        if self._coordinator is coordinator:
            self._coordinator = None
        await self._async_settle()

    async def async_close(self, *, remove: bool) -> None:
        """Take nothing more; delete what waits if the entry is removed."""
        self._closed = True
        self._coordinator = None
        await self._async_settle()
        if remove:
            await self._store.async_remove()

    async def _async_settle(self) -> None:
        """Wait for the SMS being handed over or written."""
        if (drain := self._drain) is not None:
            await asyncio.wait([drain])
        await self._idle.wait()

    @property
    def _draining(self) -> bool:
        return self._drain is not None and not self._drain.done()

    @callback
    def _async_start_drain(self) -> None:
        if self._coordinator is not None and not self._draining:
            self._drain = self.hass.async_create_task(
                self._async_drain(), "latam_messaging inbound sms"
            )

    async def _async_drain(self) -> None:
        """Hand what waits to the coordinator, in order; then forget it in the inbox.

        A crash between the two writes hands it again: the coordinator knows a
        message id it already took.
        """
        await self._async_load()
        while self._pending and (coordinator := self._coordinator) is not None:
            batch = list(self._pending)
            for sms in batch:
                await coordinator.async_receive_sms(
                    sms.sender, sms.text, sms.message_id, sms.when
                )
            del self._pending[: len(batch)]
            await self._store.async_save(self._to_json())


@callback
def async_listen(hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
    """Register the entry's webhook if it is not yet; it stays across reloads."""
    webhook_id: str | None = entry.data.get(CONF_WEBHOOK_ID)
    if INBOXES not in hass.data:
        hass.http.register_view(InboundSmsView(hass))
    inboxes = hass.data.setdefault(INBOXES, {})
    if not webhook_id or entry.disabled_by or entry.entry_id in inboxes:
        return
    inbox = inboxes[entry.entry_id] = Inbox(hass, entry.entry_id, webhook_id)
    webhook.async_register(
        hass,
        DOMAIN,
        f"Elibom {entry.title}",
        webhook_id,
        inbox.async_handle,
        allowed_methods=["GET", "POST"],
        local_only=False,  # Elibom calls from the internet
    )


async def async_forget(
    hass: HomeAssistant, entry: ConfigEntry[Any], *, remove: bool
) -> None:
    """Unregister the webhook of an entry disabled or removed; `remove` deletes its inbox."""
    inbox = hass.data.get(INBOXES, {}).pop(entry.entry_id, None)
    if inbox is not None:
        webhook.async_unregister(hass, inbox.webhook_id)
        await inbox.async_close(remove=remove)
    elif remove:
        await _inbox_store(hass, entry.entry_id).async_remove()


@callback
def async_attach(coordinator: ElibomCoordinator) -> None:
    """Hand the entry's inbox to its coordinator, now ready."""
    inbox = coordinator.hass.data.get(INBOXES, {}).get(
        coordinator.config_entry.entry_id
    )
    if inbox is not None:
        inbox.async_attach(coordinator)


async def async_detach(coordinator: ElibomCoordinator) -> None:
    """Take the inbox back from a coordinator being stopped."""
    inbox = coordinator.hass.data.get(INBOXES, {}).get(
        coordinator.config_entry.entry_id
    )
    if inbox is not None:
        await inbox.async_detach(coordinator)
