"""Reading providers' JSON: the field readers both providers' models are built with.

Lenient in what they accept (ids as numbers or strings, numbers with a decimal
comma, missing optional fields) and strict about shape: anything else raises
UnparseableResponseError, never another exception. In a list, one unreadable
record is skipped (and said once in the log); it never takes the others down.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
import logging
import math
from typing import Any

from .errors import UnparseableResponseError

_LOGGER = logging.getLogger(__package__)
_REPORTED: set[str] = set()
"""Problems already logged: one bad record polled every minute is said once."""
_REPORTED_MAX = 200

COLOMBIA = timezone(timedelta(hours=-5), "COT")
"""Both providers speak Colombia wall-clock time (UTC-5, no daylight saving)."""

PROVIDER_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
SCHEDULE_FORMAT = "%Y-%m-%d %H:%M"


def report(problem: str) -> None:
    """Log a problem once (a bad record polled every minute is said once)."""
    if problem in _REPORTED:
        return
    if len(_REPORTED) >= _REPORTED_MAX:
        _REPORTED.clear()
    _REPORTED.add(problem)
    _LOGGER.warning(
        "Skipped what could not be read in a provider's answer: %s", problem
    )


def each[ItemT](
    items: list[Any], parse: Callable[[Any], ItemT], what: str
) -> tuple[ItemT, ...]:
    """Parse every record of a list, skipping (and reporting) the unreadable ones."""
    parsed = []
    for item in items:
        try:
            parsed.append(parse(item))
        except UnparseableResponseError as err:
            report(f"{what}: {err}")
    return tuple(parsed)


def lenient[ValueT](
    read: Callable[[dict[str, Any], str], ValueT | None], data: dict[str, Any], key: str
) -> ValueT | None:
    """Read a field the record can do without: unreadable counts as absent."""
    try:
        return read(data, key)
    except UnparseableResponseError as err:
        report(str(err))
        return None


def json_object(value: Any, what: str) -> dict[str, Any]:
    """Return the value as a JSON object, or raise UnparseableResponseError."""
    if not isinstance(value, dict):
        raise UnparseableResponseError(
            f"expected a JSON object for {what}, got {type(value).__name__}"
        )
    return value


def json_array(value: Any, what: str) -> list[Any]:
    """Return the value as a JSON array, or raise UnparseableResponseError."""
    if not isinstance(value, list):
        raise UnparseableResponseError(
            f"expected a JSON array for {what}, got {type(value).__name__}"
        )
    return value


def optional_str(data: dict[str, Any], key: str) -> str | None:
    """Read a text field; None when absent."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        return value
    raise UnparseableResponseError(f"{key} should be text, got {type(value).__name__}")


def required_str(data: dict[str, Any], key: str) -> str:
    """Read a text field that must be there."""
    value = optional_str(data, key)
    if value is None:
        raise UnparseableResponseError(f"{key} is missing")
    return value


def id_value(value: Any, key: str) -> str:
    """Read an id as text: ids arrive as strings or numbers depending on the call."""
    if isinstance(value, bool) or value is None:
        raise UnparseableResponseError(f"{key} should be an id, got {value!r}")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise UnparseableResponseError(f"{key} should be an id, got {type(value).__name__}")


def optional_id(data: dict[str, Any], key: str) -> str | None:
    """Read an id field; None when absent."""
    value = data.get(key)
    return None if value is None else id_value(value, key)


def required_id(data: dict[str, Any], key: str) -> str:
    """Read an id field that must be there."""
    return id_value(data.get(key), key)


def optional_number(data: dict[str, Any], key: str) -> float | None:
    """Read a number field (a decimal comma too); None when absent."""
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


def optional_int(data: dict[str, Any], key: str) -> int | None:
    """Read a whole-number field; None when absent."""
    number = optional_number(data, key)
    return None if number is None else int(number)


def optional_time(data: dict[str, Any], key: str) -> datetime | None:
    """Read a Colombia wall-clock time field; None when absent or empty."""
    text = optional_str(data, key)
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


def optional_unix_time(data: dict[str, Any], key: str) -> datetime | None:
    """Read a Unix time field (seconds); None when absent or empty."""
    value = data.get(key)
    if value is None or value == "":
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise UnparseableResponseError(f"{key} is not a Unix time: {value!r}") from None
