"""Elibom's REST API as provider-api.md describes it, awkward parts included."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
import itertools
import json
from typing import Any

from aiohttp import web

from .clock import SimClock

COLOMBIA = timezone(timedelta(hours=-5), "COT")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
CONTENT_TYPE = "application/json;charset=ISO-8859-1"
FORGETS_DELIVERIES_AFTER = timedelta(hours=48)


def elibom_json(payload: Any, status: int = 200) -> web.Response:
    """Answer like Elibom: JSON in ISO-8859-1, what does not fit replaced by '?'."""
    body = json.dumps(payload, ensure_ascii=False).encode(
        "iso-8859-1", errors="replace"
    )
    return web.Response(
        status=status, body=body, headers={"Content-Type": CONTENT_TYPE}
    )


def elibom_error(status: int, code: str, description: str) -> web.Response:
    """Elibom's error body."""
    return elibom_json({"code": code, "description": description}, status)


def colombia_time(moment: datetime) -> str:
    """Format a moment as Elibom writes it."""
    return moment.astimezone(COLOMBIA).strftime(TIME_FORMAT)


@dataclass
class ElibomAccount:
    """An Elibom account with its users."""

    email: str
    api_token: str
    name: str
    credits: float
    owner_id: int
    price_per_sms: float = 1.8
    type: str = "prepaid"
    users: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Recipient:
    """One number of a delivery and its fate, decided when the delivery is created."""

    message_id: int
    to: str
    fate: str  # "sent", "invalid_destination" or "no_credits"
    credits: float


@dataclass
class Delivery:
    """A send, immediate or executed from a schedule."""

    token: str
    account: ElibomAccount
    text: str
    created_at: datetime
    recipients: list[Recipient]
    finished_after: timedelta | None = None
    """When this delivery ends, if not after the simulator's `finished_after`."""
    lookups: list[tuple[datetime, str]] = field(default_factory=list)
    """When it was looked up and the status answered (for the crash soak)."""


@dataclass
class Schedule:
    """A send waiting for its time."""

    id: str
    account: ElibomAccount
    to: list[str]
    text: str
    scheduled_time: datetime
    created_at: datetime
    status: str = "scheduled"  # "scheduled", "executed" or "cancelled"
    delivery_token: str | None = None


