"""Assist over SMS lets in only who knows the recipient's key word (a number can be forged)."""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from custom_components.latam_messaging.key_word import check, scrubbed
from tests.conftest import NOT_HOME_ASSISTANT, poll, setup_entry
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

MAMA = "573104445555"
ANA = "573001112222"


def _answers(simulator: Simulator) -> list[str]:
    return [
        str(r.json["text"])
        for r in simulator.requests_to("elibom", "POST", "/messages")
    ]


def _our_issues(hass: HomeAssistant) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    }


async def _sms(client: Any, text: str, sender: str = MAMA) -> int:
    response = await client.get(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}",
        params={"from": sender, "text": text},
    )
    return int(response.status)


@pytest.mark.parametrize(
    ("text", "as_fired", "answered"),
    [
        ("Girasol, turn on the kitchen light", "turn on the kitchen light", True),
        ("  GIRASÓL:turn on the kitchen light", "turn on the kitchen light", True),
        ("girasol turn on the kitchen light", "turn on the kitchen light", True),
        (
            "tulipán, turn on the kitchen light",
            "tulipán, turn on the kitchen light",
            False,
        ),
        ("turn on the kitchen light", "turn on the kitchen light", False),
        (
            "girasoles turn on the kitchen light",
            "girasoles turn on the kitchen light",
            False,
        ),
        ("Girasol", "", False),
        ("girasol, ", "", False),
    ],
)
async def test_only_an_sms_that_starts_with_the_key_word_reaches_assist(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    text: str,
    as_fired: str,
    answered: bool,
) -> None:
    """Right key word (any case, accents): light on, an answer; else nothing but the event."""
    await assist_home(hass)
    await setup_entry(hass, with_assist_recipient(elibom_entry, "Mamá", MAMA))
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    assert await _sms(client, text) == 200
    await hass.async_block_till_done(wait_background_tasks=True)

    assert [(e["message"], e.get("assist")) for e in events] == [
        (as_fired, True if answered else None)
    ]
    assert state_of(hass, KITCHEN_LIGHT) == ("on" if answered else "off")
    answers = _answers(simulator)
    assert len(answers) == (1 if answered else 0)  # a forged SMS costs nothing
    assert all("girasol" not in a.casefold() for a in answers)


def test_the_key_word_is_matched_without_case_or_accents_and_must_be_a_whole_word() -> (
    None
):
    """What the check keeps of a message, for odd inputs."""
    assert check("GiRaSoL,  apaga", "girasol").text == "apaga"
    assert check("Straße: licht an", "STRASSE").text == "licht an"
    assert check("girasol\tapaga", "Girasól").matched
    assert not check("giras", "girasol").matched
    assert not check("", "girasol").matched
    assert not check("girasol, apaga", "   ").matched


def test_an_answer_that_repeats_the_key_word_loses_it() -> None:
    """An agent that echoes what it was told does not give the key word away."""
    assert scrubbed("You said GIRASÓL, right?", "girasol") == "You said , right?"
    assert scrubbed("Listo", "girasol") == "Listo"
    assert scrubbed("Listo", "  ") == "Listo"


