"""The input rules accept exactly what the spec allows (property-based)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import unicodedata

from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
from hypothesis import assume, example, given, settings, strategies as st
import pytest

from custom_components.latam_messaging.const import SMS_MAX_LENGTH
from custom_components.latam_messaging.sms_parts import plain
from custom_components.latam_messaging.validation import (
    bot_target,
    phone_number,
    phone_numbers,
    schedule_time,
    sms_text,
)
from tests.sms_parts_cases import DEFAULT_ALPHABET_BY_POSITION, EXTENSION_BY_POSITION

SEPARATORS = " -.()"
SEVEN_BIT = {c for row in DEFAULT_ALPHABET_BY_POSITION for c in row if c} | {
    c for _, c in EXTENSION_BY_POSITION
}


def spec_reads(raw: str) -> str:
    """Apply the spec's rule, written independently of the code under test.

    Return the digits dialled, or the error: "invalid" (not a number) or "local"
    (digits without + that are not a number of the default country, 57).
    """
    text = raw.strip()
    international = text.startswith("+")
    text = text.removeprefix("+")
    if any(char not in "0123456789" + SEPARATORS for char in text):
        return "invalid"
    digits = "".join(char for char in text if char in "0123456789")
    if international:
        return digits if 8 <= len(digits) <= 15 else "invalid"
    if not digits:
        return "invalid"
    if len(digits) == 10:
        return "57" + digits
    if len(digits) == 12 and digits.startswith("57"):
        return digits
    return "local"


formatted_numbers = st.builds(
    lambda plus, digits, seps: (
        ("+" if plus else "")
        + "".join(d + s for d, s in zip(digits, seps, strict=False))
        + digits[len(seps) :]
    ),
    st.booleans(),
    st.text("0123456789", min_size=1, max_size=20),
    st.lists(st.sampled_from(["", "", " ", "-", ".", "(", ")", " - "]), max_size=20),
)


@settings(max_examples=500, deadline=None)
@given(raw=formatted_numbers | st.text(max_size=30))
@example(raw="+57 (300) 111-2222")
@example(raw="300.111.2222")
@example(raw="57300+1112222")
@example(raw="١٢٣٤٥٦٧٨٩")  # Arabic-Indic digits are digits, but not the spec's
@example(raw="")
@example(raw="310 555 66")  # a digit pair missing: refused, never saved as 8 digits
@example(raw="57 310 555 6677")
@example(raw="+1 415 555 0100")
def test_a_number_is_accepted_exactly_when_the_spec_allows_it(raw: str) -> None:
    """With +, 8 to 15 digits; without, a 10-digit mobile or 57 and one; else refused."""
    expected = spec_reads(raw)
    if expected not in {"invalid", "local"}:
        assert phone_number(raw, "57") == expected
    else:
        with pytest.raises(ServiceValidationError) as caught:
            phone_number(raw, "57")
        assert caught.value.translation_key == (
            "invalid_phone_number" if expected == "invalid" else "local_phone_number"
        )


@settings(max_examples=200, deadline=None)
@given(numbers=st.lists(st.text("0123456789", min_size=8, max_size=15), min_size=1))
def test_duplicates_are_sent_once_in_the_order_given(numbers: list[str]) -> None:
    """Whatever the repetition, each number appears once, first occurrence first."""
    doubled = ["+" + number for number in [*numbers, *reversed(numbers)]]
    assert phone_numbers(doubled, "57") == list(dict.fromkeys(numbers))
    assert phone_numbers(",".join(doubled), "57") == list(dict.fromkeys(numbers))


@settings(max_examples=300, deadline=None)
@given(message=st.text(max_size=200), title=st.none() | st.text(max_size=40))
@example(message="Alarma", title="   ")
@example(message="Alarma\x1b[31m", title=None)
@example(message="Línea 1\nLínea 2\tfin", title="Casa")
def test_an_sms_is_accepted_when_title_and_message_fit_in_160(
    message: str, title: str | None
) -> None:
    """Non-blank message; title plus newline plus message at most 160 characters."""
    has_title = title is not None and bool(title.strip())
    joined = f"{title}\n{message}" if has_title else message
    controls = [
        c for c in joined if unicodedata.category(c) == "Cc" and c not in "\n\r\t"
    ]
    if not message.strip() or (has_title and not title.strip()):
        with pytest.raises(ServiceValidationError) as caught:
            sms_text(message, title)
        assert caught.value.translation_key == "empty_message"
    elif controls:
        with pytest.raises(ServiceValidationError) as caught:
            sms_text(message, title)
        assert caught.value.translation_key == "control_characters"
    elif len(joined) > SMS_MAX_LENGTH:
        with pytest.raises(ServiceValidationError) as caught:
            sms_text(message, title)
        seven_bit = all(char in SEVEN_BIT for char in joined)
        assert caught.value.translation_key == (
            "message_too_long" if seven_bit else "message_too_long_ucs2"
        )
        assert caught.value.translation_placeholders == {
            "length": str(len(joined)),
            "limit": "160",
        }
    else:
        assert sms_text(message, title) == joined


@settings(max_examples=300, deadline=None)
@given(
    message=st.text(
        alphabet=st.sampled_from("aáoóeé…“” 😀\t\n€"), min_size=1, max_size=200
    ),
    title=st.none() | st.text(alphabet="TíÍ…", max_size=20),
)
@example(message="ó" * 160, title=None)
@example(message="a" * 159 + "…", title=None)
def test_with_plain_alphabet_the_limit_applies_to_the_folded_text(
    message: str, title: str | None
) -> None:
    """The text sent is the folded one; over 160 folded characters it is refused as such."""
    assume(message.strip())  # a blank message is the test above's
    joined = f"{title}\n{message}" if title else message
    sent = plain(joined)
    if len(sent) > SMS_MAX_LENGTH:
        with pytest.raises(ServiceValidationError) as caught:
            sms_text(message, title, plain_alphabet=True)
        # plain_alphabet is already on: no hint to turn it on.
        assert caught.value.translation_key == "message_too_long"
        assert caught.value.translation_placeholders == {
            "length": str(len(sent)),
            "limit": "160",
        }
    else:
        assert sms_text(message, title, plain_alphabet=True) == sent


@settings(max_examples=200, deadline=None)
@given(offset=st.integers(min_value=-(10**6), max_value=10**6))
def test_a_schedule_time_is_accepted_only_in_the_future(offset: int) -> None:
    """Aware and naive (local) times alike: strictly after now."""
    now = dt_util.utcnow()
    aware = now + timedelta(seconds=offset)
    naive_local = dt_util.as_local(aware).replace(tzinfo=None)
    for value in (aware, naive_local):
        if offset > 5:
            # To the next whole minute, never earlier (Elibom schedules to the minute).
            moment = schedule_time(value)
            assert moment >= aware.astimezone(UTC)
            assert moment - aware < timedelta(minutes=1)
            assert (moment.second, moment.microsecond) == (0, 0)
        elif offset < -5:
            with pytest.raises(ServiceValidationError) as caught:
                schedule_time(value)
            assert caught.value.translation_key == "schedule_in_past"


def test_a_naive_schedule_time_is_home_assistants_local_time() -> None:
    """The same wall-clock time means another moment in another time zone."""
    tomorrow_noon = (dt_util.now() + timedelta(days=1)).replace(
        hour=12, minute=0, second=0, microsecond=0, tzinfo=None
    )
    expected = dt_util.as_utc(
        tomorrow_noon.replace(tzinfo=dt_util.get_default_time_zone())
    )
    assert schedule_time(tomorrow_noon) == expected
    assert isinstance(tomorrow_noon, datetime)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("whatsapp:573001112222", ("whatsapp", "573001112222")),
        ("facebook: 2291837465 ", ("facebook", "2291837465")),
        ("web:web-8f2c", ("web", "web-8f2c")),
        ("sms:573001112222", ("sms", "573001112222")),
    ],
)
def test_bot_targets_are_channel_colon_user(
    target: str, expected: tuple[str, str]
) -> None:
    """A classic notify target names the channel and the user's id."""
    assert bot_target(target) == expected


@pytest.mark.parametrize(
    ("target", "key"),
    [
        ("573001112222", "invalid_target"),
        (":573001112222", "invalid_target"),
        ("whatsapp:", "invalid_target"),
        ("telegram:1", "invalid_channel"),
        ("whatsapp:a b", "invalid_client_id"),
        ("whatsapp:" + "9" * 200, "invalid_client_id"),
    ],
)
def test_malformed_bot_targets_are_refused_by_name(target: str, key: str) -> None:
    """Each way of getting a target wrong has its own error."""
    with pytest.raises(ServiceValidationError) as caught:
        bot_target(target)
    assert caught.value.translation_key == key
