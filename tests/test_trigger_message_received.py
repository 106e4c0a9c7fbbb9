"""The editor's "Message received" trigger (Home Assistant 2026.10+), on each kind of target.

Automations are configured in YAML, as a user writes them, with each kind of
target: a person's entity, their device, an area or a label holding them, a
channel's event entity.

Only collected where the editor's triggers exist (tests/conftest.py);
test_trigger_versions.py covers older versions. The accounts, people and helpers
shared by the tests/test_trigger_*.py files are in tests/trigger_helpers.py.
"""

from __future__ import annotations

from homeassistant.components import automation
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    label_registry as lr,
)
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests import trigger_helpers
from tests.conftest import poll
from tests.const import WEBHOOK_ID
from tests.helpers import device_of, listen
from tests.simulator import Simulator
from tests.trigger_helpers import (
    ANA,
    ANA_CONTACT,
    BETO,
    DAD,
    FIRED,
    MOM,
    RECIPIENTS,
    contact_event_of,
    entity_id_of,
    set_up_automation,
    write,
)

# The shop's bot and the family's SMS account, set up (tests/trigger_helpers.py).
shop = trigger_helpers.shop
family = trigger_helpers.family


# Message received --------------------------------------------------------------


async def test_pedido_from_the_contact_runs_once_and_not_for_other_text_or_people(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Ana's event entity, contains "pedido": her "Quiero hacer un PEDIDO" only."""
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": contact_event_of(hass, shop)},
            "options": {"contains": "pedido"},
        },
    )
    fired = listen(hass, FIRED)

    await write(
        hass,
        simulator,
        ("whatsapp", ANA, "Hola, ¿abren hoy?"),
        ("whatsapp", BETO, "Yo también quiero un pedido"),
        ("whatsapp", ANA, "Quiero hacer un PEDIDO"),
    )

    assert len(fired) == 1
    (run,) = fired
    assert run["platform"] == "latam_messaging.message_received"
    # Templates render numbers as numbers.
    assert (run["name"], run["channel"], str(run["client_id"])) == (
        "Ana",
        "whatsapp",
        ANA,
    )
    assert run["message"] == "Quiero hacer un PEDIDO"
    assert run["message_id"]
    await write(hass, simulator)
    assert len(fired) == 1


async def test_contains_ignores_accents_and_case(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Read "Pédido" and "PEDIDO" as "pedido"; not "pedí"."""
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": contact_event_of(hass, shop)},
            "options": {"contains": "Pedído"},
        },
    )
    fired = listen(hass, FIRED)

    await write(
        hass,
        simulator,
        ("whatsapp", ANA, "un pédido"),
        ("whatsapp", ANA, "ya pedí"),
        ("whatsapp", ANA, "OTRO PEDIDO"),
    )

    assert [run["message"] for run in fired] == ["un pédido", "OTRO PEDIDO"]


async def test_without_contains_every_message_of_the_contact_runs_it(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """The contact's device as target: all she writes, nothing of others."""
    device = device_of(hass, shop, f"{shop.entry_id}_{ANA_CONTACT['subentry_id']}")
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"device_id": device.id},
        },
    )
    fired = listen(hass, FIRED)

    await write(
        hass, simulator, ("whatsapp", BETO, "Soy Beto"), ("whatsapp", ANA, "Hola")
    )

    assert [run["message"] for run in fired] == ["Hola"]


async def test_a_channel_event_entity_runs_for_anyone_on_that_channel(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """The WhatsApp channel: Ana and Beto; not Messenger."""
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {
                "entity_id": entity_id_of(
                    hass, "event", f"{shop.entry_id}_messages_whatsapp"
                )
            },
        },
    )
    fired = listen(hass, FIRED)

    await write(
        hass,
        simulator,
        ("whatsapp", BETO, "Por WhatsApp"),
        ("facebook", "2291837465", "Por Messenger"),
        ("whatsapp", ANA, "Yo también"),
    )

    assert sorted(run["message"] for run in fired) == ["Por WhatsApp", "Yo también"]


async def test_an_area_and_a_label_holding_the_contact_are_targets(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """The contact's device in "Tienda"; her event entity labelled "clientes"."""
    area = ar.async_get(hass).async_create("Tienda")
    label = lr.async_get(hass).async_create("clientes")
    device = device_of(hass, shop, f"{shop.entry_id}_{ANA_CONTACT['subentry_id']}")
    dr.async_get(hass).async_update_device(device.id, area_id=area.id)
    er.async_get(hass).async_update_entity(
        contact_event_of(hass, shop), labels={label.label_id}
    )
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": f"by {kind}",
                    "triggers": {
                        "trigger": "latam_messaging.message_received",
                        "target": {kind: value},
                    },
                    "actions": {
                        "event": FIRED,
                        "event_data": {"by": kind, "message": "{{ trigger.message }}"},
                    },
                }
                for kind, value in (("area_id", area.id), ("label_id", label.label_id))
            ]
        },
    )
    await hass.async_block_till_done()
    fired = listen(hass, FIRED)

    await write(
        hass, simulator, ("whatsapp", BETO, "Soy Beto"), ("whatsapp", ANA, "Soy Ana")
    )

    assert sorted((run["by"], run["message"]) for run in fired) == [
        ("area_id", "Soy Ana"),
        ("label_id", "Soy Ana"),
    ]


async def test_an_sms_from_a_recipient_device_runs_it(
    hass: HomeAssistant,
    family: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Mamá texts back on the inbound webhook: her device's trigger; not a stranger's SMS."""
    mom = device_of(hass, family, f"{family.entry_id}_{RECIPIENTS[0]['subentry_id']}")
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"device_id": mom.id},
            "options": {"contains": "llegue"},
        },
    )
    fired = listen(hass, FIRED)
    client = await hass_client_no_auth()

    for sender, text in (
        ("573009990000", "Llegué"),
        (DAD, "Llegué"),
        (MOM, "Ya llegué"),
    ):
        response = await client.get(
            f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
            params={"from": sender, "text": text},
        )
        assert response.status == 200
    await hass.async_block_till_done()

    assert [(run["name"], run["channel"], run["message"]) for run in fired] == [
        ("Mamá", "sms", "Ya llegué")
    ]


async def test_a_reload_between_messages_neither_loses_nor_repeats_a_run(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Before and after reloading the account: each message runs it once."""
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": contact_event_of(hass, shop)},
        },
    )
    fired = listen(hass, FIRED)

    await write(hass, simulator, ("whatsapp", ANA, "Antes"))
    await hass.config_entries.async_reload(shop.entry_id)
    await hass.async_block_till_done()
    await write(hass, simulator, ("whatsapp", ANA, "Después"))
    await poll(hass, 31)

    assert [run["message"] for run in fired] == ["Antes", "Después"]


async def test_a_message_found_while_starting_runs_it_once_started(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Written while Home Assistant was off: the automation runs once it has started."""
    contact_event = contact_event_of(hass, shop)
    await hass.config_entries.async_unload(shop.entry_id)
    await hass.async_block_till_done()
    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", ANA, "Mientras tanto, un pedido")

    hass.set_state(CoreState.not_running)
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": contact_event},
            "options": {"contains": "pedido"},
        },
    )
    fired = listen(hass, FIRED)
    await hass.config_entries.async_setup(shop.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired == []
    # As Home Assistant's start does: newer versions attach automations in
    # start-up jobs, run before homeassistant_started.
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass, 31)

    assert [run["message"] for run in fired] == ["Mientras tanto, un pedido"]
