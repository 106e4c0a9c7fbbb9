"""Elibom actions and notify paths in a running Home Assistant, against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from homeassistant.config_entries import SOURCE_REAUTH, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    BROADCAST_CHUNK_SIZE,
    DOMAIN,
    EVENT_SCHEDULE_STATUS,
)
from tests.conftest import poll, setup_entry
from tests.elibom_action_cases import (
    BAD_NUMBERS,
    GOOD,
    LOST_ANSWERS,
    NO_NUMBERS,
    UNREADABLE_SCHEDULE_TIMES,
    WRONG_TYPES,
)
from tests.helpers import (
    assert_translated,
    listen,
    notify_entity_of,
    state_of,
    with_subentries,
)
from tests.simulator import FaultKind, Simulator

PENDING = "sensor.tienda_dona_perez_unconfirmed_sms"
SCHEDULED = "sensor.tienda_dona_perez_scheduled_messages"
LEGACY_SERVICE = "tienda_dona_perez"
BOGOTA = ZoneInfo("America/Bogota")
RECIPIENT_NUMBER = "573001112222"


# Helpers --------------------------------------------------------------------------


def _posts(simulator: Simulator) -> list[Any]:
    """Return every POST /messages the simulated Elibom received."""
    return simulator.requests_to("elibom", "POST", "/messages")


async def _send_sms(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def _refused(
    hass: HomeAssistant, simulator: Simulator, service: str, data: dict[str, Any]
) -> ServiceValidationError:
    """Call an action that must be refused before any request; return the error."""
    before = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=service != "cancel_scheduled_sms",
        )
    assert simulator.requests[before:] == []
    assert caught.value.translation_domain == DOMAIN
    return caught.value


async def _send_failing(
    hass: HomeAssistant, entry: MockConfigEntry, numbers: list[str]
) -> HomeAssistantError:
    with pytest.raises(HomeAssistantError) as caught:
        await _send_sms(
            hass,
            {
                "config_entry_id": entry.entry_id,
                "to": numbers,
                "message": "Alarma: puerta abierta",
            },
        )
    return caught.value


def _entry_with_recipient(elibom_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the test account's entry with one recipient subentry."""
    return with_subentries(
        elibom_entry,
        ConfigSubentryData(
            data={"name": "Mamá", "phone_number": RECIPIENT_NUMBER},
            subentry_type="recipient",
            title="Mamá",
            unique_id=RECIPIENT_NUMBER,
        ),
    )


def _wire_date(moment: datetime) -> str:
    """Colombia wall-clock time to the minute, as Elibom expects scheduleDate."""
    return moment.astimezone(BOGOTA).strftime("%Y-%m-%d %H:%M")


# send_sms now -----------------------------------------------------------------------


async def test_send_sms_posts_normalised_unique_numbers_once_and_returns_the_token(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Separators and leading + go, 10-digit numbers get 57, duplicates go once, one POST."""
    await setup_entry(hass, elibom_entry)
    assert state_of(hass, PENDING) == "0"

    response = await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": [
                "+57 300 111 2222",
                "(300) 444-5555",
                "300.777.8888",
                "573001112222",
                "+1 (415) 555-0100",
            ],
            "message": "Alarma: puerta abierta",
        },
    )

    (post,) = _posts(simulator)
    assert post.json == {
        "to": "573001112222,573004445555,573007778888,14155550100",
        "text": "Alarma: puerta abierta",
    }
    assert response == {
        "delivery_tokens": list(simulator.elibom.deliveries),
        "encoding": "gsm7",
        "segments": 1,
    }
    assert len(response["delivery_tokens"]) == 1
    assert state_of(hass, PENDING) == "1"


async def test_send_sms_accepts_one_comma_separated_string_of_numbers(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """`to` written as one string is split on commas, like a list."""
    await setup_entry(hass, elibom_entry)

    response = await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "3001112222, +57-300-444-5555,3001112222",
            "message": "Hola",
        },
    )

    (post,) = _posts(simulator)
    assert post.json == {"to": "573001112222,573004445555", "text": "Hola"}
    (token,) = response["delivery_tokens"]
    assert token in simulator.elibom.deliveries


async def test_a_message_of_exactly_160_characters_is_sent(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The limit itself is allowed: 160 characters go out unchanged."""
    await setup_entry(hass, elibom_entry)
    text = "x" * 160

    await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "573001112222",
            "message": text,
        },
    )

    (post,) = _posts(simulator)
    assert post.json["text"] == text


