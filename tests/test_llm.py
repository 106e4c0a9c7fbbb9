"""The Assist tools, called as a conversation agent calls them (Home Assistant 2026.10+).

Collected only where Home Assistant has its `llm` integration (see conftest.py);
`test_llm_absent.py` pins the older versions.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, llm
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import state_of, with_subentries
from tests.simulator import Simulator
from tests.simulator.elibom import colombia_time

MAMA = "573001112222"
PAPA = "573007778888"
ANA = "573004445555"
SEND = "latam_messaging__send_message"
GET = "latam_messaging__get_messages"
UNKNOWN = "573005550000"
ELIBOM_ENTRY_ID = "01ELIBOMENTRY0000000000000"


def _context(assistant: str = "conversation") -> llm.LLMContext:
    return llm.LLMContext(
        platform="test",
        context=Context(),
        language="es",
        assistant=assistant,
        device_id=None,
    )


async def _api(hass: HomeAssistant, assistant: str = "conversation") -> llm.APIInstance:
    return await llm.async_get_api(hass, llm.LLM_API_ASSIST, _context(assistant))


def _ours(api: llm.APIInstance) -> dict[str, llm.Tool]:
    return {t.name: t for t in api.tools if t.name.startswith("latam_messaging__")}


async def _call(
    hass: HomeAssistant,
    name: str,
    args: dict[str, Any],
    assistant: str = "conversation",
) -> llm.ToolResult:
    api = await _api(hass, assistant)
    return await api.async_call_tool(llm.ToolInput(tool_name=name, tool_args=args))


def _recipient(name: str, number: str) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={"name": name, "phone_number": number},
        subentry_type="recipient",
        title=name,
        unique_id=number,
    )


def _contact(name: str, channel: str, client_id: str) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={"name": name, "channel": channel, "client_id": client_id},
        subentry_type="contact",
        title=name,
        unique_id=f"{channel}:{client_id}",
    )


@pytest.fixture
async def home(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Mamá and Papá (Elibom SMS), Ana (WhatsApp) and Beto (Messenger, unknown to Aldeamo).

    Mamá, Ana and Beto are exposed to Assist; Papá is not.
    """
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana")
    await setup_entry(
        hass,
        with_subentries(
            elibom_entry, _recipient("Mamá", MAMA), _recipient("Papá", PAPA)
        ),
    )
    await setup_entry(
        hass,
        with_subentries(
            aldeamo_entry,
            _contact("Ana", "whatsapp", ANA),
            _contact("Beto", "facebook", "999"),
        ),
    )
    for entity_id in ("notify.mama", "notify.ana", "notify.beto"):
        async_expose_entity(hass, "conversation", entity_id, True)
    await hass.async_block_till_done()


def _sms(simulator: Simulator) -> list[dict[str, Any]]:
    return [
        dict(post.json) for post in simulator.requests_to("elibom", "POST", "/messages")
    ]


@pytest.mark.usefixtures("home")
async def test_the_send_tool_lists_only_the_exposed_people_with_honest_annotations(
    hass: HomeAssistant,
) -> None:
    """Mamá, Ana and Beto are offered; Papá is not; the tool says it reaches outside."""
    api = await _api(hass)
    tools = _ours(api)
    assert list(tools) == [SEND, GET]
    send = tools[SEND]
    # As an agent shows the tool to its model (OpenAI's, for one).
    schema = probatio.to_openapi(
        send.parameters,
        custom_serializer=api.custom_serializer,
        openapi_version="3.1.0",
    )
    assert sorted(schema["properties"]["recipient"]["enum"]) == ["Ana", "Beto", "Mamá"]
    assert schema["properties"]["message"]["type"] == "string"
    assert sorted(schema["required"]) == ["message", "recipient"]
    assert send.annotations == llm.ToolAnnotations(
        read_only=False, destructive=False, idempotent=False, open_world=True
    )
    assert "WhatsApp" in (send.description or "")
    assert "escríbele" in (send.description or "")
    assert SEND in api.api_prompt


