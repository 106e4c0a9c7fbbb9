"""Elibom's answers as typed records, built with the readers of `fields`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .fields import (
    each,
    json_array,
    json_object,
    optional_id,
    optional_int,
    optional_number,
    optional_str,
    optional_time,
    required_id,
    required_str,
)


@dataclass(frozen=True, slots=True)
class ElibomAccount:
    """GET /account."""

    name: str
    type: str | None
    credits: float | None
    owner_id: str | None


@dataclass(frozen=True, slots=True)
class ElibomUser:
    """One user of the account (GET /users, GET /users/{id})."""

    id: str
    name: str | None
    email: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class ElibomMessage:
    """One recipient's message inside a delivery."""

    id: str | None
    to: str
    operator: str | None
    text: str | None
    status: str | None
    status_detail: str | None
    credits: float | None
    sender: str | None
    created_at: datetime | None
    sent_at: datetime | None


@dataclass(frozen=True, slots=True)
class ElibomDelivery:
    """GET /messages/{deliveryToken}."""

    delivery_token: str
    status: str
    num_sent: int
    num_failed: int
    messages: tuple[ElibomMessage, ...]


@dataclass(frozen=True, slots=True)
class ElibomSchedule:
    """One scheduled send (GET /schedules/scheduled, GET /schedules/{id})."""

    id: str
    scheduled_time: datetime | None
    creation_time: datetime | None
    status: str | None
    is_file: bool
    destinations: tuple[str, ...]
    text: str | None
    file_name: str | None


def parse_elibom_account(payload: Any) -> ElibomAccount:
    """Parse GET /account."""
    data = json_object(payload, "account")
    owner = data.get("owner")
    return ElibomAccount(
        name=required_str(data, "name"),
        type=optional_str(data, "type"),
        credits=optional_number(data, "credits"),
        owner_id=optional_id(owner, "id") if isinstance(owner, dict) else None,
    )


def parse_elibom_user(payload: Any) -> ElibomUser:
    """Parse one user."""
    data = json_object(payload, "user")
    return ElibomUser(
        id=required_id(data, "id"),
        name=optional_str(data, "name"),
        email=optional_str(data, "email"),
        status=optional_str(data, "status"),
    )


def parse_elibom_users(payload: Any) -> tuple[ElibomUser, ...]:
    """Parse GET /users."""
    return each(json_array(payload, "users"), parse_elibom_user, "an Elibom user")


def parse_elibom_delivery(payload: Any, delivery_token: str) -> ElibomDelivery:
    """Parse GET /messages/{token}; the token asked for stands in if the answer omits it."""
    data = json_object(payload, "delivery")
    return ElibomDelivery(
        delivery_token=optional_id(data, "deliveryId") or delivery_token,
        status=required_str(data, "status"),
        num_sent=optional_int(data, "numSent") or 0,
        num_failed=optional_int(data, "numFailed") or 0,
        messages=each(
            json_array(data.get("messages") or [], "messages"),
            _parse_elibom_message,
            "a message of a delivery",
        ),
    )


def _parse_elibom_message(payload: Any) -> ElibomMessage:
    data = json_object(payload, "message")
    return ElibomMessage(
        id=optional_id(data, "id"),
        to=required_id(data, "to"),
        operator=optional_str(data, "operator"),
        text=optional_str(data, "text"),
        status=optional_str(data, "status"),
        status_detail=optional_str(data, "statusDetail"),
        credits=optional_number(data, "credits"),
        sender=optional_id(data, "from"),
        created_at=optional_time(data, "createdAt"),
        sent_at=optional_time(data, "sentAt"),
    )


def parse_elibom_schedule(payload: Any) -> ElibomSchedule:
    """Parse one schedule."""
    data = json_object(payload, "schedule")
    destinations = optional_str(data, "destinations") or ""
    return ElibomSchedule(
        id=required_id(data, "id"),
        scheduled_time=optional_time(data, "scheduledTime"),
        creation_time=optional_time(data, "creationTime"),
        status=optional_str(data, "status"),
        is_file=data.get("isFile") is True,
        destinations=tuple(
            part.strip() for part in destinations.split(",") if part.strip()
        ),
        text=optional_str(data, "text"),
        file_name=optional_str(data, "fileName"),
    )


def parse_elibom_schedules(payload: Any) -> tuple[ElibomSchedule, ...]:
    """Parse GET /schedules/scheduled."""
    return each(json_array(payload, "schedules"), parse_elibom_schedule, "a schedule")


def parse_elibom_send(payload: Any, key: str) -> str:
    """Parse the answer to POST /messages: its deliveryToken or scheduleId."""
    return required_id(json_object(payload, "send answer"), key)