@dataclass
class ElibomState:
    """Accounts, deliveries and schedules, moving with the simulated clock."""

    clock: SimClock
    accounts: dict[str, ElibomAccount] = field(default_factory=dict)
    deliveries: dict[str, Delivery] = field(default_factory=dict)
    schedules: dict[str, Schedule] = field(default_factory=dict)
    invalid_numbers: set[str] = field(default_factory=set)
    running_after: timedelta = timedelta(seconds=5)
    finished_after: timedelta = timedelta(seconds=30)
    log: Callable[[str], None] | None = None
    """Told one line per SMS sent or scheduled (the standalone log)."""
    _tokens: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1857010469048394523)
    )
    _schedule_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1410774)
    )
    _message_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(747465)
    )
    _owner_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(2455)
    )

    def add_account(
        self,
        email: str,
        api_token: str,
        *,
        name: str = "Cuenta de prueba",
        credits: float = 100.0,
        price_per_sms: float = 1.8,
    ) -> ElibomAccount:
        """Create an account whose owner is its only active user."""
        owner_id = next(self._owner_ids)
        account = ElibomAccount(
            email=email,
            api_token=api_token,
            name=name,
            credits=credits,
            owner_id=owner_id,
            price_per_sms=price_per_sms,
            users=[{"id": owner_id, "name": name, "email": email, "status": "active"}],
        )
        self.accounts[email.lower()] = account
        return account

    # What the simulated time does -------------------------------------------

    def run_due_schedules(self) -> None:
        """Execute every schedule whose time has come."""
        now = self.clock.now()
        for schedule in self.schedules.values():
            if schedule.status == "scheduled" and schedule.scheduled_time <= now:
                delivery = self._create_delivery(
                    schedule.account,
                    schedule.to,
                    schedule.text,
                    schedule.scheduled_time,
                )
                schedule.status = "executed"
                schedule.delivery_token = delivery.token

    def add_delivery(self, email: str, to: list[str], text: str) -> Delivery:
        """Create a delivery as if it had been sent now (for benchmarks)."""
        return self._create_delivery(
            self.accounts[email.lower()], to, text, self.clock.now()
        )

    def _create_delivery(
        self, account: ElibomAccount, to: list[str], text: str, at: datetime
    ) -> Delivery:
        recipients = []
        for number in to:
            if (
                not number.isdigit()
                or not 8 <= len(number) <= 15
                or number in self.invalid_numbers
            ):
                fate, cost = "invalid_destination", 0.0
            elif account.credits < account.price_per_sms:
                fate, cost = "no_credits", 0.0
            else:
                fate, cost = "sent", account.price_per_sms
                account.credits = round(account.credits - cost, 4)
            recipients.append(Recipient(next(self._message_ids), number, fate, cost))
        delivery = Delivery(str(next(self._tokens)), account, text, at, recipients)
        self.deliveries[delivery.token] = delivery
        return delivery

    def delivery_view(self, delivery: Delivery) -> dict[str, Any]:
        """GET /messages/{token} for the delivery's current age."""
        age = self.clock.now() - delivery.created_at
        if age < self.running_after:
            return {
                "deliveryId": delivery.token,
                "numSent": 0,
                "numFailed": 0,
                "status": "created",
                "messages": [],
            }
        finished_after = delivery.finished_after or self.finished_after
        done = age >= finished_after
        messages = []
        for recipient in delivery.recipients:
            if recipient.fate != "sent":
                status, detail = "failed", recipient.fate
            elif done:
                status, detail = "sent", "sent"
            else:
                # Seen live while a delivery runs; not in the documented list.
                status, detail = "pending", "processed"
            messages.append(
                {
                    "id": recipient.message_id,
                    "user": {
                        "id": delivery.account.owner_id,
                        "url": f"https://www.elibom.com/users/{delivery.account.owner_id}",
                    },
                    "to": recipient.to,
                    "operator": "Claro (Colombia)"
                    if recipient.to.startswith("57")
                    else None,
                    "text": delivery.text,
                    "status": status,
                    "statusDetail": detail,
                    "credits": recipient.credits,
                    "from": "85432",
                    "createdAt": colombia_time(delivery.created_at),
                    "sentAt": colombia_time(delivery.created_at + finished_after)
                    if status == "sent"
                    else None,
                    "source": "api",
                }
            )
        num_failed = sum(1 for m in messages if m["status"] == "failed")
        num_sent = sum(1 for m in messages if m["status"] == "sent")
        if done:
            status = "failed" if num_sent == 0 else "finished"
        else:
            status = "running"
        return {
            "deliveryId": delivery.token,
            "numSent": num_sent,
            "numFailed": num_failed,
            "status": status,
            "messages": messages,
        }

    def truth(self) -> dict[str, Any]:
        """Tell what the provider knows, for the crash soak's checks (not Elibom's API)."""
        return {
            "deliveries": [
                {
                    "token": d.token,
                    "text": d.text,
                    "to": [r.to for r in d.recipients],
                    "created_at": d.created_at.isoformat(),
                    "status": self.delivery_view(d)["status"],
                    "lookups": [[at.isoformat(), status] for at, status in d.lookups],
                }
                for d in self.deliveries.values()
            ],
            "schedules": [
                {
                    "id": s.id,
                    "text": s.text,
                    "to": s.to,
                    "scheduled_time": s.scheduled_time.isoformat(),
                    "status": s.status,
                    "delivery_token": s.delivery_token,
                }
                for s in self.schedules.values()
            ],
        }

    # HTTP ---------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        """Elibom's calls, relative to the provider prefix."""
        return [
            web.post("/messages", self._post_messages),
            web.get("/messages/{token}", self._get_delivery),
            web.get("/schedules/scheduled", self._get_scheduled),
            web.get("/schedules/{id}", self._get_schedule),
            web.delete("/schedules/{id}", self._delete_schedule),
            web.get("/account", self._get_account),
            web.get("/users", self._get_users),
            web.get("/users/{id}", self._get_user),
        ]

    def _authenticate(self, request: web.Request) -> ElibomAccount | None:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        account = self.accounts.get(user.lower())
        if account is None or account.api_token != password:
            return None
        self.run_due_schedules()
        return account

    @staticmethod
    def _unauthorized() -> web.Response:
        return elibom_error(401, "unauthorized", "Usuario o contraseña inválidos")

    async def _post_messages(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        try:
            body = json.loads(await request.read())
        except ValueError:
            return elibom_error(
                400, "bad_request", "El cuerpo de la petición no es JSON válido"
            )
        if not isinstance(body, dict):
            return elibom_error(
                400, "bad_request", "El cuerpo de la petición no es JSON válido"
            )
        to, text = body.get("to"), body.get("text")
        if not isinstance(to, str) or not to.strip():
            return elibom_error(400, "bad_request", "Falta el parámetro 'to'")
        if not isinstance(text, str) or not text:
            return elibom_error(400, "bad_request", "Falta el parámetro 'text'")
        numbers = [part.strip() for part in to.split(",") if part.strip()]
        # Only `scheduleDate` schedules; the seed's `scheduledDate` is ignored, as live.
        schedule_date = body.get("scheduleDate")
        if schedule_date is None:
            delivery = self._create_delivery(account, numbers, text, self.clock.now())
            if self.log is not None:
                self.log(f"Elibom: SMS to {', '.join(numbers)}: {text}")
            return elibom_json({"deliveryToken": delivery.token})
        try:
            when = datetime.strptime(str(schedule_date), "%Y-%m-%d %H:%M").replace(
                tzinfo=COLOMBIA
            )
        except ValueError:
            return elibom_error(
                400, "bad_request", "Formato de fecha inválido (yyyy-MM-dd HH:mm)"
            )
        if when < self.clock.now() - timedelta(minutes=1):
            return elibom_error(400, "bad_request", "La fecha programada ya pasó")
        schedule = Schedule(
            id=str(next(self._schedule_ids)),
            account=account,
            to=numbers,
            text=text,
            scheduled_time=when,
            created_at=self.clock.now(),
        )
        self.schedules[schedule.id] = schedule
        if self.log is not None:
            self.log(
                f"Elibom: SMS scheduled ({schedule.id}) for {when:%Y-%m-%d %H:%M} "
                f"to {', '.join(numbers)}: {text}"
            )
        return elibom_json({"scheduleId": schedule.id})

    async def _get_delivery(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        delivery = self.deliveries.get(request.match_info["token"])
        if (
            delivery is None
            or delivery.account is not account
            or self.clock.now() - delivery.created_at > FORGETS_DELIVERIES_AFTER
        ):
            return elibom_error(404, "not_found", "No se encontró el envío")
        view = self.delivery_view(delivery)
        delivery.lookups.append((self.clock.now(), view["status"]))
        return elibom_json(view)

    def _schedule_view(
        self, schedule: Schedule, *, with_status: bool
    ) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": schedule.id,
            "user": {
                "id": schedule.account.owner_id,
                "url": f"https://www.elibom.com/users/{schedule.account.owner_id}",
            },
            "scheduledTime": colombia_time(schedule.scheduled_time),
            "creationTime": colombia_time(schedule.created_at),
        }
        if with_status:
            view["status"] = schedule.status
        view |= {
            "isFile": False,
            "destinations": ",".join(schedule.to),
            "text": schedule.text,
        }
        return view

    def _own_schedule(
        self, request: web.Request, account: ElibomAccount
    ) -> Schedule | None:
        schedule = self.schedules.get(request.match_info["id"])
        if (
            schedule is None
            or schedule.account is not account
            or schedule.status == "cancelled"
        ):
            return None
        return schedule

    async def _get_scheduled(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        return elibom_json(
            [
                self._schedule_view(schedule, with_status=False)
                for schedule in self.schedules.values()
                if schedule.account is account and schedule.status == "scheduled"
            ]
        )

    async def _get_schedule(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        if (schedule := self._own_schedule(request, account)) is None:
            return elibom_error(404, "not_found", "No se encontró el envío programado")
        return elibom_json(self._schedule_view(schedule, with_status=True))

    async def _delete_schedule(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        if (schedule := self._own_schedule(request, account)) is None:
            return elibom_error(404, "not_found", "No se encontró el envío programado")
        if schedule.status == "executed":
            return elibom_error(409, "conflict", "El envío programado ya fue ejecutado")
        schedule.status = "cancelled"
        return web.Response(status=200)

    async def _get_account(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        return elibom_json(
            {
                "name": account.name,
                "type": account.type,
                "credits": account.credits,
                "owner": {
                    "id": account.owner_id,
                    "url": f"https://www.elibom.com/users/{account.owner_id}",
                },
            }
        )

    async def _get_users(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        return elibom_json(account.users)

    async def _get_user(self, request: web.Request) -> web.Response:
        if (account := self._authenticate(request)) is None:
            return self._unauthorized()
        wanted = request.match_info["id"]
        for user in account.users:
            if str(user["id"]) == wanted:
                return elibom_json(user)
        return elibom_error(404, "not_found", "No se encontró el usuario")
