"""Following Elibom deliveries and schedules: what is due, and which event a change makes.

Plain data in, plain data out: no Home Assistant here. The coordinator fetches what
these functions ask for, hands the answers back, stores the state and fires the
events they return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import hashlib
from typing import Any

from ..api import ElibomDelivery, ElibomSchedule
from .spending import SpendingState

FINAL_STATES = frozenset({"finished", "failed", "expired"})
LOOKUP_WINDOW = timedelta(hours=48)
"""Elibom forgets a delivery after about two days: it is expired then."""
YOUNG = timedelta(minutes=10)
"""A delivery this young is looked up once per polling period: most end within a minute."""
EARLY = timedelta(seconds=2)
"""How early a poll may come: the coordinator's timer rounds to whole seconds."""
MAX_WAIT = timedelta(minutes=30)
"""The longest wait between two lookups of an older delivery."""
WAIT_SHARE = 5
"""An older delivery waits a fifth of its age between lookups (up to MAX_WAIT)."""
SETTLED_REMEMBERED = 100
"""Schedules whose end is remembered, so a second cancel can say what happened."""


@dataclass(slots=True)
class TrackedDelivery:
    """A delivery sent through the integration and not yet final."""

    token: str
    status: str
    num_sent: int
    num_failed: int
    sent_at: datetime
    recipients: int
    next_due: datetime
    """When it is next looked up; stored, so a restart looks up nothing early."""
    to: tuple[str, ...] = ()
    """The numbers it went to: an expired delivery's event names them (the
    provider no longer does). Empty for deliveries stored before it was kept."""


@dataclass(frozen=True, slots=True)
class SeenSchedule:
    """A schedule as last seen in the provider's list."""

    id: str
    scheduled_time: datetime | None
    text: str | None
    destinations: int


@dataclass(slots=True)
class ElibomState:
    """What an Elibom entry follows, as stored."""

    deliveries: dict[str, TrackedDelivery] = field(default_factory=dict)
    schedules: dict[str, SeenSchedule] = field(default_factory=dict)
    leaving: set[str] = field(default_factory=set)
    """Schedules gone from the list whose end (executed or cancelled) is unknown."""
    settled: dict[str, str] = field(default_factory=dict)
    """The last schedules that ended, with how (executed or cancelled), oldest first."""
    inbound: list[str] = field(default_factory=list)
    """Ids of the last SMS received on the webhook, to ignore a callback repeated."""
    spending: SpendingState = field(default_factory=SpendingState)
    """Today's SMS parts and the credit spent over time."""
    version: int = 0
    """Counts the changes actions made (not stored: no poll outlives the process)."""
    touched: dict[str, int] = field(default_factory=dict)
    """Schedules an action changed, with the version of its last change."""


def touch(state: ElibomState, schedule_id: str) -> None:
    """Note that an action changed a schedule: a poll already asking does not undo it."""
    state.version += 1
    state.touched[schedule_id] = state.version


def track(token: str, to: Iterable[str], now: datetime) -> TrackedDelivery:
    """Start following a delivery the provider just accepted, sent to these numbers."""
    numbers = tuple(to)
    return TrackedDelivery(token, "created", 0, 0, now, len(numbers), now, numbers)


def next_lookup(sent_at: datetime, now: datetime, interval: timedelta) -> datetime:
    """Return when a delivery looked up now is due again.

    Young deliveries are due one polling period later; after that the wait grows
    with the delivery's age, up to MAX_WAIT: a delivery stuck for two days costs
    about a hundred lookups, not one per poll.
    """
    age = now - sent_at
    if age < YOUNG:
        return now + interval
    return now + max(interval, min(MAX_WAIT, age / WAIT_SHARE))


def first_due(token: str, sent_at: datetime, now: datetime) -> datetime:
    """Return when a delivery stored without a due time is first looked up.

    Stores written before due times existed (or with one damaged) would make every
    delivery due at the first poll after the upgrade: thousands of lookups at once
    for a busy account. Each is given a moment within the wait its age calls for,
    spread by its token, as regular lookups would have spread them. One the
    provider has forgotten costs no lookup: it is expired at once.
    """
    if now - sent_at > LOOKUP_WINDOW:
        return now
    wait = min(MAX_WAIT, max(now - sent_at, timedelta(0)) / WAIT_SHARE)
    share = int(hashlib.sha256(token.encode()).hexdigest()[:8], 16) / 0x1_0000_0000
    return now + wait * share


def due(
    state: ElibomState, now: datetime, interval: timedelta, *, scheduled: bool
) -> list[TrackedDelivery]:
    """Return the deliveries to look up at a poll happening now.

    A scheduled poll comes one polling period after the last, so a young delivery
    is due at each; any other refresh (the first after a reload or a restart, one
    asked for) goes by the stored due times, and looks up nothing early.
    A due time further off than the longest wait was set by a clock that was
    wrong (or stored damaged): that delivery is due now rather than for years.
    """
    longest = max(MAX_WAIT, interval)
    return [
        d
        for d in state.deliveries.values()
        if d.next_due <= now + EARLY
        or (scheduled and now - d.sent_at < YOUNG)
        or d.next_due - now > longest
    ]


