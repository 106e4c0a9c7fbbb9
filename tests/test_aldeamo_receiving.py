"""Aldeamo bots receiving in a running Home Assistant: their entities, users and incoming messages."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import (
    ANA,
    BETO,
    ENTITIES,
    FACEBOOK_EVENTS,
    FACEBOOK_USERS,
    FB_USER,
    WHATSAPP_EVENTS,
    WHATSAPP_USERS,
)
from tests.conftest import poll, setup_entry
from tests.helpers import listen, state_of
from tests.simulator import FaultKind, Simulator

STORE_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"


# Helpers --------------------------------------------------------------------------


def _watch(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    """Record the attributes of every new state an entity writes."""
    seen: list[dict[str, Any]] = []

    @callback
    def record(event: Event) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"]:
            seen.append(dict(event.data["new_state"].attributes))

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    return seen


def _message_reads(simulator: Simulator) -> list[tuple[str, str]]:
    """Return (channel, client_id) of every GET /messages, in order."""
    return [
        (request.query["channel"], request.query["client_id"])
        for request in simulator.requests_to("aldeamo", "GET", "/messages")
    ]


def _unix(moment: datetime) -> datetime:
    """Return the moment as Aldeamo writes message times: whole Unix seconds."""
    return datetime.fromtimestamp(int(moment.timestamp()), UTC)


# Entities -------------------------------------------------------------------------


async def test_each_channel_has_a_users_sensor_and_an_event_entity(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The users sensor of each listened channel counts its users; others have none."""
    for user_id in (ANA, BETO, "573007778888"):
        simulator.aldeamo.add_user("whatsapp", user_id)
    simulator.aldeamo.add_user("facebook", FB_USER)
    simulator.aldeamo.add_user("web", "web-visitor-1")

    await setup_entry(hass, aldeamo_entry)

    assert aldeamo_entry.state is ConfigEntryState.LOADED
    assert state_of(hass, WHATSAPP_USERS) == "3"
    assert state_of(hass, FACEBOOK_USERS) == "1"
    assert state_of(hass, WHATSAPP_EVENTS) == STATE_UNKNOWN
    assert state_of(hass, FACEBOOK_EVENTS) == STATE_UNKNOWN
    assert hass.states.get("sensor.aldeamo_bots_web_chat_users") is None
    assert hass.states.get("event.aldeamo_bots_web_chat_messages") is None
    assert sorted(r.query["channel"] for r in simulator.requests_to("aldeamo")) == [
        "facebook",
        "whatsapp",
    ]

    simulator.aldeamo.add_user("whatsapp", "573009990000")
    await poll(hass)

    assert state_of(hass, WHATSAPP_USERS) == "4"
    assert state_of(hass, FACEBOOK_USERS) == "1"


# Receiving ------------------------------------------------------------------------


