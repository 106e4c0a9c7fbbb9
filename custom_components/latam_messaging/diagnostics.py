"""Diagnostics: what helps to debug, without secrets, e-mails, phone numbers or names."""

from __future__ import annotations

from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant

from .const import CONF_API_KEY, CONF_API_TOKEN, CONF_NOTIFY_SERVICE
from .coordinator import ElibomCoordinator, LatamConfigEntry

TO_REDACT = {
    CONF_API_TOKEN,
    CONF_API_KEY,
    CONF_USERNAME,
    CONF_WEBHOOK_ID,
    CONF_NOTIFY_SERVICE,  # made of the account's name
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
    if isinstance(coordinator, ElibomCoordinator):
        data = coordinator.data
        state = coordinator.store.state
        result["account"] = {
            "type": data.account.type,
            "credits": data.account.credits,
            "active_users": data.active_users,
        }
        result["schedules"] = [
            {
                "id": schedule.id,
                "scheduled_time": schedule.scheduled_time.isoformat()
                if schedule.scheduled_time
                else None,
                "destinations": schedule.destinations,
                "text_length": len(schedule.text or ""),
            }
            for schedule in data.schedules
        ]
        result["leaving_schedules"] = sorted(state.leaving)
        result["tracked_deliveries"] = [
            {
                "delivery_token": tracked.token,
                "status": tracked.status,
                "num_sent": tracked.num_sent,
                "num_failed": tracked.num_failed,
                "sent_at": tracked.sent_at.isoformat(),
                "next_due": tracked.next_due.isoformat(),
                "recipients": tracked.recipients,
            }
            for tracked in state.deliveries.values()
        ]
    else:
        channels = coordinator.store.state.channels
        result["channels"] = {
            channel: {
                "users": len(coordinator.data.users.get(channel, ())),
                "cursors": len(channels[channel].users) if channel in channels else 0,
            }
            for channel in coordinator.channels
        }
    result["events_waiting"] = len(coordinator.store.outbox)
    return result
