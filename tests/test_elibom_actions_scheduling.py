"""Elibom's send_sms with schedule_at, and cancel_scheduled_sms, against the simulator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN, EVENT_SCHEDULE_STATUS
from tests.conftest import poll, setup_entry
from tests.elibom_action_cases import GOOD
from tests.elibom_action_helpers import PENDING, refused, send_sms, sms_posts
from tests.helpers import assert_translated, listen, state_of
from tests.simulator import Simulator

SCHEDULED = "sensor.tienda_dona_perez_scheduled_messages"
BOGOTA = ZoneInfo("America/Bogota")


def _wire_date(moment: datetime) -> str:
    """Colombia wall-clock time to the minute, as Elibom expects scheduleDate."""
    return moment.astimezone(BOGOTA).strftime("%Y-%m-%d %H:%M")


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

    response = await send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": ["3001112222"],
            "message": text,
            "schedule_at": value,
        },
    )

    (post,) = sms_posts(simulator)
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


# cancel_scheduled_sms ---------------------------------------------------------------


async def _schedule(hass: HomeAssistant, entry: MockConfigEntry, minutes: int) -> str:
    response = await send_sms(
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

    err = await refused(
        hass,
        simulator,
        "cancel_scheduled_sms",
        {"config_entry_id": elibom_entry.entry_id, "schedule_id": schedule_id},
    )

    assert err.translation_key == "schedule_not_found"
    assert simulator.requests_to("elibom", "DELETE") == []
