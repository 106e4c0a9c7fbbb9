"""Device triggers: from a device in the automation editor to the messages it stands for."""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.components.device_automation import (
    DeviceAutomationType,
    async_get_device_automations,
)
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import ENGLISH, device_of, listen, with_subentries
from tests.simulator import Simulator

ANA = "573001112222"
BETO = "573004445555"
FB_USER = "2291837465"
MARIA = "573105550199"
FIRED = "test_trigger_fired"


def _contact(aldeamo_entry: MockConfigEntry) -> MockConfigEntry:
    return with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={"name": "Ana", "channel": "whatsapp", "client_id": ANA},
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )


def _recipient(elibom_entry: MockConfigEntry) -> MockConfigEntry:
    return with_subentries(
        elibom_entry,
        ConfigSubentryData(
            data={"name": "María", "phone_number": MARIA},
            subentry_type="recipient",
            title="María",
            unique_id=MARIA,
        ),
    )


def _device(hass: HomeAssistant, entry: MockConfigEntry, subentry: bool) -> str:
    """Return the id of the account's device, or of its only subentry's."""
    identifier = entry.entry_id
    if subentry:
        (subentry_id,) = entry.subentries
        identifier = f"{entry.entry_id}_{subentry_id}"
    return device_of(hass, entry, identifier).id


async def _triggers(hass: HomeAssistant, device_id: str) -> list[dict[str, Any]]:
    found = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, [device_id]
    )
    return sorted(
        (
            {key: value for key, value in trigger.items() if key != "metadata"}
            for trigger in found[device_id]
            if trigger["domain"] == DOMAIN  # not the sensors' own "value changes"
        ),
        key=lambda trigger: (trigger["type"], trigger.get("subtype", "")),
    )


async def _automation(hass: HomeAssistant, device_id: str, **trigger: str) -> None:
    """Set up one automation on this device trigger that fires FIRED with the message."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "when they write",
                "triggers": {
                    "platform": "device",
                    "domain": DOMAIN,
                    "device_id": device_id,
                    **trigger,
                },
                "actions": {
                    "event": FIRED,
                    "event_data": {
                        "message": "{{ trigger.event.data.message }}",
                        "status": "{{ trigger.event.data.status }}",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()


def _trigger(device_id: str, kind: str, **more: str) -> dict[str, Any]:
    return {
        "platform": "device",
        "domain": DOMAIN,
        "device_id": device_id,
        "type": kind,
        **more,
    }


async def test_a_bot_device_offers_a_message_trigger_per_channel_and_a_contact_its_own(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """The Aldeamo account: one per listened channel; a contact: "Message received"."""
    entry = _contact(aldeamo_entry)
    await setup_entry(hass, entry)
    account = _device(hass, entry, subentry=False)
    contact = _device(hass, entry, subentry=True)

    assert await _triggers(hass, account) == [
        _trigger(account, "message_received", subtype="facebook"),
        _trigger(account, "message_received", subtype="whatsapp"),
    ]
    assert await _triggers(hass, contact) == [_trigger(contact, "person_wrote")]


async def test_an_sms_device_offers_received_failed_and_completed(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The Elibom account: SMS received, delivery failed, delivery completed."""
    entry = _recipient(elibom_entry)
    await setup_entry(hass, entry)
    account = _device(hass, entry, subentry=False)
    recipient = _device(hass, entry, subentry=True)

    assert await _triggers(hass, account) == [
        _trigger(account, "delivery_failed"),
        _trigger(account, "delivery_finished"),
        _trigger(account, "sms_received"),
    ]
    assert await _triggers(hass, recipient) == [_trigger(recipient, "person_wrote")]


def test_every_trigger_and_channel_has_words_in_both_languages() -> None:
    """The editor shows these texts; "Mensaje recibido" in Spanish."""
    from tests.test_metadata import TRANSLATIONS  # noqa: PLC0415

    for language, tree in TRANSLATIONS.items():
        automations = tree["device_automation"]
        assert set(automations["trigger_type"]) == {
            "message_received",
            "person_wrote",
            "sms_received",
            "delivery_failed",
            "delivery_finished",
        }, language
        assert set(automations["trigger_subtype"]) == {
            "facebook",
            "twitter",
            "web",
            "whatsapp",
        }, language
    spanish = TRANSLATIONS["es"]["device_automation"]["trigger_type"]
    assert spanish["person_wrote"] == "Mensaje recibido"
    assert spanish["sms_received"] == "SMS recibido"
    assert spanish["delivery_failed"] == "Entrega fallida"
    assert spanish["delivery_finished"] == "Entrega completada"
    assert ENGLISH["device_automation"]["trigger_type"]["message_received"] == (
        "Message received on {subtype}"
    )


