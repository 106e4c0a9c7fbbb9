"""The crash soak's checks: what the driver saw, what was fired, what the provider knows.

Plain data in, a verdict out; no Home Assistant and no network here, so that
tests/test_soak_check.py can feed it small logs (one of which must show a loss).

Inputs, all JSON-like:
- `events`: the recorder's lines (`boot`, `started`, `type`, `data`).
- `kills`: when each start of Home Assistant ended by `kill -9`
  (`{"boot": n, "at": ISO time}`); the last start ends cleanly and is not listed.
- `sends`: what the driver asked (`text`, `scheduled`, `outcome` "ok", "error" or
  "unknown" when the answer was cut off by a kill, `ids`: tokens or schedule ids;
  for schedules also `cancel`: None, "ok", "error" or "unknown").
- `written`: the messages written to the simulator for Home Assistant to receive
  (`key`: Aldeamo's message id or the inbound SMS's text, `provider`, `acked`: the
  webhook answered 200, always true for Aldeamo).
- `truth`: the simulator's `/_sim/elibom` (deliveries with their lookups, schedules).
- `storage_errors`: files of `.storage` that did not parse after a kill.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

DELIVERY = "latam_messaging_delivery_status"
SCHEDULE = "latam_messaging_schedule_status"
RECEIVED = "latam_messaging_message_received"
FINAL = frozenset({"finished", "failed", "expired"})
GRACE = timedelta(seconds=10)
"""A status the provider answered this long before a kill (or with no kill after) was
surely committed: the rest of that poll had time to end."""


@dataclass
class Verdict:
    """The figures of a soak and every invariant it broke."""

    kills: int = 0
    sends: int = 0
    messages: int = 0
    events: int = 0
    repeats: int = 0
    lost: int = 0
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing lost and no invariant broken."""
        return self.lost == 0 and not self.failures

    def table(self) -> str:
        """Return the figures as a Markdown table."""
        names = ("kills", "sends", "messages", "events", "repeats", "lost")
        values = [str(getattr(self, name)) for name in names]
        return (
            "| " + " | ".join(names) + " |\n"
            "|" + "---:|" * len(names) + "\n"
            "| " + " | ".join(values) + " |"
        )


def _lose(verdict: Verdict, what: str) -> None:
    verdict.lost += 1
    verdict.failures.append(f"lost: {what}")


def _count(verdict: Verdict, what: str, boots: list[int], killed: set[int]) -> None:
    """Check one thing's occurrences: once, or twice across a kill; never more."""
    if len(boots) <= 1:
        return
    verdict.repeats += len(boots) - 1
    first, second, *more = sorted(boots)
    if more:
        verdict.failures.append(f"fired {len(boots)} times: {what} (boots {boots})")
    elif not any(first <= boot < second for boot in killed):
        verdict.failures.append(
            f"repeated without a kill between: {what} (boots {boots})"
        )


@dataclass
class _Fired:
    """What was fired after start, by thing, with the start (boot) of each time."""

    statuses: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    schedule_ends: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(list)
    )
    received: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def check(
    *,
    events: list[dict[str, Any]],
    kills: list[dict[str, Any]],
    sends: list[dict[str, Any]],
    written: list[dict[str, Any]],
    truth: dict[str, Any],
    storage_errors: list[str],
) -> Verdict:
    """Check every invariant of the soak; the verdict lists what broke."""
    killed = {int(kill["boot"]) for kill in kills}
    verdict = Verdict(kills=len(kills), events=len(events))
    fired = _sort_events(verdict, events)
    deliveries = {d["token"]: d for d in truth.get("deliveries", [])}
    schedules = {s["id"]: s for s in truth.get("schedules", [])}
    _check_sends(verdict, sends, deliveries, schedules, fired)
    _check_changes(verdict, kills, deliveries, fired)
    for (token, status), boots in fired.statuses.items():
        _count(verdict, f"delivery {token} {status}", boots, killed)
    for (schedule_id, status), boots in fired.schedule_ends.items():
        _count(verdict, f"schedule {schedule_id} {status}", boots, killed)
    # Every message written was fired at least once, at most twice across a kill.
    for message in written:
        key = str(message["key"])
        boots = fired.received.get(key, [])
        if message["acked"]:
            verdict.messages += 1
            if not boots:
                _lose(verdict, f"{message['provider']} message {key!r} never fired")
        _count(verdict, f"{message['provider']} message {key!r}", boots, killed)
    _check_paid_once(
        verdict,
        kills=kills,
        sends=sends,
        deliveries=deliveries,
        schedules=schedules,
        fired=fired,
    )
    for error in storage_errors:
        verdict.failures.append(f"storage did not load: {error}")
    return verdict


