"""Whatever a provider answers, the clients return a model or one of their own errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
import json

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st

from custom_components.latam_messaging.api import (
    AldeamoClient,
    ElibomClient,
    ProviderError,
    UnparseableResponseError,
)
from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import FaultKind, Simulator

type Call = Callable[[aiohttp.ClientSession, Simulator], Awaitable[object]]

CALLS: dict[str, Call] = {
    "elibom account": lambda s, sim: ElibomClient(
        s, ELIBOM_USER, ELIBOM_TOKEN, url=sim.elibom_url
    ).account(),
    "elibom send": lambda s, sim: ElibomClient(
        s, ELIBOM_USER, ELIBOM_TOKEN, url=sim.elibom_url
    ).send(["573001112222"], "Hola"),
    "elibom delivery": lambda s, sim: ElibomClient(
        s, ELIBOM_USER, ELIBOM_TOKEN, url=sim.elibom_url
    ).delivery("1857010469048394523"),
    "elibom scheduled": lambda s, sim: ElibomClient(
        s, ELIBOM_USER, ELIBOM_TOKEN, url=sim.elibom_url
    ).scheduled(),
    "elibom users": lambda s, sim: ElibomClient(
        s, ELIBOM_USER, ELIBOM_TOKEN, url=sim.elibom_url
    ).users(),
    "aldeamo users": lambda s, sim: AldeamoClient(
        s, ALDEAMO_KEY, url=sim.aldeamo_url
    ).users("whatsapp"),
    "aldeamo messages": lambda s, sim: AldeamoClient(
        s, ALDEAMO_KEY, url=sim.aldeamo_url
    ).messages("whatsapp", "573001112222"),
    "aldeamo send": lambda s, sim: AldeamoClient(
        s, ALDEAMO_KEY, url=sim.aldeamo_url
    ).send("sms", "573001112222", "Hola"),
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
bodies = st.binary(max_size=300) | json_values.map(lambda v: json.dumps(v).encode())
content_types = st.sampled_from(
    [
        "application/json",
        "application/json;charset=ISO-8859-1",
        "application/json; charset=utf-16",
        "text/html; charset=UTF-8",
        "application/json; charset=klingon",
        "text/plain",
    ]
)


async def _exchange(call: Call, body: bytes, content_type: str) -> None:
    simulator = Simulator()
    simulator.elibom.add_account(ELIBOM_USER, ELIBOM_TOKEN)
    simulator.aldeamo.api_keys.add(ALDEAMO_KEY)
    simulator.aldeamo.add_user("whatsapp", "573001112222")
    simulator.fail_next(FaultKind.BODY, body=body, content_type=content_type)
    await simulator.start()
    try:
        # Besides a model, the two outcomes a strange answer may have:
        with contextlib.suppress(UnparseableResponseError, ProviderError):
            async with aiohttp.ClientSession() as session:
                await call(session, simulator)
    finally:
        await simulator.stop()
    assert [r.fault for r in simulator.requests] == [FaultKind.BODY]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    name=st.sampled_from(sorted(CALLS)),
    body=bodies,
    content_type=content_types,
)
def test_any_answer_of_any_call_is_a_model_or_a_typed_error(
    socket_enabled: None, name: str, body: bytes, content_type: str
) -> None:
    """Any bytes, any JSON, any charset, over real HTTP: never an unexpected exception."""
    asyncio.run(_exchange(CALLS[name], body, content_type))
