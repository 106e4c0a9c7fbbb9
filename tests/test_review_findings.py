"""Review findings: what a user's day broke in Assist over chat and SMS and in tracking."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any, Literal

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import (
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
)
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

ANA = "573001112222"
MAMA = "573104445555"
ELIBOM_STORE = f"{DOMAIN}.01ELIBOMENTRY0000000000000"
ALDEAMO_STORE = f"{DOMAIN}.01ALDEAMOENTRY000000000000"


class _TestAgent(conversation.AbstractConversationAgent):
    """An agent that says "ok", raises on "boom", and waits on "slow" until let go."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        self.go = asyncio.Event()

    @property
    def supported_languages(self) -> Literal["*"]:
        return "*"

    async def async_process(
        self, user_input: conversation.ConversationInput
    ) -> conversation.ConversationResult:
        self.heard.append(user_input.text)
        if user_input.text == "boom":
            raise RuntimeError("the agent broke")
        if user_input.text == "quota":
            raise HomeAssistantError("Error talking to the model: quota exceeded")
        if user_input.text == "slow":
            await self.go.wait()
        response = intent.IntentResponse(language=user_input.language)
        response.async_set_speech(f"ok: {user_input.text}")
        return conversation.ConversationResult(
            response=response, conversation_id="chat-1"
        )


async def _agent(hass: HomeAssistant) -> tuple[str, _TestAgent]:
    """Register a test agent through Home Assistant's conversation API."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    owner = MockConfigEntry(domain="test_agent", entry_id="01TESTAGENT")
    owner.add_to_hass(hass)
    agent = _TestAgent()
    conversation.async_set_agent(hass, owner, agent)
    return owner.entry_id, agent


def _ana(entry: MockConfigEntry, agent_id: str) -> MockConfigEntry:
    return with_subentries(
        entry,
        ConfigSubentryData(
            data={
                "name": "Ana",
                "channel": "whatsapp",
                "client_id": ANA,
                "assist": True,
                "agent_id": agent_id,
            },
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )


async def test_an_agent_that_raises_does_not_cost_the_next_answers(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two messages in one poll: the first breaks the agent, the second is answered."""
    agent_id, agent = await _agent(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, _ana(aldeamo_entry, agent_id))

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "boom")
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "hola")
    await poll(hass)

    assert agent.heard == ["boom", "hola"]
    assert bot_answers_to(simulator, ANA) == ["ok: hola"]
    warnings = [r for r in caplog.records if "Assist could not answer" in r.message]
    assert len(warnings) == 1


async def test_an_agent_error_is_logged_and_not_sent_as_the_answer(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The agent fails (its service is down): a warning, not its error text to Ana."""
    agent_id, agent = await _agent(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, _ana(aldeamo_entry, agent_id))

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "quota")
    await poll(hass)
    await poll(hass)

    assert agent.heard == ["quota"]
    assert bot_answers_to(simulator, ANA) == []
    warnings = [r for r in caplog.records if "Assist could not answer" in r.message]
    assert len(warnings) == 1
    assert "quota exceeded" in warnings[0].getMessage()


async def test_a_reload_while_the_agent_thinks_still_sends_the_answer(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Adding a contact reloads the entry; the answer being prepared still goes out."""
    agent_id, agent = await _agent(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    entry = _ana(aldeamo_entry, agent_id)
    await setup_entry(hass, entry)

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "slow")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=31))
    async with asyncio.timeout(5):
        while not agent.heard:  # the agent now thinks
            await asyncio.sleep(0.01)
    reload = hass.async_create_task(hass.config_entries.async_reload(entry.entry_id))
    await asyncio.sleep(0.05)
    agent.go.set()
    await reload
    await hass.async_block_till_done(wait_background_tasks=True)

    assert bot_answers_to(simulator, ANA) == ["ok: slow"]


