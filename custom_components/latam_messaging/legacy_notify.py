"""The classic `notify.<account>` service, one per entry (multi-factor codes, YAML habits)."""

from __future__ import annotations

from typing import Any

from homeassistant.components.notify.const import ATTR_TARGET, ATTR_TITLE
from homeassistant.components.notify.legacy import (
    NOTIFY_SERVICES,
    BaseNotificationService,
)
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_NAME, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import discovery
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from homeassistant.util import slugify
from homeassistant.util.hass_dict import HassKey

from .const import CONF_PLAIN_ALPHABET, DEFAULT_PLAIN_ALPHABET, DOMAIN
from .coordinator import ElibomCoordinator, LatamConfigEntry
from .errors import validation_error
from .validation import bot_target, bot_text, phone_numbers, sms_text

DATA_HASS_CONFIG: HassKey[ConfigType] = HassKey(f"{DOMAIN}_hass_config")
DATA_NAMES: HassKey[dict[str, str]] = HassKey(f"{DOMAIN}_legacy_notify_names")
DATA_SERVICES: HassKey[dict[str, LatamNotificationService]] = HassKey(
    f"{DOMAIN}_legacy_notify_services"
)
CONF_ENTRY_ID = "entry_id"


@callback
def async_setup(hass: HomeAssistant, config: ConfigType) -> None:
    """Remember Home Assistant's configuration, which platform discovery needs."""
    hass.data[DATA_HASS_CONFIG] = config
    hass.data[DATA_NAMES] = {}
    hass.data[DATA_SERVICES] = {}


@callback
def async_load(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Create the entry's notify service, named after its title, unique among entries."""
    names = hass.data[DATA_NAMES]
    base = slugify(entry.title) or DOMAIN
    taken = {name for entry_id, name in names.items() if entry_id != entry.entry_id}
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    names[entry.entry_id] = name
    hass.async_create_task(
        discovery.async_load_platform(
            hass,
            Platform.NOTIFY,
            DOMAIN,
            {CONF_ENTRY_ID: entry.entry_id, CONF_NAME: name},
            hass.data[DATA_HASS_CONFIG],
        ),
        eager_start=True,
    )


async def async_unload(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Remove the entry's notify service."""
    hass.data[DATA_NAMES].pop(entry.entry_id, None)
    service = hass.data[DATA_SERVICES].pop(entry.entry_id, None)
    if service is None:
        return
    await service.async_unregister_services()
    registered = hass.data.get(NOTIFY_SERVICES, {}).get(DOMAIN, [])
    if service in registered:
        registered.remove(service)


async def async_get_service(
    hass: HomeAssistant,
    config: ConfigType,
    discovery_info: DiscoveryInfoType | None = None,
) -> LatamNotificationService | None:
    """Build the service for a discovered entry (YAML set-up is not supported)."""
    if discovery_info is None:
        return None
    entry: LatamConfigEntry | None = hass.config_entries.async_get_entry(
        discovery_info[CONF_ENTRY_ID]
    )
    if entry is None or entry.state not in (
        ConfigEntryState.LOADED,
        ConfigEntryState.SETUP_IN_PROGRESS,
    ):
        return None
    service = LatamNotificationService(entry)
    hass.data[DATA_SERVICES][entry.entry_id] = service
    return service


class LatamNotificationService(BaseNotificationService):
    """Sends to phone numbers (Elibom) or `channel:client_id` targets (Aldeamo)."""

    def __init__(self, entry: LatamConfigEntry) -> None:
        """Serve one entry."""
        self._entry = entry

    async def async_send_message(self, message: str = "", **kwargs: Any) -> None:
        """Check every target and the text, then send."""
        title: str | None = kwargs.get(ATTR_TITLE)
        targets: list[str] = kwargs.get(ATTR_TARGET) or []
        coordinator = self._entry.runtime_data
        if isinstance(coordinator, ElibomCoordinator):
            numbers = phone_numbers(targets, coordinator.country_code)
            options = self._entry.options
            plain = bool(options.get(CONF_PLAIN_ALPHABET, DEFAULT_PLAIN_ALPHABET))
            text = sms_text(message, title, plain_alphabet=plain)
            await coordinator.async_send_sms(numbers, text)
            return
        if not targets:
            raise validation_error("no_targets")
        text = bot_text(message, title)
        # Every target is checked before anything is sent; each is sent once.
        for channel, client_id in dict.fromkeys(bot_target(t) for t in targets):
            await coordinator.async_send(channel, client_id, text)