def delivery_event(delivery: ElibomDelivery) -> dict[str, Any]:
    """Describe a delivery as its event and the get_delivery action show it."""
    return {
        "delivery_token": delivery.delivery_token,
        "status": delivery.status,
        "num_sent": delivery.num_sent,
        "num_failed": delivery.num_failed,
        "messages": [
            {
                "to": message.to,
                "status": message.status,
                "status_detail": message.status_detail,
                "operator": message.operator,
                "credits": message.credits,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            }
            for message in delivery.messages
        ],
    }


def _expired_event(tracked: TrackedDelivery) -> dict[str, Any]:
    return {
        "delivery_token": tracked.token,
        "status": "expired",
        "num_sent": tracked.num_sent,
        "num_failed": tracked.num_failed,
        "messages": [],
        "to": list(tracked.to),
    }


def forgotten(tracked: TrackedDelivery, now: datetime) -> bool:
    """Tell whether the provider has forgotten the delivery by now (no lookup then)."""
    return now - tracked.sent_at > LOOKUP_WINDOW


def apply_lookup(
    state: ElibomState,
    tracked: TrackedDelivery,
    answer: ElibomDelivery | None,
    now: datetime,
    interval: timedelta,
) -> dict[str, Any] | None:
    """Record one lookup's answer (None: the provider forgot it); return its event.

    A final delivery is forgotten; any other waits for its next due time.
    """
    if answer is not None:
        tracked.num_sent, tracked.num_failed = answer.num_sent, answer.num_failed
    status = "expired" if answer is None else answer.status
    event = None
    if status != tracked.status:
        tracked.status = status
        event = _expired_event(tracked) if answer is None else delivery_event(answer)
    if status in FINAL_STATES:
        del state.deliveries[tracked.token]
    else:
        tracked.next_due = next_lookup(tracked.sent_at, now, interval)
    return event


def schedule_seen(schedule: ElibomSchedule) -> SeenSchedule:
    """Keep what the dashboard shows of a listed schedule."""
    return SeenSchedule(
        id=schedule.id,
        scheduled_time=schedule.scheduled_time,
        text=schedule.text,
        destinations=len(schedule.destinations),
    )


def leaving(state: ElibomState, listed: Mapping[str, SeenSchedule]) -> list[str]:
    """Return the schedules to ask about: gone from the list, end still unknown."""
    return sorted((state.leaving | set(state.schedules)) - set(listed))


def apply_schedules(
    state: ElibomState,
    listed: Mapping[str, SeenSchedule],
    ended: Mapping[str, str | None],
    since: int,
) -> tuple[list[dict[str, Any]], bool]:
    """Record the list and the answers about schedules that left it.

    `ended` maps each schedule asked about to its status (`cancelled` for one the
    provider no longer knows), or None when it could not be asked: that one is
    asked again at the next poll. Returns the events and whether anything changed.
    The poll asked from version `since` on: a schedule an action changed after that
    (sent, scheduled, cancelled) is as the action left it, whatever the older answers say.
    """
    fresh = {i for i, version in state.touched.items() if version > since}
    state.touched = {i: v for i, v in state.touched.items() if v > since}
    listed = {i: s for i, s in listed.items() if i not in fresh} | {
        i: state.schedules[i] for i in fresh if i in state.schedules
    }
    ended = {i: status for i, status in ended.items() if i not in fresh}
    gone = state.leaving | (set(state.schedules) - set(listed))
    changed = state.schedules != listed or gone != state.leaving
    state.schedules = dict(listed)
    state.leaving = gone - set(listed)
    events = []
    for schedule_id, status in ended.items():
        if status is None or status == "scheduled" or schedule_id not in state.leaving:
            continue  # not known yet, or listed again at the next poll
        state.leaving.discard(schedule_id)
        events.append(settle(state, schedule_id, status or "executed"))
        changed = True
    return events, changed


def settle(state: ElibomState, schedule_id: str, status: str) -> dict[str, Any]:
    """Forget a schedule that ended, remember how; return its event."""
    state.schedules.pop(schedule_id, None)
    state.leaving.discard(schedule_id)
    state.settled.pop(schedule_id, None)
    state.settled[schedule_id] = status
    while len(state.settled) > SETTLED_REMEMBERED:
        del state.settled[next(iter(state.settled))]
    return {"schedule_id": schedule_id, "status": status}


def scheduled(state: ElibomState, schedule_id: str) -> bool:
    """Tell whether the schedule was last seen waiting to be sent."""
    return schedule_id in state.schedules or schedule_id in state.leaving


def soonest_first(schedules: Iterable[SeenSchedule]) -> tuple[SeenSchedule, ...]:
    """Order schedules by their time (unknown times first), then by id."""
    return tuple(
        sorted(
            schedules,
            key=lambda s: (
                s.scheduled_time is not None,
                s.scheduled_time.timestamp() if s.scheduled_time else 0.0,
                s.id,
            ),
        )
    )
