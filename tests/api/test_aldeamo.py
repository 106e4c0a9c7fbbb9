"""AldeamoClient against the simulator: every call, and exactly what goes over the wire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.latam_messaging.api import (
    COLOMBIA,
    AldeamoClient,
    AuthenticationError,
    ProviderError,
    parse_aldeamo_user,
)
from tests.const import ALDEAMO_KEY
from tests.simulator import Simulator


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> AldeamoClient:
    """Return a client for the simulator's Aldeamo bot."""
    return AldeamoClient(
        session, ALDEAMO_KEY, url=simulator.aldeamo_url, source="home-assistant-test/1"
    )


async def test_users_sends_auth_as_header_and_query_and_keeps_strings(
    client: AldeamoClient, simulator: Simulator
) -> None:
    """GET /users carries `auth` and `channel` in the query and `auth` as a header."""
    simulator.aldeamo.add_user("whatsapp", "50767212797", name="Humberto Zamora")
    simulator.aldeamo.add_user("whatsapp", "573107856908")

    users = await client.users("whatsapp")

    assert [(u.user_id, u.name, u.phone) for u in users] == [
        ("50767212797", "Humberto Zamora", "50767212797"),
        ("573107856908", None, "573107856908"),
    ]
    assert users[0].id == "1"
    assert users[0].last_active is not None
    assert users[0].last_active.tzinfo is COLOMBIA
    (request,) = simulator.requests_to("aldeamo")
    assert (request.method, request.path) == ("GET", "/users")
    assert request.query == {"auth": ALDEAMO_KEY, "channel": "whatsapp"}
    assert request.header("auth") == ALDEAMO_KEY
    assert request.header("Accept") == "application/json"
    assert request.header("X-API-Source") == "home-assistant-test/1"
    assert request.body == b""


async def test_messages_returns_what_the_user_wrote_oldest_first(
    client: AldeamoClient, simulator: Simulator
) -> None:
    """GET /messages carries the user's id as `client_id`; times are Unix seconds."""
    simulator.aldeamo.write("facebook", "50760816607", "Hola bot")
    simulator.advance(5)
    simulator.aldeamo.write("facebook", "50760816607", "menú")

    messages = await client.messages("facebook", "50760816607")

    assert [m.message for m in messages] == ["Hola bot", "menú"]
    assert all(m.user_id == "50760816607" for m in messages)
    assert int(messages[0].id) < int(messages[1].id)
    first_time, second_time = (m.time for m in messages)
    assert first_time is not None
    assert second_time is not None
    assert second_time - first_time == timedelta(seconds=5)
    assert first_time.tzinfo is UTC
    (request,) = simulator.requests_to("aldeamo")
    assert request.query == {
        "auth": ALDEAMO_KEY,
        "channel": "facebook",
        "client_id": "50760816607",
    }


async def test_messages_of_a_user_who_never_wrote_are_empty(
    client: AldeamoClient,
) -> None:
    """No messages is an empty tuple, not an error."""
    assert await client.messages("web", "nobody") == ()


async def test_send_posts_form_fields_and_returns_the_new_message_id(
    client: AldeamoClient, simulator: Simulator
) -> None:
    """POST /messages is a form with auth, channel, client_id and msg."""
    simulator.aldeamo.add_user("facebook", "2291837465")

    message_id = await client.send("facebook", "2291837465", "¡Gracias por escribir!")

    assert isinstance(message_id, str)
    (sent,) = simulator.aldeamo.sent
    assert (sent.channel, sent.client_id, sent.msg, str(sent.id)) == (
        "facebook",
        "2291837465",
        "¡Gracias por escribir!",
        message_id,
    )
    (request,) = simulator.requests_to("aldeamo", "POST", "/messages")
    assert request.query == {}
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    assert request.header("auth") == ALDEAMO_KEY
    assert request.form == {
        "auth": ALDEAMO_KEY,
        "channel": "facebook",
        "client_id": "2291837465",
        "msg": "¡Gracias por escribir!",
    }


async def test_sms_can_go_to_any_number(
    client: AldeamoClient, simulator: Simulator
) -> None:
    """The seed lists sms as a sending channel; it needs no prior conversation."""
    assert await client.send("sms", "573001112222", "Código 4821")
    assert simulator.aldeamo.sent[0].channel == "sms"


async def test_a_refusal_carries_the_providers_code_and_message(
    client: AldeamoClient,
) -> None:
    """A `status` false becomes ProviderError with the provider's own words."""
    with pytest.raises(ProviderError) as caught:
        await client.send("facebook", "unknown-user", "Hola")

    assert caught.value.code == "4"
    assert (
        caught.value.message == "El cliente unknown-user no existe en el canal facebook"
    )


async def test_an_unknown_channel_is_refused_by_the_provider(
    client: AldeamoClient,
) -> None:
    """The provider's message names the channel."""
    with pytest.raises(ProviderError, match="Canal no válido: telegram"):
        await client.users("telegram")


async def test_a_wrong_key_is_an_authentication_error(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """HTTP 401 becomes AuthenticationError."""
    client = AldeamoClient(session, "wrong-key", url=simulator.aldeamo_url)

    with pytest.raises(AuthenticationError, match="Token de autenticación inválido"):
        await client.users("web")


async def test_date_fields_are_colombia_wall_clock(
    client: AldeamoClient, simulator: Simulator
) -> None:
    """last_active is written in Colombia time; it is read back as the same moment."""
    user = simulator.aldeamo.add_user("web", "web-1")
    expected = datetime.strptime(user.last_active, "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=COLOMBIA
    )

    (parsed,) = await client.users("web")

    assert parsed.last_active == expected
    assert parsed.date_created == expected


@pytest.mark.parametrize("count", [3, 2500])
async def test_listed_users_decide_like_the_full_models(
    client: AldeamoClient, simulator: Simulator, count: int
) -> None:
    """The light listing (read in a worker thread when long) agrees with the models.

    Its stamp is the full model's `last_active` as cursors keep it; a user is built
    in full from its row only when it moved, and that cannot fail.
    """
    for index in range(count):
        simulator.aldeamo.add_user(
            "whatsapp", f"5730{index:08d}", name=f"Usuario {index}"
        )

    listed = await client.listed_users("whatsapp")
    users = await client.users("whatsapp")

    assert [u.user_id for u in listed] == [u.user_id for u in users]
    assert [u.name for u in listed] == [u.name for u in users]
    assert [u.stamp for u in listed] == [u.stamp for u in users]
    assert all(u.stamp is not None and u.stamp.endswith("-05:00") for u in listed)
    assert [parse_aldeamo_user(u.row) for u in listed] == list(users)
    assert len(simulator.requests_to("aldeamo")) == 2
