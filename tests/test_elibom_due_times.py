"""What a reload, a restart or a refresh asked for costs in delivery lookups."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.simulator import Simulator

STORE_KEY = f"{DOMAIN}.01ELIBOMENTRY0000000000000"
SENT = 20


def _lookups(simulator: Simulator) -> int:
    return sum(
        1
        for r in simulator.requests_to("elibom", "GET")
        if r.path.startswith("/messages/")
    )


async def _send_each(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Twenty alerts, each its own delivery."""
    for index in range(SENT):
        await hass.services.async_call(
            DOMAIN,
            "send_sms",
            {
                "config_entry_id": entry.entry_id,
                "to": f"5730011{index:05d}",
                "message": "Alarma",
            },
            blocking=True,
        )


async def _wait(
    hass: HomeAssistant,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    seconds: int,
) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=seconds))
    simulator.advance(seconds)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _reload(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_a_reload_right_after_a_poll_looks_up_nothing_and_two_minutes_later_what_is_due(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Young deliveries are due a polling period after their last lookup, across reloads."""
    simulator.elibom.finished_after = timedelta(days=1)  # all stay running
    await setup_entry(hass, elibom_entry)
    await _send_each(hass, elibom_entry)
    await _wait(hass, simulator, freezer, 60)  # the poll
    assert _lookups(simulator) == SENT

    await _wait(hass, simulator, freezer, 5)
    await _reload(hass, elibom_entry)
    assert _lookups(simulator) == SENT  # nothing more: none is due yet

    await _wait(hass, simulator, freezer, 60)  # the reloaded entry's first poll
    assert _lookups(simulator) == 2 * SENT

    await _wait(hass, simulator, freezer, 120)
    await _reload(hass, elibom_entry)
    assert _lookups(simulator) == 3 * SENT  # two minutes on: every one is due


async def test_a_restart_right_after_a_poll_looks_up_nothing(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """The due times are stored: a restart starts from what the final write kept."""
    simulator.elibom.finished_after = timedelta(days=1)
    await setup_entry(hass, elibom_entry)
    await _send_each(hass, elibom_entry)
    await _wait(hass, simulator, freezer, 60)
    assert _lookups(simulator) == SENT

    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    on_disk = copy.deepcopy(hass_storage[STORE_KEY])
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    hass_storage[STORE_KEY] = on_disk  # what the stopped process left
    await _wait(hass, simulator, freezer, 10)
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _lookups(simulator) == SENT


async def test_a_refresh_asked_for_right_after_a_poll_looks_up_nothing(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Only a scheduled poll makes every young delivery due; other refreshes wait."""
    simulator.elibom.finished_after = timedelta(days=1)
    await setup_entry(hass, elibom_entry)
    await _send_each(hass, elibom_entry)
    await _wait(hass, simulator, freezer, 60)

    await elibom_entry.runtime_data.async_refresh()
    assert _lookups(simulator) == SENT
    await _wait(hass, simulator, freezer, 60)
    assert _lookups(simulator) == 2 * SENT


async def test_the_first_set_up_after_an_upgrade_spreads_the_lookups_over_the_coming_polls(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """A store written before due times existed: not every delivery at once.

    Deliveries an hour old wait 12 minutes between lookups; without due times each
    gets its moment within those 12 minutes, and is looked up once in them.
    """
    simulator.elibom.finished_after = timedelta(days=1)
    await setup_entry(hass, elibom_entry)
    await _send_each(hass, elibom_entry)
    await _wait(hass, simulator, freezer, 60)
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    for delivery in hass_storage[STORE_KEY]["data"]["deliveries"]:
        del delivery["next_due"]  # as the version before due times wrote it
    await _wait(hass, simulator, freezer, 3600)
    before = _lookups(simulator)

    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    per_poll = [_lookups(simulator) - before]
    for _ in range(13):
        looked_up = _lookups(simulator)
        await _wait(hass, simulator, freezer, 60)
        per_poll.append(_lookups(simulator) - looked_up)

    assert max(per_poll) <= SENT // 4  # never all at once (20 before)
    # Each once within the 12 minutes its age calls for (a second look comes later).
    assert sum(per_poll) == SENT
