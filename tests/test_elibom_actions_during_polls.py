"""Actions and polls never undo each other: what an action changed survives a poll in flight."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN, EVENT_SCHEDULE_STATUS
from tests.conftest import poll, setup_entry
from tests.helpers import listen, state_of
from tests.simulator import FaultKind, Simulator

SCHEDULED = "sensor.tienda_dona_perez_scheduled_messages"


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
    (schedule_id,) = response["schedule_ids"]
    return str(schedule_id)


async def _poll_holding_its_listing(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Simulator
) -> asyncio.Task[None]:
    """Start a poll whose schedule listing is read now and answered half a second later."""
    simulator.fail_next(
        FaultKind.DELAY, delay=0.5, method="GET", path="/schedules/scheduled"
    )
    simulator.requests.clear()
    refresh = hass.async_create_task(entry.runtime_data.async_refresh())
    while not simulator.requests_to("elibom", "GET", "/schedules/scheduled"):
        await asyncio.sleep(0.01)
    return refresh


async def test_a_cancel_during_a_poll_fires_once_and_the_schedule_never_shows_again(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The poll's listing, read before the cancel, does not bring the schedule back."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)
    schedule_id = await _schedule(hass, elibom_entry, minutes=30)
    await poll(hass)
    assert state_of(hass, SCHEDULED) == "1"

    refresh = await _poll_holding_its_listing(hass, elibom_entry, simulator)
    await hass.services.async_call(
        DOMAIN,
        "cancel_scheduled_sms",
        {"config_entry_id": elibom_entry.entry_id, "schedule_id": schedule_id},
        blocking=True,
    )
    assert state_of(hass, SCHEDULED) == "0"  # at once
    shown = []
    while not refresh.done():
        shown.append(state_of(hass, SCHEDULED))
        await asyncio.sleep(0.02)
    await hass.async_block_till_done(wait_background_tasks=True)
    shown.append(state_of(hass, SCHEDULED))
    await poll(hass)
    await poll(hass)
    shown.append(state_of(hass, SCHEDULED))

    assert set(shown) == {"0"}
    assert events == [
        {
            "config_entry_id": elibom_entry.entry_id,
            "schedule_id": schedule_id,
            "status": "cancelled",
        }
    ]


async def test_a_schedule_made_during_a_poll_stays_shown(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The poll's listing, read before the schedule existed, does not hide it."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_SCHEDULE_STATUS)

    refresh = await _poll_holding_its_listing(hass, elibom_entry, simulator)
    await _schedule(hass, elibom_entry, minutes=30)
    assert state_of(hass, SCHEDULED) == "1"
    shown = []
    while not refresh.done():
        shown.append(state_of(hass, SCHEDULED))
        await asyncio.sleep(0.02)
    await hass.async_block_till_done(wait_background_tasks=True)
    shown.append(state_of(hass, SCHEDULED))
    await poll(hass)
    shown.append(state_of(hass, SCHEDULED))

    assert set(shown) == {"1"}
    assert events == []
