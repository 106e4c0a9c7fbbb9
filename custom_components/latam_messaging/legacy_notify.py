"""The classic `notify.<account>` service, one per entry (multi-factor codes, YAML habits).

The service name is decided once and kept in the entry's data, so two accounts
with the same title keep their own names across restarts, whichever loads first:
the oldest entry has the title's slug, the next `_2`, and so on. A name changes
only when the title does (the user renamed the account); removing an entry
frees its name without moving anyone else's.

The service is registered through `BaseNotificationService`'s own methods rather
than notify's platform discovery, so that unloading one entry removes its own
service and leaves the notify integration's data alone.
"""

from __future__ import annotations

import re
from typing import Any

from homeassistant.components.notify.const import (
    ATTR_TARGET,
    ATTR_TITLE,
    DOMAIN as NOTIFY_DOMAIN,
)
from homeassistant.components.notify.legacy import BaseNotificationService
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import slugify
from homeassistant.util.hass_dict import HassKey

from .const import CONF_NOTIFY_SERVICE, DOMAIN, LOGGER
from .coordinator import LatamConfigEntry
from .notify import async_record_sent

DATA_SERVICES: HassKey[dict[str, LatamNotificationService]] = HassKey(
    f"{DOMAIN}_legacy_notify_services"
)


def _entries(hass: HomeAssistant) -> list[ConfigEntry]:
    """Every account entry, disabled ones too, oldest first."""
    return sorted(
        hass.config_entries.async_entries(DOMAIN, include_ignore=False),
        key=lambda entry: (entry.created_at, entry.entry_id),
    )


def _base(entry: ConfigEntry) -> str:
    return slugify(entry.title) or DOMAIN


def _kept_name(hass: HomeAssistant, entry: ConfigEntry) -> str | None:
    """Return the stored name while it fits the title and no older entry has it."""
    name = entry.data.get(CONF_NOTIFY_SERVICE)
    if not isinstance(name, str):
        return None
    base = _base(entry)
    if name != base and not re.fullmatch(rf"{re.escape(base)}_\d+", name):
        return None  # the account was renamed: so is its service
    for other in _entries(hass):
        if other.entry_id == entry.entry_id:
            return name
        if other.data.get(CONF_NOTIFY_SERVICE) == name:
            return None  # an older entry holds it (a copied or restored entry)
    return name


def _store_name(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Decide the entry's name (its title's slug, else the first free suffix) and keep it."""
    taken = {
        other.data.get(CONF_NOTIFY_SERVICE)
        for other in _entries(hass)
        if other.entry_id != entry.entry_id
    }
    ours = {service.name for service in hass.data.get(DATA_SERVICES, {}).values()}
    base = name = _base(entry)
    number = 1
    while name in taken or (
        name not in ours and hass.services.has_service(NOTIFY_DOMAIN, name)
    ):
        number += 1
        name = f"{base}_{number}"
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_NOTIFY_SERVICE: name}
    )
    return name


@callback
def async_setup(hass: HomeAssistant) -> None:
    """Name the services of entries made before names were kept, oldest entry first."""
    hass.data[DATA_SERVICES] = {}
    for entry in _entries(hass):
        if _kept_name(hass, entry) is None:
            _store_name(hass, entry)


async def async_load(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Register the entry's notify service under its kept name."""
    name = _kept_name(hass, entry) or _store_name(hass, entry)
    if hass.services.has_service(NOTIFY_DOMAIN, name):
        # Another integration's service (made after ours was named): leave it be.
        LOGGER.warning("The service notify.%s exists already; not replaced", name)
        return
    service = LatamNotificationService(entry, name)
    await service.async_setup(hass, name, name)
    await service.async_register_services()
    hass.data[DATA_SERVICES][entry.entry_id] = service


async def async_unload(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Remove the entry's notify service, and only it."""
    service = hass.data[DATA_SERVICES].pop(entry.entry_id, None)
    if service is not None:
        await service.async_unregister_services()


class LatamNotificationService(BaseNotificationService):
    """Sends to phone numbers (Elibom) or `channel:client_id` targets (Aldeamo)."""

    def __init__(self, entry: LatamConfigEntry, name: str) -> None:
        """Serve one entry."""
        self._entry = entry
        self.name = name

    async def async_send_message(self, message: str = "", **kwargs: Any) -> None:
        """Check every target and the text, then send (as the account's provider does)."""
        title: str | None = kwargs.get(ATTR_TITLE)
        targets: list[str] = kwargs.get(ATTR_TARGET) or []
        entry_id = self._entry.entry_id
        await self._entry.runtime_data.async_send_message(
            targets,
            message,
            title,
            lambda sent: async_record_sent(self.hass, entry_id, sent),
        )
