"""What must survive a restart: tracked deliveries, schedules last seen, message cursors.

One versioned Store per config entry. Status changes are saved with a short delay
(a burst of changes is one write); what would be lost otherwise, such as a newly
sent delivery, is saved at once. Home Assistant flushes delayed saves when it stops,
and unloading an entry flushes them too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER

STORAGE_VERSION = 1
STORAGE_MINOR_VERSION = 1
SAVE_DELAY = 2.0
"""Seconds that collect status changes into one write."""


@dataclass(slots=True)
class TrackedDelivery:
    """A delivery sent through the integration and not yet final."""

    token: str
    status: str
    num_sent: int
    num_failed: int
    sent_at: datetime
    recipients: int


@dataclass(frozen=True, slots=True)
class SeenSchedule:
    """A schedule as last seen in the provider's list."""

    id: str
    scheduled_time: datetime | None
    text: str | None
    destinations: int


@dataclass(slots=True)
class Cursor:
    """How far one bot user's messages have been read."""

    last_active: str | None
    last_id: str | None


@dataclass(slots=True)
class ElibomState:
    """Elibom's persisted state."""

    deliveries: dict[str, TrackedDelivery] = field(default_factory=dict)
    schedules: dict[str, SeenSchedule] = field(default_factory=dict)
    leaving: set[str] = field(default_factory=set)
    """Schedules gone from the list whose fate (executed or cancelled) is still unknown."""


@dataclass(slots=True)
class AldeamoState:
    """Aldeamo's persisted state."""

    cursors: dict[str, dict[str, Cursor]] = field(default_factory=dict)
    """Per channel, per user. A channel without an entry has never been polled."""


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
            self.state = self._from_json(raw, skipped)
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

    def schedule_save(self) -> None:
        """Save soon, collecting further changes into the same write."""
        self._store.async_delay_save(self._to_json, SAVE_DELAY)

    async def async_save(self) -> None:
        """Save now (cancels a pending delayed save)."""
        await self._store.async_save(self._to_json())

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
    if parsed is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed


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
    }


def _elibom_from_json(raw: Mapping[str, Any], skipped: list[str]) -> ElibomState:
    state = ElibomState()
    for delivery in _each(raw, "deliveries", _delivery_from_json, skipped):
        state.deliveries[delivery.token] = delivery
    for schedule in _each(raw, "schedules", _schedule_from_json, skipped):
        state.schedules[schedule.id] = schedule
    state.leaving = set(_each(raw, "leaving", str, skipped))
    return state


def _delivery_from_json(item: Any) -> TrackedDelivery:
    sent_at = _parse_time(item["sent_at"])
    if sent_at is None:
        raise ValueError("a delivery without its sending time")
    return TrackedDelivery(
        token=str(item["token"]),
        status=str(item["status"]),
        num_sent=int(item["num_sent"]),
        num_failed=int(item["num_failed"]),
        sent_at=sent_at,
        recipients=int(item["recipients"]),
    )


def _schedule_from_json(item: Any) -> SeenSchedule:
    text = item.get("text")
    return SeenSchedule(
        id=str(item["id"]),
        scheduled_time=_parse_time(item.get("scheduled_time")),
        text=str(text) if text is not None else None,
        destinations=int(item.get("destinations", 0)),
    )


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
        "cursors": {
            channel: {
                user_id: {"last_active": c.last_active, "last_id": c.last_id}
                for user_id, c in users.items()
            }
            for channel, users in state.cursors.items()
        },
    }


def _aldeamo_from_json(raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
    state = AldeamoState()
    channels = raw.get("cursors", {})
    if not isinstance(channels, dict):
        skipped.append("cursors is not an object")
        channels = {}
    for channel, users in channels.items():
        cursors = state.cursors.setdefault(str(channel), {})
        for user_id, cursor in users.items() if isinstance(users, dict) else ():
            try:
                cursors[str(user_id)] = Cursor(
                    last_active=_optional_text(cursor.get("last_active")),
                    last_id=_optional_text(cursor.get("last_id")),
                )
            except AttributeError as err:
                skipped.append(f"cursor of {channel}: {err!r}")
    return state


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
