"""The Aldeamo bot's sensors: how many users wrote on each channel."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity, SensorStateClass

from ..entity import LatamEntity
from .coordinator import AldeamoCoordinator, AldeamoData


class BotUsersSensor(LatamEntity[AldeamoCoordinator], SensorEntity):
    """How many users have written to the bot on one channel."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, coordinator: AldeamoCoordinator, channel: str) -> None:
        """Count one channel's users."""
        super().__init__(coordinator, f"users_{channel}")
        self._channel = channel
        self._attr_translation_key = f"users_{channel}"

    @property
    def native_value(self) -> int:
        """Return the number of users on the channel."""
        data: AldeamoData = self.coordinator.data
        return len(data.users.get(self._channel, ()))
