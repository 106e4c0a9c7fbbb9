"""What one Elibom poll gives the sensors."""

from __future__ import annotations

from dataclasses import dataclass

from ..api import ElibomAccount, ElibomDelivery, LatamMessagingError
from .deliveries import SeenSchedule
from .spending import RunOut


@dataclass(frozen=True, slots=True)
class ElibomData:
    """What the Elibom sensors show."""

    account: ElibomAccount
    active_users: int | None
    schedules: tuple[SeenSchedule, ...]
    """Scheduled sends, soonest first."""
    pending_deliveries: int
    parts_today: int = 0
    """SMS parts accepted today (local day), sent or scheduled."""
    runs_out: RunOut | None = None
    """When the credit runs out at the last 7 days' spend; None if it cannot be told."""


type DeliveryAnswer = ElibomDelivery | None | LatamMessagingError
"""A lookup's answer: the delivery, None when the provider forgot it, or an error."""
