"""Elibom's send_sms sending now, to one number or as a broadcast in chunks, against the simulator."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import BROADCAST_CHUNK_SIZE
from tests.conftest import setup_entry
from tests.elibom_action_helpers import PENDING, send_failing, send_sms, sms_posts
from tests.helpers import state_of
from tests.simulator import FaultKind, Simulator

# send_sms now -----------------------------------------------------------------------


async def test_send_sms_posts_normalised_unique_numbers_once_and_returns_the_token(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Separators and leading + go, 10-digit numbers get 57, duplicates go once, one POST."""
    await setup_entry(hass, elibom_entry)
    assert state_of(hass, PENDING) == "0"

    response = await send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": [
                "+57 300 111 2222",
                "(300) 444-5555",
                "300.777.8888",
                "573001112222",
                "+1 (415) 555-0100",
            ],
            "message": "Alarma: puerta abierta",
        },
    )

    (post,) = sms_posts(simulator)
    assert post.json == {
        "to": "573001112222,573004445555,573007778888,14155550100",
        "text": "Alarma: puerta abierta",
    }
    assert response == {
        "delivery_tokens": list(simulator.elibom.deliveries),
        "encoding": "gsm7",
        "segments": 1,
    }
    assert len(response["delivery_tokens"]) == 1
    assert state_of(hass, PENDING) == "1"


async def test_send_sms_accepts_one_comma_separated_string_of_numbers(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """`to` written as one string is split on commas, like a list."""
    await setup_entry(hass, elibom_entry)

    response = await send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "3001112222, +57-300-444-5555,3001112222",
            "message": "Hola",
        },
    )

    (post,) = sms_posts(simulator)
    assert post.json == {"to": "573001112222,573004445555", "text": "Hola"}
    (token,) = response["delivery_tokens"]
    assert token in simulator.elibom.deliveries


async def test_a_message_of_exactly_160_characters_is_sent(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The limit itself is allowed: 160 characters go out unchanged."""
    await setup_entry(hass, elibom_entry)
    text = "x" * 160

    await send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "573001112222",
            "message": text,
        },
    )

    (post,) = sms_posts(simulator)
    assert post.json["text"] == text


# Broadcast ----------------------------------------------------------------------------


def _numbers(count: int) -> list[str]:
    return [f"57310{index:07d}" for index in range(count)]


async def test_a_broadcast_to_250_numbers_goes_in_three_chunks_all_followed(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Chunks of at most BROADCAST_CHUNK_SIZE, one token each, every one tracked."""
    await setup_entry(hass, elibom_entry)
    numbers = _numbers(250)

    response = await send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": numbers,
            "message": "Corte de agua mañana",
        },
    )

    posts = sms_posts(simulator)
    assert len(posts) == 3
    chunks = [post.json["to"].split(",") for post in posts]
    assert all(len(chunk) <= BROADCAST_CHUNK_SIZE for chunk in chunks)
    assert sorted(number for chunk in chunks for number in chunk) == sorted(numbers)
    assert {post.json["text"] for post in posts} == {"Corte de agua mañana"}
    tokens = response["delivery_tokens"]
    assert len(tokens) == 3
    assert sorted(tokens) == sorted(simulator.elibom.deliveries)
    assert state_of(hass, PENDING) == "3"


async def test_a_broadcast_with_one_failed_chunk_keeps_following_the_accepted_ones(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The error says how many numbers were accepted; their deliveries stay tracked."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(
        FaultKind.STATUS, count=1, status=503, method="POST", path="/messages"
    )

    err = await send_failing(hass, elibom_entry, _numbers(250))

    posts = sms_posts(simulator)
    assert len(posts) == 3
    accepted = sum(
        len(post.json["to"].split(",")) for post in posts if post.fault is None
    )
    assert accepted in (150, 200)
    assert err.translation_key == "broadcast_partly_failed"
    assert f"{accepted} of 250" in str(err)
    for token in simulator.elibom.deliveries:
        assert token in str(err)
    assert len(simulator.elibom.deliveries) == 2
    assert state_of(hass, PENDING) == "2"
