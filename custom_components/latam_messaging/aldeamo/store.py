"""How an Aldeamo bot's read position is written to storage, and read back.

Written by what changed, not by how many users a bot has:

- the entry's own file (`latam_messaging.<entry id>`, the `EntryStore`) holds
  each channel's few values (`since`, `first_mark`, `mark`, `recheck`, `retry`),
  the events not fired yet, and the *journal*: the people whose cursor changed
  and is not yet in its shard;
- the people heard from since listening started are spread over `SHARDS` files
  (`latam_messaging.<entry id>.people_<n>`) by a hash of channel and user id:
  one new message rewrites the entry's file and one shard.

The entry's file is always written first: a crash between the two writes
leaves the journal, which is read over the shards, so nothing is lost and
nothing is read twice. Older files (every listed user's cursor in the entry's
file) are read as they are and written the new way at the first save.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
import zlib

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store

from ..const import DOMAIN, LOGGER
from ..store import STORAGE_VERSION, EntryStore
from .cursors import UNTIMED, AldeamoState, Channel, Seen, moment, newest

SHARDS = 64
"""Files the people are spread over: 10,000 people are about 150 per file (6 KB)."""


def shard_of(channel: str, user_id: str) -> int:
    """Return which shard keeps one person's cursor (stable across restarts)."""
    return zlib.crc32(f"{channel}\n{user_id}".encode()) % SHARDS


