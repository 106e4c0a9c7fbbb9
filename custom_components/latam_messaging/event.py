"""One event entity per Aldeamo channel: what bot users write."""

from __future__ import annotations

from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import AldeamoCoordinator, LatamConfigEntry
from .entity import LatamEntity

PARALLEL_UPDATES = 0
MESSAGE_RECEIVED = "message_received"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LatamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one event entity per listened channel."""
    coordinator = entry.runtime_data
    if isinstance(coordinator, AldeamoCoordinator):
        async_add_entities(
            IncomingMessageEvent(coordinator, channel)
            for channel in coordinator.channels
        )


class IncomingMessageEvent(LatamEntity[AldeamoCoordinator], EventEntity):
    """Shows each message users write on one channel, as it is fired.

    The last one is restored at start-up (and when the entity is renamed), never
    triggered again.
    """

    _attr_event_types = [MESSAGE_RECEIVED]

    def __init__(self, coordinator: AldeamoCoordinator, channel: str) -> None:
        """Listen to one channel."""
        super().__init__(coordinator, f"messages_{channel}")
        self._channel = channel
        self._attr_translation_key = f"messages_{channel}"

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator's message events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_listen_messages(self._received))

    @callback
    def _received(self, data: dict[str, Any]) -> None:
        if data.get("channel") == self._channel:
            self._trigger_event(
                MESSAGE_RECEIVED,
                {key: value for key, value in data.items() if key != "config_entry_id"},
            )
            self.async_write_ha_state()
