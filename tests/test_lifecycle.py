"""What users rely on, through Home Assistant's real life: start-up, outages, reloads, time."""

from __future__ import annotations

import asyncio
import copy
from datetime import timedelta
import itertools
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED, STATE_UNAVAILABLE
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import (
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
)
from tests.conftest import poll, setup_entry
from tests.const import ELIBOM_USER, WEBHOOK_ID
from tests.helpers import listen, notify_entity_of, state_of, with_subentries
from tests.simulator import Simulator
from tests.simulator.faults import FaultKind

CREDITS = "sensor.tienda_dona_perez_credits"
ANA = "573001112222"
MAMA = "573004445555"


def _with_recipient(entry: MockConfigEntry) -> MockConfigEntry:
    return with_subentries(
        entry,
        ConfigSubentryData(
            data={"name": "Mamá", "phone_number": MAMA},
            subentry_type="recipient",
            title="Mamá",
            unique_id=MAMA,
        ),
    )


async def _automation_counting(
    hass: HomeAssistant, event_type: str
) -> list[dict[str, Any]]:
    """Set up an automation triggered by an event; return what it saw (in order)."""
    await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {"platform": "event", "event_type": event_type},
                "action": {
                    "event": "seen_by_automation",
                    "event_data": {"id": "{{ trigger.event.data.message_id }}"},
                },
            }
        },
    )
    return listen(hass, "seen_by_automation")


