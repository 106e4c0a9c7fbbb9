"""The base of every entity: one device per account, names from translations."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentry
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import ALDEAMO_URL, ELIBOM_URL
from .const import DOMAIN
from .coordinator import AldeamoCoordinator, ElibomCoordinator


class LatamEntity[CoordinatorT: ElibomCoordinator | AldeamoCoordinator](
    CoordinatorEntity[CoordinatorT]
):
    """An entity of one provider account."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: CoordinatorT,
        key: str,
        subentry: ConfigSubentry | None = None,
    ) -> None:
        """Attach the entity to its account's device, or to its subentry's own.

        A recipient or contact gets a device of its own, linked to the account's:
        Home Assistant wants every device to belong to a single subentry.
        """
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        if subentry is None:
            self._attr_device_info = account_device_info(coordinator)
            return
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_{subentry.subentry_id}")},
            name=subentry.title,
            manufacturer=coordinator.provider_name,
            model="Recipient"
            if isinstance(coordinator, ElibomCoordinator)
            else "Contact",
            entry_type=DeviceEntryType.SERVICE,
            via_device=(DOMAIN, entry.entry_id),
        )


def account_device_info(
    coordinator: ElibomCoordinator | AldeamoCoordinator,
) -> DeviceInfo:
    """Describe the device that stands for one provider account."""
    elibom = isinstance(coordinator, ElibomCoordinator)
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.config_entry.entry_id)},
        name=coordinator.config_entry.title,
        manufacturer=coordinator.provider_name,
        model="SMS" if elibom else "Bots",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=ELIBOM_URL if elibom else ALDEAMO_URL.removesuffix("/bots"),
    )