# send_sms scheduled -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["aware datetime", "aware text", "naive datetime", "naive text"]
)
async def test_a_scheduled_sms_carries_colombia_wall_clock_time_and_is_shown(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    kind: str,
) -> None:
    """schedule_at (naive = Home Assistant's local time) goes out as Bogotá `yyyy-MM-dd HH:mm`."""
    await setup_entry(hass, elibom_entry)
    local_zone = ZoneInfo(hass.config.time_zone)
    tokyo = timezone(timedelta(hours=9))
    moment = (datetime.now(UTC) + timedelta(hours=3)).replace(second=0, microsecond=0)
    naive_local = moment.astimezone(local_zone).replace(tzinfo=None)
    value: Any = {
        "aware datetime": moment.astimezone(tokyo),
        "aware text": moment.astimezone(tokyo).isoformat(),
        "naive datetime": naive_local,
        "naive text": naive_local.strftime("%Y-%m-%d %H:%M:%S"),
    }[kind]
    text = "Recordatorio: pagar el agua"

    response = await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": ["3001112222"],
            "message": text,
            "schedule_at": value,
        },
    )

    (post,) = _posts(simulator)
    assert post.json == {
        "to": "573001112222",
        "text": text,
        "scheduleDate": _wire_date(moment),
    }
    assert response == {
        "schedule_ids": list(simulator.elibom.schedules),
        "scheduled_for": dt_util.as_local(moment).isoformat(),
        "encoding": "gsm7",
        "segments": 1,
    }
    assert len(response["schedule_ids"]) == 1
    assert simulator.elibom.deliveries == {}
    for _ in range(2):  # right after sending, and after the next poll
        state = hass.states.get(SCHEDULED)
        assert state is not None
        assert state.state == "1"
        assert dt_util.parse_datetime(state.attributes["next_time"]) == moment
        assert state.attributes["next_preview"] == text
        await poll(hass)
    assert state_of(hass, PENDING) == "0"


# Input rules --------------------------------------------------------------------------


@pytest.mark.parametrize(("to", "shown", "key"), BAD_NUMBERS)
async def test_a_bad_phone_number_is_refused_by_name_and_nothing_is_sent(  # noqa: PLR0913
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    to: Any,
    shown: str,
    key: str,
) -> None:
    """A number the input rules refuse stops the whole send and is named."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": to, "message": "Hola"},
    )

    assert err.translation_key == key
    assert shown in str(err)
    if key == "local_phone_number":
        assert "write + and the country code" in str(err)
    assert state_of(hass, PENDING) == "0"


@pytest.mark.parametrize("to", NO_NUMBERS)
async def test_no_phone_number_at_all_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator, to: Any
) -> None:
    """Without any number there is nothing to send to."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": to, "message": "Hola"},
    )

    assert err.translation_key == "no_recipients"


@pytest.mark.parametrize("message", ["", "   "])
async def test_an_empty_message_is_refused(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    message: str,
) -> None:
    """An empty or blank message is not sent."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": message},
    )

    assert err.translation_key == "empty_message"


async def test_a_161_character_message_is_refused_saying_its_length_and_the_limit(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """One character over Elibom's limit is refused before sending."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": "y" * 161},
    )

    assert err.translation_key == "message_too_long"
    assert err.translation_placeholders == {"length": "161", "limit": "160"}
    assert "161" in str(err)
    assert "160" in str(err)


async def test_a_schedule_time_in_the_past_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A time that has gone by cannot be scheduled."""
    await setup_entry(hass, elibom_entry)
    past = dt_util.now() - timedelta(minutes=5)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": GOOD,
            "message": "Tarde",
            "schedule_at": past,
        },
    )

    assert err.translation_key == "schedule_in_past"
    assert past.strftime("%Y-%m-%dT%H:%M") in str(err)


@pytest.mark.parametrize(("value", "shown"), UNREADABLE_SCHEDULE_TIMES)
async def test_an_unreadable_schedule_time_is_refused_by_name(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    value: Any,
    shown: str,
) -> None:
    """schedule_at that is not a date and time is named in the error."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": GOOD,
            "message": "Hola",
            "schedule_at": value,
        },
    )

    assert err.translation_key == "invalid_schedule_at"
    assert shown in str(err)


