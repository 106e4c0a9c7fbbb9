"""Polls one Aldeamo bot's users per channel and reads only what moved."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

from aiohttp import ClientSession
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import CONF_URL, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .. import assist
from ..api import (
    ALDEAMO_URL,
    LISTENING_CHANNELS,
    AldeamoClient,
    AldeamoMessage,
    AldeamoUser,
    LatamMessagingError,
    account_digest,
    parse_aldeamo_user,
)
from ..const import (
    CHANNEL_NAMES,
    CONF_API_KEY,
    CONF_CHANNEL,
    CONF_CHANNELS,
    CONF_CLIENT_ID,
    DEFAULT_ALDEAMO_SCAN_INTERVAL,
    DELIVERY_POLL_CONCURRENCY,
    EVENT_MESSAGE_RECEIVED,
    LOGGER,
    PROVIDER_ALDEAMO,
)
from ..coordinator import (
    LatamConfigEntry,
    LatamCoordinator,
    bounded,
    raise_auth_failure,
)
from ..errors import validation_error
from ..store import PendingEvent
from ..validation import bot_target, bot_text, listening_channels, masked
from . import cursors
from .store import AldeamoStore
from .triggers import ALDEAMO_TRIGGERS

CHANNEL_ENTITIES = (("sensor", "users"), ("event", "messages"))
"""The entities each listened channel has: platform and the key's prefix."""


@dataclass(frozen=True, slots=True)
class AldeamoData:
    """What the entities show: how many users each channel has.

    The rows of a listing are let go once a poll is committed: a bot with
    10,000 users keeps 10,000 numbers' worth of nothing.
    """

    users: Mapping[str, int]


type MessagesAnswer = tuple[Any, ...] | LatamMessagingError


def _key(event: PendingEvent) -> str:
    """Name a stored event: its channel, person and message."""
    data = event.data
    return f"{data.get('channel')}/{data.get('client_id')}/{data.get('message_id')}"


def _event(
    channel: str,
    user: AldeamoUser,
    message: AldeamoMessage,
    answered_at: datetime | None,
) -> dict[str, Any]:
    """Return a message event's data (a message without a time: when it was listed)."""
    when = message.time or answered_at or dt_util.utcnow()
    return {
        "provider": PROVIDER_ALDEAMO,
        "channel": channel,
        "client_id": user.user_id,
        "name": user.name,
        "message": message.message,
        "message_id": message.id,
        "time": when.isoformat(),
    }


