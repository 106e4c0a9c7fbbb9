"""What a provider's devices offer the automation editor, known from the entry alone.

Device triggers are listed and attached whatever the entry's state: automations
attach once Home Assistant has started, also for an account that is not ready or
failed to load. So a provider declares them here, from its entry's data and its
subentries' data, never from its coordinator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

PERSON_WROTE: Final = "person_wrote"
"""The trigger of every recipient's or contact's device: that person wrote."""

type Sender = Callable[[Mapping[str, Any]], dict[str, str]]
"""From a subentry's data, the message events' data that says this person wrote."""


@dataclass(frozen=True, slots=True)
class Subtypes:
    """A trigger listed once per subtype, each matching one value of an event-data key."""

    key: str
    """The event-data key the subtype is matched on."""
    listed: Callable[[Mapping[str, Any]], list[str]]
    """The subtypes the account's device offers, from the entry's data."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountTrigger:
    """A trigger of the account's device: the bus event and the data it matches."""

    kind: str
    """The trigger's type, the key of its words in the translations."""
    event_type: str
    event_data: Mapping[str, str] = field(default_factory=dict)
    """Matched beside the entry's id."""
    subtypes: Subtypes | None = None

    def listed(self, entry_data: Mapping[str, Any]) -> list[str | None]:
        """Return the subtypes offered, or [None] for a trigger without subtypes."""
        if self.subtypes is None:
            return [None]
        return list(self.subtypes.listed(entry_data))

    def matched(self, subtype: str | None) -> dict[str, str] | None:
        """Return the event data matched for this subtype; None if one is needed and missing.

        Any subtype is accepted, also one the entry no longer offers (a channel
        dropped since): its automation loads and waits, as it always did.
        """
        if self.subtypes is None:
            return dict(self.event_data)
        if subtype is None:
            return None
        return {**self.event_data, self.subtypes.key: subtype}


@dataclass(frozen=True, slots=True)
class DeviceTriggers:
    """A provider's device triggers: the account's, and how each person's messages are told."""

    account: tuple[AccountTrigger, ...]
    senders: Mapping[str, Sender]
    """By subentry type: the event data of that person's messages (`PERSON_WROTE`)."""
