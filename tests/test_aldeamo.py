"""Aldeamo bots sending in a running Home Assistant: the action, notify entities and services, faults."""

from __future__ import annotations

import logging
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntryState,
    ConfigSubentryData,
)
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import (
    ANA,
    BAD_INPUT,
    ENTITIES,
    FACEBOOK_EVENTS,
    FACEBOOK_USERS,
    FB_USER,
    GOOD,
    MALFORMED_TARGETS,
    SEND_FAILURES,
    STATUS_CODES,
    TEMPORARY_FAULTS,
    WHATSAPP_EVENTS,
    WHATSAPP_USERS,
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

LEGACY_SERVICE = "aldeamo_bots"
OUR_LOGGER = "custom_components.latam_messaging"


# Helpers --------------------------------------------------------------------------


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
