"""Faults the simulator can be told to inject, and the log of what it received."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
import enum
import json
from typing import Any
from urllib.parse import parse_qsl


class FaultKind(enum.StrEnum):
    """How a request goes wrong."""

    STATUS = "status"
    """Answer with an HTTP error status, without handling the request."""
    DELAY = "delay"
    """Handle the request, then wait `delay` seconds before answering (beyond a client timeout)."""
    MALFORMED = "malformed"
    """Handle the request, then answer 200 with a body that is not JSON."""
    TRUNCATED = "truncated"
    """Handle the request, then answer with only the first half of the real body."""
    DISCONNECT = "disconnect"
    """Handle the request, then close the connection without answering."""
    BODY = "body"
    """Handle the request, then answer 200 with the given body and content type."""


@dataclass(slots=True)
class Fault:
    """A fault for the next `count` requests that match provider, method and path prefix."""

    kind: FaultKind
    count: int = 1
    status: int = 500
    delay: float = 30.0
    provider: str | None = None
    method: str | None = None
    path: str | None = None
    body: bytes = b""
    content_type: str = "application/json"

    def matches(self, provider: str, method: str, path: str) -> bool:
        """Whether a request is one this fault is waiting for."""
        return (
            (self.provider is None or self.provider == provider)
            and (self.method is None or self.method.upper() == method)
            and (self.path is None or path.startswith(self.path))
        )


@dataclass
class FaultInjector:
    """Queued faults, consumed in the order they were added."""

    pending: list[Fault] = field(default_factory=list)

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        self.pending.append(fault)

    def clear(self) -> None:
        """Forget every queued fault."""
        self.pending.clear()

    def take(self, provider: str, method: str, path: str) -> Fault | None:
        """Return the fault for this request, if any, counting it as used."""
        for fault in self.pending:
            if fault.matches(provider, method, path):
                fault.count -= 1
                if fault.count <= 0:
                    self.pending.remove(fault)
                return fault
        return None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request exactly as the simulator received it."""

    provider: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    received_at: datetime
    fault: FaultKind | None = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON (None when empty)."""
        return json.loads(self.body) if self.body else None

    @property
    def form(self) -> dict[str, str]:
        """The body parsed as an HTML form."""
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))

    def header(self, name: str) -> str | None:
        """Return a header, looked up case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly view, for the control API."""
        return {
            "provider": self.provider,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body.decode("utf-8", errors="replace"),
            "received_at": self.received_at.isoformat(),
            "fault": self.fault,
        }
