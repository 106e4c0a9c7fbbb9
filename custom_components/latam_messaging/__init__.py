"""LatAm Messaging: Elibom SMS and Aldeamo bots (WhatsApp, Messenger, Twitter, web chat)."""

from __future__ import annotations

from homeassistant.const import CONF_URL, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.loader import async_get_integration

from . import assist, identity, legacy_notify, stale
from .api import ALDEAMO_URL, ELIBOM_URL, AldeamoClient, ElibomClient, account_digest
from .const import (
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_PROVIDER,
    DOMAIN,
    PROVIDER_ELIBOM,
    REQUEST_TIMEOUT,
)
from .coordinator import AldeamoCoordinator, ElibomCoordinator, LatamConfigEntry
from .entity import async_register_devices
from .services import async_setup_services
from .store import AldeamoStore, ElibomStore
from .webhook import async_register_inbound_sms

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

ELIBOM_PLATFORMS = [Platform.NOTIFY, Platform.SENSOR]
ALDEAMO_PLATFORMS = [Platform.EVENT, Platform.NOTIFY, Platform.SENSOR]


def _platforms(entry: LatamConfigEntry) -> list[Platform]:
    if entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM:
        return ELIBOM_PLATFORMS
    return ALDEAMO_PLATFORMS


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, whatever the number of accounts."""
    async_setup_services(hass)
    legacy_notify.async_setup(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> bool:
    """Bring an entry made by an older version up to date (see identity)."""
    return await identity.async_migrate_entry(hass, entry)


async def async_setup_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> bool:
    """Connect one provider account."""
    integration = await async_get_integration(hass, DOMAIN)
    source = f"home-assistant-{DOMAIN}/{integration.version}"
    session = async_get_clientsession(hass)
    coordinator: ElibomCoordinator | AldeamoCoordinator
    if entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM:
        elibom = ElibomClient(
            session,
            entry.data[CONF_USERNAME],
            entry.data[CONF_API_TOKEN],
            url=entry.data.get(CONF_URL) or ELIBOM_URL,
            request_timeout=REQUEST_TIMEOUT,
            source=source,
        )
        coordinator = ElibomCoordinator(
            hass, entry, elibom, ElibomStore(hass, entry.entry_id)
        )
    else:
        url = entry.data.get(CONF_URL) or ALDEAMO_URL
        aldeamo = AldeamoClient(
            session,
            entry.data[CONF_API_KEY],
            url=url,
            request_timeout=REQUEST_TIMEOUT,
            source=source,
        )
        coordinator = AldeamoCoordinator(
            hass,
            entry,
            aldeamo,
            AldeamoStore(hass, entry.entry_id),
            account_digest(entry.data[CONF_API_KEY], url),
        )

    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator

    if isinstance(coordinator, ElibomCoordinator):
        identity.async_key_by_owner(hass, entry, coordinator.data.account)
    stale.async_remove_stale(hass, coordinator)
    async_register_devices(hass, coordinator)
    if isinstance(coordinator, ElibomCoordinator):
        entry.async_on_unload(async_register_inbound_sms(hass, entry))
    await hass.config_entries.async_forward_entry_setups(entry, _platforms(entry))
    await legacy_notify.async_load(hass, entry)
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    # Only now that its entities exist: what set-up found is fired once started.
    entry.async_on_unload(coordinator.async_start_events())
    return True


async def _async_reload(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Apply new options, credentials or recipients."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> bool:
    """Disconnect an account: stop its poll, let its sends finish, save what it follows."""
    await legacy_notify.async_unload(hass, entry)
    await entry.runtime_data.async_stop()
    return await hass.config_entries.async_unload_platforms(entry, _platforms(entry))


async def async_remove_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Delete what was stored for an account removed for good."""
    store = (
        ElibomStore(hass, entry.entry_id)
        if entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM
        else AldeamoStore(hass, entry.entry_id)
    )
    await store.async_remove()
    ir.async_delete_issue(hass, DOMAIN, f"low_credit_{entry.entry_id}")
    ir.async_delete_issue(hass, DOMAIN, identity.duplicate_issue_id(entry.entry_id))
    for subentry_id in entry.subentries:
        ir.async_delete_issue(hass, DOMAIN, assist.issue_id(subentry_id))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: LatamConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a device that no longer stands for a recipient or contact.

    The account's device goes with its entry, and a recipient's or contact's with
    its subentry: deleting those is refused.
    """
    return stale.may_remove_device(entry, device)
