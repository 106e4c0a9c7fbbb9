"""Elibom in a running Home Assistant: polling, following deliveries and schedules, credit."""

from __future__ import annotations

import copy
from datetime import timedelta
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import (
    CONF_LOW_CREDIT_THRESHOLD,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
)
from tests.conftest import poll, setup_entry
from tests.const import ELIBOM_USER, WEBHOOK_ID
from tests.helpers import enable_before_set_up, listen, state_of
from tests.simulator import FaultKind, Simulator

CREDITS = "sensor.tienda_dona_perez_credits"
PENDING = "sensor.tienda_dona_perez_unconfirmed_sms"
SCHEDULED = "sensor.tienda_dona_perez_scheduled_messages"
USERS = "sensor.tienda_dona_perez_account_users"
STORE_KEY = f"{DOMAIN}.01ELIBOMENTRY0000000000000"


async def _send(
    hass: HomeAssistant, entry: MockConfigEntry, *numbers: str
) -> list[str]:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": list(numbers), "message": "Hola"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    tokens = response["delivery_tokens"]
    assert isinstance(tokens, list)
    return [str(token) for token in tokens]


async def _schedule(hass: HomeAssistant, entry: MockConfigEntry, minutes: int) -> str:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": entry.entry_id,
            "to": "573001112222",
            "message": "Recordatorio: pagar el agua",
            "schedule_at": dt_util.now() + timedelta(minutes=minutes),
        },
        blocking=True,
        return_response=True,
    )
    assert response is not None
    ids = response["schedule_ids"]
    assert isinstance(ids, list)
    assert len(ids) == 1
    return str(ids[0])


def _lookups(simulator: Simulator, token: str) -> int:
    return len(simulator.requests_to("elibom", "GET", f"/messages/{token}"))


async def test_the_account_sensors_show_credit_users_and_counts(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """After set-up the dashboard shows credit, active users and empty queues."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].users.append(
        {"id": 9, "name": "Invitado", "email": "i@example.com", "status": "invited"}
    )
    assert enable_before_set_up(hass, elibom_entry, "sensor", "account_users") == USERS

    await setup_entry(hass, elibom_entry)

    assert state_of(hass, CREDITS) == "100.0"
    credit_state = hass.states.get(CREDITS)
    assert credit_state is not None
    assert credit_state.attributes["unit_of_measurement"] == "credits"
    assert state_of(hass, USERS) == "1"
    assert state_of(hass, PENDING) == "0"
    assert state_of(hass, SCHEDULED) == "0"
    assert [r.path for r in simulator.requests_to("elibom")] == [
        "/account",
        "/schedules/scheduled",
        "/users",
    ]


async def test_a_sent_sms_is_followed_until_finished_with_one_event_per_status(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Each status change fires once; a final delivery is no longer looked up."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    (token,) = await _send(hass, elibom_entry, "573001112222")
    assert state_of(hass, PENDING) == "1"

    await poll(hass)  # still "created": no change, no event
    simulator.advance(10)
    await poll(hass)
    simulator.advance(60)
    await poll(hass)
    await poll(hass)

    assert [e["status"] for e in events] == ["running", "finished"]
    finished = events[-1]
    assert finished["config_entry_id"] == elibom_entry.entry_id
    assert finished["delivery_token"] == token
    assert (finished["num_sent"], finished["num_failed"]) == (1, 0)
    assert finished["messages"] == [
        {
            "to": "573001112222",
            "status": "sent",
            "status_detail": "sent",
            "operator": "Claro (Colombia)",
            "credits": 1.8,
            "sent_at": finished["messages"][0]["sent_at"],
        }
    ]
    assert finished["messages"][0]["sent_at"].endswith("-05:00")
    assert state_of(hass, PENDING) == "0"
    assert _lookups(simulator, token) == 3


async def test_a_number_the_provider_rejects_ends_failed_with_its_detail(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A delivery with no number sent is `failed`, the detail passed through."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    await _send(hass, elibom_entry, "573009990000")

    simulator.advance(60)
    await poll(hass)

    (event,) = events
    assert event["status"] == "failed"
    assert event["num_failed"] == 1
    assert event["messages"][0]["status_detail"] == "invalid_destination"


async def test_a_delivery_the_provider_forgot_is_reported_expired(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A 404 after about 48 hours is `expired`, not an error."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    (token,) = await _send(hass, elibom_entry, "573001112222")

    simulator.advance(49 * 3600)
    await poll(hass)
    await poll(hass)

    assert events == [
        {
            "config_entry_id": elibom_entry.entry_id,
            "delivery_token": token,
            "status": "expired",
            "num_sent": 0,
            "num_failed": 0,
            "messages": [],
            "to": ["573001112222"],
        }
    ]
    assert state_of(hass, PENDING) == "0"
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, CREDITS) != STATE_UNAVAILABLE


async def test_a_stored_delivery_older_than_48_hours_expires_without_a_request(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Past the provider's lookup window the delivery is expired at once."""
    sent_at = dt_util.utcnow() - timedelta(hours=49)
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": STORE_KEY,
        "data": {
            "deliveries": [
                {
                    "token": "1857000000000000001",
                    "status": "running",
                    "num_sent": 1,
                    "num_failed": 0,
                    "sent_at": sent_at.isoformat(),
                    "recipients": 2,
                }
            ],
            "schedules": [],
            "leaving": [],
        },
    }
    events = listen(hass, EVENT_DELIVERY_STATUS)

    await setup_entry(hass, elibom_entry)

    assert [(e["delivery_token"], e["status"], e["num_sent"]) for e in events] == [
        ("1857000000000000001", "expired", 1)
    ]
    assert _lookups(simulator, "1857000000000000001") == 0


