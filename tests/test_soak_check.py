"""The crash soak's checker (scripts/lib/soak_check.py) on small, hand-made logs.

The soak is only worth its table if its checker cannot pass silently: every
invariant here is shown both holding and broken.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
import sys
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lib" / "soak_check.py"
TOKEN = "1857010469048394523"
T0 = "2026-12-06T10:00:00+00:00"


def _soak_check() -> ModuleType:
    spec = importlib.util.spec_from_file_location("soak_check", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["soak_check"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


soak_check = _soak_check()


def _at(seconds: float) -> str:
    return f"2026-12-06T10:{int(seconds) // 60:02d}:{int(seconds) % 60:02d}+00:00"


def delivery_event(status: str, boot: int = 1, token: str = TOKEN) -> dict[str, Any]:
    """Return a recorded delivery_status line."""
    return {
        "boot": boot,
        "started": True,
        "type": "latam_messaging_delivery_status",
        "data": {"delivery_token": token, "status": status},
    }


def received(message_id: str, boot: int = 1, **extra: Any) -> dict[str, Any]:
    """Return a recorded message_received line from Aldeamo."""
    return {
        "boot": boot,
        "started": True,
        "type": "latam_messaging_message_received",
        "data": {"provider": "aldeamo", "message_id": message_id, "message": "hola"},
        **extra,
    }


def truth(
    lookups: list[list[str]] | None = None, deliveries: int = 1
) -> dict[str, Any]:
    """Return what the simulator knows: a finished delivery (or several, same text)."""
    return {
        "deliveries": [
            {
                "token": str(int(TOKEN) + number),
                "text": "soak 1 send 1",
                "to": ["573001112222"],
                "created_at": T0,
                "status": "finished",
                "lookups": lookups
                if lookups is not None
                else [[_at(5), "running"], [_at(35), "finished"]],
            }
            for number in range(deliveries)
        ],
        "schedules": [],
    }


SEND = {"text": "soak 1 send 1", "scheduled": False, "outcome": "ok", "ids": [TOKEN]}
WRITTEN = [{"key": "10", "provider": "aldeamo", "acked": True}]


def run(**changes: Any) -> Any:
    """Check a small soak where everything went right, except `changes`."""
    logs: dict[str, Any] = {
        "events": [
            delivery_event("running"),
            delivery_event("finished"),
            received("10"),
        ],
        "kills": [],
        "sends": [SEND],
        "written": WRITTEN,
        "truth": truth(),
        "storage_errors": [],
    }
    return soak_check.check(**(logs | changes))


def test_a_soak_where_everything_arrived_once_passes() -> None:
    """The figures of a clean soak, and its table."""
    verdict = run()
    assert verdict.ok, verdict.failures
    assert (verdict.sends, verdict.messages, verdict.events) == (1, 1, 3)
    assert (verdict.repeats, verdict.lost) == (0, 0)
    assert verdict.table().splitlines() == [
        "| kills | sends | messages | events | repeats | lost |",
        "|---:|---:|---:|---:|---:|---:|",
        "| 0 | 1 | 1 | 3 | 0 | 0 |",
    ]


def test_a_message_written_but_never_fired_is_lost() -> None:
    """The loss the soak exists to find."""
    verdict = run(events=[delivery_event("running"), delivery_event("finished")])
    assert not verdict.ok
    assert verdict.lost == 1
    assert verdict.failures == ["lost: aldeamo message '10' never fired"]


def test_an_inbound_sms_answered_200_must_fire_one_never_answered_need_not() -> None:
    """Elibom sends again until it hears 200: only a 200 is a promise."""
    inbound = [
        {"key": "soak 1 inbound 2", "provider": "elibom", "acked": True},
        {"key": "soak 1 inbound 3", "provider": "elibom", "acked": False},
    ]
    verdict = run(written=inbound)
    assert verdict.lost == 1
    assert verdict.failures == ["lost: elibom message 'soak 1 inbound 2' never fired"]


def test_a_send_the_caller_saw_succeed_must_reach_its_final_state() -> None:
    """A token the caller got whose end was never reported is lost."""
    # Never looked up since it ended, so no change went unfired: only its end.
    verdict = run(
        events=[delivery_event("running"), received("10")],
        truth=truth(lookups=[[_at(5), "running"]]),
    )
    assert verdict.lost == 1
    assert verdict.failures == [f"lost: delivery {TOKEN} never reported finished"]


@pytest.mark.parametrize(
    ("killed_at", "lost", "noted"),
    [(1, 0, 1), (40, 1, 0)],
    ids=["just after: a note", "long after: lost"],
)
def test_a_send_cut_off_by_a_kill_is_followed_if_it_lived_on(
    killed_at: int, lost: int, noted: int
) -> None:
    """The caller never heard of it; its token must be kept if Home Assistant lived on."""
    cut_off = {**SEND, "outcome": "unknown", "ids": []}
    verdict = run(
        sends=[cut_off],
        events=[received("10", boot=2)],
        kills=[{"boot": 1, "at": _at(killed_at)}],
        truth=truth(lookups=[]),
    )
    assert verdict.sends == 0
    assert verdict.lost == lost
    assert (
        verdict.failures
        == [
            f"lost: delivery {TOKEN} accepted at {T0.replace('T', ' ')}, never followed"
        ][:lost]
    )
    assert sum("accepted just before a kill" in note for note in verdict.notes) == noted


@pytest.mark.parametrize(
    ("killed_at", "failures"),
    [
        (30, [f"lost: delivery {TOKEN} answered running at {_at(5)}, unfired"]),
        (8, []),
    ],
    ids=["long after: committed", "just after: cut off"],
)
def test_a_status_answered_long_before_a_kill_must_have_fired(
    killed_at: int, failures: list[str]
) -> None:
    """Seen by a poll that had time to commit, a change is an event; one cut off is not."""
    kills = [{"boot": 1, "at": _at(killed_at)}]
    events = [delivery_event("finished", boot=2), received("10")]
    verdict = run(kills=kills, events=events)
    assert verdict.failures == failures
    assert verdict.lost == len(failures)


def test_an_event_repeated_once_after_a_kill_is_a_repeat() -> None:
    """A crash may repeat an event once."""
    kills = [{"boot": 1, "at": _at(60)}]
    events = [
        delivery_event("running"),
        delivery_event("finished"),
        received("10"),
        received("10", boot=2),
    ]
    verdict = run(kills=kills, events=events)
    assert verdict.ok, verdict.failures
    assert verdict.repeats == 1


@pytest.mark.parametrize(
    ("boots", "kills", "failure"),
    [
        (
            (1, 1),
            [],
            "repeated without a kill between: aldeamo message '10' (boots [1, 1])",
        ),
        (
            (1, 2),
            [],
            "repeated without a kill between: aldeamo message '10' (boots [1, 2])",
        ),
        (
            (1, 2, 3),
            [{"boot": 1, "at": _at(60)}, {"boot": 2, "at": _at(90)}],
            "fired 3 times: aldeamo message '10' (boots [1, 2, 3])",
        ),
    ],
    ids=["same start", "clean restart", "three times"],
)
def test_a_repeat_without_a_kill_or_a_second_repeat_fails(
    boots: tuple[int, ...], kills: list[dict[str, Any]], failure: str
) -> None:
    """Only a crash may repeat, and only once."""
    events = [
        delivery_event("running"),
        delivery_event("finished"),
        *(received("10", boot=boot) for boot in boots),
    ]
    verdict = run(kills=kills, events=events)
    assert not verdict.ok
    assert verdict.lost == 0
    assert verdict.failures == [failure]


def test_an_event_fired_before_start_reached_no_automation() -> None:
    """Automations attach their triggers at homeassistant_started."""
    events = [
        delivery_event("running"),
        delivery_event("finished"),
        received("10", started=False),
    ]
    verdict = run(events=events)
    assert verdict.lost == 1
    assert verdict.failures[0].startswith("fired before Home Assistant had started")


def test_a_message_paid_twice_fails() -> None:
    """Two provider requests for one chunk: the integration sent it again."""
    sim = truth(deliveries=2)
    sim["deliveries"][1]["lookups"] = []
    verdict = run(truth=sim)
    assert "paid 2 times: 'soak 1 send 1' to 1 number(s)" in verdict.failures


def test_a_schedule_must_end_and_a_cancel_must_hold() -> None:
    """A schedule ends with its event; one cancelled for the caller stays cancelled."""
    schedule = {
        "text": "soak 1 schedule 4",
        "scheduled": True,
        "outcome": "ok",
        "ids": ["1410774"],
        "cancel": "ok",
    }
    sim = truth()
    sim["schedules"] = [
        {
            "id": "1410774",
            "text": "soak 1 schedule 4",
            "to": ["573001112222"],
            "status": "executed",
            "delivery_token": "99",
        }
    ]
    verdict = run(sends=[SEND, schedule], truth=sim)
    assert verdict.failures == [
        "schedule 1410774 was cancelled for the caller but is executed",
        "lost: schedule 1410774 never reported executed",
    ]


def test_a_stored_file_that_did_not_parse_fails() -> None:
    """Every file in .storage loads after every kill."""
    verdict = run(storage_errors=["core.config_entries after kill 3: bad JSON"])
    assert verdict.failures == [
        "storage did not load: core.config_entries after kill 3: bad JSON"
    ]


def test_a_delivery_still_running_says_the_soak_stopped_too_early() -> None:
    """Not a pass: the checks could not be made."""
    sim = truth()
    sim["deliveries"][0]["status"] = "running"
    verdict = run(truth=sim)
    assert not verdict.ok
    assert "the soak stopped too early" in verdict.failures[0]
