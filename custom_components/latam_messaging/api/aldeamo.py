"""Async client for Aldeamo's bots API (WhatsApp, Facebook Messenger, Twitter, web chat, SMS)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
import hashlib
import re
from typing import Any

import aiohttp

from .aldeamo_models import (
    AldeamoMessage,
    AldeamoUser,
    ListedUser,
    list_aldeamo_users,
    parse_aldeamo_envelope,
    parse_aldeamo_messages,
    parse_aldeamo_sent,
    parse_aldeamo_users,
)
from .errors import AuthenticationError, ProviderError
from .transport import DEFAULT_TIMEOUT, Transport

ALDEAMO_URL = "https://apibot.aldeamo.com/bots"
LISTED_IN_LOOP = 1000
"""Longer user lists are read in a worker thread: a bot with 10,000 users would
otherwise hold the event loop for tens of milliseconds every poll."""
LISTENING_CHANNELS = ("facebook", "twitter", "web", "whatsapp")
"""Channels whose users and messages can be read."""
SENDING_CHANNELS = ("facebook", "sms", "twitter", "web", "whatsapp")
"""Channels a message can be sent on (the seed names facebook, sms and web; we accept all)."""


def account_digest(api_key: str, url: str) -> str:
    """Return a stable digest of a key and URL: an account's identity, not its secret."""
    return hashlib.sha256(f"{url}\n{api_key}".encode()).hexdigest()[:32]


_WRONG_KEY = re.compile(
    r"(token|api[ _-]?key|llave|clave|auth\w*)\W+(\w+\W+){0,3}"
    r"(inv[aá]lid|incorrect|no v[aá]lid|wrong|expired|expirad|vencid)"
    r"|(invalid|wrong|incorrect|bad)\W+(api[ _-]?)?(key|token)"
    r"|no autorizad|unauthori[sz]ed|not authori[sz]ed|sin autorizaci[oó]n",
    re.IGNORECASE,
)


def refuses_key(code: str | None, message: str | None) -> bool:
    """Tell whether a `status: false` answer says the key is wrong (reauth, not retry)."""
    return code in ("401", "403") or bool(message and _WRONG_KEY.search(message))


def _describe_error(payload: Any) -> tuple[str | None, str | None]:
    # Errors keep the usual envelope: {"status": false, "codigo": ..., "message": ...}.
    if not isinstance(payload, dict):
        return None, None
    code, message = payload.get("codigo"), payload.get("message")
    return (
        str(code)
        if isinstance(code, (int, str)) and not isinstance(code, bool)
        else None,
        message if isinstance(message, str) else None,
    )


def http_date(value: str | None) -> datetime | None:
    """Read an HTTP `Date` header (the provider's clock); None when absent or odd."""
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


@dataclass(frozen=True, slots=True)
class Listing:
    """A channel's users, and the provider's own clock when it listed them."""

    users: tuple[ListedUser, ...]
    answered_at: datetime | None
    """The answer's `Date` header; None when it had none (or an unreadable one)."""


@dataclass(slots=True)
class AldeamoClient:
    """One Aldeamo bots account, authenticated by its API key."""

    session: aiohttp.ClientSession
    api_key: str
    url: str = ALDEAMO_URL
    request_timeout: float = DEFAULT_TIMEOUT
    source: str = "latam-messaging"
    _transport: Transport = field(init=False)

    def __post_init__(self) -> None:
        """Build the transport once."""
        self._transport = Transport(
            session=self.session,
            base_url=self.url,
            describe_error=_describe_error,
            request_timeout=self.request_timeout,
        )

    async def _request(self, method: str, path: str, fields: dict[str, str]) -> Any:
        data, _ = await self._exchange(method, path, fields)
        return data

    async def _exchange(
        self, method: str, path: str, fields: dict[str, str]
    ) -> tuple[Any, str | None]:
        # The seed lists `auth` beside the other parameters and its GET example puts
        # them in the query string: we send the key as a header and as a parameter.
        fields = {"auth": self.api_key, **fields}
        headers = {
            "auth": self.api_key,
            "Accept": "application/json",
            "X-API-Source": self.source,
        }
        payload, date = await self._transport.exchange(
            method,
            path,
            headers=headers,
            params=fields if method == "GET" else None,
            form=fields if method != "GET" else None,
        )
        envelope = parse_aldeamo_envelope(payload)
        if not envelope.ok and refuses_key(envelope.code, envelope.message):
            raise AuthenticationError(
                f"{method} {path}: Aldeamo refused the key"
                + (f": {envelope.message}" if envelope.message else "")
            )
        if not envelope.ok:
            raise ProviderError(
                envelope.message or f"Aldeamo refused {method} {path}",
                code=envelope.code,
            )
        return envelope.data, date

    async def users(self, channel: str) -> tuple[AldeamoUser, ...]:
        """Return the users who wrote to the bot on a channel."""
        return parse_aldeamo_users(
            await self._request("GET", "/users", {"channel": channel})
        )

    async def listed_users(self, channel: str) -> tuple[ListedUser, ...]:
        """Return the users of a channel, read only as far as deciding who moved."""
        return (await self.listing(channel)).users

    async def listing(self, channel: str) -> Listing:
        """Return the users of a channel and when the provider answered."""
        data, date = await self._exchange("GET", "/users", {"channel": channel})
        if isinstance(data, list) and len(data) > LISTED_IN_LOOP:
            users = await asyncio.get_running_loop().run_in_executor(
                None, list_aldeamo_users, data
            )
        else:
            users = list_aldeamo_users(data)
        return Listing(users, http_date(date))

    async def messages(
        self, channel: str, client_id: str
    ) -> tuple[AldeamoMessage, ...]:
        """Return what one user wrote, oldest first."""
        data = await self._request(
            "GET", "/messages", {"channel": channel, "client_id": client_id}
        )
        return parse_aldeamo_messages(data)

    async def send(self, channel: str, client_id: str, message: str) -> str:
        """Send a message to a user; returns the new message's id."""
        data = await self._request(
            "POST",
            "/messages",
            {"channel": channel, "client_id": client_id, "msg": message},
        )
        return parse_aldeamo_sent(data)
