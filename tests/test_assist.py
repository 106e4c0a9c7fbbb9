"""Assist over chat and SMS: the people allowed talk to the home, nobody else does."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging import sms_parts
from custom_components.latam_messaging.assist import sms_answer
from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import (
    KITCHEN_LIGHT,
    assist_home,
    bot_answers_to,
    listen,
    state_of,
    with_assist_recipient,
    with_subentries,
)
from tests.simulator import Simulator
from tests.simulator.faults import FaultKind

ANA = "573001112222"
BETO = "573004445555"
CARLA = "573007778888"
MAMA = "573104445555"
STORE_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"


def _contacts(entry: MockConfigEntry) -> MockConfigEntry:
    return with_subentries(
        entry,
        ConfigSubentryData(
            data={
                "name": "Ana",
                "channel": "whatsapp",
                "client_id": ANA,
                "assist": True,
                "agent_id": "conversation.home_assistant",
            },
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
        ConfigSubentryData(
            data={"name": "Beto", "channel": "whatsapp", "client_id": BETO},
            subentry_type="contact",
            title="Beto",
            unique_id=f"whatsapp:{BETO}",
        ),
    )


async def test_a_contact_with_assist_turns_on_the_light_and_gets_one_answer(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Ana is answered on WhatsApp; Beto (no assist) and Carla (no contact) are not."""
    await assist_home(hass)
    for user in (ANA, BETO, CARLA):
        simulator.aldeamo.add_user("whatsapp", user)
    await setup_entry(hass, _contacts(aldeamo_entry))
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
    await poll(hass)
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert len(bot_answers_to(simulator, ANA)) == 1
    assert [e.get("assist") for e in events] == [True]

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", BETO, "turn off the kitchen light")
    simulator.aldeamo.write("whatsapp", CARLA, "turn off the kitchen light")
    await poll(hass)
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert bot_answers_to(simulator, BETO) == []
    assert bot_answers_to(simulator, CARLA) == []
    assert [e.get("assist") for e in events] == [True, None, None]

    # A follow-up in the same conversation.
    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "turn off the kitchen light")
    await poll(hass)
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert len(bot_answers_to(simulator, ANA)) == 2

    # A restart answers nothing again.
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass)
    assert len(bot_answers_to(simulator, ANA)) == 2


async def test_history_is_never_answered(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """What Ana wrote before the channel was first read is not sent to Assist."""
    await assist_home(hass)
    simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
    simulator.advance(60)
    await setup_entry(hass, _contacts(aldeamo_entry))
    await poll(hass)
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert bot_answers_to(simulator, ANA) == []


async def test_sixty_messages_in_half_an_hour_get_twenty_answers_and_one_repair(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A loop past the limit: events still fire, one issue names Ana, it clears itself."""
    await assist_home(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    entry = _contacts(aldeamo_entry)
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    issues = ir.async_get(hass)

    for _ in range(60):
        freezer.tick(timedelta(seconds=30))
        simulator.advance(30)
        simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)

    assert len(events) == 60
    assert len(bot_answers_to(simulator, ANA)) == 20
    assert sum(1 for e in events if e.get("assist")) == 20
    ours = [i for (domain, _), i in issues.issues.items() if domain == DOMAIN]
    assert len(ours) == 1
    assert ours[0].translation_placeholders == {"name": "Ana", "limit": "20"}

    freezer.tick(timedelta(minutes=31))
    simulator.advance(31 * 60)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    # The hour has passed: the issue goes by itself, before Ana writes again.
    assert not [key for key in issues.issues if key[0] == DOMAIN]

    freezer.tick(timedelta(seconds=30))
    simulator.advance(30)
    simulator.aldeamo.write("whatsapp", ANA, "turn off the kitchen light")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(bot_answers_to(simulator, ANA)) == 21
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert not [key for key in issues.issues if key[0] == DOMAIN]


async def test_an_elibom_recipient_gets_an_sms_answer_through_the_webhook(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """Mamá's SMS turns on the light; the answer is one plain SMS to her only."""
    await assist_home(hass)
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA)
    await setup_entry(hass, entry)
    client = await hass_client_no_auth()

    await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
        params={"from": MAMA, "text": "girasol, turn on the kitchen light"},
    )
    await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
        params={"from": ANA, "text": "turn off the kitchen light"},
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, KITCHEN_LIGHT) == "on"
    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    assert post.json["to"] == MAMA
    text = str(post.json["text"])
    assert sms_parts.encoding(text) == "gsm7"
    assert sms_parts.length(text) <= 160

    # A restart answers nothing twice.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(simulator.requests_to("elibom", "POST", "/messages")) == 1


