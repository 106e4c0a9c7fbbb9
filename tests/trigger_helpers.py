"""The editor's triggers (Home Assistant 2026.10+): what their tests share.

The tests are in test_trigger_message_received.py ("Message received"),
test_trigger_delivery_failed.py ("SMS failed") and test_trigger_editor.py (what
the editor lists, and what is refused at configuration).

Automations are configured in YAML, as a user writes them, with each kind of
target: a person's entity, their device, an area or a label holding them, a
channel's event entity, an account's device. Only collected where these triggers
exist (tests/conftest.py); test_trigger_versions.py covers older versions.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import poll, setup_entry
from tests.helpers import with_subentries
from tests.simulator import Simulator

ANA = "573004445555"
BETO = "573006667777"
MOM = "573001112222"
DAD = "573002223333"
FIRED = "test_trigger_fired"
ANA_EVENT = "event.ana_messages"

ANA_CONTACT = ConfigSubentryData(
    data={"name": "Ana", "channel": "whatsapp", "client_id": ANA},
    subentry_id="01ANASUBENTRY0000000000000",
    subentry_type="contact",
    title="Ana",
    unique_id=f"whatsapp:{ANA}",
)
RECIPIENTS = (
    ConfigSubentryData(
        data={"name": "Mamá", "phone_number": MOM},
        subentry_id="01MOMSUBENTRY0000000000000",
        subentry_type="recipient",
        title="Mamá",
        unique_id=MOM,
    ),
    ConfigSubentryData(
        data={"name": "Papá", "phone_number": DAD},
        subentry_id="01DADSUBENTRY0000000000000",
        subentry_type="recipient",
        title="Papá",
        unique_id=DAD,
    ),
)


async def set_up_automation(hass: HomeAssistant, trigger: dict[str, Any]) -> None:
    """Set up one YAML automation on this trigger; FIRED carries its variables."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "answer the shop",
                "triggers": trigger,
                "actions": {
                    "event": FIRED,
                    "event_data": {
                        key: f"{{{{ trigger.{key} }}}}"
                        for key in (
                            "platform",
                            "name",
                            "channel",
                            "client_id",
                            "message",
                            "message_id",
                            "delivery_token",
                            "status",
                            "status_detail",
                            "to",
                        )
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()


def entity_id_of(hass: HomeAssistant, domain: str, unique_id: str) -> str:
    """Return the entity id the integration registered under this unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(domain, DOMAIN, unique_id)
    assert entity_id is not None, unique_id
    return entity_id


@pytest.fixture
async def shop(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> MockConfigEntry:
    """Set up the shop's WhatsApp and Messenger bot; Ana is a contact, Beto writes too."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    simulator.aldeamo.add_user("whatsapp", BETO, name="Beto")
    simulator.aldeamo.add_user("facebook", "2291837465", name="Carlos")
    entry = with_subentries(aldeamo_entry, ANA_CONTACT)
    await setup_entry(hass, entry)
    return entry


@pytest.fixture
async def family(hass: HomeAssistant, elibom_entry: MockConfigEntry) -> MockConfigEntry:
    """Set up the family's SMS account, with Mamá and Papá as recipients."""
    entry = with_subentries(elibom_entry, *RECIPIENTS)
    await setup_entry(hass, entry)
    return entry


async def write(
    hass: HomeAssistant, simulator: Simulator, *messages: tuple[str, str, str]
) -> None:
    """Let the bot users write these (channel, user, text) messages; poll once."""
    simulator.advance(2)
    for channel, client_id, text in messages:
        simulator.aldeamo.write(channel, client_id, text)
    await poll(hass, 31)


def contact_event_of(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return Ana's event entity on the shop's bot."""
    return entity_id_of(
        hass, "event", f"{entry.entry_id}_{ANA_CONTACT['subentry_id']}_messages"
    )
