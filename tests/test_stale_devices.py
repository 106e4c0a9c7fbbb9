"""What an account no longer has leaves Home Assistant: entities, devices, and what users delete."""

from __future__ import annotations

from collections.abc import Generator
import inspect
import logging
from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.helpers import device_of, with_subentries
from tests.simulator import Simulator

ANA = "573001112222"
MAMA = "573001119999"


@pytest.fixture(autouse=True)
def quiet_websocket() -> Generator[None]:
    """Keep the WebSocket API's own log out of the log guard.

    It echoes every message (tokens) and logs a refused deletion as an error under
    its connection's id, which looks like a phone number; these tests read the
    answer the device page gets instead.
    """
    logger = logging.getLogger("homeassistant.components.websocket_api")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def _with_ana(aldeamo_entry: MockConfigEntry) -> MockConfigEntry:
    return with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={"name": "Ana", "channel": "whatsapp", "client_id": ANA},
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )


def _with_mama(elibom_entry: MockConfigEntry) -> MockConfigEntry:
    return with_subentries(
        elibom_entry,
        ConfigSubentryData(
            data={"name": "Mamá", "phone_number": MAMA},
            subentry_type="recipient",
            title="Mamá",
            unique_id=MAMA,
        ),
    )


async def _remove_device(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    entry: MockConfigEntry,
    device: dr.DeviceEntry,
) -> dict[str, Any]:
    """Delete a device from its entry as the device page's delete button does.

    Newer Home Assistant removes a device by its id alone (a device belongs to one
    entry there); older needs the entry too. The test client sends what each has.
    """
    assert await async_setup_component(hass, "config", {})
    client = await hass_ws_client(hass)
    if len(inspect.signature(client.remove_device).parameters) == 1:
        response: dict[str, Any] = await client.remove_device(device.id)
    else:
        response = await client.remove_device(device.id, entry.entry_id)
    return response


def _leftover_device(hass: HomeAssistant, entry: MockConfigEntry) -> dr.DeviceEntry:
    """Make a device of a contact the entry no longer has (an older version could)."""
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, f"{entry.entry_id}_01GONESUBENTRY00000000000")},
        name="Beto",
    )


async def test_a_deleted_contact_takes_its_device_and_notify_entity_along(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Deleting a contact in the UI leaves no device or entity behind."""
    entry = _with_ana(aldeamo_entry)
    await setup_entry(hass, entry)
    (subentry_id,) = entry.subentries
    device = device_of(hass, entry, f"{entry.entry_id}_{subentry_id}")
    entities = er.async_get(hass)
    notify = entities.async_get_entity_id(
        "notify", DOMAIN, f"{entry.entry_id}_{subentry_id}"
    )
    assert notify is not None

    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert dr.async_get(hass).async_get(device.id) is None
    assert entities.async_get(notify) is None
    assert hass.states.get(notify) is None


async def test_a_device_of_nothing_is_removed_when_the_entry_is_set_up(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """A device whose recipient is gone does not stay on the integration's page."""
    elibom_entry.add_to_hass(hass)
    leftover = _leftover_device(hass, elibom_entry)
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=elibom_entry.entry_id,
        identifiers={("another_integration", "a-phone")},
        name="Someone else's",
    )

    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()

    devices = dr.async_get(hass)
    assert devices.async_get(leftover.id) is None
    # A device this integration did not make is left alone.
    assert devices.async_get(other.id) is not None
    assert device_of(hass, elibom_entry, elibom_entry.entry_id)


async def test_the_user_may_delete_a_device_that_no_longer_stands_for_anything(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: Simulator,
    aldeamo_entry: MockConfigEntry,
) -> None:
    """The delete button works on a device whose contact is gone."""
    await setup_entry(hass, aldeamo_entry)
    leftover = _leftover_device(hass, aldeamo_entry)

    response = await _remove_device(hass, hass_ws_client, aldeamo_entry, leftover)

    assert response["success"]
    assert dr.async_get(hass).async_get(leftover.id) is None


async def test_the_account_device_and_a_live_contact_device_cannot_be_deleted(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: Simulator,
    aldeamo_entry: MockConfigEntry,
) -> None:
    """The account goes with its entry, a contact with its subentry: the device page refuses."""
    entry = _with_ana(aldeamo_entry)
    await setup_entry(hass, entry)
    (subentry_id,) = entry.subentries
    account = device_of(hass, entry, entry.entry_id)
    contact = device_of(hass, entry, f"{entry.entry_id}_{subentry_id}")

    for device in (account, contact):
        response = await _remove_device(hass, hass_ws_client, entry, device)

        assert not response["success"]
        assert dr.async_get(hass).async_get(device.id) is not None
    assert len(entry.subentries) == 1


async def test_a_live_recipient_device_cannot_be_deleted_either(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    simulator: Simulator,
    elibom_entry: MockConfigEntry,
) -> None:
    """The same rule for Elibom recipients."""
    entry = _with_mama(elibom_entry)
    await setup_entry(hass, entry)
    (subentry_id,) = entry.subentries
    recipient = device_of(hass, entry, f"{entry.entry_id}_{subentry_id}")

    response = await _remove_device(hass, hass_ws_client, entry, recipient)

    assert not response["success"]
    assert dr.async_get(hass).async_get(recipient.id) is not None
