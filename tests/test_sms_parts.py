"""Parts counted as operators count them, and the plain alphabet (no Home Assistant)."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import example, given, settings, strategies as st
import pytest

from custom_components.latam_messaging.sms_parts import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    encoding,
    length,
    plain,
    segments,
)
from tests.sms_parts_cases import (
    CASES,
    DEFAULT_ALPHABET_BY_POSITION,
    EXTENSION_BY_POSITION,
    FOLDS,
    PLAIN_CASES,
    Case,
)

SEVEN_BIT = sorted(GSM7_BASIC | GSM7_EXTENSION)
OTHERS = ["😀", "🏽", "ç", "\t", "`", "\u0301", "\u0308", "中", "𝄞"]
spanish_texts = st.text(
    alphabet=st.sampled_from([*SEVEN_BIT, *FOLDS, *OTHERS]), max_size=400
)
any_texts = st.text(max_size=400)


def needed(text: str) -> int:
    """Return the fewest parts that hold the text's places, ignoring what cannot be split."""
    places = length(text)
    single, per_part = (160, 153) if encoding(text) == "gsm7" else (70, 67)
    return 1 if places <= single else math.ceil(places / per_part)


def test_the_alphabet_is_the_3gpp_default_alphabet_and_extension_table() -> None:
    """127 characters plus the escape, and the ten of the extension table."""
    positions = [char for row in DEFAULT_ALPHABET_BY_POSITION for char in row]
    assert len(positions) == 128
    assert {char for char in positions if char is not None} == GSM7_BASIC
    assert {char for _, char in EXTENSION_BY_POSITION} == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


def test_spanish_letters_are_where_the_spec_says() -> None:
    """é É ñ Ñ ü Ü ¿ ¡ are 7-bit; á í ó ú Á Í Ó Ú are not."""
    for char in "éÉñÑüÜ¿¡":
        assert encoding(char) == "gsm7", char
    for char in "áíóúÁÍÓÚ":
        assert encoding(char) == "ucs2", char


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_encoding_places_and_parts_match_the_hand_worked_table(case: Case) -> None:
    """Each case as worked out by hand from the standard."""
    assert (encoding(case.text), length(case.text), segments(case.text)) == (
        case.encoding,
        case.places,
        case.segments,
    )


@pytest.mark.parametrize(("text", "sent"), PLAIN_CASES)
def test_plain_folds_as_the_hand_worked_table_says(text: str, sent: str) -> None:
    """Accented vowels, quotes, dashes, ellipsis and no-break spaces; nothing else."""
    assert plain(text) == sent


def test_plain_changes_exactly_the_characters_of_the_table() -> None:
    """Every character of the first planes alone: changed if and only if listed."""
    changed = {
        chr(point): plain(chr(point))
        for point in range(0x3000)
        if not 0xD800 <= point <= 0xDFFF and plain(chr(point)) != chr(point)
    }
    assert changed == FOLDS


def test_a_150_character_reminder_with_one_accent_is_one_sms_in_plain() -> None:
    """The issue's trap: three parts as typed, one part folded."""
    reminder = ("Recordatorio: mañana a las 8 se paga el agua. " * 4)[:149] + "ó"
    assert (encoding(reminder), segments(reminder)) == ("ucs2", 3)
    assert (encoding(plain(reminder)), segments(plain(reminder))) == ("gsm7", 1)


@settings(max_examples=400, deadline=None)
@given(text=spanish_texts | any_texts)
@example(text="a" * 152 + "€" + "a" * 152)
@example(text="á" * 66 + "😀" + "á" * 66)
def test_parts_are_never_fewer_than_the_text_needs(text: str) -> None:
    """Enough parts for every place; a two-place character wastes at most one per part."""
    parts = segments(text)
    assert parts >= needed(text)
    if parts > 1:
        per_part = 153 if encoding(text) == "gsm7" else 67
        assert length(text) <= parts * per_part
        assert parts <= math.ceil(length(text) / (per_part - 1))


@settings(max_examples=400, deadline=None)
@given(text=spanish_texts | any_texts)
@example(text="…" * 60)
@example(text="…" * 40 + "€" * 30)
@example(text="Llegó… 👍")
def test_folding_never_adds_a_part(text: str) -> None:
    """The plain text costs no more than the text typed, and folding it again changes nothing."""
    folded = plain(text)
    assert segments(folded) <= segments(text)
    assert plain(folded) == folded


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(SEVEN_BIT), max_size=300))
def test_seven_bit_text_is_left_as_written(text: str) -> None:
    """What is already in the 7-bit alphabet is never touched."""
    assert plain(text) == text
    assert encoding(text) == "gsm7"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(
            [*SEVEN_BIT, *(c for c in FOLDS if c != "…"), "😀", "ç", "中"]
        ),
        max_size=300,
    )
)
def test_plain_replaces_character_by_character(text: str) -> None:
    """Without ellipses or combining accents, folding is the table applied to each character."""
    assert plain(text) == "".join(FOLDS.get(char, char) for char in text)


def test_the_readme_worked_example_is_three_parts_typed_and_one_plain() -> None:
    """The README's 150-character reminder costs what the README says."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("### What an SMS costs", 1)[1]
    example = " ".join(
        line.removeprefix("> ")
        for line in section.splitlines()
        if line.startswith("> ")
    )
    assert len(example) == 150
    assert (encoding(example), segments(example)) == ("ucs2", 3)
    assert "mañana" in plain(example)
    assert (encoding(plain(example)), segments(plain(example))) == ("gsm7", 1)
