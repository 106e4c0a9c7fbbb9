"""How operators carry an SMS: GSM 7-bit or UCS-2, how many parts, and the plain alphabet.

The alphabet is the GSM 03.38 default alphabet and its extension table (3GPP TS
23.038, 6.2.1). A text whose every character is in them travels in 7-bit septets:
160 in one SMS, 153 per part once split (the other septets carry the part header);
an extension character is an escape plus a septet, so it takes two places and is
never split between parts. Any other character puts the whole text in UCS-2 (UTF-16
as phones send it): 70 units in one SMS, 67 per part; a character outside the Basic
Multilingual Plane (most emoji) is a surrogate pair, two units never split.

Nothing here knows Home Assistant.
"""

from __future__ import annotations

from typing import Final, Literal
import unicodedata

type Encoding = Literal["gsm7", "ucs2"]

GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ"  # position 0x1B is the escape to the extension table
    "ÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
"""The 127 characters of the default alphabet, one septet each."""

GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")
"""The default extension table: an escape septet and one more, two places each."""

SINGLE_SEPTETS: Final = 160
SEPTETS_PER_PART: Final = 153
SINGLE_UNITS: Final = 70
UNITS_PER_PART: Final = 67

_PLAIN: Final = {
    **dict.fromkeys("áâã", "a"),
    **dict.fromkeys("ÁÀÂÃ", "A"),
    **dict.fromkeys("êë", "e"),
    **dict.fromkeys("ÈÊË", "E"),
    **dict.fromkeys("íîï", "i"),
    **dict.fromkeys("ÍÌÎÏ", "I"),
    **dict.fromkeys("óôõ", "o"),
    **dict.fromkeys("ÓÒÔÕ", "O"),
    **dict.fromkeys("úû", "u"),
    **dict.fromkeys("ÚÙÛ", "U"),
    **dict.fromkeys("‘’‚‛‹›", "'"),
    **dict.fromkeys("“”„‟«»", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015", "-"),
    "…": "...",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
}
"""Characters outside the 7-bit alphabet that have a plain form in it, and that form."""

_ACCENTS: Final = frozenset("\u0300\u0301\u0302\u0303\u0308")
"""Combining grave, acute, circumflex, tilde and diaeresis (text typed decomposed)."""


def encoding(text: str) -> Encoding:
    """Return how operators carry the text: 7-bit if every character allows it."""
    alphabet = GSM7_BASIC | GSM7_EXTENSION
    return "gsm7" if all(char in alphabet for char in text) else "ucs2"


def _width(char: str, coding: Encoding) -> int:
    """Places one character takes: septets in 7-bit, UTF-16 units in UCS-2."""
    if coding == "gsm7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def length(text: str) -> int:
    """Return the places the text takes in its encoding (septets or UTF-16 units)."""
    coding = encoding(text)
    return sum(_width(char, coding) for char in text)


def segments(text: str) -> int:
    """Return how many SMS parts operators send (and charge) for the text.

    An empty text is still one SMS. A character that takes two places goes whole
    into the next part when only one place is left in the current one.
    """
    coding = encoding(text)
    widths = [_width(char, coding) for char in text]
    single, per_part = (
        (SINGLE_SEPTETS, SEPTETS_PER_PART)
        if coding == "gsm7"
        else (SINGLE_UNITS, UNITS_PER_PART)
    )
    if sum(widths) <= single:
        return 1
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts, used = parts + 1, 0
        used += width
    return parts


def _fold(text: str, *, ellipsis: bool) -> str:
    out: list[str] = []
    start = 0
    while start < len(text):
        # A character and the combining marks written after it show as one letter.
        end = start + 1
        while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Me"):
            end += 1
        cluster = text[start:end]
        composed = unicodedata.normalize("NFC", cluster)
        if cluster[1:] in _ACCENTS and (composed in GSM7_BASIC or composed in _PLAIN):
            cluster = composed  # a vowel typed decomposed: ó as o + ◌́
        if len(cluster) == 1 and (ellipsis or cluster != "…"):
            cluster = _PLAIN.get(cluster, cluster)
        out.append(cluster)
        start = end
    return "".join(out)


def plain(text: str) -> str:
    """Replace what has a plain 7-bit form (á→a, “→", …→...); leave the rest as written.

    An accented vowel typed as a vowel plus a combining accent is read as the one
    letter it shows: é stays é (it is 7-bit), ó becomes o. An ellipsis becomes three
    dots only where that pays: when the text ends up 7-bit in no more parts.
    Folding never adds a part.
    """
    folded = _fold(text, ellipsis=True)
    if "…" in text and (
        encoding(folded) == "ucs2" or segments(folded) > segments(text)
    ):
        # Three dots take three places where the ellipsis took one.
        return _fold(text, ellipsis=False)
    return folded
