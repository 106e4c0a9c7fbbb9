"""Bad input to the notify entities and the classic notify services: refused unsent, or sent intact.

What each outcome means, and how it is checked, is in tests/bad_input_checks.py;
the values tried and the outcomes expected are in tests/bad_input_cases.py.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.bad_input_cases import (
    BOT_USER,
    BOTS_SERVICE,
    MESSAGE,
    NUMBER,
    NUMBER_SENT,
    RECIPIENT_SERVICE,
    SURFACES,
    TITLE,
    bot_notify_service_outcomes,
    message_outcomes,
    sms_notify_service_outcomes,
    sweep,
    title_outcomes,
    untracked_bot_goes,
    untracked_sms_goes,
)
from tests.bad_input_checks import action, report, sweep_calls, with_subentry
from tests.conftest import setup_entry
from tests.helpers import notify_entity_of
from tests.simulator import Simulator


@pytest.mark.parametrize("field", SURFACES["notify.send_message on a recipient"])
async def test_a_recipient_notify_entity_answers_every_bad_message_or_title(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.send_message on a recipient: bad text refused unsent, good text sent intact."""
    entry = with_subentry(
        elibom_entry,
        "recipient",
        "Mamá",
        {"name": "Mamá", "phone_number": NUMBER_SENT},
        NUMBER_SENT,
    )
    await setup_entry(hass, entry)
    data = {"entity_id": notify_entity_of(hass, entry), "message": MESSAGE}
    outcomes = (
        message_outcomes(untracked_sms_goes, schema=True)
        if field == "message"
        else title_outcomes(untracked_sms_goes)
    )

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(
            hass,
            "send_message",
            data,
            field,
            domain="notify",
            return_response=False,
        ),
        sweep(MESSAGE if field == "message" else TITLE),
        outcomes,
    )

    assert not problems, report("notify.send_message (recipient)", field, problems)


@pytest.mark.parametrize("field", SURFACES["notify.send_message on a contact"])
async def test_a_contact_notify_entity_answers_every_bad_message_or_title(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.send_message on a contact: bad text refused unsent, good text sent intact."""
    simulator.aldeamo.add_user("whatsapp", BOT_USER)
    entry = with_subentry(
        aldeamo_entry,
        "contact",
        "Ana",
        {"name": "Ana", "channel": "whatsapp", "client_id": BOT_USER},
        f"whatsapp:{BOT_USER}",
    )
    await setup_entry(hass, entry)
    data = {"entity_id": notify_entity_of(hass, entry), "message": MESSAGE}

    outcomes = (
        message_outcomes(untracked_bot_goes, schema=True)
        if field == "message"
        else title_outcomes(untracked_bot_goes)
    )

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(
            hass,
            "send_message",
            data,
            field,
            domain="notify",
            return_response=False,
        ),
        sweep(MESSAGE if field == "message" else TITLE),
        outcomes,
    )

    assert not problems, report("notify.send_message (contact)", field, problems)


@pytest.mark.parametrize("field", SURFACES[f"notify.{RECIPIENT_SERVICE}"])
async def test_the_classic_sms_notify_service_answers_every_bad_value_of_each_field(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.<account>: bad numbers or text refused unsent; numbers typed unquoted work."""
    await setup_entry(hass, elibom_entry)
    assert hass.services.has_service("notify", RECIPIENT_SERVICE)
    data = {"message": MESSAGE, "target": [NUMBER]}
    outcomes = sms_notify_service_outcomes()[field]
    base = {"message": MESSAGE, "title": TITLE, "target": NUMBER}[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(
            hass,
            RECIPIENT_SERVICE,
            data,
            field,
            domain="notify",
            return_response=False,
        ),
        sweep(base),
        outcomes,
    )

    assert not problems, report(f"notify.{RECIPIENT_SERVICE}", field, problems)


@pytest.mark.parametrize("field", SURFACES[f"notify.{BOTS_SERVICE}"])
async def test_the_classic_bot_notify_service_answers_every_bad_value_of_each_field(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.aldeamo_bots: bad targets or text refused unsent; a repeated target goes once."""
    simulator.aldeamo.add_user("whatsapp", BOT_USER)
    await setup_entry(hass, aldeamo_entry)
    assert hass.services.has_service("notify", BOTS_SERVICE)
    target = f"whatsapp:{BOT_USER}"
    data = {"message": MESSAGE, "target": [target]}

    outcomes = bot_notify_service_outcomes()[field]
    base = {"message": MESSAGE, "title": TITLE, "target": target}[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        action(hass, BOTS_SERVICE, data, field, domain="notify", return_response=False),
        sweep(base),
        outcomes,
    )

    assert not problems, report(f"notify.{BOTS_SERVICE}", field, problems)
