"""The editor's triggers (Home Assistant 2026.10+): "Message received" and "SMS failed".

Automations are configured in YAML, as a user writes them, with each kind of
target: a person's entity, their device, an area or a label holding them, a
channel's event entity, an account's device. Only collected where these triggers
exist (tests/conftest.py); test_trigger_versions.py covers older versions.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
    label_registry as lr,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import DOMAIN
from custom_components.latam_messaging.trigger import failed_sms
from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import device_of, listen, with_subentries
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


async def _automation(hass: HomeAssistant, trigger: dict[str, Any]) -> None:
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


def _entity(hass: HomeAssistant, domain: str, unique_id: str) -> str:
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


async def _write(
    hass: HomeAssistant, simulator: Simulator, *messages: tuple[str, str, str]
) -> None:
    simulator.advance(2)
    for channel, client_id, text in messages:
        simulator.aldeamo.write(channel, client_id, text)
    await poll(hass, 31)


def _contact_event(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    return _entity(
        hass, "event", f"{entry.entry_id}_{ANA_CONTACT['subentry_id']}_messages"
    )


# Message received --------------------------------------------------------------


async def test_pedido_from_the_contact_runs_once_and_not_for_other_text_or_people(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Ana's event entity, contains "pedido": her "Quiero hacer un PEDIDO" only."""
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": _contact_event(hass, shop)},
            "options": {"contains": "pedido"},
        },
    )
    fired = listen(hass, FIRED)

    await _write(
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
    await _write(hass, simulator)
    assert len(fired) == 1


async def test_contains_ignores_accents_and_case(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Read "Pédido" and "PEDIDO" as "pedido"; not "pedí"."""
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": _contact_event(hass, shop)},
            "options": {"contains": "Pedído"},
        },
    )
    fired = listen(hass, FIRED)

    await _write(
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
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"device_id": device.id},
        },
    )
    fired = listen(hass, FIRED)

    await _write(
        hass, simulator, ("whatsapp", BETO, "Soy Beto"), ("whatsapp", ANA, "Hola")
    )

    assert [run["message"] for run in fired] == ["Hola"]


async def test_a_channel_event_entity_runs_for_anyone_on_that_channel(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """The WhatsApp channel: Ana and Beto; not Messenger."""
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {
                "entity_id": _entity(
                    hass, "event", f"{shop.entry_id}_messages_whatsapp"
                )
            },
        },
    )
    fired = listen(hass, FIRED)

    await _write(
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
        _contact_event(hass, shop), labels={label.label_id}
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

    await _write(
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
    await _automation(
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
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.message_received",
            "target": {"entity_id": _contact_event(hass, shop)},
        },
    )
    fired = listen(hass, FIRED)

    await _write(hass, simulator, ("whatsapp", ANA, "Antes"))
    await hass.config_entries.async_reload(shop.entry_id)
    await hass.async_block_till_done()
    await _write(hass, simulator, ("whatsapp", ANA, "Después"))
    await poll(hass, 31)

    assert [run["message"] for run in fired] == ["Antes", "Después"]


async def test_a_message_found_while_starting_runs_it_once_started(
    hass: HomeAssistant, shop: MockConfigEntry, simulator: Simulator
) -> None:
    """Written while Home Assistant was off: the automation runs once it has started."""
    contact_event = _contact_event(hass, shop)
    await hass.config_entries.async_unload(shop.entry_id)
    await hass.async_block_till_done()
    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", ANA, "Mientras tanto, un pedido")

    hass.set_state(CoreState.not_running)
    await _automation(
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


# SMS failed --------------------------------------------------------------------


async def _send(hass: HomeAssistant, entry: MockConfigEntry, *numbers: str) -> str:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": list(numbers), "message": "Alarma"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    (token,) = response["delivery_tokens"]
    return str(token)


def _notify(hass: HomeAssistant, entry: MockConfigEntry, index: int) -> str:
    return _entity(
        hass, "notify", f"{entry.entry_id}_{RECIPIENTS[index]['subentry_id']}"
    )


async def test_the_sms_to_mom_failing_runs_it_once_and_not_for_dad(
    hass: HomeAssistant, family: MockConfigEntry, simulator: Simulator
) -> None:
    """One alarm SMS to both, both refused: Mamá's notify entity runs it once, for her."""
    simulator.elibom.invalid_numbers.update({MOM, DAD})
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.delivery_failed",
            "target": {"entity_id": _notify(hass, family, 0)},
        },
    )
    fired = listen(hass, FIRED)

    token = await _send(hass, family, MOM, DAD)
    simulator.advance(60)
    await poll(hass)
    await poll(hass)

    assert [
        (
            run["name"],
            str(run["to"]),
            run["status"],
            run["status_detail"],
            str(run["delivery_token"]),
        )
        for run in fired
    ] == [("Mamá", MOM, "failed", "invalid_destination", token)]