@pytest.mark.parametrize(("fields", "field"), WRONG_TYPES)
async def test_a_field_of_the_wrong_type_is_refused_by_name(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    fields: dict[str, Any],
    field: str,
) -> None:
    """Values that are not text or numbers are refused, naming the field."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, **fields},
    )

    assert err.translation_key == "wrong_type"
    assert err.translation_placeholders is not None
    assert err.translation_placeholders["field"] == field
    assert field in str(err)


@pytest.mark.parametrize("missing", ["config_entry_id", "to", "message"])
async def test_a_missing_field_is_refused_by_name(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    missing: str,
) -> None:
    """Each required field of send_sms is asked for by name."""
    await setup_entry(hass, elibom_entry)
    data = {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": "Hola"}
    del data[missing]

    err = await _refused(hass, simulator, "send_sms", data)

    assert err.translation_key == "missing_field"
    assert err.translation_placeholders == {"field": missing}
    assert missing in str(err)


async def test_an_unknown_account_is_refused_by_id(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A config_entry_id that does not exist is named in the error."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": "01NOSUCHENTRY", "to": GOOD, "message": "Hola"},
    )

    assert err.translation_key == "entry_not_found"
    assert "01NOSUCHENTRY" in str(err)


async def test_an_aldeamo_account_cannot_send_sms(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """send_sms on the other provider's entry is refused, nothing reaches either API."""
    await setup_entry(hass, aldeamo_entry)

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": aldeamo_entry.entry_id, "to": GOOD, "message": "Hola"},
    )

    assert err.translation_key == "needs_elibom_account"
    assert str(err) == (
        "Aldeamo bots is an Aldeamo bot account; this action needs an Elibom (SMS) "
        "account"
    )
    assert "(elibom)" not in str(err)
    assert simulator.requests_to("elibom") == []
    assert simulator.requests_to("aldeamo", "POST") == []


async def test_an_unloaded_account_cannot_send(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """After unloading, the account's actions are refused with its title."""
    await setup_entry(hass, elibom_entry)
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    await hass.async_block_till_done()

    err = await _refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": "Hola"},
    )

    assert err.translation_key == "entry_not_loaded"
    assert elibom_entry.title in str(err)
    assert _posts(simulator) == []


# cancel_scheduled_sms ---------------------------------------------------------------


async def _schedule(hass: HomeAssistant, entry: MockConfigEntry, minutes: int) -> str:
    response = await _send_sms(
        hass,
        {
            "config_entry_id": entry.entry_id,
            "to": GOOD,
            "message": "Tomar la pastilla",
            "schedule_at": dt_util.now() + timedelta(minutes=minutes),
        },
    )
    (schedule_id,) = response["schedule_ids"]
    return str(schedule_id)


