"""Notify entities, one per recipient (Elibom) or contact (Aldeamo)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.notify import NotifyEntity, NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_CHANNEL,
    CONF_CLIENT_ID,
    CONF_PHONE_NUMBER,
    CONF_PLAIN_ALPHABET,
    DEFAULT_PLAIN_ALPHABET,
    DOMAIN,
)
from .coordinator import AldeamoCoordinator, ElibomCoordinator, LatamConfigEntry
from .entity import LatamEntity
from .validation import bot_text, sms_text

PARALLEL_UPDATES = 0
DATA_ENTITIES: HassKey[dict[str, set[LatamNotifyEntity[Any]]]] = HassKey(
    f"{DOMAIN}_notify_entities"
)


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


@callback
def async_record_sent(
    hass: HomeAssistant, entry_id: str, targets: Iterable[str]
) -> None:
    """Show on each recipient's entity that an action just sent to it.

    A notify entity's state is the last time something was sent through it. Home
    Assistant records that for sends made by other means only from 2026.10 on
    (`_async_record_notification`); on older versions the state stays as it is.
    """
    sent = set(targets)
    for entity in hass.data.get(DATA_ENTITIES, {}).get(entry_id, set()).copy():
        record = getattr(entity, "_async_record_notification", None)
        if entity.target in sent and record is not None:
            record()


class LatamNotifyEntity[CoordinatorT: ElibomCoordinator | AldeamoCoordinator](
    LatamEntity[CoordinatorT], NotifyEntity
):
    """A notify entity: ready whenever its entry is loaded, whatever the last poll did.

    Home Assistant skips unavailable entities without a word, so an alarm SMS must
    not depend on a poll of the credit: a send is tried, and a failure is an error.
    """

    target: str
    """Whom it sends to: a phone number, or `channel:client_id`."""

    @property
    def available(self) -> bool:
        """Always: the entity exists only while its entry is loaded."""
        return True

    async def async_added_to_hass(self) -> None:
        """Be found by the actions that send to the same recipient."""
        await super().async_added_to_hass()
        entry_id = self.coordinator.config_entry.entry_id
        entities = self.hass.data.setdefault(DATA_ENTITIES, {}).setdefault(
            entry_id, set()
        )
        entities.add(self)
        self.async_on_remove(lambda: entities.discard(self))


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
        self.target = self._number

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
        self.target = f"{self._channel}:{self._client_id}"

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message, the title as its first line."""
        await self.coordinator.async_send(
            self._channel, self._client_id, bot_text(message, title)
        )