@pytest.mark.parametrize("sender", ["+57 310 444 5555", "310-444-5555", "3104445555"])
async def test_an_sms_from_a_number_written_otherwise_reaches_its_recipient(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    sender: str,
) -> None:
    """The callback's `from` with +, spaces or without country code is still Mamá."""
    await assist_home(hass)
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA)
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    response = await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
        params={"from": sender, "text": "Girasol turn on the kitchen light"},
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert response.status == 200
    assert [(e["client_id"], e["name"], e.get("assist")) for e in events] == [
        (MAMA, "Mamá", True)
    ]
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    assert post.json["to"] == MAMA


async def _stored_delivery(
    hass: HomeAssistant, entry: MockConfigEntry, hass_storage: dict[str, Any]
) -> str:
    """Send one SMS and unload: the delivery is in the stored file."""
    await setup_entry(hass, entry)
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": [ANA], "message": "Alarma"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    (token,) = response["delivery_tokens"]
    assert await hass.config_entries.async_unload(entry.entry_id)
    (stored,) = hass_storage[ELIBOM_STORE]["data"]["deliveries"]
    assert stored["token"] == token
    return str(token)


@pytest.mark.parametrize("next_due", ["soon", 12, "2026-13-45T99:00:00+00:00"])
async def test_a_delivery_with_a_stored_due_time_unreadable_or_far_off_is_still_followed(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    next_due: Any,
) -> None:
    """A damaged due time (or one a wrong clock put a century ahead) loses nothing."""
    token = await _stored_delivery(hass, elibom_entry, hass_storage)
    hass_storage[ELIBOM_STORE]["data"]["deliveries"][0]["next_due"] = next_due
    events = listen(hass, EVENT_DELIVERY_STATUS)
    assert await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()
    simulator.advance(60)
    await poll(hass)

    assert [(e["delivery_token"], e["status"]) for e in events] == [(token, "finished")]
    assert state_of(hass, "sensor.tienda_dona_perez_unconfirmed_sms") == "0"


async def _ana_past_the_limit(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Ana (default agent) writes 21 times in ten minutes: the limit's issue is up."""
    await assist_home(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, entry)
    for _ in range(21):
        freezer.tick(timedelta(seconds=30))
        simulator.advance(30)
        simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert len(bot_answers_to(simulator, ANA)) == 20
    assert _our_issues(hass) == ["Ana"]


def _our_issues(hass: HomeAssistant) -> list[str]:
    return [
        str((issue.translation_placeholders or {}).get("name"))
        for (domain, _), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue.active
    ]


async def test_removing_a_contact_past_the_limit_takes_its_repair_issue(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The issue names a person who is no longer there: it goes with them."""
    entry = _ana(aldeamo_entry, "conversation.home_assistant")
    await _ana_past_the_limit(hass, entry, simulator, freezer)

    (subentry_id,) = entry.subentries
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _our_issues(hass) == []


async def test_removing_the_account_past_the_limit_takes_its_repair_issues(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No issue outlives the account it belongs to."""
    entry = _ana(aldeamo_entry, "conversation.home_assistant")
    await _ana_past_the_limit(hass, entry, simulator, freezer)

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()

    assert _our_issues(hass) == []


@pytest.mark.parametrize(
    "stored",
    [
        pytest.param({"answers": ["Ana"]}, id="answers-a-list"),
        pytest.param({"answered": 5}, id="answered-a-number"),
        pytest.param({"conversations": "chat-1"}, id="conversations-a-text"),
    ],
)
async def test_a_damaged_assist_record_does_not_stop_the_account(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    stored: dict[str, Any],
) -> None:
    """The bot still loads and Ana is still answered; what Assist kept starts afresh."""
    await assist_home(hass)
    simulator.aldeamo.add_user("whatsapp", ANA)
    hass_storage[ALDEAMO_STORE] = {
        "version": 1,
        "minor_version": 2,
        "key": ALDEAMO_STORE,
        "data": {"channels": {}, "assist": stored},
    }
    entry = _ana(aldeamo_entry, "conversation.home_assistant")
    await setup_entry(hass, entry)
    assert entry.state is ConfigEntryState.LOADED

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "turn on the kitchen light")
    await poll(hass)
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert len(bot_answers_to(simulator, ANA)) == 1
