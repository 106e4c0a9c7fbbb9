"""Device triggers: the automation editor's way from a device to its messages.

Each trigger is an event trigger on the integration's own bus events, narrowed to
one account and, on a recipient's or contact's device, to that person. What each
device offers is the provider's declaration (see triggers.py), read from the
entry's data: triggers are listed and attached also while the entry is not loaded.
"""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.device_automation.exceptions import (
    InvalidDeviceAutomationConfig,
)
from homeassistant.components.homeassistant.triggers import event as event_trigger
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_EVENT_DATA,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import DOMAIN, EVENT_MESSAGE_RECEIVED
from .entity import subentry_identifier
from .providers import COORDINATORS, provider_of
from .triggers import PERSON_WROTE

CONF_SUBTYPE: Final = "subtype"

TRIGGER_TYPES: Final = frozenset(
    {PERSON_WROTE}
    | {
        trigger.kind
        for coordinator in COORDINATORS.values()
        for trigger in coordinator.device_triggers.account
    }
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES),
        vol.Optional(CONF_SUBTYPE): str,
    }
)


def device_owner(
    hass: HomeAssistant, device_id: str
) -> tuple[ConfigEntry, ConfigSubentry | None] | None:
    """Return the account a device stands for, and its recipient or contact if any."""
    device = dr.async_get(hass).async_get(device_id)
    # Matched against our own identifiers ("<entry>" or "<entry>_<subentry>"), not
    # split: an entry id may itself contain "_". The device's config entry fields
    # changed form between supported versions.
    identifiers = device.identifiers if device is not None else set()
    ours = {identifier for domain, identifier in identifiers if domain == DOMAIN}
    for entry in hass.config_entries.async_entries(DOMAIN):
        if entry.entry_id in ours:
            return entry, None
        for subentry_id, subentry in entry.subentries.items():
            if subentry_identifier(entry.entry_id, subentry_id) in ours:
                return entry, subentry
    return None


def _trigger(device_id: str, kind: str, subtype: str | None) -> dict[str, Any]:
    trigger = {
        CONF_PLATFORM: "device",
        CONF_DOMAIN: DOMAIN,
        CONF_DEVICE_ID: device_id,
        CONF_TYPE: kind,
    }
    if subtype is not None:
        trigger[CONF_SUBTYPE] = subtype
    return trigger


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, Any]]:
    """List what can start an automation on this device."""
    owner = device_owner(hass, device_id)
    if owner is None:
        return []
    entry, subentry = owner
    triggers = provider_of(entry).device_triggers
    if subentry is not None:
        if subentry.subentry_type not in triggers.senders:
            return []
        return [_trigger(device_id, PERSON_WROTE, None)]
    return [
        _trigger(device_id, trigger.kind, subtype)
        for trigger in triggers.account
        for subtype in trigger.listed(entry.data)
    ]


def _event(
    entry: ConfigEntry, subentry: ConfigSubentry | None, config: ConfigType
) -> tuple[str, dict[str, Any]]:
    """Return the bus event and the data that make this trigger fire."""
    kind = config[CONF_TYPE]
    data: dict[str, Any] = {"config_entry_id": entry.entry_id}
    triggers = provider_of(entry).device_triggers
    if subentry is not None:
        sender = triggers.senders.get(subentry.subentry_type)
        if kind == PERSON_WROTE and sender is not None:
            return EVENT_MESSAGE_RECEIVED, data | sender(subentry.data)
    else:
        for trigger in triggers.account:
            if trigger.kind != kind:
                continue
            matched = trigger.matched(config.get(CONF_SUBTYPE))
            if matched is not None:
                return trigger.event_type, data | matched
    raise InvalidDeviceAutomationConfig(f"{kind} does not apply to this device")


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the event that this device trigger stands for."""
    owner = device_owner(hass, config[CONF_DEVICE_ID])
    if owner is None:
        raise InvalidDeviceAutomationConfig(
            f"device {config[CONF_DEVICE_ID]} stands for no LatAm Messaging account,"
            " recipient or contact"
        )
    event_type, event_data = _event(*owner, config)
    event_config = event_trigger.TRIGGER_SCHEMA(
        {
            CONF_PLATFORM: "event",
            event_trigger.CONF_EVENT_TYPE: event_type,
            CONF_EVENT_DATA: event_data,
        }
    )
    return await event_trigger.async_attach_trigger(
        hass, event_config, action, trigger_info, platform_type="device"
    )
