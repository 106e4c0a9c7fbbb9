"""The deciding modules on their own, without Home Assistant: cadence and cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.latam_messaging.aldeamo import cursors
from custom_components.latam_messaging.api import AldeamoMessage, AldeamoUser
from custom_components.latam_messaging.elibom import deliveries

START = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
POLL = timedelta(seconds=60)


def _lookups_until(end: timedelta) -> list[datetime]:
    """Poll every minute from START to START + end; return when a lookup was due."""
    state = deliveries.ElibomState()
    tracked = deliveries.track("1857", ["573001112222"], START)
    state.deliveries[tracked.token] = tracked
    moments = []
    now = START
    while now <= START + end:
        if deliveries.due(state, now):
            moments.append(now)
            tracked.next_due = deliveries.next_lookup(tracked.sent_at, now)
        now += POLL
    return moments


def test_a_delivery_stuck_for_two_days_costs_at_most_150_lookups() -> None:
    """Instead of 2,880 at one per poll."""
    assert len(_lookups_until(deliveries.LOOKUP_WINDOW)) <= 150


def test_a_young_delivery_is_looked_up_at_every_poll() -> None:
    """Its first ten minutes: a change 30 s after sending is seen within 2 polls."""
    moments = _lookups_until(timedelta(minutes=9))
    assert moments == [START + POLL * n for n in range(10)]


def test_the_wait_between_lookups_never_exceeds_30_minutes() -> None:
    """A delivery that ends after three hours is reported within about 30 minutes."""
    moments = _lookups_until(deliveries.LOOKUP_WINDOW)
    gaps = [
        later - earlier for earlier, later in zip(moments, moments[1:], strict=False)
    ]
    assert max(gaps) <= deliveries.MAX_WAIT + POLL
    assert max(gaps) >= deliveries.MAX_WAIT


def test_a_final_answer_makes_one_event_and_forgets_the_delivery() -> None:
    """Status changes make events; finished, failed and expired end the tracking."""
    state = deliveries.ElibomState()
    tracked = deliveries.track("1857", ["573001112222", "573004445555"], START)
    state.deliveries[tracked.token] = tracked
    event = deliveries.apply_lookup(state, tracked, None, START + POLL)
    assert event is not None
    assert (event["delivery_token"], event["status"]) == ("1857", "expired")
    # The provider no longer names the numbers: the event does, from what was kept.
    assert event["to"] == ["573001112222", "573004445555"]
    assert state.deliveries == {}


def _user(user_id: str, last_active: datetime | None) -> AldeamoUser:
    return AldeamoUser(user_id, user_id, None, None, None, None, last_active)


def _message(message_id: str, at: datetime) -> AldeamoMessage:
    return AldeamoMessage(message_id, "5076", "hola", at)


def test_another_key_or_a_dropped_channel_starts_afresh() -> None:
    """Cursors belong to one account and to the channels listened to."""
    state = cursors.AldeamoState()
    cursors.bind(state, "digest-a", ["whatsapp", "facebook"])
    state.channels["whatsapp"] = cursors.start([_user("5076", START)], START)
    state.channels["facebook"] = cursors.start([], START)

    assert cursors.bind(state, "digest-a", ["whatsapp"]) is True
    assert set(state.channels) == {"whatsapp"}
    assert cursors.bind(state, "digest-b", ["whatsapp"]) is True
    assert state.channels == {}


def test_a_user_read_is_read_once_more_at_the_next_poll() -> None:
    """last_active has whole seconds: a message of the same second would not move it."""
    user = _user("5076", START + timedelta(seconds=5))
    channel = cursors.start([_user("5076", START)], START)
    assert cursors.to_read(channel, [user]) == [user]

    new, cursor = cursors.read(
        channel, user, [_message("11", START + timedelta(seconds=5))]
    )
    channel.users[user.user_id] = cursor
    assert [m.id for m in new] == ["11"]
    assert cursors.to_read(channel, [user]) == [user]  # the re-read

    _, cursor = cursors.read(
        channel, user, [_message("11", START + timedelta(seconds=5))]
    )
    channel.users[user.user_id] = cursor
    assert cursors.to_read(channel, [user]) == []


def test_messages_are_ordered_by_id_and_history_is_not_new() -> None:
    """The list's order is not promised; what was written before the start is history."""
    channel = cursors.start([_user("5076", START)], START)
    listed = [
        _message("12", START + timedelta(seconds=9)),
        _message("10", START - timedelta(hours=1)),
        _message("11", START + timedelta(seconds=3)),
    ]
    assert [m.id for m in cursors.unread(channel, "5076", listed)] == ["11", "12"]
