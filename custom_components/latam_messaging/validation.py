"""Input rules checked before any request: each failure is a translated ServiceValidationError."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
import re
import unicodedata

from homeassistant.util import dt as dt_util

from .api import LISTENING_CHANNELS, SENDING_CHANNELS
from .const import BOT_MESSAGE_MAX_LENGTH, SMS_MAX_LENGTH
from .errors import validation_error as invalid
from .sms_parts import encoding, plain

_SEPARATORS = re.compile(r"[ \-.()]")
_DIGITS = re.compile(r"[0-9]{8,15}")
_ONLY_DIGITS = re.compile(r"[0-9]+")
_LOCAL_LENGTH = 10
"""Digits of a number written without + in the default country (a Colombian mobile)."""
_CLIENT_ID = re.compile(r"[A-Za-z0-9_\-.@:+]{1,128}")


def _written(raw: str) -> tuple[bool, str]:
    """Say whether a number is written with +, and its digits without separators."""
    text = raw.strip()
    international = text.startswith("+")
    return international, _SEPARATORS.sub("", text[1:] if international else text)


def phone_number(raw: str, country_code: str) -> str:
    """Normalise one number as a person writes it to digits with country code.

    With + it is international: 8 to 15 digits. Without, it is read in the default
    country: a 10-digit number, or the country code followed by one; anything
    else (a digit missing, a digit too many) is refused, never guessed.
    """
    international, digits = _written(raw)
    if not _DIGITS.fullmatch(digits) and (
        international or not _ONLY_DIGITS.fullmatch(digits)
    ):
        raise invalid("invalid_phone_number", number=shown(raw))
    if international:
        return digits
    if len(digits) == _LOCAL_LENGTH:
        return country_code + digits
    if digits.startswith(country_code) and (
        len(digits) == len(country_code) + _LOCAL_LENGTH
    ):
        return digits
    raise invalid(
        "local_phone_number",
        number=shown(raw),
        country_code=country_code,
        length=str(_LOCAL_LENGTH),
    )


def sender_number(raw: str, country_code: str) -> str:
    """Read the sender a provider names: international digits, + or not.

    Elibom writes the whole number; a 10-digit one is taken as local, as before.
    """
    international, digits = _written(raw)
    if not _DIGITS.fullmatch(digits):
        raise invalid("invalid_phone_number", number=shown(raw))
    if not international and len(digits) == _LOCAL_LENGTH:
        digits = country_code + digits
    return digits


def phone_numbers(raw: str | Iterable[str], country_code: str) -> list[str]:
    """Normalise a list or a comma-separated string of numbers; duplicates go once."""
    items = [raw] if isinstance(raw, str) else list(raw)
    numbers: dict[str, None] = {}
    for item in items:
        for part in str(item).split(","):
            if part.strip():
                numbers[phone_number(part, country_code)] = None
    if not numbers:
        raise invalid("no_recipients")
    return list(numbers)


def has_control_characters(text: str, *, line_breaks: bool = False) -> bool:
    """Tell whether text holds control characters (NUL, BEL, escapes...).

    Format characters such as the zero-width joiner inside emoji are not control
    characters; line breaks and tabs are allowed where asked.
    """
    allowed = "\n\r\t" if line_breaks else ""
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def message_text(message: str | None) -> str:
    """Refuse an empty message, or one with control characters other than line breaks."""
    if message is None or not message.strip():
        raise invalid("empty_message")
    if has_control_characters(message, line_breaks=True):
        raise invalid("control_characters")
    return message


def _joined(message: str | None, title: str | None) -> str:
    """Put a non-blank title on its own first line."""
    text = message_text(message)
    if title is not None and title.strip():
        text = f"{message_text(title)}\n{text}"
    return text


def _with_title(message: str | None, title: str | None, limit: int) -> str:
    """Join title and message; the whole must fit the limit."""
    text = _joined(message, title)
    if len(text) > limit:
        raise invalid("message_too_long", length=str(len(text)), limit=str(limit))
    return text


def sms_text(
    message: str | None, title: str | None = None, *, plain_alphabet: bool = False
) -> str:
    """Join title and message as Elibom will send them, within its 160 characters.

    With `plain_alphabet` the text is folded to the GSM 7-bit alphabet where it has
    a plain form, and the limit applies to the folded text, the one sent.
    """
    text = _joined(message, title)
    if plain_alphabet:
        text = plain(text)
    if len(text) > SMS_MAX_LENGTH:
        # Accents outside the 7-bit alphabet also make each part shorter (70, not 160).
        ucs2 = not plain_alphabet and encoding(text) == "ucs2"
        raise invalid(
            "message_too_long_ucs2" if ucs2 else "message_too_long",
            length=str(len(text)),
            limit=str(SMS_MAX_LENGTH),
        )
    return text


def bot_text(message: str | None, title: str | None = None) -> str:
    """Join title and message for a bot user, within the longest message accepted."""
    return _with_title(message, title, BOT_MESSAGE_MAX_LENGTH)


def schedule_time(value: datetime) -> datetime:
    """Return the whole minute Elibom will send at: in the future, never earlier.

    Naive times are Home Assistant's local time. Elibom schedules to the minute, so
    a time with seconds goes to the next whole minute.
    """
    moment = dt_util.as_utc(value)
    if moment > dt_util.utcnow() and (moment.second or moment.microsecond):
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if moment <= dt_util.utcnow():
        raise invalid(
            "schedule_in_past", schedule_at=dt_util.as_local(moment).isoformat()
        )
    return moment


def sending_channel(channel: str) -> str:
    """Refuse a channel Aldeamo cannot send on."""
    if channel not in SENDING_CHANNELS:
        raise invalid(
            "invalid_channel",
            channel=shown(channel),
            channels=", ".join(SENDING_CHANNELS),
        )
    return channel


PHONE_CHANNELS = frozenset({"sms", "whatsapp"})
"""Channels whose users are phone numbers, which Aldeamo writes as bare digits."""


def client_id(value: str, channel: str | None = None) -> str:
    """Refuse a bot user id that cannot be one.

    On a phone-number channel a number written the way people write one
    ("+57 300 111 2222") is the user Aldeamo lists as "573001112222".
    """
    value = value.strip()
    if channel in PHONE_CHANNELS:
        # The separators and digits of `phone_number`; a "+" may follow "(".
        digits = _SEPARATORS.sub("", value).removeprefix("+")
        if _DIGITS.fullmatch(digits):
            return digits
    if not _CLIENT_ID.fullmatch(value):
        raise invalid("invalid_client_id", client_id=shown(value))
    return value


def bot_target(target: str) -> tuple[str, str]:
    """Split a classic notify target written `channel:client_id`."""
    channel, separator, user = target.partition(":")
    if not separator or not channel or not user:
        raise invalid("invalid_target", target=shown(target))
    channel = sending_channel(channel.strip())
    return channel, client_id(user, channel)


def listening_channels(channels: Iterable[str]) -> list[str]:
    """Keep the channels whose users can be read, in a stable order."""
    wanted = set(channels)
    return [channel for channel in LISTENING_CHANNELS if channel in wanted]


def shown(value: str) -> str:
    """Show a bad value in an error: never a huge or unprintable one."""
    printable = "".join(c if c.isprintable() else "�" for c in value)
    return printable if len(printable) <= 40 else printable[:37] + "…"


def masked(value: str, visible: int = 4) -> str:
    """Hide a number or user id but its last digits, to show what was saved."""
    value = value.strip()
    if len(value) <= visible:
        return "•" * len(value)
    return "•" * (len(value) - visible) + value[-visible:]
