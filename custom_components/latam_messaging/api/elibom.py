"""Async client for Elibom's SMS REST API."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import aiohttp

from .elibom_models import (
    ElibomAccount,
    ElibomDelivery,
    ElibomSchedule,
    ElibomUser,
    parse_elibom_account,
    parse_elibom_delivery,
    parse_elibom_schedule,
    parse_elibom_schedules,
    parse_elibom_send,
    parse_elibom_user,
    parse_elibom_users,
)
from .fields import COLOMBIA, SCHEDULE_FORMAT
from .transport import DEFAULT_TIMEOUT, Transport

ELIBOM_URL = "https://www.elibom.com"


def _describe_error(payload: Any) -> tuple[str | None, str | None]:
    # Elibom errors look like {"code": "not_found", "description": "..."}.
    if not isinstance(payload, dict):
        return None, None
    code, description = payload.get("code"), payload.get("description")
    return (
        code if isinstance(code, str) else None,
        description if isinstance(description, str) else None,
    )


def schedule_date(when: datetime) -> str:
    """Format a moment as Elibom's scheduleDate: Colombia wall-clock, to the minute."""
    if when.tzinfo is None:
        raise ValueError("a schedule time needs a time zone")
    return when.astimezone(COLOMBIA).strftime(SCHEDULE_FORMAT)


@dataclass(slots=True)
class ElibomClient:
    """One Elibom account: HTTP Basic with its e-mail and API password."""

    session: aiohttp.ClientSession
    username: str
    api_token: str
    url: str = ELIBOM_URL
    request_timeout: float = DEFAULT_TIMEOUT
    source: str = "latam-messaging"
    _transport: Transport = field(init=False)
    _authorization: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Build the transport and the Basic credentials once."""
        credentials = f"{self.username}:{self.api_token}".encode()
        self._authorization = "Basic " + base64.b64encode(credentials).decode("ascii")
        self._transport = Transport(
            session=self.session,
            base_url=self.url,
            describe_error=_describe_error,
            request_timeout=self.request_timeout,
        )

    async def _request(self, method: str, path: str, json_body: Any = None) -> Any:
        headers = {
            "Accept": "application/json",
            "Authorization": self._authorization,
            "X-API-Source": self.source,
        }
        if json_body is not None:
            headers["Content-Type"] = "application/json"
        return await self._transport.request(
            method,
            path,
            headers=headers,
            json_body=json_body,
        )

    async def send(self, to: Iterable[str], text: str) -> str:
        """Send now; returns the delivery token."""
        payload = {"to": ",".join(to), "text": text}
        return parse_elibom_send(
            await self._request("POST", "/messages", payload), "deliveryToken"
        )

    async def schedule(self, to: Iterable[str], text: str, when: datetime) -> str:
        """Schedule a send at an aware moment; returns the schedule id."""
        payload = {
            "to": ",".join(to),
            "text": text,
            "scheduleDate": schedule_date(when),
        }
        return parse_elibom_send(
            await self._request("POST", "/messages", payload), "scheduleId"
        )

    async def delivery(self, delivery_token: str) -> ElibomDelivery:
        """Look up a delivery; NotFoundError once the provider forgot it (about 48 h)."""
        path = f"/messages/{_segment(delivery_token)}"
        return parse_elibom_delivery(await self._request("GET", path), delivery_token)

    async def scheduled(self) -> tuple[ElibomSchedule, ...]:
        """List the sends still scheduled."""
        return parse_elibom_schedules(
            await self._request("GET", "/schedules/scheduled")
        )

    async def schedule_status(self, schedule_id: str) -> ElibomSchedule:
        """Look up one schedule."""
        path = f"/schedules/{_segment(schedule_id)}"
        return parse_elibom_schedule(await self._request("GET", path))

    async def cancel(self, schedule_id: str) -> None:
        """Cancel a schedule: NotFoundError if unknown, ConflictError if already executed."""
        await self._request("DELETE", f"/schedules/{_segment(schedule_id)}")

    async def account(self) -> ElibomAccount:
        """Return the account's name and credits."""
        return parse_elibom_account(await self._request("GET", "/account"))

    async def users(self) -> tuple[ElibomUser, ...]:
        """Return the account's users."""
        return parse_elibom_users(await self._request("GET", "/users"))

    async def user(self, user_id: str) -> ElibomUser:
        """Return one of the account's users."""
        return parse_elibom_user(
            await self._request("GET", f"/users/{_segment(user_id)}")
        )


def _segment(value: str) -> str:
    # Ids go into the path: refuse anything that could change the path itself.
    if not value or not value.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"not a valid id: {value!r}")
    return value