@pytest.mark.usefixtures("home")
async def test_another_assistant_sees_no_tool(hass: HomeAssistant) -> None:
    """Nobody is exposed to the cloud assistant: it gets no messaging tool at all."""
    assert _ours(await _api(hass, "cloud.alexa")) == {}


async def test_no_tool_while_nobody_is_exposed(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """An account with a recipient nobody exposed offers no tool."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})
    await setup_entry(hass, with_subentries(elibom_entry, _recipient("Mamá", MAMA)))

    assert _ours(await _api(hass)) == {}


@pytest.mark.usefixtures("home")
async def test_an_sms_goes_to_the_exposed_recipient_with_its_cost(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """'Escríbele a mamá que llego tarde': one SMS to her, its encoding and parts."""
    result = await _call(hass, SEND, {"recipient": "mamá", "message": "Llego tarde"})

    assert result == llm.ToolResult(
        data={"to": "Mamá", "channel": "sms", "encoding": "gsm7", "parts": 1}
    )
    (post,) = _sms(simulator)
    assert (post["to"], post["text"]) == (MAMA, "Llego tarde")
    assert state_of(hass, "notify.mama") != STATE_UNKNOWN
    assert simulator.aldeamo.sent == []


@pytest.mark.usefixtures("home")
async def test_an_accented_sms_is_counted_as_sent(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Text outside the 7-bit alphabet goes as UCS-2, parts counted on it."""
    text = " ".join(["¿Ya comiste? ⚽"] * 6)
    result = await _call(hass, SEND, {"recipient": "Mamá", "message": text})

    assert result.data == {
        "to": "Mamá",
        "channel": "sms",
        "encoding": "ucs2",
        "parts": 2,
    }
    assert [post["text"] for post in _sms(simulator)] == [text]


@pytest.mark.usefixtures("home")
async def test_a_whatsapp_goes_to_the_contact_by_alias(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Ana's alias 'María' reaches her WhatsApp with exactly the text; the list has both."""
    er.async_get(hass).async_update_entity("notify.ana", aliases={"María"})

    schema = probatio.to_openapi(_ours(await _api(hass))[SEND].parameters)
    assert sorted(schema["properties"]["recipient"]["enum"]) == [
        "Ana",
        "Beto",
        "Mamá",
        "María",
    ]

    result = await _call(hass, SEND, {"recipient": "maría", "message": "Llego tarde"})

    assert result == llm.ToolResult(data={"to": "Ana", "channel": "whatsapp"})
    (sent,) = simulator.aldeamo.sent
    assert (sent.channel, sent.client_id, sent.msg) == ("whatsapp", ANA, "Llego tarde")
    assert _sms(simulator) == []


@pytest.mark.usefixtures("home")
@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ({"recipient": "Papá", "message": "Hola"}, "No such person"),
        ({"recipient": "Carla", "message": "Hola"}, "No such person"),
        ({"recipient": 3, "message": "Hola"}, "No such person"),
        ({"message": "Hola"}, "No such person"),
        ({"recipient": "Mamá", "message": 5}, "must be text"),
        ({"recipient": "Mamá"}, "must be text"),
        ({"recipient": "Mamá", "message": "   "}, "empty"),
        ({"recipient": "Mamá", "message": "x" * 2000}, "limit is 160"),
        ({"recipient": "Ana", "message": ""}, "empty"),
    ],
)
async def test_a_refused_send_is_an_error_result_and_sends_nothing(
    hass: HomeAssistant, simulator: Simulator, args: dict[str, Any], reason: str
) -> None:
    """Unknown or unexposed people and bad text: a short reason, no request."""
    before = len(simulator.requests)

    result = await _call(hass, SEND, args)

    assert result.error is True
    assert reason in result.data["error"]
    assert simulator.requests[before:] == []