async def test_when_the_contact_writes_the_automation_runs_and_not_for_others(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """When Ana writes: her WhatsApp message runs it; not Beto's, nor a Messenger one."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    simulator.aldeamo.add_user("whatsapp", BETO, name="Beto")
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")
    entry = _contact(aldeamo_entry)
    await setup_entry(hass, entry)
    await _automation(hass, _device(hass, entry, subentry=True), type="person_wrote")
    fired = listen(hass, FIRED)

    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", BETO, "Soy Beto")
    simulator.aldeamo.write("facebook", FB_USER, "Soy Carlos")
    await poll(hass, 31)
    assert fired == []
    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", ANA, "¿Abren hoy?")
    await poll(hass, 31)

    assert [event["message"] for event in fired] == ["¿Abren hoy?"]


async def test_a_channel_trigger_on_the_bot_runs_for_that_channel_only(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Message received on Facebook Messenger ignores WhatsApp."""
    simulator.aldeamo.add_user("whatsapp", BETO)
    simulator.aldeamo.add_user("facebook", FB_USER)
    await setup_entry(hass, aldeamo_entry)
    await _automation(
        hass,
        _device(hass, aldeamo_entry, subentry=False),
        type="message_received",
        subtype="facebook",
    )
    fired = listen(hass, FIRED)

    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", BETO, "Por WhatsApp")
    simulator.aldeamo.write("facebook", FB_USER, "Por Messenger")
    await poll(hass, 31)

    assert [event["message"] for event in fired] == ["Por Messenger"]


async def test_when_the_recipient_texts_back_the_automation_runs(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An SMS from María on the inbound webhook runs "María: message received" and "SMS received"."""
    entry = _recipient(elibom_entry)
    await setup_entry(hass, entry)
    await _automation(hass, _device(hass, entry, subentry=True), type="person_wrote")
    received = listen(hass, EVENT_MESSAGE_RECEIVED)
    fired = listen(hass, FIRED)
    client = await hass_client_no_auth()

    for sender, text in (("573009990000", "Otro"), (MARIA, "Ya voy")):
        response = await client.get(
            f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
            params={"from": sender, "text": text},
        )
        assert response.status == 200
    await hass.async_block_till_done()

    assert len(received) == 2
    assert [event["message"] for event in fired] == ["Ya voy"]


async def test_sms_received_runs_for_any_sender(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The account's "SMS received" is every inbound SMS of that account."""
    await setup_entry(hass, elibom_entry)
    await _automation(
        hass, _device(hass, elibom_entry, subentry=False), type="sms_received"
    )
    fired = listen(hass, FIRED)
    client = await hass_client_no_auth()

    response = await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
        params={"from": "573009990000", "text": "SI"},
    )
    await hass.async_block_till_done()

    assert response.status == 200
    assert [event["message"] for event in fired] == ["SI"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("delivery_finished", "finished"), ("delivery_failed", "failed")],
)
async def test_delivery_triggers_run_when_the_delivery_ends_so(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    kind: str,
    expected: str,
) -> None:
    """Delivery completed after a delivered SMS, delivery failed after a refused one."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await setup_entry(hass, elibom_entry)
    await _automation(hass, _device(hass, elibom_entry, subentry=False), type=kind)
    fired = listen(hass, FIRED)

    for to in ("3001112222", "3009990000"):
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {"config_entry_id": elibom_entry.entry_id, "to": to, "message": "Hola"},
            blocking=True,
            return_response=True,
        )
    simulator.advance(60)
    await poll(hass)

    assert [event["status"] for event in fired] == [expected]


async def _automations(hass: HomeAssistant, *triggers: dict[str, str]) -> None:
    """Set up one automation on these device triggers; FIRED carries the trigger's id."""
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "alias": "when something happens",
                "triggers": [
                    {"platform": "device", "domain": DOMAIN, **trigger}
                    for trigger in triggers
                ],
                "actions": {
                    "event": FIRED,
                    "event_data": {
                        "id": "{{ trigger.id }}",
                        "message": "{{ trigger.event.data.message }}",
                    },
                },
            }
        },
    )
    await hass.async_block_till_done()


