"""A contact's id on a phone-number channel is kept as the provider writes it: digits."""

from __future__ import annotations

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import setup_entry
from tests.simulator import Simulator


@pytest.mark.parametrize(
    ("channel", "typed", "kept"),
    [
        ("whatsapp", "+57 300 777 6666", "573007776666"),
        ("whatsapp", "(+57) 300-777-6666", "573007776666"),
        ("sms", "+57.300.777.6666", "573007776666"),
        ("facebook", "2291837465", "2291837465"),
    ],
)
async def test_a_typed_number_is_kept_as_the_digits_the_bot_lists(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    channel: str,
    typed: str,
    kept: str,
) -> None:
    """WhatsApp and SMS ids are digits: "+57 300 …" is the same person, and is sent to."""
    await setup_entry(hass, aldeamo_entry)
    result = await hass.config_entries.subentries.async_init(
        (aldeamo_entry.entry_id, "contact"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"channel": channel}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": typed, "name": "Don José"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (contact,) = aldeamo_entry.subentries.values()
    assert contact.data["client_id"] == kept
    assert contact.unique_id == f"{channel}:{kept}"


async def test_send_bot_message_to_a_written_number_goes_to_its_digits(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The action and the classic service read "+57 300 …" on WhatsApp as the digits."""
    simulator.aldeamo.add_user("whatsapp", "573001112222")
    await setup_entry(hass, aldeamo_entry)
    await hass.services.async_call(
        "latam_messaging",
        "send_bot_message",
        {
            "config_entry_id": aldeamo_entry.entry_id,
            "channel": "whatsapp",
            "client_id": "+57 300 111 2222",
            "message": "Hola",
        },
        blocking=True,
        return_response=True,
    )
    await hass.services.async_call(
        "notify",
        "aldeamo_bots",
        {"message": "Hola", "target": ["whatsapp:(+57) 300-111-2222"]},
        blocking=True,
    )
    sent = simulator.requests_to("aldeamo", "POST", "/messages")
    assert [request.form["client_id"] for request in sent] == [
        "573001112222",
        "573001112222",
    ]