class AldeamoCoordinator(LatamCoordinator[AldeamoData, cursors.AldeamoState]):
    """Polls the bot's users per channel and reads only what moved."""

    provider_name = "Aldeamo"
    store: AldeamoStore
    configuration_url = ALDEAMO_URL.removesuffix("/bots")
    store_type = AldeamoStore
    device_triggers = ALDEAMO_TRIGGERS
    platforms = (Platform.EVENT, Platform.NOTIFY, Platform.SENSOR)
    save_when_fired = (
        False  # saved before firing, repeats marked: see async_fire_pending
    )

    def __init__(
        self,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        client: AldeamoClient,
        store: AldeamoStore,
        account: str,
    ) -> None:
        """Keep the client, the stored cursors and which account they belong to."""
        super().__init__(hass, entry, DEFAULT_ALDEAMO_SCAN_INTERVAL, store)
        self.client = client
        self.channels = listening_channels(entry.data[CONF_CHANNELS])
        self._account = account
        self._holding = False
        """A poll is committing and saving: its events wait for the save."""
        self._unsaved = False
        """The last commit changed cursors or queued events: saved before firing."""
        self._unfired: set[str] = set()
        """Stored events that may have fired before a crash (`_key`)."""
        self._marking = False
        """Which stored events fire again is being saved: firing waits for it."""

    @classmethod
    def create(
        cls,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        session: ClientSession,
        *,
        request_timeout: float,
        source: str,
    ) -> Self:
        """Connect to the entry's bot with its API key."""
        url = entry.data.get(CONF_URL) or ALDEAMO_URL
        client = AldeamoClient(
            session,
            entry.data[CONF_API_KEY],
            url=url,
            request_timeout=request_timeout,
            source=source,
        )
        return cls(
            hass,
            entry,
            client,
            AldeamoStore(hass, entry.entry_id),
            account_digest(entry.data[CONF_API_KEY], url),
        )

    @property
    def device_model(self) -> str:
        """The channels the bot listens on, alike in every language."""
        return " · ".join(CHANNEL_NAMES.get(c, c) for c in self.channels)

    def subentry_model(self, subentry: ConfigSubentry) -> str:
        """Say the contact's channel and the end of its id."""
        channel = str(subentry.data.get(CONF_CHANNEL, ""))
        user = str(subentry.data.get(CONF_CLIENT_ID, ""))
        return f"{CHANNEL_NAMES.get(channel, channel)} {masked(user)}".strip()

    def dropped_entities(self) -> list[tuple[str, str]]:
        """Return the entities of channels no longer listened to (dropped in reconfigure)."""
        entry_id = self.config_entry.entry_id
        return [
            (platform, f"{entry_id}_{prefix}_{channel}")
            for channel in set(LISTENING_CHANNELS) - set(self.channels)
            for platform, prefix in CHANNEL_ENTITIES
        ]

    def diagnostics(self) -> dict[str, Any]:
        """Tell how many users and cursors each channel has."""
        channels = self.store.state.channels
        return {
            "channels": {
                channel: {
                    "users": self.data.users.get(channel, 0),
                    "cursors": len(channels[channel].people)
                    if channel in channels
                    else 0,
                }
                for channel in self.channels
            }
        }

    async def async_send_message(
        self,
        targets: list[str],
        message: str,
        title: str | None,
        sent: Callable[[list[str]], None],
    ) -> None:
        """Send to every `channel:client_id`, each once, all checked first."""
        if not targets:
            raise validation_error("no_targets")
        text = bot_text(message, title)
        for channel, client_id in dict.fromkeys(bot_target(t) for t in targets):
            await self.async_send(channel, client_id, text)
            sent([f"{channel}:{client_id}"])

    async def _async_setup(self) -> None:
        await super()._async_setup()
        state = self.store.state
        if cursors.bind(state, self._account, self.channels):
            self.store.schedule_save()
        if self.store.journal:
            # Cursors read from an older file, or a journal a crash left: into
            # their shards now, not in every write of the entry's file.
            await self.store.async_save()
        # Events stored but maybe fired before a crash: fired once more at most.
        outbox = self.store.outbox
        kept = [event for event in outbox if _key(event) not in state.repeating]
        if len(kept) != len(outbox):
            LOGGER.debug("%d event(s) already fired again", len(outbox) - len(kept))
        self.store.outbox = kept
        self._unfired = {_key(event) for event in self.store.outbox}

    async def _async_update_data(self) -> AldeamoData:
        self._holding = True
        try:
            data = await super()._async_update_data()
            if self._unsaved:
                # On disk before anyone sees them: a crash after this fires
                # them once more at most, a crash before reads them again.
                self._unsaved = False
                await self.store.async_save()
        finally:
            self._holding = False
        self.async_fire_pending()
        return data

    @callback
    def async_fire_pending(self) -> None:
        """Fire the queued events once they are stored; a stored one once more at most."""
        if self._holding or self._marking:
            return
        if self._unfired and self._started and not self._stopping:
            self._marking = True  # before the task: it starts eagerly
            self.config_entry.async_create_background_task(
                self.hass, self._async_mark_repeats(), "latam_messaging repeats"
            )
            return
        super().async_fire_pending()
        if self.store.state.repeating and not self.store.outbox:
            self.store.state.repeating = frozenset()
            self.store.schedule_save()

    async def _async_mark_repeats(self) -> None:
        """Store which events are fired again before firing them."""
        state = self.store.state
        before, state.repeating = state.repeating, frozenset(self._unfired)
        try:
            await self.store.async_save()
        except BaseException:
            state.repeating = before  # not fired: the unload's save must not say so
            raise
        finally:
            self._marking = False
        self._unfired = set()
        self.async_fire_pending()

    async def _async_fetch(self) -> Callable[[], AldeamoData]:
        state = self.store.state
        listed = {
            channel: await self.client.listing(channel) for channel in self.channels
        }
        # Decided on the rows as listed; only the users who moved are built in full.
        plan = [
            (channel, parse_aldeamo_user(user.row))
            for channel, listing in listed.items()
            if channel in state.channels
            for user in cursors.to_read(state.channels[channel], listing.users)
        ]

        async def read(item: tuple[str, AldeamoUser]) -> MessagesAnswer:
            channel, user = item
            try:
                return await self.client.messages(channel, user.user_id)
            except LatamMessagingError as err:
                return err

        answers = await bounded(plan, DELIVERY_POLL_CONCURRENCY, read)
        raise_auth_failure(answers)

        def commit() -> AldeamoData:
            received: list[dict[str, Any]] = []
            failed: dict[str, set[str]] = {channel: set() for channel in listed}
            changed = False
            for (channel, user), answer in zip(plan, answers, strict=True):
                if isinstance(answer, LatamMessagingError):
                    # Read again at the next poll.
                    LOGGER.debug("Messages of a %s user not read: %s", channel, answer)
                    failed[channel].add(user.user_id)
                    continue
                read_in = state.channels[channel]
                new, seen = cursors.read(read_in, user, answer)
                if seen is not None:
                    read_in.people[user.user_id] = seen
                    self.store.changed(channel, user.user_id)
                    self._unsaved = True
                received.extend(
                    _event(channel, user, message, listed[channel].answered_at)
                    for message in new
                )
            for channel, listing in listed.items():
                ledger = state.channels.get(channel)
                if ledger is None:
                    # First poll of this channel: history is not replayed.
                    state.starts += 1
                    state.channels[channel] = cursors.start(
                        listing.users, listing.answered_at, state.starts
                    )
                    changed = True
                    continue
                mark = cursors.newest((u.stamp for u in listing.users), ledger.mark)
                moved = (mark, mark != ledger.mark, frozenset(failed[channel]))
                if moved != (ledger.mark, ledger.recheck, ledger.retry):
                    ledger.mark, ledger.recheck, ledger.retry = moved
                    changed = True
            received.sort(key=lambda m: m["time"])
            for message in received:
                self._queue(EVENT_MESSAGE_RECEIVED, message)
            self._unsaved |= bool(received)
            if changed and not self._unsaved:
                self.store.schedule_save()
            return AldeamoData(
                users={
                    channel: len(listing.users) for channel, listing in listed.items()
                }
            )

        return commit

    async def _async_send_answer(self, message: dict[str, Any], speech: str) -> None:
        await self.async_send(
            str(message["channel"]),
            str(message["client_id"]),
            assist.bot_answer(speech),
        )

    async def async_send(self, channel: str, client_id: str, message: str) -> str:
        """Send a message to a bot user; returns its id. Never repeated."""
        try:
            return await asyncio.shield(
                self._keep_going(self.client.send(channel, client_id, message))
            )
        except LatamMessagingError as err:
            raise self._action_error(err, sending=True) from err
