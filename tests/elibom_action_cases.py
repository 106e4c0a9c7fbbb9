"""Inputs and expected answers for tests/test_elibom_actions_*.py: bad numbers, fields and faults."""

from __future__ import annotations

import pytest

from tests.simulator import FaultKind

GOOD = "573001112222"
"""A number that goes out; the bad-input cases put it beside the bad value."""


BAD_NUMBERS = [
    pytest.param(["+3001112"], "+3001112", "invalid_phone_number", id="+ and 7 digits"),
    pytest.param(
        ["+5730011122223333"],
        "+5730011122223333",
        "invalid_phone_number",
        id="+ and 16 digits",
    ),
    pytest.param(
        ["57300ABC2222"], "57300ABC2222", "invalid_phone_number", id="letters"
    ),
    pytest.param(
        ["57300+1112222"],
        "57300+1112222",
        "invalid_phone_number",
        id="plus in the middle",
    ),
    # Without +: only a 10-digit mobile or 57 and one; the error says to write +.
    pytest.param(["3001112"], "3001112", "local_phone_number", id="7 digits"),
    pytest.param(["310 555 66"], "310 555 66", "local_phone_number", id="typo"),
    pytest.param(
        ["5730011122223333"], "5730011122223333", "local_phone_number", id="16 digits"
    ),
    pytest.param(
        [GOOD, "12-34", "573004445555"],
        "12-34",
        "local_phone_number",
        id="one bad in a list",
    ),
    pytest.param(
        f"{GOOD}, 300 111", "300 111", "local_phone_number", id="one bad in a string"
    ),
]
"""A `to` with a number the input rules refuse, the part the error names, and its key."""


NO_NUMBERS = [
    pytest.param("", id="empty string"),
    pytest.param([], id="empty list"),
    pytest.param(" , ,", id="only commas"),
]
"""A `to` without any number at all."""


UNREADABLE_SCHEDULE_TIMES = [
    pytest.param("mañana a las 5", "mañana a las 5", id="words"),
    pytest.param("2026-02-30 10:00", "2026-02-30 10:00", id="february 30"),
    pytest.param(12345, "12345", id="a number"),
]
"""A schedule_at that is not a date and time, and how the error names it."""


WRONG_TYPES = [
    pytest.param({"to": GOOD, "message": ["Hola"]}, "message", id="message list"),
    pytest.param({"to": {"number": GOOD}, "message": "Hola"}, "to", id="to as a dict"),
    pytest.param({"to": [GOOD, True], "message": "Hola"}, "to", id="to boolean"),
    pytest.param({"to": True, "message": "Hola"}, "to", id="to only boolean"),
]
"""Fields of the wrong type, and the field the error names."""


LOST_ANSWERS = [
    pytest.param(FaultKind.STATUS, 500, id="500"),
    pytest.param(FaultKind.STATUS, 503, id="503"),
    pytest.param(FaultKind.MALFORMED, 500, id="malformed"),
    pytest.param(FaultKind.TRUNCATED, 500, id="truncated"),
    pytest.param(FaultKind.DISCONNECT, 500, id="disconnect"),
]
"""Faults after which Elibom may have sent the message: its outcome is unknown."""