def _sort_events(verdict: Verdict, events: list[dict[str, Any]]) -> _Fired:
    fired = _Fired()
    for event in events:
        data, boot = event["data"], int(event["boot"])
        if not event.get("started"):
            # No automation listens before homeassistant_started: it reached nobody.
            verdict.failures.append(
                f"fired before Home Assistant had started: {event['type']} {data}"
            )
        elif event["type"] == DELIVERY:
            fired.statuses[str(data["delivery_token"]), str(data["status"])].append(
                boot
            )
        elif event["type"] == SCHEDULE:
            fired.schedule_ends[str(data["schedule_id"]), str(data["status"])].append(
                boot
            )
        elif event["type"] == RECEIVED:
            key = (
                str(data["message_id"])
                if data.get("provider") == "aldeamo"
                else str(data["message"])
            )
            fired.received[key].append(boot)
    return fired


def _check_sends(
    verdict: Verdict,
    sends: list[dict[str, Any]],
    deliveries: dict[str, dict[str, Any]],
    schedules: dict[str, dict[str, Any]],
    fired: _Fired,
) -> None:
    """Every send the caller saw succeed is followed to its final state."""
    for send in sends:
        if send["outcome"] != "ok":
            continue
        verdict.sends += 1
        for sent_id in send["ids"]:
            if send["scheduled"]:
                _check_schedule(verdict, send, sent_id, schedules, fired.schedule_ends)
                continue
            delivery = deliveries.get(sent_id)
            if delivery is None:
                verdict.failures.append(f"the provider never knew delivery {sent_id}")
                continue
            final = delivery["status"]
            if final not in FINAL:
                verdict.failures.append(
                    f"delivery {sent_id} had not ended at the provider ({final}): "
                    "the soak stopped too early"
                )
            elif not fired.statuses.get((sent_id, final)):
                _lose(verdict, f"delivery {sent_id} never reported {final}")


def _check_changes(
    verdict: Verdict,
    kills: list[dict[str, Any]],
    deliveries: dict[str, dict[str, Any]],
    fired: _Fired,
) -> None:
    """Every status change the integration surely saw was fired at least once."""
    kill_times = sorted(datetime.fromisoformat(kill["at"]) for kill in kills)
    for token, delivery in deliveries.items():
        for at, status in delivery.get("lookups", []):
            if status == "created" or fired.statuses.get((token, status)):
                continue
            if _surely_committed(datetime.fromisoformat(at), kill_times):
                _lose(verdict, f"delivery {token} answered {status} at {at}, unfired")


def _check_paid_once(
    verdict: Verdict,
    *,
    kills: list[dict[str, Any]],
    sends: list[dict[str, Any]],
    deliveries: dict[str, dict[str, Any]],
    schedules: dict[str, dict[str, Any]],
    fired: _Fired,
) -> None:
    """No paid message twice, and every one accepted is followed to its end."""
    lost = {f.split()[2] for f in verdict.failures if f.startswith("lost: delivery")}
    asked = {send["text"] for send in sends}
    paid: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
    executed = {s["delivery_token"] for s in schedules.values()}
    for delivery in deliveries.values():
        if delivery["token"] not in executed:
            paid[delivery["text"], tuple(delivery["to"])] += 1
    for schedule in schedules.values():
        paid["schedule: " + schedule["text"], tuple(schedule["to"])] += 1
    for (text, numbers), times in paid.items():
        if times > 1:
            verdict.failures.append(
                f"paid {times} times: {text!r} to {len(numbers)} number(s)"
            )
        if text.removeprefix("schedule: ") not in asked:
            verdict.notes.append(f"the provider got a message nobody asked: {text!r}")
    kill_times = sorted(datetime.fromisoformat(kill["at"]) for kill in kills)
    untracked = []
    for token, delivery in deliveries.items():
        if (
            token in executed
            or token in lost
            or any(fired.statuses.get((token, status)) for status in FINAL)
        ):
            continue
        accepted = datetime.fromisoformat(delivery["created_at"])
        if _surely_committed(accepted, kill_times):
            # Paid for, and Home Assistant lived on long enough to keep its token.
            _lose(verdict, f"delivery {token} accepted at {accepted}, never followed")
        else:
            untracked.append(token)
    if untracked:
        verdict.notes.append(
            f"{len(untracked)} delivery(ies) accepted just before a kill, never "
            f"followed (the token was not kept yet): {', '.join(untracked[:5])}"
        )


def _check_schedule(
    verdict: Verdict,
    send: dict[str, Any],
    schedule_id: str,
    schedules: dict[str, dict[str, Any]],
    schedule_ends: dict[tuple[str, str], list[int]],
) -> None:
    schedule = schedules.get(schedule_id)
    if schedule is None:
        verdict.failures.append(f"the provider never knew schedule {schedule_id}")
        return
    status = schedule["status"]
    if send.get("cancel") == "ok" and status != "cancelled":
        verdict.failures.append(
            f"schedule {schedule_id} was cancelled for the caller but is {status}"
        )
    if status == "scheduled":
        verdict.failures.append(
            f"schedule {schedule_id} was still waiting: the soak stopped too early"
        )
    elif not schedule_ends.get((schedule_id, status)):
        _lose(verdict, f"schedule {schedule_id} never reported {status}")


def _surely_committed(at: datetime, kill_times: list[datetime]) -> bool:
    """Whether the start that got an answer at `at` lived on GRACE after it."""
    for killed_at in kill_times:
        if killed_at >= at:
            return killed_at - at >= GRACE
    return True
