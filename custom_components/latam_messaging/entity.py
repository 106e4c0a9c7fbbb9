"""The base of every entity: one device per account, names from translations."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import LatamConfigEntry, LatamCoordinator


class LatamEntity[CoordinatorT: LatamCoordinator[Any, Any]](
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
        """Attach the entity to its account's device, or to its subentry's own."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = (
            account_device_info(coordinator)
            if subentry is None
            else subentry_device_info(coordinator, subentry)
        )


def subentry_identifier(entry_id: str, subentry_id: str) -> str:
    """Name a recipient's or contact's device (the account's is the entry id)."""
    return f"{entry_id}_{subentry_id}"


def account_device_info(coordinator: LatamCoordinator[Any, Any]) -> DeviceInfo:
    """Describe the device that stands for one provider account."""
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.config_entry.entry_id)},
        name=coordinator.config_entry.title,
        manufacturer=coordinator.provider_name,
        # Home Assistant translates no device model: each provider's reads alike
        # in every language (the service, or the channels the bot listens on).
        model=coordinator.device_model,
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=coordinator.configuration_url,
    )


def subentry_device_info(
    coordinator: LatamCoordinator[Any, Any], subentry: ConfigSubentry
) -> DeviceInfo:
    """Describe the device of one recipient or contact.

    Home Assistant wants every device to belong to a single subentry, so each
    recipient or contact has its own, linked to the account's.
    """
    return DeviceInfo(
        identifiers={
            (
                DOMAIN,
                subentry_identifier(
                    coordinator.config_entry.entry_id, subentry.subentry_id
                ),
            )
        },
        name=subentry.title,
        manufacturer=coordinator.provider_name,
        model=coordinator.subentry_model(subentry),
        entry_type=DeviceEntryType.SERVICE,
    )


@callback
def async_register_devices(
    hass: HomeAssistant, coordinator: LatamCoordinator[Any, Any]
) -> None:
    """Register the account's device, then each subentry's, linked to it."""
    entry = coordinator.config_entry
    devices = dr.async_get(hass)
    account = devices.async_get_or_create(
        config_entry_id=entry.entry_id, **account_device_info(coordinator)
    )
    for subentry_id, subentry in entry.subentries.items():
        device = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=subentry_id,
            **subentry_device_info(coordinator, subentry),
        )
        # Linked by id rather than with DeviceInfo's via_device, whose form
        # changed between the Home Assistant versions this integration supports.
        if device.via_device_id != account.id:
            devices.async_update_device(device.id, via_device_id=account.id)


@callback
def async_add_platform_entities(
    entry: LatamConfigEntry,
    platform: Platform,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add what the account's provider has on a platform: its own, then each subentry's."""
    coordinator = entry.runtime_data
    if entities := coordinator.entities(platform):
        async_add_entities(entities)
    for subentry_id, subentry in entry.subentries.items():
        if entities := coordinator.subentry_entities(platform, subentry):
            async_add_entities(entities, config_subentry_id=subentry_id)
