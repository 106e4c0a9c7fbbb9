"""Removing what an account no longer has: channels no longer listened to, old devices."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .const import DOMAIN
from .coordinator import LatamCoordinator
from .entity import subentry_identifier


def live_identifiers(entry: ConfigEntry) -> set[tuple[str, str]]:
    """Return the identifiers of the devices the entry has now: its own, its subentries'."""
    return {(DOMAIN, entry.entry_id)} | {
        (DOMAIN, subentry_identifier(entry.entry_id, subentry_id))
        for subentry_id in entry.subentries
    }


@callback
def async_remove_stale(
    hass: HomeAssistant, coordinator: LatamCoordinator[Any, Any]
) -> None:
    """Remove the entities of channels no longer listened to, and devices of nothing.

    Home Assistant removes a deleted subentry's device itself; this covers what it
    cannot know (a channel dropped in reconfigure) and devices left by older versions.
    """
    entry = coordinator.config_entry
    entities = er.async_get(hass)
    for platform, unique_id in coordinator.dropped_entities():
        if entity_id := entities.async_get_entity_id(platform, DOMAIN, unique_id):
            entities.async_remove(entity_id)
    devices = dr.async_get(hass)
    live = live_identifiers(entry)
    for device in dr.async_entries_for_config_entry(devices, entry.entry_id):
        # Only devices this integration made: all their identifiers are its own.
        ours = all(domain == DOMAIN for domain, _ in device.identifiers)
        if ours and not device.identifiers & live:
            devices.async_remove_device(device.id)


def may_remove_device(entry: ConfigEntry, device: dr.DeviceEntry) -> bool:
    """Let the user delete a device unless it is the account's or a live subentry's."""
    return not device.identifiers & live_identifiers(entry)
