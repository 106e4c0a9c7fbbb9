"""Aldeamo's read position on the provider's own clock, whatever Home Assistant's says.

Every test moves the simulator's clock (message times, `last_active`, the `Date`
header) away from Home Assistant's, both ways, by 10 minutes and by 5 hours, and
moves both together with `freezer` as time passes.
"""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import ANA, BETO, FB_USER
from tests.conftest import setup_entry
from tests.helpers import listen
from tests.simulator import Simulator

STORE_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"
CARLA = "573009998877"

pytestmark = pytest.mark.parametrize(
    "skew",
    [
        pytest.param(timedelta(minutes=-10), id="provider-10-min-behind"),
        pytest.param(timedelta(minutes=10), id="provider-10-min-ahead"),
        pytest.param(timedelta(hours=-5), id="provider-5-h-behind"),
        pytest.param(timedelta(hours=5), id="provider-5-h-ahead"),
    ],
)


@pytest.fixture
def provider(
    simulator: Simulator, freezer: FrozenDateTimeFactory, skew: timedelta
) -> Simulator:
    """Set the simulator's clock `skew` away from Home Assistant's."""
    freezer.move_to("2026-12-06 15:00:00+00:00")
    gap = dt_util.utcnow() + skew - simulator.clock.now()
    simulator.advance(gap.total_seconds())
    return simulator


async def _wait(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    seconds: float = 31,
) -> None:
    """Let time pass on both clocks alike, and the poll that falls due run."""
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=seconds))
    simulator.advance(seconds)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _texts(events: list[dict[str, Any]]) -> list[str]:
    return [event["message"] for event in events]


def _disk(hass_storage: dict[str, Any]) -> dict[str, Any]:
    """Copy what the entry's files hold now (as a crash would leave them)."""
    return copy.deepcopy(
        {key: value for key, value in hass_storage.items() if key.startswith(STORE_KEY)}
    )


async def _restart_from(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    disk: dict[str, Any],
) -> None:
    """Stop the entry, put back the files as they were on `disk`, and start again."""
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for key in [key for key in hass_storage if key.startswith(STORE_KEY)]:
        del hass_storage[key]
    hass_storage.update(copy.deepcopy(disk))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.state is ConfigEntryState.LOADED


async def test_set_up_fires_what_was_written_after_it_and_nothing_before(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Listed people: only what they wrote after set-up; a newcomer: everything."""
    provider.aldeamo.write("whatsapp", ANA, "de ayer")
    provider.aldeamo.add_user("whatsapp", BETO)
    provider.advance(20)
    provider.aldeamo.write("whatsapp", ANA, "hace un rato")
    provider.advance(2)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    provider.advance(3)
    provider.aldeamo.write("whatsapp", ANA, "¿abren hoy?")
    provider.aldeamo.write("whatsapp", BETO, "hola")  # the same second
    await _wait(hass, freezer, provider)
    provider.aldeamo.write("whatsapp", CARLA, "soy nueva")
    provider.aldeamo.write("whatsapp", CARLA, "¿hacen domicilios?")
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["¿abren hoy?", "hola", "soy nueva", "¿hacen domicilios?"]


async def test_listening_again_starts_like_a_first_poll(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """What was written while WhatsApp was not listened to is history."""
    provider.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    hass.config_entries.async_update_entry(
        aldeamo_entry, data={**aldeamo_entry.data, "channels": ["facebook"]}
    )
    await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await _wait(hass, freezer, provider)
    provider.aldeamo.write("whatsapp", ANA, "de cuando no se escuchaba")
    provider.aldeamo.write("whatsapp", BETO, "yo tampoco me oyeron")
    await _wait(hass, freezer, provider)
    hass.config_entries.async_update_entry(
        aldeamo_entry, data={**aldeamo_entry.data, "channels": ["facebook", "whatsapp"]}
    )
    await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    provider.advance(2)
    provider.aldeamo.write("whatsapp", ANA, "ahora sí")
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["ahora sí"]


async def test_a_reload_and_a_restart_neither_repeat_nor_drop(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Written before, during and after a reload and a clean restart: each once."""
    provider.aldeamo.write("whatsapp", ANA, "historia")
    provider.aldeamo.add_user("facebook", FB_USER)
    provider.advance(5)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    provider.advance(1)
    provider.aldeamo.write("whatsapp", ANA, "uno")
    await _wait(hass, freezer, provider)
    provider.aldeamo.write("facebook", FB_USER, "dos")

    assert await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    provider.advance(1)
    provider.aldeamo.write("whatsapp", ANA, "tres")
    await _wait(hass, freezer, provider)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    stopped = _disk(hass_storage)
    await _wait(hass, freezer, provider, 600)  # off for ten minutes
    provider.aldeamo.write("whatsapp", ANA, "cuatro")
    provider.aldeamo.write("whatsapp", BETO, "cinco")

    await _restart_from(hass, aldeamo_entry, hass_storage, stopped)
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["uno", "dos", "tres", "cuatro", "cinco"]


async def test_two_crashes_in_a_row_fire_a_message_twice_at_most(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Storage as of the last write, twice: a message fires once more, never twice more."""
    provider.aldeamo.add_user("whatsapp", ANA)
    provider.advance(5)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    provider.advance(1)
    provider.aldeamo.write("whatsapp", ANA, "uno")
    await _wait(hass, freezer, provider)
    assert _texts(events) == ["uno"]

    await _restart_from(hass, aldeamo_entry, hass_storage, _disk(hass_storage))
    assert _texts(events) == ["uno", "uno"]  # it may have fired before the crash
    await _restart_from(hass, aldeamo_entry, hass_storage, _disk(hass_storage))
    provider.advance(1)
    provider.aldeamo.write("whatsapp", ANA, "dos")
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["uno", "uno", "dos"]


async def test_a_crash_right_after_a_poll_read_loses_nothing(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Storage as of the last write before the poll: the message is read again."""
    provider.aldeamo.add_user("whatsapp", ANA)
    provider.advance(5)
    await setup_entry(hass, aldeamo_entry)
    await _wait(hass, freezer, provider)
    before = _disk(hass_storage)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    provider.advance(1)
    provider.aldeamo.write("whatsapp", ANA, "uno")
    await _wait(hass, freezer, provider)

    await _restart_from(hass, aldeamo_entry, hass_storage, before)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["uno", "uno"]


async def test_without_a_readable_date_the_newest_last_active_tells_history(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A provider whose `Date` cannot be read: its `last_active`s stand in."""
    provider.aldeamo.date_header = False
    provider.aldeamo.write("whatsapp", ANA, "de antes")
    provider.advance(3)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    provider.advance(2)
    provider.aldeamo.write("whatsapp", ANA, "después")
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["después"]


async def test_a_person_who_leaves_the_listing_and_comes_back_is_read_on(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    provider: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Gone from the listing for a while, back with a new message: each message once."""
    provider.aldeamo.add_user("whatsapp", ANA)
    provider.advance(2)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    provider.advance(1)
    provider.aldeamo.write("whatsapp", ANA, "uno")
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)
    del provider.aldeamo.users["whatsapp"][ANA]  # the provider stops listing her
    await _wait(hass, freezer, provider)
    provider.aldeamo.write("whatsapp", ANA, "dos")  # listed again, created anew
    await _wait(hass, freezer, provider)
    await _wait(hass, freezer, provider)

    assert _texts(events) == ["uno", "dos"]
