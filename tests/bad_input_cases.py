"""The sweep of bad values and what a user must get from each: tables for tests/test_bad_input_*.py.

`sweep` gives the values tried on one field, `SURFACES` every field of every action,
notify service and flow, and the `*_outcomes` tables, built with `table`, say per
case what must happen (see the outcome classes below and the test module's docstring).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.const import CONF_URL

from custom_components.latam_messaging.const import CONF_CHANNELS

BOGOTA = ZoneInfo("America/Bogota")

NUMBER = "3001112222"
"""A Colombian mobile number as a user types it; it goes out with the country code."""
NUMBER_SENT = "573001112222"
BOT_USER = "3001112222"
MESSAGE = "Alarma 1"
TITLE = "Tienda"
SCHEDULE_ID = "1410774"
DELIVERY_TOKEN = "1857010469048394523"
RECIPIENT_SERVICE = "tienda_dona_perez"
BOTS_SERVICE = "aldeamo_bots"

# The sweep ------------------------------------------------------------------------

HUGE = 100_000
EMOJI = "👍🏽🇨🇴👩‍💻"
"""A skin tone, a flag and a zero-width-joiner sequence: what people type today."""
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_NUMBER = "٣٠٠١١١٢٢٢٢"
FULL_WIDTH_NUMBER = "３００１１１２２２２"

EMPTY = ("empty", "spaces", "blank lines")
TYPES = ("int", "float", "bool", "list", "dict", "None")
WRONG_TYPES = ("float", "bool", "list", "dict")
NOT_TEXT = ("list", "dict", "None")
UNICODE = (
    "emoji",
    "right-to-left",
    "combining",
    "arabic-indic digits",
    "full-width digits",
)
CONTROL = ("NUL", "BEL", "newline", "tab", "ANSI escape")
NEVER_IN_TEXT = ("NUL", "BEL", "ANSI escape")
"""Control characters a message may not carry; a newline or a tab in one is fine."""
CASES = (*EMPTY, "100 kB", *TYPES, *UNICODE, *CONTROL)


def _inside(base: str, chars: str) -> str:
    """Put characters inside a value, away from both ends (trimming must not help)."""
    cut = max(1, len(base) - 3)
    return base[:cut] + chars + base[cut:]


def _digits(base: str, table: dict[int, int], number: str) -> str:
    """Write the value's digits in another script, or add a number written in it."""
    if any(char in "0123456789" for char in base):
        return base.translate(table)
    return base + number


