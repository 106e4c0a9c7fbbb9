"""The fault matrix of tests/test_fault_matrix_*.py: its fault kinds, its points, its cells.

FAULTS are the ways a call goes wrong, POINTS every place where the integration talks
to Elibom or Aldeamo (set-up, each poll call, each per-item lookup, each action and
each config flow); CELLS crosses them, per phase. `action_outcome` and `flow_errors`
say what a caller or a form must show for a failed call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest

from tests.simulator import FaultKind


@dataclass(frozen=True, slots=True)
class Failure:
    """One way a call goes wrong."""

    name: str
    kind: FaultKind | None = None
    """The simulator's fault; None: nobody listens, the connection is refused."""
    status: int = 500

    @property
    def handled(self) -> bool:
        """Whether the provider did what was asked before the answer went wrong."""
        return self.kind not in (None, FaultKind.STATUS)

    def attempts(self, method: str) -> int:
        """Return how many requests of one call reach the provider."""
        # aiohttp repeats an idempotent request once on a dropped connection.
        if self.kind is None:
            return 0
        if self.kind is FaultKind.DISCONNECT and method in ("GET", "DELETE"):
            return 2
        return 1


FAULTS = (
    Failure("401", FaultKind.STATUS, 401),
    Failure("404", FaultKind.STATUS, 404),
    Failure("429", FaultKind.STATUS, 429),
    Failure("500", FaultKind.STATUS, 500),
    Failure("503", FaultKind.STATUS, 503),
    Failure("timeout", FaultKind.DELAY),
    Failure("malformed", FaultKind.MALFORMED),
    Failure("truncated", FaultKind.TRUNCATED),
    Failure("disconnect", FaultKind.DISCONNECT),
    Failure("refused"),
)

SETUP, POLL, ITEM, ACTION, FLOW = "setup", "poll", "item", "action", "flow"
PHASES = (SETUP, POLL, ITEM, ACTION, FLOW)
PROVIDERS = ("elibom", "aldeamo")


@dataclass(frozen=True, slots=True)
class Point:
    """One place where the integration calls a provider."""

    provider: str
    phase: str
    name: str
    method: str
    path: str
    """The provider-relative path; "{id}" is the delivery token or schedule id."""
    nth: int = 1
    """Which request to this path fails, within the exchange (1 = the first)."""
    after: tuple[str, str, int] | None = None
    """The request just before it (method, path, nth); None: it comes first."""
    channel: str | None = None
    """For Aldeamo's GET /users: the channel asked about."""

    @property
    def id(self) -> str:
        """Name the point in test ids."""
        return f"{self.provider}-{self.phase}-{self.name}"


_AFTER_ACCOUNT = ("GET", "/account", 1)
_AFTER_LISTING = ("GET", "/schedules/scheduled", 1)
ELIBOM_POINTS = (
    Point("elibom", SETUP, "account", "GET", "/account"),
    Point(
        "elibom",
        SETUP,
        "scheduled",
        "GET",
        "/schedules/scheduled",
        after=_AFTER_ACCOUNT,
    ),
    Point("elibom", SETUP, "users", "GET", "/users", after=_AFTER_LISTING),
    Point("elibom", POLL, "account", "GET", "/account"),
    Point(
        "elibom", POLL, "scheduled", "GET", "/schedules/scheduled", after=_AFTER_ACCOUNT
    ),
    Point("elibom", POLL, "users", "GET", "/users", after=_AFTER_LISTING),
    Point("elibom", ITEM, "delivery", "GET", "/messages/{id}", after=_AFTER_LISTING),
    Point("elibom", ITEM, "schedule", "GET", "/schedules/{id}", after=_AFTER_LISTING),
    Point("elibom", ACTION, "send_sms", "POST", "/messages"),
    Point("elibom", ACTION, "send_sms_scheduled", "POST", "/messages"),
    Point("elibom", ACTION, "cancel_scheduled_sms", "DELETE", "/schedules/{id}"),
    Point("elibom", ACTION, "get_delivery", "GET", "/messages/{id}"),
    Point("elibom", FLOW, "user", "GET", "/account"),
    Point("elibom", FLOW, "reauth", "GET", "/account"),
    Point("elibom", FLOW, "reconfigure", "GET", "/account"),
)
_FIRST_USERS = ("GET", "/users", 1)
ALDEAMO_POINTS = (
    Point("aldeamo", SETUP, "users_facebook", "GET", "/users", channel="facebook"),
    Point(
        "aldeamo",
        SETUP,
        "users_whatsapp",
        "GET",
        "/users",
        nth=2,
        after=_FIRST_USERS,
        channel="whatsapp",
    ),
    Point("aldeamo", POLL, "users_facebook", "GET", "/users", channel="facebook"),
    Point(
        "aldeamo",
        POLL,
        "users_whatsapp",
        "GET",
        "/users",
        nth=2,
        after=_FIRST_USERS,
        channel="whatsapp",
    ),
    Point("aldeamo", ITEM, "messages", "GET", "/messages", after=("GET", "/users", 2)),
    Point("aldeamo", ACTION, "send_bot_message", "POST", "/messages"),
    Point("aldeamo", FLOW, "user", "GET", "/users", channel="whatsapp"),
    Point("aldeamo", FLOW, "reauth", "GET", "/users", channel="facebook"),
    Point("aldeamo", FLOW, "reconfigure", "GET", "/users", channel="facebook"),
)
POINTS = ELIBOM_POINTS + ALDEAMO_POINTS


def _cells(phase: str) -> list[Any]:
    """Return the matrix cells of one phase: each of its points with each fault."""
    return [
        pytest.param(point, failure, id=f"{point.id}-{failure.name}")
        for point in POINTS
        if point.phase == phase
        for failure in FAULTS
    ]


CELLS = {phase: _cells(phase) for phase in PHASES}


# What a failure must show ---------------------------------------------------------


def action_outcome(
    point: Point, failure: Failure
) -> tuple[type[HomeAssistantError], set[str]] | None:
    """Return the error type and translation keys the caller must get (None: success)."""
    sending = point.method == "POST"
    if failure.status == 401:
        return HomeAssistantError, {"auth_failed"}
    if failure.kind is None:
        return HomeAssistantError, {"cannot_connect"}
    if failure.status == 429:
        return HomeAssistantError, {"rate_limited"}
    if sending:
        if failure.status == 404:
            # Refused, or unknown: both tell the truth about a message not to repeat.
            return HomeAssistantError, {"provider_refused", "send_outcome_unknown"}
        return HomeAssistantError, {"send_outcome_unknown"}
    if failure.status == 404:
        key = (
            "schedule_not_found"
            if point.name == "cancel_scheduled_sms"
            else "delivery_not_found"
        )
        return ServiceValidationError, {key}
    if failure.kind is FaultKind.TRUNCATED and point.name == "cancel_scheduled_sms":
        return None  # half of Elibom's empty answer is the same empty answer
    return HomeAssistantError, {"provider_unavailable"}


def flow_errors(failure: Failure) -> set[str]:
    """Return the form errors a failed account check may show."""
    if failure.status == 401:
        return {"invalid_auth"}
    if failure.kind in (FaultKind.MALFORMED, FaultKind.TRUNCATED):
        return {"invalid_response"}
    if failure.status == 404:
        # Both send the user back to the URL; neither blames the credentials.
        return {"cannot_connect", "invalid_response"}
    return {"cannot_connect"}