async def test_cancelling_a_schedule_deletes_it_and_reports_cancelled_once(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """DELETE /schedules/{id}, one `cancelled` event, and the count drops at once."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=60)
    assert state_of(hass, SCHEDULED) == "1"

    await hass.services.async_call(
        DOMAIN,
        "cancel_scheduled_sms",
        {"config_entry_id": elibom_entry.entry_id, "schedule_id": schedule_id},
        blocking=True,
    )
    await hass.async_block_till_done()

    assert len(simulator.requests_to("elibom", "DELETE")) == 1
    assert (
        len(simulator.requests_to("elibom", "DELETE", f"/schedules/{schedule_id}")) == 1
    )
    assert simulator.elibom.schedules[schedule_id].status == "cancelled"
    assert state_of(hass, SCHEDULED) == "0"
    await poll(hass)
    await poll(hass)
    assert events == [
        {
            "config_entry_id": elibom_entry.entry_id,
            "schedule_id": schedule_id,
            "status": "cancelled",
        }
    ]
    assert state_of(hass, SCHEDULED) == "0"


async def test_cancelling_an_unknown_schedule_says_it_does_not_exist(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Elibom's 404 becomes schedule_not_found naming the id."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "cancel_scheduled_sms",
            {"config_entry_id": elibom_entry.entry_id, "schedule_id": "999999"},
            blocking=True,
        )

    assert caught.value.translation_key == "schedule_not_found"
    assert "999999" in str(caught.value)
    assert len(simulator.requests_to("elibom", "DELETE", "/schedules/999999")) == 1
    assert events == []


async def test_cancelling_an_executed_schedule_says_it_was_already_sent(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Elibom's 409 becomes schedule_already_executed, distinct from not found."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=10)
    simulator.advance(11 * 60)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "cancel_scheduled_sms",
            {"config_entry_id": elibom_entry.entry_id, "schedule_id": schedule_id},
            blocking=True,
        )

    assert caught.value.translation_key == "schedule_already_executed"
    assert schedule_id in str(caught.value)
    assert (
        len(simulator.requests_to("elibom", "DELETE", f"/schedules/{schedule_id}")) == 1
    )
    assert simulator.elibom.schedules[schedule_id].status == "executed"
    assert [e["status"] for e in events] == []


async def _cancel(
    hass: HomeAssistant, entry: MockConfigEntry, schedule_id: str
) -> ServiceValidationError | None:
    """Cancel a schedule; return the error it was refused with, if any."""
    try:
        await hass.services.async_call(
            DOMAIN,
            "cancel_scheduled_sms",
            {"config_entry_id": entry.entry_id, "schedule_id": schedule_id},
            blocking=True,
        )
    except ServiceValidationError as err:
        return err
    return None


async def test_cancelling_twice_says_it_was_already_cancelled_or_sent(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The second cancel meets Elibom's 404, and the error says what happened."""
    await setup_entry(hass, elibom_entry)
    schedule_id = await _schedule(hass, elibom_entry, minutes=60)

    assert await _cancel(hass, elibom_entry, schedule_id) is None
    err = await _cancel(hass, elibom_entry, schedule_id)

    assert err is not None
    assert_translated(err, "schedule_already_ended")
    assert (
        str(err) == f"The scheduled message {schedule_id} was already cancelled or sent"
    )
    assert (
        len(simulator.requests_to("elibom", "DELETE", f"/schedules/{schedule_id}")) == 2
    )
    # An id this account never had keeps its own message.
    unknown = await _cancel(hass, elibom_entry, "999999")
    assert unknown is not None
    assert unknown.translation_key == "schedule_not_found"


async def test_cancelling_a_schedule_cancelled_elsewhere_says_so(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A listed schedule Elibom no longer knows is cancelled: what was asked is done.

    The same answer comes when the first DELETE's reply was lost and aiohttp sent
    it again; a second cancel after that says it already ended.
    """
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=60)
    simulator.elibom.schedules[schedule_id].status = "cancelled"

    assert await _cancel(hass, elibom_entry, schedule_id) is None
    assert [(e["schedule_id"], e["status"]) for e in events] == [
        (schedule_id, "cancelled")
    ]

    err = await _cancel(hass, elibom_entry, schedule_id)
    assert err is not None
    assert err.translation_key == "schedule_already_ended"


async def test_cancelling_a_schedule_that_was_sent_and_forgotten_says_so(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Reported executed by the polls, then gone at Elibom (404): already cancelled or sent."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=10)
    simulator.advance(11 * 60)
    await poll(hass)
    assert [e["status"] for e in events] == ["executed"]
    del simulator.elibom.schedules[schedule_id]

    err = await _cancel(hass, elibom_entry, schedule_id)

    assert err is not None
    assert err.translation_key == "schedule_already_ended"


@pytest.mark.parametrize("schedule_id", ["1410774/../account", "../users", "14 10"])
async def test_a_schedule_id_that_could_change_the_path_sends_nothing(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    schedule_id: str,
) -> None:
    """An id with a slash or a space is refused before any request."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass,
        simulator,
        "cancel_scheduled_sms",
        {"config_entry_id": elibom_entry.entry_id, "schedule_id": schedule_id},
    )

    assert err.translation_key == "schedule_not_found"
    assert simulator.requests_to("elibom", "DELETE") == []


# get_delivery -------------------------------------------------------------------------


async def test_get_delivery_returns_the_delivery_and_each_message(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The response has the token, status, counts and every message's fate."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await setup_entry(hass, elibom_entry)
    response = await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": ["573001112222", "573009990000"],
            "message": "Hola",
        },
    )
    (token,) = response["delivery_tokens"]
    simulator.advance(60)
    sim_delivery = simulator.elibom.deliveries[token]
    sent_moment = (sim_delivery.created_at + simulator.elibom.finished_after).replace(
        microsecond=0
    )

    delivery = await hass.services.async_call(
        DOMAIN,
        "get_delivery",
        {"config_entry_id": elibom_entry.entry_id, "delivery_token": token},
        blocking=True,
        return_response=True,
    )

    assert delivery is not None
    sent, failed = delivery.pop("messages")
    assert delivery == {
        "delivery_token": token,
        "status": "finished",
        "num_sent": 1,
        "num_failed": 1,
    }
    sent_at = sent.pop("sent_at")
    assert sent == {
        "to": "573001112222",
        "status": "sent",
        "status_detail": "sent",
        "operator": "Claro (Colombia)",
        "credits": simulator.elibom.accounts["tienda@example.com"].price_per_sms,
    }
    assert dt_util.parse_datetime(sent_at) == sent_moment
    assert failed == {
        "to": "573009990000",
        "status": "failed",
        "status_detail": "invalid_destination",
        "operator": "Claro (Colombia)",
        "credits": 0.0,
        "sent_at": None,
    }
    assert len(simulator.requests_to("elibom", "GET", f"/messages/{token}")) == 1


