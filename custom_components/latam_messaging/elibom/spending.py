"""What an Elibom account spends: SMS parts per local day, and when its credit runs out.

Plain data in, plain data out: no Home Assistant here. The coordinator says what
the local day is (in Home Assistant's time zone), what was sent and what the
credit was at each poll; these functions keep the count and the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

SAMPLE_EVERY = timedelta(hours=1)
"""Spending history keeps at most one point per hour."""
WINDOW = timedelta(days=7)
"""The credit's run-out is told from the average spend of this long."""
LEAST_HISTORY = timedelta(days=1)
"""Less history than this says nothing about a day's spend: the run-out is unknown."""


@dataclass(slots=True)
class SpendingState:
    """Today's SMS parts and the credit spent over time, as stored."""

    day: date | None = None
    """The local day `parts` counts."""
    parts: int = 0
    """SMS parts the provider accepted on `day` (sent or scheduled)."""
    reserved: int = 0
    """Parts of sends on their way (not stored: counted once accepted, or freed)."""
    last_credits: float | None = None
    """The credit at the last poll."""
    spent: float = 0.0
    """Credits spent since the history began: every fall of the credit, no top-up."""
    history: list[tuple[datetime, float]] = field(default_factory=list)
    """(time, `spent` then), oldest first, one an hour, a little over WINDOW long."""

    def to_json(self) -> dict[str, Any]:
        """Write what survives a restart (what is on its way does not)."""
        return {
            "day": self.day.isoformat() if self.day else None,
            "parts": self.parts,
            "last_credits": self.last_credits,
            "spent": self.spent,
            "history": [[when.isoformat(), spent] for when, spent in self.history],
        }

    @classmethod
    def from_json(cls, raw: Any) -> SpendingState:
        """Read it back leniently: what cannot be read starts afresh."""
        if not isinstance(raw, dict):
            return cls()
        state = cls()
        try:
            state.day = date.fromisoformat(str(raw["day"])) if raw.get("day") else None
            state.parts = max(0, int(raw.get("parts", 0)))
        except (TypeError, ValueError):
            state.day, state.parts = None, 0
        try:
            balance = raw.get("last_credits")
            state.last_credits = None if balance is None else float(balance)
            state.spent = float(raw.get("spent", 0.0))
            history = [
                (datetime.fromisoformat(str(when)), float(spent))
                for when, spent in raw.get("history") or []
            ]
            if all(when.tzinfo is not None for when, _ in history):
                state.history = history
        except (TypeError, ValueError):
            state.last_credits, state.spent, state.history = None, 0.0, []
        return state


@dataclass(frozen=True, slots=True)
class Over:
    """A send the daily limit refuses: the limit, what today used, what it needed."""

    limit: int
    used: int
    parts: int


def used(state: SpendingState, today: date) -> int:
    """Return the parts accepted today (0 once the day has changed)."""
    return state.parts if state.day == today else 0


def reserve(state: SpendingState, limit: int, parts: int, today: date) -> Over | None:
    """Set `parts` aside for a send, or say why the limit refuses it (0: no limit).

    Sends on their way count too, so that two at once cannot pass the limit together.
    """
    taken = used(state, today) + state.reserved
    if limit > 0 and taken + parts > limit:
        return Over(limit, taken, parts)
    state.reserved += parts
    return None


def free(state: SpendingState, parts: int) -> None:
    """Give back parts set aside for what was not accepted."""
    state.reserved = max(0, state.reserved - parts)


def accept(state: SpendingState, parts: int, today: date) -> None:
    """Count parts set aside that the provider accepted, on today's count."""
    free(state, parts)
    if state.day != today:
        state.day, state.parts = today, 0
    state.parts += parts


def reached(state: SpendingState, limit: int, today: date) -> bool:
    """Tell whether today's count is at the limit (0: no limit)."""
    return limit > 0 and used(state, today) >= limit


def note_credits(state: SpendingState, balance: float, now: datetime) -> bool:
    """Follow the credit read at a poll; return whether the state changed.

    A fall is spending, a rise is a top-up (not spending). One point an hour is
    kept, back to just beyond WINDOW.
    """
    changed = False
    if state.last_credits is not None and balance < state.last_credits:
        state.spent = round(state.spent + state.last_credits - balance, 6)
        changed = True
    if balance != state.last_credits:
        state.last_credits = balance
        changed = True
    if not state.history or now - state.history[-1][0] >= SAMPLE_EVERY:
        state.history.append((now, state.spent))
        changed = True
    # Keep the newest point older than WINDOW: it starts the window.
    while len(state.history) > 1 and state.history[1][0] <= now - WINDOW:
        del state.history[0]
    return changed


@dataclass(frozen=True, slots=True)
class RunOut:
    """When the credit reaches zero at the recent average spend, and in how many days."""

    at: datetime
    days_left: float


def run_out(state: SpendingState, now: datetime) -> RunOut | None:
    """Return when the credit runs out; None with too little history or no spending."""
    if not state.history or state.last_credits is None:
        return None
    start, spent_then = state.history[0]
    span = now - start
    if span < LEAST_HISTORY:
        return None
    per_day = (state.spent - spent_then) / (span / timedelta(days=1))
    if per_day <= 0:
        return None
    days_left = max(0.0, state.last_credits) / per_day
    return RunOut(now + timedelta(days=days_left), round(days_left, 1))
