"""Elibom's inbound-SMS webhook: its address, and its inbox across a stop or a crash.

The address given to Elibom exists only while the integration is loaded (the older
one still answers), fifty callbacks at once each fire once, and what the inbox kept
on disk fires once after a restart, never twice after a crash. The entry's own
life (reload, retry, start-up, removal) is in test_webhook_lifecycle_entry.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.components import webhook
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import EVENT_MESSAGE_RECEIVED, LOGGER
from custom_components.latam_messaging.elibom.webhook import INBOXES
from tests.conftest import setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import listen
from tests.simulator import Simulator
from tests.webhook_lifecycle_helpers import (
    ANA,
    HA_WEBHOOK_URL,
    URL,
    automation_counting,
    client_before_set_up,
    inbox,
    sms,
    started,
    times_stored,
    waiting,
)


async def test_before_the_integration_loads_its_address_is_unknown_so_elibom_calls_again(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Home Assistant's HTTP server is up before integrations load (found by the soak).

    Its webhook component answers 200 to an id it does not know yet, and Elibom
    never calls again after a 200: an SMS in that window was lost. The address
    given to Elibom is the integration's own, which does not exist until it is
    loaded (404), so Elibom's next call is the one stored and fired.
    """
    hass.set_state(CoreState.not_running)
    seen = await automation_counting(hass)
    assert await async_setup_component(hass, webhook.DOMAIN, {})
    client = await client_before_set_up(hass, hass_client_no_auth)
    elibom_entry.add_to_hass(hass)

    early = await client.get(URL, params=sms("Llegó la alarma"))
    assert early.status == 404
    # What the older address answers in the same moment: a 200 that stored nothing.
    assert (await client.get(HA_WEBHOOK_URL, params=sms("Perdido"))).status == 200
    assert times_stored(hass_storage, "Llegó la alarma") == 0

    assert await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    again = await client.get(URL, params=sms("Llegó la alarma"))
    assert again.status == 200
    assert times_stored(hass_storage, "Llegó la alarma") == 1
    await started(hass)

    assert [s["text"] for s in seen] == ["Llegó la alarma"]


async def test_the_older_webhook_address_still_takes_sms_once_loaded(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Accounts set up before the integration's own address keep working as they were."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    first = await client.get(HA_WEBHOOK_URL, params=sms("Hola"))
    repeat = await client.get(URL, params=sms("Hola"))  # the same SMS, either address
    await hass.async_block_till_done()

    assert (first.status, repeat.status) == (200, 200)
    assert [e["message"] for e in events] == ["Hola"]


async def test_an_address_of_no_account_is_unknown(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """An id that is no account's, or a removed account's, is not found."""
    await setup_entry(hass, elibom_entry)
    client = await hass_client_no_auth()
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    unknown = await client.get(
        "/api/latam_messaging/elibom/no-such-id", params=sms("Hola")
    )
    assert await hass.config_entries.async_remove(elibom_entry.entry_id)
    removed = await client.post(URL, params=sms("Hola"))
    await hass.async_block_till_done()

    assert (unknown.status, removed.status) == (404, 404)
    assert events == []


async def test_fifty_callbacks_at_once_while_loaded_each_fire_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The usual path under load: fifty different SMS, fifty events, in no lost order."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    texts = [f"Mensaje {n}" for n in range(50)]

    async def send(text: str) -> int:
        return (await client.get(URL, params=sms(text))).status

    answers = await asyncio.gather(*(send(text) for text in texts))
    await hass.async_block_till_done()

    assert answers == [200] * 50
    assert sorted(e["message"] for e in events) == sorted(texts)


async def test_what_waited_in_the_inbox_at_a_stop_fires_once_after_the_restart(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Answered 200 while loading, then Home Assistant stopped: the next start fires it.

    What cannot be read is dropped with one warning; the rest still comes.
    """
    key, stored = inbox(
        elibom_entry,
        {"pending": [waiting("Antes de apagar"), {"sender": ANA, "text": "roto"}]},
    )
    hass_storage[key] = stored
    hass.set_state(CoreState.not_running)
    seen = await automation_counting(hass)

    await setup_entry(hass, elibom_entry)
    assert seen == []
    await started(hass)

    assert [s["text"] for s in seen] == ["Antes de apagar"]
    assert hass_storage[key]["data"] == {"pending": []}
    (warning,) = [
        r
        for r in caplog.records
        if r.name.startswith(LOGGER.name) and r.levelno == logging.WARNING
    ]
    assert "Dropped 1 unreadable inbound SMS" in warning.getMessage()


async def test_a_crash_between_handing_over_and_emptying_the_inbox_fires_nothing_twice(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """The coordinator stored the SMS, the inbox still lists it: handed again, known."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    await client.get(URL, params=sms("Una vez"))
    await hass.async_block_till_done()
    (event,) = events
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    key, stored = inbox(
        elibom_entry, {"pending": [waiting("Una vez", event["message_id"])]}
    )
    hass_storage[key] = stored
    # The restart: nothing of the inbox left in memory, only what is on disk.
    hass.data[INBOXES].clear()
    webhook.async_unregister(hass, WEBHOOK_ID)
    assert await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()

    assert len(events) == 1
    assert hass_storage[key]["data"] == {"pending": []}


async def test_an_inbox_from_a_newer_version_is_set_aside_with_one_warning(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A downgrade: the inbox cannot be read, the webhook still takes new SMS."""
    key, stored = inbox(elibom_entry, {"pending": []}, version=9)
    hass_storage[key] = stored
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    assert (await client.get(URL, params=sms("Nuevo"))).status == 200
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == ["Nuevo"]
    (warning,) = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(LOGGER.name) and r.levelno == logging.WARNING
    ]
    assert "could not be read" in warning
    assert "starting afresh" in warning
