"""Setting an account up, unloading it and setting it up again, for each provider."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.helpers import assert_translated, notify_entity_of, state_of
from tests.simulator import Simulator
from tests.simulator.faults import FaultKind

SEND = {
    "elibom": ("send_sms", {"to": "3001112222", "message": "Hola"}),
    "aldeamo": (
        "send_bot_message",
        {"channel": "whatsapp", "client_id": "573004445555", "message": "Hola"},
    ),
}
"""An action that sends through the account, per provider."""


@pytest.mark.parametrize("provider", ["elibom", "aldeamo"])
async def test_an_unloaded_account_says_so_and_comes_back_when_set_up_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    provider: str,
) -> None:
    """Unloaded: entities unavailable, sends refused by name; set up: all back."""
    entry = init_integration
    assert entry.state is ConfigEntryState.LOADED
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert entities
    classic = entry.data["notify_service"]
    assert hass.services.has_service("notify", classic)
    action, fields = SEND[provider]
    sent = len(simulator.requests)

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.NOT_LOADED
    for entity in entities:
        if entity.disabled_by is None:
            assert state_of(hass, entity.entity_id) == STATE_UNAVAILABLE
    assert not hass.services.has_service("notify", classic)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            action,
            {"config_entry_id": entry.entry_id, **fields},
            blocking=True,
        )
    assert_translated(err.value, "entry_not_loaded")
    assert len(simulator.requests) == sent

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert state_of(hass, notify_entity_of(hass, entry)) != STATE_UNAVAILABLE
    assert hass.services.has_service("notify", classic)
    await hass.services.async_call(
        DOMAIN, action, {"config_entry_id": entry.entry_id, **fields}, blocking=True
    )
    assert len(simulator.requests_to(provider, "POST", "/messages")) == 1


async def test_an_account_that_cannot_come_back_after_a_reload_reads_unavailable(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The reload hides nothing: set-up failed and waits to retry, so say it is down."""
    await setup_entry(hass, elibom_entry)
    entities = er.async_entries_for_config_entry(
        er.async_get(hass), elibom_entry.entry_id
    )
    simulator.fail_next(FaultKind.STATUS, count=5, status=500, method="GET")

    await hass.config_entries.async_reload(elibom_entry.entry_id)
    await hass.async_block_till_done()

    assert elibom_entry.state is ConfigEntryState.SETUP_RETRY
    shown = [entity for entity in entities if entity.disabled_by is None]
    assert shown
    for entity in shown:
        assert state_of(hass, entity.entity_id) == STATE_UNAVAILABLE
