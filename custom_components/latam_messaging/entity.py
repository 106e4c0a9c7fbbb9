"""The base of every entity: one device per account, names from translations."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import (
    AddConfigEntryEntitiesCallback,
    async_get_platforms,
)
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_PROVIDER, DOMAIN
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


def _none(*_: Any) -> Iterable[Entity]:
    return ()


@dataclass(frozen=True, kw_only=True)
class ProviderEntities:
    """What one provider's module of a platform builds: the account's, each subentry's.

    The provider's platform modules build their entities from the coordinator (what
    it declares: channels, subentries), so that no coordinator imports an entity.
    """

    account: Callable[[Any], Iterable[Entity]] = _none
    subentry: Callable[[Any, ConfigSubentry], Iterable[Entity]] = _none


@callback
def async_add_platform_entities(
    entry: LatamConfigEntry,
    builders: Mapping[str, ProviderEntities],
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add what the account's provider has on a platform: its own, then each subentry's."""
    coordinator = entry.runtime_data
    build = builders.get(entry.data[CONF_PROVIDER], ProviderEntities())
    if entities := list(build.account(coordinator)):
        async_add_entities(entities)
    for subentry_id, subentry in entry.subentries.items():
        if entities := list(build.subentry(coordinator, subentry)):
            async_add_entities(entities, config_subentry_id=subentry_id)


async def async_remove_states(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Take the entry's entities out of the state machine while it unloads.

    Left to itself, Home Assistant sets every entity of an unloaded entry to
    `unavailable` at once, so each reload reads as an outage in the activity view
    ("… became unavailable", then back). A state removed and added again is no
    change the activity view shows. Only when the entry does not come straight
    back (unloaded for good, or its set-up failed and waits to retry) do its
    entities read `unavailable`, as Home Assistant would have written them.
    """
    for platform in async_get_platforms(hass, DOMAIN):
        if platform.config_entry is not entry:
            continue
        for entity in list(platform.entities.values()):
            await entity.async_remove(force_remove=True)

    listening = True

    def unavailable_unless_back() -> None:
        nonlocal listening
        if not listening or entry.state in (
            ConfigEntryState.SETUP_IN_PROGRESS,
            ConfigEntryState.LOADED,
        ):
            return  # a reload: set-up adds the entities again
        listening = False
        stop_listening()
        registry = er.async_get(hass)
        for registered in er.async_entries_for_config_entry(registry, entry.entry_id):
            if (
                not registered.disabled
                and hass.states.get(registered.entity_id) is None
            ):
                registered.write_unavailable_state(hass)

    @callback
    def state_changed() -> None:
        nonlocal listening
        if not listening:
            return
        if entry.state is ConfigEntryState.LOADED:
            listening = False
            stop_listening()
        elif entry.state is not ConfigEntryState.SETUP_IN_PROGRESS:
            # After an unload, a reload sets the entry up before it yields.
            hass.loop.call_soon(unavailable_unless_back)

    stop_listening = entry.async_on_state_change(state_changed)
