"""Parsing: lenient with what providers really send, and never any error but one."""

from __future__ import annotations

from collections.abc import Callable
import contextlib
from datetime import UTC, datetime
import json
from typing import Any

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.latam_messaging.api import COLOMBIA, UnparseableResponseError
from custom_components.latam_messaging.api.aldeamo_models import (
    list_aldeamo_users,
    parse_aldeamo_envelope,
    parse_aldeamo_messages,
    parse_aldeamo_sent,
    parse_aldeamo_user,
    parse_aldeamo_users,
)
from custom_components.latam_messaging.api.elibom_models import (
    parse_elibom_account,
    parse_elibom_delivery,
    parse_elibom_schedule,
    parse_elibom_schedules,
    parse_elibom_send,
    parse_elibom_users,
)
from custom_components.latam_messaging.api.transport import decode_json

PARSERS: list[Callable[[Any], object]] = [
    parse_elibom_account,
    parse_elibom_users,
    lambda payload: parse_elibom_delivery(payload, "1"),
    parse_elibom_schedule,
    parse_elibom_schedules,
    lambda payload: parse_elibom_send(payload, "deliveryToken"),
    parse_aldeamo_envelope,
    parse_aldeamo_users,
    list_aldeamo_users,
    parse_aldeamo_messages,
    parse_aldeamo_sent,
]


def test_the_seeds_delivery_example_parses() -> None:
    """The delivery example of Elibom's documentation, with its number ids."""
    delivery = parse_elibom_delivery(
        {
            "deliveryId": "1-2347558688",
            "numSent": 1,
            "numFailed": 0,
            "status": "finished",
            "messages": [
                {
                    "id": 747465,
                    "user": {"id": 2455, "url": "https://www.elibom.com/users/2455"},
                    "to": "573132111111",
                    "operator": "Claro (Colombia)",
                    "text": "Esto es una prueba",
                    "status": "sent",
                    "statusDetail": "sent",
                    "credits": 1.8,
                    "from": "2222",
                    "createdAt": "2013-06-24 10:13:00",
                    "sentAt": "2013-06-24 10:13:00",
                    "source": "api",
                }
            ],
        },
        "ignored",
    )

    assert delivery.delivery_token == "1-2347558688"
    (message,) = delivery.messages
    assert message.id == "747465"
    assert message.sender == "2222"
    assert message.sent_at == datetime(2013, 6, 24, 10, 13, tzinfo=COLOMBIA)


def test_a_delivery_without_its_id_keeps_the_token_asked_for() -> None:
    """Missing counters are zero and a missing id is the token we asked about."""
    delivery = parse_elibom_delivery({"status": "created"}, "42")
    assert (delivery.delivery_token, delivery.num_sent, delivery.messages) == (
        "42",
        0,
        (),
    )


def test_a_file_schedule_has_no_destinations() -> None:
    """Schedules made from a spreadsheet carry fileName instead of destinations."""
    schedule = parse_elibom_schedule(
        {
            "id": 34,
            "scheduledTime": "2013-05-23 10:23:00",
            "creationTime": "2012-09-23 22:00:00",
            "status": "scheduled",
            "isFile": True,
            "fileName": "test.xls",
            "fileHasText": False,
            "text": "Esto es una prueba",
        }
    )
    assert (
        schedule.id,
        schedule.is_file,
        schedule.destinations,
        schedule.file_name,
    ) == (
        "34",
        True,
        (),
        "test.xls",
    )


@pytest.mark.parametrize(
    ("credits", "expected"),
    [(10, 10.0), (1.8, 1.8), ("2,5", 2.5), ("7", 7.0), (None, None)],
)
def test_credits_accept_numbers_and_numeric_text(
    credits: object, expected: float | None
) -> None:
    """Credits may be a number or text; missing credits are unknown, not zero."""
    account = parse_elibom_account({"name": "x", "credits": credits})
    assert account.credits == expected
    assert account.owner_id is None