async def test_get_delivery_of_an_unknown_token_says_it_was_not_found(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Elibom's 404 becomes delivery_not_found naming the token."""
    await setup_entry(hass, elibom_entry)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "get_delivery",
            {
                "config_entry_id": elibom_entry.entry_id,
                "delivery_token": "1857000000000000999",
            },
            blocking=True,
            return_response=True,
        )

    assert caught.value.translation_key == "delivery_not_found"
    assert "1857000000000000999" in str(caught.value)
    assert (
        len(simulator.requests_to("elibom", "GET", "/messages/1857000000000000999"))
        == 1
    )


# Broadcast ----------------------------------------------------------------------------


def _numbers(count: int) -> list[str]:
    return [f"57310{index:07d}" for index in range(count)]


async def test_a_broadcast_to_250_numbers_goes_in_three_chunks_all_followed(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Chunks of at most BROADCAST_CHUNK_SIZE, one token each, every one tracked."""
    await setup_entry(hass, elibom_entry)
    numbers = _numbers(250)

    response = await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": numbers,
            "message": "Corte de agua mañana",
        },
    )

    posts = _posts(simulator)
    assert len(posts) == 3
    chunks = [post.json["to"].split(",") for post in posts]
    assert all(len(chunk) <= BROADCAST_CHUNK_SIZE for chunk in chunks)
    assert sorted(number for chunk in chunks for number in chunk) == sorted(numbers)
    assert {post.json["text"] for post in posts} == {"Corte de agua mañana"}
    tokens = response["delivery_tokens"]
    assert len(tokens) == 3
    assert sorted(tokens) == sorted(simulator.elibom.deliveries)
    assert state_of(hass, PENDING) == "3"


async def test_a_broadcast_with_one_failed_chunk_keeps_following_the_accepted_ones(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The error says how many numbers were accepted; their deliveries stay tracked."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(
        FaultKind.STATUS, count=1, status=503, method="POST", path="/messages"
    )

    err = await _send_failing(hass, elibom_entry, _numbers(250))

    posts = _posts(simulator)
    assert len(posts) == 3
    accepted = sum(
        len(post.json["to"].split(",")) for post in posts if post.fault is None
    )
    assert accepted in (150, 200)
    assert err.translation_key == "broadcast_partly_failed"
    assert f"{accepted} of 250" in str(err)
    for token in simulator.elibom.deliveries:
        assert token in str(err)
    assert len(simulator.elibom.deliveries) == 2
    assert state_of(hass, PENDING) == "2"


# Notify -------------------------------------------------------------------------------


async def test_a_recipient_notify_entity_sends_the_title_as_its_first_line(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.send_message on a recipient sends one SMS to its number."""
    entry = _entry_with_recipient(elibom_entry)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": entity_id, "title": "Alarma", "message": "Puerta abierta"},
        blocking=True,
    )
    await hass.async_block_till_done()

    (post,) = _posts(simulator)
    assert post.json == {"to": RECIPIENT_NUMBER, "text": "Alarma\nPuerta abierta"}
    assert state_of(hass, PENDING) == "1"


