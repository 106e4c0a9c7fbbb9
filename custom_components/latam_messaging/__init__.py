"""LatAm Messaging: Elibom SMS and Aldeamo bots (WhatsApp, Messenger, Twitter, web chat)."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType
from homeassistant.loader import async_get_integration

from . import assist, callers, identity, legacy_notify, repairs, stale
from .const import DOMAIN, REQUEST_TIMEOUT
from .coordinator import LatamConfigEntry
from .entity import async_register_devices, async_remove_states
from .providers import provider_of
from .services import async_setup_services

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


def _platforms(entry: LatamConfigEntry) -> list[Platform]:
    """Return the platforms of the entry's provider."""
    return list(provider_of(entry).platforms)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, whatever the number of accounts, and their webhooks."""
    async_setup_services(hass)
    callers.async_setup(hass)
    legacy_notify.async_setup(hass)
    for entry in hass.config_entries.async_entries(DOMAIN):
        if not entry.disabled_by:
            provider_of(entry).async_open_inbound(hass, entry)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> bool:
    """Bring an entry made by an older version up to date (see identity)."""
    return await identity.async_migrate_entry(hass, entry)


async def async_setup_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> bool:
    """Connect one provider account."""
    provider_of(entry).async_open_inbound(hass, entry)
    integration = await async_get_integration(hass, DOMAIN)
    source = f"home-assistant-{DOMAIN}/{integration.version}"
    coordinator = provider_of(entry).create(
        hass,
        entry,
        async_get_clientsession(hass),
        request_timeout=REQUEST_TIMEOUT,
        source=source,
    )
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = coordinator

    coordinator.async_prepare()
    repairs.async_ask_for_key_words(hass, coordinator)
    stale.async_remove_stale(hass, coordinator)
    async_register_devices(hass, coordinator)
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
    if entry.disabled_by:
        await provider_of(entry).async_close_inbound(hass, entry, remove=False)
    await async_remove_states(hass, entry)
    return await hass.config_entries.async_unload_platforms(entry, _platforms(entry))


async def async_remove_entry(hass: HomeAssistant, entry: LatamConfigEntry) -> None:
    """Delete what was stored for an account removed for good."""
    await provider_of(entry).async_close_inbound(hass, entry, remove=True)
    store = provider_of(entry).store_type(hass, entry.entry_id)
    await store.async_remove()
    ir.async_delete_issue(hass, DOMAIN, f"low_credit_{entry.entry_id}")
    ir.async_delete_issue(hass, DOMAIN, f"daily_limit_{entry.entry_id}")
    ir.async_delete_issue(hass, DOMAIN, identity.duplicate_issue_id(entry.entry_id))
    for subentry_id in entry.subentries:
        ir.async_delete_issue(hass, DOMAIN, assist.issue_id(subentry_id))
        ir.async_delete_issue(hass, DOMAIN, assist.blocked_issue_id(subentry_id))
        ir.async_delete_issue(hass, DOMAIN, repairs.key_word_issue_id(subentry_id))


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: LatamConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a device that no longer stands for a recipient or contact.

    The account's device goes with its entry, and a recipient's or contact's with
    its subentry: deleting those is refused.
    """
    return stale.may_remove_device(entry, device)