async def test_an_alarm_sms_goes_out_while_the_last_poll_failed(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A failed credit poll makes sensors unavailable, never the notify entity."""
    entry = _with_recipient(elibom_entry)
    await setup_entry(hass, entry)
    simulator.fail_next(FaultKind.STATUS, status=500, method="GET", path="/account")
    await poll(hass)
    assert state_of(hass, CREDITS) == STATE_UNAVAILABLE
    notify = notify_entity_of(hass, entry)
    assert state_of(hass, notify) != STATE_UNAVAILABLE

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": notify, "message": "Alarma: se abrió la puerta"},
        blocking=True,
    )

    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    assert post.json["to"] == MAMA


async def test_messages_written_while_home_assistant_was_off_reach_an_automation(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """What the first poll finds during start-up is fired at homeassistant_started."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    await setup_entry(hass, aldeamo_entry)  # cursors set
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    simulator.advance(5)
    written = simulator.aldeamo.write("whatsapp", ANA, "¿Siguen abiertos?")

    hass.set_state(CoreState.not_running)
    seen = await _automation_counting(hass, EVENT_MESSAGE_RECEIVED)
    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    assert seen == []  # nothing fired while starting

    # As Home Assistant's start does: newer versions attach automations in
    # start-up jobs, run before homeassistant_started.
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()

    assert seen == [{"id": int(written)}]  # the template renders the id as a number
    await poll(hass, 31)
    assert seen == [{"id": int(written)}]


async def test_sending_every_50_seconds_does_not_stop_polling(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ten minutes of sends more often than the scan interval: polls still run."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    for _ in range(12):
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {
                "config_entry_id": elibom_entry.entry_id,
                "to": [ANA],
                "message": "Recordatorio",
            },
            blocking=True,
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        freezer.tick(timedelta(seconds=50))
        simulator.advance(50)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    # Each send used to restart the refresh timer: one poll (at set-up) in ten minutes.
    assert len(simulator.requests_to("elibom", "GET", "/account")) >= 5
    assert {e["status"] for e in events} == {"finished"}
    assert len(events) >= 5


async def test_a_second_message_in_the_same_second_is_read(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """last_active has whole seconds: a user read is read once more at the next poll."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    first = simulator.aldeamo.write("whatsapp", ANA, "Hola")
    await poll(hass, 31)
    second = simulator.aldeamo.write("whatsapp", ANA, "¿Tienen pan?")  # same second
    await poll(hass, 31)

    assert [e["message_id"] for e in events] == [first, second]


async def test_a_channel_listened_to_again_does_not_replay_what_was_written_meanwhile(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Dropping WhatsApp, then adding it back, starts it like a first poll."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    hass.config_entries.async_update_entry(
        aldeamo_entry, data={**aldeamo_entry.data, "channels": ["facebook"]}
    )
    await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    # Time passes on the provider's clock (the channel's start is on it).
    simulator.advance(1)
    meanwhile = simulator.aldeamo.write("whatsapp", ANA, "de cuando no se escuchaba")
    simulator.advance(1)  # a second later, WhatsApp is listened to again
    hass.config_entries.async_update_entry(
        aldeamo_entry, data={**aldeamo_entry.data, "channels": ["facebook", "whatsapp"]}
    )
    await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "nuevo")
    await poll(hass, 31)

    assert simulator.requests_to("aldeamo", "GET", "/messages")  # ANA was read
    assert meanwhile not in [e["message_id"] for e in events]


async def test_a_reload_while_a_poll_waits_on_the_provider_fires_each_message_once(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The poll in flight is cut off and commits nothing; the new one reads it once."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    written = simulator.aldeamo.write("whatsapp", ANA, "uno")
    simulator.latency = 0.2
    coordinator = aldeamo_entry.runtime_data
    in_flight = hass.async_create_task(coordinator.async_refresh())
    await asyncio.sleep(0.05)
    await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await in_flight
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.latency = 0
    await poll(hass, 31)
    await poll(hass, 31)

    assert [e["message_id"] for e in events] == [written]


async def test_a_latin_1_callback_reads_as_written(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Elibom's ISO-8859-1 percent escapes: Ma%F1ana is Mañana."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    response = await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}?from={ANA}&text=Ma%F1ana+s%ED&date=24-11-2026-10-15-00"
    )
    await hass.async_block_till_done()

    assert response.status == 200
    assert [e["message"] for e in events] == ["Mañana sí"]


async def test_two_identical_replies_without_a_date_are_two_messages(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Two "SI" a moment apart are not one repeated callback."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    for _ in range(2):
        await client.get(
            f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
            params={"from": ANA, "text": "SI"},
        )
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == ["SI", "SI"]
    assert events[0]["message_id"] != events[1]["message_id"]


async def test_an_sms_that_arrives_while_starting_survives_a_crash_before_started(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Elibom got a 200: the SMS is on disk then, and reaches an automation later."""
    arrived = {"from": ANA, "text": "Llegué", "date": "24-11-2026-10-15-00"}
    hass.set_state(CoreState.not_running)
    seen = await _automation_counting(hass, EVENT_MESSAGE_RECEIVED)
    await setup_entry(hass, elibom_entry)
    client = await hass_client_no_auth()
    response = await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=arrived
    )
    assert response.status == 200
    store_key = f"{DOMAIN}.{elibom_entry.entry_id}"
    on_disk = copy.deepcopy(hass_storage[store_key])

    # The crash: nothing after the answer to Elibom reached the disk.
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    hass_storage[store_key] = on_disk
    assert await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()

    assert len(seen) == 1
    # Elibom repeating the callback after the restart is not a second message.
    await client.get(f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=arrived)
    await hass.async_block_till_done()
    assert len(seen) == 1


async def test_the_repeat_guard_survives_a_reload(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A callback Elibom repeats after a reload is still one event."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    query = {"from": ANA, "text": "SI", "date": "24-11-2026-10-15-00"}
    await client.get(f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=query)
    await hass.config_entries.async_reload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    await client.get(f"/api/latam_messaging/elibom/{WEBHOOK_ID}", params=query)
    await hass.async_block_till_done()

    assert len(events) == 1


async def test_a_schedule_with_seconds_goes_to_the_next_minute(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Never early: 10:15:30 is sent as 10:16 (Colombia wall-clock)."""
    await setup_entry(hass, elibom_entry)
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    moment = (dt_util.utcnow() + timedelta(hours=2)).replace(second=30, microsecond=0)
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": [ANA],
            "message": "Cita",
            "schedule_at": moment.isoformat(),
        },
        blocking=True,
        return_response=True,
    )

    expected = moment.replace(second=0) + timedelta(minutes=1)
    assert response is not None
    assert dt_util.parse_datetime(str(response["scheduled_for"])) == expected
    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    colombia = expected.astimezone(dt_util.get_time_zone("America/Bogota"))
    assert post.json["scheduleDate"] == colombia.strftime("%Y-%m-%d %H:%M")


async def test_a_refused_key_in_a_200_answer_starts_reauth_and_reads_nothing(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """`status: false` with `codigo` 401 mid-reading: reauth, and no cursor moves."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    written = simulator.aldeamo.write("whatsapp", ANA, "uno")
    simulator.fail_next(
        FaultKind.BODY,
        provider="aldeamo",
        method="GET",
        path="/messages",
        body=b'{"status": false, "codigo": 401, "message": "Token invalido", "data": null}',
    )

    await poll(hass, 31)

    assert events == []
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == ["reauth"]
    # The entry keeps its cursors: once the key is fixed, the message is read once.
    hass.config_entries.flow.async_abort(flows[0]["flow_id"])
    await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass, 31)
    assert [e["message_id"] for e in events] == [written]


async def test_renaming_the_event_entity_fires_nothing_again(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A rename re-adds the entity: its last message is restored, not triggered."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass, 31)
    registry = er.async_get(hass)
    old_id = "event.aldeamo_bots_whatsapp_messages"
    before = hass.states.get(old_id)
    assert before is not None
    changes = listen(hass, "state_changed")

    registry.async_update_entity(old_id, new_entity_id="event.tienda_whatsapp")
    await hass.async_block_till_done()

    after = hass.states.get("event.tienda_whatsapp")
    assert after is not None
    assert after.state == before.state  # the same moment: restored, not fired again
    assert all(
        c["new_state"] is None or c["new_state"].state == before.state
        for c in changes
        if c["entity_id"] in (old_id, "event.tienda_whatsapp")
    )


async def test_another_key_does_not_replay_the_history(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Reauth with another bot's key starts like a first poll."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "para el bot de antes")
    simulator.advance(1)  # a message of the new listing's own second counts as new
    simulator.aldeamo.api_keys.add("otra-llave-0002")
    hass.config_entries.async_update_entry(
        aldeamo_entry, data={**aldeamo_entry.data, "api_key": "otra-llave-0002"}
    )
    await hass.async_block_till_done()
    await poll(hass, 31)
    await poll(hass, 31)

    assert events == []


async def test_a_broadcast_cancelled_half_way_then_reloaded_keeps_every_paid_chunk(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A script stopped mid-broadcast, then a reload: each chunk is sent once, and followed.

    1,000 numbers go out in 10 chunks, 4 at a time. The caller is cancelled once the
    first chunks are on the wire and the entry is reloaded at once; the chunks already
    started run to their end, none is sent twice, and every accepted chunk is tracked
    by the reloaded entry until its delivery event.
    """
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e6
    await setup_entry(hass, elibom_entry)
    delivered = listen(hass, EVENT_DELIVERY_STATUS)
    numbers = [f"57300{n:07d}" for n in range(1000)]
    simulator.latency = 0.05
    call = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "send_sms",
            {
                "config_entry_id": elibom_entry.entry_id,
                "to": numbers,
                "message": "Alarma: puerta abierta",
            },
            blocking=True,
        )
    )
    while not simulator.requests_to("elibom", "POST"):
        await asyncio.sleep(0.01)
    call.cancel()
    await asyncio.wait([call])
    assert call.cancelled()
    await hass.config_entries.async_reload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    simulator.latency = 0

    posts = simulator.requests_to("elibom", "POST")
    sent = [n for p in posts for n in json.loads(p.body)["to"].split(",")]
    assert sorted(sent) == numbers  # every number once: nothing lost, nothing twice
    coordinator = elibom_entry.runtime_data
    tracked = coordinator.store.state.deliveries
    assert len(tracked) == len(posts) == 10
    tokens = set(tracked)

    simulator.advance(60)
    await poll(hass)
    finished = [e["delivery_token"] for e in delivered if e["status"] == "finished"]
    assert sorted(finished) == sorted(tokens)  # each followed to its end, once


async def test_a_stuck_delivery_is_looked_up_less_often_and_a_reload_keeps_its_due_time(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Every poll while young, then a growing wait capped at 30 minutes, across a reload."""
    simulator.elibom.finished_after = timedelta(days=3)  # stuck in running
    await setup_entry(hass, elibom_entry)
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": [ANA], "message": "Alarma"},
        blocking=True,
    )

    def lookups() -> list[float]:
        """Minutes since the send of each lookup, on the provider's clock."""
        sent = simulator.requests_to("elibom", "POST")[0].received_at
        return [
            (r.received_at - sent).total_seconds() / 60
            for r in simulator.requests_to("elibom", "GET")
            if r.path.startswith("/messages/")
        ]

    async def minutes(count: int) -> None:
        for _ in range(count):
            freezer.tick(timedelta(seconds=60))
            simulator.advance(60)
            async_fire_time_changed(hass)
            await hass.async_block_till_done(wait_background_tasks=True)

    await minutes(10)
    assert len(lookups()) == 10  # young: at every poll
    await minutes(10)
    assert 10 < len(lookups()) < 15  # then less often
    before = len(lookups())
    await hass.config_entries.async_reload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    assert len(lookups()) == before  # the reload looks up nothing that is not due

    await minutes(6 * 60)
    times = lookups()
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert max(gaps) <= 31  # never more than 30 minutes (and the poll it falls in)
    assert max(gaps) >= 29  # the cap is reached
    assert len(times) < 40  # instead of 380, one per poll


async def test_a_crash_after_one_accepted_chunk_of_a_broadcast_keeps_its_token(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Each accepted chunk is on disk while another chunk's answer is still awaited."""
    store_key = f"{DOMAIN}.{elibom_entry.entry_id}"
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e6
    await setup_entry(hass, elibom_entry)
    # Three chunks at once; the first to arrive is answered a second late.
    simulator.fail_next(FaultKind.DELAY, delay=1.0, method="POST", path="/messages")
    call = hass.async_create_task(
        hass.services.async_call(
            DOMAIN,
            "send_sms",
            {
                "config_entry_id": elibom_entry.entry_id,
                "to": [f"57300{n:07d}" for n in range(250)],
                "message": "Alarma: puerta abierta",
            },
            blocking=True,
        )
    )
    tracked = elibom_entry.runtime_data.store.state.deliveries
    while len(tracked) < 2:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)
    assert not call.done()  # the late chunk's answer is still awaited
    # The crash: what the last write left.
    on_disk = copy.deepcopy(hass_storage.get(store_key, {"data": {"deliveries": []}}))
    accepted = set(tracked)
    await call

    assert {d["token"] for d in on_disk["data"]["deliveries"]} == accepted
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    hass_storage[store_key] = on_disk
    delivered = listen(hass, EVENT_DELIVERY_STATUS)
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    simulator.advance(60)
    await poll(hass)
    finished = {e["delivery_token"] for e in delivered if e["status"] == "finished"}
    assert finished == accepted  # each followed to its end after the crash
