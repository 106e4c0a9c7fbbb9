"""What is stored survives, a damaged store never stops the integration, removal cleans up."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    CONF_LOW_CREDIT_THRESHOLD,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
)
from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import listen
from tests.simulator import Simulator

ELIBOM_KEY = f"{DOMAIN}.01ELIBOMENTRY0000000000000"
ALDEAMO_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"
GOOD_DELIVERY = {
    "token": "1857000000000000007",
    "status": "running",
    "num_sent": 0,
    "num_failed": 0,
    "sent_at": "2099-01-01T00:00:00+00:00",
    "recipients": 1,
}


def _stored(key: str, data: Any, version: int = 1) -> dict[str, Any]:
    return {"version": version, "minor_version": 1, "key": key, "data": data}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(["not", "an", "object"], id="a-list"),
        pytest.param(
            {"deliveries": "nope", "schedules": 5, "leaving": None}, id="wrong-types"
        ),
        pytest.param(
            {"deliveries": [{"token": "1"}], "schedules": [{"x": 1}]}, id="half-items"
        ),
    ],
)
async def test_an_unreadable_elibom_store_starts_empty_and_says_so_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: Any,
) -> None:
    """The account loads; one warning names the store; nothing is followed."""
    hass_storage[ELIBOM_KEY] = _stored(ELIBOM_KEY, data)

    await setup_entry(hass, elibom_entry)

    assert elibom_entry.state is ConfigEntryState.LOADED
    warnings = [
        r
        for r in caplog.records
        if "could not be read" in r.getMessage()
        or "partly unreadable" in r.getMessage()
    ]
    assert len(warnings) == 1
    assert ELIBOM_KEY in warnings[0].getMessage()
    state = hass.states.get("sensor.tienda_dona_perez_unconfirmed_sms")
    assert state is not None
    assert state.state == "0"


async def test_a_partly_damaged_store_keeps_every_readable_delivery(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Good records are kept; bad ones are dropped and counted in one warning."""
    hass_storage[ELIBOM_KEY] = _stored(
        ELIBOM_KEY,
        {
            "deliveries": [GOOD_DELIVERY, {"token": "2", "sent_at": "yesterday"}, 17],
            "schedules": [{"id": "9", "scheduled_time": None, "text": "x"}],
            "leaving": ["8"],
        },
    )

    await setup_entry(hass, elibom_entry)

    # The readable delivery and the schedule waiting for its check are followed.
    assert simulator.requests_to("elibom", "GET", "/messages/1857000000000000007")
    assert simulator.requests_to("elibom", "GET", "/schedules/8")
    (warning,) = [r for r in caplog.records if "partly unreadable" in r.getMessage()]
    assert "dropped 2 item(s)" in warning.getMessage()


async def test_a_store_from_a_newer_version_is_not_trusted(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A downgrade starts afresh, saying why, instead of misreading the data."""
    hass_storage[ELIBOM_KEY] = _stored(
        ELIBOM_KEY, {"deliveries": [GOOD_DELIVERY]}, version=2
    )

    await setup_entry(hass, elibom_entry)

    assert elibom_entry.state is ConfigEntryState.LOADED
    assert any(
        "could not be read" in r.getMessage() and "newer" in r.getMessage()
        for r in caplog.records
    )
    state = hass.states.get("sensor.tienda_dona_perez_unconfirmed_sms")
    assert state is not None
    assert state.state == "0"


async def test_an_unreadable_aldeamo_store_sets_cursors_again_without_replaying(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Lost cursors are set again from the current state; no history is replayed."""
    simulator.advance(-60)  # written a minute before Home Assistant started
    simulator.aldeamo.write("whatsapp", "573001112222", "mensaje viejo")
    simulator.advance(60)
    hass_storage[ALDEAMO_KEY] = _stored(ALDEAMO_KEY, {"cursors": ["broken"]})
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    await setup_entry(hass, aldeamo_entry)
    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", "573001112222", "mensaje nuevo")
    await poll(hass, 31)

    assert [e["message"] for e in events] == ["mensaje nuevo"]


async def test_removing_an_account_deletes_its_stored_data_and_issue(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Nothing of a removed account stays behind: store, repair issue, webhook."""
    elibom_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        elibom_entry, options={CONF_LOW_CREDIT_THRESHOLD: 1000.0}
    )
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "573001112222",
            "message": "x",
        },
        blocking=True,
    )
    assert ELIBOM_KEY in hass_storage
    issue_id = f"low_credit_{elibom_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    assert await hass.config_entries.async_remove(elibom_entry.entry_id)
    await hass.async_block_till_done()

    assert ELIBOM_KEY not in hass_storage
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert not hass.services.has_service("notify", "tienda_dona_perez")
    assert WEBHOOK_ID not in hass.data.get("webhook", {})


async def test_unload_leaves_no_service_listener_or_timer_behind(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """After unloading, the classic services are gone and the actions refuse politely."""
    await setup_entry(hass, elibom_entry)
    await setup_entry(hass, aldeamo_entry)
    listeners_loaded = sum(hass.bus.async_listeners().values())

    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()

    assert not hass.services.has_service("notify", "tienda_dona_perez")
    assert not hass.services.has_service("notify", "aldeamo_bots")
    assert sum(hass.bus.async_listeners().values()) < listeners_loaded
    for entity_id in (
        "sensor.tienda_dona_perez_credits",
        "event.aldeamo_bots_whatsapp_messages",
    ):
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == "unavailable"
    # The harness's lingering timer and task checks run when this test ends.


async def test_reloading_twice_keeps_one_classic_service_and_one_poll(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Reloads do not stack services, webhooks or polls."""
    await setup_entry(hass, elibom_entry)
    for _ in range(2):
        assert await hass.config_entries.async_reload(elibom_entry.entry_id)
        await hass.async_block_till_done()
    simulator.requests.clear()

    await poll(hass)

    assert hass.services.has_service("notify", "tienda_dona_perez")
    assert not hass.services.has_service("notify", "tienda_dona_perez_2")
    assert [r.path for r in simulator.requests_to("elibom")].count("/account") == 1


async def test_two_aldeamo_bots_get_distinct_classic_services(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Both bots are titled alike; the second service gets a suffix, not a clash."""
    second = MockConfigEntry(
        domain=DOMAIN,
        title=aldeamo_entry.title,
        unique_id="another-bot",
        data=dict(aldeamo_entry.data),
    )
    await setup_entry(hass, aldeamo_entry)
    await setup_entry(hass, second)

    assert hass.services.has_service("notify", "aldeamo_bots")
    assert hass.services.has_service("notify", "aldeamo_bots_2")

    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    assert not hass.services.has_service("notify", "aldeamo_bots")
    assert hass.services.has_service("notify", "aldeamo_bots_2")


async def test_a_final_delivery_is_forgotten_by_the_store(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Storage only holds what is still followed: it does not grow without end."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_DELIVERY_STATUS)
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": "573001112222",
            "message": "x",
        },
        blocking=True,
    )
    simulator.advance(60)
    await poll(hass)
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)

    assert [e["status"] for e in events] == ["finished"]
    assert hass_storage[ELIBOM_KEY]["data"]["deliveries"] == []