def test_a_long_answer_is_one_plain_sms_cut_with_an_ellipsis() -> None:
    """Accents are folded, the end is cut with three dots, one part only."""
    text = sms_answer("La luz de la cocina está encendida. " * 10)
    assert text.endswith("...")
    assert sms_parts.encoding(text) == "gsm7"
    assert sms_parts.segments(text) == 1
    assert "está" not in text and "esta" in text
    assert sms_answer("Listo 👍") == "Listo 👍"


async def test_a_refused_answer_is_logged_once_and_never_sent_again(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The provider refuses the answer: one warning, no retry at the next polls."""
    await assist_home(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, _contacts(aldeamo_entry))
    simulator.fail_next(FaultKind.STATUS, status=500, method="POST", path="/messages")

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
    await poll(hass)
    await poll(hass)
    await poll(hass)

    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert len(simulator.requests_to("aldeamo", "POST", "/messages")) == 1
    assert simulator.aldeamo.sent == []
    warnings = [r for r in caplog.records if "Assist could not answer" in r.message]
    assert len(warnings) == 1
    assert "Ana" in warnings[0].message


@pytest.mark.parametrize(("answered_before", "answers"), [(True, 0), (False, 1)])
async def test_an_event_replayed_after_a_crash_is_answered_at_most_once(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    answered_before: bool,
    answers: int,
) -> None:
    """A stored event fires at start-up; it is answered only if it was not already."""
    await assist_home(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    message = {
        "config_entry_id": aldeamo_entry.entry_id,
        "provider": "aldeamo",
        "channel": "whatsapp",
        "client_id": ANA,
        "name": "Ana",
        "message": "turn on the kitchen light",
        "message_id": "77",
        "time": "2026-11-24T15:00:00+00:00",
    }
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 2,
        "key": STORE_KEY,
        "data": {
            "channels": {},
            "outbox": [{"event_type": EVENT_MESSAGE_RECEIVED, "data": message}],
            "assist": {"answered": ["77"] if answered_before else []},
        },
    }
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    await setup_entry(hass, _contacts(aldeamo_entry))
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [e["message_id"] for e in events] == ["77"]
    assert len(bot_answers_to(simulator, ANA)) == answers
    assert state_of(hass, KITCHEN_LIGHT) == ("on" if answers else "off")


async def test_the_assist_fields_are_kept_only_while_assist_is_on(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, aldeamo_entry: MockConfigEntry
) -> None:
    """Add with assist on keeps assist and the agent; turning it off removes both."""
    await setup_entry(hass, elibom_entry)
    result = await hass.config_entries.subentries.async_init(
        (elibom_entry.entry_id, "recipient"), context={"source": "user"}
    )
    assert {"assist", "agent_id"} <= {str(k) for k in result["data_schema"].schema}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Mamá",
            "phone_number": "310 444 5555",
            "assist": True,
            "assist_pin": " Girasol ",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = elibom_entry.subentries.values()
    assert dict(subentry.data) == {
        "name": "Mamá",
        "phone_number": MAMA,
        "assist": True,
        "agent_id": "conversation.home_assistant",
        "assist_pin": "Girasol",
    }

    result = await hass.config_entries.subentries.async_init(
        (elibom_entry.entry_id, "recipient"),
        context={"source": "reconfigure", "subentry_id": subentry.subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mamá", "phone_number": MAMA, "assist": False}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert dict(elibom_entry.subentries[subentry.subentry_id].data) == {
        "name": "Mamá",
        "phone_number": MAMA,
    }

    simulator_user = "573001112222"
    await setup_entry(hass, aldeamo_entry)
    result = await hass.config_entries.subentries.async_init(
        (aldeamo_entry.entry_id, "contact"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"channel": "whatsapp"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "client_id": simulator_user,
            "name": "Ana",
            "assist": True,
            "agent_id": "conversation.home_assistant",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (contact,) = aldeamo_entry.subentries.values()
    assert contact.data["assist"] is True
    assert contact.data["agent_id"] == "conversation.home_assistant"


async def test_an_sms_contact_is_not_offered_assist_as_aldeamo_sms_is_never_read(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """Aldeamo's SMS channel only sends: such a contact could never be answered."""
    await setup_entry(hass, aldeamo_entry)

    def fields(result: Any) -> set[str]:
        return {str(key) for key in result["data_schema"].schema}

    offered = {}
    for channel in ("whatsapp", "sms"):
        result = await hass.config_entries.subentries.async_init(
            (aldeamo_entry.entry_id, "contact"), context={"source": "user"}
        )
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {"channel": channel}
        )
        offered[channel] = fields(result)
    assert {"assist", "agent_id"} <= offered["whatsapp"]
    assert offered["sms"] == {"client_id", "name"}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": "+57 300 111 2222", "name": "Ana"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (contact,) = aldeamo_entry.subentries.values()
    assert dict(contact.data) == {
        "name": "Ana",
        "channel": "sms",
        "client_id": "573001112222",
    }


