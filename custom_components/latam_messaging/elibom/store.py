"""How an Elibom account's state is written to its store, and read back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..store import EntryStore, each, parse_time, required_time, time_to_json
from .deliveries import ElibomState, SeenSchedule, TrackedDelivery, first_due
from .spending import SpendingState


class ElibomStore(EntryStore[ElibomState]):
    """Tracked deliveries and schedules of one Elibom account."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty."""
        super().__init__(hass, entry_id, ElibomState())

    def _to_json(self) -> dict[str, Any]:
        return _elibom_to_json(self.state)

    def _from_json(self, raw: Mapping[str, Any], skipped: list[str]) -> ElibomState:
        return _elibom_from_json(raw, skipped)


def _elibom_to_json(state: ElibomState) -> dict[str, Any]:
    return {
        "deliveries": [
            {
                "token": d.token,
                "status": d.status,
                "num_sent": d.num_sent,
                "num_failed": d.num_failed,
                "sent_at": time_to_json(d.sent_at),
                "recipients": d.recipients,
                "next_due": time_to_json(d.next_due),
                "to": list(d.to),
            }
            for d in state.deliveries.values()
        ],
        "schedules": [
            {
                "id": s.id,
                "scheduled_time": time_to_json(s.scheduled_time),
                "text": s.text,
                "destinations": s.destinations,
            }
            for s in state.schedules.values()
        ],
        "leaving": sorted(state.leaving),
        "settled": [
            {"id": schedule_id, "status": status}
            for schedule_id, status in state.settled.items()
        ],
        "inbound": list(state.inbound),
        "spending": state.spending.to_json(),
    }


def _elibom_from_json(raw: Mapping[str, Any], skipped: list[str]) -> ElibomState:
    state = ElibomState()
    for delivery in each(raw, "deliveries", _delivery_from_json, skipped):
        state.deliveries[delivery.token] = delivery
    for schedule in each(raw, "schedules", _schedule_from_json, skipped):
        state.schedules[schedule.id] = schedule
    state.leaving = set(each(raw, "leaving", str, skipped))
    for schedule_id, status in each(raw, "settled", _settled_from_json, skipped):
        state.settled[schedule_id] = status
    state.inbound = each(raw, "inbound", str, skipped)
    state.spending = SpendingState.from_json(raw.get("spending"))
    return state


def _delivery_from_json(item: Any) -> TrackedDelivery:
    sent_at = required_time(item["sent_at"], "the sending time")
    token = str(item["token"])
    # Stores written before due times existed, or a due time damaged: spread over
    # the coming polls (the delivery itself is kept: it was paid for).
    try:
        next_due = parse_time(item.get("next_due"))
    except ValueError:
        next_due = None
    next_due = next_due or first_due(token, sent_at, dt_util.utcnow())
    return TrackedDelivery(
        token=token,
        status=str(item["status"]),
        num_sent=int(item["num_sent"]),
        num_failed=int(item["num_failed"]),
        sent_at=sent_at,
        recipients=int(item["recipients"]),
        next_due=next_due,
        to=tuple(str(number) for number in item.get("to", ())),
    )


def _schedule_from_json(item: Any) -> SeenSchedule:
    text = item.get("text")
    return SeenSchedule(
        id=str(item["id"]),
        scheduled_time=parse_time(item.get("scheduled_time")),
        text=str(text) if text is not None else None,
        destinations=int(item.get("destinations", 0)),
    )


def _settled_from_json(item: Any) -> tuple[str, str]:
    return str(item["id"]), str(item["status"])
