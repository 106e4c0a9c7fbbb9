"""Crashes in a row: an event repeats at most once (found by scripts/soak, seed 2).

`scripts/soak --kills 30 --seed 2` killed Home Assistant twice, 5 s apart, each time
within the 2 s that the store waits before writing what the poll fired: four bot
messages fired three times. spec.md: "after kill -9 at any moment, nothing is lost
and an event repeats at most once".
"""

from __future__ import annotations

import copy
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import ANA
from tests.conftest import poll, setup_entry
from tests.helpers import listen
from tests.simulator import Simulator

STORE_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"


async def _crash_and_start(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> None:
    """Start again from what was on disk at this moment (no flush: a kill -9)."""
    on_disk = copy.deepcopy(hass_storage.get(STORE_KEY))
    assert await hass.config_entries.async_unload(entry.entry_id)
    if on_disk is None:
        hass_storage.pop(STORE_KEY, None)
    else:
        hass_storage[STORE_KEY] = on_disk
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_message_fires_at_most_twice_across_two_crashes_in_a_row(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Each start fired it again: what a start fired was not on disk before the next kill."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    written = simulator.aldeamo.write("whatsapp", ANA, "hola")
    await poll(hass)
    assert [e["message_id"] for e in events] == [written]

    await _crash_and_start(hass, aldeamo_entry, hass_storage)  # may repeat once
    await _crash_and_start(hass, aldeamo_entry, hass_storage)  # must not again

    assert [e["message_id"] for e in events].count(written) <= 2
