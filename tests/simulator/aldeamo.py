"""Aldeamo's bots API as the seed describes it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
import itertools
import json
from typing import Any

from aiohttp import web

from .clock import SimClock
from .elibom import colombia_time

LISTENING_CHANNELS = ("facebook", "twitter", "web", "whatsapp")
SENDING_CHANNELS = (*LISTENING_CHANNELS, "sms")
# The API looks like a PHP back end: JSON served as text/html.
CONTENT_TYPE = "text/html; charset=UTF-8"


def aldeamo_json(
    *, ok: bool, message: str, data: Any = None, code: int = 0, status: int = 200
) -> web.Response:
    """Wrap an answer in the envelope every answer comes in."""
    body = {"status": ok, "codigo": code, "message": message, "data": data}
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": CONTENT_TYPE},
    )


@dataclass
class BotUser:
    """Someone who wrote to the bot on one channel."""

    id: int
    user_id: str
    name: str | None
    email: str | None
    phone: str | None
    date_created: str
    last_active: str

    def as_json(self) -> dict[str, Any]:
        """Return the user as the API lists it: every value a string or null."""
        return {
            "id": str(self.id),
            "user_id": self.user_id,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "date_created": self.date_created,
            "last_active": self.last_active,
        }


@dataclass
class SentMessage:
    """A message the bot was asked to send."""

    id: int
    channel: str
    client_id: str
    msg: str


@dataclass
class AldeamoState:
    """API keys, users per channel, what users wrote and what was sent to them."""

    clock: SimClock
    api_keys: set[str] = field(default_factory=set)
    users: dict[str, dict[str, BotUser]] = field(
        default_factory=lambda: {channel: {} for channel in LISTENING_CHANNELS}
    )
    inbox: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    date_header: bool = True
    """Answers carry a `Date` header on the simulated clock (False: an unreadable one)."""
    log: Callable[[str], None] | None = None
    """Told one line per message written to the bot and sent by it (the standalone log)."""
    _user_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _message_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(10)
    )

    def add_user(
        self,
        channel: str,
        user_id: str,
        *,
        name: str | None = None,
        email: str | None = None,
    ) -> BotUser:
        """Add a user who has already talked to the bot (no message kept)."""
        now = colombia_time(self.clock.now())
        user = BotUser(
            id=next(self._user_ids),
            user_id=user_id,
            name=name,
            email=email,
            phone=user_id if channel == "whatsapp" else None,
            date_created=now,
            last_active=now,
        )
        self.users[channel][user_id] = user
        return user

    def write(
        self, channel: str, user_id: str, message: str, *, name: str | None = None
    ) -> str:
        """Make a user write to the bot now; returns the new message's id."""
        user = self.users[channel].get(user_id) or self.add_user(
            channel, user_id, name=name
        )
        now = self.clock.now()
        user.last_active = colombia_time(now)
        message_id = str(next(self._message_ids))
        self.inbox.setdefault((channel, user_id), []).append(
            {
                "id": message_id,
                "user_id": user_id,
                "message": message,
                "time": str(int(now.timestamp())),
            }
        )
        if self.log is not None:
            who = user.name or user_id
            self.log(f"Aldeamo {channel}: {who} ({user_id}) wrote: {message}")
        return message_id

    # HTTP ---------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        """Return the three calls of the seed, relative to the provider prefix."""
        return [
            web.get("/users", self._get_users),
            web.get("/messages", self._get_messages),
            web.post("/messages", self._post_message),
        ]

    def _authorized(self, request: web.Request, fields: dict[str, str]) -> bool:
        key = request.headers.get("auth") or fields.get("auth")
        return key in self.api_keys

    @staticmethod
    def _unauthorized() -> web.Response:
        return aldeamo_json(
            ok=False, code=401, message="Token de autenticación inválido", status=401
        )

    def _refusal(
        self, request: web.Request, fields: dict[str, str], channels: tuple[str, ...]
    ) -> web.Response | None:
        """Answer a request with a bad key or channel; None when both are fine."""
        if not self._authorized(request, fields):
            return self._unauthorized()
        channel = fields.get("channel", "")
        if channel not in channels:
            return aldeamo_json(ok=False, code=2, message=f"Canal no válido: {channel}")
        return None

    async def _get_users(self, request: web.Request) -> web.Response:
        fields = dict(request.query)
        if refusal := self._refusal(request, fields, LISTENING_CHANNELS):
            return refusal
        users = sorted(self.users[fields["channel"]].values(), key=lambda user: user.id)
        return self._dated(
            aldeamo_json(
                ok=True,
                message="Users for channel",
                data=[user.as_json() for user in users],
            )
        )

    def _dated(self, response: web.Response) -> web.Response:
        """Stamp an answer with the provider's own clock (or an unreadable `Date`)."""
        response.headers["Date"] = (
            format_datetime(self.clock.now(), usegmt=True)
            if self.date_header
            else "mañana"  # aiohttp would add its own: one no client can read
        )
        return response

    async def _get_messages(self, request: web.Request) -> web.Response:
        fields = dict(request.query)
        if refusal := self._refusal(request, fields, LISTENING_CHANNELS):
            return refusal
        if not fields.get("client_id"):
            return aldeamo_json(
                ok=False, code=1, message="Falta el parámetro client_id"
            )
        messages = self.inbox.get((fields["channel"], fields["client_id"]), [])
        return self._dated(
            aldeamo_json(ok=True, message="Client messages", data=list(messages))
        )

    async def _post_message(self, request: web.Request) -> web.Response:
        fields = {key: str(value) for key, value in (await request.post()).items()}
        if refusal := self._refusal(request, fields, SENDING_CHANNELS):
            return refusal
        channel, client_id, msg = (
            fields["channel"],
            fields.get("client_id", ""),
            fields.get("msg", ""),
        )
        if not client_id or not msg:
            return aldeamo_json(
                ok=False, code=1, message="Faltan parámetros: client_id y msg"
            )
        if channel != "sms" and client_id not in self.users[channel]:
            return aldeamo_json(
                ok=False,
                code=4,
                message=f"El cliente {client_id} no existe en el canal {channel}",
            )
        sent = SentMessage(next(self._message_ids), channel, client_id, msg)
        self.sent.append(sent)
        if self.log is not None:
            user = self.users.get(channel, {}).get(client_id)
            who = user.name if user is not None and user.name else client_id
            self.log(f"Aldeamo {channel}: the bot answered {who} ({client_id}): {msg}")
        return aldeamo_json(ok=True, message="Message sent", data=sent.id)
