"""The simulator's own time: frozen for tests (moved by hand), or following the wall clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SimClock:
    """Simulated time; advance() moves it forward in both modes."""

    def __init__(
        self, start: datetime | None = None, *, realtime: bool = False
    ) -> None:
        """Start at `start` (default: now); realtime makes it follow the wall clock."""
        self._realtime = realtime
        self._base = start or datetime.now(UTC)
        self._anchor = datetime.now(UTC)
        self._offset = timedelta()

    def now(self) -> datetime:
        """Return the simulated moment, time-zone aware."""
        moved = datetime.now(UTC) - self._anchor if self._realtime else timedelta()
        return self._base + moved + self._offset

    def advance(self, seconds: float) -> None:
        """Move simulated time forward."""
        self._offset += timedelta(seconds=seconds)
