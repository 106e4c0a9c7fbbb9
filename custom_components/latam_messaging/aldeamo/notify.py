"""The Aldeamo contacts' notify entities: one bot user on one channel each."""

from __future__ import annotations

from typing import Any

from homeassistant.components.notify import NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry

from ..const import CONF_CHANNEL, CONF_CLIENT_ID
from ..entity import ProviderEntities
from ..notify import LatamNotifyEntity, async_record_sent
from ..validation import bot_text
from .coordinator import AldeamoCoordinator


class ContactNotifyEntity(LatamNotifyEntity[AldeamoCoordinator]):
    """Sends a bot message to one user on one channel."""

    _attr_supported_features = NotifyEntityFeature.TITLE
    _attr_translation_key = "contact"
    _attr_name = None

    def __init__(
        self, coordinator: AldeamoCoordinator, subentry: ConfigSubentry
    ) -> None:
        """Serve one contact."""
        super().__init__(coordinator, subentry.subentry_id, subentry)
        self.subentry_id = subentry.subentry_id
        self._channel: str = subentry.data[CONF_CHANNEL]
        self._client_id: str = subentry.data[CONF_CLIENT_ID]
        self.target = f"{self._channel}:{self._client_id}"

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message, the title as its first line."""
        await self.coordinator.async_send(
            self._channel, self._client_id, bot_text(message, title)
        )

    async def async_send_text(self, message: str) -> dict[str, Any]:
        """Send the message as `send_bot_message` does, on the contact's channel."""
        text = bot_text(message)
        await self.coordinator.async_send(self._channel, self._client_id, text)
        async_record_sent(
            self.hass, self.coordinator.config_entry.entry_id, [self.target]
        )
        return {"channel": self._channel}


ALDEAMO_NOTIFY_ENTITIES = ProviderEntities(
    subentry=lambda coordinator, subentry: [ContactNotifyEntity(coordinator, subentry)]
)
"""One notify entity per contact; the bot itself has none."""
