"""Every fault kind at set-up, at each call of a poll and at each item a poll looks up.

The matrix is in tests/fault_cases.py, the simulator that can refuse connections and
the checks shared by the tests/test_fault_matrix_*.py files in tests/fault_checks.py.
"""

from __future__ import annotations

import logging

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
    USERS_REFRESH_EVERY,
)
from tests import fault_checks
from tests.conftest import poll, setup_entry
from tests.fault_cases import CELLS, ITEM, POLL, SETUP, Failure, Point
from tests.fault_checks import (
    ANA,
    PENDING,
    SCHEDULED,
    LeavingSimulator,
    all_unavailable,
    entry_for,
    errors_logged,
    fault_was_met,
    finish_reauth,
    inject,
    ours,
    pairs_of,
    reauth_flows,
    secret_of,
    send_sms,
    something_pending,
    unavailable,
)
from tests.helpers import listen, state_of

# The matrix's own fixtures (tests/fault_checks.py): a simulator that can refuse
# connections, short request timeouts, and the account-users sensor turned on.
simulator = fault_checks.simulator
short_timeouts = fault_checks.short_timeouts
account_users_on = fault_checks.account_users_on


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
    entry = entry_for(point, elibom_entry, aldeamo_entry)
    since = len(simulator.requests)
    await inject(simulator, point, failure)

    await setup_entry(hass, entry)
    await fault_was_met(simulator, point, failure, since)

    if failure.status == 401:
        assert entry.state is ConfigEntryState.SETUP_ERROR
        (flow,) = reauth_flows(hass, entry)
        assert flow["step_id"] == "reauth_confirm"
        assert errors_logged(caplog) == []
        await finish_reauth(hass, entry, flow, secret_of(entry))
    else:
        assert entry.state is ConfigEntryState.SETUP_RETRY
        assert hass.config_entries.flow.async_progress() == []
        assert errors_logged(caplog) == []
        await poll(hass)  # Home Assistant's own retry
    assert entry.state is ConfigEntryState.LOADED
    assert unavailable(hass, entry) == []
    assert errors_logged(caplog) == []


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
    entry = entry_for(point, elibom_entry, aldeamo_entry)
    await setup_entry(hass, entry)
    if point.path == "/users" and point.provider == "elibom":
        # Account users are asked for every USERS_REFRESH_EVERY polls only.
        for _ in range(USERS_REFRESH_EVERY - 1):
            await poll(hass)
    events, expected = await something_pending(hass, simulator, entry)
    caplog.clear()
    since = len(simulator.requests)
    await inject(simulator, point, failure)

    await poll(hass)
    await fault_was_met(simulator, point, failure, since)

    assert all_unavailable(hass, entry)
    assert events == []
    (level, line), *_ = ours(caplog)
    assert level == logging.ERROR
    if failure.status == 401:
        assert line.startswith("Authentication failed while fetching")
        (flow,) = reauth_flows(hass, entry)
        await finish_reauth(hass, entry, flow, secret_of(entry))
    else:
        assert line.startswith("Error fetching")
        assert hass.config_entries.flow.async_progress() == []
        await poll(hass)
    await poll(hass)

    assert unavailable(hass, entry) == [], "entities did not come back"
    assert pairs_of(events) == expected
    assert errors_logged(caplog) == [line]
    if failure.status == 401:
        assert ours(caplog) == [(level, line)]
    else:
        assert [lvl for lvl, _ in ours(caplog)] == [logging.ERROR, logging.INFO]
        assert ours(caplog)[1][1].endswith("data recovered")


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
    entry = entry_for(point, elibom_entry, aldeamo_entry)
    simulator.advance(1)  # nobody active in the first listing's second: no re-read
    await setup_entry(hass, entry)
    ids: dict[str, str] = {}
    if point.name == "delivery":
        events = listen(hass, EVENT_DELIVERY_STATUS)
        (ids["id"],) = (await send_sms(hass, entry))["delivery_tokens"]
        simulator.advance(60)
        final = [(ids["id"], "expired" if failure.status == 404 else "finished")]
    elif point.name == "schedule":
        events = listen(hass, EVENT_SCHEDULE_STATUS)
        (ids["id"],) = (await send_sms(hass, entry, in_minutes=30))["schedule_ids"]
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
    await inject(simulator, point, failure, **ids)

    await poll(hass)
    await fault_was_met(simulator, point, failure, since, **ids)

    if failure.status == 401:
        assert all_unavailable(hass, entry)
        assert events == []
        (flow,) = reauth_flows(hass, entry)
        ((level, line),) = ours(caplog)
        assert level == logging.ERROR
        assert line.startswith("Authentication failed while fetching")
        await finish_reauth(hass, entry, flow, secret_of(entry))
        expected_errors = [line]
    elif failure.status == 404 and point.provider == "elibom":
        # Elibom forgot the delivery (expired) or no longer has the schedule (cancelled).
        assert pairs_of(events) == final
        assert unavailable(hass, entry) == []
        expected_errors = []
    else:
        assert events == []
        assert unavailable(hass, entry) == []
        assert ours(caplog) == []
        expected_errors = []
    await poll(hass)
    await poll(hass)

    assert unavailable(hass, entry) == [], "entities did not come back"
    assert pairs_of(events) == final
    assert errors_logged(caplog) == expected_errors
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
