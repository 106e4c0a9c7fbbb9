"""Elibom's inbound-SMS webhook through the entry's life: a 200 means the SMS is stored.

Elibom never sends a callback again once it heard 200, so the webhook answers for
as long as the entry exists (starting, loading, waiting to retry, reloading),
stores what it gets before it answers, and the entry fires it once it is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
import logging
from typing import Any

from homeassistant.components import automation, webhook
from homeassistant.config_entries import ConfigEntryDisabler, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
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
from custom_components.latam_messaging.elibom.webhook import INBOXES
from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import listen
from tests.simulator import Simulator
from tests.simulator.faults import FaultKind

ANA = "573001112222"
URL = f"/api/latam_messaging/elibom/{WEBHOOK_ID}"
HA_WEBHOOK_URL = f"/api/webhook/{WEBHOOK_ID}"
"""The address of older set-ups, still answered once the integration is loaded."""
SLOW = 0.3
"""Seconds each simulator answer takes while a test holds the entry in its set-up."""


def _sms(text: str, date: str = "24-11-2026-10-15-00") -> dict[str, str]:
    return {"from": ANA, "text": text, "date": date}


def _stored(hass_storage: dict[str, Any], text: str) -> int:
    """How many times `text` is stored whole in the integration's storage, as a crash leaves it."""
    return sum(
        json.dumps(value, ensure_ascii=False).count(
            json.dumps(text, ensure_ascii=False)
        )
        for key, value in hass_storage.items()
        if key.startswith(DOMAIN)
    )


async def _until(condition: Callable[[], bool]) -> None:
    """Let the loop run until `condition` holds (a set-up reaching a given state)."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


async def _automation_counting(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Set up an automation on message_received; return what it saw."""
    await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "trigger": {"platform": "event", "event_type": EVENT_MESSAGE_RECEIVED},
                "action": {
                    "event": "seen_by_automation",
                    "event_data": {"text": "{{ trigger.event.data.message }}"},
                },
            }
        },
    )
    return listen(hass, "seen_by_automation")


async def _started(hass: HomeAssistant) -> None:
    """Finish starting Home Assistant, as its own start does on every version."""
    # Newer Home Assistant runs async_at_started jobs from its start, not the event.
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()