@pytest.mark.usefixtures("home")
async def test_an_sms_past_the_daily_limit_is_an_error_result_and_sends_nothing(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """With a limit of 2 parts, a UCS-2 text of 2 parts goes; the next is refused."""
    entry = hass.config_entries.async_get_entry(ELIBOM_ENTRY_ID)
    assert entry is not None
    hass.config_entries.async_update_entry(entry, options={"daily_limit": 2})
    await hass.async_block_till_done(wait_background_tasks=True)
    text = " ".join(["¿Ya comiste? ⚽"] * 6)

    sent = await _call(hass, SEND, {"recipient": "Mamá", "message": text})
    refused = await _call(hass, SEND, {"recipient": "Mamá", "message": "Llego tarde"})

    assert sent.data["parts"] == 2
    assert refused.error is True
    assert "SMS parts a day" in refused.data["error"]
    assert len(_sms(simulator)) == 1


@pytest.mark.usefixtures("home")
async def test_a_provider_refusal_is_an_error_result_in_the_providers_words(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Aldeamo does not know Beto: the agent hears why, and it was asked once."""
    result = await _call(hass, SEND, {"recipient": "Beto", "message": "Hola"})

    assert result.error is True
    assert "999" in result.data["error"]
    assert len(simulator.requests_to("aldeamo", "POST", "/messages")) == 1
    assert simulator.aldeamo.sent == []


async def _sms_from(
    hass: HomeAssistant, client_of: ClientSessionGenerator, number: str, text: str
) -> None:
    """Send an SMS to Elibom's inbound webhook, as Elibom calls it."""
    client = await client_of()
    query = urlencode(
        {"from": number, "text": text, "date": colombia_time(dt_util.utcnow())},
        encoding="iso-8859-1",
    )
    response = await client.get(f"/api/latam_messaging/elibom/{WEBHOOK_ID}?{query}")
    assert response.status == 200
    await hass.async_block_till_done()


@pytest.mark.usefixtures("home")
async def test_the_messages_of_exposed_people_are_read_newest_first(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Mamá's SMS and Ana's WhatsApp are read; Papá (not exposed) and a stranger never."""
    await hass.config.async_set_time_zone("America/Bogota")
    await _sms_from(hass, hass_client_no_auth, MAMA, "Ya llegué")
    freezer.tick(timedelta(minutes=1))
    await _sms_from(hass, hass_client_no_auth, PAPA, "Secreto de Papá")
    await _sms_from(hass, hass_client_no_auth, UNKNOWN, "Soy un extraño")
    freezer.tick(timedelta(minutes=1))
    simulator.advance(5)  # Aldeamo's clock: after the cursor of the first poll
    simulator.aldeamo.write("whatsapp", ANA, "¿Me recoges?")
    await poll(hass)

    result = await _call(hass, GET, {})

    assert result.error is False
    messages = result.data["messages"]
    assert [(m["from"], m["channel"], m["text"]) for m in messages] == [
        ("Ana", "whatsapp", "¿Me recoges?"),
        ("Mamá", "sms", "Ya llegué"),
    ]
    mama_time = dt_util.parse_datetime(messages[1]["time"])
    assert mama_time is not None
    assert mama_time.utcoffset() == timedelta(hours=-5)  # Bogotá, the home's zone
    assert "Secreto" not in str(result.data)
    assert "extraño" not in str(result.data)


@pytest.mark.usefixtures("home")
async def test_one_senders_messages_by_name_or_alias(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """'¿Qué me escribió María?' (Ana's alias) reads only Ana's; Papá is refused."""
    er.async_get(hass).async_update_entity("notify.ana", aliases={"María"})
    await _sms_from(hass, hass_client_no_auth, MAMA, "Ya llegué")
    simulator.advance(5)  # Aldeamo's clock: after the cursor of the first poll
    simulator.aldeamo.write("whatsapp", ANA, "Voy tarde")
    await poll(hass)

    read = await _call(hass, GET, {"sender": "MARÍA"})
    refused = await _call(hass, GET, {"sender": "Papá"})

    assert [m["text"] for m in read.data["messages"]] == ["Voy tarde"]
    assert refused.error is True
    assert "No such person" in refused.data["error"]


@pytest.mark.usefixtures("home")
async def test_at_most_20_messages_from_the_last_7_days(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An old message ages out after 7 days; of 25 new ones the 20 newest are read."""
    await _sms_from(hass, hass_client_no_auth, MAMA, "viejo")
    freezer.tick(timedelta(days=7, minutes=1))
    for n in range(25):
        freezer.tick(timedelta(minutes=1))
        await _sms_from(hass, hass_client_no_auth, MAMA, f"mensaje {n}")

    messages = (await _call(hass, GET, {})).data["messages"]

    assert [m["text"] for m in messages] == [f"mensaje {n}" for n in range(24, 4, -1)]


@pytest.mark.usefixtures("home")
async def test_a_message_aged_out_is_not_read_even_if_nothing_came_since(
    hass: HomeAssistant,
    hass_client_no_auth: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Seven days and a minute later, Mamá's only message is no longer offered."""
    await _sms_from(hass, hass_client_no_auth, MAMA, "viejo")
    assert len((await _call(hass, GET, {})).data["messages"]) == 1

    freezer.tick(timedelta(days=7, minutes=1))

    assert (await _call(hass, GET, {})).data["messages"] == []


@pytest.mark.usefixtures("home")
async def test_the_messages_are_kept_across_a_restart_of_the_entry(
    hass: HomeAssistant,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
) -> None:
    """Read after the account was unloaded and set up again: from its store."""
    await _sms_from(hass, hass_client_no_auth, MAMA, "Ya llegué")
    simulator.advance(5)  # Aldeamo's clock: after the cursor of the first poll
    simulator.aldeamo.write("whatsapp", ANA, "Voy tarde")
    await poll(hass)
    for entry in hass.config_entries.async_entries("latam_messaging"):
        assert await hass.config_entries.async_unload(entry.entry_id)
    stored = hass_storage["latam_messaging.01ELIBOMENTRY0000000000000"]["data"]
    assert [m["text"] for m in stored["inbox"]] == ["Ya llegué"]

    for entry in hass.config_entries.async_entries("latam_messaging"):
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    for entity_id in ("notify.mama", "notify.ana"):
        async_expose_entity(hass, "conversation", entity_id, True)

    messages = (await _call(hass, GET, {})).data["messages"]
    assert [m["text"] for m in messages] == ["Voy tarde", "Ya llegué"]


async def test_stored_messages_are_read_and_odd_items_dropped(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
) -> None:
    """What a previous run stored is read; an item without a readable time is dropped."""
    now = dt_util.utcnow()
    subentry = "01RECIPIENTSUBENTRY0000000"
    hass_storage["latam_messaging.01ELIBOMENTRY0000000000000"] = {
        "version": 1,
        "minor_version": 1,
        "key": "latam_messaging.01ELIBOMENTRY0000000000000",
        "data": {
            "inbox": [
                {
                    "subentry_id": subentry,
                    "channel": "sms",
                    "time": "ayer",
                    "text": "x",
                },
                "not an object",
                {
                    "subentry_id": subentry,
                    "channel": "sms",
                    "time": (now - timedelta(hours=2)).isoformat(),
                    "text": "antes",
                },
                {
                    "subentry_id": subentry,
                    "channel": "sms",
                    "time": (now - timedelta(hours=1)).isoformat(),
                    "text": "después",
                },
                {
                    "subentry_id": subentry,
                    "channel": "sms",
                    "time": "2026-11-24T10:15:00",
                    "text": "sin zona",
                },
            ]
        },
    }
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})
    recipient = _recipient("Mamá", MAMA) | {"subentry_id": subentry}
    await setup_entry(hass, with_subentries(elibom_entry, recipient))
    async_expose_entity(hass, "conversation", "notify.mama", True)

    messages = (await _call(hass, GET, {})).data["messages"]

    assert [m["text"] for m in messages] == ["después", "antes"]
