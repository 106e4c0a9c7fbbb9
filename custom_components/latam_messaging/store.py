"""What must survive a restart: what is followed, what was read, events not fired yet.

Tracked deliveries, the schedules last seen, message cursors, and events computed
but not fired yet (Home Assistant was still starting) are kept together.

One versioned Store per config entry; each provider's package says how its
state is written (`elibom/store.py`, `aldeamo/store.py`). Status changes are saved with a short delay
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
from .inbox import Inbox

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
        self.inbox = Inbox()
        """What each person wrote lately (for the Assist tools)."""

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
                self.inbox,
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
    ) -> tuple[StateT, list[PendingEvent], AssistState, Inbox]:
        return (
            self._from_json(raw, skipped),
            each(raw, "outbox", _event_from_json, skipped),
            AssistState.from_json(raw.get("assist")),
            Inbox.from_json(raw.get("inbox")),
        )

    def _everything(self) -> dict[str, Any]:
        return {
            **self._to_json(),
            "outbox": [
                {"event_type": event.event_type, "data": event.data}
                for event in self.outbox
            ],
            "assist": self.assist.to_json(),
            "inbox": self.inbox.to_json(),
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


def time_to_json(value: datetime | None) -> str | None:
    """Write a time as ISO 8601, or None."""
    return value.isoformat() if value else None


def parse_time(value: Any) -> datetime | None:
    """Read a stored time, which must carry its zone; None stays None."""
    if value is None:
        return None
    parsed = dt_util.parse_datetime(str(value))
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"not a time: {value!r}")
    return parsed


def required_time(value: Any, what: str) -> datetime:
    """Read a stored time that must be there (`what` names it in the error)."""
    parsed = parse_time(value)
    if parsed is None:
        raise ValueError(f"{what} is missing")
    return parsed


def _event_from_json(item: Any) -> PendingEvent:
    data = item["data"]
    if not isinstance(data, dict):
        raise TypeError("the data of a pending event is not an object")
    return PendingEvent(event_type=str(item["event_type"]), data=data)


def each[ItemT](
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