@pytest.mark.parametrize(
    "credits", ["NaN", "inf", "ten", True, [1], 10**400, float("inf")]
)
def test_credits_that_are_not_a_finite_number_are_unparseable(credits: object) -> None:
    """Only finite numbers are credits."""
    with pytest.raises(UnparseableResponseError, match="credits"):
        parse_elibom_account({"name": "x", "credits": credits})


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "expected a JSON object for account"),
        ({}, "name is missing"),
        ({"name": 5}, "name should be text"),
        ({"name": "x", "owner": {"id": True}}, "id should be an id"),
        ({"name": "x", "owner": {"id": 1.5}}, "id should be an id"),
        ({"name": "x", "owner": {"id": "  "}}, "id should be an id"),
    ],
)
def test_malformed_accounts_name_the_bad_field(payload: object, message: str) -> None:
    """The error says which field was wrong."""
    with pytest.raises(UnparseableResponseError, match=message):
        parse_elibom_account(payload)


def test_times_in_both_elibom_formats_and_bad_times() -> None:
    """Elibom writes seconds or only minutes; anything else is unparseable."""
    base = {"id": "1", "creationTime": "2026-01-02 03:04"}
    assert parse_elibom_schedule(base).creation_time == datetime(
        2026, 1, 2, 3, 4, tzinfo=COLOMBIA
    )
    assert parse_elibom_schedule(base | {"creationTime": ""}).creation_time is None
    with pytest.raises(UnparseableResponseError, match="creationTime is not a time"):
        parse_elibom_schedule(base | {"creationTime": "02/01/2026"})


def test_aldeamo_envelope_success_and_its_variants() -> None:
    """Success needs a true status and a codigo of 0 (or none)."""
    assert parse_aldeamo_envelope({"status": True, "codigo": 0, "data": 1}).ok
    assert parse_aldeamo_envelope({"status": "true", "codigo": "0"}).ok
    assert parse_aldeamo_envelope({"status": True}).ok
    refused = parse_aldeamo_envelope({"status": True, "codigo": 7, "message": "No"})
    assert (refused.ok, refused.code, refused.message) == (False, "7", "No")
    assert not parse_aldeamo_envelope({"status": False, "codigo": 0}).ok


def test_aldeamo_null_data_means_nothing() -> None:
    """A null data list is an empty one."""
    assert parse_aldeamo_users(None) == ()
    assert parse_aldeamo_messages(None) == ()


def test_aldeamo_message_times_are_unix_seconds() -> None:
    """`time` is a Unix timestamp in a string; empty or unreadable is unknown."""
    (message,) = parse_aldeamo_messages(
        [{"id": "10", "user_id": "5076", "message": "Hola", "time": "1556826151"}]
    )
    assert message.time == datetime(2019, 5, 2, 19, 42, 31, tzinfo=UTC)
    (untimed,) = parse_aldeamo_messages([{"id": 11, "user_id": 5076, "time": ""}])
    assert (untimed.id, untimed.user_id, untimed.message, untimed.time) == (
        "11",
        "5076",
        "",
        None,
    )
    # One unreadable time loses the time, never the message.
    (unreadable,) = parse_aldeamo_messages(
        [{"id": "1", "user_id": "2", "time": "ayer"}]
    )
    assert (unreadable.id, unreadable.time) == ("1", None)


def test_one_unreadable_record_is_skipped_and_the_others_kept() -> None:
    """A null id or a bad row among good ones drops that row only."""
    users = parse_aldeamo_users(
        [
            {"id": "1", "user_id": "5076", "last_active": "2026-12-02 10:00:00"},
            {"id": "2", "user_id": None},
            "not a row",
            {"id": "3", "user_id": "5077", "last_active": "2026-02-30 10:00:00"},
        ]
    )
    assert [(u.user_id, u.last_active is None) for u in users] == [
        ("5076", False),
        ("5077", True),
    ]


ODD_ROWS: list[Any] = [
    {"id": "1", "user_id": "5076", "last_active": "2026-12-02 10:00:00"},
    {"id": "2", "user_id": None},
    "not a row",
    {"id": "3", "user_id": "5077", "last_active": "2026-02-30 10:00:00"},
    {"id": 4, "user_id": 5078, "last_active": "2026-12-02 10:00"},
    {"id": "5", "user_id": "5079", "last_active": 1764687600},
    {"id": "6", "user_id": "5080", "name": 7},
    {"id": "7", "user_id": "5081", "phone": True},
    {"id": "8", "user_id": "5082", "last_active": "2026-12-02T10:00:00"},
]


