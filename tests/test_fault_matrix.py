"""Every fault kind at every point where the integration talks to Elibom or Aldeamo."""

# The matrix (tests/fault_cases.py) is the fault kinds (FAULTS) times the points of
# both providers (POINTS): set-up, each poll call, each per-item lookup, each action
# and each config flow.
# Every cell is one test case; the last test of the module checks the matrix's size.
#
# A refused connection is real: the simulator stops listening on its port, either
# before the exchange or right after the request that precedes the point, so that
# the point itself finds nobody listening.

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from aiohttp import web
from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_URL, CONF_USERNAME, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from yarl import URL

from custom_components.latam_messaging.const import (
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
    USERS_REFRESH_EVERY,
)
from tests.conftest import NOT_HOME_ASSISTANT, poll, setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.fault_cases import (
    ACTION,
    CELLS,
    FAULTS,
    FLOW,
    ITEM,
    PHASES,
    POINTS,
    POLL,
    PROVIDERS,
    SETUP,
    Failure,
    Point,
    action_outcome,
    flow_errors,
)
from tests.helpers import (
    ENGLISH,
    assert_translated,
    enable_before_set_up,
    listen,
    state_of,
)
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


async def _inject(
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


async def _fault_was_met(
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


def _entry(
    point: Point, elibom_entry: MockConfigEntry, aldeamo_entry: MockConfigEntry
) -> MockConfigEntry:
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


def _unavailable(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    return sorted(
        entity_id
        for entity_id, state in _entity_states(hass, entry).items()
        if state == STATE_UNAVAILABLE
    )


def _all_unavailable(hass: HomeAssistant, entry: MockConfigEntry) -> bool:
    return _unavailable(hass, entry) == sorted(_entity_states(hass, entry))


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Return every ERROR line Home Assistant logged (the simulator's server left out)."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.ERROR
        and not record.name.startswith(NOT_HOME_ASSISTANT)
    ]


def _ours(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    """Return the integration's own lines at INFO and above (its coordinators' too)."""
    return [
        (record.levelno, record.getMessage())
        for record in caplog.records
        if record.name.startswith(PACKAGE) and record.levelno >= logging.INFO
    ]


def _reauth_flows(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    return list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))


async def _finish_reauth(
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


def _secret(entry: MockConfigEntry) -> str:
    return ELIBOM_TOKEN if entry.data["provider"] == "elibom" else ALDEAMO_KEY


async def _send_sms(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    text: str = "Alarma: puerta abierta",
    *,
    in_minutes: int | None = None,
) -> dict[str, Any]:
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


async def _send_bot(
    hass: HomeAssistant, entry: MockConfigEntry, text: str = "Su pedido va en camino"
) -> dict[str, Any]:
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


def _posted_texts(simulator: Simulator, provider: str) -> list[str]:
    """Return the text of every POST /messages the provider received, in order."""
    posts = simulator.requests_to(provider, "POST", "/messages")
    if provider == "elibom":
        return [str(post.json["text"]) for post in posts]
    return [post.form["msg"] for post in posts]


async def _something_pending(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """Leave one change for the next poll; return the events seen and the one expected."""
    # Elibom: a delivery that has finished. Aldeamo: a message a user wrote.
    if entry.data["provider"] == "elibom":
        events = listen(hass, EVENT_DELIVERY_STATUS)
        (token,) = (await _send_sms(hass, entry))["delivery_tokens"]
        simulator.advance(60)
        return events, [(token, "finished")]
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "¿Hay pan?")
    return events, [(ANA, "¿Hay pan?")]


def _pairs(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
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


# Set-up ----------------------------------------------------------------------------


@pytest.mark.parametrize(("point", "failure"), CELLS[SETUP])
async def test_a_fault_at_set_up_asks_to_reauthenticate_on_401_and_retries_by_itself_otherwise(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    point: Point,
    failure: Failure,
) -> None:
    """401: SETUP_ERROR and a reauth flow; anything else: SETUP_RETRY, then loaded."""
    entry = _entry(point, elibom_entry, aldeamo_entry)
    since = len(simulator.requests)
    await _inject(simulator, point, failure)

    await setup_entry(hass, entry)
    await _fault_was_met(simulator, point, failure, since)

    if failure.status == 401:
        assert entry.state is ConfigEntryState.SETUP_ERROR
        (flow,) = _reauth_flows(hass, entry)
        assert flow["step_id"] == "reauth_confirm"
        assert _errors(caplog) == []
        await _finish_reauth(hass, entry, flow, _secret(entry))
    else:
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert hass.config_entries.flow.async_progress() == []
        assert _errors(caplog) == []
        await poll(hass)  # Home Assistant's own retry
    assert entry.state is ConfigEntryState.LOADED
    assert _unavailable(hass, entry) == []
    assert _errors(caplog) == []


# Poll: the calls every poll makes ------------------------------------------------


@pytest.mark.parametrize(("point", "failure"), CELLS[POLL])
async def test_a_failed_poll_call_makes_entities_unavailable_with_one_log_line_and_they_recover(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    point: Point,
    failure: Failure,
) -> None:
    """One error line, one recovery line, the pending change reported once; 401 asks for reauth."""
    entry = _entry(point, elibom_entry, aldeamo_entry)
    await setup_entry(hass, entry)
    if point.path == "/users" and point.provider == "elibom":
        # Account users are asked for every USERS_REFRESH_EVERY polls only.
        for _ in range(USERS_REFRESH_EVERY - 1):
            await poll(hass)
    events, expected = await _something_pending(hass, simulator, entry)
    caplog.clear()
    since = len(simulator.requests)
    await _inject(simulator, point, failure)

    await poll(hass)
    await _fault_was_met(simulator, point, failure, since)

    assert _all_unavailable(hass, entry)
    assert events == []
    (level, line), *_ = _ours(caplog)
    assert level == logging.ERROR
    if failure.status == 401:
        assert line.startswith("Authentication failed while fetching")
        (flow,) = _reauth_flows(hass, entry)
        await _finish_reauth(hass, entry, flow, _secret(entry))
    else:
        assert line.startswith("Error fetching")
        assert hass.config_entries.flow.async_progress() == []
        await poll(hass)
    await poll(hass)

    assert _unavailable(hass, entry) == [], "entities did not come back"
    assert _pairs(events) == expected
    assert _errors(caplog) == [line]
    if failure.status == 401:
        assert _ours(caplog) == [(level, line)]
    else:
        assert [lvl for lvl, _ in _ours(caplog)] == [logging.ERROR, logging.INFO]
        assert _ours(caplog)[1][1].endswith("data recovered")


# Poll: one item's lookup ----------------------------------------------------------


@pytest.mark.parametrize(("point", "failure"), CELLS[ITEM])
async def test_a_failed_item_lookup_keeps_entities_available_and_its_event_fires_once(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    point: Point,
    failure: Failure,
) -> None:
    """The item is looked up again at the next poll; 404 is expired or cancelled; 401 asks for reauth."""
    entry = _entry(point, elibom_entry, aldeamo_entry)
    simulator.advance(1)  # nobody active in the first listing's second: no re-read
    await setup_entry(hass, entry)
    ids: dict[str, str] = {}
    if point.name == "delivery":
        events = listen(hass, EVENT_DELIVERY_STATUS)
        (ids["id"],) = (await _send_sms(hass, entry))["delivery_tokens"]
        simulator.advance(60)
        final = [(ids["id"], "expired" if failure.status == 404 else "finished")]
    elif point.name == "schedule":
        events = listen(hass, EVENT_SCHEDULE_STATUS)
        (ids["id"],) = (await _send_sms(hass, entry, in_minutes=30))["schedule_ids"]
        await poll(hass)
        simulator.advance(31 * 60)  # the provider sends it and drops it from the list
        final = [(ids["id"], "cancelled" if failure.status == 404 else "executed")]
    else:
        events = listen(hass, EVENT_MESSAGE_RECEIVED)
        simulator.advance(1)
        simulator.aldeamo.write("whatsapp", ANA, "¿Hay pan?")
        final = [(ANA, "¿Hay pan?")]
    caplog.clear()
    since = len(simulator.requests)
    await _inject(simulator, point, failure, **ids)

    await poll(hass)
    await _fault_was_met(simulator, point, failure, since, **ids)

    if failure.status == 401:
        assert _all_unavailable(hass, entry)
        assert events == []
        (flow,) = _reauth_flows(hass, entry)
        ((level, line),) = _ours(caplog)
        assert level == logging.ERROR
        assert line.startswith("Authentication failed while fetching")
        await _finish_reauth(hass, entry, flow, _secret(entry))
        expected_errors = [line]
    elif failure.status == 404 and point.provider == "elibom":
        # Elibom forgot the delivery (expired) or no longer has the schedule (cancelled).
        assert _pairs(events) == final
        assert _unavailable(hass, entry) == []
        expected_errors = []
    else:
        assert events == []
        assert _unavailable(hass, entry) == []
        assert _ours(caplog) == []
        expected_errors = []
    await poll(hass)
    await poll(hass)

    assert _unavailable(hass, entry) == [], "entities did not come back"
    assert _pairs(events) == final
    assert _errors(caplog) == expected_errors
    if failure.status != 401:
        looked_up = [
            r
            for r in simulator.requests[since:]
            if (r.method, r.path) == (point.method, point.path.format(**ids))
        ]
        tried_again = 0 if failure.status == 404 and point.provider == "elibom" else 1
        # Aldeamo: the read again is also the one more read of the newest
        # second listed (whole-second last_active), so it costs nothing more.
        assert len(looked_up) == failure.attempts(point.method) + tried_again
    if point.provider == "elibom":
        assert state_of(hass, PENDING) == "0"
        assert state_of(hass, SCHEDULED) == "0"
    assert hass.config_entries.flow.async_progress() == []


# Actions ---------------------------------------------------------------------------


async def _call_action(
    hass: HomeAssistant, entry: MockConfigEntry, point: Point, ids: dict[str, str]
) -> Any:
    if point.name == "send_sms":
        return await _send_sms(hass, entry)
    if point.name == "send_sms_scheduled":
        return await _send_sms(hass, entry, in_minutes=60)
    if point.name == "cancel_scheduled_sms":
        return await hass.services.async_call(
            DOMAIN,
            "cancel_scheduled_sms",
            {"config_entry_id": entry.entry_id, "schedule_id": ids["id"]},
            blocking=True,
        )
    if point.name == "get_delivery":
        return await hass.services.async_call(
            DOMAIN,
            "get_delivery",
            {"config_entry_id": entry.entry_id, "delivery_token": ids["id"]},
            blocking=True,
            return_response=True,
        )
    return await _send_bot(hass, entry)


@pytest.mark.parametrize(("point", "failure"), CELLS[ACTION])
async def test_a_failed_action_gives_a_translated_error_and_sends_at_most_once(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    point: Point,
    failure: Failure,
) -> None:
    """The caller reads what happened; at most one POST; polling repeats nothing; 401 asks for reauth."""
    entry = _entry(point, elibom_entry, aldeamo_entry)
    await setup_entry(hass, entry)
    schedule_events = listen(hass, EVENT_SCHEDULE_STATUS)
    ids: dict[str, str] = {}
    if point.name == "cancel_scheduled_sms":
        (ids["id"],) = (await _send_sms(hass, entry, in_minutes=60))["schedule_ids"]
    elif point.name == "get_delivery":
        (ids["id"],) = (await _send_sms(hass, entry))["delivery_tokens"]
    posts_before = len(_posted_texts(simulator, point.provider))
    caplog.clear()
    since = len(simulator.requests)
    await _inject(simulator, point, failure, **ids)
    outcome = action_outcome(point, failure)

    if outcome is None:
        await _call_action(hass, entry, point, ids)
    else:
        error_type, keys = outcome
        with pytest.raises(HomeAssistantError) as caught:
            await _call_action(hass, entry, point, ids)
        err = caught.value
        assert type(err) is error_type
        assert err.translation_key in keys, err.translation_placeholders
        assert_translated(err)
        if error_type is HomeAssistantError:
            assert (
                err.translation_placeholders["provider"]
                == entry.data["provider"].capitalize()
            )
    await hass.async_block_till_done()
    await _fault_was_met(simulator, point, failure, since, **ids)

    sent = len(_posted_texts(simulator, point.provider)) - posts_before
    assert sent == (failure.attempts("POST") if point.method == "POST" else 0)
    assert sent <= 1
    assert len(_reauth_flows(hass, entry)) == (1 if failure.status == 401 else 0)
    assert _unavailable(hass, entry) == []

    await poll(hass)

    assert len(_posted_texts(simulator, point.provider)) == posts_before + sent
    assert _unavailable(hass, entry) == []
    assert _errors(caplog) == []
    # What the dashboard shows afterwards matches what the provider did.
    done = failure.handled
    if point.name == "send_sms":
        assert len(simulator.elibom.deliveries) == int(done)
        assert state_of(hass, PENDING) == "0"
    elif point.name == "send_sms_scheduled":
        assert len(simulator.elibom.schedules) == int(done)
        assert state_of(hass, SCHEDULED) == str(int(done))
    elif point.name == "cancel_scheduled_sms":
        cancelled = simulator.elibom.schedules[ids["id"]].status == "cancelled"
        assert cancelled is done
        assert _pairs(schedule_events) == ([(ids["id"], "cancelled")] if done else [])
        assert state_of(hass, SCHEDULED) == ("0" if done else "1")
    elif point.name == "send_bot_message":
        assert len(simulator.aldeamo.sent) == int(done)


# Config flows ----------------------------------------------------------------------


async def _open_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: MockConfigEntry,
    point: Point,
) -> tuple[FlowResult, dict[str, Any]]:
    """Open the flow of the point; return its form and what the user types in it."""
    elibom = point.provider == "elibom"
    if point.name == "user":
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": point.provider}
        )
        if elibom:
            return result, {
                CONF_USERNAME: ELIBOM_USER,
                CONF_API_TOKEN: ELIBOM_TOKEN,
                CONF_URL: simulator.elibom_url,
            }
        return result, {
            CONF_API_KEY: ALDEAMO_KEY,
            CONF_CHANNELS: ["whatsapp"],
            CONF_URL: simulator.aldeamo_url,
        }
    await setup_entry(hass, entry)
    if point.name == "reauth":
        # The secret was replaced at the provider; the user types the new one.
        if elibom:
            simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = NEW_TOKEN
        else:
            simulator.aldeamo.api_keys.clear()
            simulator.aldeamo.api_keys.add(NEW_KEY)
        typed = {CONF_API_TOKEN: NEW_TOKEN} if elibom else {CONF_API_KEY: NEW_KEY}
        return await entry.start_reauth_flow(hass), typed
    result = await entry.start_reconfigure_flow(hass)
    if elibom:
        return result, {
            CONF_USERNAME: ELIBOM_USER,
            CONF_API_TOKEN: "",
            CONF_URL: simulator.elibom_url,
        }
    return result, {
        CONF_CHANNELS: ["facebook", "whatsapp"],
        CONF_URL: simulator.aldeamo_url,
    }


@pytest.mark.parametrize(("point", "failure"), CELLS[FLOW])
async def test_a_failed_check_in_a_flow_shows_its_error_and_the_same_flow_then_finishes(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    point: Point,
    failure: Failure,
) -> None:
    """The form names the problem; submitted again once the provider answers, it finishes."""
    entry = _entry(point, elibom_entry, aldeamo_entry)
    form, user_input = await _open_flow(hass, simulator, entry, point)
    assert form["type"] is FlowResultType.FORM
    since = len(simulator.requests)
    await _inject(simulator, point, failure)

    result = await hass.config_entries.flow.async_configure(form["flow_id"], user_input)
    await _fault_was_met(simulator, point, failure, since)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == form["step_id"]
    assert set(result["errors"]) == {"base"}
    assert result["errors"]["base"] in flow_errors(failure)
    assert result["errors"]["base"] in ENGLISH["config"]["error"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    if point.name == "user":
        assert result["type"] is FlowResultType.CREATE_ENTRY
        created = result["result"]
        assert created.state is ConfigEntryState.LOADED
    else:
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == f"{point.name}_successful"
        assert entry.state is ConfigEntryState.LOADED
        if point.name == "reauth" and point.provider == "elibom":
            assert entry.data[CONF_API_TOKEN] == NEW_TOKEN
        elif point.name == "reauth":
            assert entry.data[CONF_API_KEY] == NEW_KEY
    assert hass.config_entries.flow.async_progress() == []
    assert _errors(caplog) == []


# No paid message twice -------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_no_paid_message_is_ever_sent_twice_through_every_fault_and_a_restart(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    provider: str,
) -> None:
    """One POST per send that reached the provider, none for refused ones, none repeated."""
    entry = elibom_entry if provider == "elibom" else aldeamo_entry
    point = next(p for p in POINTS if p.provider == provider and p.phase == ACTION)
    send = _send_sms if provider == "elibom" else _send_bot
    await setup_entry(hass, entry)
    deliveries = listen(hass, EVENT_DELIVERY_STATUS)
    await send(hass, entry, "Aviso 0")  # accepted; followed across the restart
    reached = ["Aviso 0"]
    accepted = ["Aviso 0"]

    for number, failure in enumerate(FAULTS, start=1):
        if number == len(FAULTS) // 2 + 1:
            assert await hass.config_entries.async_unload(entry.entry_id)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            assert entry.state is ConfigEntryState.LOADED
        text = f"Aviso {number}"
        await _inject(simulator, point, failure)
        with pytest.raises(HomeAssistantError):
            await send(hass, entry, text)
        if failure.kind is None:
            await simulator.come_back()
        else:
            reached.append(text)
        if failure.handled:
            accepted.append(text)
        await poll(hass)
    simulator.advance(60)
    await poll(hass)
    await poll(hass)

    assert _posted_texts(simulator, provider) == reached
    assert len(accepted) == 1 + sum(failure.handled for failure in FAULTS)
    if provider == "elibom":
        assert [d.text for d in simulator.elibom.deliveries.values()] == accepted
        assert [(e["delivery_token"], e["status"]) for e in deliveries] == [
            (next(iter(simulator.elibom.deliveries)), "finished")
        ]
        assert state_of(hass, PENDING) == "0"
    else:
        assert [sent.msg for sent in simulator.aldeamo.sent] == accepted
    assert _errors(caplog) == []


# The matrix's size -----------------------------------------------------------------


async def test_the_matrix_crosses_every_fault_with_every_point_of_both_providers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """10 faults x 15 Elibom points and x 9 Aldeamo points, each cell one test case."""
    cells = [tuple(param.values) for phase in PHASES for param in CELLS[phase]]
    per_provider = {
        provider: sum(1 for point, _ in cells if point.provider == provider)
        for provider in PROVIDERS
    }
    points = {
        provider: sum(1 for point in POINTS if point.provider == provider)
        for provider in PROVIDERS
    }

    assert len(set(cells)) == len(cells)
    assert {(point, failure) for point in POINTS for failure in FAULTS} == set(cells)
    assert len(FAULTS) == 10
    assert points == {"elibom": 15, "aldeamo": 9}
    assert per_provider == {"elibom": 150, "aldeamo": 90}
    assert len(cells) == 240
    with capsys.disabled():
        print(  # noqa: T201
            f"\nfault matrix: {len(FAULTS)} faults x {points['elibom']} Elibom points"
            f" = {per_provider['elibom']}, x {points['aldeamo']} Aldeamo points"
            f" = {per_provider['aldeamo']}; {len(cells)} combinations in all"
        )
