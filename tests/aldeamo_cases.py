"""Inputs and expected answers for tests/test_aldeamo.py: bad input, bad targets, faults."""

from __future__ import annotations

import pytest

from tests.simulator import FaultKind

ANA = "573001112222"
BETO = "573004445555"
FB_USER = "2291837465"
STATUS_CODES = {
    401: "unauthorized",
    404: "not_found",
    500: "server_error",
    503: "service_unavailable",
}
"""What the simulator says, in its own words, when told to answer with a status."""

WHATSAPP_USERS = "sensor.aldeamo_bots_whatsapp_users"
FACEBOOK_USERS = "sensor.aldeamo_bots_facebook_messenger_users"
WHATSAPP_EVENTS = "event.aldeamo_bots_whatsapp_messages"
FACEBOOK_EVENTS = "event.aldeamo_bots_facebook_messenger_messages"
ENTITIES = (WHATSAPP_USERS, FACEBOOK_USERS, WHATSAPP_EVENTS, FACEBOOK_EVENTS)
"""The test bot's entities: a users sensor and a messages event entity per channel."""

GOOD = {"channel": "whatsapp", "client_id": ANA, "message": "Hola"}
"""A send_bot_message call that goes out; the bad-input cases change one field of it."""


BAD_INPUT = [
    pytest.param({"message": ""}, "empty_message", None, id="empty-message"),
    pytest.param({"message": " \n\t "}, "empty_message", None, id="whitespace-message"),
    pytest.param(
        {"message": "x" * 5000}, "message_too_long", "5000", id="5000-characters"
    ),
    pytest.param({"channel": "telegram"}, "invalid_channel", "telegram", id="telegram"),
    pytest.param({"channel": ""}, "invalid_channel", None, id="empty-channel"),
    pytest.param(
        {"client_id": "ana maria"},
        "invalid_client_id",
        "ana maria",
        id="client-id-with-spaces",  # a number with spaces is a number: see below
    ),
    pytest.param(
        {"client_id": "5730\x0701112222"},
        "invalid_client_id",
        None,
        id="client-id-with-control-character",
    ),
    pytest.param(
        {"client_id": "573001112222\x00evil"},
        "invalid_client_id",
        None,
        id="client-id-with-nul",
    ),
    pytest.param({"message": ["Hola"]}, "wrong_type", "message", id="list-message"),
    pytest.param(
        {"message": {"text": "Hola"}}, "wrong_type", "message", id="dict-message"
    ),
    pytest.param({"message": True}, "wrong_type", "message", id="bool-message"),
    pytest.param(
        {"client_id": ["a", "b"]}, "wrong_type", "client_id", id="list-client-id"
    ),
    pytest.param({"channel": None}, "missing_field", "channel", id="no-channel"),
    pytest.param({"client_id": None}, "missing_field", "client_id", id="no-client"),
    pytest.param({"message": None}, "missing_field", "message", id="no-message"),
    pytest.param(
        {"config_entry_id": None},
        "missing_field",
        "config_entry_id",
        id="no-entry",
    ),
    pytest.param(
        {"config_entry_id": "01NOSUCHENTRY0000000000000"},
        "entry_not_found",
        "01NOSUCHENTRY0000000000000",
        id="unknown-entry",
    ),
]
"""send_bot_message fields changed from GOOD: the translation key and a placeholder shown."""


MALFORMED_TARGETS = [
    pytest.param(ANA, "invalid_target", id="no-colon"),
    pytest.param(f"telegram:{ANA}", "invalid_channel", id="unknown-channel"),
    pytest.param(f":{ANA}", "invalid_target", id="no-channel"),
    pytest.param("whatsapp:", "invalid_target", id="no-user"),
    pytest.param("whatsapp:573 001", "invalid_client_id", id="user-with-space"),
]
"""A bad target of the classic notify service, and the translation key it gets."""


SEND_FAILURES = [
    pytest.param(FaultKind.STATUS, 401, {"auth_failed"}, False, id="401"),
    pytest.param(
        FaultKind.STATUS,
        404,
        {"provider_refused", "send_outcome_unknown"},
        False,
        id="404",
    ),
    pytest.param(FaultKind.STATUS, 429, {"rate_limited"}, False, id="429"),
    pytest.param(FaultKind.STATUS, 500, {"send_outcome_unknown"}, False, id="500"),
    pytest.param(FaultKind.STATUS, 503, {"send_outcome_unknown"}, False, id="503"),
    pytest.param(FaultKind.DELAY, 200, {"send_outcome_unknown"}, True, id="timeout"),
    pytest.param(
        FaultKind.MALFORMED, 200, {"send_outcome_unknown"}, True, id="malformed"
    ),
    pytest.param(
        FaultKind.TRUNCATED, 200, {"send_outcome_unknown"}, True, id="truncated"
    ),
    pytest.param(
        FaultKind.DISCONNECT, 200, {"send_outcome_unknown"}, True, id="disconnect"
    ),
]
"""A failure of the POST: the keys the caller may get, and whether Aldeamo sent it."""


TEMPORARY_FAULTS = [
    pytest.param(FaultKind.STATUS, 404, id="404"),
    pytest.param(FaultKind.STATUS, 429, id="429"),
    pytest.param(FaultKind.STATUS, 500, id="500"),
    pytest.param(FaultKind.STATUS, 503, id="503"),
    pytest.param(FaultKind.DELAY, 200, id="timeout"),
    pytest.param(FaultKind.MALFORMED, 200, id="malformed"),
    pytest.param(FaultKind.TRUNCATED, 200, id="truncated"),
    pytest.param(FaultKind.DISCONNECT, 200, id="disconnect"),
]
"""Faults that pass: at set-up a retry, while polling unavailable entities."""
