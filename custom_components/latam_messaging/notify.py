"""Notify entities, one per recipient (Elibom) or contact (Aldeamo).

Each provider makes its own (see `elibom/notify.py`, `aldeamo/notify.py`) on the
base here, which also lets the actions show what they sent.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Any

from homeassistant.components.notify import NotifyEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN, PROVIDER_ALDEAMO, PROVIDER_ELIBOM
from .coordinator import LatamConfigEntry, LatamCoordinator
from .entity import LatamEntity, async_add_platform_entities

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
    # Imported here: each provider's notify entity builds on the base class below.
    from .aldeamo.notify import ALDEAMO_NOTIFY_ENTITIES  # noqa: PLC0415
    from .elibom.notify import ELIBOM_NOTIFY_ENTITIES  # noqa: PLC0415

    async_add_platform_entities(
        entry,
        {
            PROVIDER_ELIBOM: ELIBOM_NOTIFY_ENTITIES,
            PROVIDER_ALDEAMO: ALDEAMO_NOTIFY_ENTITIES,
        },
        async_add_entities,
    )


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


class LatamNotifyEntity[CoordinatorT: LatamCoordinator[Any, Any]](
    LatamEntity[CoordinatorT], NotifyEntity
):
    """A notify entity: ready whenever its entry is loaded, whatever the last poll did.

    Home Assistant skips unavailable entities without a word, so an alarm SMS must
    not depend on a poll of the credit: a send is tried, and a failure is an error.
    """

    target: str
    """Whom it sends to: a phone number, or `channel:client_id`."""
    subentry_id: str
    """The recipient or contact it sends to."""

    @abstractmethod
    async def async_send_text(self, message: str) -> dict[str, Any]:
        """Send a message as the actions do; say on which channel, and for SMS its cost.

        The same input rules as the actions (a translated error, nothing sent), and
        shown on the entity's state like any other send.
        """

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
