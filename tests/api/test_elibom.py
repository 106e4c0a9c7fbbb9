"""ElibomClient against the simulator: every call, and exactly what goes over the wire."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from custom_components.latam_messaging.api import (
    COLOMBIA,
    AuthenticationError,
    ConflictError,
    ElibomClient,
    NotFoundError,
)
from custom_components.latam_messaging.api.elibom import schedule_date
from tests.const import ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import Simulator


@pytest.fixture
def client(simulator: Simulator, session: aiohttp.ClientSession) -> ElibomClient:
    """Return a client for the simulator's Elibom account."""
    return ElibomClient(
        session,
        ELIBOM_USER,
        ELIBOM_TOKEN,
        url=simulator.elibom_url,
        source="home-assistant-latam_messaging/0.1.0",
    )


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


async def test_send_posts_comma_joined_numbers_and_returns_the_token_as_text(
    client: ElibomClient, simulator: Simulator
) -> None:
    """POST /messages carries `to` comma-joined, JSON headers, Basic auth and the source."""
    token = await client.send(
        ["573001112222", "573004445555"], "Alarma: puerta abierta"
    )

    assert isinstance(token, str)
    assert token.isdigit()
    (request,) = simulator.requests_to("elibom")
    assert (request.method, request.path, request.query) == ("POST", "/messages", {})
    assert request.json == {
        "to": "573001112222,573004445555",
        "text": "Alarma: puerta abierta",
    }
    assert request.header("Accept") == "application/json"
    assert request.header("Content-Type") == "application/json"
    assert request.header("Authorization") == _basic(ELIBOM_USER, ELIBOM_TOKEN)
    assert request.header("X-API-Source") == "home-assistant-latam_messaging/0.1.0"


async def test_schedule_sends_colombia_wall_clock_time_and_returns_the_schedule_id(
    client: ElibomClient, simulator: Simulator
) -> None:
    """The `scheduleDate` is yyyy-MM-dd HH:mm in Colombia time, whatever zone the caller used."""
    when = datetime(2030, 12, 25, 0, 10, 42, tzinfo=UTC)

    schedule_id = await client.schedule(["573001112222"], "Feliz Navidad", when)

    assert schedule_id == "1410774"
    (request,) = simulator.requests_to("elibom", "POST", "/messages")
    assert request.json == {
        "to": "573001112222",
        "text": "Feliz Navidad",
        "scheduleDate": "2030-12-24 19:10",
    }


def test_schedule_date_refuses_a_naive_time() -> None:
    """A time without a zone is ambiguous: the caller must decide."""
    with pytest.raises(ValueError, match="time zone"):
        schedule_date(datetime(2030, 1, 1, 8, 0))  # noqa: DTZ001


async def test_delivery_follows_created_running_finished(
    client: ElibomClient, simulator: Simulator
) -> None:
    """A delivery moves on as time passes; unknown detail values come through untouched."""
    token = await client.send(["573001112222"], "Hola")

    created = await client.delivery(token)
    assert (created.delivery_token, created.status, created.messages) == (
        token,
        "created",
        (),
    )

    simulator.advance(10)
    running = await client.delivery(token)
    assert running.status == "running"
    assert [(m.status, m.status_detail) for m in running.messages] == [
        ("pending", "processed")
    ]

    simulator.advance(60)
    finished = await client.delivery(token)
    assert (finished.status, finished.num_sent, finished.num_failed) == (
        "finished",
        1,
        0,
    )
    (message,) = finished.messages
    assert message.to == "573001112222"
    assert (message.status, message.status_detail) == ("sent", "sent")
    assert message.operator == "Claro (Colombia)"
    assert message.credits == 1.8
    assert message.id is not None
    assert message.sent_at is not None
    assert message.sent_at.tzinfo is COLOMBIA
    (request,) = simulator.requests_to("elibom", "GET", f"/messages/{token}")[-1:]
    assert request.header("Authorization") == _basic(ELIBOM_USER, ELIBOM_TOKEN)
    assert request.body == b""


async def test_a_number_the_provider_rejects_fails_with_invalid_destination(
    client: ElibomClient, simulator: Simulator
) -> None:
    """The failure detail reaches the caller; a delivery with no success is `failed`."""
    simulator.elibom.invalid_numbers.add("573009990000")
    token = await client.send(["573009990000"], "Hola")
    simulator.advance(60)

    delivery = await client.delivery(token)

    assert (delivery.status, delivery.num_sent, delivery.num_failed) == ("failed", 0, 1)
    assert delivery.messages[0].status_detail == "invalid_destination"


