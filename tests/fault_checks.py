"""The fault matrix's machinery, shared by the tests/test_fault_matrix_*.py files.

The matrix (tests/fault_cases.py) is the fault kinds (FAULTS) times the points of
both providers (POINTS): set-up, each poll call, each per-item lookup, each action
and each config flow. Every cell is one test case, in the file of its kind of point:
test_fault_matrix_setup_and_polls.py, test_fault_matrix_actions.py and
test_fault_matrix_flows.py; test_fault_matrix_size.py checks the matrix's size.

A refused connection is real: the simulator stops listening on its port, either
before the exchange or right after the request that precedes the point, so that
the point itself finds nobody listening. The fixtures here (that simulator, short
timeouts, the account-users sensor on) are bound by name in each test module.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.latam_messaging.const import (
    CONF_API_KEY,
    CONF_API_TOKEN,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
)
from tests.conftest import NOT_HOME_ASSISTANT
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.fault_cases import Failure, Point
from tests.helpers import enable_before_set_up, listen
from tests.simulator import Fault, Simulator

PACKAGE = "custom_components.latam_messaging"
TIMEOUT = 0.3
"""Request timeout during these tests (seconds)."""
DELAY = 2.0
"""How late a delayed answer comes: well beyond TIMEOUT."""
NEW_TOKEN = "elibom-api-password-0002"
NEW_KEY = "b5fd0971824f2051c61f2f8033f011bcef26132"
ANA = "573001112222"
FB_USER = "2291837465"
PENDING = "sensor.tienda_dona_perez_unconfirmed_sms"
SCHEDULED = "sensor.tienda_dona_perez_scheduled_messages"


# The simulator, able to refuse connections ---------------------------------------


@dataclass(slots=True)
class _LaterFault(Fault):
    """A fault for a later matching request: the first `skip` ones go through."""

    skip: int = 0

    def matches(self, provider: str, method: str, path: str) -> bool:
        """Match like any fault, once the skipped requests have gone by."""
        if not Fault.matches(self, provider, method, path):
            return False
        if self.skip > 0:
            self.skip -= 1
            return False
        return True


@dataclass(frozen=True, slots=True)
class _Call:
    """A request to recognise: provider, method, exact path, and which match (1 = first)."""

    provider: str
    method: str
    path: str
    nth: int = 1


class LeavingSimulator(Simulator):
    """The provider simulator, which can also stop listening: connection refused."""

    def __init__(self) -> None:
        """Listen as usual until told otherwise."""
        super().__init__()
        self.away = False
        self.reached_while_away = 0
        self._leave_after: _Call | None = None
        self._matched = 0

    def build_app(self) -> web.Application:
        """Serve the simulator behind one more middleware, the outermost."""
        app = super().build_app()
        app.middlewares.insert(0, self._watch)
        return app

    @web.middleware
    async def _watch(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if self.away:
            self.reached_while_away += 1
        response: web.StreamResponse = await handler(request)
        call = self._leave_after
        if (
            call is not None
            and request.method == call.method
            and request.path == f"/{call.provider}{call.path}"
        ):
            self._matched += 1
            if self._matched == call.nth:
                self._leave_after = None
                response.force_close()
                await self._stop_listening(keep=request.protocol)
        return response

    def leave_after(self, call: _Call) -> None:
        """Stop listening right after answering this request."""
        self._leave_after = call
        self._matched = 0

    async def leave(self) -> None:
        """Stop listening now; wait until both ends have seen the connections close."""
        await self._stop_listening(keep=None)
        assert self._runner is not None
        assert self._runner.server is not None
        for _ in range(200):
            if not self._runner.server.connections:
                break
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.01)

    async def _stop_listening(self, keep: object) -> None:
        runner = self._runner
        assert runner is not None
        assert runner.server is not None
        for site in list(runner.sites):
            await site.stop()
        for connection in runner.server.connections:
            if connection is not keep:
                connection.force_close()
        self.away = True

    async def come_back(self) -> None:
        """Listen again on the same port; nothing may have reached it meanwhile."""
        assert self.away, "the simulator never stopped listening"
        assert self.reached_while_away == 0
        assert self._runner is not None
        site = web.TCPSite(self._runner, "127.0.0.1", URL(self.base_url).port)
        await site.start()
        self.away = False


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[LeavingSimulator]:
    """Run the simulator with the test accounts and one bot user per followed channel."""
    sim = LeavingSimulator()
    sim.elibom.add_account(
        ELIBOM_USER, ELIBOM_TOKEN, name=ELIBOM_ACCOUNT_NAME, credits=100.0
    )
    sim.aldeamo.api_keys.add(ALDEAMO_KEY)
    sim.aldeamo.add_user("whatsapp", ANA, name="Ana")
    sim.aldeamo.add_user("facebook", FB_USER, name="Carlos")
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture(autouse=True)
def short_timeouts() -> Iterator[None]:
    """Give up on a request after TIMEOUT, in entries and in flows alike."""
    with (
        patch(f"{PACKAGE}.REQUEST_TIMEOUT", TIMEOUT),
        patch(f"{PACKAGE}.config_flow.REQUEST_TIMEOUT", TIMEOUT),
    ):
        yield


# Helpers ---------------------------------------------------------------------------


async def inject(
    simulator: LeavingSimulator, point: Point, failure: Failure, **ids: str
) -> None:
    """Make the call at `point` fail in the way `failure` says."""
    if failure.kind is None:
        if point.after is None:
            await simulator.leave()
        else:
            simulator.leave_after(_Call(point.provider, *point.after))
        return
    where = {
        "provider": point.provider,
        "method": point.method,
        "path": point.path.format(**ids),
    }
    count = failure.attempts(point.method)
    if point.nth == 1:
        simulator.fail_next(
            failure.kind, count=count, status=failure.status, delay=DELAY, **where
        )
        return
    # A later request to the same path (the second channel's GET /users).
    simulator.faults.add(
        _LaterFault(
            failure.kind,
            count=count,
            status=failure.status,
            delay=DELAY,
            skip=point.nth - 1,
            **where,
        )
    )


async def fault_was_met(
    simulator: LeavingSimulator,
    point: Point,
    failure: Failure,
    since: int,
    **ids: str,
) -> None:
    """Check the failure happened exactly at the point; then listen again if needed."""
    if failure.kind is None:
        await simulator.come_back()
        return
    assert simulator.faults.pending == [], "the point was never reached"
    faulted = [r for r in simulator.requests[since:] if r.fault is not None]
    path = point.path.format(**ids)
    attempts = failure.attempts(point.method)
    assert [(r.provider, r.method, r.path, r.fault) for r in faulted] == [
        (point.provider, point.method, path, failure.kind)
    ] * attempts
    if point.channel is not None:
        assert {r.query.get("channel") for r in faulted} == {point.channel}


@pytest.fixture(autouse=True)
def account_users_on(hass: HomeAssistant, elibom_entry: MockConfigEntry) -> None:
    """Turn on the account-users sensor (off by default): it is what GET /users feeds."""
    enable_before_set_up(hass, elibom_entry, "sensor", "account_users")


def entry_for(
    point: Point, elibom_entry: MockConfigEntry, aldeamo_entry: MockConfigEntry
) -> MockConfigEntry:
    """Return the entry of the point's provider."""
    return elibom_entry if point.provider == "elibom" else aldeamo_entry