def sweep(base: str) -> list[tuple[str, Any]]:
    """Return every (case, value) tried on a field whose valid value is `base`."""
    values: dict[str, Any] = {
        "empty": "",
        "spaces": "   ",
        "blank lines": " \t\n \r\n",
        "100 kB": (base * (HUGE // len(base) + 1))[:HUGE],
        "int": int(base) if base.isascii() and base.isdigit() else 12345,
        "float": 3.5,
        "bool": True,
        "list": [base, base],
        "dict": {"value": base},
        "None": None,
        "emoji": base + EMOJI,
        "right-to-left": "رقم " + base,
        "combining": base[0] + "\u0301\u0323" + base[1:],
        "arabic-indic digits": _digits(base, ARABIC_INDIC, ARABIC_NUMBER),
        "full-width digits": _digits(base, FULL_WIDTH, FULL_WIDTH_NUMBER),
        "NUL": _inside(base, "\x00"),
        "BEL": _inside(base, "\x07"),
        "newline": _inside(base, "\n"),
        "tab": _inside(base, "\t"),
        "ANSI escape": f"\x1b[1;31m{base}\x1b[0m",
    }
    assert tuple(values) == CASES
    return list(values.items())


def channel_sweep() -> list[tuple[str, Any]]:
    """Return the sweep for a multi-select of channels: each text value as the one choice."""
    return [
        (
            case,
            [] if case == "empty" else [value] if isinstance(value, str) else value,
        )
        for case, value in sweep("whatsapp")
    ]


SURFACES: dict[str, tuple[str, ...]] = {
    "latam_messaging.send_sms": (
        "config_entry_id",
        "to",
        "message",
        "schedule_at",
        "plain_alphabet",
    ),
    "latam_messaging.cancel_scheduled_sms": ("config_entry_id", "schedule_id"),
    "latam_messaging.get_delivery": ("config_entry_id", "delivery_token"),
    "latam_messaging.send_bot_message": (
        "config_entry_id",
        "channel",
        "client_id",
        "message",
    ),
    "notify.send_message on a recipient": ("message", "title"),
    "notify.send_message on a contact": ("message", "title"),
    f"notify.{RECIPIENT_SERVICE}": ("message", "title", "target"),
    f"notify.{BOTS_SERVICE}": ("message", "title", "target"),
    "config flow, Elibom step": ("username", "api_token", "url"),
    "config flow, Aldeamo step": ("api_key", "channels", "url"),
    "reauth_confirm": ("api_token", "api_key"),
    "reconfigure, Elibom": ("username", "api_token", "url"),
    "reconfigure, Aldeamo": ("channels", "url"),
    "options, Elibom": (
        "scan_interval",
        "low_credit_threshold",
        "plain_alphabet",
        "default_country_code",
    ),
    "options, Aldeamo": ("scan_interval",),
    "recipient subentry": ("name", "phone_number"),
    "contact subentry": ("channel", "client_id", "name"),
}
"""Every surface and field swept; the tests are parametrised from it."""

# What a user must get ---------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    """A translated ServiceValidationError (one of `keys`, when given); nothing sent."""

    keys: frozenset[str] | None = None


@dataclass(frozen=True)
class Invalid:
    """Home Assistant's own schema refuses the value; nothing sent."""


@dataclass(frozen=True)
class Goes:
    """Exactly these requests (method, path, body) go out, then success or `error`."""

    requests: tuple[tuple[str, str, dict[str, str] | None], ...]
    error: str | None = None
    response: str | None = None


@dataclass(frozen=True)
class FormError:
    """The form shows one of `keys` on `field`; nothing sent, nothing stored."""

    field: str
    keys: frozenset[str]


@dataclass(frozen=True)
class ProviderJudges:
    """A credential that may be right: a field error before any request, or one check refused."""

    field: str


@dataclass(frozen=True)
class Accepted:
    """The flow finishes and stores `stored`."""

    stored: Any


type Outcome = Refused | Invalid | Goes | FormError | ProviderJudges | Accepted
type Rule = Outcome | Callable[[Any], Outcome]

INVALID = Invalid()
ANONYMOUS = object()
"""A contact stored without a name is named after its channel and the id's end."""


def refused(*keys: str) -> Refused:
    """Refused with one of these keys (any key of the integration if none given)."""
    return Refused(frozenset(keys) or None)


def form_error(field: str, *keys: str) -> FormError:
    """Expect a form error on one field."""
    return FormError(field, frozenset(keys))


def table(default: Rule, *rules: tuple[str | tuple[str, ...], Rule]) -> dict[str, Rule]:
    """Return the outcome of every case: `default`, except where a rule says otherwise."""
    outcomes = dict.fromkeys(CASES, default)
    for cases, rule in rules:
        for case in (cases,) if isinstance(cases, str) else cases:
            assert case in outcomes, case
            outcomes[case] = rule
    return outcomes


def entry_id_outcomes() -> dict[str, Rule]:
    """config_entry_id of every action: named when unknown, typed, never echoed raw."""
    return table(
        refused("entry_not_found"),
        (EMPTY, refused("entry_not_found", "missing_field")),
        (WRONG_TYPES, refused("wrong_type")),
        ("None", refused("missing_field")),
    )


def sms_goes(text: str, when: datetime | None = None) -> Goes:
    """One POST of this text to the test number, now or at a moment."""
    body = {"to": NUMBER_SENT, "text": text}
    if when is not None:
        body["scheduleDate"] = when.astimezone(BOGOTA).strftime("%Y-%m-%d %H:%M")
    return Goes(
        (("POST", "/messages", body),),
        response="schedule_ids" if when else "delivery_tokens",
    )


def untracked_sms_goes(text: str) -> Goes:
    """One POST of this text to the test number, from a call without a response."""
    body = {"to": NUMBER_SENT, "text": text}
    return Goes((("POST", "/messages", body),))


def bot_goes(text: str, *, response: str | None = "message_id") -> Goes:
    """One POST of this text to the test bot user on WhatsApp."""
    body = {"channel": "whatsapp", "client_id": BOT_USER, "msg": text}
    return Goes((("POST", "/messages", body),), response=response)


def message_outcomes(goes: Callable[[str], Goes], *, schema: bool) -> dict[str, Rule]:
    """Judge a message: any text, Unicode and line breaks too; never empty, huge or garbled."""
    # With `schema`, Home Assistant's notify schema turns numbers and booleans into
    # text and refuses lists, dicts and None before the integration sees them.
    if schema:
        types: tuple[tuple[str | tuple[str, ...], Rule], ...] = ((NOT_TEXT, INVALID),)
    else:
        types = (
            (WRONG_TYPES, refused("wrong_type")),
            ("None", refused("missing_field")),
        )
    return table(
        lambda value: goes(str(value)),
        (EMPTY, refused("empty_message")),
        ("100 kB", refused("message_too_long")),
        *types,
        (NEVER_IN_TEXT, refused()),
    )


def title_outcomes(goes: Callable[[str], Goes]) -> dict[str, Rule]:
    """Judge a title: its own first line; a blank one is none; never huge or garbled."""
    return table(
        lambda value: goes(f"{value}\n{MESSAGE}"),
        (EMPTY, goes(MESSAGE)),
        ("100 kB", refused("message_too_long")),
        (NOT_TEXT, INVALID),
        (NEVER_IN_TEXT, refused()),
    )


def credential_outcomes(field: str, *, empty: Rule | None = None) -> dict[str, Rule]:
    """Judge a secret or user name: required, one short printable line, else the provider judges."""
    return table(
        ProviderJudges(field),
        (EMPTY, empty or form_error(field, "required")),
        ("100 kB", form_error(field, "invalid_value")),
        (TYPES, INVALID),
        (CONTROL, form_error(field, "invalid_value")),
    )


def url_outcomes(default: str) -> dict[str, Rule]:
    """Judge a URL: empty means the provider's own; anything but a plain ASCII web address is refused."""
    return table(
        form_error(CONF_URL, "invalid_url", "insecure_url", "invalid_value"),
        (EMPTY, Accepted(default)),
        ("100 kB", form_error(CONF_URL, "invalid_value")),
        (TYPES, INVALID),
        (CONTROL, form_error(CONF_URL, "invalid_value")),
    )


def channels_outcomes() -> dict[str, Rule]:
    """Channels: a list of known channels (a repeated one counts once), at least one."""
    return table(
        INVALID,
        ("empty", form_error(CONF_CHANNELS, "no_channels")),
        ("list", Accepted(["whatsapp"])),
    )


def number_outcomes(typed: float, *, fraction: Rule, boolean: Rule) -> dict[str, Rule]:
    """Judge a number box: Home Assistant's NumberSelector coerces and bounds it."""
    # Digits of other scripts are the same number to it (Python's float reads them).
    return table(
        INVALID,
        ("int", Accepted(typed)),
        ("float", fraction),
        ("bool", boolean),
        (("arabic-indic digits", "full-width digits"), Accepted(typed)),
    )


# Per surface: field -> what each case must get ------------------------------------------


def send_sms_outcomes(moment: datetime) -> dict[str, dict[str, Rule]]:
    """send_sms, with `moment` the valid schedule_at tried."""
    return {
        "config_entry_id": entry_id_outcomes(),
        "to": table(
            refused("invalid_phone_number"),
            (EMPTY, refused("no_recipients")),
            (("int", "list"), sms_goes(MESSAGE)),
            # Only digits but not a number of the default country: write + and the code.
            ("100 kB", refused("local_phone_number")),
            (("float", "bool", "dict"), refused("wrong_type")),
            ("None", refused("missing_field")),
        ),
        "message": message_outcomes(sms_goes, schema=False),
        "schedule_at": table(
            refused("invalid_schedule_at"),
            (("list", "dict"), refused("invalid_schedule_at", "wrong_type")),
            ("None", sms_goes(MESSAGE)),
            # The same moment written in other digits: Home Assistant reads it as such.
            (("arabic-indic digits", "full-width digits"), sms_goes(MESSAGE, moment)),
        ),
        # Only true or false; none follows the entry's option (off here).
        "plain_alphabet": table(
            refused("not_a_boolean"),
            (("bool", "None"), sms_goes(MESSAGE)),
        ),
    }


def cancel_scheduled_sms_outcomes() -> dict[str, dict[str, Rule]]:
    """cancel_scheduled_sms: only a well-formed id (an unquoted number is one) is asked."""
    return {
        "config_entry_id": entry_id_outcomes(),
        "schedule_id": table(
            refused("schedule_not_found"),
            (EMPTY, refused("schedule_not_found", "missing_field")),
            (
                "int",
                Goes(
                    (("DELETE", f"/schedules/{SCHEDULE_ID}", None),),
                    error="schedule_not_found",
                ),
            ),
            (WRONG_TYPES, refused("wrong_type")),
            ("None", refused("missing_field")),
        ),
    }


def get_delivery_outcomes() -> dict[str, dict[str, Rule]]:
    """get_delivery: only a well-formed token (an unquoted number is one) is asked."""
    return {
        "config_entry_id": entry_id_outcomes(),
        "delivery_token": table(
            refused("delivery_not_found"),
            (EMPTY, refused("delivery_not_found", "missing_field")),
            (
                "int",
                Goes(
                    (("GET", f"/messages/{DELIVERY_TOKEN}", None),),
                    error="delivery_not_found",
                ),
            ),
            (WRONG_TYPES, refused("wrong_type")),
            ("None", refused("missing_field")),
        ),
    }


def send_bot_message_outcomes() -> dict[str, dict[str, Rule]]:
    """send_bot_message."""
    return {
        "config_entry_id": entry_id_outcomes(),
        "channel": table(
            refused("invalid_channel"),
            (WRONG_TYPES, refused("wrong_type")),
            ("None", refused("missing_field")),
        ),
        "client_id": table(
            refused("invalid_client_id"),
            (EMPTY, refused("invalid_client_id", "missing_field")),
            ("int", bot_goes(MESSAGE)),
            (WRONG_TYPES, refused("wrong_type")),
            ("None", refused("missing_field")),
        ),
        "message": message_outcomes(bot_goes, schema=False),
    }


def untracked_bot_goes(text: str) -> Goes:
    """One POST of this text to the test bot user, from a call without a response."""
    return bot_goes(text, response=None)


def sms_notify_service_outcomes() -> dict[str, dict[str, Rule]]:
    """notify.<account>: numbers typed unquoted work."""
    return {
        "message": message_outcomes(untracked_sms_goes, schema=True),
        "title": title_outcomes(untracked_sms_goes),
        "target": table(
            refused("invalid_phone_number"),
            (EMPTY, refused("no_recipients")),
            (("int", "list"), untracked_sms_goes(MESSAGE)),
            # 3.5 reads as the digits 35: not a number of the default country.
            (("100 kB", "float"), refused("local_phone_number")),
            ("dict", INVALID),
            ("None", refused("no_recipients")),
        ),
    }


def bot_notify_service_outcomes() -> dict[str, dict[str, Rule]]:
    """notify.aldeamo_bots: a repeated target goes once."""
    target_keys = ("invalid_target", "invalid_channel", "invalid_client_id")
    return {
        "message": message_outcomes(untracked_bot_goes, schema=True),
        "title": title_outcomes(untracked_bot_goes),
        "target": table(
            refused(*target_keys),
            (EMPTY, refused("invalid_target", "no_targets")),
            # The same user twice is one message, as a repeated number is one SMS.
            ("list", untracked_bot_goes(MESSAGE)),
            ("dict", INVALID),
            ("None", refused("no_targets")),
        ),
    }


def options_cases(field: str) -> tuple[list[tuple[str, Any]], dict[str, Rule]]:
    """Return the values tried on an options field and what each must get."""
    if field == "scan_interval":
        # Below the 15 s minimum: 3.5 s, and True (which it reads as 1).
        return sweep("90"), number_outcomes(90, fraction=INVALID, boolean=INVALID)
    if field == "low_credit_threshold":
        return sweep("10"), number_outcomes(
            10.0, fraction=Accepted(3.5), boolean=Accepted(1.0)
        )
    if field == "plain_alphabet":
        # A switch: Home Assistant's BooleanSelector reads any value as true or false,
        # and the option stored is that boolean.
        return sweep("true"), table(lambda value: Accepted(bool(value)))
    return sweep("57"), table(
        form_error(field, "invalid_country_code"), (TYPES, INVALID)
    )


def recipient_outcomes() -> dict[str, dict[str, Rule]]:
    """Recipient subentry: a name is any line of printable text; a number is digits."""
    return {
        "name": table(
            Accepted,
            (EMPTY, form_error("name", "required")),
            ("100 kB", form_error("name", "invalid_value")),
            (TYPES, INVALID),
            (CONTROL, form_error("name", "invalid_value")),
        ),
        "phone_number": table(
            form_error("phone_number", "invalid_phone_number", "invalid_value"),
            (EMPTY, form_error("phone_number", "required")),
            (TYPES, INVALID),
        ),
    }


def contact_outcomes() -> dict[str, dict[str, Rule]]:
    """Contact subentry: a channel of the list, an id, a name of printable text or none."""
    return {
        "channel": table(INVALID),
        "client_id": table(
            form_error("client_id", "invalid_client_id", "invalid_value"),
            (EMPTY, form_error("client_id", "required")),
            (TYPES, INVALID),
        ),
        "name": table(
            Accepted,
            (EMPTY, Accepted(ANONYMOUS)),
            ("100 kB", form_error("name", "invalid_value")),
            (TYPES, INVALID),
            (CONTROL, form_error("name", "invalid_value")),
        ),
    }
