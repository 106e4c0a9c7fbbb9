"""Small helpers shared by the config, reauth, reconfigure, options and subentry flow tests."""

from __future__ import annotations

from base64 import b64encode
from typing import Any

from homeassistant.data_entry_flow import FlowResult

from tests.simulator import RecordedRequest, Simulator


def basic_auth(user: str, password: str) -> str:
    """Return the Authorization header HTTP Basic makes of these credentials."""
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode("ascii")


def suggested_value(result: FlowResult, field: str) -> Any:
    """Return the value a form pre-fills in one field (None when it pre-fills none)."""
    schema = result["data_schema"]
    assert schema is not None, "the step shows no form"
    for marker in schema.schema:
        if marker == field:
            return (marker.description or {}).get("suggested_value")
    raise AssertionError(f"the form has no field {field}")


def account_checks(simulator: Simulator) -> list[RecordedRequest]:
    """Return every account check (GET /account) Elibom received."""
    return simulator.requests_to("elibom", "GET", "/account")