def _entity_states(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    """Return the state of every entity of the entry (six Elibom, four Aldeamo here)."""
    states: dict[str, str] = {}
    registry = er.async_get(hass)
    for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
        state = hass.states.get(registered.entity_id)
        assert state is not None, registered.entity_id
        states[registered.entity_id] = state.state
    assert len(states) == (6 if entry.data["provider"] == "elibom" else 4), states
    return states


def unavailable(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the entry's entities that are unavailable, sorted."""
    return sorted(
        entity_id
        for entity_id, state in _entity_states(hass, entry).items()
        if state == STATE_UNAVAILABLE
    )


def all_unavailable(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    """Return whether every entity of the entry is unavailable."""
    return unavailable(hass, entry) == sorted(_entity_states(hass, entry))


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return every ERROR line Home Assistant logged (the simulator's server left out)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR
        and not record.name.startswith(NOT_HOME_ASSISTANT)
    ]


def ours(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    """Return the integration's own lines at INFO and above (its coordinators' too)."""
    return [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.name.startswith(PACKAGE) and record.levelno >= logging.INFO
    ]


def reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    """Return the entry's reauth flows in progress."""
    return list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


async def finish_reauth(
    hass: HomeAssistant, entry: MockConfigEntry, flow: Any, secret: str
) -> None:
    """Answer a reauth flow with the credentials the provider accepts."""
    field = CONF_API_TOKEN if entry.data["provider"] == "elibom" else CONF_API_KEY
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {field: secret}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"


def secret_of(entry: MockConfigEntry) -> str:
    """Return the secret the provider accepts for the entry."""
    return ELIBOM_TOKEN if entry.data["provider"] == "elibom" else ALDEAMO_KEY


async def send_sms(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    text: str = "Alarma: puerta abierta",
    *,
    in_minutes: int | None = None,
) -> dict[str, Any]:
    """Send an SMS to Ana through the action (scheduled if in_minutes); return its response."""
    data: dict[str, Any] = {
        "config_entry_id": entry.entry_id,
        "to": [ANA],
        "message": text,
    }
    if in_minutes is not None:
        data["schedule_at"] = dt_util.now() + timedelta(minutes=in_minutes)
    response = await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def send_bot(
    hass: HomeAssistant, entry: MockConfigEntry, text: str = "Su pedido va en camino"
) -> dict[str, Any]:
    """Send Ana a WhatsApp message through the action; return its response."""
    response = await hass.services.async_call(
        DOMAIN,
        "send_bot_message",
        {
            "config_entry_id": entry.entry_id,
            "channel": "whatsapp",
            "client_id": ANA,
            "message": text,
        },
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


def posted_texts(simulator: Simulator, provider: str) -> list[str]:
    """Return the text of every POST /messages the provider received, in order."""
    posts = simulator.requests_to(provider, "POST", "/messages")
    if provider == "elibom":
        return [str(post.json["text"]) for post in posts]
    return [post.form["msg"] for post in posts]


async def something_pending(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Leave one change for the next poll; return the events seen and the one expected."""
    # Elibom: a delivery that has finished. Aldeamo: a message a user wrote.
    if entry.data["provider"] == "elibom":
        events = listen(hass, EVENT_DELIVERY_STATUS)
        (token,) = (await send_sms(hass, entry))["delivery_tokens"]
        simulator.advance(60)
        return events, [(token, "finished")]
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "¿Hay pan?")
    return events, [(ANA, "¿Hay pan?")]


def pairs_of(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Reduce events to (delivery token, status), (schedule id, status) or (user, text)."""
    pairs = []
    for event in events:
        if "delivery_token" in event:
            pairs.append((event["delivery_token"], event["status"]))
        elif "schedule_id" in event:
            pairs.append((event["schedule_id"], event["status"]))
        else:
            pairs.append((event["client_id"], event["message"]))
    return pairs
