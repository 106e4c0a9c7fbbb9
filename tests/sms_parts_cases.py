"""Hand-worked tables for tests/test_sms_parts.py, written from 3GPP TS 23.038, not the code."""

from __future__ import annotations

from typing import NamedTuple

# 3GPP TS 23.038 6.2.1, the default alphabet, one row per column of the standard's
# table read downwards (0x00-0x0F, 0x10-0x1F, ...); ESC (0x1B) is written as None.
DEFAULT_ALPHABET_BY_POSITION: tuple[tuple[str | None, ...], ...] = (
    ("@", "£", "$", "¥", "è", "é", "ù", "ì", "ò", "Ç", "\n", "Ø", "ø", "\r", "Å", "å"),
    ("Δ", "_", "Φ", "Γ", "Λ", "Ω", "Π", "Ψ", "Σ", "Θ", "Ξ", None, "Æ", "æ", "ß", "É"),
    (" ", "!", '"', "#", "¤", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/"),
    ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?"),
    ("¡", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O"),
    ("P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "Ä", "Ö", "Ñ", "Ü", "§"),
    ("¿", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o"),
    ("p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "ä", "ö", "ñ", "ü", "à"),
)

# 6.2.1.1, the default extension table: position after ESC, character.
EXTENSION_BY_POSITION: tuple[tuple[int, str], ...] = (
    (0x0A, "\f"),  # page break
    (0x14, "^"),
    (0x28, "{"),
    (0x29, "}"),
    (0x2F, "\\"),
    (0x3C, "["),
    (0x3D, "~"),
    (0x3E, "]"),
    (0x40, "|"),
    (0x65, "€"),
)


class Case(NamedTuple):
    """A text, how operators carry it, its length in places, and its parts."""

    name: str
    text: str
    encoding: str
    places: int
    segments: int


CASES: tuple[Case, ...] = (
    Case("empty text is one SMS", "", "gsm7", 0, 1),
    Case("one letter", "a", "gsm7", 1, 1),
    Case("160 septets: one SMS", "a" * 160, "gsm7", 160, 1),
    Case("161 septets: two parts", "a" * 161, "gsm7", 161, 2),
    Case("306 septets: two full parts", "a" * 306, "gsm7", 306, 2),
    Case("307 septets: three parts", "a" * 307, "gsm7", 307, 3),
    Case("158 letters and a euro: 160 septets", "a" * 158 + "€", "gsm7", 160, 1),
    Case("159 letters and a euro: 161 septets", "a" * 159 + "€", "gsm7", 161, 2),
    Case("80 euros: 160 septets", "€" * 80, "gsm7", 160, 1),
    # 76 euros fill 152 of a part's 153 septets; the 77th goes to the next part.
    Case("81 euros: 162 septets", "€" * 81, "gsm7", 162, 2),
    Case("153 euros: 306 septets, not two parts", "€" * 153, "gsm7", 306, 3),
    # Part one: 152 letters (the euro's two septets would need 154); part two: the
    # euro and 151 letters (153); part three: one letter. 306 septets, three parts.
    Case(
        "extension character across a part boundary",
        "a" * 152 + "€" + "a" * 152,
        "gsm7",
        306,
        3,
    ),
    Case(
        "extension character that just fits a part",
        "a" * 151 + "€" + "a" * 153,
        "gsm7",
        306,
        2,
    ),
    Case("every extension character", "\f^{}\\[~]|€", "gsm7", 20, 1),
    Case(
        "Spanish that stays 7-bit", "¿Qué tal? ¡Señor Müller, Él y Ñoño!", "gsm7", 35, 1
    ),
    Case("the Greek capitals", "ΔΦΓΛΩΠΨΣΘΞ", "gsm7", 10, 1),
    Case("C cedilla, capital only", "Ç", "gsm7", 1, 1),
    Case("c cedilla is not 7-bit", "ç", "ucs2", 1, 1),
    Case("a backtick is not 7-bit", "`", "ucs2", 1, 1),
    Case("a tab is not 7-bit", "a\tb", "ucs2", 3, 1),
    Case("verification code", "Su código de verificación es 123456", "ucs2", 35, 1),
    Case("door alarm", "Alarma: se abrió la puerta", "ucs2", 26, 1),
    Case("capital accented vowels", "ÁÍÓÚ", "ucs2", 4, 1),
    Case("70 units: one SMS", "á" * 70, "ucs2", 70, 1),
    Case("71 units: two parts", "á" * 71, "ucs2", 71, 2),
    Case("134 units: two full parts", "á" * 134, "ucs2", 134, 2),
    Case("135 units: three parts", "á" * 135, "ucs2", 135, 3),
    Case("one ó in 150 characters", "a" * 149 + "ó", "ucs2", 150, 3),
    Case("35 emoji: 70 units", "😀" * 35, "ucs2", 70, 1),
    Case("35 emoji and a letter: 71 units", "😀" * 35 + "a", "ucs2", 71, 2),
    Case("emoji as the 70th and 71st unit", "á" * 69 + "😀", "ucs2", 71, 2),
    Case("emoji as the 69th and 70th unit", "á" * 68 + "😀", "ucs2", 70, 1),
    # Part one: 66 units (the emoji's pair would need 68); part two: the emoji and
    # 65 letters (67); part three: one letter. 134 units, three parts.
    Case("emoji across a part boundary", "á" * 66 + "😀" + "á" * 66, "ucs2", 134, 3),
    Case("emoji that just fits a part", "á" * 65 + "😀" + "á" * 67, "ucs2", 134, 2),
    Case("skin tone: two emoji of two units", "👍🏽", "ucs2", 4, 1),
    Case("an euro in UCS-2 is one unit", "€ á", "ucs2", 3, 1),
)

FOLDS: dict[str, str] = {
    "á": "a",
    "â": "a",
    "ã": "a",
    "Á": "A",
    "À": "A",
    "Â": "A",
    "Ã": "A",
    "ê": "e",
    "ë": "e",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "í": "i",
    "î": "i",
    "ï": "i",
    "Í": "I",
    "Ì": "I",
    "Î": "I",
    "Ï": "I",
    "ó": "o",
    "ô": "o",
    "õ": "o",
    "Ó": "O",
    "Ò": "O",
    "Ô": "O",
    "Õ": "O",
    "ú": "u",
    "û": "u",
    "Ú": "U",
    "Ù": "U",
    "Û": "U",
    "\u2018": "'",  # ‘
    "\u2019": "'",  # ’
    "\u201a": "'",  # ‚
    "\u201b": "'",  # ‛
    "\u2039": "'",  # ‹
    "\u203a": "'",  # ›
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u201e": '"',  # „
    "\u201f": '"',  # ‟
    "«": '"',
    "»": '"',
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "…": "...",
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
}
"""Every character plain_alphabet replaces, and what it becomes; nothing else changes."""

PLAIN_CASES: tuple[tuple[str, str], ...] = (
    ("Alarma: se abrió la puerta", "Alarma: se abrio la puerta"),
    ("Su código de verificación es 123456", "Su codigo de verificacion es 123456"),
    ("¿Qué pasó, señor Müller? ¡Ñandú!", "¿Qué paso, señor Müller? ¡Ñandu!"),
    ("ÁÉÍÓÚ áéíóú", "AÉIOU aéiou"),
    ("àèìòù ÀÈÌÒÙ", "àèìòù AEIOU"),
    ("“Hola” ‘tú’ «ya»", '"Hola" \'tu\' "ya"'),
    ("8–10 h — ya", "8-10 h - ya"),
    ("Espere…", "Espere..."),
    ("10\u00a0000 pesos", "10 000 pesos"),
    ("Llegó 👍🏽", "Llego 👍🏽"),
    # Still UCS-2 because of the emoji: three dots would only take more places.
    ("Llegó… 👍", "Llego… 👍"),
    # Typed decomposed (a letter, then a combining accent): read as the one letter.
    ("Llego\u0301 el cafe\u0301", "Llego el café"),
    # Other letters with marks stay as typed, composed or not.
    ("y\u0301 n\u0303 a\u0301\u0301 \u0301", "y\u0301 ñ a\u0301\u0301 \u0301"),
    ("ç ß ø € ñ", "ç ß ø € ñ"),
    # 60 ellipses are one UCS-2 SMS; 180 dots would be two 7-bit parts.
    ("…" * 60, "…" * 60),
    ("", ""),
)
