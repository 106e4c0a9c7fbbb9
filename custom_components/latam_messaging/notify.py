"""Notify entities, one per recipient (Elibom) or contact (Aldeamo)."""

from __future__ import annotations

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import (
    CONF_CHANNEL,
    CONF_CLIENT_ID,
    CONF_PHONE_NUMBER,
    CONF_PLAIN_ALPHABET,
    DEFAULT_PLAIN_ALPHABET,
)
from .coordinator import AldeamoCoordinator, ElibomCoordinator, LatamConfigEntry
from .entity import LatamEntity
from .validation import bot_text, sms_text

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: LatamConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add one notify entity per recipient or contact."""
    coordinator = entry.runtime_data
    for subentry_id, subentry in entry.subentries.items():
        entity: NotifyEntity = (
            RecipientNotifyEntity(coordinator, subentry)
            if isinstance(coordinator, ElibomCoordinator)
            else ContactNotifyEntity(coordinator, subentry)
        )
        async_add_entities([entity], config_subentry_id=subentry_id)


class LatamNotifyEntity[CoordinatorT: ElibomCoordinator | AldeamoCoordinator](
    LatamEntity[CoordinatorT], NotifyEntity
):
    """A notify entity: ready whenever its entry is loaded, whatever the last poll did.

    Home Assistant skips unavailable entities without a word, so an alarm SMS must
    not depend on a poll of the credit: a send is tried, and a failure is an error.
    """

    @property
    def available(self) -> bool:
        """Always: the entity exists only while its entry is loaded."""
        return True


class RecipientNotifyEntity(LatamNotifyEntity[ElibomCoordinator]):
    """Sends an SMS to one phone number."""

    _attr_supported_features = NotifyEntityFeature.TITLE
    _attr_translation_key = "recipient"
    _attr_name = None

    def __init__(
        self, coordinator: ElibomCoordinator, subentry: ConfigSubentry
    ) -> None:
        """Serve one recipient."""
        super().__init__(coordinator, subentry.subentry_id, subentry)
        self._number: str = subentry.data[CONF_PHONE_NUMBER]

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the SMS (title as its first line) and follow its delivery."""
        options = self.coordinator.config_entry.options
        plain = bool(options.get(CONF_PLAIN_ALPHABET, DEFAULT_PLAIN_ALPHABET))
        text = sms_text(message, title, plain_alphabet=plain)
        await self.coordinator.async_send_sms([self._number], text)


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
        self._channel: str = subentry.data[CONF_CHANNEL]
        self._client_id: str = subentry.data[CONF_CLIENT_ID]

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message, the title as its first line."""
        await self.coordinator.async_send(
            self._channel, self._client_id, bot_text(message, title)
        )
