"""The Aldeamo bot's event entities: one per listened channel, one per contact."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntityDescription
from homeassistant.config_entries import ConfigSubentry

from ..api import LISTENING_CHANNELS
from ..const import CONF_CHANNEL, CONF_CLIENT_ID, SUBENTRY_CONTACT
from ..entity import ProviderEntities
from ..event import IncomingMessageEvent
from .coordinator import AldeamoCoordinator


@dataclass(frozen=True, kw_only=True)
class ChannelEventDescription(EventEntityDescription):
    """The message event entity of one channel."""

    channel: str


CHANNEL_EVENTS: dict[str, ChannelEventDescription] = {
    channel: ChannelEventDescription(
        key=f"messages_{channel}",
        translation_key=f"messages_{channel}",
        channel=channel,
    )
    for channel in LISTENING_CHANNELS
}
"""One description per channel a bot can listen on."""


def channel_events(coordinator: AldeamoCoordinator) -> Iterator[ChannelMessageEvent]:
    """Make a message event entity for each channel the bot listens on."""
    for channel in coordinator.channels:
        yield ChannelMessageEvent(coordinator, CHANNEL_EVENTS[channel])


class ChannelMessageEvent(IncomingMessageEvent):
    """What anyone writes on one channel, on the account's device."""

    entity_description: ChannelEventDescription

    def __init__(
        self, coordinator: AldeamoCoordinator, description: ChannelEventDescription
    ) -> None:
        """Listen to one channel."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    def _is_about(self, data: dict[str, Any]) -> bool:
        return bool(data.get("channel") == self.entity_description.channel)


class ContactMessageEvent(IncomingMessageEvent):
    """What one contact writes, on the contact's device ("when María writes")."""

    _attr_translation_key = "contact_messages"

    def __init__(
        self, coordinator: AldeamoCoordinator, subentry: ConfigSubentry
    ) -> None:
        """Listen to one user on one channel."""
        super().__init__(coordinator, f"{subentry.subentry_id}_messages", subentry)
        self._channel: str = subentry.data[CONF_CHANNEL]
        self._client_id: str = subentry.data[CONF_CLIENT_ID]

    def _is_about(self, data: dict[str, Any]) -> bool:
        return bool(
            data.get("channel") == self._channel
            and data.get("client_id") == self._client_id
        )


def contact_events(
    coordinator: AldeamoCoordinator, subentry: ConfigSubentry
) -> list[ContactMessageEvent]:
    """Make a contact's message event entity."""
    if subentry.subentry_type != SUBENTRY_CONTACT:
        return []
    return [ContactMessageEvent(coordinator, subentry)]


ALDEAMO_EVENT_ENTITIES = ProviderEntities(
    account=channel_events, subentry=contact_events
)
"""A message event entity per listened channel, and one per contact."""