async def test_five_wrong_key_words_in_an_hour_block_the_number_for_an_hour_across_a_restart(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """4 wrong, a restart, 1 wrong: blocked, with a repair; the right key word waits an hour."""
    await assist_home(hass)
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA)
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    for guess in ("rosa", "clavel", "lirio", "dalia"):
        freezer.tick(timedelta(minutes=1))
        await _sms(client, f"{guess}, turn on the kitchen light")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _our_issues(hass) == {}

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    client = await hass_client_no_auth()

    freezer.tick(timedelta(minutes=1))
    await _sms(client, "orquidea, turn on the kitchen light")
    await hass.async_block_till_done(wait_background_tasks=True)
    (issue,) = _our_issues(hass).values()
    assert issue.translation_key == "assist_blocked"
    assert issue.translation_placeholders == {
        "name": "Mamá",
        "number": "••••••••5555",
        "tries": "5",
    }

    # Blocked: even the right key word gets nothing (it is still removed).
    freezer.tick(timedelta(minutes=1))
    await _sms(client, "Girasol, turn on the kitchen light")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert _answers(simulator) == []
    assert events[-1]["message"] == "turn on the kitchen light"
    assert len(events) == 6

    # An hour later the issue goes at the next poll, and Mamá is answered again.
    freezer.tick(timedelta(minutes=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _our_issues(hass) == {}
    await _sms(client, "Girasol, turn on the kitchen light")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert len(_answers(simulator)) == 1


async def test_the_key_word_never_shows_in_events_logs_diagnostics_or_storage(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The log guard runs too; here the key word itself is looked for everywhere."""
    await assist_home(hass)
    assert await async_setup_component(hass, "diagnostics", {})
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA)
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    await _sms(client, "Girasol, turn on the kitchen light")
    await _sms(client, "girasol: turn off the kitchen light")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert len(_answers(simulator)) == 2

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    await hass.config_entries.async_unload(entry.entry_id)  # flushes the store
    seen = {
        "events": json.dumps(events, ensure_ascii=False),
        "answers": " ".join(_answers(simulator)),
        # As in the log guard: the HTTP access log (off unless turned on) shows
        # the callback's URL, key word included, by design.
        "logs": "\n".join(
            r.getMessage()
            for r in caplog.records
            if not r.name.startswith(NOT_HOME_ASSISTANT)
        ),
        "diagnostics": json.dumps(diagnostics, ensure_ascii=False),
        "storage": json.dumps(
            hass_storage[f"{DOMAIN}.{entry.entry_id}"], ensure_ascii=False
        ),
    }
    assert {
        where: "girasol" in text.casefold() for where, text in seen.items()
    } == dict.fromkeys(seen, False)


async def test_a_recipient_from_before_key_words_gets_a_repair_and_its_fix_restores_assist(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """No key word: one fixable repair, Assist ignores her SMS; the fix asks for the word."""
    await assist_home(hass)
    assert await async_setup_component(hass, "repairs", {})
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA, key_word=None)
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    (subentry_id,) = entry.subentries

    (issue,) = _our_issues(hass).values()
    assert issue.issue_id == f"assist_pin_missing_{subentry_id}"
    assert issue.is_fixable
    assert issue.translation_placeholders == {"name": "Mamá", "number": "••••••••5555"}

    for text in ("turn on the kitchen light", "Girasol, turn on the kitchen light"):
        await _sms(client, text)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, KITCHEN_LIGHT) == "off"
    assert _answers(simulator) == []
    assert len(events) == 2

    # A restart keeps the one issue, and does not add another.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert list(_our_issues(hass)) == [issue.issue_id]

    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue.issue_id})
    assert result["step_id"] == "key_word"
    result = await manager.async_configure(result["flow_id"], {"assist_pin": "sol"})
    assert result["errors"] == {"assist_pin": "assist_pin_too_short"}
    result = await manager.async_configure(result["flow_id"], {"assist_pin": "Girasol"})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done(wait_background_tasks=True)

    assert _our_issues(hass) == {}
    assert entry.subentries[subentry_id].data["assist_pin"] == "Girasol"
    assert hass.config_entries.async_get_entry(entry.entry_id).state.value == "loaded"
    client = await hass_client_no_auth()
    await _sms(client, "girasol, turn on the kitchen light")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert len(_answers(simulator)) == 1


async def test_the_recipient_form_requires_a_key_word_for_assist_and_never_shows_it(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """Assist without a key word or with 3 letters is refused; editing keeps the saved one."""
    await setup_entry(hass, elibom_entry)
    flows = hass.config_entries.subentries
    result = await flows.async_init(
        (elibom_entry.entry_id, "recipient"), context={"source": "user"}
    )
    mama = {"name": "Mamá", "phone_number": MAMA, "assist": True}
    result = await flows.async_configure(result["flow_id"], mama)
    assert result["errors"] == {"assist_pin": "assist_pin_required"}
    result = await flows.async_configure(
        result["flow_id"], {**mama, "assist_pin": "sol"}
    )
    assert result["errors"] == {"assist_pin": "assist_pin_too_short"}
    assert "sol" not in json.dumps(
        {str(k): k.description for k in result["data_schema"].schema}
    )
    result = await flows.async_configure(
        result["flow_id"], {**mama, "assist_pin": "Girasol"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = elibom_entry.subentries.values()
    assert subentry.data["assist_pin"] == "Girasol"

    result = await flows.async_init(
        (elibom_entry.entry_id, "recipient"),
        context={"source": "reconfigure", "subentry_id": subentry.subentry_id},
    )
    suggested = {
        str(k): (k.description or {}).get("suggested_value")
        for k in result["data_schema"].schema
    }
    assert suggested["assist_pin"] is None
    assert suggested["assist"] is True
    result = await flows.async_configure(result["flow_id"], {**mama, "name": "Ma"})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert elibom_entry.subentries[subentry.subentry_id].data["assist_pin"] == "Girasol"


async def test_an_sms_with_the_key_word_while_starting_is_stored_without_it_and_answered_once_started(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Received before `homeassistant_started`: on disk without the key word, then answered."""
    await assist_home(hass)
    hass.set_state(CoreState.not_running)
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA)
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    assert await _sms(client, "Girasol, turn on the kitchen light") == 200
    stored = json.dumps(hass_storage[f"{DOMAIN}.{entry.entry_id}"], ensure_ascii=False)
    assert "turn on the kitchen light" in stored
    assert "girasol" not in stored.casefold()
    assert events == []

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [(e["message"], e.get("assist")) for e in events] == [
        ("turn on the kitchen light", True)
    ]
    assert state_of(hass, KITCHEN_LIGHT) == "on"
    assert len(_answers(simulator)) == 1


@pytest.mark.parametrize(
    ("text", "answered"),
    [
        ("turn on the kitchen light", False),
        ("Girasol, turn on the kitchen light", True),
    ],
)
async def test_a_web_chat_contact_with_a_key_word_needs_it(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    text: str,
    answered: bool,
) -> None:
    """An Aldeamo contact who chose a key word is held to it; the bot's answer omits it."""
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
                "assist_pin": "Girasol",
            },
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )
    await setup_entry(hass, entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, text)
    await poll(hass)

    assert [e["message"] for e in events] == ["turn on the kitchen light"]
    assert state_of(hass, KITCHEN_LIGHT) == ("on" if answered else "off")
    answers = bot_answers_to(simulator, ANA)
    assert len(answers) == (1 if answered else 0)
    assert all("girasol" not in a.casefold() for a in answers)
    assert _our_issues(hass) == {}  # a contact without one is not asked for one


