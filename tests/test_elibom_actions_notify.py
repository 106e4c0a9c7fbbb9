"""Elibom's notify paths: a recipient's notify entity and the classic notify service."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.elibom_action_helpers import PENDING, sms_posts
from tests.helpers import notify_entity_of, state_of, with_subentries
from tests.simulator import Simulator

LEGACY_SERVICE = "tienda_dona_perez"
RECIPIENT_NUMBER = "573001112222"


def _entry_with_recipient(elibom_entry: MockConfigEntry) -> MockConfigEntry:
    """Return the test account's entry with one recipient subentry."""
    return with_subentries(
        elibom_entry,
        ConfigSubentryData(
            data={"name": "Mamá", "phone_number": RECIPIENT_NUMBER},
            subentry_type="recipient",
            title="Mamá",
            unique_id=RECIPIENT_NUMBER,
        ),
    )


# Notify -------------------------------------------------------------------------------


async def test_a_recipient_notify_entity_sends_the_title_as_its_first_line(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.send_message on a recipient sends one SMS to its number."""
    entry = _entry_with_recipient(elibom_entry)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)

    await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": entity_id, "title": "Alarma", "message": "Puerta abierta"},
        blocking=True,
    )
    await hass.async_block_till_done()

    (post,) = sms_posts(simulator)
    assert post.json == {"to": RECIPIENT_NUMBER, "text": "Alarma\nPuerta abierta"}
    assert state_of(hass, PENDING) == "1"


async def test_a_recipient_notify_entity_refuses_title_and_message_over_160(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The title counts towards the limit: 20 + newline + 150 is too long."""
    entry = _entry_with_recipient(elibom_entry)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": entity_id, "title": "T" * 20, "message": "m" * 150},
            blocking=True,
        )

    assert caught.value.translation_key == "message_too_long"
    assert caught.value.translation_placeholders == {"length": "171", "limit": "160"}
    assert simulator.requests[before:] == []


async def test_the_classic_notify_service_sends_to_its_targets_in_one_post(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.<account slug> with target numbers: one POST, title first."""
    await setup_entry(hass, elibom_entry)
    assert hass.services.has_service("notify", LEGACY_SERVICE)

    await hass.services.async_call(
        "notify",
        LEGACY_SERVICE,
        {
            "message": "Su código es 123456",
            "title": "Tienda",
            "target": ["+57 300 111 2222", "3004445555"],
        },
        blocking=True,
    )
    await hass.async_block_till_done()

    (post,) = sms_posts(simulator)
    assert post.json == {
        "to": "573001112222,573004445555",
        "text": "Tienda\nSu código es 123456",
    }
    assert state_of(hass, PENDING) == "1"


async def test_the_classic_notify_service_without_target_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Without a number the classic service sends nothing."""
    await setup_entry(hass, elibom_entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify", LEGACY_SERVICE, {"message": "Su código es 123456"}, blocking=True
        )

    assert caught.value.translation_domain == DOMAIN
    assert caught.value.translation_key == "no_recipients"
    assert simulator.requests[before:] == []