async def _client_before_set_up(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> Any:
    """Return an HTTP client made before the entry's platforms are set up.

    What registers views later (the notify platform needs repairs) is set up first.
    """
    assert await async_setup_component(hass, "repairs", {})
    return await hass_client_no_auth()


def _loading(entry: MockConfigEntry) -> Callable[[], bool]:
    return lambda: entry.state is ConfigEntryState.SETUP_IN_PROGRESS


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
    await _until(_loading(elibom_entry))

    response = await client.get(URL, params=_sms("Llegué al local"))
    assert response.status == 200
    assert _stored(hass_storage, "Llegué al local") == 1
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
    client = await _client_before_set_up(hass, hass_client_no_auth)

    response = await client.get(URL, params=_sms("¿Abren hoy?"))
    assert response.status == 200
    assert _stored(hass_storage, "¿Abren hoy?") == 1
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
    seen = await _automation_counting(hass)
    simulator.latency = SLOW
    elibom_entry.add_to_hass(hass)
    setup = hass.async_create_task(
        hass.config_entries.async_setup(elibom_entry.entry_id)
    )
    await _until(_loading(elibom_entry))
    client = await _client_before_set_up(hass, hass_client_no_auth)

    response = await client.get(URL, params=_sms("Voy en camino"))
    assert response.status == 200
    assert _stored(hass_storage, "Voy en camino") == 1

    assert await setup
    simulator.latency = 0
    await hass.async_block_till_done()
    # Loaded and stored, fired only once automations listen.
    response = await client.get(URL, params=_sms("Ya casi", "24-11-2026-10-16-00"))
    assert response.status == 200
    assert _stored(hass_storage, "Ya casi") == 1
    await hass.async_block_till_done()
    assert seen == []
    await _started(hass)

    assert [s["text"] for s in seen] == ["Voy en camino", "Ya casi"]


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
    seen = await _automation_counting(hass)
    assert await async_setup_component(hass, webhook.DOMAIN, {})
    client = await _client_before_set_up(hass, hass_client_no_auth)
    elibom_entry.add_to_hass(hass)

    early = await client.get(URL, params=_sms("Llegó la alarma"))
    assert early.status == 404
    # What the older address answers in the same moment: a 200 that stored nothing.
    assert (await client.get(HA_WEBHOOK_URL, params=_sms("Perdido"))).status == 200
    assert _stored(hass_storage, "Llegó la alarma") == 0

    assert await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    again = await client.get(URL, params=_sms("Llegó la alarma"))
    assert again.status == 200
    assert _stored(hass_storage, "Llegó la alarma") == 1
    await _started(hass)

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

    first = await client.get(HA_WEBHOOK_URL, params=_sms("Hola"))
    repeat = await client.get(URL, params=_sms("Hola"))  # the same SMS, either address
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
        "/api/latam_messaging/elibom/no-such-id", params=_sms("Hola")
    )
    assert await hass.config_entries.async_remove(elibom_entry.entry_id)
    removed = await client.post(URL, params=_sms("Hola"))
    await hass.async_block_till_done()

    assert (unknown.status, removed.status) == (404, 404)
    assert events == []


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
    await _until(_loading(elibom_entry))
    texts = [f"Pedido {n}" for n in range(25)]

    async def send(text: str) -> int:
        return (await client.get(URL, params=_sms(text))).status

    answers = await asyncio.gather(*(send(text) for text in texts * 2))
    assert answers == [200] * 50
    assert {text: _stored(hass_storage, text) for text in texts} == dict.fromkeys(
        texts, 1
    )
    assert elibom_entry.state is ConfigEntryState.SETUP_IN_PROGRESS

    assert await reload
    simulator.latency = 0
    await hass.async_block_till_done()
    assert sorted(e["message"] for e in events) == sorted(texts)


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
        return (await client.get(URL, params=_sms(text))).status

    answers = await asyncio.gather(*(send(text) for text in texts))
    await hass.async_block_till_done()

    assert answers == [200] * 50
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
        return (await client.get(URL, params=_sms(text))).status

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
    assert (await client.get(URL, params=_sms("SI"))).status == 200
    simulator.latency = SLOW
    reload = hass.async_create_task(
        hass.config_entries.async_reload(elibom_entry.entry_id)
    )
    await _until(_loading(elibom_entry))
    assert (await client.get(URL, params=_sms("SI"))).status == 200
    assert (await client.get(URL, params=_sms("NO"))).status == 200
    assert (await client.get(URL, params=_sms("NO"))).status == 200
    assert await reload
    simulator.latency = 0
    await hass.async_block_till_done()
    assert (await client.get(URL, params=_sms("NO"))).status == 200
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
        (await client.get(URL, params=_sms(f"Hola {n}"))).status for n in range(10)
    ]
    await removal
    await hass.async_block_till_done()
    late = (await client.get(URL, params=_sms("Tarde"))).status

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
        return (await client.get(URL, params=_sms(f"Adiós {n}"))).status

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
    assert (await client.get(URL, params=_sms("Nadie escucha"))).status == 404
    assert _stored(hass_storage, "Nadie escucha") == 0

    await hass.config_entries.async_set_disabled_by(elibom_entry.entry_id, None)
    await hass.async_block_till_done()
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert (await client.get(URL, params=_sms("De vuelta"))).status == 200
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

    response = await client.get(URL, params=_sms("Apagando"))
    assert response.status == 503
    assert _stored(hass_storage, "Apagando") == 0

    hass.set_state(CoreState.running)  # it did not stop after all; Elibom retries
    assert (await client.get(URL, params=_sms("Apagando"))).status == 200
    await hass.async_block_till_done()
    assert [e["message"] for e in events] == ["Apagando"]


def _inbox(
    entry: MockConfigEntry, data: dict[str, Any], version: int = 1
) -> tuple[str, dict[str, Any]]:
    """Return the key and contents of the entry's inbox: SMS answered, not handed over."""
    key = f"{DOMAIN}.{entry.entry_id}.inbox"
    return key, {"version": version, "minor_version": 1, "key": key, "data": data}


def _waiting(text: str, message_id: str = "0123456789abcdef0123") -> dict[str, str]:
    return {
        "sender": ANA,
        "text": text,
        "message_id": message_id,
        "when": "2026-11-24T10:15:00-05:00",
    }


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
    key, stored = _inbox(
        elibom_entry,
        {"pending": [_waiting("Antes de apagar"), {"sender": ANA, "text": "roto"}]},
    )
    hass_storage[key] = stored
    hass.set_state(CoreState.not_running)
    seen = await _automation_counting(hass)

    await setup_entry(hass, elibom_entry)
    assert seen == []
    await _started(hass)

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
    await client.get(URL, params=_sms("Una vez"))
    await hass.async_block_till_done()
    (event,) = events
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    key, stored = _inbox(
        elibom_entry, {"pending": [_waiting("Una vez", event["message_id"])]}
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
    key, stored = _inbox(elibom_entry, {"pending": []}, version=9)
    hass_storage[key] = stored
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    assert (await client.get(URL, params=_sms("Nuevo"))).status == 200
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == ["Nuevo"]
    (warning,) = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith(LOGGER.name) and r.levelno == logging.WARNING
    ]
    assert "could not be read" in warning
    assert "starting afresh" in warning


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
    key, stored = _inbox(elibom_entry, {"pending": [_waiting("Olvidado")]})
    hass_storage[key] = stored
    assert await async_setup_component(hass, DOMAIN, {})
    assert WEBHOOK_ID not in hass.data.get("webhook", {})

    await hass.config_entries.async_remove(elibom_entry.entry_id)
    await hass.async_block_till_done()

    assert key not in hass_storage
