"""The three events in words, read back through Home Assistant's logbook API."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import RECIPIENT, poll, setup_entry
from tests.helpers import with_assist_recipient, with_subentries
from tests.simulator import Simulator

MARIA = "573001112222"
LONG_TEXT = (
    "Buenas tardes, quería saber si todavía tienen disponible el pan de yuca "
    "y a qué hora cierran hoy"
)
SHORT = "Buenas tardes, quería saber si todavía tienen disponible el…"
WORDS = {
    "en": {
        "wrote": f"María wrote on WhatsApp: {SHORT}",
        "stranger": "…7777 wrote on WhatsApp: Hola",
        "finished": "SMS to …2222 delivered",
        "running": "SMS to …2222 being sent",
        "failed": "SMS to …0000 failed",
        "two": "SMS to …2222 and 1 more delivered",
        "expired": "SMS {token} expired",
        "executed": "Scheduled SMS {id} executed",
        "cancelled": "Scheduled SMS {id} cancelled",
    },
    "es": {
        "wrote": f"María escribió por WhatsApp: {SHORT}",
        "stranger": "…7777 escribió por WhatsApp: Hola",
        "finished": "SMS a …2222 entregado",
        "running": "SMS a …2222 enviándose",
        "failed": "SMS a …0000 falló",
        "two": "SMS a …2222 y 1 más entregado",
        "expired": "SMS {token} expiró",
        "executed": "SMS programado {id} enviado",
        "cancelled": "SMS programado {id} cancelado",
    },
}


# Core's echoes of what it stores and sends: the recorder keeps every event's
# data by design (numbers included, as the events carry them), and the websocket
# repeats every message. Quietened here so the log guard checks our own records.
CORE_ECHOES = (
    "homeassistant.components.recorder.core",
    "homeassistant.components.websocket_api.http.connection",
    "sqlalchemy.engine.Engine",
)


@pytest.fixture(autouse=True)
def quiet_core_echoes() -> Generator[None]:
    """Keep the recorder's, SQL engine's and websocket's echoes out of the log guard."""
    # A filter, not a level: the recorder sets the SQL engine's level itself.
    loggers = [logging.getLogger(name) for name in CORE_ECHOES]
    quiet = logging.Filter("warnings-only")
    quiet.filter = lambda record: record.levelno >= logging.WARNING  # type: ignore[method-assign]
    for logger in loggers:
        logger.addFilter(quiet)
    yield
    for logger in loggers:
        logger.removeFilter(quiet)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Any, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant, as the logbook reads what it stored."""


async def _activity(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, start: str
) -> list[str]:
    """Return this integration's lines of the activity view, as the frontend asks."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
    answer = await client.receive_json()
    assert answer["success"], answer
    entries: list[dict[str, Any]] = answer["result"]
    return [
        f"{entry['name']} {entry['message']}"
        for entry in entries
        if entry.get("domain") == DOMAIN
    ]


async def _send(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> Any:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "message": "Hola", **data},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    return response


@pytest.mark.parametrize("language", ["en", "es"])
async def test_the_activity_view_tells_each_event_in_words(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    language: str,
) -> None:
    """Who wrote and a short text; deliveries and schedules by their last digits."""
    hass.config.language = language
    # The logbook depends on the frontend, whose files are not installed for tests;
    # it only registers a panel there, which works without them.
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    simulator.elibom.invalid_numbers.add("573009990000")
    simulator.aldeamo.add_user("whatsapp", MARIA, name="Mari")
    simulator.aldeamo.add_user("whatsapp", "573005557777")
    await setup_entry(hass, elibom_entry)
    await setup_entry(
        hass,
        with_subentries(
            aldeamo_entry,
            ConfigSubentryData(
                data={"name": "María", "channel": "whatsapp", "client_id": MARIA},
                subentry_type="contact",
                title="María",
                unique_id=f"whatsapp:{MARIA}",
            ),
        ),
    )
    words = WORDS[language]

    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", MARIA, LONG_TEXT)
    simulator.aldeamo.write("whatsapp", "573005557777", "Hola")
    await poll(hass, 31)
    await _send(hass, elibom_entry, to=MARIA)
    await _send(hass, elibom_entry, to="573009990000")
    await _send(hass, elibom_entry, to=[MARIA, "573004445555"])
    simulator.advance(60)
    await poll(hass)
    await poll(hass)
    assert await _activity(hass, hass_ws_client, start) == [
        words["wrote"],
        words["stranger"],
        words["finished"],
        words["failed"],
        words["two"],
    ]

    executed = (
        await _send(
            hass,
            elibom_entry,
            to=MARIA,
            schedule_at=(dt_util.now() + timedelta(minutes=30)).isoformat(),
        )
    )["schedule_ids"][0]
    cancelled = (
        await _send(
            hass,
            elibom_entry,
            to=MARIA,
            schedule_at=(dt_util.now() + timedelta(hours=5)).isoformat(),
        )
    )["schedule_ids"][0]
    (forgotten,) = (await _send(hass, elibom_entry, to=MARIA))["delivery_tokens"]
    await poll(hass)
    await hass.services.async_call(
        DOMAIN,
        "cancel_scheduled_sms",
        {"config_entry_id": elibom_entry.entry_id, "schedule_id": cancelled},
        blocking=True,
    )
    simulator.advance(49 * 3600)
    await poll(hass)
    await poll(hass)

    lines = (await _activity(hass, hass_ws_client, start))[5:]
    assert sorted(lines) == sorted(
        [
            words["cancelled"].format(id=cancelled),
            words["executed"].format(id=executed),
            words["expired"].format(token=forgotten),
        ]
    )
    assert not any(MARIA in line for line in lines)


