"""The Aldeamo bot's sensors: how many users wrote on each channel."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)

from ..api import LISTENING_CHANNELS
from ..entity import LatamEntity, ProviderEntities
from .coordinator import AldeamoCoordinator


@dataclass(frozen=True, kw_only=True)
class BotUsersSensorDescription(SensorEntityDescription):
    """The users sensor of one channel."""

    channel: str


BOT_USERS_SENSORS: dict[str, BotUsersSensorDescription] = {
    channel: BotUsersSensorDescription(
        key=f"users_{channel}",
        translation_key=f"users_{channel}",
        state_class=SensorStateClass.MEASUREMENT,
        channel=channel,
    )
    for channel in LISTENING_CHANNELS
}
"""One description per channel a bot can listen on."""


def bot_users_sensors(coordinator: AldeamoCoordinator) -> Iterator[BotUsersSensor]:
    """Make a users sensor for each channel the bot listens on."""
    for channel in coordinator.channels:
        yield BotUsersSensor(coordinator, BOT_USERS_SENSORS[channel])


class BotUsersSensor(LatamEntity[AldeamoCoordinator], SensorEntity):
    """How many users have written to the bot on one channel."""

    entity_description: BotUsersSensorDescription

    def __init__(
        self, coordinator: AldeamoCoordinator, description: BotUsersSensorDescription
    ) -> None:
        """Count one channel's users."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int:
        """Return the number of users on the channel."""
        channel = self.entity_description.channel
        return self.coordinator.data.users.get(channel, 0)


ALDEAMO_SENSOR_ENTITIES = ProviderEntities(account=bot_users_sensors)
"""A users sensor per listened channel; contacts have none."""
