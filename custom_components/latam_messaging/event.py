"""Event entities for what people write: on the account's device, and on each contact's.

Which event entities an account has is its provider's to say (see `aldeamo/event.py`).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from homeassistant.components.event import EventEntity
from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import PROVIDER_ALDEAMO
from .coordinator import LatamConfigEntry, LatamCoordinator
from .entity import LatamEntity, async_add_platform_entities

PARALLEL_UPDATES = 0
MESSAGE_RECEIVED = "message_received"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LatamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the account's event entities, and those of its contacts."""
    # Imported here: the provider's event entities build on the base class below.
    from .aldeamo.event import ALDEAMO_EVENT_ENTITIES  # noqa: PLC0415

    async_add_platform_entities(
        entry, {PROVIDER_ALDEAMO: ALDEAMO_EVENT_ENTITIES}, async_add_entities
    )


class IncomingMessageEvent(LatamEntity[LatamCoordinator[Any, Any]], EventEntity):
    """Shows each message it is about, as the message event is fired.

    The last one is restored at start-up (and when the entity is renamed), never
    triggered again.
    """

    _attr_event_types = [MESSAGE_RECEIVED]

    async def async_added_to_hass(self) -> None:
        """Follow the coordinator's message events."""
        await super().async_added_to_hass()
        self.async_on_remove(self.coordinator.async_listen_messages(self._received))

    @abstractmethod
    def _is_about(self, data: dict[str, Any]) -> bool: ...

    @callback
    def _received(self, data: dict[str, Any], context: Context) -> None:
        if self._is_about(data):
            self.async_set_context(context)
            self._trigger_event(
                MESSAGE_RECEIVED,
                {key: value for key, value in data.items() if key != "config_entry_id"},
            )
            self.async_write_ha_state()
