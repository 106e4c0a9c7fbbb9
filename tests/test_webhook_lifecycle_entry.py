"""Elibom's inbound-SMS webhook through the entry's life: a 200 means the SMS is stored.

Elibom never sends a callback again once it heard 200, so the webhook answers for
as long as the entry exists (starting, loading, waiting to retry, reloading),
stores what it gets before it answers, and the entry fires it once it is ready;
disabled, removed or stopping, it lets Elibom keep or retry the SMS. Its address
and its inbox across a crash are in test_webhook_lifecycle_address_and_inbox.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import (
    DOMAIN,
    EVENT_MESSAGE_RECEIVED,
    LOGGER,
)
from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import listen
from tests.simulator import Simulator
from tests.simulator.faults import FaultKind
from tests.webhook_lifecycle_helpers import (
    SLOW,
    URL,
    automation_counting,
    client_before_set_up,
    inbox,
    loading,
    sms,
    started,
    times_stored,
    until,
    waiting,
)


async def test_an_sms_during_a_reload_is_stored_before_the_200_and_fired_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Between unload and set-up the webhook still answers, and only once it stored."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    simulator.latency = SLOW
    reload = hass.async_create_task(
        hass.config_entries.async_reload(elibom_entry.entry_id)
    )
    await until(loading(elibom_entry))

    response = await client.get(URL, params=sms("Llegué al local"))
    assert response.status == 200
    assert times_stored(hass_storage, "Llegué al local") == 1
    assert elibom_entry.state is ConfigEntryState.SETUP_IN_PROGRESS
    assert events == []

    assert await reload
    simulator.latency = 0
    await hass.async_block_till_done()
    assert [e["message"] for e in events] == ["Llegué al local"]
    await poll(hass)
    assert len(events) == 1


async def test_an_sms_while_set_up_waits_to_retry_fires_once_the_provider_is_back(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Elibom's API unreachable at set-up: the SMS still waits on disk for the entry."""
    simulator.fail_next(FaultKind.STATUS, status=503, method="GET", path="/account")
    await setup_entry(hass, elibom_entry)
    assert elibom_entry.state is ConfigEntryState.SETUP_RETRY
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await client_before_set_up(hass, hass_client_no_auth)

    response = await client.get(URL, params=sms("¿Abren hoy?"))
    assert response.status == 200
    assert times_stored(hass_storage, "¿Abren hoy?") == 1
    assert events == []

    await poll(hass)  # Home Assistant's own retry
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert [e["message"] for e in events] == ["¿Abren hoy?"]
    await hass.config_entries.async_reload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    assert len(events) == 1


