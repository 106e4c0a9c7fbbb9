"""Elibom's send_sms refusing bad input by name before any request, against the simulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import setup_entry
from tests.elibom_action_cases import (
    BAD_NUMBERS,
    GOOD,
    NO_NUMBERS,
    UNREADABLE_SCHEDULE_TIMES,
    WRONG_TYPES,
)
from tests.elibom_action_helpers import PENDING, refused, sms_posts
from tests.helpers import state_of
from tests.simulator import Simulator

# Input rules --------------------------------------------------------------------------


@pytest.mark.parametrize(("to", "shown", "key"), BAD_NUMBERS)
async def test_a_bad_phone_number_is_refused_by_name_and_nothing_is_sent(  # noqa: PLR0913
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    to: Any,
    shown: str,
    key: str,
) -> None:
    """A number the input rules refuse stops the whole send and is named."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": to, "message": "Hola"},
    )

    assert err.translation_key == key
    assert shown in str(err)
    if key == "local_phone_number":
        assert "write + and the country code" in str(err)
    assert state_of(hass, PENDING) == "0"


@pytest.mark.parametrize("to", NO_NUMBERS)
async def test_no_phone_number_at_all_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator, to: Any
) -> None:
    """Without any number there is nothing to send to."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": to, "message": "Hola"},
    )

    assert err.translation_key == "no_recipients"


@pytest.mark.parametrize("message", ["", "   "])
async def test_an_empty_message_is_refused(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    message: str,
) -> None:
    """An empty or blank message is not sent."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": message},
    )

    assert err.translation_key == "empty_message"


async def test_a_161_character_message_is_refused_saying_its_length_and_the_limit(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """One character over Elibom's limit is refused before sending."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": "y" * 161},
    )

    assert err.translation_key == "message_too_long"
    assert err.translation_placeholders == {"length": "161", "limit": "160"}
    assert "161" in str(err)
    assert "160" in str(err)


async def test_a_schedule_time_in_the_past_is_refused(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A time that has gone by cannot be scheduled."""
    await setup_entry(hass, elibom_entry)
    past = dt_util.now() - timedelta(minutes=5)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": GOOD,
            "message": "Tarde",
            "schedule_at": past,
        },
    )

    assert err.translation_key == "schedule_in_past"
    assert past.strftime("%Y-%m-%dT%H:%M") in str(err)


@pytest.mark.parametrize(("value", "shown"), UNREADABLE_SCHEDULE_TIMES)
async def test_an_unreadable_schedule_time_is_refused_by_name(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    value: Any,
    shown: str,
) -> None:
    """schedule_at that is not a date and time is named in the error."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": GOOD,
            "message": "Hola",
            "schedule_at": value,
        },
    )

    assert err.translation_key == "invalid_schedule_at"
    assert shown in str(err)


@pytest.mark.parametrize(("fields", "field"), WRONG_TYPES)
async def test_a_field_of_the_wrong_type_is_refused_by_name(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    fields: dict[str, Any],
    field: str,
) -> None:
    """Values that are not text or numbers are refused, naming the field."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, **fields},
    )

    assert err.translation_key == "wrong_type"
    assert err.translation_placeholders is not None
    assert err.translation_placeholders["field"] == field
    assert field in str(err)


@pytest.mark.parametrize("missing", ["config_entry_id", "to", "message"])
async def test_a_missing_field_is_refused_by_name(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    missing: str,
) -> None:
    """Each required field of send_sms is asked for by name."""
    await setup_entry(hass, elibom_entry)
    data = {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": "Hola"}
    del data[missing]

    err = await refused(hass, simulator, "send_sms", data)

    assert err.translation_key == "missing_field"
    assert err.translation_placeholders == {"field": missing}
    assert missing in str(err)


async def test_an_unknown_account_is_refused_by_id(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A config_entry_id that does not exist is named in the error."""
    await setup_entry(hass, elibom_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": "01NOSUCHENTRY", "to": GOOD, "message": "Hola"},
    )

    assert err.translation_key == "entry_not_found"
    assert "01NOSUCHENTRY" in str(err)


async def test_an_aldeamo_account_cannot_send_sms(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """send_sms on the other provider's entry is refused, nothing reaches either API."""
    await setup_entry(hass, aldeamo_entry)

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": aldeamo_entry.entry_id, "to": GOOD, "message": "Hola"},
    )

    assert err.translation_key == "needs_elibom_account"
    assert str(err) == (
        "Aldeamo bots is an Aldeamo bot account; this action needs an Elibom (SMS) "
        "account"
    )
    assert "(elibom)" not in str(err)
    assert simulator.requests_to("elibom") == []
    assert simulator.requests_to("aldeamo", "POST") == []


async def test_an_unloaded_account_cannot_send(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """After unloading, the account's actions are refused with its title."""
    await setup_entry(hass, elibom_entry)
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    await hass.async_block_till_done()

    err = await refused(
        hass,
        simulator,
        "send_sms",
        {"config_entry_id": elibom_entry.entry_id, "to": GOOD, "message": "Hola"},
    )

    assert err.translation_key == "entry_not_loaded"
    assert elibom_entry.title in str(err)
    assert sms_posts(simulator) == []
