"""Edges found in review: user days with restarts, reloads, skewed clocks and odd data."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.latam_messaging.const import EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import ANA, BETO
from tests.conftest import setup_entry
from tests.helpers import listen
from tests.simulator import Simulator


async def _wait(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: Simulator,
    seconds: float = 31,
) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.tick(timedelta(seconds=seconds))
    simulator.advance(seconds)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.parametrize("skew", [timedelta(minutes=-10), timedelta(minutes=10)])
async def test_aldeamo_message_in_the_second_of_the_first_listing_fires(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
    skew: timedelta,
) -> None:
    """A message later in the first listing's own second fires.

    A busy bot: someone was active in the very second the first listing was
    answered, and another person writes in that second just after it. Their
    `last_active` does not move past the mark: without a re-read it was lost.
    """
    freezer.move_to("2026-12-06 15:00:00+00:00")
    simulator.advance((dt_util.utcnow() + skew - simulator.clock.now()).total_seconds())
    simulator.aldeamo.write("whatsapp", ANA, "historia")
    simulator.aldeamo.add_user("whatsapp", BETO)
    simulator.advance(30)
    simulator.aldeamo.write("whatsapp", BETO, "justo antes")  # mark = this second
    await setup_entry(hass, aldeamo_entry)  # first listing, same second
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.aldeamo.write("whatsapp", ANA, "justo después")  # same second
    await _wait(hass, freezer, simulator)
    await _wait(hass, freezer, simulator)
    await _wait(hass, freezer, simulator)

    texts = [event["message"] for event in events]
    assert "justo después" in texts
    assert "historia" not in texts
