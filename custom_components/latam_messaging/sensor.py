"""Sensors: credit, scheduled and pending messages, account users, bot users per channel."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import (
    AldeamoCoordinator,
    AldeamoData,
    ElibomCoordinator,
    ElibomData,
    LatamConfigEntry,
)
from .entity import LatamEntity

PARALLEL_UPDATES = 0
PREVIEW_LENGTH = 40


@dataclass(frozen=True, kw_only=True)
class ElibomSensorDescription(SensorEntityDescription):
    """An Elibom sensor: its value and extra attributes, read from the poll."""

    value_fn: Callable[[ElibomData], float | int | None]
    attributes_fn: Callable[[ElibomData], dict[str, Any]] | None = None


def _next_schedule(data: ElibomData) -> dict[str, Any]:
    if not data.schedules:
        return {"next_time": None, "next_preview": None}
    first = data.schedules[0]
    text = first.text or ""
    return {
        "next_time": first.scheduled_time.isoformat() if first.scheduled_time else None,
        "next_preview": text
        if len(text) <= PREVIEW_LENGTH
        else text[:PREVIEW_LENGTH] + "…",
    }


ELIBOM_SENSORS: tuple[ElibomSensorDescription, ...] = (
    ElibomSensorDescription(
        key="credits",
        translation_key="credits",  # its unit comes from the translations too
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.account.credits,
    ),
    ElibomSensorDescription(
        key="scheduled_messages",
        translation_key="scheduled_messages",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.schedules),
        attributes_fn=_next_schedule,
    ),
    ElibomSensorDescription(
        key="pending_deliveries",
        translation_key="pending_deliveries",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.pending_deliveries,
    ),
    ElibomSensorDescription(
        key="account_users",
        translation_key="account_users",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda data: data.active_users,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LatamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's sensors."""
    coordinator = entry.runtime_data
    if isinstance(coordinator, ElibomCoordinator):
        async_add_entities(
            ElibomSensor(coordinator, description) for description in ELIBOM_SENSORS
        )
    else:
        async_add_entities(
            BotUsersSensor(coordinator, channel) for channel in coordinator.channels
        )


class ElibomSensor(LatamEntity[ElibomCoordinator], SensorEntity):
    """A value of the Elibom account."""

    entity_description: ElibomSensorDescription

    def __init__(
        self, coordinator: ElibomCoordinator, description: ElibomSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | int | None:
        """Return the value from the last poll."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the extra attributes from the last poll."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)


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
