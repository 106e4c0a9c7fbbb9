"""What must survive a restart: what is followed, what was read, events not fired yet.

Tracked deliveries, the schedules last seen, message cursors, and events computed
but not fired yet (Home Assistant was still starting) are kept together.

One versioned Store per config entry. Status changes are saved with a short delay
(a burst of changes is one write); what would be lost otherwise, such as a newly
sent delivery, is saved at once. Home Assistant flushes delayed saves when it stops,
and unloading an entry flushes them too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .assist import AssistState
from .const import DOMAIN, LOGGER
from .cursors import AldeamoState, Channel, Cursor
from .deliveries import ElibomState, SeenSchedule, TrackedDelivery

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 2
SAVE_DELAY = 2.0
"""Seconds that collect status changes into one write."""


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event computed and stored, waiting to be fired (Home Assistant starting)."""

    event_type: str
    data: dict[str, Any]


class _VersionedStore(Store[dict[str, Any]]):
    """Migrates data written by older versions of the integration."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        # Version 1 is the first; a file from a newer major version cannot be read.
        if old_major_version > STORAGE_VERSION:
            raise ValueError(
                f"it was written by a newer version (storage {old_major_version})"
            )
        return old_data


class EntryStore[StateT](ABC):
    """Loads, holds and saves one entry's state; subclasses say how it is written."""

    def __init__(self, hass: HomeAssistant, entry_id: str, state: StateT) -> None:
        """Prepare the store; call async_load before use."""
        self._store = _VersionedStore(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.{entry_id}",
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )
        self.state = state
        self.outbox: list[PendingEvent] = []
        """Events computed, saved with the state that produced them, not fired yet."""
        self.assist = AssistState()
        """Who Assist answered, when, and in which conversation."""

    @abstractmethod
    def _to_json(self) -> dict[str, Any]:
        """Return the state as JSON."""

    @abstractmethod
    def _from_json(self, raw: Mapping[str, Any], skipped: list[str]) -> StateT:
        """Read the state, noting in `skipped` what could not be read."""

    async def async_load(self) -> StateT:
        """Load the saved state; whatever cannot be read is dropped, said once."""
        try:
            raw: Any = await self._store.async_load()
        except (ValueError, HomeAssistantError) as err:
            # A newer version's file: our own migration refuses it, and newer Home
            # Assistant releases refuse it before that.
            LOGGER.warning(
                "Stored state in %s could not be read (%s); starting afresh",
                self._store.path,
                err,
            )
            return self.state
        if raw is None:
            return self.state
        skipped: list[str] = []
        if isinstance(raw, dict):
            # Thousands of records take tens of milliseconds to build: not in the
            # event loop. Nothing else holds `raw` or the new state yet.
            (
                self.state,
                self.outbox,
                self.assist,
            ) = await self._store.hass.async_add_executor_job(self._read, raw, skipped)
        else:
            skipped.append("the stored data is not an object")
        if skipped:
            LOGGER.warning(
                "Stored state in %s was partly unreadable; kept what could be read "
                "and dropped %d item(s): %s",
                self._store.path,
                len(skipped),
                "; ".join(skipped[:5]),
            )
        return self.state

    def _read(
        self, raw: Mapping[str, Any], skipped: list[str]
    ) -> tuple[StateT, list[PendingEvent], AssistState]:
        return (
            self._from_json(raw, skipped),
            _each(raw, "outbox", _event_from_json, skipped),
            AssistState.from_json(raw.get("assist")),
        )

    def _everything(self) -> dict[str, Any]:
        return {
            **self._to_json(),
            "outbox": [
                {"event_type": event.event_type, "data": event.data}
                for event in self.outbox
            ],
            "assist": self.assist.to_json(),
        }

    def schedule_save(self) -> None:
        """Save soon, collecting further changes into the same write."""
        self._store.async_delay_save(self._everything, SAVE_DELAY)

    async def async_save(self) -> None:
        """Save now (cancels a pending delayed save)."""
        await self._store.async_save(self._everything())

    async def async_remove(self) -> None:
        """Delete the stored file."""
        await self._store.async_remove()


class ElibomStore(EntryStore[ElibomState]):
    """Tracked deliveries and schedules of one Elibom account."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty."""
        super().__init__(hass, entry_id, ElibomState())

    def _to_json(self) -> dict[str, Any]:
        return _elibom_to_json(self.state)

    def _from_json(self, raw: Mapping[str, Any], skipped: list[str]) -> ElibomState:
        return _elibom_from_json(raw, skipped)


