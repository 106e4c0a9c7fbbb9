"""One event entity per Aldeamo channel: what bot users write."""

from __future__ import annotations

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
    """Shows each message users write on one channel."""

    _attr_event_types = [MESSAGE_RECEIVED]

    def __init__(self, coordinator: AldeamoCoordinator, channel: str) -> None:
        """Listen to one channel."""
        super().__init__(coordinator, f"messages_{channel}")
        self._channel = channel
        self._attr_translation_key = f"messages_{channel}"

    async def async_added_to_hass(self) -> None:
        """Show what the first poll read, before this entity existed (set-up, reload)."""
        await super().async_added_to_hass()
        self._show_received()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Trigger once per message that arrived in this poll, in order."""
        if not self._show_received():
            super()._handle_coordinator_update()

    @callback
    def _show_received(self) -> bool:
        """Trigger for each of this channel's messages of the last poll; say if any."""
        triggered = False
        for message in self.coordinator.data.received:
            if message.channel == self._channel:
                self._trigger_event(MESSAGE_RECEIVED, message.as_event_data())
                self.async_write_ha_state()
                triggered = True
        return triggered