class AldeamoStore(EntryStore[AldeamoState]):
    """The read position of one Aldeamo bot: its channels, and its people in shards."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty."""
        super().__init__(hass, entry_id, AldeamoState())
        self._hass = hass
        self._entry_id = entry_id
        self._shards: dict[int, Store[dict[str, Any]]] = {}
        self.journal: set[tuple[str, str]] = set()
        """(channel, user id) of cursors changed since their shard was last written."""
        self.kept: set[int] = set()
        """The shards that hold someone (written, or to be written)."""

    def _shard(self, index: int) -> Store[dict[str, Any]]:
        if index not in self._shards:
            self._shards[index] = Store(
                self._hass,
                STORAGE_VERSION,
                f"{DOMAIN}.{self._entry_id}.people_{index:02d}",
                atomic_writes=True,
            )
        return self._shards[index]

    def changed(self, channel: str, user_id: str) -> None:
        """Note that one person's cursor changed: it is written at the next save."""
        self.journal.add((channel, user_id))

    def _to_json(self) -> dict[str, Any]:
        return {
            "account": self.state.account,
            "layout": "shards",
            "shards": sorted(self.kept),
            "starts": self.state.starts,
            "channels": {
                name: _channel_to_json(channel)
                for name, channel in self.state.channels.items()
            },
            "repeating": sorted(self.state.repeating),
            "journal": [
                [name, user_id, _seen_to_json(seen)]
                for name, user_id in sorted(self.journal)
                if (channel := self.state.channels.get(name)) is not None
                and (seen := channel.people.get(user_id)) is not None
            ],
        }

    def _from_json(self, raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
        if raw.get("layout") != "shards":
            return self._migrate(raw, skipped)
        state = AldeamoState(account=_optional_text(raw.get("account")))
        starts = raw.get("starts", 0)
        state.starts = starts if isinstance(starts, int) else 0
        repeating = raw.get("repeating", [])
        if isinstance(repeating, list):
            state.repeating = frozenset(str(key) for key in repeating)
        channels = raw.get("channels", {})
        for name, channel in channels.items() if isinstance(channels, dict) else ():
            try:
                state.channels[str(name)] = _channel_from_json(channel)
            except (KeyError, TypeError, ValueError, AttributeError) as err:
                skipped.append(f"the read position of {name}: {err!r}")
        shards = raw.get("shards", [])
        self.kept = {i for i in shards if isinstance(i, int) and 0 <= i < SHARDS}
        for item in raw.get("journal", []):
            try:
                name, user_id, seen = item
                state.channels[name].people[str(user_id)] = _seen_from_json(seen)
                self.journal.add((name, str(user_id)))
            except (KeyError, TypeError, ValueError) as err:
                skipped.append(f"a journal entry: {err!r}")
        return state

    def _migrate(self, raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
        """Read what older versions wrote: every listed user's cursor, in this file.

        Users never heard from are not kept; those read are (their last id);
        those due for a second read are read at the next poll. Their newest
        `last_active` is where listening goes on from: what was written later is
        new, what was written before was read already or is history.
        """
        state = AldeamoState(account=_optional_text(raw.get("account")))
        if "channels" in raw:
            old = raw["channels"]
            users = {
                name: channel.get("users", {}) if isinstance(channel, dict) else None
                for name, channel in (old.items() if isinstance(old, dict) else ())
            }
        else:  # minor version 1: {"cursors": {channel: {user: {...}}}}
            old = raw.get("cursors", {})
            users = dict(old.items()) if isinstance(old, dict) else {}
        if not isinstance(old, dict):
            skipped.append("the cursors are not an object")
        for name, cursors in users.items():
            if not isinstance(cursors, dict):
                skipped.append(f"cursors of {name} are not an object")
                continue
            state.channels[str(name)] = self._migrate_channel(
                str(name), cursors, skipped
            )
        return state

    def _migrate_channel(
        self, name: str, cursors: Mapping[str, Any], skipped: list[str]
    ) -> Channel:
        read: dict[str, str] = {}
        again: set[str] = set()
        stamps: list[str | None] = []
        for user_id, cursor in cursors.items():
            try:
                if isinstance(cursor, dict):  # minor version 1
                    last_active, last_id = cursor["last_active"], cursor["last_id"]
                    recheck = False
                else:
                    last_active, last_id, recheck = cursor
                if last_active is not None:
                    moment(str(last_active))
                    stamps.append(str(last_active))
            except (KeyError, TypeError, ValueError) as err:
                skipped.append(f"a cursor of {name}: {err!r}")
                continue
            if last_id is not None:
                read[str(user_id)] = str(last_id)
            if recheck is True:
                again.add(str(user_id))
        mark = newest(stamps)
        channel = Channel(
            since=int(moment(mark).timestamp()) + 1 if mark else None,
            first_mark=mark,
            mark=mark,
            retry=frozenset(again),
        )
        for user_id, last_id in read.items():
            channel.people[user_id] = Seen(UNTIMED, frozenset(), after_id=last_id)
            self.journal.add((name, user_id))
        return channel

    async def async_load(self) -> AldeamoState:
        """Load the entry's file, then the shards it names, the journal over them."""
        await super().async_load()
        for index in sorted(self.kept):
            try:
                raw = await self._shard(index).async_load()
            except (
                ValueError,
                OSError,
                NotImplementedError,
                HomeAssistantError,
            ) as err:
                # A newer version's file (Home Assistant refuses it), or a broken disk.
                LOGGER.warning(
                    "Stored cursors in shard %d could not be read (%r); their "
                    "people count as not heard from",
                    index,
                    err,
                )
                continue
            people = raw.get("channels", {}) if isinstance(raw, dict) else {}
            self._read_shard(people if isinstance(people, dict) else {})
        return self.state

    def _read_shard(self, people: Mapping[str, Any]) -> None:
        channels = self.state.channels
        for name, kept in people.items():
            channel = channels.get(name)
            if (
                channel is None
                or not isinstance(kept, dict)
                or kept.get("epoch") != channel.epoch
                or not isinstance(users := kept.get("people"), dict)
            ):
                continue  # a channel no longer listened to, or listened to again since
            for user_id, seen in users.items():
                if (name, user_id) in self.journal:
                    continue  # the journal is newer
                try:
                    channel.people[user_id] = _seen_from_json(seen)
                except (TypeError, ValueError) as err:
                    LOGGER.debug("A stored cursor of %s unreadable: %r", name, err)

    async def async_save(self) -> None:
        """Save the entry's file now, then the shards of the people who changed."""
        channels = self.state.channels
        written = {
            (name, user_id): channels[name].people.get(user_id)
            for name, user_id in self.journal
            if name in channels
        }
        touched = {shard_of(name, user_id) for name, user_id in written}
        self.kept |= touched
        await super().async_save()
        shards = {index: self._shard_json(index) for index in touched}
        for index in sorted(shards):
            await self._shard(index).async_save(shards[index])
        # What changed again meanwhile stays in the journal.
        self.journal = {
            (name, user_id)
            for name, user_id in self.journal
            if (name, user_id) not in written
            or name not in channels
            or channels[name].people.get(user_id) is not written[name, user_id]
        }

    def _shard_json(self, index: int) -> dict[str, Any]:
        people = {
            name: {
                user_id: _seen_to_json(seen)
                for user_id, seen in channel.people.items()
                if shard_of(name, user_id) == index
            }
            for name, channel in self.state.channels.items()
        }
        return {
            "channels": {
                name: {"epoch": self.state.channels[name].epoch, "people": kept}
                for name, kept in people.items()
                if kept
            }
        }

    async def async_remove(self) -> None:
        """Delete the entry's file and every shard."""
        await super().async_remove()
        for index in range(SHARDS):
            await self._shard(index).async_remove()


def _channel_to_json(channel: Channel) -> dict[str, Any]:
    return {
        "since": channel.since,
        "first_mark": channel.first_mark,
        "mark": channel.mark,
        "recheck": channel.recheck,
        "retry": sorted(channel.retry),
        "epoch": channel.epoch,
    }


def _channel_from_json(raw: Any) -> Channel:
    since = raw["since"]
    if since is not None and (isinstance(since, bool) or not isinstance(since, int)):
        raise TypeError(f"since is not a Unix time: {since!r}")
    first_mark, mark = _optional_stamp(raw["first_mark"]), _optional_stamp(raw["mark"])
    return Channel(
        since=since,
        first_mark=first_mark,
        mark=mark,
        recheck=raw.get("recheck") is True,
        retry=frozenset(str(user_id) for user_id in _items(raw.get("retry", []))),
        epoch=_epoch(raw.get("epoch", 0)),
    )


def _epoch(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"not an epoch: {value!r}")
    return value


def _seen_to_json(seen: Seen) -> list[Any]:
    if seen.after_id is not None:
        return [None, [], seen.after_id]
    return [seen.at, sorted(seen.ids)]


def _seen_from_json(raw: Any) -> Seen:
    at, ids, *rest = raw
    if rest:
        return Seen(UNTIMED, frozenset(), after_id=str(rest[0]))
    if isinstance(at, bool) or not isinstance(at, int):
        raise TypeError(f"not a Unix time: {at!r}")
    return Seen(at, frozenset(str(i) for i in _items(ids)))


def _items(value: Any) -> Iterable[Any]:
    if not isinstance(value, list):
        raise TypeError(f"not a list: {value!r}")
    return value


def _optional_stamp(value: Any) -> str | None:
    if value is None:
        return None
    moment(str(value))  # raises ValueError if it is no time
    return str(value)


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