@pytest.mark.parametrize("language", ["en", "es"])
async def test_a_delivery_on_its_way_reads_as_being_sent(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    language: str,
) -> None:
    """Seen while it runs, then delivered: two lines, in order."""
    hass.config.language = language
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    await setup_entry(hass, elibom_entry)

    await _send(hass, elibom_entry, to=MARIA)
    simulator.advance(10)
    await poll(hass)
    simulator.advance(60)
    await poll(hass)

    words = WORDS[language]
    assert await _activity(hass, hass_ws_client, start) == [
        words["running"],
        words["finished"],
    ]


async def test_a_reload_does_not_read_as_an_outage_in_the_activity_view(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Every entity of both accounts, the diagnostic ones enabled: no "became unavailable"."""
    hass.config.language = "es"
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    simulator.aldeamo.add_user("whatsapp", MARIA, name="Mari")
    entries = [
        with_assist_recipient(elibom_entry, "Mamá", MARIA),
        with_subentries(
            aldeamo_entry,
            ConfigSubentryData(
                data={"name": "María", "channel": "whatsapp", "client_id": MARIA},
                subentry_type="contact",
                title="María",
                unique_id=f"whatsapp:{MARIA}",
            ),
        ),
    ]
    registry = er.async_get(hass)
    for entry in entries:
        await setup_entry(hass, entry)
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id):
            if entity.disabled_by is not None:
                registry.async_update_entity(entity.entity_id, disabled_by=None)
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    ours = {
        entity.entity_id
        for entry in entries
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
    }
    diagnostic = [
        entity.translation_key
        for entry in entries
        for entity in er.async_entries_for_config_entry(registry, entry.entry_id)
    ]
    assert "account_users" in diagnostic
    await poll(hass)
    start = dt_util.utcnow().isoformat()

    for entry in entries:
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
    await poll(hass)

    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id({"type": "logbook/get_events", "start_time": start})
    answer = await client.receive_json()
    assert answer["success"], answer
    shown = [
        (entry["entity_id"], entry.get("state"))
        for entry in answer["result"]
        if entry.get("entity_id") in ours and "state" in entry
    ]
    assert shown == [], "\n".join(map(str, shown))


async def _entity_activity(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, start: str, entity_id: str
) -> list[dict[str, Any]]:
    """Return an entity's lines of the activity view, as its device page asks."""
    await async_wait_recording_done(hass)
    client = await hass_ws_client()
    await client.send_json_auto_id(
        {"type": "logbook/get_events", "start_time": start, "entity_ids": [entity_id]}
    )
    answer = await client.receive_json()
    assert answer["success"], answer
    entries: list[dict[str, Any]] = answer["result"]
    return entries


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", "María Gómez escribió por WhatsApp: ¿A qué hora cierran?"),
        ("en", "María Gómez wrote on WhatsApp: ¿A qué hora cierran?"),
    ],
)
async def test_an_event_entitys_activity_says_who_wrote_what(  # noqa: PLR0913
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    language: str,
    words: str,
) -> None:
    """The contact's and the channel's event entities: each line names her and her text.

    Their state changes share the message event's context, so the activity view
    tells them by its words instead of a bare "detected an event".
    """
    hass.config.language = language
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    simulator.aldeamo.add_user("whatsapp", MARIA, name="Mari")
    await setup_entry(
        hass,
        with_subentries(
            aldeamo_entry,
            ConfigSubentryData(
                data={"name": "María Gómez", "channel": "whatsapp", "client_id": MARIA},
                subentry_type="contact",
                title="María Gómez",
                unique_id=f"whatsapp:{MARIA}",
            ),
        ),
    )
    registry = er.async_get(hass)
    contact_events = [
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            registry, aldeamo_entry.entry_id
        )
        if entity.domain == "event" and "facebook" not in entity.entity_id
    ]
    assert len(contact_events) == 2  # the WhatsApp channel's, and María Gómez's

    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", MARIA, "¿A qué hora cierran?")
    await poll(hass, 31)

    assert await _activity(hass, hass_ws_client, start) == [words]
    for entity_id in contact_events:
        changes = [
            entry
            for entry in await _entity_activity(hass, hass_ws_client, start, entity_id)
            if entry.get("entity_id") == entity_id and entry.get("context_message")
        ]
        assert [
            f"{entry['context_name']} {entry['context_message']}" for entry in changes
        ] == [words], entity_id


@pytest.mark.parametrize(
    ("language", "line"),
    [("es", "SMS a Mamá entregado"), ("en", "SMS to Mamá delivered")],
)
async def test_an_sms_to_a_saved_recipient_is_told_by_their_name(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    language: str,
    line: str,
) -> None:
    """A delivery to a recipient's number names them, not the number's last digits."""
    hass.config.language = language
    hass.config.components.add("frontend")
    assert await async_setup_component(hass, "logbook", {})
    start = dt_util.utcnow().isoformat()
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))

    await _send(hass, elibom_entry, to=MARIA)
    simulator.advance(60)
    await poll(hass)

    assert await _activity(hass, hass_ws_client, start) == [line]
    # Her device's activity: her last-SMS sensor changed, told by the same words.
    (sensor,) = (
        entity.entity_id
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), elibom_entry.entry_id
        )
        if entity.translation_key == "last_sms"
    )
    changes = [
        (entry["state"], f"{entry['context_name']} {entry['context_message']}")
        for entry in await _entity_activity(hass, hass_ws_client, start, sensor)
        if entry.get("entity_id") == sensor
    ]
    assert changes == [("finished", line)]