def test_the_light_listing_keeps_and_skips_what_the_models_do() -> None:
    """Users are decided on their rows: the same users, the same stamps as the models."""
    listed = list_aldeamo_users(ODD_ROWS)
    users = parse_aldeamo_users(ODD_ROWS)
    assert [u.user_id for u in listed] == [u.user_id for u in users]
    assert [u.user_id for u in listed] == ["5076", "5077", "5078", "5079", "5082"]
    assert [u.stamp for u in listed] == [u.stamp for u in users]
    assert [u.stamp for u in listed] == [
        "2026-12-02T10:00:00-05:00",
        None,
        "2026-12-02T10:00:00-05:00",
        None,
        None,
    ]
    assert [parse_aldeamo_user(u.row) for u in listed] == list(users)


def test_aldeamo_sent_id_is_a_number_or_an_object() -> None:
    """The seed shows `"data": 32`; an object with an id is accepted too."""
    assert parse_aldeamo_sent(32) == "32"
    assert parse_aldeamo_sent({"id": "33"}) == "33"
    with pytest.raises(UnparseableResponseError):
        parse_aldeamo_sent(None)


def test_aldeamo_user_without_a_row_id_uses_its_user_id() -> None:
    """The row id is optional; the user id is what matters."""
    (user,) = parse_aldeamo_users([{"user_id": "573001112222"}])
    assert (user.id, user.user_id, user.last_active) == (
        "573001112222",
        "573001112222",
        None,
    )


@pytest.mark.parametrize(
    ("body", "charset", "expected"),
    [
        (b"", None, None),
        (b"  \n", "utf-8", None),
        ('{"name": "Peña"}'.encode("iso-8859-1"), "ISO-8859-1", {"name": "Peña"}),
        ('{"name": "Peña"}'.encode(), None, {"name": "Peña"}),
    ],
)
def test_bodies_decode_with_the_charset_the_server_names(
    body: bytes, charset: str | None, expected: object
) -> None:
    """The named charset wins; UTF-8 when none is named; empty is None."""
    assert decode_json(body, charset) == expected


@pytest.mark.parametrize(
    ("body", "charset"),
    [
        ('{"name": "Peña"}'.encode("iso-8859-1"), None),
        (b'{"a": 1}', "klingon-8"),
        (b"[" * 100_000, "utf-8"),
        (b"<html>", "utf-8"),
    ],
)
def test_undecodable_bodies_are_unparseable(body: bytes, charset: str | None) -> None:
    """Wrong bytes, an unknown charset, absurd nesting or HTML: one error type."""
    with pytest.raises(UnparseableResponseError, match="not valid JSON"):
        decode_json(body, charset)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=12), children, max_size=6)
    ),
    max_leaves=30,
)
shaped_like_answers = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        [
            *("name", "credits", "owner", "id", "to", "status", "statusDetail"),
            *("messages", "numSent", "deliveryId", "scheduledTime", "isFile"),
            *("destinations", "deliveryToken", "scheduleId", "codigo", "data"),
            *("user_id", "time", "last_active", "message"),
        ],
        json_values,
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    payload=json_values
    | shaped_like_answers
    | st.lists(shaped_like_answers, max_size=3)
)
def test_any_json_becomes_a_model_or_the_unparseable_error(payload: object) -> None:
    """Whatever JSON a provider sends, parsing raises nothing but UnparseableResponseError."""
    for parse in PARSERS:
        with contextlib.suppress(UnparseableResponseError):
            parse(payload)


@settings(max_examples=300, deadline=None)
@given(
    body=st.binary(max_size=200)
    | json_values.map(lambda value: json.dumps(value).encode()),
    charset=st.sampled_from([None, "utf-8", "ISO-8859-1", "utf-16", "ascii", "bogus"]),
)
def test_any_bytes_in_any_charset_decode_or_raise_unparseable(
    body: bytes, charset: str | None
) -> None:
    """Decoding never raises anything but UnparseableResponseError."""
    with contextlib.suppress(UnparseableResponseError):
        decode_json(body, charset)
