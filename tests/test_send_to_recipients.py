"""send_sms to recipients picked by name, and what a recipient's last SMS did."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import CONTACT, RECIPIENT, poll, setup_entry
from tests.helpers import state_of, with_subentries
from tests.simulator import Simulator

MAMA = "573001112222"
MAMA_ENTITY = "notify.mama"


def _posts(simulator: Simulator) -> list[Any]:
    return simulator.requests_to("elibom", "POST", "/messages")


async def _send_sms(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def test_send_sms_goes_to_recipients_picked_by_name(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """`recipients` instead of `to`: the saved number is used; the answer keeps its keys."""
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))

    response = await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "recipients": [MAMA_ENTITY],
            "message": "Llego tarde",
        },
    )

    assert set(response) == {"delivery_tokens", "encoding", "segments"}
    assert [post.json["to"] for post in _posts(simulator)] == [MAMA]


async def test_recipients_and_numbers_together_each_get_it_once(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Picked and typed numbers join; the same person by both ways gets one SMS."""
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))

    await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": ["300 111 2222", "+57 300 444 5555"],
            "recipients": MAMA_ENTITY,
            "message": "Hola",
        },
    )

    (post,) = _posts(simulator)
    assert post.json["to"] == "573001112222,573004445555"


@pytest.mark.parametrize(
    "picked",
    [
        "notify.ana",  # a contact of the bot, not an SMS recipient
        "sensor.tienda_dona_perez_credits",  # the account's, not a person's
        "notify.nadie",  # no such entity
        5,
    ],
)
async def test_a_pick_that_is_not_one_of_the_accounts_recipients_is_refused(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    picked: Any,
) -> None:
    """Named in a translated error; nothing is sent."""
    simulator.aldeamo.add_user("whatsapp", "573004445555", name="Ana")
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))
    await setup_entry(hass, with_subentries(aldeamo_entry, CONTACT))
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await _send_sms(
            hass,
            {
                "config_entry_id": elibom_entry.entry_id,
                "recipients": [picked],
                "message": "Hola",
            },
        )

    assert caught.value.translation_key == (
        "wrong_type" if picked == 5 else "unknown_recipient"
    )
    if picked != 5:
        assert picked in str(caught.value)
    assert simulator.requests[before:] == []


async def test_neither_numbers_nor_recipients_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An empty pick is no recipient at all: `to` is missing."""
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))

    with pytest.raises(ServiceValidationError) as caught:
        await _send_sms(
            hass,
            {
                "config_entry_id": elibom_entry.entry_id,
                "recipients": [],
                "message": "Hola",
            },
        )

    assert caught.value.translation_key == "missing_field"
    assert _posts(simulator) == []


async def test_a_recipients_device_shows_their_last_sms_and_the_counter_names_them(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Her device shows "Último SMS: Entregado"; the unconfirmed counter names her."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))
    assert state_of(hass, "sensor.mama_last_sms") == "unknown"

    await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "recipients": [MAMA_ENTITY],
            "message": "Hola",
        },
    )
    simulator.advance(60)
    await poll(hass)

    assert state_of(hass, "sensor.mama_last_sms") == "finished"
    counter = hass.states.get("sensor.tienda_dona_perez_unconfirmed_sms")
    assert counter is not None
    assert counter.attributes["last_number"] == "Mamá"
    assert counter.attributes["last_status"] == "finished"

    # An SMS to someone else leaves her sensor as it was, and shows only digits.
    await _send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "+57 300 999 0000",
            "message": "Hola",
        },
    )
    simulator.advance(60)
    await poll(hass)
    assert state_of(hass, "sensor.mama_last_sms") == "finished"
    counter = hass.states.get("sensor.tienda_dona_perez_unconfirmed_sms")
    assert counter is not None
    assert counter.attributes["last_number"] == "••••••••0000"