async def test_a_delivery_that_finishes_runs_nothing_but_a_failed_part_does(
    hass: HomeAssistant, family: MockConfigEntry, simulator: Simulator
) -> None:
    """Delivered to Mamá: nothing. Papá refused in the same delivery: Papá's device runs it."""
    simulator.elibom.invalid_numbers.add(DAD)
    mom = device_of(hass, family, f"{family.entry_id}_{RECIPIENTS[0]['subentry_id']}")
    dad = device_of(hass, family, f"{family.entry_id}_{RECIPIENTS[1]['subentry_id']}")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": name,
                    "triggers": {
                        "trigger": "latam_messaging.delivery_failed",
                        "target": {"device_id": device.id},
                    },
                    "actions": {
                        "event": FIRED,
                        "event_data": {"who": "{{ trigger.name }}"},
                    },
                }
                for name, device in (("mom", mom), ("dad", dad))
            ]
        },
    )
    await hass.async_block_till_done()
    fired = listen(hass, FIRED)

    await _send(hass, family, MOM, DAD)
    simulator.advance(60)
    await poll(hass)

    assert fired == [{"who": "Papá"}]


async def test_an_expired_sms_runs_it_once_after_a_reload_and_a_restart(
    hass: HomeAssistant,
    family: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Stuck for two days, across a reload and a restart from storage: "expired" once.

    The account's device as target: Mamá's SMS and a stranger's, the stranger unnamed.
    """
    account = device_of(hass, family, family.entry_id)
    token = await _send(hass, family, MOM, "573009990000")
    await hass.config_entries.async_reload(family.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(family.entry_id)
    await hass.async_block_till_done()
    simulator.advance(49 * 3600)

    # The restart: the automation attaches while starting, the account finds the
    # delivery expired at its first poll, the event fires once started.
    hass.set_state(CoreState.not_running)
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.delivery_failed",
            "target": {"device_id": account.id},
        },
    )
    fired = listen(hass, FIRED)
    assert await hass.config_entries.async_setup(family.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired == []
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass)

    assert sorted(
        (str(run["to"]), run["name"], run["status"], str(run["delivery_token"]))
        for run in fired
    ) == [
        (MOM, "Mamá", "expired", token),
        ("573009990000", None, "expired", token),
    ]


async def test_a_device_that_is_not_a_recipient_is_refused_for_sms_failed(
    hass: HomeAssistant, shop: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Ana is a WhatsApp contact (no SMS is tracked to her); a device id that is no device."""
    ana = device_of(hass, shop, f"{shop.entry_id}_{ANA_CONTACT['subentry_id']}")
    bot = device_of(hass, shop, shop.entry_id)
    await _automation(
        hass,
        {
            "trigger": "latam_messaging.delivery_failed",
            "target": {"device_id": [ana.id, bot.id, "no_such_device"]},
        },
    )

    assert (
        f"device {ana.id}, device {bot.id}, device no_such_device is not a LatAm"
        " Messaging SMS recipient"
        in caplog.text
        or f"device {bot.id}, device {ana.id}, device no_such_device" in caplog.text
    )


# Refused at configuration ------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "error"),
    [
        (
            {
                "trigger": "latam_messaging.message_received",
                "target": {"entity_id": "event.gone"},
            },
            "event.gone is not a LatAm Messaging contact",
        ),
        (
            {
                "trigger": "latam_messaging.message_received",
                "target": {"entity_id": ANA_EVENT},
                "options": {"contains": "  "},
            },
            "contains is empty",
        ),
        (
            {
                "trigger": "latam_messaging.delivery_failed",
                "target": {"area_id": "no_such_area"},
            },
            "area no_such_area is not a LatAm Messaging SMS recipient",
        ),
        (
            {
                "trigger": "latam_messaging.delivery_failed",
                "target": {"entity_id": ANA_EVENT},
            },
            "event.ana_messages is not a LatAm Messaging SMS recipient",
        ),
        (
            {"trigger": "latam_messaging.delivery_failed", "target": {}},
            "the target is empty",
        ),
    ],
)
async def test_a_target_that_is_not_there_or_an_empty_contains_is_refused(
    hass: HomeAssistant,
    shop: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    trigger: dict[str, Any],
    error: str,
) -> None:
    """The automation is not set up, and the log says why."""
    assert _contact_event(hass, shop) == ANA_EVENT
    await _automation(hass, trigger)

    assert error in caplog.text
    state = hass.states.get("automation.answer_the_shop")
    assert state is None or state.state == "unavailable"


