"""Spending over days: midnight with and without DST, restarts, Assist, credit run-out.

The run-out is told from the average spend of the last 7 days.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import DOMAIN
from custom_components.latam_messaging.elibom import spending
from custom_components.latam_messaging.elibom.spending import SpendingState
from tests.conftest import RECIPIENT
from tests.const import ELIBOM_USER, WEBHOOK_ID
from tests.helpers import (
    assist_home,
    device_of,
    state_of,
    with_assist_recipient,
    with_subentries,
)
from tests.simulator import Simulator

PARTS_TODAY = "sensor.tienda_dona_perez_sms_parts_today"
RUNS_OUT = "sensor.tienda_dona_perez_credit_runs_out"
TWO_PARTS = "Alarma: se abrió la puerta del garaje " + "." * 62
ONE_PART = "Alarma: puerta abierta"
MAMA = "573001112222"
STORE_KEY = f"{DOMAIN}.01ELIBOMENTRY0000000000000"


async def _set_up(
    hass: HomeAssistant, entry: MockConfigEntry, limit: int
) -> MockConfigEntry:
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={"daily_limit": limit})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _send(
    hass: HomeAssistant, entry: MockConfigEntry, message: str
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": MAMA, "message": message},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def _refused(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, str]:
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, entry, ONE_PART)
    assert caught.value.translation_key == "daily_limit_reached"
    return dict(caught.value.translation_placeholders or {})


async def _move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str | datetime
) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"daily_limit_{entry.entry_id}")


# Local midnight ------------------------------------------------------------------------


async def test_a_day_of_23_hours_ends_at_local_midnight_in_a_dst_zone(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """New York springs forward on 8 March 2026: that day ends 23 hours after it began."""
    await hass.config.async_set_time_zone("America/New_York")
    freezer.move_to("2026-03-07 23:00:00-05:00")
    entry = await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 2)

    await _send(hass, entry, TWO_PARTS)
    assert (await _refused(hass, entry))["reopens"] == "2026-03-08 00:00"

    await _move_to(hass, freezer, "2026-03-08 00:00:00-05:00")
    assert _issue(hass, entry) is None
    assert state_of(hass, PARTS_TODAY) == "0"
    await _send(hass, entry, TWO_PARTS)
    assert (await _refused(hass, entry))["reopens"] == "2026-03-09 00:00"

    # 22:59 by the clock of the morning (EST) is already 23:59 (EDT): still the 8th.
    await _move_to(hass, freezer, "2026-03-08 23:59:00-04:00")
    await _refused(hass, entry)
    await _move_to(hass, freezer, "2026-03-09 00:00:00-04:00")
    assert _issue(hass, entry) is None
    assert (await _send(hass, entry, TWO_PARTS))["parts_today"] == 2


async def test_a_zone_without_dst_counts_its_own_midnight_not_utcs(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """In Bogotá (UTC-5) the day does not change at UTC midnight."""
    await hass.config.async_set_time_zone("America/Bogota")
    freezer.move_to("2026-12-06 18:30:00-05:00")
    entry = await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 2)
    await _send(hass, entry, TWO_PARTS)

    await _move_to(hass, freezer, "2026-12-07 00:30:00+00:00")  # 19:30 in Bogotá
    assert state_of(hass, PARTS_TODAY) == "2"
    assert (await _refused(hass, entry))["reopens"] == "2026-12-07 00:00"


# Kept on disk -------------------------------------------------------------------------


async def test_the_count_is_on_disk_with_the_send_and_kept_across_a_restart(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Written with the delivery token (a crash keeps it); a new start reads it back."""
    entry = await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 2)
    await _send(hass, entry, TWO_PARTS)

    stored = hass_storage[STORE_KEY]["data"]["spending"]
    assert (stored["day"], stored["parts"]) == (dt_util.now().date().isoformat(), 2)

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert state_of(hass, PARTS_TODAY) == "2"
    assert (await _refused(hass, entry))["used"] == "2"


async def test_yesterdays_stored_count_and_an_unreadable_one_start_at_zero(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A count of another day is not today's; damaged values are dropped, not fatal."""
    yesterday = dt_util.now().date() - timedelta(days=1)
    state = SpendingState.from_json({"day": yesterday.isoformat(), "parts": 40})
    assert spending.used(state, dt_util.now().date()) == 0
    for damaged in (
        None,
        [],
        {"day": "not a day", "parts": 3},
        {"parts": "many"},
        {"history": [["2026-12-01T00:00:00", 1.0]]},  # no zone
        {"history": [["later", 1.0]]},
        {"last_credits": "lots"},
    ):
        read = SpendingState.from_json(damaged)
        assert read.parts == 0
        assert read.history == []
        assert read.last_credits is None

    entry = await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 2)
    assert state_of(hass, PARTS_TODAY) == "0"
    assert (await _send(hass, entry, TWO_PARTS))["parts_today"] == 2


# Assist's answers ----------------------------------------------------------------------


