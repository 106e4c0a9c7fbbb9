"""The deciding modules on their own, without Home Assistant: cadence and cursors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from custom_components.latam_messaging.aldeamo import cursors
from custom_components.latam_messaging.api import AldeamoMessage, AldeamoUser
from custom_components.latam_messaging.api.aldeamo import http_date
from custom_components.latam_messaging.elibom import deliveries

START = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
POLL = timedelta(seconds=60)
HOUR = timedelta(hours=1)


def _lookups_until(end: timedelta) -> list[datetime]:
    """Poll every minute from START to START + end; return when a lookup was due."""
    state = deliveries.ElibomState()
    tracked = deliveries.track("1857", ["573001112222"], START)
    state.deliveries[tracked.token] = tracked
    moments = []
    now = START
    while now <= START + end:
        if deliveries.due(state, now, POLL, scheduled=True):
            moments.append(now)
            tracked.next_due = deliveries.next_lookup(tracked.sent_at, now, POLL)
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
    event = deliveries.apply_lookup(state, tracked, None, START + POLL, POLL)
    assert event is not None
    assert (event["delivery_token"], event["status"]) == ("1857", "expired")
    # The provider no longer names the numbers: the event does, from what was kept.
    assert event["to"] == ["573001112222", "573004445555"]
    assert state.deliveries == {}


def test_a_listing_older_than_an_action_does_not_undo_it() -> None:
    """Cancelled or created after the poll began: as the action left it; others as listed."""
    state = deliveries.ElibomState()
    seen = deliveries.SeenSchedule("1", START, "pagar", 1)
    state.schedules["1"] = seen
    since = state.version  # the poll begins, lists "1" (and not "2")
    deliveries.settle(state, "1", "cancelled")
    deliveries.touch(state, "1")
    created = deliveries.SeenSchedule("2", START, "luz", 1)
    state.schedules["2"] = created
    deliveries.touch(state, "2")
    elsewhere = deliveries.SeenSchedule("3", START, "agua", 1)

    events, _ = deliveries.apply_schedules(
        state, {"1": seen, "3": elsewhere}, {"1": "cancelled"}, since
    )

    assert events == []  # the cancel fired its own event
    assert state.schedules == {"2": created, "3": elsewhere}
    events, _ = deliveries.apply_schedules(state, {"3": elsewhere}, {}, state.version)
    assert state.schedules == {"3": elsewhere}  # a newer listing decides again
    assert events == []  # "2" is asked about at the next poll, not reported unasked


def _user(user_id: str, last_active: datetime | None) -> AldeamoUser:
    return AldeamoUser(user_id, user_id, None, None, None, None, last_active)


def _user(
    user_id: str, last_active: datetime | None, created: datetime | None = None
) -> AldeamoUser:
    return AldeamoUser(
        user_id, user_id, None, None, None, created or START - HOUR, last_active
    )


def _message(message_id: str, at: datetime | None) -> AldeamoMessage:
    return AldeamoMessage(message_id, "5076", "hola", at)


def _stamp(at: datetime) -> str:
    return at.isoformat()  # as `AldeamoUser.stamp`


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


def test_who_moved_is_told_by_last_active_against_the_newest_listed() -> None:
    """Above the newest `last_active` listed before: read; the same second: once more."""
    ana, beto = _user("5076", START - HOUR), _user("5077", START)
    channel = cursors.start([ana, beto], START)
    # Beto was active in the listing's own second: read once more, as he may
    # have written again in that second after the listing was answered.
    assert cursors.to_read(channel, [ana, beto]) == [beto]
    assert cursors.to_read(cursors.start([ana], START), [ana]) == []
    channel.recheck = False
    assert cursors.to_read(channel, [ana, beto]) == []

    moved = _user("5076", START + timedelta(seconds=5))
    assert cursors.to_read(channel, [moved, beto]) == [moved]
    channel.mark, channel.recheck = moved.stamp, True
    same_second = _user("5077", START + timedelta(seconds=5))
    assert cursors.to_read(channel, [moved, same_second]) == [moved, same_second]
    channel.recheck = False
    assert cursors.to_read(channel, [moved, same_second]) == []
    channel.retry = frozenset({"5077"})
    unreadable = _user("5078", None)
    assert cursors.to_read(channel, [moved, same_second, unreadable]) == [
        same_second,
        unreadable,
    ]


def test_history_is_what_was_written_before_the_listing_on_the_providers_clock() -> (
    None
):
    """The listing's `Date` tells history from news; the list's order is not promised."""
    channel = cursors.start([_user("5076", START - HOUR)], START)
    listed = [
        _message("12", START + timedelta(seconds=9)),
        _message("10", START - timedelta(hours=1)),
        _message("11", START + timedelta(seconds=3)),
        _message("13", None),  # no time: as the one before it
    ]
    user = _user("5076", START + timedelta(seconds=9))
    new, seen = cursors.read(channel, user, listed)
    assert [m.id for m in new] == ["11", "12", "13"]
    assert seen == cursors.Seen(
        int((START + timedelta(seconds=9)).timestamp()), frozenset({"12", "13"})
    )


def test_a_newcomer_gets_everything_even_if_its_times_look_old() -> None:
    """Created after the newest `last_active` listed at the start: all is new."""
    channel = cursors.start([_user("5076", START - HOUR)], START)
    newcomer = _user("5080", START, created=START - timedelta(minutes=30))
    old_times = [_message("20", START - timedelta(hours=5))]
    assert [m.id for m in cursors.read(channel, newcomer, old_times)[0]] == ["20"]
    nobody = cursors.start([], START)
    assert cursors.read(nobody, newcomer, old_times)[0] == old_times


def test_seen_people_get_each_message_once_whatever_their_ids() -> None:
    """Same second, ids as text, a list that comes back: each message once."""
    channel = cursors.start([_user("u", START - HOUR)], START)
    user = _user("u", START + HOUR)
    at = START + timedelta(seconds=1)
    first = [_message("b-1", at)]
    new, seen = cursors.read(channel, user, first)
    assert [m.id for m in new] == ["b-1"]
    assert seen is not None
    channel.people["u"] = seen
    assert cursors.read(channel, user, first) == ([], None)
    both = [*first, _message("a-2", at)]  # same second, an id that sorts before
    new, seen = cursors.read(channel, user, both)
    assert [m.id for m in new] == ["a-2"]
    assert seen is not None
    channel.people["u"] = seen
    assert cursors.read(channel, user, []) == ([], None)  # gone from the listing
    later = [*both, _message("c-3", at + timedelta(seconds=1))]
    assert [m.id for m in cursors.read(channel, user, later)[0]] == ["c-3"]


def test_without_a_date_the_newest_last_active_stands_in() -> None:
    """No `Date`: what was written up to the newest `last_active` is history."""
    newest = START - timedelta(minutes=2)
    channel = cursors.start([_user("5076", newest), _user("5077", START - HOUR)], None)
    assert channel.since == int(newest.timestamp()) + 1
    assert channel.first_mark == _stamp(newest)
    listed = [_message("1", newest), _message("2", newest + timedelta(seconds=1))]
    assert [m.id for m in cursors.read(channel, _user("5077", START), listed)[0]] == [
        "2"
    ]
    blind = cursors.Channel(since=None, first_mark=_stamp(newest), mark=None)
    assert cursors.read(blind, _user("5077", START), listed) == ([], None)


def test_a_cursor_of_an_older_version_goes_on_after_its_last_id() -> None:
    """Migrated cursors kept only the last id read; the first read turns them to times."""
    channel = cursors.start([_user("u", START - HOUR)], START)
    channel.people["u"] = cursors.Seen(cursors.UNTIMED, frozenset(), after_id="11")
    at = START + timedelta(seconds=1)
    numbers = [_message("9", at), _message("11", at), _message("12", at)]
    new, seen = cursors.read(channel, _user("u", START), numbers)
    assert [m.id for m in new] == ["12"]
    assert seen == cursors.Seen(int(at.timestamp()), frozenset({"9", "11", "12"}))
    channel.people["u"] = cursors.Seen(cursors.UNTIMED, frozenset(), after_id="x")
    texts = [_message("w", at), _message("x", at), _message("y", at)]
    assert [m.id for m in cursors.read(channel, _user("u", START), texts)[0]] == ["y"]
    channel.people["u"] = cursors.Seen(cursors.UNTIMED, frozenset(), after_id="gone")
    assert [m.id for m in cursors.read(channel, _user("u", START), texts)[0]] == [
        "w",
        "x",
        "y",
    ]
    assert cursors.read(channel, _user("u", START), []) == ([], None)


def test_odd_stamps_and_dates_are_read_the_slow_way_or_not_at_all() -> None:
    """Stamps of another form still order by time; an unreadable `Date` is none."""
    assert cursors.later(
        "2026-12-06T10:00:00.500000-05:00", "2026-12-06T10:00:00-05:00"
    )
    assert not cursors.later("2026-12-06T14:59:59+00:00", "2026-12-06T10:00:00-05:00")
    assert cursors.start([], None).since is None
    assert http_date("Sun, 06 Dec 2026 15:00:00 GMT") == datetime(
        2026, 12, 6, 15, 0, tzinfo=UTC
    )
    for odd in (None, "", "mañana", "Sun, 06 Dec 2026 15:00:00 -0000"):
        assert http_date(odd) is None
