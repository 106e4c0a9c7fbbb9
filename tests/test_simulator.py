"""The provider simulator's own rules, checked over raw HTTP (no client of ours in between)."""

from __future__ import annotations

import asyncio
import base64
from datetime import timedelta
import json
from pathlib import Path
import socket
import sys
import time

import aiohttp
import pytest

from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import FaultKind, Simulator
from tests.simulator.elibom import colombia_time


def _basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


AUTH = _basic(ELIBOM_USER, ELIBOM_TOKEN)
REPO_ROOT = Path(__file__).resolve().parent.parent


async def _elibom(
    session: aiohttp.ClientSession,
    simulator: Simulator,
    method: str,
    path: str,
    body: object = None,
) -> tuple[int, object]:
    async with session.request(
        method, simulator.elibom_url + path, json=body, headers=AUTH
    ) as response:
        raw = await response.read()
        assert response.headers["Content-Type"] == "application/json;charset=ISO-8859-1"
        return response.status, json.loads(raw.decode("iso-8859-1")) if raw else None


async def test_elibom_answers_in_iso_8859_1_and_replaces_what_does_not_fit(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Accents are single bytes; an emoji, outside the charset, becomes '?'."""
    status, body = await _elibom(
        session,
        simulator,
        "POST",
        "/messages",
        {"to": "573001112222", "text": "Olé 🎉"},
    )
    assert status == 200
    assert isinstance(body, dict)
    simulator.advance(60)

    async with session.get(
        f"{simulator.elibom_url}/messages/{body['deliveryToken']}", headers=AUTH
    ) as response:
        raw = await response.read()

    assert "Olé ?".encode("iso-8859-1") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


async def test_elibom_charges_each_good_number_and_not_the_bad_ones(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Credits drop by the price per SMS for each number that will be sent."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await _elibom(
        session,
        simulator,
        "POST",
        "/messages",
        {"to": "573001112222,573009990000,12ab", "text": "Hola"},
    )

    _, account = await _elibom(session, simulator, "GET", "/account")

    assert isinstance(account, dict)
    assert account["credits"] == pytest.approx(100 - 1.8)


async def test_elibom_without_credits_fails_messages_with_no_credits(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """When credits run out, the remaining numbers fail with no_credits."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 2.0
    _, sent = await _elibom(
        session,
        simulator,
        "POST",
        "/messages",
        {"to": "573001112222,573004445555", "text": "Hola"},
    )
    assert isinstance(sent, dict)
    simulator.advance(60)

    _, delivery = await _elibom(
        session, simulator, "GET", f"/messages/{sent['deliveryToken']}"
    )

    assert isinstance(delivery, dict)
    assert [m["statusDetail"] for m in delivery["messages"]] == ["sent", "no_credits"]
    assert (delivery["status"], delivery["numSent"], delivery["numFailed"]) == (
        "finished",
        1,
        1,
    )


async def test_elibom_ignores_the_misspelled_schedule_field_and_sends_now(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Only `scheduleDate` schedules: the seed's `scheduledDate` is silently ignored."""
    future = colombia_time(simulator.clock.now() + timedelta(days=1))[:16]

    _, answer = await _elibom(
        session,
        simulator,
        "POST",
        "/messages",
        {"to": "573001112222", "text": "Hola", "scheduledDate": future},
    )

    assert isinstance(answer, dict)
    assert set(answer) == {"deliveryToken"}


@pytest.mark.parametrize(
    ("body", "description"),
    [
        ({"destination": "573001112222", "text": "Hola"}, "Falta el parámetro 'to'"),
        ({"to": "573001112222"}, "Falta el parámetro 'text'"),
        ({"to": "573001112222", "text": "x", "scheduleDate": "24/12/2030"}, "Formato"),
        (
            {"to": "573001112222", "text": "x", "scheduleDate": "2001-01-01 10:00"},
            "ya pasó",
        ),
        ([1, 2], "no es JSON válido"),
    ],
)
async def test_elibom_bad_requests_carry_code_and_description(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    body: object,
    description: str,
) -> None:
    """400 with Elibom's {code, description} body."""
    status, error = await _elibom(session, simulator, "POST", "/messages", body)

    assert status == 400
    assert isinstance(error, dict)
    assert error["code"] == "bad_request"
    assert description in error["description"]


async def test_elibom_refuses_a_wrong_password_and_unknown_user(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """401 with {code, description} for any bad credentials."""
    for headers in (_basic(ELIBOM_USER, "nope"), _basic("x@y.z", "p")):
        async with session.get(
            f"{simulator.elibom_url}/account", headers=headers
        ) as response:
            assert response.status == 401
            assert (await response.json(content_type=None))["code"] == "unauthorized"
    async with session.get(
        f"{simulator.elibom_url}/account", headers={"Authorization": "Basic !!"}
    ) as response:
        assert response.status == 401


async def test_elibom_accounts_do_not_see_each_others_deliveries(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A token of another account is not found."""
    simulator.elibom.add_account("otra@example.com", "otra")
    _, sent = await _elibom(
        session, simulator, "POST", "/messages", {"to": "573001112222", "text": "Hola"}
    )
    assert isinstance(sent, dict)

    async with session.get(
        f"{simulator.elibom_url}/messages/{sent['deliveryToken']}",
        headers=_basic("otra@example.com", "otra"),
    ) as response:
        assert response.status == 404


async def test_a_schedule_executes_at_its_time_and_becomes_a_delivery(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """An executed schedule leaves the list, charges credits and then refuses to cancel."""
    when = simulator.clock.now() + timedelta(minutes=30)
    _, answer = await _elibom(
        session,
        simulator,
        "POST",
        "/messages",
        {"to": "573001112222", "text": "Luz", "scheduleDate": colombia_time(when)[:16]},
    )
    assert isinstance(answer, dict)
    schedule_id = answer["scheduleId"]
    assert isinstance(schedule_id, str)

    _, listed = await _elibom(session, simulator, "GET", "/schedules/scheduled")
    assert isinstance(listed, list)
    assert [s["id"] for s in listed] == [schedule_id]
    assert "status" not in listed[0]
    _, account = await _elibom(session, simulator, "GET", "/account")
    assert isinstance(account, dict)
    assert account["credits"] == 100

    simulator.advance(31 * 60)
    _, listed = await _elibom(session, simulator, "GET", "/schedules/scheduled")
    _, one = await _elibom(session, simulator, "GET", f"/schedules/{schedule_id}")
    _, account = await _elibom(session, simulator, "GET", "/account")
    status, conflict = await _elibom(
        session, simulator, "DELETE", f"/schedules/{schedule_id}"
    )

    assert listed == []
    assert isinstance(one, dict)
    assert one["status"] == "executed"
    assert isinstance(account, dict)
    assert account["credits"] == pytest.approx(100 - 1.8)
    assert (status, conflict) == (
        409,
        {"code": "conflict", "description": "El envío programado ya fue ejecutado"},
    )
    schedule = simulator.elibom.schedules[schedule_id]
    assert schedule.delivery_token in simulator.elibom.deliveries


async def test_a_cancelled_schedule_never_executes(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """DELETE answers 200 with no body; the schedule is then unknown (404)."""
    when = simulator.clock.now() + timedelta(minutes=30)
    _, answer = await _elibom(
        session,
        simulator,
        "POST",
        "/messages",
        {"to": "573001112222", "text": "Luz", "scheduleDate": colombia_time(when)[:16]},
    )
    assert isinstance(answer, dict)

    async with session.delete(
        f"{simulator.elibom_url}/schedules/{answer['scheduleId']}", headers=AUTH
    ) as response:
        assert (response.status, await response.read()) == (200, b"")
    simulator.advance(3600)

    status, _ = await _elibom(
        session, simulator, "GET", f"/schedules/{answer['scheduleId']}"
    )
    assert status == 404
    assert simulator.elibom.deliveries == {}


async def test_faults_apply_to_the_next_matching_requests_only(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A fault waits for its provider, method and path, then lasts `count` requests."""
    simulator.fail_next(
        FaultKind.STATUS,
        count=2,
        status=503,
        provider="elibom",
        method="GET",
        path="/users",
    )

    statuses = []
    for path in ("/account", "/users", "/users", "/users"):
        status, _ = await _elibom(session, simulator, "GET", path)
        statuses.append(status)

    assert statuses == [200, 503, 503, 200]
    assert [r.fault for r in simulator.requests] == [
        None,
        FaultKind.STATUS,
        FaultKind.STATUS,
        None,
    ]


async def test_aldeamo_answers_in_its_envelope_and_records_the_write(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A user writing moves last_active; the envelope carries the data."""
    simulator.aldeamo.add_user("whatsapp", "573001112222", name="Ana")
    before = simulator.aldeamo.users["whatsapp"]["573001112222"].last_active
    simulator.advance(90)
    simulator.aldeamo.write("whatsapp", "573001112222", "Hola")

    async with session.get(
        f"{simulator.aldeamo_url}/users",
        params={"auth": ALDEAMO_KEY, "channel": "whatsapp"},
    ) as response:
        assert response.headers["Content-Type"] == "text/html; charset=UTF-8"
        envelope = json.loads(await response.read())

    assert envelope["status"] is True
    assert envelope["codigo"] == 0
    (user,) = envelope["data"]
    assert user["last_active"] != before
    assert user["id"] == "1"


async def test_aldeamo_accepts_the_key_in_the_header_alone(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """The seed is vague about where `auth` goes; either place works."""
    async with session.get(
        f"{simulator.aldeamo_url}/users",
        params={"channel": "web"},
        headers={"auth": ALDEAMO_KEY},
    ) as response:
        assert (await response.json(content_type=None))["status"] is True
    async with session.get(
        f"{simulator.aldeamo_url}/messages",
        params={"channel": "web"},
        headers={"auth": ALDEAMO_KEY},
    ) as response:
        assert (await response.json(content_type=None))["codigo"] == 1


async def test_latency_delays_every_provider_answer(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """The configured latency is added to each answer (for benchmarks)."""
    simulator.latency = 0.2
    started = time.monotonic()
    await _elibom(session, simulator, "GET", "/account")
    assert time.monotonic() - started >= 0.2


async def test_the_control_api_drives_the_simulator_over_http(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """Accounts, keys, bot users, faults, latency, time and the request log over HTTP."""
    control = f"{simulator.base_url}/_control"

    async def post(path: str, body: object) -> object:
        async with session.post(control + path, json=body) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    assert await post(
        "/elibom/accounts", {"email": "c@example.com", "api_token": "t", "credits": 5}
    ) == {"email": "c@example.com", "credits": 5}
    await post("/elibom/invalid_numbers", {"numbers": ["573000000000"]})
    await post("/aldeamo/keys", {"api_key": "k2"})
    assert await post(
        "/aldeamo/write", {"channel": "web", "user_id": "w1", "message": "hola"}
    ) == {"id": "10"}
    await post("/latency", {"seconds": 0})
    await post("/clock/advance", {"seconds": 60})
    await post("/faults", {"kind": "status", "status": 500, "provider": "aldeamo"})
    async with session.post(control + "/faults", json={"kind": "nonsense"}) as response:
        assert response.status == 400

    async with session.get(
        f"{simulator.aldeamo_url}/users", params={"auth": "k2", "channel": "web"}
    ) as response:
        assert response.status == 500
    async with session.get(control + "/requests") as response:
        (logged,) = await response.json()
    assert (logged["provider"], logged["path"], logged["fault"]) == (
        "aldeamo",
        "/users",
        "status",
    )
    assert "573000000000" in simulator.elibom.invalid_numbers
    async with session.delete(control + "/requests") as response:
        assert response.status == 200
    async with session.delete(control + "/faults") as response:
        assert response.status == 200
    assert simulator.requests == []
    assert simulator.faults.pending == []


async def test_the_simulator_runs_standalone_with_demo_accounts(
    socket_enabled: None,
) -> None:
    """`python -m tests.simulator --demo` serves the demo accounts until stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulator",
        "--port",
        str(port),
        "--demo",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 20)
        assert (
            banner.decode().strip() == f"Provider simulator on http://127.0.0.1:{port}"
        )
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                f"http://127.0.0.1:{port}/elibom/account",
                headers=_basic("demo@example.com", "demo-api-password"),
            ) as response,
        ):
            assert (await response.json(content_type=None))["name"] == "Tienda Demo"
    finally:
        process.terminate()
        await process.wait()


async def test_the_standalone_simulator_logs_each_message_to_and_from_the_bot(
    socket_enabled: None,
) -> None:
    """scripts/develop's simulator prints who wrote to the bot and what the bot answered."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.simulator",
        "--port",
        str(port),
        "--demo",
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert process.stdout is not None
        banner = await asyncio.wait_for(process.stdout.readline(), 20)
        assert banner.decode().startswith("Provider simulator on ")
        async with aiohttp.ClientSession() as session:
            async with session.post(
                base + "/_control/aldeamo/write",
                json={
                    "channel": "whatsapp",
                    "user_id": "573001112222",
                    "message": "enciende la luz",
                },
            ) as response:
                assert response.status == 200
            async with session.post(
                base + "/aldeamo/messages",
                data={
                    "auth": "demo-api-key",
                    "channel": "whatsapp",
                    "client_id": "573001112222",
                    "msg": "Listo, encendí la luz",
                },
            ) as response:
                assert (await response.json(content_type=None))["status"] is True
            async with session.post(
                base + "/elibom/messages",
                headers=_basic("demo@example.com", "demo-api-password"),
                json={"to": "573001112222", "text": "Hola"},
            ) as response:
                assert response.status == 200
        wanted = [
            "Aldeamo whatsapp: María Gómez (573001112222) wrote: enciende la luz",
            (
                "Aldeamo whatsapp: the bot answered María Gómez (573001112222): "
                "Listo, encendí la luz"
            ),
            "Elibom: SMS to 573001112222: Hola",
        ]
        seen: list[str] = []
        while len(seen) < len(wanted) + 5:  # the rest of the banner, then the log
            line = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
            seen.append(line.rstrip("\n"))
            if seen[-len(wanted) :] == wanted:
                break
        assert seen[-len(wanted) :] == wanted, seen
    finally:
        process.terminate()
        await process.wait()
