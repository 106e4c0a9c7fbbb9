"""Which Aldeamo bot users to read, and which of their messages are new.

Plain data in, plain data out: no Home Assistant here, and no clock of its own.
Every comparison is between two times the provider wrote, each with one of its
own kind: `last_active` with `last_active` (who moved since the last listing),
message `time` with message `time` and with the first listing's HTTP `Date`
(what is new). Home Assistant's clock decides nothing. Why these and not others:
`docs/aldeamo-read-position.md`.

The coordinator lists the users, reads the messages of those `to_read` names,
and commits what `read` returns in one step, so that a poll cut short (an
error, a reload) changes nothing. What is kept per person is only for people
heard from since listening started; everyone else costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..api import AldeamoMessage, AldeamoUser

UNTIMED = -1
"""The time given to a message without one before any timed message of its list."""


@dataclass(frozen=True, slots=True)
class Seen:
    """How far one person's messages have been read."""

    at: int
    """The newest message time read: Unix seconds on the provider's clock."""
    ids: frozenset[str]
    """The ids read of that second: a second message in the same second is new."""
    after_id: str | None = None
    """Cursors of an older version: the newest id read (no time was kept)."""


@dataclass(slots=True)
class Channel:
    """Where one listened channel has been read."""

    since: int | None
    """When listening started, Unix seconds on the provider's clock: the first
    listing's `Date` header. The messages of people listed then that are older
    are history, never events. None: nothing told the moment."""
    first_mark: str | None
    """The newest `last_active` of the first listing: whoever was created after
    it first appeared after listening started, and all they wrote is new. None:
    nobody with a readable `last_active` was listed."""
    mark: str | None
    """The newest `last_active` of the listings so far: who is above it moved."""
    recheck: bool = False
    """Read the users at `mark` once more at the next poll: `last_active` has
    whole seconds, so a message later in the same second would not move it."""
    retry: frozenset[str] = frozenset()
    """Users whose messages could not be read: read again at the next poll."""
    people: dict[str, Seen] = field(default_factory=dict)
    """Only the people heard from since listening started."""
    epoch: int = 0
    """Which start of listening this is: cursors stored for an earlier one (the
    channel dropped, then listened to again) are not this one's."""


@dataclass(slots=True)
class AldeamoState:
    """What an Aldeamo entry has read, as stored."""

    account: str | None = None
    """Which key and URL the cursors were read with."""
    channels: dict[str, Channel] = field(default_factory=dict)
    """A channel without cursors has never been polled (or is listened to again)."""
    starts: int = 0
    """How many times a channel started to be listened to (each one's `epoch`)."""
    repeating: frozenset[str] = frozenset()
    """Events fired again after a restart (they may have fired before it): a
    second restart drops them rather than firing them a third time."""


class Listed(Protocol):
    """A user as listed: enough to decide whether to read their messages."""

    @property
    def user_id(self) -> str:
        """The user's id on the channel."""

    @property
    def stamp(self) -> str | None:
        """`last_active` in ISO 8601; None when unreadable."""


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


def moment(stamp: str) -> datetime:
    """Read a stamp (an ISO 8601 `last_active`)."""
    return datetime.fromisoformat(stamp)


def later(stamp: str, than: str) -> bool:
    """Tell whether one `last_active` is later than another (whole seconds)."""
    if len(stamp) == len(than) == 25 and stamp[19:] == than[19:]:
        return stamp > than  # same form and offset: the text orders as the time
    return moment(stamp) > moment(than)


def newest(stamps: Iterable[str | None], mark: str | None = None) -> str | None:
    """Return the latest of some stamps (and `mark`), None if there is none."""
    for stamp in stamps:
        if stamp is not None and (mark is None or later(stamp, mark)):
            mark = stamp
    return mark


def start(
    users: Iterable[Listed], answered_at: datetime | None, epoch: int = 0
) -> Channel:
    """Begin a channel: what the listed people wrote before now is history.

    `answered_at` is the listing's `Date` header. Without one, the newest
    `last_active` listed stands in for it (everything before was history; a
    message of that very second counts as history too).
    """
    mark = newest(user.stamp for user in users)
    if answered_at is not None:
        since: int | None = int(answered_at.timestamp())
    elif mark is not None:
        since = int(moment(mark).timestamp()) + 1
    else:
        since = None
    # Someone active in the listing's own second: a message later in that second
    # moves no one's `last_active`, so those at the mark are read once more (what
    # they wrote from `since` on is new), as after any listing that moves the mark.
    recheck = (
        mark is not None and since is not None and moment(mark).timestamp() >= since
    )
    return Channel(
        since=since, first_mark=mark, mark=mark, recheck=recheck, epoch=epoch
    )


