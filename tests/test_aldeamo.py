"""Aldeamo bots in a running Home Assistant: users, incoming messages, sending, faults."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntryState,
    ConfigSubentryData,
)
from homeassistant.const import (
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    EVENT_STATE_CHANGED,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import (
    ANA,
    BAD_INPUT,
    FB_USER,
    GOOD,
    MALFORMED_TARGETS,
    SEND_FAILURES,
    STATUS_CODES,
    TEMPORARY_FAULTS,
)
from tests.conftest import poll, setup_entry
from tests.const import ALDEAMO_KEY
from tests.helpers import (
    assert_translated,
    listen,
    notify_entity_of,
    state_of,
    with_subentries,
)
from tests.simulator import FaultKind, Simulator

WHATSAPP_USERS = "sensor.aldeamo_bots_whatsapp_users"
FACEBOOK_USERS = "sensor.aldeamo_bots_facebook_messenger_users"
WHATSAPP_EVENTS = "event.aldeamo_bots_whatsapp_messages"
FACEBOOK_EVENTS = "event.aldeamo_bots_facebook_messenger_messages"
ENTITIES = (WHATSAPP_USERS, FACEBOOK_USERS, WHATSAPP_EVENTS, FACEBOOK_EVENTS)
LEGACY_SERVICE = "aldeamo_bots"
STORE_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"
BETO = "573004445555"
OUR_LOGGER = "custom_components.latam_messaging"


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


def _posts(simulator: Simulator) -> list[dict[str, str]]:
    """Return the form of every POST /messages the simulated Aldeamo received."""
    return [
        request.form
        for request in simulator.requests_to("aldeamo", "POST", "/messages")
    ]


def _ours(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name.startswith(OUR_LOGGER) and record.levelno >= logging.INFO
    ]


def _attempts(kind: FaultKind) -> int:
    """Return how many requests one failed GET makes.

    aiohttp resends an idempotent request once when the server drops the
    connection; a POST is never resent.
    """
    return 2 if kind is FaultKind.DISCONNECT else 1


def _unix(moment: datetime) -> datetime:
    """Return the moment as Aldeamo writes message times: whole Unix seconds."""
    return datetime.fromtimestamp(int(moment.timestamp()), UTC)


async def _send_bot(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "send_bot_message", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def _refused(
    hass: HomeAssistant, simulator: Simulator, data: dict[str, Any]
) -> ServiceValidationError:
    """Call send_bot_message, which must be refused before any request."""
    before = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await _send_bot(hass, data)
    assert simulator.requests[before:] == []
    assert simulator.aldeamo.sent == []
    assert caught.value.translation_key
    assert_translated(caught.value, caught.value.translation_key)
    for value in (caught.value.translation_placeholders or {}).values():
        assert value.isprintable(), value
    return caught.value


def _entry_with_contact(aldeamo_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the test bot's entry with one WhatsApp contact subentry."""
    return with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={"name": "Ana", "channel": "whatsapp", "client_id": ANA},
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )


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
    # Each user read once for the news and once more at the next poll.
    assert sorted(_message_reads(simulator)) == sorted(
        [("whatsapp", u) for u in users] * 2
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
    channels = hass_storage[STORE_KEY]["data"]["channels"]
    assert set(channels) == {"facebook", "whatsapp"}
    last_active, last_id, recheck = channels["whatsapp"]["users"][ANA]
    assert (last_id, recheck) == (first, True)
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
    # uno + failed dos; dos again + uno's second read; dos's second read.
    assert len(_message_reads(simulator)) == 5


# Sending --------------------------------------------------------------------------


async def test_send_bot_message_posts_one_form_and_returns_the_message_id(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """One POST /messages with auth, channel, client_id and msg; its id comes back."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)

    response = await _send_bot(
        hass,
        {
            "config_entry_id": aldeamo_entry.entry_id,
            "channel": "whatsapp",
            "client_id": ANA,
            "message": "¡Su pedido va en camino!",
        },
    )

    (sent,) = simulator.aldeamo.sent
    assert response == {"message_id": str(sent.id)}
    assert _posts(simulator) == [
        {
            "auth": ALDEAMO_KEY,
            "channel": "whatsapp",
            "client_id": ANA,
            "msg": "¡Su pedido va en camino!",
        }
    ]


async def test_a_client_id_written_as_a_number_is_sent_as_text(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """YAML writes a phone number unquoted; it is still the user's id, spaces trimmed."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)

    await _send_bot(
        hass,
        {
            "config_entry_id": aldeamo_entry.entry_id,
            "channel": "whatsapp",
            "client_id": int(ANA),
            "message": "Hola",
        },
    )
    await _send_bot(
        hass,
        {
            "config_entry_id": aldeamo_entry.entry_id,
            "channel": "whatsapp",
            "client_id": f"  {ANA} ",
            "message": "Hola otra vez",
        },
    )

    assert [(post["client_id"], post["msg"]) for post in _posts(simulator)] == [
        (ANA, "Hola"),
        (ANA, "Hola otra vez"),
    ]


async def test_a_provider_refusal_shows_the_providers_own_message(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Aldeamo's `status: false` reaches the caller in its own words, sent once."""
    await setup_entry(hass, aldeamo_entry)

    with pytest.raises(HomeAssistantError) as caught:
        await _send_bot(
            hass,
            {
                "config_entry_id": aldeamo_entry.entry_id,
                "channel": "facebook",
                "client_id": "999",
                "message": "Hola",
            },
        )

    assert not isinstance(caught.value, ServiceValidationError)
    assert_translated(caught.value, "provider_refused")
    assert "El cliente 999 no existe en el canal facebook" in str(caught.value)
    assert len(_posts(simulator)) == 1
    assert simulator.aldeamo.sent == []


@pytest.mark.parametrize(("changes", "key", "names"), BAD_INPUT)
async def test_bad_input_is_refused_by_name_and_nothing_is_sent(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    changes: dict[str, Any],
    key: str,
    names: str | None,
) -> None:
    """Each bad field gets its own translated error before any request is made."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    data = {"config_entry_id": aldeamo_entry.entry_id, **GOOD, **changes}
    data = {field: value for field, value in data.items() if value is not None}

    err = await _refused(hass, simulator, data)

    assert err.translation_key == key
    if names is not None:
        assert names in err.translation_placeholders.values()
    assert _posts(simulator) == []


async def test_a_message_of_4096_characters_is_sent(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The longest message accepted goes out whole."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)

    await _send_bot(
        hass, {"config_entry_id": aldeamo_entry.entry_id, **GOOD, "message": "y" * 4096}
    )

    (post,) = _posts(simulator)
    assert post["msg"] == "y" * 4096


async def test_an_elibom_account_cannot_send_bot_messages(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """The entry of the other provider is refused by name."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass, simulator, {"config_entry_id": elibom_entry.entry_id, **GOOD}
    )

    assert err.translation_key == "needs_aldeamo_account"
    assert err.translation_placeholders["title"] == elibom_entry.title
    assert str(err) == (
        f"{elibom_entry.title} is an Elibom (SMS) account; this action needs an "
        "Aldeamo bot account"
    )
    assert _posts(simulator) == []


async def test_an_unloaded_account_cannot_send(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An account that is not loaded is refused, and nothing reaches the provider."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()

    err = await _refused(
        hass, simulator, {"config_entry_id": aldeamo_entry.entry_id, **GOOD}
    )

    assert err.translation_key == "entry_not_loaded"
    assert err.translation_placeholders["title"] == aldeamo_entry.title


async def test_a_contact_notify_entity_sends_the_title_as_its_first_line(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.send_message on a contact sends one message to its channel and user."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    entry = _entry_with_contact(aldeamo_entry)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)
    assert state_of(hass, entity_id) == STATE_UNKNOWN

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": entity_id, "title": "Tienda", "message": "Ya abrimos"},
        blocking=True,
    )
    await hass.async_block_till_done()

    assert _posts(simulator) == [
        {
            "auth": ALDEAMO_KEY,
            "channel": "whatsapp",
            "client_id": ANA,
            "msg": "Tienda\nYa abrimos",
        }
    ]
    assert state_of(hass, entity_id) != STATE_UNKNOWN


async def test_a_contact_notify_entity_refuses_an_empty_message(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A blank message with a title is still empty: nothing is sent."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    entry = _entry_with_contact(aldeamo_entry)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": entity_id, "title": "Tienda", "message": "   "},
            blocking=True,
        )

    assert_translated(caught.value, "empty_message")
    assert simulator.requests[before:] == []


async def test_the_classic_notify_service_sends_one_message_per_target(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.aldeamo_bots with channel:client_id targets: one POST each, title first."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    simulator.aldeamo.add_user("facebook", FB_USER)
    await setup_entry(hass, aldeamo_entry)
    assert hass.services.has_service("notify", LEGACY_SERVICE)

    await hass.services.async_call(
        "notify",
        LEGACY_SERVICE,
        {
            "message": "Su código es 123456",
            "title": "Tienda",
            "target": [f"whatsapp:{ANA}", f"facebook:{FB_USER}", "sms:573001234567"],
        },
        blocking=True,
    )
    await hass.async_block_till_done()

    assert sorted(
        (post["channel"], post["client_id"], post["msg"]) for post in _posts(simulator)
    ) == [
        ("facebook", FB_USER, "Tienda\nSu código es 123456"),
        ("sms", "573001234567", "Tienda\nSu código es 123456"),
        ("whatsapp", ANA, "Tienda\nSu código es 123456"),
    ]
    assert len(simulator.aldeamo.sent) == 3


async def test_the_classic_notify_service_still_sends_after_a_reload(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Reloading the account gives back the same notify.aldeamo_bots service."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    assert await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()

    assert hass.services.has_service("notify", LEGACY_SERVICE)
    assert not hass.services.has_service("notify", f"{LEGACY_SERVICE}_2")
    await hass.services.async_call(
        "notify",
        LEGACY_SERVICE,
        {"message": "Hola", "target": [f"whatsapp:{ANA}"]},
        blocking=True,
    )

    assert [(post["channel"], post["client_id"]) for post in _posts(simulator)] == [
        ("whatsapp", ANA)
    ]


@pytest.mark.parametrize(("bad", "key"), MALFORMED_TARGETS)
async def test_a_malformed_classic_notify_target_sends_nothing_at_all(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    bad: str,
    key: str,
) -> None:
    """One bad target refuses the whole call, good targets included."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    simulator.aldeamo.add_user("facebook", FB_USER)
    await setup_entry(hass, aldeamo_entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            LEGACY_SERVICE,
            {
                "message": "Hola",
                "target": [f"whatsapp:{ANA}", bad, f"facebook:{FB_USER}"],
            },
            blocking=True,
        )

    assert_translated(caught.value, key)
    assert simulator.requests[before:] == []
    assert simulator.aldeamo.sent == []


async def test_the_classic_notify_service_without_target_is_refused(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Without a target there is nobody to send to: a clear error, nothing sent."""
    await setup_entry(hass, aldeamo_entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify", LEGACY_SERVICE, {"message": "Hola"}, blocking=True
        )

    assert_translated(caught.value, "no_targets")
    assert simulator.requests[before:] == []


# Faults ---------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "status"), TEMPORARY_FAULTS)
async def test_a_provider_failure_at_setup_retries_later(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    kind: FaultKind,
    status: int,
) -> None:
    """Set-up is retried by Home Assistant; no reauthentication is asked."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    simulator.fail_next(
        kind, count=_attempts(kind), status=status, delay=2, path="/users"
    )

    with patch("custom_components.latam_messaging.REQUEST_TIMEOUT", 0.3):
        await setup_entry(hass, aldeamo_entry)

    assert aldeamo_entry.state is ConfigEntryState.SETUP_RETRY
    assert hass.config_entries.flow.async_progress() == []
    assert hass.states.get(WHATSAPP_USERS) is None
    assert len(simulator.requests_to("aldeamo", "GET", "/users")) == _attempts(kind)


async def test_refused_credentials_at_setup_ask_to_reauthenticate(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """401 stops set-up and starts the reauth flow for this entry."""
    simulator.fail_next(FaultKind.STATUS, status=401, path="/users")

    await setup_entry(hass, aldeamo_entry)

    assert aldeamo_entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == aldeamo_entry.entry_id


@pytest.mark.parametrize(("kind", "status"), TEMPORARY_FAULTS)
async def test_a_failing_poll_makes_entities_unavailable_then_they_recover(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    kind: FaultKind,
    status: int,
) -> None:
    """Two failed polls: unavailable, one error line, one recovery line, nothing lost."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    with patch("custom_components.latam_messaging.REQUEST_TIMEOUT", 0.3):
        await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    caplog.clear()
    simulator.fail_next(
        kind, count=2 * _attempts(kind), status=status, delay=2, path="/users"
    )
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "¿Hay alguien?")

    for _ in range(2):
        await poll(hass)
        for entity_id in ENTITIES:
            assert state_of(hass, entity_id) == STATE_UNAVAILABLE, entity_id
    assert events == []
    await poll(hass)

    assert state_of(hass, WHATSAPP_USERS) == "1"
    assert state_of(hass, FACEBOOK_USERS) == "0"
    assert state_of(hass, FACEBOOK_EVENTS) == STATE_UNKNOWN
    whatsapp = hass.states.get(WHATSAPP_EVENTS)
    assert whatsapp is not None
    assert whatsapp.attributes.get("message") == "¿Hay alguien?"
    assert [e["message"] for e in events] == ["¿Hay alguien?"]
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress() == []
    ours = _ours(caplog)
    assert [(r.levelno, "recovered" in r.getMessage()) for r in ours] == [
        (logging.ERROR, False),
        (logging.INFO, True),
    ]
    assert "Aldeamo" in ours[0].getMessage()


async def test_a_401_while_polling_starts_reauth_and_makes_entities_unavailable(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The API key was refused: Home Assistant asks for a new one, and says so once."""
    await setup_entry(hass, aldeamo_entry)
    caplog.clear()
    simulator.fail_next(FaultKind.STATUS, status=401, path="/users")

    await poll(hass)

    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == aldeamo_entry.entry_id
    for entity_id in ENTITIES:
        assert state_of(hass, entity_id) == STATE_UNAVAILABLE
    assert [r.levelno for r in _ours(caplog)] == [logging.ERROR]


@pytest.mark.parametrize(("kind", "status", "keys", "handled"), SEND_FAILURES)
async def test_a_failure_while_sending_is_reported_and_never_retried(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    kind: FaultKind,
    status: int,
    keys: set[str],
    handled: bool,
) -> None:
    """A translated error, one POST only: a repeated message could reach the user twice."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    with patch("custom_components.latam_messaging.REQUEST_TIMEOUT", 0.3):
        await setup_entry(hass, aldeamo_entry)
    simulator.fail_next(kind, status=status, delay=2, method="POST", path="/messages")

    with pytest.raises(HomeAssistantError) as caught:
        await _send_bot(hass, {"config_entry_id": aldeamo_entry.entry_id, **GOOD})
    await hass.async_block_till_done()

    err = caught.value
    assert not isinstance(err, ServiceValidationError)
    assert err.translation_key in keys
    assert_translated(err, err.translation_key)
    assert err.translation_placeholders["provider"] == "Aldeamo"
    assert len(_posts(simulator)) == 1
    assert len(simulator.aldeamo.sent) == (1 if handled else 0)
    reauth = list(aldeamo_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(reauth) == (1 if status == 401 else 0)
    if kind is FaultKind.STATUS and status != 429:
        assert f"Error simulado: {STATUS_CODES[status]}" in str(err)