async def test_delivery_is_not_found_after_48_hours(
    client: ElibomClient, simulator: Simulator
) -> None:
    """The provider forgets deliveries after about 48 h and answers 404."""
    token = await client.send(["573001112222"], "Hola")
    simulator.advance(48 * 3600 + 1)

    with pytest.raises(NotFoundError, match="404"):
        await client.delivery(token)


async def test_scheduled_lists_pending_schedules_then_executes_them(
    client: ElibomClient, simulator: Simulator
) -> None:
    """A schedule is listed until its time, then reported `executed`, and cannot be cancelled."""
    when = simulator.clock.now() + timedelta(hours=2)
    schedule_id = await client.schedule(["573001112222", "573004445555"], "Pagar", when)

    (listed,) = await client.scheduled()
    assert listed.id == schedule_id
    assert listed.destinations == ("573001112222", "573004445555")
    assert listed.text == "Pagar"
    assert listed.is_file is False
    assert listed.scheduled_time == when.replace(second=0, microsecond=0)
    assert (await client.schedule_status(schedule_id)).status == "scheduled"

    simulator.advance(2 * 3600 + 60)
    assert await client.scheduled() == ()
    assert (await client.schedule_status(schedule_id)).status == "executed"
    with pytest.raises(ConflictError, match="409"):
        await client.cancel(schedule_id)
    assert [r.path for r in simulator.requests_to("elibom", "GET")] == [
        "/schedules/scheduled",
        f"/schedules/{schedule_id}",
        "/schedules/scheduled",
        f"/schedules/{schedule_id}",
    ]


async def test_cancel_sends_delete_and_the_schedule_is_gone(
    client: ElibomClient, simulator: Simulator
) -> None:
    """DELETE answers 200 with an empty body; afterwards the schedule is unknown."""
    when = simulator.clock.now() + timedelta(days=1)
    schedule_id = await client.schedule(["573001112222"], "Cita médica", when)

    assert await client.cancel(schedule_id) is None

    (request,) = simulator.requests_to("elibom", "DELETE")
    assert request.path == f"/schedules/{schedule_id}"
    assert await client.scheduled() == ()
    with pytest.raises(NotFoundError):
        await client.schedule_status(schedule_id)
    with pytest.raises(NotFoundError):
        await client.cancel(schedule_id)


async def test_account_decodes_iso_8859_1_and_reports_credits_left(
    client: ElibomClient, simulator: Simulator
) -> None:
    """The account name arrives in ISO-8859-1; credits drop by the price of each number."""
    await client.send(["573001112222", "573004445555"], "Hola")

    account = await client.account()

    assert account.name == ELIBOM_ACCOUNT_NAME
    assert account.credits == pytest.approx(100.0 - 2 * 1.8)
    assert account.type == "prepaid"
    assert account.owner_id is not None
    (request,) = simulator.requests_to("elibom", "GET", "/account")
    assert request.header("Accept") == "application/json"
    assert request.header("Content-Type") is None


async def test_users_and_one_user_keep_ids_as_text(
    client: ElibomClient, simulator: Simulator
) -> None:
    """User ids come as numbers on the wire and are kept as strings."""
    users = await client.users()

    assert [(u.email, u.status) for u in users] == [(ELIBOM_USER, "active")]
    assert isinstance(users[0].id, str)
    assert await client.user(users[0].id) == users[0]
    with pytest.raises(NotFoundError):
        await client.user("999999")
    assert [r.path for r in simulator.requests_to("elibom")] == [
        "/users",
        f"/users/{users[0].id}",
        "/users/999999",
    ]


async def test_a_wrong_api_password_is_an_authentication_error(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """401 becomes AuthenticationError, carrying the provider's own description."""
    client = ElibomClient(session, ELIBOM_USER, "wrong", url=simulator.elibom_url)

    with pytest.raises(AuthenticationError, match="Usuario o contraseña inválidos"):
        await client.account()


@pytest.mark.parametrize("bad_id", ["", "../account", "12/34", "1 2", "x?y=1"])
async def test_ids_that_would_change_the_path_are_refused_before_any_request(
    client: ElibomClient, simulator: Simulator, bad_id: str
) -> None:
    """An id is one path segment, nothing more."""
    with pytest.raises(ValueError, match="not a valid id"):
        await client.delivery(bad_id)
    assert simulator.requests == []
