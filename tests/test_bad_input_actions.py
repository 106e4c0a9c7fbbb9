"""Bad input to the integration's actions: refused by name before any request, or sent intact.

What each outcome means, and how it is checked, is in tests/bad_input_checks.py;
the values tried and the outcomes expected are in tests/bad_input_cases.py.
"""

from __future__ import annotations

from datetime import timedelta

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.bad_input_cases import (
    BOT_USER,
    DELIVERY_TOKEN,
    MESSAGE,
    NUMBER,
    SCHEDULE_ID,
    SURFACES,
    cancel_scheduled_sms_outcomes,
    get_delivery_outcomes,
    send_bot_message_outcomes,
    send_sms_outcomes,
    sweep,
)
from tests.bad_input_checks import action, report, sweep_calls
from tests.conftest import setup_entry
from tests.simulator import Simulator


@pytest.mark.parametrize("field", SURFACES["latam_messaging.send_sms"])
async def test_send_sms_answers_every_bad_value_of_each_field_before_sending(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Bad values: a translated error and no request; Unicode text and line breaks go out."""
    await setup_entry(hass, elibom_entry)
    moment = (dt_util.utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    bases = {
        "config_entry_id": elibom_entry.entry_id,
        "to": NUMBER,
        "message": MESSAGE,
        "schedule_at": moment.isoformat(),
        "plain_alphabet": "true",
    }
    outcomes = send_sms_outcomes(moment)[field]
    optional = ("schedule_at", "plain_alphabet")
    data = {key: value for key, value in bases.items() if key not in optional}

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(hass, "send_sms", data, field),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, report("send_sms", field, problems)


@pytest.mark.parametrize("field", SURFACES["latam_messaging.cancel_scheduled_sms"])
async def test_cancel_scheduled_sms_answers_every_bad_value_of_each_field_before_asking(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Only a well-formed id reaches Elibom (an unquoted number is one); the rest is refused."""
    await setup_entry(hass, elibom_entry)
    bases = {"config_entry_id": elibom_entry.entry_id, "schedule_id": SCHEDULE_ID}
    outcomes = cancel_scheduled_sms_outcomes()[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(hass, "cancel_scheduled_sms", bases, field, return_response=False),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, report("cancel_scheduled_sms", field, problems)


@pytest.mark.parametrize("field", SURFACES["latam_messaging.get_delivery"])
async def test_get_delivery_answers_every_bad_value_of_each_field_before_asking(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Only a well-formed token reaches Elibom (an unquoted number is one); the rest is refused."""
    await setup_entry(hass, elibom_entry)
    bases = {"config_entry_id": elibom_entry.entry_id, "delivery_token": DELIVERY_TOKEN}
    outcomes = get_delivery_outcomes()[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(hass, "get_delivery", bases, field),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, report("get_delivery", field, problems)


@pytest.mark.parametrize("field", SURFACES["latam_messaging.send_bot_message"])
async def test_send_bot_message_answers_every_bad_value_of_each_field_before_sending(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Bad values: a translated error and no request; Unicode text and line breaks go out."""
    simulator.aldeamo.add_user("whatsapp", BOT_USER)
    await setup_entry(hass, aldeamo_entry)
    bases = {
        "config_entry_id": aldeamo_entry.entry_id,
        "channel": "whatsapp",
        "client_id": BOT_USER,
        "message": MESSAGE,
    }
    outcomes = send_bot_message_outcomes()[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(hass, "send_bot_message", bases, field),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, report("send_bot_message", field, problems)