async def test_an_assist_answer_past_the_limit_is_not_sent(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The light still turns on; the SMS answer would pass the limit, and is not sent."""
    await assist_home(hass)
    entry = await _set_up(
        hass, with_assist_recipient(elibom_entry, "Mamá", "573104445555"), 1
    )
    await _send(hass, entry, ONE_PART)
    client = await hass_client_no_auth()

    await client.get(
        f"/api/webhook/{WEBHOOK_ID}",
        params={"from": "573104445555", "text": "girasol, turn on the kitchen light"},
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, "input_boolean.kitchen_light") == "on"
    assert len(simulator.requests_to("elibom", "POST", "/messages")) == 1
    assert "Assist could not answer Mamá" in caplog.text
    assert state_of(hass, PARTS_TODAY) == "1"


# When the credit runs out --------------------------------------------------------------


async def test_the_credit_runs_out_with_no_history_steady_spend_and_a_top_up(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Unknown at first; 1.8 credits a day for 9 days; a top-up moves the date later."""
    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    freezer.move_to(start)
    entry = await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 0)
    account = simulator.elibom.accounts[ELIBOM_USER.lower()]

    state = hass.states.get(RUNS_OUT)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    assert state.attributes["days_left"] is None
    assert state.attributes["device_class"] == "timestamp"

    await _send(hass, entry, ONE_PART)  # 1.8 credits
    await _move_to(hass, freezer, start + timedelta(hours=12))
    assert state_of(hass, RUNS_OUT) == STATE_UNKNOWN  # less than a day seen

    for day in range(1, 10):
        await _move_to(hass, freezer, start + timedelta(days=day))
        if day < 9:
            await _send(hass, entry, ONE_PART)
    # Nine sends of 1.8 in nine days; the window is the last seven (7 x 1.8 / 7 days).
    now = start + timedelta(days=9)
    balance = account.credits
    assert balance == pytest.approx(100 - 9 * 1.8)
    state = hass.states.get(RUNS_OUT)
    assert state is not None
    assert state.attributes["days_left"] == round(balance / 1.8, 1)
    at = dt_util.parse_datetime(state.state)
    assert at is not None
    assert abs(at - (now + timedelta(days=balance / 1.8))) < timedelta(minutes=1)

    account.credits = balance + 90  # bought credit: not spending
    await _move_to(hass, freezer, now + timedelta(hours=1))
    later = hass.states.get(RUNS_OUT)
    assert later is not None
    # 90 more credits last 50 more days at 1.8 a day.
    assert later.attributes["days_left"] == pytest.approx(
        state.attributes["days_left"] + 90 / 1.8, abs=0.5
    )
    assert dt_util.parse_datetime(later.state) > at + timedelta(days=49)


async def test_no_spending_for_a_week_says_nothing_of_running_out(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """History without spending: the credit does not run out, the state is unknown."""
    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    freezer.move_to(start)
    await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 0)

    await _move_to(hass, freezer, start + timedelta(days=3))

    assert state_of(hass, RUNS_OUT) == STATE_UNKNOWN


def test_history_keeps_one_point_an_hour_back_to_just_beyond_seven_days() -> None:
    """Polls every minute for ten days keep about 7 x 24 points, the oldest beyond."""
    state = SpendingState()
    start = datetime(2026, 12, 1, tzinfo=UTC)
    assert spending.run_out(state, start) is None  # nothing read yet
    for minute in range(0, 10 * 24 * 60, 15):
        spending.note_credits(
            state, 1000 - minute / 60, start + timedelta(minutes=minute)
        )
    now = start + timedelta(minutes=10 * 24 * 60 - 15)
    assert 7 * 24 <= len(state.history) <= 7 * 24 + 2
    assert state.history[0][0] <= now - spending.WINDOW < state.history[1][0]
    run_out = spending.run_out(state, now)
    assert run_out is not None
    assert run_out.days_left == pytest.approx(state.last_credits / 24, abs=0.1)


def test_sends_on_their_way_count_so_two_at_once_cannot_pass_the_limit() -> None:
    """Set aside before the request; freed if not accepted; counted on the day accepted."""
    state = SpendingState()
    today = date(2026, 12, 6)
    assert spending.reserve(state, 4, 3, today) is None
    assert spending.reserve(state, 4, 2, today) == spending.Over(4, 3, 2)
    spending.free(state, 3)
    assert spending.reserve(state, 4, 4, today) is None
    spending.accept(state, 4, today + timedelta(days=1))  # accepted after midnight
    assert spending.used(state, today) == 0
    assert spending.used(state, today + timedelta(days=1)) == 4
    assert spending.reached(state, 4, today + timedelta(days=1))
    assert not spending.reached(state, 0, today + timedelta(days=1))
    assert state.reserved == 0


# On the device page ---------------------------------------------------------------------


async def test_both_sensors_show_on_the_account_device_in_spanish(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """Names and unit come from the translations; both belong to the account's device."""
    hass.config.language = "es"
    entry = await _set_up(hass, with_subentries(elibom_entry, RECIPIENT), 5)
    await _send(hass, entry, TWO_PARTS)
    account = device_of(hass, entry, entry.entry_id)

    names = {}
    for key in ("sms_parts_today", "credit_runs_out"):
        entity_id = entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{entry.entry_id}_{key}"
        )
        assert entity_id is not None
        assert entity_registry.async_get(entity_id).device_id == account.id
        state = hass.states.get(entity_id)
        assert state is not None
        names[key] = (state.attributes["friendly_name"], state.state)
    assert names == {
        "sms_parts_today": ("Tienda Doña Pérez Partes de SMS hoy", "2"),
        "credit_runs_out": ("Tienda Doña Pérez Crédito alcanza hasta", STATE_UNKNOWN),
    }
    # (Home Assistant writes translated units in English, as it does for the credits.)
