"""Typed answers of both providers, and the one place where JSON becomes them.

Parsing is lenient in what it accepts (ids as numbers or strings, unknown status
values, missing optional fields) and strict about shape: anything else raises
UnparseableResponseError, never another exception. In a list, one unreadable
record is skipped (and said once in the log); it never takes the others down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
import logging
import math
from typing import Any, NamedTuple

from .errors import UnparseableResponseError

_LOGGER = logging.getLogger(__package__)
_REPORTED: set[str] = set()
"""Problems already logged: one bad record polled every minute is said once."""
_REPORTED_MAX = 200

COLOMBIA = timezone(timedelta(hours=-5), "COT")
"""Both providers speak Colombia wall-clock time (UTC-5, no daylight saving)."""

PROVIDER_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SCHEDULE_FORMAT = "%Y-%m-%d %H:%M"


# Elibom ---------------------------------------------------------------------


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
    data = _object(payload, "account")
    owner = data.get("owner")
    return ElibomAccount(
        name=_required_str(data, "name"),
        type=_optional_str(data, "type"),
        credits=_optional_number(data, "credits"),
        owner_id=_optional_id(owner, "id") if isinstance(owner, dict) else None,
    )


def parse_elibom_user(payload: Any) -> ElibomUser:
    """Parse one user."""
    data = _object(payload, "user")
    return ElibomUser(
        id=_required_id(data, "id"),
        name=_optional_str(data, "name"),
        email=_optional_str(data, "email"),
        status=_optional_str(data, "status"),
    )


def parse_elibom_users(payload: Any) -> tuple[ElibomUser, ...]:
    """Parse GET /users."""
    return _each(_array(payload, "users"), parse_elibom_user, "an Elibom user")


def parse_elibom_delivery(payload: Any, delivery_token: str) -> ElibomDelivery:
    """Parse GET /messages/{token}; the token asked for stands in if the answer omits it."""
    data = _object(payload, "delivery")
    return ElibomDelivery(
        delivery_token=_optional_id(data, "deliveryId") or delivery_token,
        status=_required_str(data, "status"),
        num_sent=_optional_int(data, "numSent") or 0,
        num_failed=_optional_int(data, "numFailed") or 0,
        messages=_each(
            _array(data.get("messages") or [], "messages"),
            _parse_elibom_message,
            "a message of a delivery",
        ),
    )


def _parse_elibom_message(payload: Any) -> ElibomMessage:
    data = _object(payload, "message")
    return ElibomMessage(
        id=_optional_id(data, "id"),
        to=_required_id(data, "to"),
        operator=_optional_str(data, "operator"),
        text=_optional_str(data, "text"),
        status=_optional_str(data, "status"),
        status_detail=_optional_str(data, "statusDetail"),
        credits=_optional_number(data, "credits"),
        sender=_optional_id(data, "from"),
        created_at=_optional_time(data, "createdAt"),
        sent_at=_optional_time(data, "sentAt"),
    )


def parse_elibom_schedule(payload: Any) -> ElibomSchedule:
    """Parse one schedule."""
    data = _object(payload, "schedule")
    destinations = _optional_str(data, "destinations") or ""
    return ElibomSchedule(
        id=_required_id(data, "id"),
        scheduled_time=_optional_time(data, "scheduledTime"),
        creation_time=_optional_time(data, "creationTime"),
        status=_optional_str(data, "status"),
        is_file=data.get("isFile") is True,
        destinations=tuple(
            part.strip() for part in destinations.split(",") if part.strip()
        ),
        text=_optional_str(data, "text"),
        file_name=_optional_str(data, "fileName"),
    )


def parse_elibom_schedules(payload: Any) -> tuple[ElibomSchedule, ...]:
    """Parse GET /schedules/scheduled."""
    return _each(_array(payload, "schedules"), parse_elibom_schedule, "a schedule")


def parse_elibom_send(payload: Any, key: str) -> str:
    """Parse the answer to POST /messages: its deliveryToken or scheduleId."""
    return _required_id(_object(payload, "send answer"), key)


# Aldeamo --------------------------------------------------------------------


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
    data = _object(payload, "answer")
    status = data.get("status")
    code = _optional_id(data, "codigo")
    ok = status in (True, "true", 1, "1") and code in (None, "0")
    return AldeamoEnvelope(
        ok=ok, code=code, message=_optional_str(data, "message"), data=data.get("data")
    )


def parse_aldeamo_users(payload: Any) -> tuple[AldeamoUser, ...]:
    """Parse the data of GET /users (null stands for nobody)."""
    return _each(_array(payload or [], "users"), _parse_aldeamo_user, "a bot user")


def _parse_aldeamo_user(payload: Any) -> AldeamoUser:
    data = _object(payload, "user")
    return AldeamoUser(
        id=_optional_id(data, "id") or _required_id(data, "user_id"),
        user_id=_required_id(data, "user_id"),
        name=_optional_str(data, "name"),
        email=_optional_str(data, "email"),
        phone=_optional_id(data, "phone"),
        date_created=_lenient(_optional_time, data, "date_created"),
        last_active=_lenient(_optional_time, data, "last_active"),
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
    return _each(_array(payload or [], "users"), _list_aldeamo_user, "a bot user")


def _list_aldeamo_user(payload: Any) -> ListedUser:
    data = _object(payload, "user")
    # The same checks as the full model's, so that building it cannot fail.
    _optional_id(data, "id")
    _optional_str(data, "email")
    _optional_id(data, "phone")
    return ListedUser(
        user_id=_required_id(data, "user_id"),
        stamp=_stamp(data.get("last_active")),
        name=_optional_str(data, "name"),
        row=data,
    )


def _stamp(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    if len(value) == 19 and value[4] == "-" and value[10] == " ":
        # What `_optional_time(...).isoformat()` gives, without building it.
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return None
        return f"{value[:10]}T{value[11:]}-05:00"
    try:
        moment = _optional_time({"last_active": value}, "last_active")
    except UnparseableResponseError:
        return None
    return moment.isoformat() if moment else None


def parse_aldeamo_user(row: dict[str, Any]) -> AldeamoUser:
    """Build the full model of a user listed by `list_aldeamo_users`."""
    return _parse_aldeamo_user(row)


def parse_aldeamo_messages(payload: Any) -> tuple[AldeamoMessage, ...]:
    """Parse the data of GET /messages (null stands for no messages)."""
    return _each(
        _array(payload or [], "messages"), _parse_aldeamo_message, "a bot message"
    )


def _parse_aldeamo_message(payload: Any) -> AldeamoMessage:
    data = _object(payload, "message")
    return AldeamoMessage(
        id=_required_id(data, "id"),
        user_id=_required_id(data, "user_id"),
        message=_optional_str(data, "message") or "",
        time=_lenient(_optional_unix_time, data, "time"),
    )


def parse_aldeamo_sent(payload: Any) -> str:
    """Parse the data of POST /messages: the new message's id."""
    if isinstance(payload, dict):
        return _required_id(payload, "id")
    return _id_value(payload, "data")