async def test_messages_written_before_the_account_was_added_are_not_replayed(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The first poll only sets the cursors: history fires nothing and is not read."""
    simulator.aldeamo.write("whatsapp", ANA, "Hola, ¿abren hoy?", name="Ana")
    simulator.advance(1)
    simulator.aldeamo.write("facebook", FB_USER, "Precio del pan", name="Carlos")
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    simulator.advance(1)  # a message of the listing's own second counts as new
    await setup_entry(hass, aldeamo_entry)
    await poll(hass)
    await poll(hass)

    assert events == []
    assert _message_reads(simulator) == []
    assert state_of(hass, WHATSAPP_EVENTS) == STATE_UNKNOWN
    assert state_of(hass, FACEBOOK_EVENTS) == STATE_UNKNOWN


async def test_a_new_message_fires_one_event_with_every_field(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A message written after set-up fires once, and the channel's event entity shows it."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")
    simulator.advance(1)  # a message of the listing's own second counts as new
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    written_at = simulator.clock.now()
    message_id = simulator.aldeamo.write("whatsapp", ANA, "¿Tienen domicilio?")

    await poll(hass)
    await poll(hass)

    (event,) = events
    assert event == {
        "config_entry_id": aldeamo_entry.entry_id,
        "provider": "aldeamo",
        "channel": "whatsapp",
        "client_id": ANA,
        "name": "Ana",
        "message": "¿Tienen domicilio?",
        "message_id": message_id,
        "time": event["time"],
    }
    time = datetime.fromisoformat(event["time"])
    assert time.tzinfo is not None
    assert time == _unix(written_at)
    state = hass.states.get(WHATSAPP_EVENTS)
    assert state is not None
    assert dt_util.parse_datetime(state.state) is not None
    assert state.attributes["event_type"] == "message_received"
    assert {
        key: state.attributes[key] for key in event if key != "config_entry_id"
    } == {key: value for key, value in event.items() if key != "config_entry_id"}
    assert state_of(hass, FACEBOOK_EVENTS) == STATE_UNKNOWN
    # Read when last_active moved, and once more at the next poll (whole seconds).
    assert _message_reads(simulator) == [("whatsapp", ANA), ("whatsapp", ANA)]


async def test_the_event_entity_shows_each_message_of_a_poll_in_order(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Three messages in one poll are three state changes of the event entity."""
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")
    await setup_entry(hass, aldeamo_entry)
    changes = _watch(hass, FACEBOOK_EVENTS)
    texts = ["Hola", "Quiero 2 panes", "Gracias"]
    for text in texts:
        simulator.advance(1)
        simulator.aldeamo.write("facebook", FB_USER, text)

    await poll(hass)

    assert [change.get("message") for change in changes] == texts
    assert {change.get("channel") for change in changes} == {"facebook"}
    state = hass.states.get(FACEBOOK_EVENTS)
    assert state is not None
    assert state.attributes["message"] == "Gracias"


async def test_a_user_who_wrote_nothing_is_not_asked_for_messages(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Only users whose last_active moved cost a GET /messages (and one more read)."""
    for user_id in (ANA, BETO):
        simulator.aldeamo.add_user("whatsapp", user_id)
    simulator.aldeamo.add_user("facebook", FB_USER)
    simulator.advance(1)  # nobody active in the listing's own second: no re-read
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    await poll(hass)
    assert _message_reads(simulator) == []

    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", BETO, "Hola")
    await poll(hass)
    assert _message_reads(simulator) == [("whatsapp", BETO)]

    await poll(hass)  # read again: a message in the same second would not move it
    assert _message_reads(simulator) == [("whatsapp", BETO)] * 2
    await poll(hass)
    assert _message_reads(simulator) == [("whatsapp", BETO)] * 2
    assert [(e["client_id"], e["message"]) for e in events] == [(BETO, "Hola")]
    assert len(simulator.requests_to("aldeamo", "GET", "/users")) == 10


async def test_a_user_who_appears_after_the_first_poll_gets_all_their_messages(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Someone new since the last poll has no cursor: everything they wrote is new."""
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    assert state_of(hass, WHATSAPP_USERS) == "0"

    for text in ("Buenas", "¿Hacen envíos a Chía?"):
        simulator.advance(1)
        simulator.aldeamo.write("whatsapp", BETO, text, name="Beto")
    await poll(hass)
    await poll(hass)

    assert [(e["client_id"], e["name"], e["message"]) for e in events] == [
        (BETO, "Beto", "Buenas"),
        (BETO, "Beto", "¿Hacen envíos a Chía?"),
    ]
    assert state_of(hass, WHATSAPP_USERS) == "1"


async def test_fifty_messages_of_ten_users_between_two_polls_arrive_once_in_order(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A busy minute: every message is one event, each user's in the order written."""
    users = [f"57300000{n:04d}" for n in range(10)]
    for user_id in users:
        simulator.aldeamo.add_user("whatsapp", user_id)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    written: dict[str, list[str]] = {user_id: [] for user_id in users}
    ids: set[str] = set()
    for round_number in range(5):
        for user_id in users:
            simulator.advance(1)
            text = f"mensaje {round_number} de {user_id}"
            ids.add(simulator.aldeamo.write("whatsapp", user_id, text))
            written[user_id].append(text)

    await poll(hass)
    await poll(hass)

    assert len(events) == 50
    assert {e["message_id"] for e in events} == ids
    for user_id in users:
        assert [e["message"] for e in events if e["client_id"] == user_id] == written[
            user_id
        ]
    # Each user read once for the news; the last to write (in the listing's
    # second, which was not over) once more at the next poll.
    assert sorted(_message_reads(simulator)) == sorted(
        [("whatsapp", u) for u in users] + [("whatsapp", users[-1])]
    )


async def test_a_reload_between_two_polls_neither_repeats_nor_drops_a_message(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Reloading keeps the cursors: every message fires exactly once."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    simulator.advance(1)
    first = simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass)
    simulator.advance(1)
    second = simulator.aldeamo.write("whatsapp", ANA, "dos")
    simulator.advance(1)
    third = simulator.aldeamo.write("facebook", FB_USER, "tres")

    assert await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    simulator.advance(1)
    fourth = simulator.aldeamo.write("whatsapp", ANA, "cuatro")
    await poll(hass)
    await poll(hass)

    assert [(e["message_id"], e["message"]) for e in events] == [
        (first, "uno"),
        (second, "dos"),
        (third, "tres"),
        (fourth, "cuatro"),
    ]


async def test_a_message_read_while_setting_up_again_shows_on_its_event_entity(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """What arrived during a reload fires its event and is shown by the channel's entity."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    await setup_entry(hass, aldeamo_entry)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "antes")
    await poll(hass)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "durante la recarga")

    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    assert await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == ["durante la recarga"]
    state = hass.states.get(WHATSAPP_EVENTS)
    assert state is not None
    assert state.attributes.get("message") == "durante la recarga"


async def test_unloading_and_setting_up_again_keeps_the_cursors_in_storage(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """The cursors are saved on unload; what was written meanwhile fires once."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    first = simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass)

    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    assert set(hass_storage[STORE_KEY]["data"]["channels"]) == {"facebook", "whatsapp"}
    # Ana's cursor is in its shard: the second read and the message read in it.
    (cursor,) = [
        stored["data"]["channels"]["whatsapp"]["people"][ANA]
        for key, stored in hass_storage.items()
        if key.startswith(f"{STORE_KEY}.people_")
    ]
    assert cursor[1] == [first]
    simulator.advance(1)
    second = simulator.aldeamo.write("whatsapp", ANA, "dos")
    simulator.advance(1)
    third = simulator.aldeamo.write("whatsapp", BETO, "soy nuevo")

    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass)
    await poll(hass)

    assert [(e["message_id"], e["client_id"]) for e in events] == [
        (first, ANA),
        (second, ANA),
        (third, BETO),
    ]


async def test_a_restart_neither_repeats_nor_drops_a_message(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Only what Home Assistant writes when it stops survives; that is enough."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    first = simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass)

    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    on_disk = copy.deepcopy(hass_storage[STORE_KEY])
    # The restart: the entry starts again from what was on disk when it stopped.
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    hass_storage[STORE_KEY] = on_disk
    simulator.advance(1)
    second = simulator.aldeamo.write("whatsapp", ANA, "dos")
    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    await poll(hass)

    assert [e["message_id"] for e in events] == [first, second]


async def test_a_failed_message_lookup_is_read_again_at_the_next_poll(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """One user's GET /messages failing loses nothing and keeps the entities up."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    simulator.aldeamo.add_user("facebook", FB_USER)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    simulator.aldeamo.write("facebook", FB_USER, "uno")
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "dos")
    simulator.fail_next(FaultKind.STATUS, status=500, method="GET", path="/messages")

    await poll(hass)
    assert len(events) == 1
    for entity_id in ENTITIES:
        assert state_of(hass, entity_id) != STATE_UNAVAILABLE
    await poll(hass)
    await poll(hass)

    assert sorted(e["message"] for e in events) == ["dos", "uno"]
    # uno + failed dos; dos again, and uno once more (the newest second of its
    # channel was not over when it was listed).
    assert len(_message_reads(simulator)) == 4
