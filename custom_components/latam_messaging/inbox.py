"""What each person wrote lately, for the Assist tool that reads it (`llm.py`).

Kept in the entry's store, so it survives a restart, and bounded: per person the
last MESSAGES_KEPT messages, none older than KEPT_FOR. Only people of the entry
(recipients and contacts) are kept; who may read them is decided when they are read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.util import dt as dt_util

from .triggers import Sender

MESSAGES_KEPT = 20
KEPT_FOR = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Received:
    """One message a person wrote."""

    subentry_id: str
    channel: str
    time: datetime
    text: str


@dataclass(slots=True)
class Inbox:
    """The recent messages of an entry's people, oldest first."""

    messages: list[Received] = field(default_factory=list)

    def add(
        self,
        entry: ConfigEntry[Any],
        message: Mapping[str, Any],
        senders: Mapping[str, Sender],
    ) -> None:
        """Keep a message event's message if one of the entry's people wrote it."""
        for subentry in entry.subentries.values():
            sender = senders.get(subentry.subentry_type)
            if sender is None or any(
                message.get(key) != value
                for key, value in sender(subentry.data).items()
            ):
                continue
            now = dt_util.utcnow()
            when = _time(message.get("time")) or now
            self.messages.append(
                Received(
                    subentry.subentry_id,
                    str(message.get("channel", "")),
                    min(when, now),
                    str(message.get("message", "")),
                )
            )
            self._trim(now, subentry.subentry_id)
            return

    def _trim(self, now: datetime, subentry_id: str) -> None:
        self.messages.sort(key=lambda item: item.time)
        theirs = [m for m in self.messages if m.subentry_id == subentry_id]
        dropped = set(map(id, theirs[:-MESSAGES_KEPT]))
        self.messages = [
            m
            for m in self.messages
            if id(m) not in dropped and now - m.time <= KEPT_FOR
        ]

    def recent(self, subentry_ids: set[str]) -> list[Received]:
        """Return the messages of these people from the last KEPT_FOR, newest first."""
        since = dt_util.utcnow() - KEPT_FOR
        return [
            m
            for m in reversed(self.messages)
            if m.subentry_id in subentry_ids and m.time >= since
        ]

    def to_json(self) -> list[dict[str, str]]:
        """Return the messages as JSON."""
        return [
            {
                "subentry_id": m.subentry_id,
                "channel": m.channel,
                "time": m.time.isoformat(),
                "text": m.text,
            }
            for m in self.messages
        ]

    @classmethod
    def from_json(cls, raw: Any) -> Inbox:
        """Read what was stored, keeping each message that can be read."""
        messages: list[Received] = []
        for item in raw if isinstance(raw, list) else []:
            when = _time(item.get("time")) if isinstance(item, dict) else None
            if when is None:
                continue  # unreadable: that message is forgotten, the rest kept
            messages.append(
                Received(
                    str(item.get("subentry_id", "")),
                    str(item.get("channel", "")),
                    when,
                    str(item.get("text", "")),
                )
            )
        messages.sort(key=lambda item: item.time)
        return cls(messages)


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt_util.parse_datetime(value)
    except ValueError:
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return dt_util.as_utc(parsed)
