"""Aldeamo's answers as typed records, built with the readers of `fields`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from .errors import UnparseableResponseError
from .fields import (
    each,
    id_value,
    json_array,
    json_object,
    lenient,
    optional_id,
    optional_str,
    optional_time,
    optional_unix_time,
    required_id,
)


@dataclass(frozen=True, slots=True)
class AldeamoUser:
    """A user who wrote to the bot on one channel."""

    id: str
    user_id: str
    name: str | None
    email: str | None
    phone: str | None
    date_created: datetime | None
    last_active: datetime | None

    @property
    def stamp(self) -> str | None:
        """`last_active` as cursors keep it (as `ListedUser.stamp`)."""
        return self.last_active.isoformat() if self.last_active else None


@dataclass(frozen=True, slots=True)
class AldeamoMessage:
    """A message a user wrote to the bot."""

    id: str
    user_id: str
    message: str
    time: datetime | None


@dataclass(frozen=True, slots=True)
class AldeamoEnvelope:
    """Every Aldeamo answer: status, codigo, message and data."""

    ok: bool
    code: str | None
    message: str | None
    data: Any


def parse_aldeamo_envelope(payload: Any) -> AldeamoEnvelope:
    """Parse the envelope around every Aldeamo answer."""
    data = json_object(payload, "answer")
    status = data.get("status")
    code = optional_id(data, "codigo")
    ok = status in (True, "true", 1, "1") and code in (None, "0")
    return AldeamoEnvelope(
        ok=ok, code=code, message=optional_str(data, "message"), data=data.get("data")
    )


def parse_aldeamo_users(payload: Any) -> tuple[AldeamoUser, ...]:
    """Parse the data of GET /users (null stands for nobody)."""
    return each(json_array(payload or [], "users"), _parse_aldeamo_user, "a bot user")


def _parse_aldeamo_user(payload: Any) -> AldeamoUser:
    data = json_object(payload, "user")
    return AldeamoUser(
        id=optional_id(data, "id") or required_id(data, "user_id"),
        user_id=required_id(data, "user_id"),
        name=optional_str(data, "name"),
        email=optional_str(data, "email"),
        phone=optional_id(data, "phone"),
        date_created=lenient(optional_time, data, "date_created"),
        last_active=lenient(optional_time, data, "last_active"),
    )


class ListedUser(NamedTuple):
    """One row of GET /users, read only as far as deciding whether the user moved.

    A bot lists every user who ever wrote, every poll: building a full model of
    each (two dates to parse) costs ten times more than this, and only the few who
    moved are built (`AldeamoUser` from `row`).
    """

    user_id: str
    stamp: str | None
    """`last_active` as cursors keep it (ISO 8601, Colombia time); None when absent
    or unreadable."""
    name: str | None
    row: dict[str, Any]


def list_aldeamo_users(payload: Any) -> tuple[ListedUser, ...]:
    """Read the data of GET /users as far as cursors need (null stands for nobody)."""
    return each(json_array(payload or [], "users"), _list_aldeamo_user, "a bot user")


def _list_aldeamo_user(payload: Any) -> ListedUser:
    data = json_object(payload, "user")
    # The same checks as the full model's, so that building it cannot fail.
    optional_id(data, "id")
    optional_str(data, "email")
    optional_id(data, "phone")
    return ListedUser(
        user_id=required_id(data, "user_id"),
        stamp=_stamp(data.get("last_active")),
        name=optional_str(data, "name"),
        row=data,
    )


def _stamp(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if len(value) == 19 and value[4] == "-" and value[10] == " ":
        # What `optional_time(...).isoformat()` gives, without building it.
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return None
        return f"{value[:10]}T{value[11:]}-05:00"
    try:
        moment = optional_time({"last_active": value}, "last_active")
    except UnparseableResponseError:
        return None
    return moment.isoformat() if moment else None


def parse_aldeamo_user(row: dict[str, Any]) -> AldeamoUser:
    """Build the full model of a user listed by `list_aldeamo_users`."""
    return _parse_aldeamo_user(row)


def parse_aldeamo_messages(payload: Any) -> tuple[AldeamoMessage, ...]:
    """Parse the data of GET /messages (null stands for no messages)."""
    return each(
        json_array(payload or [], "messages"), _parse_aldeamo_message, "a bot message"
    )


def _parse_aldeamo_message(payload: Any) -> AldeamoMessage:
    data = json_object(payload, "message")
    return AldeamoMessage(
        id=required_id(data, "id"),
        user_id=required_id(data, "user_id"),
        message=optional_str(data, "message") or "",
        time=lenient(optional_unix_time, data, "time"),
    )


def parse_aldeamo_sent(payload: Any) -> str:
    """Parse the data of POST /messages: the new message's id."""
    if isinstance(payload, dict):
        return required_id(payload, "id")
    return id_value(payload, "data")