async def test_an_sms_while_home_assistant_starts_is_on_disk_at_the_200_and_reaches_an_automation(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """The entry still loading while Home Assistant starts: stored first, fired once started."""
    hass.set_state(CoreState.not_running)
    seen = await automation_counting(hass)
    simulator.latency = SLOW
    elibom_entry.add_to_hass(hass)
    setup = hass.async_create_task(
        hass.config_entries.async_setup(elibom_entry.entry_id)
    )
    await until(loading(elibom_entry))
    client = await client_before_set_up(hass, hass_client_no_auth)

    response = await client.get(URL, params=sms("Voy en camino"))
    assert response.status == 200
    assert times_stored(hass_storage, "Voy en camino") == 1

    assert await setup
    simulator.latency = 0
    await hass.async_block_till_done()
    # Loaded and stored, fired only once automations listen.
    response = await client.get(URL, params=sms("Ya casi", "24-11-2026-10-16-00"))
    assert response.status == 200
    assert times_stored(hass_storage, "Ya casi") == 1
    await hass.async_block_till_done()
    assert seen == []
    await started(hass)

    assert [s["text"] for s in seen] == ["Voy en camino", "Ya casi"]


async def test_fifty_callbacks_at_once_during_a_reload_each_fire_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Fifty SMS in flight while the entry reloads, each repeated: fifty events."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    simulator.latency = SLOW
    reload = hass.async_create_task(
        hass.config_entries.async_reload(elibom_entry.entry_id)
    )
    await until(loading(elibom_entry))
    texts = [f"Pedido {n}" for n in range(25)]

    async def send(text: str) -> int:
        return (await client.get(URL, params=sms(text))).status

    answers = await asyncio.gather(*(send(text) for text in texts * 2))
    assert answers == [200] * 50
    assert {text: times_stored(hass_storage, text) for text in texts} == dict.fromkeys(
        texts, 1
    )
    assert elibom_entry.state is ConfigEntryState.SETUP_IN_PROGRESS

    assert await reload
    simulator.latency = 0
    await hass.async_block_till_done()
    assert sorted(e["message"] for e in events) == sorted(texts)


async def test_callbacks_in_flight_when_a_reload_starts_each_fire_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Some land with the old coordinator, some in the inbox, the rest with the new one."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    texts = [f"Turno {n}" for n in range(40)]

    async def send(text: str) -> int:
        return (await client.get(URL, params=sms(text))).status

    async def reload() -> bool:
        await asyncio.sleep(0)
        return await hass.config_entries.async_reload(elibom_entry.entry_id)

    *answers, reloaded = await asyncio.gather(*(send(t) for t in texts), reload())
    await hass.async_block_till_done()

    assert reloaded is True
    assert answers == [200] * 40
    assert sorted(e["message"] for e in events) == sorted(texts)


async def test_a_callback_repeated_across_a_reload_is_one_event(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Elibom repeating a callback: before, during and after a reload, still one SMS."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    assert (await client.get(URL, params=sms("SI"))).status == 200
    simulator.latency = SLOW
    reload = hass.async_create_task(
        hass.config_entries.async_reload(elibom_entry.entry_id)
    )
    await until(loading(elibom_entry))
    assert (await client.get(URL, params=sms("SI"))).status == 200
    assert (await client.get(URL, params=sms("NO"))).status == 200
    assert (await client.get(URL, params=sms("NO"))).status == 200
    assert await reload
    simulator.latency = 0
    await hass.async_block_till_done()
    assert (await client.get(URL, params=sms("NO"))).status == 200
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == ["SI", "NO"]


async def test_callbacks_while_the_entry_is_removed_raise_nothing_and_leave_nothing(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A removed account may let an SMS go, but nothing is logged as an error or kept."""
    await setup_entry(hass, elibom_entry)
    client = await hass_client_no_auth()
    removal = hass.async_create_task(
        hass.config_entries.async_remove(elibom_entry.entry_id)
    )
    answers = [
        (await client.get(URL, params=sms(f"Hola {n}"))).status for n in range(10)
    ]
    await removal
    await hass.async_block_till_done()
    late = (await client.get(URL, params=sms("Tarde"))).status

    # While it goes, 200 lets an SMS go; once gone, its address is no more (404).
    assert set(answers) <= {200, 404}
    assert late == 404
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [
        r
        for r in caplog.records
        if r.name.startswith(LOGGER.name) and r.levelno >= logging.WARNING
    ] == []
    assert not [key for key in hass_storage if key.startswith(DOMAIN)]
    assert WEBHOOK_ID not in hass.data.get("webhook", {})


async def test_callbacks_racing_a_removal_are_answered_and_leave_no_file_behind(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Twenty callbacks at once with the removal: none re-creates a deleted store."""
    await setup_entry(hass, elibom_entry)
    client = await hass_client_no_auth()

    async def send(n: int) -> int:
        return (await client.get(URL, params=sms(f"Adiós {n}"))).status

    async def remove() -> None:
        await asyncio.sleep(0)
        await hass.config_entries.async_remove(elibom_entry.entry_id)

    *answers, _ = await asyncio.gather(*(send(n) for n in range(20)), remove())
    await hass.async_block_till_done()

    assert set(answers) <= {200, 404}  # let go, or no such address any more
    assert not [key for key in hass_storage if key.startswith(DOMAIN)]


async def test_a_disabled_entry_lets_callbacks_go_and_listens_again_once_enabled(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Disabled: the address is unknown (Elibom keeps the SMS); enabled: SMS fire again."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    await hass.config_entries.async_set_disabled_by(
        elibom_entry.entry_id, ConfigEntryDisabler.USER
    )
    await hass.async_block_till_done()
    assert WEBHOOK_ID not in hass.data.get("webhook", {})
    assert (await client.get(URL, params=sms("Nadie escucha"))).status == 404
    assert times_stored(hass_storage, "Nadie escucha") == 0

    await hass.config_entries.async_set_disabled_by(elibom_entry.entry_id, None)
    await hass.async_block_till_done()
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert (await client.get(URL, params=sms("De vuelta"))).status == 200
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == ["De vuelta"]


async def test_while_home_assistant_stops_a_callback_is_refused_for_elibom_to_retry(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Stopping, Home Assistant itself answers 503 (it writes only at its final write)."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    hass.set_state(CoreState.stopping)

    response = await client.get(URL, params=sms("Apagando"))
    assert response.status == 503
    assert times_stored(hass_storage, "Apagando") == 0

    hass.set_state(CoreState.running)  # it did not stop after all; Elibom retries
    assert (await client.get(URL, params=sms("Apagando"))).status == 200
    await hass.async_block_till_done()
    assert [e["message"] for e in events] == ["Apagando"]


async def test_removing_a_disabled_entry_deletes_what_waited_in_its_inbox(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Disabled, its webhook is gone but its inbox stays on disk; removed, it goes."""
    elibom_entry.add_to_hass(hass)
    await hass.config_entries.async_set_disabled_by(
        elibom_entry.entry_id, ConfigEntryDisabler.USER
    )
    key, stored = inbox(elibom_entry, {"pending": [waiting("Olvidado")]})
    hass_storage[key] = stored
    assert await async_setup_component(hass, DOMAIN, {})
    assert WEBHOOK_ID not in hass.data.get("webhook", {})

    await hass.config_entries.async_remove(elibom_entry.entry_id)
    await hass.async_block_till_done()

    assert key not in hass_storage