# In the editor -------------------------------------------------------------------


async def test_both_triggers_are_listed_with_their_target_and_spanish_words(
    hass: HomeAssistant, shop: MockConfigEntry
) -> None:
    """The editor's list: "Mensaje recibido" with "Contiene", and "El SMS falló"."""
    from homeassistant.helpers.translation import async_get_translations  # noqa: PLC0415
    from homeassistant.helpers.trigger import async_get_all_descriptions  # noqa: PLC0415

    descriptions = await async_get_all_descriptions(hass)
    received = descriptions["latam_messaging.message_received"]
    failed = descriptions["latam_messaging.delivery_failed"]
    assert received is not None
    assert failed is not None
    assert set(received["fields"]) == {"contains"}
    assert received["target"]["entity"] == [
        {"integration": DOMAIN, "domain": ["event"]}
    ]
    assert failed["target"]["entity"] == [{"integration": DOMAIN, "domain": ["notify"]}]

    spanish = await async_get_translations(hass, "es", "triggers", [DOMAIN])
    prefix = f"component.{DOMAIN}.triggers"
    assert spanish[f"{prefix}.message_received.name"] == "Mensaje recibido"
    assert spanish[f"{prefix}.message_received.fields.contains.name"] == "Contiene"
    assert spanish[f"{prefix}.delivery_failed.name"] == "El SMS falló"


@pytest.mark.parametrize(
    ("event", "failed"),
    [
        ({"status": "running", "messages": [], "to": [MOM]}, []),
        ({"status": "finished", "messages": [], "to": [MOM]}, []),
        (
            {"status": "failed", "messages": [], "to": ["+57 300 111 2222"]},
            [{"to": MOM, "status": "failed", "status_detail": None}],
        ),
        (
            {
                "status": "finished",
                "messages": [
                    {"to": MOM, "status": "sent", "status_detail": "sent"},
                    {"to": DAD, "status": "failed", "status_detail": "blocked"},
                    "unreadable",
                ],
            },
            [{"to": DAD, "status": "failed", "status_detail": "blocked"}],
        ),
        (
            {"status": "expired", "messages": [], "to": [MOM, DAD]},
            [
                {"to": MOM, "status": "expired", "status_detail": None},
                {"to": DAD, "status": "expired", "status_detail": None},
            ],
        ),
    ],
)
def test_which_sms_of_a_delivery_event_failed(
    event: dict[str, Any], failed: list[dict[str, Any]]
) -> None:
    """Still running or delivered: none. Failed or expired whole: every number it went to."""
    assert failed_sms(event) == failed
