"""Device triggers: the automation editor's way from a device to its messages.

Each trigger is an event trigger on the integration's own bus events, narrowed to
one account and, on a recipient's or contact's device, to that person.
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

from .const import (
    CONF_CHANNEL,
    CONF_CHANNELS,
    CONF_CLIENT_ID,
    CONF_PHONE_NUMBER,
    CONF_PROVIDER,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    PROVIDER_ELIBOM,
    SUBENTRY_CONTACT,
    SUBENTRY_RECIPIENT,
)
from .validation import listening_channels

CONF_SUBTYPE: Final = "subtype"

MESSAGE_RECEIVED: Final = "message_received"
"""On a bot account's device, one per listened channel (the subtype)."""
PERSON_WROTE: Final = "person_wrote"
"""On a recipient's or contact's device: that person wrote."""
SMS_RECEIVED: Final = "sms_received"
DELIVERY_FAILED: Final = "delivery_failed"
DELIVERY_FINISHED: Final = "delivery_finished"
TRIGGER_TYPES: Final = (
    MESSAGE_RECEIVED,
    PERSON_WROTE,
    SMS_RECEIVED,
    DELIVERY_FAILED,
    DELIVERY_FINISHED,
)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES),
        vol.Optional(CONF_SUBTYPE): str,
    }
)


def _owner(
    hass: HomeAssistant, device_id: str
) -> tuple[ConfigEntry, ConfigSubentry | None] | None:
    """Return the account a device stands for, and its recipient or contact if any."""
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        return None
    # Read from our own identifier ("<entry>" or "<entry>_<subentry>"): the
    # device's config entry fields changed form between supported versions.
    for domain, identifier in device.identifiers:
        if domain != DOMAIN:
            continue
        entry_id, _, subentry_id = identifier.partition("_")
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            continue
        if subentry_id:
            subentry = entry.subentries.get(subentry_id)
            return None if subentry is None else (entry, subentry)
        return entry, None
    return None


def _trigger(device_id: str, kind: str, subtype: str | None = None) -> dict[str, Any]:
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
    owner = _owner(hass, device_id)
    if owner is None:
        return []
    entry, subentry = owner
    if subentry is not None:
        return [_trigger(device_id, PERSON_WROTE)]
    if entry.data[CONF_PROVIDER] == PROVIDER_ELIBOM:
        return [
            _trigger(device_id, kind)
            for kind in (SMS_RECEIVED, DELIVERY_FAILED, DELIVERY_FINISHED)
        ]
    return [
        _trigger(device_id, MESSAGE_RECEIVED, channel)
        for channel in listening_channels(entry.data[CONF_CHANNELS])
    ]


def _event(
    entry: ConfigEntry, subentry: ConfigSubentry | None, config: ConfigType
) -> tuple[str, dict[str, Any]]:
    """Return the bus event and the data that make this trigger fire."""
    kind = config[CONF_TYPE]
    data: dict[str, Any] = {"config_entry_id": entry.entry_id}
    if kind == PERSON_WROTE and subentry is not None:
        if subentry.subentry_type == SUBENTRY_RECIPIENT:
            data |= {"channel": "sms", "client_id": subentry.data[CONF_PHONE_NUMBER]}
        elif subentry.subentry_type == SUBENTRY_CONTACT:
            data |= {
                "channel": subentry.data[CONF_CHANNEL],
                "client_id": subentry.data[CONF_CLIENT_ID],
            }
        return EVENT_MESSAGE_RECEIVED, data
    if kind == MESSAGE_RECEIVED and CONF_SUBTYPE in config:
        return EVENT_MESSAGE_RECEIVED, data | {"channel": config[CONF_SUBTYPE]}
    if kind == SMS_RECEIVED:
        return EVENT_MESSAGE_RECEIVED, data | {"channel": "sms"}
    if kind == DELIVERY_FAILED:
        return EVENT_DELIVERY_STATUS, data | {"status": "failed"}
    if kind == DELIVERY_FINISHED:
        return EVENT_DELIVERY_STATUS, data | {"status": "finished"}
    raise InvalidDeviceAutomationConfig(f"{kind} does not apply to this device")


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Listen for the event that this device trigger stands for."""
    owner = _owner(hass, config[CONF_DEVICE_ID])
    if owner is None:
        raise InvalidDeviceAutomationConfig(
            f"device {config[CONF_DEVICE_ID]} is not a LatAm Messaging device"
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