async def test_a_restart_mid_delivery_keeps_following_it_and_repeats_no_event(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Stopping saves what is followed; starting again goes on from there."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    (token,) = await _send(hass, elibom_entry, "573001112222")
    simulator.advance(10)
    await poll(hass)
    assert [e["status"] for e in events] == ["running"]

    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    saved = hass_storage[STORE_KEY]["data"]["deliveries"]
    assert [(d["token"], d["status"]) for d in saved] == [(token, "running")]
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, PENDING) == "1"
    simulator.advance(60)
    await poll(hass)

    assert [e["status"] for e in events] == ["running", "finished"]
    assert state_of(hass, PENDING) == "0"


async def test_a_crash_right_after_sending_loses_no_tracked_delivery(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """A new delivery is written before the action returns, not later."""
    await setup_entry(hass, elibom_entry)
    (token,) = await _send(hass, elibom_entry, "573001112222")
    on_disk = copy.deepcopy(hass_storage[STORE_KEY])

    # The crash: nothing after this point reached the disk.
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    hass_storage[STORE_KEY] = on_disk
    events = listen(hass, EVENT_DELIVERY_STATUS)
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    simulator.advance(60)
    await poll(hass)

    assert [(e["delivery_token"], e["status"]) for e in events] == [(token, "finished")]


async def test_a_status_change_is_on_disk_as_soon_as_its_event_fired(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """No delay between an event and its state on disk: a kill then repeats nothing."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    await _send(hass, elibom_entry, "573001112222", "573004445555")
    simulator.advance(10)
    await poll(hass)

    assert [event["status"] for event in events] == ["running"]
    stored = hass_storage[STORE_KEY]["data"]
    assert stored["deliveries"][0]["status"] == "running"
    assert stored["outbox"] == []


async def test_a_schedule_that_runs_is_reported_executed_once(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A schedule leaving the list is asked about once, then forgotten."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=30)
    await poll(hass)
    state = hass.states.get(SCHEDULED)
    assert state is not None
    assert state.state == "1"
    assert state.attributes["next_preview"] == "Recordatorio: pagar el agua"
    assert dt_util.parse_datetime(state.attributes["next_time"]) is not None

    simulator.advance(31 * 60)
    await poll(hass)
    await poll(hass)

    assert events == [
        {
            "config_entry_id": elibom_entry.entry_id,
            "schedule_id": schedule_id,
            "status": "executed",
        }
    ]
    assert len(simulator.requests_to("elibom", "GET", f"/schedules/{schedule_id}")) == 1
    assert state_of(hass, SCHEDULED) == "0"


async def test_a_schedule_cancelled_elsewhere_is_reported_cancelled(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Cancelled in Elibom's own website: 404 on the check means cancelled."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=30)
    simulator.elibom.schedules[schedule_id].status = "cancelled"

    await poll(hass)

    assert [(e["schedule_id"], e["status"]) for e in events] == [
        (schedule_id, "cancelled")
    ]


async def test_a_schedule_check_that_fails_is_tried_again_next_poll(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A failed check loses nothing: the schedule is asked about again."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=30)
    simulator.advance(31 * 60)
    simulator.fail_next(FaultKind.STATUS, status=503, path=f"/schedules/{schedule_id}")

    await poll(hass)
    assert events == []
    await poll(hass)

    assert [e["status"] for e in events] == ["executed"]
    assert len(simulator.requests_to("elibom", "GET", f"/schedules/{schedule_id}")) == 2


async def test_a_schedule_made_elsewhere_is_shown_but_fires_nothing_while_listed(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Schedules created outside Home Assistant count too."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    await _schedule(hass, elibom_entry, minutes=90)
    await _schedule(hass, elibom_entry, minutes=30)

    await poll(hass)

    state = hass.states.get(SCHEDULED)
    assert state is not None
    assert state.state == "2"
    first = dt_util.parse_datetime(state.attributes["next_time"])
    assert first is not None
    assert first < dt_util.now() + timedelta(minutes=31)
    assert events == []


async def test_low_credit_raises_a_repair_issue_that_clears_itself(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Below the threshold an issue appears; above it again the issue goes."""
    elibom_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        elibom_entry, options={CONF_LOW_CREDIT_THRESHOLD: 99.0}
    )
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    issue_id = f"low_credit_{elibom_entry.entry_id}"
    assert issues.async_get_issue(DOMAIN, issue_id) is None

    await _send(hass, elibom_entry, "573001112222")
    await poll(hass)
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "low_credit"
    assert issue.translation_placeholders == {
        "account": elibom_entry.title,
        "credits": "98.2",
        "threshold": "99",
    }

    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 500
    await poll(hass)
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_an_inbound_sms_on_the_webhook_becomes_one_event(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Elibom's GET callback fires message_received once, in Colombia time."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    query = {"from": "573001112222", "text": "SI", "date": "24-11-2026-10-15-00"}

    first = await client.get(f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=query)
    again = await client.get(f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=query)
    await hass.async_block_till_done()

    assert (first.status, again.status) == (200, 200)
    (event,) = events
    assert event == {
        "config_entry_id": elibom_entry.entry_id,
        "provider": "elibom",
        "channel": "sms",
        "client_id": "573001112222",
        "name": None,
        "message": "SI",
        "message_id": event["message_id"],
        "time": "2026-11-24T10:15:00-05:00",
    }
    assert event["message_id"]


async def test_an_inbound_sms_without_sender_or_text_is_refused(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A callback that is not one answers 400 and fires nothing."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    for query in ({"text": "hola"}, {"from": "57300"}, {"from": "abc", "text": "x"}):
        response = await client.get(
            f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=query
        )
        assert response.status == 400
    await hass.async_block_till_done()

    assert events == []


async def test_an_sms_while_the_account_is_unloaded_fires_at_its_next_set_up(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Unloaded (not disabled), the account still takes SMS; they fire once it is back."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    client = await hass_client_no_auth()

    response = await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
        params={"from": "573001112222", "text": "x"},
    )
    await hass.async_block_till_done()
    assert response.status == 200
    assert events == []

    assert await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    assert [e["message"] for e in events] == ["x"]


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (FaultKind.STATUS, 404),
        (FaultKind.STATUS, 429),
        (FaultKind.STATUS, 500),
        (FaultKind.STATUS, 503),
        (FaultKind.MALFORMED, 200),
        (FaultKind.TRUNCATED, 200),
        (FaultKind.DISCONNECT, 200),
        (FaultKind.DELAY, 200),
    ],
)
async def test_a_provider_failure_at_setup_retries_later(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    kind: FaultKind,
    status: int,
) -> None:
    """Set-up is retried by Home Assistant; no reauth is asked."""
    simulator.fail_next(kind, count=2, status=status, delay=2, path="/account")

    with patch("custom_components.latam_messaging.REQUEST_TIMEOUT", 0.3):
        await setup_entry(hass, elibom_entry)

    assert elibom_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.config_entries.flow.async_progress() == []


async def test_a_wrong_password_at_setup_asks_to_reauthenticate(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """401 stops set-up and starts the reauth flow."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = "changed"

    await setup_entry(hass, elibom_entry)

    assert elibom_entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == "reauth"
    assert flow["context"]["entry_id"] == elibom_entry.entry_id


async def test_a_failing_poll_makes_entities_unavailable_then_they_recover(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One error line when it breaks, one line when it recovers, nothing lost."""
    await setup_entry(hass, elibom_entry)
    (token,) = await _send(hass, elibom_entry, "573001112222")
    caplog.clear()

    simulator.fail_next(FaultKind.STATUS, count=3, status=503, path="/account")
    for _ in range(3):
        await poll(hass)
        assert state_of(hass, CREDITS) == STATE_UNAVAILABLE
        assert state_of(hass, PENDING) == STATE_UNAVAILABLE
    simulator.advance(60)
    await poll(hass)

    assert state_of(hass, CREDITS) == "98.2"
    assert state_of(hass, PENDING) == "0"
    ours = [
        r
        for r in caplog.records
        if r.name.startswith("custom_components.latam_messaging")
        and r.levelno >= logging.INFO
    ]
    assert [(r.levelno, "recovered" in r.getMessage()) for r in ours] == [
        (logging.ERROR, False),
        (logging.INFO, True),
    ]
    assert _lookups(simulator, token) == 1


async def test_a_401_while_polling_starts_reauth(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The API password changed at Elibom: Home Assistant asks for the new one."""
    await setup_entry(hass, elibom_entry)
    simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = "changed"

    await poll(hass)

    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == "reauth"
    assert state_of(hass, CREDITS) == STATE_UNAVAILABLE


async def test_a_delivery_lookup_failure_keeps_it_pending_for_the_next_poll(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A failing lookup of one delivery neither fails the poll nor loses it."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    (token,) = await _send(hass, elibom_entry, "573001112222")
    simulator.advance(60)
    simulator.fail_next(FaultKind.STATUS, status=500, path=f"/messages/{token}")

    await poll(hass)
    assert state_of(hass, PENDING) == "1"
    assert state_of(hass, CREDITS) != STATE_UNAVAILABLE
    await poll(hass)

    assert [e["status"] for e in events] == ["finished"]