class AldeamoStore(EntryStore[AldeamoState]):
    """Message cursors of one Aldeamo bot."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty."""
        super().__init__(hass, entry_id, AldeamoState())

    def _to_json(self) -> dict[str, Any]:
        return _aldeamo_to_json(self.state)

    def _from_json(self, raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
        return _aldeamo_from_json(raw, skipped)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = dt_util.parse_datetime(str(value))
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed


def _required_time(value: Any, what: str) -> datetime:
    parsed = _parse_time(value)
    if parsed is None:
        raise ValueError(f"{what} is missing")
    return parsed


def _event_from_json(item: Any) -> PendingEvent:
    data = item["data"]
    if not isinstance(data, dict):
        raise TypeError("the data of a pending event is not an object")
    return PendingEvent(event_type=str(item["event_type"]), data=data)


def _elibom_to_json(state: ElibomState) -> dict[str, Any]:
    return {
        "deliveries": [
            {
                "token": d.token,
                "status": d.status,
                "num_sent": d.num_sent,
                "num_failed": d.num_failed,
                "sent_at": _time(d.sent_at),
                "recipients": d.recipients,
                "next_due": _time(d.next_due),
            }
            for d in state.deliveries.values()
        ],
        "schedules": [
            {
                "id": s.id,
                "scheduled_time": _time(s.scheduled_time),
                "text": s.text,
                "destinations": s.destinations,
            }
            for s in state.schedules.values()
        ],
        "leaving": sorted(state.leaving),
        "settled": [
            {"id": schedule_id, "status": status}
            for schedule_id, status in state.settled.items()
        ],
        "inbound": list(state.inbound),
    }


def _elibom_from_json(raw: Mapping[str, Any], skipped: list[str]) -> ElibomState:
    state = ElibomState()
    for delivery in _each(raw, "deliveries", _delivery_from_json, skipped):
        state.deliveries[delivery.token] = delivery
    for schedule in _each(raw, "schedules", _schedule_from_json, skipped):
        state.schedules[schedule.id] = schedule
    state.leaving = set(_each(raw, "leaving", str, skipped))
    for schedule_id, status in _each(raw, "settled", _settled_from_json, skipped):
        state.settled[schedule_id] = status
    state.inbound = _each(raw, "inbound", str, skipped)
    return state


def _delivery_from_json(item: Any) -> TrackedDelivery:
    sent_at = _required_time(item["sent_at"], "the sending time")
    # Stores written before due times existed, or a due time damaged: due at the
    # next poll (the delivery itself is kept: it was paid for).
    try:
        next_due = _parse_time(item.get("next_due"))
    except ValueError:
        next_due = None
    next_due = next_due or dt_util.utc_from_timestamp(0)
    return TrackedDelivery(
        token=str(item["token"]),
        status=str(item["status"]),
        num_sent=int(item["num_sent"]),
        num_failed=int(item["num_failed"]),
        sent_at=sent_at,
        recipients=int(item["recipients"]),
        next_due=next_due,
    )


def _schedule_from_json(item: Any) -> SeenSchedule:
    text = item.get("text")
    return SeenSchedule(
        id=str(item["id"]),
        scheduled_time=_parse_time(item.get("scheduled_time")),
        text=str(text) if text is not None else None,
        destinations=int(item.get("destinations", 0)),
    )


def _settled_from_json(item: Any) -> tuple[str, str]:
    return str(item["id"]), str(item["status"])


def _each[ItemT](
    raw: Mapping[str, Any],
    key: str,
    parse: Callable[[Any], ItemT],
    skipped: list[str],
) -> list[ItemT]:
    """Parse every item of a stored list, keeping the good ones and noting the rest."""
    items = raw.get(key, [])
    if not isinstance(items, list):
        skipped.append(f"{key} is not a list")
        return []
    parsed: list[ItemT] = []
    for item in items:
        try:
            parsed.append(parse(item))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            skipped.append(f"{key}: {err!r}")
    return parsed


def _aldeamo_to_json(state: AldeamoState) -> dict[str, Any]:
    return {
        "account": state.account,
        "channels": {
            name: {
                "since": _time(channel.since),
                "users": {
                    user_id: [c.last_active, c.last_id, c.recheck]
                    for user_id, c in channel.users.items()
                },
            }
            for name, channel in state.channels.items()
        },
    }


def _aldeamo_from_json(raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
    state = AldeamoState(account=_optional_text(raw.get("account")))
    if "channels" not in raw:
        return _aldeamo_from_version_1(raw, skipped)
    channels = raw.get("channels", {})
    if not isinstance(channels, dict):
        skipped.append("channels is not an object")
        return state
    for name, channel in channels.items():
        try:
            state.channels[str(name)] = _channel_from_json(channel, skipped)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            skipped.append(f"cursors of {name}: {err!r}")
    return state


def _aldeamo_from_version_1(raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
    """Read cursors written before they were tied to an account (minor version 1).

    They were read with the entry's own key, so they are kept as they are; users
    never read count their messages from now on.
    """
    state = AldeamoState()
    channels = raw.get("cursors", {})
    if not isinstance(channels, dict):
        skipped.append("cursors is not an object")
        return state
    now = dt_util.utcnow()
    for name, users in channels.items():
        channel = state.channels.setdefault(str(name), Channel(since=now))
        for user_id, cursor in users.items() if isinstance(users, dict) else ():
            try:
                channel.users[str(user_id)] = Cursor(
                    last_active=_optional_text(cursor.get("last_active")),
                    last_id=_optional_text(cursor.get("last_id")),
                )
            except AttributeError as err:
                skipped.append(f"cursor of {name}: {err!r}")
    return state


def _channel_from_json(raw: Any, skipped: list[str]) -> Channel:
    channel = Channel(since=_required_time(raw["since"], "the channel's start"))
    users = raw.get("users", {})
    for user_id, cursor in users.items() if isinstance(users, dict) else ():
        try:
            last_active, last_id, recheck = cursor
            channel.users[str(user_id)] = Cursor(
                last_active=_optional_text(last_active),
                last_id=_optional_text(last_id),
                recheck=recheck is True,
            )
        except (TypeError, ValueError) as err:
            skipped.append(f"a cursor: {err!r}")
    return channel


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
