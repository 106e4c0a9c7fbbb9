"""Every fault kind becomes exactly one typed error, for both clients."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import socket

import aiohttp
import pytest

from custom_components.latam_messaging.api import (
    AldeamoClient,
    AuthenticationError,
    ConflictError,
    ElibomClient,
    LatamMessagingError,
    NotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitedError,
    ServerError,
    TemporaryError,
    UnparseableResponseError,
)
from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import FaultKind, Simulator

type Call = Callable[[str, aiohttp.ClientSession, float], Awaitable[object]]


async def _elibom_account(
    url: str, session: aiohttp.ClientSession, timeout: float
) -> object:
    client = ElibomClient(
        session, ELIBOM_USER, ELIBOM_TOKEN, url=url, request_timeout=timeout
    )
    return await client.account()


async def _elibom_send(
    url: str, session: aiohttp.ClientSession, timeout: float
) -> object:
    client = ElibomClient(
        session, ELIBOM_USER, ELIBOM_TOKEN, url=url, request_timeout=timeout
    )
    return await client.send(["573001112222"], "Hola")


async def _aldeamo_users(
    url: str, session: aiohttp.ClientSession, timeout: float
) -> object:
    client = AldeamoClient(session, ALDEAMO_KEY, url=url, request_timeout=timeout)
    return await client.users("whatsapp")


async def _aldeamo_send(
    url: str, session: aiohttp.ClientSession, timeout: float
) -> object:
    client = AldeamoClient(session, ALDEAMO_KEY, url=url, request_timeout=timeout)
    return await client.send("sms", "573001112222", "Hola")


CALLS = {
    "elibom": [_elibom_account, _elibom_send],
    "aldeamo": [_aldeamo_users, _aldeamo_send],
}
CASES = [
    pytest.param(provider, call, id=f"{provider}-{call.__name__.split('_', 2)[2]}")
    for provider, calls in CALLS.items()
    for call in calls
]


def _url(simulator: Simulator, provider: str) -> str:
    return simulator.elibom_url if provider == "elibom" else simulator.aldeamo_url


@pytest.mark.parametrize(("provider", "call"), CASES)
@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, ProviderError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitedError),
        (500, ServerError),
        (503, ServerError),
    ],
)
async def test_each_http_status_maps_to_its_error(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    provider: str,
    call: Call,
    status: int,
    error: type[LatamMessagingError],
) -> None:
    """An injected status is raised as its error type; the next call works again."""
    simulator.fail_next(FaultKind.STATUS, status=status, provider=provider)

    with pytest.raises(
        error, match=str(status) if status != 400 else "simulado"
    ) as caught:
        await call(_url(simulator, provider), session, 5)

    if isinstance(caught.value, RateLimitedError):
        assert caught.value.retry_after == 1.0
    if isinstance(caught.value, ServerError):
        assert caught.value.status == status
        assert isinstance(caught.value, TemporaryError)
    if isinstance(caught.value, ProviderError):
        assert caught.value.status == 400
        assert caught.value.code in {"bad_request", "400"}
    assert await call(_url(simulator, provider), session, 5) is not None
    assert [r.fault for r in simulator.requests] == [FaultKind.STATUS, None]


@pytest.mark.parametrize(("provider", "call"), CASES)
@pytest.mark.parametrize("kind", [FaultKind.MALFORMED, FaultKind.TRUNCATED])
async def test_a_body_that_is_not_json_is_unparseable(
    simulator: Simulator,
    session: aiohttp.ClientSession,
    provider: str,
    call: Call,
    kind: FaultKind,
) -> None:
    """An HTML error page or half a JSON document raises UnparseableResponseError."""
    simulator.fail_next(kind, provider=provider)

    with pytest.raises(UnparseableResponseError, match="not valid JSON"):
        await call(_url(simulator, provider), session, 5)


@pytest.mark.parametrize(("provider", "call"), CASES)
async def test_no_answer_in_time_is_a_connection_error_that_may_have_arrived(
    simulator: Simulator, session: aiohttp.ClientSession, provider: str, call: Call
) -> None:
    """A timeout is a connection error; the request may have reached the provider."""
    simulator.fail_next(FaultKind.DELAY, delay=2.0, provider=provider)

    with pytest.raises(ProviderConnectionError, match=r"within 0\.2 s") as caught:
        await call(_url(simulator, provider), session, 0.2)

    assert caught.value.may_have_reached_provider is True
    assert isinstance(caught.value, TemporaryError)


@pytest.mark.parametrize(("provider", "call"), CASES)
async def test_a_dropped_connection_may_have_arrived(
    simulator: Simulator, session: aiohttp.ClientSession, provider: str, call: Call
) -> None:
    """The server closing the connection mid-answer may follow a processed request.

    aiohttp repeats an idempotent request once on a dropped connection; a POST
    (a paid send) is never repeated.
    """
    simulator.fail_next(FaultKind.DISCONNECT, count=2, provider=provider)

    with pytest.raises(ProviderConnectionError) as caught:
        await call(_url(simulator, provider), session, 5)

    assert caught.value.may_have_reached_provider is True
    (method,) = {r.method for r in simulator.requests}
    assert len(simulator.requests) == (1 if method == "POST" else 2)


@pytest.mark.parametrize(("provider", "call"), CASES)
async def test_connection_refused_certainly_did_not_arrive(
    session: aiohttp.ClientSession, provider: str, call: Call
) -> None:
    """Nobody listening: a connection error that certainly sent nothing."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(ProviderConnectionError, match="cannot connect") as caught:
        await call(f"http://127.0.0.1:{port}/{provider}", session, 5)

    assert caught.value.may_have_reached_provider is False


async def test_an_aldeamo_envelope_with_a_nonzero_codigo_is_a_refusal(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    """A `status` true with a `codigo` other than 0 is still a failure."""
    client = AldeamoClient(session, ALDEAMO_KEY, url=simulator.aldeamo_url)
    with pytest.raises(ProviderError, match="Faltan parámetros") as caught:
        await client.send("sms", "573001112222", "")
    assert caught.value.code == "1"