async def test_an_agent_that_is_gone_is_logged_once_and_nothing_is_sent(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The contact's agent was removed: a warning, no answer, the event still fires."""
    await assist_home(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    entry = with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={
                "name": "Ana",
                "channel": "whatsapp",
                "client_id": ANA,
                "assist": True,
                "agent_id": "conversation.removed_agent",
            },
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
    await poll(hass)
    await poll(hass)

    assert len(events) == 1
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert bot_answers_to(simulator, ANA) == []
    warnings = [r for r in caplog.records if "Assist could not answer" in r.message]
    assert len(warnings) == 1


async def test_two_quick_sms_are_answered_in_order_in_one_conversation(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A second SMS arriving while the first is answered waits for it: same chat."""
    from homeassistant.components import conversation  # noqa: PLC0415

    await assist_home(hass)
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA)
    await setup_entry(hass, entry)
    client = await hass_client_no_auth()
    real = conversation.async_converse
    asked: list[tuple[str, str | None, str | None]] = []

    async def converse(
        hass: HomeAssistant,
        text: str,
        conversation_id: str | None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        result = await real(hass, text, conversation_id, *args, **kwargs)
        asked.append((text, conversation_id, result.conversation_id))
        return result

    with patch.object(conversation, "async_converse", converse):
        await asyncio.gather(
            client.get(
                f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
                params={"from": MAMA, "text": "girasol, turn on the kitchen light"},
            ),
            client.get(
                f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
                params={"from": MAMA, "text": "girasol: turn off the kitchen light"},
            ),
        )
        await hass.async_block_till_done(wait_background_tasks=True)

    assert [text for text, _, _ in asked] == [
        "turn on the kitchen light",
        "turn off the kitchen light",
    ]
    first, second = asked
    assert first[2] is not None
    assert second[1] == first[2]  # the follow-up went into the first's conversation
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert len(simulator.requests_to("elibom", "POST", "/messages")) == 2


async def test_a_very_long_answer_is_cut_to_what_a_bot_message_may_hold(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An agent that answers 5,000 characters: one bot message of 4,096, ending in …."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(
        hass,
        "conversation",
        {"conversation": {"intents": {"LongStory": ["tell me a long story"]}}},
    )
    assert await async_setup_component(
        hass,
        "intent_script",
        {"intent_script": {"LongStory": {"speech": {"text": "{{ 'cuento ' * 625 }}"}}}},
    )
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, _contacts(aldeamo_entry))

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "tell me a long story")
    await poll(hass)

    (answer,) = bot_answers_to(simulator, ANA)
    assert 4000 < len(answer) <= 4096
    assert answer.endswith("…")
    assert answer.startswith("cuento cuento")