def to_read[UserT: Listed](channel: Channel, users: Iterable[UserT]) -> list[UserT]:
    """Return the users whose messages may have changed since the last poll.

    Those whose `last_active` is later than any listed before (or cannot be
    read), those at the newest second just after it moved, and those whose
    read failed.
    """
    mark, recheck, retry = channel.mark, channel.recheck, channel.retry
    wanted = []
    for user in users:
        stamp = user.stamp
        if (
            stamp is None
            or mark is None
            or later(stamp, mark)
            or (recheck and not later(mark, stamp))
            or user.user_id in retry
        ):
            wanted.append(user)
    return wanted


def _id_key(message: AldeamoMessage) -> int:
    return int(message.id) if message.id.isdigit() else -1


def in_order(messages: Iterable[AldeamoMessage]) -> list[AldeamoMessage]:
    """Order messages by id when every id is a number (no document promises order)."""
    listed = list(messages)
    if all(message.id.isdigit() for message in listed):
        return sorted(listed, key=_id_key)
    return listed


def timed(messages: Iterable[AldeamoMessage]) -> list[tuple[int, AldeamoMessage]]:
    """Pair each message with its time in Unix seconds, oldest first.

    A message without a time takes the time of the one before it in the list.
    """
    paired: list[tuple[int, AldeamoMessage]] = []
    last = UNTIMED
    for message in in_order(messages):
        if message.time is not None:
            last = max(last, int(message.time.timestamp()))
        paired.append((last, message))
    paired.sort(key=lambda item: item[0])  # stable: same second stays in id order
    return paired


def is_newcomer(channel: Channel, user: AldeamoUser) -> bool:
    """Tell whether a person first appeared after listening started.

    Their `date_created` is later than every `last_active` listed then: the same
    kind of time, written by the same server.
    """
    if channel.first_mark is None:
        return True
    created = user.date_created
    return created is not None and created > moment(channel.first_mark)


def _first_read(
    channel: Channel, user: AldeamoUser, messages: list[tuple[int, AldeamoMessage]]
) -> list[AldeamoMessage]:
    if is_newcomer(channel, user):
        return [message for _, message in messages]
    since = channel.since
    if since is None:
        return []  # no moment to tell history by: nothing is replayed
    return [message for at, message in messages if at == UNTIMED or at >= since]


def _after_id(
    seen: Seen, since: int | None, messages: list[tuple[int, AldeamoMessage]]
) -> list[AldeamoMessage]:
    """Return what an older version's cursor (the last id read) has not read."""
    last_id = seen.after_id
    assert last_id is not None
    ids = [message.id for _, message in messages]
    if last_id.isdigit() and all(i.isdigit() for i in ids):
        return [m for _, m in messages if int(m.id) > int(last_id)]
    if last_id in ids:
        return [m for _, m in messages[ids.index(last_id) + 1 :]]
    return [m for at, m in messages if since is not None and at >= since]


def read(
    channel: Channel, user: AldeamoUser, messages: Iterable[AldeamoMessage]
) -> tuple[list[AldeamoMessage], Seen | None]:
    """Return the person's new messages, oldest first, and what to keep of them.

    What to keep is None when nothing needs keeping: someone who wrote nothing
    new and was never heard from, or a cursor that did not move.
    """
    paired = timed(messages)
    seen = channel.people.get(user.user_id)
    if seen is None:
        new = _first_read(channel, user, paired)
    elif seen.after_id is not None:
        new = _after_id(seen, channel.since, paired)
    else:
        new = [
            message
            for at, message in paired
            if at > seen.at or (at == seen.at and message.id not in seen.ids)
        ]
    if not paired or (not new and (seen is None or seen.after_id is None)):
        return new, None
    top = paired[-1][0]
    return new, Seen(top, frozenset(message.id for at, message in paired if at == top))
