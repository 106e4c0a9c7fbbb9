"""The Aldeamo bot's event entities: one per listened channel, one per contact."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentry

from ..const import CONF_CHANNEL, CONF_CLIENT_ID
from ..event import IncomingMessageEvent
from .coordinator import AldeamoCoordinator


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