async def test_the_contact_form_offers_an_optional_key_word(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """Assist on without a key word is fine for a contact; a short one is refused."""
    await setup_entry(hass, aldeamo_entry)
    flows = hass.config_entries.subentries
    result = await flows.async_init(
        (aldeamo_entry.entry_id, "contact"), context={"source": "user"}
    )
    result = await flows.async_configure(result["flow_id"], {"channel": "whatsapp"})
    assert "assist_pin" in {str(k) for k in result["data_schema"].schema}
    ana = {"client_id": ANA, "name": "Ana", "assist": True}
    result = await flows.async_configure(
        result["flow_id"], {**ana, "assist_pin": "abc"}
    )
    assert result["errors"] == {"assist_pin": "assist_pin_too_short"}
    result = await flows.async_configure(result["flow_id"], ana)
    await hass.async_block_till_done(wait_background_tasks=True)
    (contact,) = aldeamo_entry.subentries.values()
    assert contact.data["assist"] is True
    assert "assist_pin" not in contact.data


async def test_the_fix_of_a_recipient_removed_meanwhile_ends_and_drops_the_issue(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """Mamá was removed after the repair was raised: the fix says so, the issue goes."""
    assert await async_setup_component(hass, "repairs", {})
    entry = with_assist_recipient(elibom_entry, "Mamá", MAMA, key_word=None)
    await setup_entry(hass, entry)
    (issue_id,) = _our_issues(hass)
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    (subentry_id,) = entry.subentries
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _our_issues(hass) == {}  # the reload that followed dropped it

    result = await manager.async_configure(result["flow_id"], {"assist_pin": "Girasol"})
    assert result["type"] == "abort"
    assert result["reason"] == "person_gone"
    assert _our_issues(hass) == {}
