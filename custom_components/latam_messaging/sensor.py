"""Sensors: credit, scheduled and pending messages, account users, bot users per channel.

Which sensors an account has is its provider's to say (see `elibom/sensor.py`,
`aldeamo/sensor.py`).
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .aldeamo.sensor import ALDEAMO_SENSOR_ENTITIES
from .const import PROVIDER_ALDEAMO, PROVIDER_ELIBOM
from .coordinator import LatamConfigEntry
from .elibom.sensor import ELIBOM_SENSOR_ENTITIES
from .entity import async_add_platform_entities

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LatamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's sensors."""
    async_add_platform_entities(
        entry,
        {
            PROVIDER_ELIBOM: ELIBOM_SENSOR_ENTITIES,
            PROVIDER_ALDEAMO: ALDEAMO_SENSOR_ENTITIES,
        },
        async_add_entities,
    )