async def test_an_entry_id_with_underscores_keeps_its_devices_triggers(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Entry ids need not be ULIDs: "my_sms_account" has the account's and María's triggers."""
    entry = _recipient(elibom_entry)
    entry = MockConfigEntry(
        domain=DOMAIN,
        entry_id="my_sms_account",
        title=entry.title,
        unique_id=entry.unique_id,
        minor_version=entry.minor_version,
        data=dict(entry.data),
        subentries_data=[
            ConfigSubentryData(
                data=dict(subentry.data),
                subentry_id="maria_01",
                subentry_type=subentry.subentry_type,
                title=subentry.title,
                unique_id=subentry.unique_id,
            )
            for subentry in entry.subentries.values()
        ],
    )
    await setup_entry(hass, entry)
    account = _device(hass, entry, subentry=False)
    recipient = _device(hass, entry, subentry=True)

    assert await _triggers(hass, account) == [
        _trigger(account, "delivery_failed"),
        _trigger(account, "delivery_finished"),
        _trigger(account, "sms_received"),
    ]
    assert await _triggers(hass, recipient) == [_trigger(recipient, "person_wrote")]

    await _automations(
        hass,
        {"device_id": account, "type": "sms_received", "id": "account"},
        {"device_id": recipient, "type": "person_wrote", "id": "maria"},
    )
    fired = listen(hass, FIRED)
    client = await hass_client_no_auth()
    for sender, text in (("573009990000", "Otro"), (MARIA, "Ya voy")):
        response = await client.get(
            f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
            params={"from": sender, "text": text},
        )
        assert response.status == 200
    await hass.async_block_till_done()

    assert [(event["id"], event["message"]) for event in fired] == [
        ("account", "Otro"),
        ("account", "Ya voy"),
        ("maria", "Ya voy"),
    ]


async def test_an_account_not_loaded_lists_its_triggers_and_they_run_once_it_loads(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """While the provider is down at start the devices keep their triggers; automations on them run after."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")
    entry = _contact(aldeamo_entry)
    await setup_entry(hass, entry)  # an earlier run made the devices
    account = _device(hass, entry, subentry=False)
    contact = _device(hass, entry, subentry=True)
    simulator.fail_next("status", count=1000, status=503, path="/users")
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY

    assert await _triggers(hass, account) == [
        _trigger(account, "message_received", subtype="facebook"),
        _trigger(account, "message_received", subtype="whatsapp"),
    ]
    assert await _triggers(hass, contact) == [_trigger(contact, "person_wrote")]
    await _automations(
        hass,
        {
            "device_id": account,
            "type": "message_received",
            "subtype": "facebook",
            "id": "messenger",
        },
        {"device_id": contact, "type": "person_wrote", "id": "ana"},
    )
    fired = listen(hass, FIRED)

    simulator.faults.clear()
    await poll(hass)  # Home Assistant's own retry
    assert entry.state is ConfigEntryState.LOADED
    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", ANA, "¿Abren hoy?")
    simulator.aldeamo.write("facebook", FB_USER, "Por Messenger")
    await poll(hass, 31)

    assert sorted((event["id"], event["message"]) for event in fired) == [
        ("ana", "¿Abren hoy?"),
        ("messenger", "Por Messenger"),
    ]


@pytest.mark.parametrize(
    ("subentry", "kind"),
    [
        (False, "person_wrote"),  # a person's trigger on the account's device
        (False, "sms_received"),  # an SMS account's trigger on a bot
        (True, "message_received"),  # an account's trigger on a contact's device
    ],
)
async def test_a_trigger_the_device_does_not_offer_does_not_attach(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
    subentry: bool,
    kind: str,
) -> None:
    """Written by hand in YAML: the log says it does not apply, and no message runs it."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    entry = _contact(aldeamo_entry)
    await setup_entry(hass, entry)
    await _automation(
        hass, _device(hass, entry, subentry=subentry), type=kind, subtype="whatsapp"
    )
    fired = listen(hass, FIRED)

    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", ANA, "¿Abren hoy?")
    await poll(hass, 31)

    assert fired == []
    assert f"{kind} does not apply to this device" in caplog.text


async def test_a_bot_trigger_without_its_channel_does_not_attach(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A "message received on" trigger needs the channel it is about."""
    await setup_entry(hass, aldeamo_entry)
    await _automation(
        hass, _device(hass, aldeamo_entry, subentry=False), type="message_received"
    )

    assert "message_received does not apply to this device" in caplog.text


async def test_a_subentry_of_a_kind_the_provider_does_not_know_offers_no_trigger(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """A subentry left by a newer version: its device lists nothing and attaches nothing."""
    entry = with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={"name": "Tienda"},
            subentry_type="group",
            title="Tienda",
            unique_id=None,
        ),
    )
    entry.add_to_hass(hass)  # not set up: what a device offers needs no loaded entry
    (subentry_id,) = entry.subentries
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        config_subentry_id=subentry_id,
        identifiers={(DOMAIN, f"{entry.entry_id}_{subentry_id}")},
        name="Tienda",
    )

    assert await _triggers(hass, device.id) == []


async def test_a_device_left_of_a_removed_contact_offers_nothing_beside_live_ones(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two accounts with a person each; a device an older version left for a contact gone."""
    sms = _recipient(elibom_entry)
    bots = _contact(aldeamo_entry)
    await setup_entry(hass, sms)
    await setup_entry(hass, bots)
    ana = _device(hass, bots, subentry=True)
    left = dr.async_get(hass).async_get_or_create(
        config_entry_id=bots.entry_id,
        identifiers={(DOMAIN, f"{bots.entry_id}_01GONE")},
        name="Beto",
    )

    assert await _triggers(hass, ana) == [_trigger(ana, "person_wrote")]
    assert await _triggers(hass, left.id) == []
    await _automation(hass, left.id, type="person_wrote")
    assert "stands for no LatAm Messaging account, recipient or contact" in caplog.text
