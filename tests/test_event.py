"""The event entities: one per listened channel and one per contact.

The contact's is "when María writes", without YAML.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentry, ConfigSubentryData
from homeassistant.const import (
    EVENT_HOMEASSISTANT_STARTED,
    EVENT_STATE_CHANGED,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from tests.conftest import poll, setup_entry
from tests.helpers import device_of, snapshot_platform, state_of, with_subentries
from tests.simulator import Simulator

MARIA = "573001112222"
PEDRO = "573004445555"
MARIA_EVENTS = "event.maria_messages"
WHATSAPP_EVENTS = "event.aldeamo_bots_whatsapp_messages"


def _maria() -> ConfigSubentryData:
    return ConfigSubentryData(
        data={"name": "María", "channel": "whatsapp", "client_id": MARIA},
        subentry_type="contact",
        title="María",
        unique_id=f"whatsapp:{MARIA}",
    )


def _states(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    """Record every new state an entity writes: its state and attributes."""
    seen: list[dict[str, Any]] = []

    @callback
    def record(event: Event) -> None:
        if event.data["entity_id"] == entity_id and event.data["new_state"]:
            new = event.data["new_state"]
            seen.append({"state": new.state, **new.attributes})

    hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    return seen


def _start(hass: HomeAssistant) -> None:
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)


@pytest.fixture
def provider() -> str:
    """Only Aldeamo accounts have event entities."""
    return "aldeamo"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up the event entities only."""
    return [Platform.EVENT]


@pytest.mark.usefixtures("init_integration")
async def test_event_entities(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each listened channel's and the contact's event entity, before anyone wrote."""
    snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)


async def test_only_marias_messages_show_on_her_event_entity(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Her id on another channel, or another user on hers, leave it alone."""
    simulator.aldeamo.add_user("whatsapp", MARIA, name="María")
    simulator.aldeamo.add_user("whatsapp", PEDRO, name="Pedro")
    simulator.aldeamo.add_user("facebook", MARIA, name="María FB")
    entry = with_subentries(aldeamo_entry, _maria())
    await setup_entry(hass, entry)
    maria = _states(hass, MARIA_EVENTS)
    channel = _states(hass, WHATSAPP_EVENTS)
    simulator.advance(1)
    written = simulator.aldeamo.write("whatsapp", MARIA, "¿Tienen pan?")
    simulator.aldeamo.write("whatsapp", PEDRO, "Hola")
    simulator.aldeamo.write("facebook", MARIA, "Otra cuenta")

    await poll(hass, 31)
    await poll(hass, 31)

    (shown,) = maria
    assert dt_util.parse_datetime(shown["state"]) is not None
    assert shown["event_type"] == "message_received"
    assert (shown["channel"], shown["client_id"], shown["message"]) == (
        "whatsapp",
        MARIA,
        "¿Tienen pan?",
    )
    assert shown["message_id"] == written
    assert shown["friendly_name"] == "María Messages"
    assert sorted(s["message"] for s in channel) == ["Hola", "¿Tienen pan?"]
    # On María's own device, where the automation editor offers it.
    registry = er.async_get(hass)
    entity = registry.async_get(MARIA_EVENTS)
    assert entity is not None
    (subentry_id,) = entry.subentries
    assert entity.config_subentry_id == subentry_id
    device = device_of(hass, entry, f"{entry.entry_id}_{subentry_id}")
    assert entity.device_id == device.id


async def test_the_name_is_spanish_in_a_spanish_home(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The entity's name comes from the translations."""
    hass.config.language = "es"
    await setup_entry(hass, with_subentries(aldeamo_entry, _maria()))

    state = hass.states.get("event.maria_mensajes")
    assert state is not None
    assert state.attributes["friendly_name"] == "María Mensajes"


async def test_a_message_written_while_off_shows_once_started_and_is_restored_after(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Shown at homeassistant_started; a restart restores it, never triggers it again."""
    simulator.aldeamo.add_user("whatsapp", MARIA, name="María")
    entry = with_subentries(aldeamo_entry, _maria())
    await setup_entry(hass, entry)  # cursors set
    assert await hass.config_entries.async_unload(entry.entry_id)
    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", MARIA, "Escribí mientras estaba apagado")

    hass.set_state(CoreState.not_running)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, MARIA_EVENTS) == STATE_UNKNOWN  # nothing before start
    _start(hass)
    await hass.async_block_till_done()
    shown = hass.states.get(MARIA_EVENTS)
    assert shown is not None
    assert shown.attributes["message"] == "Escribí mientras estaba apagado"

    # A restart: the entity comes back with its last message, not a new one.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    hass.set_state(CoreState.not_running)
    written = _states(hass, MARIA_EVENTS)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    _start(hass)
    await hass.async_block_till_done()
    await poll(hass, 31)

    restored = hass.states.get(MARIA_EVENTS)
    assert restored is not None
    assert restored.state == shown.state
    assert restored.attributes["message"] == "Escribí mientras estaba apagado"
    assert {s["state"] for s in written} == {shown.state}


async def test_a_contact_added_or_removed_brings_or_takes_its_event_entity(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Adding María makes her entity, which then fires; removing her removes it."""
    simulator.aldeamo.add_user("whatsapp", MARIA, name="María")
    await setup_entry(hass, aldeamo_entry)
    assert hass.states.get(MARIA_EVENTS) is None

    hass.config_entries.async_add_subentry(
        aldeamo_entry,
        ConfigSubentry(
            data=_maria()["data"],
            subentry_type="contact",
            title="María",
            unique_id=f"whatsapp:{MARIA}",
        ),
    )
    await hass.async_block_till_done()
    assert state_of(hass, MARIA_EVENTS) == STATE_UNKNOWN
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", MARIA, "Ya me agregaron")
    await poll(hass, 31)
    shown = hass.states.get(MARIA_EVENTS)
    assert shown is not None
    assert shown.attributes["message"] == "Ya me agregaron"

    (subentry_id,) = aldeamo_entry.subentries
    assert hass.config_entries.async_remove_subentry(aldeamo_entry, subentry_id)
    await hass.async_block_till_done()

    assert hass.states.get(MARIA_EVENTS) is None
    assert er.async_get(hass).async_get(MARIA_EVENTS) is None
    assert not [
        e
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), aldeamo_entry.entry_id
        )
        if e.config_subentry_id is not None
    ]
    assert hass.states.get(WHATSAPP_EVENTS) is not None
