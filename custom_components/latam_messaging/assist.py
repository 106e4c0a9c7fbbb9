"""Who Assist answers over chat and SMS, how often, and in which conversation.

What is decided here is kept in the entry's store: the times of each person's
last answers (a restart does not reset the limit), the conversation id per
person (follow-ups keep working after a restart) and the ids of messages that
were answered (an event replayed after a crash is not answered twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from . import key_word, sms_parts
from .const import (
    ASSIST_ANSWERS_PER_HOUR,
    BOT_MESSAGE_MAX_LENGTH,
    CONF_AGENT_ID,
    CONF_ASSIST,
    CONF_ASSIST_PIN,
    DEFAULT_AGENT_ID,
    DOMAIN,
)
from .triggers import Sender
from .validation import masked

WINDOW = timedelta(hours=1)
ANSWERED_REMEMBERED = 200
"""Ids of answered messages kept to recognise an event replayed after a crash."""
SMS_LIMIT = 160
WRONG_KEY_WORDS = 5
"""Messages without the right key word in an hour that have Assist ignore a number."""


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
    wrong: dict[str, list[str]] = field(default_factory=dict)
    """Per person: the times of the messages without the right key word, last hour."""
    blocked: dict[str, str] = field(default_factory=dict)
    """Per person: until when Assist ignores their number (too many wrong key words)."""
    unlocked: list[str] = field(default_factory=list)
    """Ids of messages that came with the right key word, not yet answered."""

    def to_json(self) -> dict[str, Any]:
        """Return the state as JSON."""
        return {
            "answers": self.answers,
            "conversations": self.conversations,
            "answered": self.answered,
            "limited": self.limited,
            "wrong": self.wrong,
            "blocked": self.blocked,
            "unlocked": self.unlocked,
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
                wrong={
                    str(k): [str(t) for t in v]
                    for k, v in dict(raw.get("wrong", {})).items()
                    if isinstance(v, list)
                },
                blocked={
                    str(k): str(v) for k, v in dict(raw.get("blocked", {})).items()
                },
                unlocked=[str(i) for i in list(raw.get("unlocked", []))],
            )
        except (TypeError, ValueError):
            return cls()  # damaged: Assist's memory starts afresh, the entry loads


@dataclass(frozen=True, slots=True)
class Person:
    """A subentry with assist on that wrote a message."""

    subentry_id: str
    name: str
    agent_id: str
    key_word: str = field(default="", repr=False)
    """The key word their messages start with; empty if they need none."""
    needs_key_word: bool = False
    """True when only messages that came with the right key word are answered."""


def person(
    entry: ConfigEntry[Any],
    message: Mapping[str, Any],
    senders: Mapping[str, Sender],
    *,
    key_word_required: bool = False,
) -> Person | None:
    """Return who wrote the message if they may talk to Assist, else None.

    `senders` are the provider's own: by subentry type, the event data of that
    person's messages. With `key_word_required` (a channel whose sender can be
    forged) everyone needs a key word; elsewhere only who chose one.
    """
    for subentry in entry.subentries.values():
        data = subentry.data
        sender = senders.get(subentry.subentry_type)
        if sender is None or not data.get(CONF_ASSIST, False):
            continue
        if all(message.get(key) == value for key, value in sender(data).items()):
            chosen = str(data.get(CONF_ASSIST_PIN) or "")
            return Person(
                subentry.subentry_id,
                subentry.title,
                str(data.get(CONF_AGENT_ID) or DEFAULT_AGENT_ID),
                chosen,
                key_word_required or bool(chosen),
            )
    return None


def blocked_issue_id(subentry_id: str) -> str:
    """Name the repair issue of a person ignored after too many wrong key words."""
    return f"assist_blocked_{subentry_id}"


def admit(
    hass: HomeAssistant, state: AssistState, who: Person, message: dict[str, Any]
) -> None:
    """Read a message of a person who needs a key word, before anything sees it.

    The right key word is removed from the message and lets it reach Assist
    (unless the person is ignored for now); anything else counts as a wrong
    try, and too many in an hour have Assist ignore them for an hour.
    """
    if not who.needs_key_word:
        return
    now = dt_util.utcnow()
    checked = key_word.check(str(message.get("message", "")), who.key_word)
    if who.key_word and checked.matched:
        message["message"] = checked.text  # the key word goes, whatever follows
        if checked.text and not _is_blocked(state, who.subentry_id, now):
            state.unlocked.append(str(message["message_id"]))
            del state.unlocked[:-ANSWERED_REMEMBERED]
        return
    if not who.key_word or _is_blocked(state, who.subentry_id, now):
        return  # no key word chosen yet (its repair asks for one), or ignored now
    tries = [*_within_hour(state.wrong.get(who.subentry_id, []), now), now.isoformat()]
    state.wrong[who.subentry_id] = tries
    if len(tries) < WRONG_KEY_WORDS:
        return
    del state.wrong[who.subentry_id]
    state.blocked[who.subentry_id] = (now + WINDOW).isoformat()
    ir.async_create_issue(
        hass,
        DOMAIN,
        blocked_issue_id(who.subentry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="assist_blocked",
        translation_placeholders={
            "name": who.name,
            "number": masked(str(message.get("client_id", ""))),
            "tries": str(WRONG_KEY_WORDS),
        },
    )


def may_reach(state: AssistState, who: Person, message_id: str) -> bool:
    """Tell whether a message may go to the agent: it came with the key word if needed."""
    if not who.needs_key_word:
        return True
    if message_id not in state.unlocked:
        return False
    state.unlocked.remove(message_id)
    return True


def _is_blocked(state: AssistState, subentry_id: str, now: datetime) -> bool:
    until = dt_util.parse_datetime(state.blocked.get(subentry_id, ""))
    return until is not None and now < until


def _within_hour(times: list[str], now: datetime) -> list[str]:
    return [
        t
        for t in times
        if (when := dt_util.parse_datetime(t)) is not None and now - when < WINDOW
    ]


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
    for subentry_id in list(state.blocked):
        if not _is_blocked(state, subentry_id, now) or (
            subentry_id not in entry.subentries
        ):
            del state.blocked[subentry_id]
            ir.async_delete_issue(hass, DOMAIN, blocked_issue_id(subentry_id))
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
