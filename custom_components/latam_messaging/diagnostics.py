"""Diagnostics: what helps to debug, without secrets, e-mails, phone numbers or names."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_API_KEY, CONF_API_TOKEN, CONF_ASSIST_PIN, CONF_NOTIFY_SERVICE
from .coordinator import LatamConfigEntry

TO_REDACT = {
    CONF_API_TOKEN,
    CONF_API_KEY,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    CONF_NOTIFY_SERVICE,  # made of the account's name
    CONF_ASSIST_PIN,  # a subentry's; redacted wherever it could turn up
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: LatamConfigEntry
) -> dict[str, Any]:
    """Describe the entry and what its coordinator follows."""
    coordinator = entry.runtime_data
    result: dict[str, Any] = {
        "entry": {
            "data": async_redact_data(dict(entry.data), TO_REDACT),
            "options": dict(entry.options),
            "subentries": sorted(
                sub.subentry_type for sub in entry.subentries.values()
            ),
        },
        "coordinator": {
            "last_update_success": coordinator.last_update_success,
            "update_interval": coordinator.update_interval.total_seconds()
            if coordinator.update_interval
            else None,
            "last_exception": repr(coordinator.last_exception)
            if coordinator.last_exception
            else None,
        },
    }
    result |= coordinator.diagnostics()
    result["events_waiting"] = len(coordinator.store.outbox)
    return result
