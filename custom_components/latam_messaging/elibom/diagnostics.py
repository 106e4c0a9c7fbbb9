"""What an Elibom account adds to the diagnostics: no numbers, no texts."""

from __future__ import annotations

from typing import Any

from .data import ElibomData
from .deliveries import ElibomState


def elibom_diagnostics(data: ElibomData, state: ElibomState) -> dict[str, Any]:
    """Describe the account, its schedules and the deliveries followed."""
    return {
        "account": {
            "type": data.account.type,
            "credits": data.account.credits,
            "active_users": data.active_users,
        },
        "schedules": [
            {
                "id": schedule.id,
                "scheduled_time": schedule.scheduled_time.isoformat()
                if schedule.scheduled_time
                else None,
                "destinations": schedule.destinations,
                "text_length": len(schedule.text or ""),
            }
            for schedule in data.schedules
        ],
        "leaving_schedules": sorted(state.leaving),
        "tracked_deliveries": [
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
        ],
    }
