"""The base of every entity: one device per account, names from translations."""

from __future__ import annotations

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

    def __init__(self, coordinator: CoordinatorT, key: str) -> None:
        """Attach the entity to its account's device."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        elibom = isinstance(coordinator, ElibomCoordinator)
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name=entry.title,
            manufacturer=coordinator.provider_name,
            model="SMS" if elibom else "Bots",
            entry_type=DeviceEntryType.SERVICE,
            configuration_url=ELIBOM_URL
            if elibom
            else ALDEAMO_URL.removesuffix("/bots"),
        )
