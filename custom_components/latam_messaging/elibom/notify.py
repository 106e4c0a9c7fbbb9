"""The Elibom recipients' notify entities: one phone number each."""

from __future__ import annotations

from typing import Any

from homeassistant.components.notify import NotifyEntityFeature
from homeassistant.config_entries import ConfigSubentry

from ..const import CONF_PHONE_NUMBER
from ..entity import ProviderEntities
from ..notify import LatamNotifyEntity, async_record_sent
from ..sms_parts import encoding, segments
from ..validation import sms_text
from .coordinator import ElibomCoordinator


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
        self.subentry_id = subentry.subentry_id
        self._number: str = subentry.data[CONF_PHONE_NUMBER]
        self.target = self._number

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the SMS (title as its first line) and follow its delivery."""
        plain = self.coordinator.plain_alphabet
        text = sms_text(message, title, plain_alphabet=plain)
        # The context of the call (an automation's run) names it if over the limit.
        await self.coordinator.async_send_sms(
            [self._number], text, context=self._context
        )

    async def async_send_text(self, message: str) -> dict[str, Any]:
        """Send the SMS as `send_sms` does; say its encoding and parts."""
        text = sms_text(message, plain_alphabet=self.coordinator.plain_alphabet)
        await self.coordinator.async_send_sms([self._number], text)
        async_record_sent(
            self.hass, self.coordinator.config_entry.entry_id, [self.target]
        )
        return {"channel": "sms", "encoding": encoding(text), "parts": segments(text)}


ELIBOM_NOTIFY_ENTITIES = ProviderEntities(
    subentry=lambda coordinator, subentry: [
        RecipientNotifyEntity(coordinator, subentry)
    ]
)
"""One notify entity per recipient; the account has none."""
