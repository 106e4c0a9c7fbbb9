"""The Assist tools, called as a conversation agent calls them (Home Assistant 2026.10+).

Collected only where Home Assistant has its `llm` integration (see conftest.py);
`test_llm_absent.py` pins the older versions.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, llm
from homeassistant.setup import async_setup_component
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import setup_entry
from tests.helpers import state_of, with_subentries
from tests.simulator import Simulator

MAMA = "573001112222"
PAPA = "573007778888"
ANA = "573004445555"
SEND = "latam_messaging__send_message"


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
    assert list(tools) == [SEND]
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
async def test_a_provider_refusal_is_an_error_result_in_the_providers_words(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Aldeamo does not know Beto: the agent hears why, and it was asked once."""
    result = await _call(hass, SEND, {"recipient": "Beto", "message": "Hola"})

    assert result.error is True
    assert "999" in result.data["error"]
    assert len(simulator.requests_to("aldeamo", "POST", "/messages")) == 1
    assert simulator.aldeamo.sent == []
