"""Numbers written into translated texts the way the reader's language writes them."""

from __future__ import annotations

from typing import Final

LOCAL_GROUPS_LENGTH: Final = 10
"""A 10-digit national number, written in groups of 3, 3 and 4."""

DECIMAL_COMMA: Final = frozenset(
    {
        "bg", "ca", "cs", "da", "de", "el", "es", "et", "eu", "fi", "fr", "gl",
        "hr", "hu", "id", "it", "lt", "lv", "nb", "nl", "nn", "pl", "pt", "ro",
        "ru", "sk", "sl", "sr", "sv", "tr", "uk", "vi",
    }
)  # fmt: skip
"""Languages (as Home Assistant names them, before any region) that write 246,4."""


def format_number(value: float, language: str) -> str:
    """Write a number with its decimals (at most two, none if whole) for a language.

    Repair texts take their numbers as plain text, so the frontend cannot format
    them as it formats a sensor's state.
    """
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if language.split("-", maxsplit=1)[0].lower() in DECIMAL_COMMA:
        text = text.replace(".", ",")
    return text


def dialled(number: str, country_code: str) -> str:
    """Write a saved number in full as it will be dialled: "+57 310 555 6677".

    A number of the default country is grouped as people there write it (3, 3, 4);
    any other is shown whole after its +.
    """
    national = number.removeprefix(country_code)
    if national != number and len(national) == LOCAL_GROUPS_LENGTH:
        return f"+{country_code} {national[:3]} {national[3:6]} {national[6:]}"
    return f"+{number}"
