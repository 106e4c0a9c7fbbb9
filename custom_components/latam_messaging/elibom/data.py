"""What one Elibom poll gives the sensors."""

from __future__ import annotations

from dataclasses import dataclass

from ..api import ElibomAccount, ElibomDelivery, LatamMessagingError
from .deliveries import SeenSchedule


@dataclass(frozen=True, slots=True)
class ElibomData:
    """What the Elibom sensors show."""

    account: ElibomAccount
    active_users: int | None
    schedules: tuple[SeenSchedule, ...]
    """Scheduled sends, soonest first."""
    pending_deliveries: int


type DeliveryAnswer = ElibomDelivery | None | LatamMessagingError
"""A lookup's answer: the delivery, None when the provider forgot it, or an error."""
