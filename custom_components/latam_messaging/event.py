"""Event entities for what bot users write: one per Aldeamo channel, one per contact."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_CHANNEL, CONF_CLIENT_ID, SUBENTRY_CONTACT
from .coordinator import AldeamoCoordinator, LatamConfigEntry
from .entity import LatamEntity

PARALLEL_UPDATES = 0
MESSAGE_RECEIVED = "message_received"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LatamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one event entity per listened channel, and one per contact."""
    coordinator = entry.runtime_data
    if not isinstance(coordinator, AldeamoCoordinator):
        return
    async_add_entities(
        ChannelMessageEvent(coordinator, channel) for channel in coordinator.channels
    )
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == SUBENTRY_CONTACT:
            async_add_entities(
                [ContactMessageEvent(coordinator, subentry)],
                config_subentry_id=subentry_id,
            )


class IncomingMessageEvent(LatamEntity[AldeamoCoordinator], EventEntity):
    """Shows each message it is about, as the message event is fired.

    The last one is restored at start-up (and when the entity is renamed), never
    triggered again.
    """

    _attr_event_types = [MESSAGE_RECEIVED]

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator's message events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_listen_messages(self._received))

    def _is_about(self, data: dict[str, Any]) -> bool:
        raise NotImplementedError

    @callback
    def _received(self, data: dict[str, Any]) -> None:
        if self._is_about(data):
            self._trigger_event(
                MESSAGE_RECEIVED,
                {key: value for key, value in data.items() if key != "config_entry_id"},
            )
            self.async_write_ha_state()


class ChannelMessageEvent(IncomingMessageEvent):
    """What anyone writes on one channel, on the account's device."""

    def __init__(self, coordinator: AldeamoCoordinator, channel: str) -> None:
        """Listen to one channel."""
        super().__init__(coordinator, f"messages_{channel}")
        self._channel = channel
        self._attr_translation_key = f"messages_{channel}"

    def _is_about(self, data: dict[str, Any]) -> bool:
        return bool(data.get("channel") == self._channel)


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
