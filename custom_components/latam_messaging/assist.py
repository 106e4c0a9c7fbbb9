"""Who Assist answers over chat and SMS, how often, and in which conversation.

What is decided here is kept in the entry's store: the times of each person's
last answers (a restart does not reset the limit), the conversation id per
person (follow-ups keep working after a restart) and the ids of messages that
were answered (an event replayed after a crash is not answered twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from . import sms_parts
from .const import (
    ASSIST_ANSWERS_PER_HOUR,
    BOT_MESSAGE_MAX_LENGTH,
    CONF_AGENT_ID,
    CONF_ASSIST,
    DEFAULT_AGENT_ID,
    DOMAIN,
)
from .triggers import Sender

WINDOW = timedelta(hours=1)
ANSWERED_REMEMBERED = 200
"""Ids of answered messages kept to recognise an event replayed after a crash."""
SMS_LIMIT = 160


@dataclass(slots=True)
class AssistState:
    """What must survive a restart for Assist."""

    answers: dict[str, list[str]] = field(default_factory=dict)
    """Per person (subentry id): the times of the answers in the last hour."""
    conversations: dict[str, str] = field(default_factory=dict)
    """Per person: the conversation id the agent gave."""
    answered: list[str] = field(default_factory=list)
    """Ids of messages answered (or being answered)."""
    limited: list[str] = field(default_factory=list)
    """People with a repair issue because they reached the limit."""

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON."""
        return {
            "answers": self.answers,
            "conversations": self.conversations,
            "answered": self.answered,
            "limited": self.limited,
        }

    @classmethod
    def from_json(cls, raw: Any) -> AssistState:
        """Read what was stored; anything unreadable starts afresh."""
        if not isinstance(raw, dict):
            return cls()
        try:
            return cls(
                answers={
                    str(k): [str(t) for t in v]
                    for k, v in dict(raw.get("answers", {})).items()
                    if isinstance(v, list)
                },
                conversations={
                    str(k): str(v)
                    for k, v in dict(raw.get("conversations", {})).items()
                },
                answered=[str(i) for i in list(raw.get("answered", []))],
                limited=[str(i) for i in list(raw.get("limited", []))],
            )
        except (TypeError, ValueError):
            return cls()  # damaged: Assist's memory starts afresh, the entry loads


@dataclass(frozen=True, slots=True)
class Person:
    """A subentry with assist on that wrote a message."""

    subentry_id: str
    name: str
    agent_id: str


def person(
    entry: ConfigEntry[Any], message: dict[str, Any], senders: Mapping[str, Sender]
) -> Person | None:
    """Return who wrote the message if they may talk to Assist, else None.

    `senders` are the provider's own: by subentry type, the event data of that
    person's messages.
    """
    for subentry in entry.subentries.values():
        data = subentry.data
        sender = senders.get(subentry.subentry_type)
        if sender is None or not data.get(CONF_ASSIST, False):
            continue
        if all(message.get(key) == value for key, value in sender(data).items()):
            return Person(
                subentry.subentry_id,
                subentry.title,
                str(data.get(CONF_AGENT_ID) or DEFAULT_AGENT_ID),
            )
    return None


def issue_id(subentry_id: str) -> str:
    """Name the repair issue of a person past the limit."""
    return f"assist_limit_{subentry_id}"


def may_answer(
    hass: HomeAssistant, state: AssistState, who: Person, message_id: str
) -> bool:
    """Decide whether to answer this message, and note it when so.

    Past the limit a repair issue names the person; it goes once they are
    answered again.
    """
    if message_id in state.answered:
        return False
    now = dt_util.utcnow()
    recent = [
        t
        for t in state.answers.get(who.subentry_id, [])
        if (when := dt_util.parse_datetime(t)) is not None and now - when < WINDOW
    ]
    if len(recent) >= ASSIST_ANSWERS_PER_HOUR:
        state.answers[who.subentry_id] = recent
        if who.subentry_id not in state.limited:
            state.limited.append(who.subentry_id)
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id(who.subentry_id),
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="assist_limit",
            translation_placeholders={
                "name": who.name,
                "limit": str(ASSIST_ANSWERS_PER_HOUR),
            },
        )
        return False
    state.answers[who.subentry_id] = [*recent, now.isoformat()]
    state.answered.append(message_id)
    del state.answered[:-ANSWERED_REMEMBERED]
    if who.subentry_id in state.limited:
        state.limited.remove(who.subentry_id)
        ir.async_delete_issue(hass, DOMAIN, issue_id(who.subentry_id))
    return True


def release(hass: HomeAssistant, state: AssistState, entry: ConfigEntry[Any]) -> bool:
    """Clear the repair issue of everyone whose hour has passed; True if any was.

    Someone no longer in the entry's subentries is released at once: the issue
    would name a person who is gone.
    """
    now = dt_util.utcnow()
    released = False
    for subentry_id in list(state.limited):
        recent = [
            t
            for t in state.answers.get(subentry_id, [])
            if (when := dt_util.parse_datetime(t)) is not None and now - when < WINDOW
        ]
        if len(recent) < ASSIST_ANSWERS_PER_HOUR or subentry_id not in entry.subentries:
            state.limited.remove(subentry_id)
            ir.async_delete_issue(hass, DOMAIN, issue_id(subentry_id))
            released = True
    return released


def bot_answer(speech: str) -> str:
    """Fit an answer into one bot message, cut with an ellipsis when longer."""
    if len(speech) <= BOT_MESSAGE_MAX_LENGTH:
        return speech
    return speech[: BOT_MESSAGE_MAX_LENGTH - 1].rstrip() + "…"


def sms_answer(speech: str) -> str:
    """Fit an answer into one SMS in the plain alphabet, cut with an ellipsis."""
    text = sms_parts.plain(" ".join(speech.split()))
    if sms_parts.length(text) <= SMS_LIMIT and sms_parts.segments(text) == 1:
        return text
    cut = len(text)
    while cut > 0:
        candidate = sms_parts.plain(text[:cut].rstrip() + "…")
        if sms_parts.segments(candidate) == 1 and sms_parts.length(candidate) <= (
            SMS_LIMIT
        ):
            return candidate
        cut -= 1
    return "…"  # pragma: no cover - one character always fits
