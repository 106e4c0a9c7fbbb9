"""How far each Aldeamo bot user has been read, and which messages are new.

Plain data in, plain data out: no Home Assistant here. The coordinator lists the
users, reads the messages of those `to_read` names, and commits what `read`
returns in one step, so that a poll cut short (an error, a reload) changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..api import AldeamoMessage, AldeamoUser


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far one user's messages have been read."""

    last_active: str | None
    """The user's `last_active` when last read (or when the channel was first polled)."""
    last_id: str | None
    """The newest message id read; None until the user's first read."""
    recheck: bool = False
    """Read once more at the next poll: `last_active` has whole seconds, so a message
    written in the same second as a read would not move it."""


@dataclass(slots=True)
class Channel:
    """The cursors of one listened channel."""

    since: datetime
    """When the channel was first polled: older messages are history, never events."""
    users: dict[str, Cursor] = field(default_factory=dict)


@dataclass(slots=True)
class AldeamoState:
    """What an Aldeamo entry has read, as stored."""

    account: str | None = None
    """Which key and URL the cursors were read with."""
    channels: dict[str, Channel] = field(default_factory=dict)
    """A channel without cursors has never been polled (or is listened to again)."""


class Listed(Protocol):
    """A user as listed: enough to decide whether to read their messages."""

    @property
    def user_id(self) -> str:
        """The user's id on the channel."""

    @property
    def stamp(self) -> str | None:
        """`last_active` as cursors keep it (`moment`); None when unreadable."""


def bind(state: AldeamoState, account: str, channels: Iterable[str]) -> bool:
    """Keep only cursors read with this account, for the channels listened to now.

    Another key or URL, or a channel that was dropped and is listened to again,
    starts like a first poll: history is never replayed. Returns whether anything
    was dropped.
    """
    listened = set(channels)
    if state.account is None:
        state.account = account  # nothing read yet, or cursors of an older version
    elif state.account != account:
        state.account = account
        state.channels = {}
        return True
    dropped = set(state.channels) - listened
    for channel in dropped:
        del state.channels[channel]
    return bool(dropped)


def start(users: Iterable[Listed], now: datetime) -> Channel:
    """Begin a channel: every current user is read from now on, nothing before."""
    return Channel(
        since=now,
        users={user.user_id: Cursor(user.stamp, None) for user in users},
    )


def to_read[UserT: Listed](channel: Channel, users: Iterable[UserT]) -> list[UserT]:
    """Return the users whose messages may have changed since the last poll.

    Those new to the channel, those whose `last_active` moved (or cannot be read),
    and those read at the previous poll.
    """
    cursors = channel.users
    wanted = []
    for user in users:
        cursor = cursors.get(user.user_id)
        if (
            cursor is None
            or cursor.recheck
            or user.stamp is None
            or cursor.last_active != user.stamp
        ):
            wanted.append(user)
    return wanted


def _id_key(message: AldeamoMessage) -> int:
    return int(message.id) if message.id.isdigit() else -1


def in_order(messages: Iterable[AldeamoMessage]) -> list[AldeamoMessage]:
    """Order messages by id (no document promises the list's order)."""
    listed = list(messages)
    if all(message.id.isdigit() for message in listed):
        return sorted(listed, key=_id_key)
    return listed


def unread(
    channel: Channel, user_id: str, messages: Iterable[AldeamoMessage]
) -> list[AldeamoMessage]:
    """Return the user's messages not read before, oldest first."""
    ordered = in_order(messages)
    cursor = channel.users.get(user_id)
    last_id = cursor.last_id if cursor else None
    if last_id is not None:
        ids = [message.id for message in ordered]
        if last_id.isdigit() and all(i.isdigit() for i in ids):
            return [m for m in ordered if int(m.id) > int(last_id)]
        if last_id in ids:
            return ordered[ids.index(last_id) + 1 :]
    # Never read: what was written since the channel was first polled is new (a
    # message without a time too). The provider writes whole seconds: a message of
    # the second the channel started counts as new rather than being lost.
    since = channel.since.timestamp() // 1
    return [m for m in ordered if m.time is None or m.time.timestamp() >= since]


def read(
    channel: Channel,
    user: AldeamoUser,
    messages: Iterable[AldeamoMessage],
) -> tuple[list[AldeamoMessage], Cursor]:
    """Return the user's new messages and the cursor to commit once all is read."""
    ordered = in_order(messages)
    cursor = channel.users.get(user.user_id)
    new = unread(channel, user.user_id, ordered)
    last_active = user.stamp
    moved = cursor is None or cursor.last_active != last_active or bool(new)
    last_id = ordered[-1].id if ordered else (cursor.last_id if cursor else None)
    return new, Cursor(last_active, last_id, recheck=moved)


def commit(
    state: AldeamoState,
    name: str,
    read_cursors: Mapping[str, Cursor],
) -> None:
    """Store the cursors of the users read in one channel."""
    state.channels[name].users.update(read_cursors)