# Field readers ----------------------------------------------------------------


def _report(problem: str) -> None:
    if problem in _REPORTED:
        return
    if len(_REPORTED) >= _REPORTED_MAX:
        _REPORTED.clear()
    _REPORTED.add(problem)
    _LOGGER.warning(
        "Skipped what could not be read in a provider's answer: %s", problem
    )


def _each[ItemT](
    items: list[Any], parse: Callable[[Any], ItemT], what: str
) -> tuple[ItemT, ...]:
    """Parse every record of a list, skipping (and reporting) the unreadable ones."""
    parsed = []
    for item in items:
        try:
            parsed.append(parse(item))
        except UnparseableResponseError as err:
            _report(f"{what}: {err}")
    return tuple(parsed)


def _lenient[ValueT](
    read: Callable[[dict[str, Any], str], ValueT | None], data: dict[str, Any], key: str
) -> ValueT | None:
    """Read a field the record can do without: unreadable counts as absent."""
    try:
        return read(data, key)
    except UnparseableResponseError as err:
        _report(str(err))
        return None


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UnparseableResponseError(
            f"expected a JSON object for {what}, got {type(value).__name__}"
        )
    return value


def _array(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise UnparseableResponseError(
            f"expected a JSON array for {what}, got {type(value).__name__}"
        )
    return value


def _optional_str(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    raise UnparseableResponseError(f"{key} should be text, got {type(value).__name__}")


def _required_str(data: dict[str, Any], key: str) -> str:
    value = _optional_str(data, key)
    if value is None:
        raise UnparseableResponseError(f"{key} is missing")
    return value


def _id_value(value: Any, key: str) -> str:
    # Ids arrive as strings or numbers depending on the call; we keep strings.
    if isinstance(value, bool) or value is None:
        raise UnparseableResponseError(f"{key} should be an id, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise UnparseableResponseError(f"{key} should be an id, got {type(value).__name__}")


def _optional_id(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else _id_value(value, key)


def _required_id(data: dict[str, Any], key: str) -> str:
    return _id_value(data.get(key), key)


def _optional_number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise UnparseableResponseError(
            f"{key} should be a number, got {type(value).__name__}"
        )
    try:
        number = float(value.replace(",", ".") if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        raise UnparseableResponseError(
            f"{key} should be a number, got {value!r}"
        ) from None
    if not math.isfinite(number):
        raise UnparseableResponseError(
            f"{key} should be a finite number, got {value!r}"
        )
    return number


def _optional_int(data: dict[str, Any], key: str) -> int | None:
    number = _optional_number(data, key)
    return None if number is None else int(number)


def _optional_time(data: dict[str, Any], key: str) -> datetime | None:
    text = _optional_str(data, key)
    if not text:
        return None
    if len(text) in (16, 19) and text[4] == "-" and text[10] == " ":
        # The two formats the providers write, read the quick way (a bot with
        # 10,000 users lists 20,000 of these every poll); the slow way below
        # gives the same answer and stays for anything unusual.
        try:
            return datetime.fromisoformat(text).replace(tzinfo=COLOMBIA)
        except ValueError:
            pass
    for pattern in (PROVIDER_TIME_FORMAT, SCHEDULE_FORMAT):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=COLOMBIA)
        except ValueError:
            continue
    raise UnparseableResponseError(f"{key} is not a time: {text!r}")


def _optional_unix_time(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise UnparseableResponseError(f"{key} is not a Unix time: {value!r}") from None
