"""Tools for Assist agents (Home Assistant 2026.10 and newer): message the people exposed.

Home Assistant's `llm` integration asks every integration's `llm` platform for
tools; older versions have no such integration and never import this module.
A person (an Elibom recipient or an Aldeamo contact) is reachable by an assistant
when their notify entity is exposed to it; nobody else is listed or reachable.
"""

from __future__ import annotations

from typing import Any, override

from homeassistant.components.homeassistant.exposed_entities import async_should_expose
from homeassistant.components.llm import LLMTools
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.helpers.llm import (
    LLM_API_ASSIST,
    LLMContext,
    Tool,
    ToolAnnotations,
    ToolInput,
    ToolResult,
)
from homeassistant.util import dt as dt_util
import probatio

from .const import DOMAIN
from .inbox import Received
from .notify import DATA_ENTITIES, LatamNotifyEntity

PROMPT = (
    "To send a WhatsApp, SMS or chat message to one of the people listed in "
    f"{DOMAIN}__send_message ('escríbele a…', 'mándale un mensaje / un WhatsApp "
    "a…'), call that tool once with the text to send, in the user's words. To read "
    f"what they wrote ('¿qué me escribió…?'), call {DOMAIN}__get_messages."
)
MESSAGES_SHOWN = 20


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


class _Person:
    """An exposed person: the names an assistant may use, and their notify entity."""

    def __init__(self, names: list[str], entity: LatamNotifyEntity[Any]) -> None:
        self.name = names[0]
        self.names = names
        self.entity = entity


@callback
def _exposed_people(hass: HomeAssistant, assistant: str) -> list[_Person]:
    """Return the people whose notify entity is exposed to `assistant`, by name."""
    registry = er.async_get(hass)
    people: list[_Person] = []
    for entities in hass.data.get(DATA_ENTITIES, {}).values():
        for entity in entities:
            entity_id = entity.entity_id
            state = hass.states.get(entity_id)
            if state is None or not async_should_expose(hass, assistant, entity_id):
                continue
            aliases = intent.async_get_entity_aliases(
                hass, registry.async_get(entity_id), state=state
            )
            # The person's own name always, then the aliases the user gave.
            names = [state.name, *(alias for alias in aliases if alias.strip())]
            people.append(_Person(list(dict.fromkeys(names)), entity))
    return sorted(people, key=lambda person: _fold(person.name))


def _find(people: list[_Person], name: object) -> _Person | None:
    wanted = _fold(str(name)) if isinstance(name, str) else None
    for person in people:
        if any(_fold(known) == wanted for known in person.names):
            return person
    return None


def _error(reason: str) -> ToolResult:
    return ToolResult(data={"error": reason}, error=True)


class SendMessageTool(Tool):
    """Send a message to an exposed person on their own channel."""

    name = f"{DOMAIN}__send_message"
    title = "Send a message to a person"
    description = (
        "Send a text message (SMS, WhatsApp, Messenger or another chat) to one of "
        "the listed people, on that person's own channel. Use it for requests like "
        "'send María a WhatsApp that I'm running late', 'text Mom that dinner is "
        "ready', 'escríbele a María que llego tarde', 'mándale un mensaje / un SMS "
        "a mamá'. Every call sends (and may cost) one message: call it once per "
        "request."
    )
    annotations = ToolAnnotations(
        read_only=False, destructive=False, idempotent=False, open_world=True
    )
    integration = DOMAIN

    def __init__(self, names: list[str]) -> None:
        """List the names (and aliases) of the people the assistant may message."""
        self.parameters = probatio.Schema(
            {
                probatio.Required(
                    "recipient", description="Who gets it: a name or alias listed"
                ): probatio.In(names),
                probatio.Required("message", description="The exact text to send"): str,
            }
        )

    @override
    async def async_call(
        self, hass: HomeAssistant, tool_input: ToolInput, llm_context: LLMContext
    ) -> ToolResult:
        """Send, or say in a few words why nothing was sent."""
        args = tool_input.tool_args
        person = _find(
            _exposed_people(hass, llm_context.assistant or ""), args.get("recipient")
        )
        if person is None:
            return _error("No such person is available to this assistant")
        message = args.get("message")
        if not isinstance(message, str):
            return _error("The message must be text")
        try:
            sent = await person.entity.async_send_text(message)
        except HomeAssistantError as err:
            return _error(str(err) or type(err).__name__)
        return ToolResult(data={"to": person.name, **sent})


class GetMessagesTool(Tool):
    """Read what the exposed people wrote lately."""

    name = f"{DOMAIN}__get_messages"
    title = "Read received messages"
    description = (
        "Read the latest messages (SMS, WhatsApp, Messenger or another chat) the "
        "listed people sent, newest first, at most 20 from the last 7 days: who, "
        "channel, local time and text. Use it for questions like 'what did María "
        "write?', 'any new messages?', '¿qué me escribió María?', '¿tengo "
        "mensajes nuevos?'. Give `sender` to read one person's messages only."
    )
    annotations = ToolAnnotations(
        read_only=True, destructive=False, idempotent=True, open_world=False
    )
    integration = DOMAIN

    def __init__(self, names: list[str]) -> None:
        """List the names (and aliases) of the people whose messages may be read."""
        self.parameters = probatio.Schema(
            {
                probatio.Optional(
                    "sender", description="Only this person's messages"
                ): probatio.In(names),
            }
        )

    @override
    async def async_call(
        self, hass: HomeAssistant, tool_input: ToolInput, llm_context: LLMContext
    ) -> ToolResult:
        """Return the messages, or why there are none to return."""
        people = _exposed_people(hass, llm_context.assistant or "")
        if "sender" in tool_input.tool_args:
            person = _find(people, tool_input.tool_args["sender"])
            if person is None:
                return _error("No such person is available to this assistant")
            people = [person]
        found: list[tuple[Received, str]] = []
        for person in people:
            inbox = person.entity.coordinator.store.inbox
            found.extend(
                (message, person.name)
                for message in inbox.recent({person.entity.subentry_id})
            )
        found.sort(key=lambda item: item[0].time, reverse=True)
        return ToolResult(
            data={
                "messages": [
                    {
                        "from": name,
                        "channel": message.channel,
                        "time": dt_util.as_local(message.time).isoformat(),
                        "text": message.text,
                    }
                    for message, name in found[:MESSAGES_SHOWN]
                ]
            }
        )


@callback
def async_get_tools(
    hass: HomeAssistant, llm_context: LLMContext, api_id: str
) -> LLMTools | None:
    """Offer the tools to the Assist API when someone is exposed to the assistant."""
    if api_id != LLM_API_ASSIST:
        return None
    people = _exposed_people(hass, llm_context.assistant or "")
    if not people:
        return None
    names = [name for person in people for name in person.names]
    return LLMTools(
        tools=[SendMessageTool(names), GetMessagesTool(names)], prompt=PROMPT
    )
