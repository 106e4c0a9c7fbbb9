"""The base of every entity: one device per account, names from translations."""

from __future__ import annotations

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api import ALDEAMO_URL, ELIBOM_URL
from .const import (
    CHANNEL_NAMES,
    CONF_CHANNEL,
    CONF_CLIENT_ID,
    CONF_PHONE_NUMBER,
    DOMAIN,
)
from .coordinator import AldeamoCoordinator, ElibomCoordinator
from .validation import masked


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
        """Attach the entity to its account's device, or to its subentry's own."""
        super().__init__(coordinator)
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.entry_id}_{key}"
        self._attr_device_info = (
            account_device_info(coordinator)
            if subentry is None
            else subentry_device_info(coordinator, subentry)
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
        # Home Assistant translates no device model: these read alike in every
        # language (the service, or the channels the bot listens on).
        model=" · ".join(_channel_names(coordinator))
        if isinstance(coordinator, AldeamoCoordinator)
        else "SMS",
        entry_type=DeviceEntryType.SERVICE,
        configuration_url=ELIBOM_URL if elibom else ALDEAMO_URL.removesuffix("/bots"),
    )


def subentry_device_info(
    coordinator: ElibomCoordinator | AldeamoCoordinator, subentry: ConfigSubentry
) -> DeviceInfo:
    """Describe the device of one recipient or contact.

    Home Assistant wants every device to belong to a single subentry, so each
    recipient or contact has its own, linked to the account's.
    """
    return DeviceInfo(
        identifiers={
            (DOMAIN, f"{coordinator.config_entry.entry_id}_{subentry.subentry_id}")
        },
        name=subentry.title,
        manufacturer=coordinator.provider_name,
        model=subentry_model(subentry),
        entry_type=DeviceEntryType.SERVICE,
    )


def subentry_model(subentry: ConfigSubentry) -> str:
    """Say what a recipient or contact is: the channel and the end of the number or id.

    Shown as the device's model, so the device page tells which number was saved
    without showing the whole of it.
    """
    if CONF_PHONE_NUMBER in subentry.data:
        return f"SMS {masked(str(subentry.data[CONF_PHONE_NUMBER]))}"
    channel = str(subentry.data.get(CONF_CHANNEL, ""))
    user = str(subentry.data.get(CONF_CLIENT_ID, ""))
    return f"{CHANNEL_NAMES.get(channel, channel)} {masked(user)}".strip()


def _channel_names(coordinator: AldeamoCoordinator) -> list[str]:
    return [CHANNEL_NAMES.get(channel, channel) for channel in coordinator.channels]


@callback
def async_register_devices(
    hass: HomeAssistant, coordinator: ElibomCoordinator | AldeamoCoordinator
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
