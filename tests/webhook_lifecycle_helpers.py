"""What the tests/test_webhook_lifecycle_*.py files share: the webhook's address, an SMS, the storage.

The tests are in test_webhook_lifecycle_entry.py (the entry's life: reload, retry,
start-up, disabling, removal, stopping) and test_webhook_lifecycle_address_and_inbox.py
(the address, fifty callbacks at once, the inbox across a stop or a crash).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
import json
from typing import Any

from homeassistant.components import automation
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.const import WEBHOOK_ID
from tests.helpers import listen

ANA = "573001112222"
URL = f"/api/latam_messaging/elibom/{WEBHOOK_ID}"
HA_WEBHOOK_URL = f"/api/webhook/{WEBHOOK_ID}"
"""The address of older set-ups, still answered once the integration is loaded."""
SLOW = 0.3
"""Seconds each simulator answer takes while a test holds the entry in its set-up."""


def sms(text: str, date: str = "24-11-2026-10-15-00") -> dict[str, str]:
    """Return Elibom's callback for an SMS from Ana."""
    return {"from": ANA, "text": text, "date": date}


def times_stored(hass_storage: dict[str, Any], text: str) -> int:
    """How many times `text` is stored whole in the integration's storage, as a crash leaves it."""
    return sum(
        json.dumps(value, ensure_ascii=False).count(
            json.dumps(text, ensure_ascii=False)
        )
        for key, value in hass_storage.items()
        if key.startswith(DOMAIN)
    )


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until `condition` holds (a set-up reaching a given state)."""
    async with asyncio.timeout(5):
        while not condition():
            await asyncio.sleep(0.01)


async def automation_counting(hass: HomeAssistant) -> list[dict[str, Any]]:
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


async def started(hass: HomeAssistant) -> None:
    """Finish starting Home Assistant, as its own start does on every version."""
    # Newer Home Assistant runs async_at_started jobs from its start, not the event.
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()


async def client_before_set_up(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> Any:
    """Return an HTTP client made before the entry's platforms are set up.

    What registers views later (the notify platform needs repairs) is set up first.
    """
    assert await async_setup_component(hass, "repairs", {})
    return await hass_client_no_auth()


def loading(entry: MockConfigEntry) -> Callable[[], bool]:
    """Return a condition: `entry` is in its set-up."""
    return lambda: entry.state is ConfigEntryState.SETUP_IN_PROGRESS


def inbox(
    entry: MockConfigEntry, data: dict[str, Any], version: int = 1
) -> tuple[str, dict[str, Any]]:
    """Return the key and contents of the entry's inbox: SMS answered, not handed over."""
    key = f"{DOMAIN}.{entry.entry_id}.inbox"
    return key, {"version": version, "minor_version": 1, "key": key, "data": data}


def waiting(text: str, message_id: str = "0123456789abcdef0123") -> dict[str, str]:
    """Return an SMS from Ana as the inbox keeps it."""
    return {
        "sender": ANA,
        "text": text,
        "message_id": message_id,
        "when": "2026-11-24T10:15:00-05:00",
    }
