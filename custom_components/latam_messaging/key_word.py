"""The key word a message must start with to reach Assist (HA-free).

A sender number can be forged, so a person whose channel proves little about
who is writing picks a key word; only a message that starts with it goes to
the agent, and never with it.
"""

from __future__ import annotations

from dataclasses import dataclass
import unicodedata

MIN_LENGTH = 4
"""Shortest key word accepted."""
SEPARATORS = " :,"
"""What may follow the key word (any run of them, and other white space)."""


def fold(text: str) -> str:
    """Compare without case or accents: "Girasól" and "GIRASOL" are the same."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class Checked:
    """A message read against a key word."""

    matched: bool
    text: str
    """What follows the key word when it matched; the message as written otherwise."""


def check(message: str, key_word: str) -> Checked:
    """Tell whether the message starts with the key word, and what follows it."""
    wanted = fold(key_word.strip())
    if not wanted:
        return Checked(False, message)
    start = len(message) - len(message.lstrip())
    folded = ""
    end = start
    # Character by character: folding may change a text's length ("ß" is "ss").
    while end < len(message) and len(folded) < len(wanted):
        folded += fold(message[end])
        end += 1
    if folded != wanted:
        return Checked(False, message)
    rest = message[end:]
    if rest and rest[0] not in SEPARATORS and not rest[0].isspace():
        return Checked(False, message)  # "girasoles" is not "girasol"
    return Checked(True, rest.lstrip(SEPARATORS + "\t\r\n\v\f").strip())


def scrubbed(text: str, key_word: str) -> str:
    """Remove every occurrence of the key word (any case or accent) from a text."""
    wanted = fold(key_word.strip())
    if not wanted:
        return text
    kept: list[str] = []
    index = 0
    while index < len(text):
        folded = ""
        end = index
        while end < len(text) and len(folded) < len(wanted):
            folded += fold(text[end])
            end += 1
        if folded == wanted:
            index = end
            continue
        kept.append(text[index])
        index += 1
    return " ".join("".join(kept).split()) if len(kept) < len(text) else text
