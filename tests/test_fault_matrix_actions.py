"""Every fault kind at each action; and no paid message is ever sent twice through them.

The matrix is in tests/fault_cases.py, the simulator that can refuse connections and
the checks shared by the tests/test_fault_matrix_*.py files in tests/fault_checks.py.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_SCHEDULE_STATUS,
)
from tests import fault_checks
from tests.conftest import poll, setup_entry
from tests.fault_cases import (
    ACTION,
    CELLS,
    FAULTS,
    POINTS,
    PROVIDERS,
    Failure,
    Point,
    action_outcome,
)
from tests.fault_checks import (
    PENDING,
    SCHEDULED,
    LeavingSimulator,
    entry_for,
    errors_logged,
    fault_was_met,
    inject,
    pairs_of,
    posted_texts,
    reauth_flows,
    send_bot,
    send_sms,
    unavailable,
)
from tests.helpers import assert_translated, listen, state_of

# The matrix's own fixtures (tests/fault_checks.py): a simulator that can refuse
# connections, short request timeouts, and the account-users sensor turned on.
simulator = fault_checks.simulator
short_timeouts = fault_checks.short_timeouts
account_users_on = fault_checks.account_users_on


# Actions ---------------------------------------------------------------------------


async def _call_action(
    hass: HomeAssistant, entry: MockConfigEntry, point: Point, ids: dict[str, str]
) -> Any:
    if point.name == "send_sms":
        return await send_sms(hass, entry)
    if point.name == "send_sms_scheduled":
        return await send_sms(hass, entry, in_minutes=60)
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
    return await send_bot(hass, entry)


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
    entry = entry_for(point, elibom_entry, aldeamo_entry)
    await setup_entry(hass, entry)
    schedule_events = listen(hass, EVENT_SCHEDULE_STATUS)
    ids: dict[str, str] = {}
    if point.name == "cancel_scheduled_sms":
        (ids["id"],) = (await send_sms(hass, entry, in_minutes=60))["schedule_ids"]
    elif point.name == "get_delivery":
        (ids["id"],) = (await send_sms(hass, entry))["delivery_tokens"]
    posts_before = len(posted_texts(simulator, point.provider))
    caplog.clear()
    since = len(simulator.requests)
    await inject(simulator, point, failure, **ids)
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
    await fault_was_met(simulator, point, failure, since, **ids)

    sent = len(posted_texts(simulator, point.provider)) - posts_before
    assert sent == (failure.attempts("POST") if point.method == "POST" else 0)
    assert sent <= 1
    assert len(reauth_flows(hass, entry)) == (1 if failure.status == 401 else 0)
    assert unavailable(hass, entry) == []

    await poll(hass)

    assert len(posted_texts(simulator, point.provider)) == posts_before + sent
    assert unavailable(hass, entry) == []
    assert errors_logged(caplog) == []
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
        assert pairs_of(schedule_events) == ([(ids["id"], "cancelled")] if done else [])
        assert state_of(hass, SCHEDULED) == ("0" if done else "1")
    elif point.name == "send_bot_message":
        assert len(simulator.aldeamo.sent) == int(done)


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
    send = send_sms if provider == "elibom" else send_bot
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
        await inject(simulator, point, failure)
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

    assert posted_texts(simulator, provider) == reached
    assert len(accepted) == 1 + sum(failure.handled for failure in FAULTS)
    if provider == "elibom":
        assert [d.text for d in simulator.elibom.deliveries.values()] == accepted
        assert [(e["delivery_token"], e["status"]) for e in deliveries] == [
            (next(iter(simulator.elibom.deliveries)), "finished")
        ]
        assert state_of(hass, PENDING) == "0"
    else:
        assert [sent.msg for sent in simulator.aldeamo.sent] == accepted
    assert errors_logged(caplog) == []