async def test_a_recipient_notify_entity_refuses_title_and_message_over_160(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The title counts towards the limit: 20 + newline + 150 is too long."""
    entry = _entry_with_recipient(elibom_entry)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": entity_id, "title": "T" * 20, "message": "m" * 150},
            blocking=True,
        )

    assert caught.value.translation_key == "message_too_long"
    assert caught.value.translation_placeholders == {"length": "171", "limit": "160"}
    assert simulator.requests[before:] == []


async def test_the_classic_notify_service_sends_to_its_targets_in_one_post(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.<account slug> with target numbers: one POST, title first."""
    await setup_entry(hass, elibom_entry)
    assert hass.services.has_service("notify", LEGACY_SERVICE)

    await hass.services.async_call(
        "notify",
        LEGACY_SERVICE,
        {
            "message": "Su código es 123456",
            "title": "Tienda",
            "target": ["+57 300 111 2222", "3004445555"],
        },
        blocking=True,
    )
    await hass.async_block_till_done()

    (post,) = _posts(simulator)
    assert post.json == {
        "to": "573001112222,573004445555",
        "text": "Tienda\nSu código es 123456",
    }
    assert state_of(hass, PENDING) == "1"


async def test_the_classic_notify_service_without_target_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Without a number the classic service sends nothing."""
    await setup_entry(hass, elibom_entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify", LEGACY_SERVICE, {"message": "Su código es 123456"}, blocking=True
        )

    assert caught.value.translation_domain == DOMAIN
    assert caught.value.translation_key == "no_recipients"
    assert simulator.requests[before:] == []


# Provider failures while sending ------------------------------------------------------


async def test_a_401_while_sending_fails_and_starts_reauthentication(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Refused credentials: auth_failed, a reauth flow, and no second POST."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.STATUS, status=401, method="POST", path="/messages")

    err = await _send_failing(hass, elibom_entry, [GOOD])
    await hass.async_block_till_done()

    assert err.translation_key == "auth_failed"
    assert len(_posts(simulator)) == 1
    flows = list(elibom_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(flows) == 1
    assert state_of(hass, PENDING) == "0"


async def test_a_400_while_sending_shows_the_providers_description(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Elibom's own explanation reaches the caller."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.STATUS, status=400, method="POST", path="/messages")

    err = await _send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "provider_refused"
    assert "Error simulado: bad_request" in str(err)
    assert len(_posts(simulator)) == 1
    assert state_of(hass, PENDING) == "0"


async def test_a_429_while_sending_asks_to_slow_down_without_repeating(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Rate limited: rate_limited, and the send is not tried again."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.STATUS, status=429, method="POST", path="/messages")

    err = await _send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "rate_limited"
    assert len(_posts(simulator)) == 1
    assert state_of(hass, PENDING) == "0"


@pytest.mark.parametrize(("kind", "status"), LOST_ANSWERS)
async def test_a_lost_answer_while_sending_reports_an_unknown_outcome_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    kind: FaultKind,
    status: int,
) -> None:
    """Server errors and unreadable or missing answers: outcome unknown, one POST only."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(kind, status=status, method="POST", path="/messages")

    err = await _send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "send_outcome_unknown"
    assert len(_posts(simulator)) == 1


async def test_a_timeout_while_sending_reports_an_unknown_outcome_once(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """No answer in time: the SMS may have gone out, so it is not sent again."""
    with patch("custom_components.latam_messaging.REQUEST_TIMEOUT", 0.3):
        await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.DELAY, delay=2, method="POST", path="/messages")

    err = await _send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "send_outcome_unknown"
    assert len(_posts(simulator)) == 1
    assert len(simulator.elibom.deliveries) == 1  # the provider did take it


async def test_a_provider_that_cannot_be_reached_reports_cannot_connect(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Connection refused: nothing can have been sent, and the error says so."""
    await setup_entry(hass, elibom_entry)
    await simulator.stop()

    err = await _send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "cannot_connect"
    assert _posts(simulator) == []
    assert state_of(hass, PENDING) == "0"
