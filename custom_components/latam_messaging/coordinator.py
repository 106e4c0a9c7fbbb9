"""Polling both providers and sending through them; the deciding is done elsewhere.

Every poll is in two parts: a fetch that only asks the provider (and may be cut
short by an error, a reload or a cancellation without changing anything), then a
commit that applies all answers at once, stores the result and queues the events
it makes. Queued events are fired once Home Assistant has started, so that
automations see what was found while it was starting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent, issue_registry as ir
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from . import assist, cursors, deliveries
from .api import (
    AldeamoClient,
    AldeamoUser,
    AuthenticationError,
    ConflictError,
    ElibomAccount,
    ElibomClient,
    ElibomDelivery,
    LatamMessagingError,
    ListedUser,
    NotFoundError,
    parse_aldeamo_user,
)
from .const import (
    BROADCAST_CHUNK_SIZE,
    BROADCAST_CONCURRENCY,
    CONF_CHANNELS,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_LOW_CREDIT_THRESHOLD,
    CONF_PHONE_NUMBER,
    CONF_SCAN_INTERVAL,
    DEFAULT_ALDEAMO_SCAN_INTERVAL,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DELIVERY_POLL_CONCURRENCY,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
    LOGGER,
    PROVIDER_ALDEAMO,
    PROVIDER_ELIBOM,
    SUBENTRY_RECIPIENT,
    USERS_REFRESH_EVERY,
)
from .deliveries import SeenSchedule, schedule_seen
from .errors import action_error, update_error, validation_error
from .number_format import format_number
from .store import AldeamoStore, ElibomStore, EntryStore, PendingEvent
from .validation import listening_channels

type LatamConfigEntry = ConfigEntry[ElibomCoordinator | AldeamoCoordinator]
type MessageListener = Callable[[dict[str, Any]], None]

ANSWER_WAIT = 60
"""Seconds an unload waits for Assist answers still being prepared (a slow agent)."""
INBOUND_REMEMBERED = 200
"""Ids of received SMS kept to ignore a callback Elibom repeats."""


async def _bounded[ItemT, ResultT](
    items: list[ItemT], limit: int, work: Callable[[ItemT], Awaitable[ResultT]]
) -> list[ResultT]:
    """Run `work` on every item, at most `limit` at once, results in item order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: ItemT) -> ResultT:
        async with semaphore:
            return await work(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


def _raise_auth_failure(results: list[Any]) -> None:
    """Stop the whole poll before anything is committed if any answer says the key is wrong."""
    for result in results:
        if isinstance(result, AuthenticationError):
            raise result


class LatamCoordinator[DataT, StateT](DataUpdateCoordinator[DataT]):
    """What both providers' coordinators share: the poll's two parts, events, sends."""

    config_entry: LatamConfigEntry
    provider_name: str

    def __init__(
        self,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        default_interval: int,
        store: EntryStore[StateT],
    ) -> None:
        """Poll at the entry's scan interval."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{self.provider_name} {entry.title}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, default_interval)
            ),
        )
        self.store = store
        self._started = False
        self._stopping = False
        self._fetch: asyncio.Future[Callable[[], DataT]] | None = None
        self._sends: set[asyncio.Future[Any]] = set()
        self._answers: set[asyncio.Future[None]] = set()
        self._message_listeners: list[MessageListener] = []
        self._answering = asyncio.Lock()
        """Answers go one at a time, in the order the messages came: a follow-up
        waits for the conversation its first message opened."""

    async def _async_setup(self) -> None:
        await self.store.async_load()

    # The poll -----------------------------------------------------------------

    async def _async_fetch(self) -> Callable[[], DataT]:
        """Ask the provider; return what commits the answers (nothing changes before)."""
        raise NotImplementedError

    async def _async_update_data(self) -> DataT:
        fetch = asyncio.ensure_future(self._async_fetch())
        self._fetch = fetch
        try:
            commit = await fetch
        except LatamMessagingError as err:
            raise update_error(err, self.provider_name) from err
        finally:
            self._fetch = None
        data = commit()
        if assist.release(self.hass, self.store.assist, self.config_entry):
            self.store.schedule_save()  # an hour has passed: the limit's issue goes
        self.async_fire_pending()
        return data

    # Events -------------------------------------------------------------------

    def _queue(self, event_type: str, data: dict[str, Any]) -> None:
        """Keep an event with the state that made it; it is fired once started."""
        self.store.outbox.append(
            PendingEvent(
                event_type, {"config_entry_id": self.config_entry.entry_id, **data}
            )
        )

    @callback
    def async_start_events(self) -> CALLBACK_TYPE:
        """Fire what is queued once Home Assistant has started, and from then on."""

        @callback
        def started(hass: HomeAssistant) -> None:
            self._started = True
            self.async_fire_pending()

        return async_at_started(self.hass, started)

    @callback
    def async_fire_pending(self) -> None:
        """Fire the queued events, in order, if Home Assistant has started."""
        if not self._started or self._stopping or not self.store.outbox:
            return
        pending, self.store.outbox = self.store.outbox, []
        answers: list[tuple[assist.Person, dict[str, Any]]] = []
        for event in pending:
            if event.event_type == EVENT_MESSAGE_RECEIVED:
                who = assist.person(self.config_entry, event.data)
                if who is not None and assist.may_answer(
                    self.hass, self.store.assist, who, str(event.data["message_id"])
                ):
                    event.data["assist"] = True
                    answers.append((who, event.data))
            self.hass.bus.async_fire(event.event_type, event.data)
            if event.event_type == EVENT_MESSAGE_RECEIVED:
                for listener in list(self._message_listeners):
                    listener(event.data)
        self.store.schedule_save()
        if answers:
            task = self.config_entry.async_create_background_task(
                self.hass, self._async_answer_all(answers), "latam_messaging assist"
            )
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)

    async def _async_answer_all(
        self, answers: list[tuple[assist.Person, dict[str, Any]]]
    ) -> None:
        """Answer in order; what was decided is saved before anything is sent."""
        async with self._answering:  # taken at once: tasks start eagerly, in order
            await self.store.async_save()
            for who, message in answers:
                await self._async_answer(who, message)

    async def _async_answer(self, who: assist.Person, message: dict[str, Any]) -> None:
        """Ask the agent and send its answer back; a failure is logged, not retried."""
        # Imported here: conversation is only needed once someone has assist on.
        from homeassistant.components import conversation  # noqa: PLC0415

        conversations = self.store.assist.conversations
        try:
            result = await conversation.async_converse(
                self.hass,
                str(message["message"]),
                conversations.get(who.subentry_id),
                Context(),
                language=self.hass.config.language,
                agent_id=who.agent_id,
            )
            if result.conversation_id:
                conversations[who.subentry_id] = result.conversation_id
                self.store.schedule_save()
            speech = str(result.response.speech.get("plain", {}).get("speech", ""))
            if (
                result.response.response_type is intent.IntentResponseType.ERROR
                and result.response.error_code is intent.IntentResponseErrorCode.UNKNOWN
            ):
                # What async_converse makes of an agent that failed: its error text
                # is no answer (and an SMS of it costs credit).
                LOGGER.warning("Assist could not answer %s: %s", who.name, speech)
                return
            if speech:
                await self._async_send_answer(message, speech)
        except Exception as err:  # noqa: BLE001
            # Any error: the agent may be another integration's, and raise anything
            # (ValueError: the chosen agent no longer exists). The next answers go on.
            LOGGER.warning("Assist could not answer %s: %s", who.name, err)

    async def _async_send_answer(self, message: dict[str, Any], speech: str) -> None:
        """Send an answer back on the channel the message came from."""
        raise NotImplementedError

    @callback
    def async_listen_messages(self, listener: MessageListener) -> CALLBACK_TYPE:
        """Call `listener` with the data of each message event, as it is fired."""
        self._message_listeners.append(listener)
        return lambda: self._message_listeners.remove(listener)

    # Life cycle ---------------------------------------------------------------

    async def async_stop(self) -> None:
        """Stop polling before an unload: a poll in flight is cut off, sends finish.

        A poll cut off commits nothing (the next coordinator asks again); a send
        already on its way is awaited so that its delivery token is kept, and so
        are Assist answers being prepared (for up to ANSWER_WAIT seconds).
        """
        self._stopping = True
        await self.async_shutdown()
        if (fetch := self._fetch) is not None:
            fetch.cancel()
            await asyncio.wait([fetch])
        if self._answers:
            # Decided and saved as answered: cut off now, it would never be sent.
            await asyncio.wait(self._answers, timeout=ANSWER_WAIT)
        if self._sends:
            await asyncio.wait(self._sends)
        await self.store.async_save()

    def _keep_going[ResultT](self, work: Awaitable[ResultT]) -> asyncio.Future[ResultT]:
        """Run a send to its end even if its caller is cancelled (a stopped script)."""
        task = asyncio.ensure_future(work)
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)
        return task

    def _action_error(
        self, err: LatamMessagingError, *, sending: bool = False
    ) -> HomeAssistantError:
        if isinstance(err, AuthenticationError):
            self.config_entry.async_start_reauth(self.hass)
        return action_error(err, self.provider_name, sending=sending)


# Elibom ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElibomData:
    """What the Elibom sensors show."""

    account: ElibomAccount
    active_users: int | None
    schedules: tuple[SeenSchedule, ...]
    """Scheduled sends, soonest first."""
    pending_deliveries: int


type DeliveryAnswer = ElibomDelivery | None | LatamMessagingError
"""A lookup's answer: the delivery, None when the provider forgot it, or an error."""


class ElibomCoordinator(LatamCoordinator[ElibomData, deliveries.ElibomState]):
    """Polls one Elibom account and follows every delivery and schedule it made."""

    provider_name = "Elibom"
    store: ElibomStore

    def __init__(
        self,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        client: ElibomClient,
        store: ElibomStore,
    ) -> None:
        """Keep the client and the stored state."""
        super().__init__(hass, entry, DEFAULT_ELIBOM_SCAN_INTERVAL, store)
        self.client = client
        self._polls = 0
        self._active_users: int | None = None

    @property
    def country_code(self) -> str:
        """The code put before 10-digit numbers written without +."""
        return str(
            self.config_entry.options.get(
                CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE
            )
        )

    async def _async_fetch(self) -> Callable[[], ElibomData]:
        state = self.store.state
        now = dt_util.utcnow()
        account = await self.client.account()
        listed = {s.id: schedule_seen(s) for s in await self.client.scheduled()}
        active_users = self._active_users
        if active_users is None or self._polls % USERS_REFRESH_EVERY == 0:
            users = await self.client.users()
            active_users = sum(1 for user in users if user.status == "active")
        ended = {
            schedule_id: await self._schedule_end(schedule_id)
            for schedule_id in deliveries.leaving(state, listed)
        }
        due = deliveries.due(state, now)
        answers = await _bounded(due, DELIVERY_POLL_CONCURRENCY, self._look_up)
        _raise_auth_failure(answers)

        def commit() -> ElibomData:
            events, changed = deliveries.apply_schedules(state, listed, ended)
            for event in events:
                self._queue(EVENT_SCHEDULE_STATUS, event)
            for tracked, answer in zip(due, answers, strict=True):
                if isinstance(answer, LatamMessagingError):
                    LOGGER.debug("Delivery %s not checked: %s", tracked.token, answer)
                    continue
                if state.deliveries.get(tracked.token) is not tracked:
                    continue  # forgotten meanwhile
                changed = True  # at least its next due time
                if change := deliveries.apply_lookup(state, tracked, answer, now):
                    self._queue(EVENT_DELIVERY_STATUS, change)
            if changed:
                self.store.schedule_save()
            self._polls += 1
            self._active_users = active_users
            self._update_low_credit_issue(account)
            return self._snapshot(account)

        return commit

    async def _schedule_end(self, schedule_id: str) -> str | None:
        """Ask how a schedule that left the list ended; None when it cannot be said yet."""
        try:
            return (await self.client.schedule_status(schedule_id)).status
        except NotFoundError:
            return "cancelled"
        except AuthenticationError:
            raise
        except (LatamMessagingError, ValueError) as err:
            LOGGER.debug("Schedule %s not checked yet: %s", schedule_id, err)
            return None

    async def _look_up(self, tracked: deliveries.TrackedDelivery) -> DeliveryAnswer:
        if deliveries.forgotten(tracked, dt_util.utcnow()):
            return None
        try:
            return await self.client.delivery(tracked.token)
        except (NotFoundError, ValueError):
            return None  # the provider forgot it: expired
        except LatamMessagingError as err:
            return err

    def _snapshot(self, account: ElibomAccount) -> ElibomData:
        state = self.store.state
        return ElibomData(
            account=account,
            active_users=self._active_users,
            schedules=deliveries.soonest_first(state.schedules.values()),
            pending_deliveries=len(state.deliveries),
        )

    @callback
    def _show(self) -> None:
        """Show what an action changed, without touching the polling schedule."""
        if self.data is not None:
            self.data = self._snapshot(self.data.account)
            self.async_update_listeners()

    def _update_low_credit_issue(self, account: ElibomAccount) -> None:
        threshold = float(self.config_entry.options.get(CONF_LOW_CREDIT_THRESHOLD, 0))
        issue_id = f"low_credit_{self.config_entry.entry_id}"
        if (
            threshold > 0
            and account.credits is not None
            and account.credits < threshold
        ):
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key="low_credit",
                translation_placeholders={
                    "account": self.config_entry.title,
                    "credits": format_number(
                        account.credits, self.hass.config.language
                    ),
                    "threshold": format_number(threshold, self.hass.config.language),
                },
            )
        else:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    # Actions -----------------------------------------------------------------

    async def async_send_sms(
        self, numbers: list[str], text: str, when: datetime | None = None
    ) -> list[str]:
        """Send or schedule, one request per chunk of numbers; never repeated.

        Returns the delivery tokens (or schedule ids). Every accepted chunk is
        tracked and saved as soon as it is accepted, also when another chunk
        failed or the caller was cancelled meanwhile.
        """
        chunks = [
            numbers[start : start + BROADCAST_CHUNK_SIZE]
            for start in range(0, len(numbers), BROADCAST_CHUNK_SIZE)
        ]
        results = await asyncio.shield(
            self._keep_going(self._broadcast(chunks, text, when))
        )
        accepted = [r for r in results if not isinstance(r, LatamMessagingError)]
        errors = [r for r in results if isinstance(r, LatamMessagingError)]
        if errors and not accepted:
            raise self._action_error(errors[0], sending=True)
        if errors:
            error = self._action_error(errors[0], sending=True)
            accepted_numbers = sum(
                len(chunk)
                for chunk, result in zip(chunks, results, strict=True)
                if not isinstance(result, LatamMessagingError)
            )
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="broadcast_partly_failed",
                translation_placeholders={
                    "accepted": str(accepted_numbers),
                    "total": str(len(numbers)),
                    "ids": ", ".join(accepted),
                    "error": str(error),
                },
            )
        return accepted

    async def _broadcast(
        self, chunks: list[list[str]], text: str, when: datetime | None
    ) -> list[str | LatamMessagingError]:
        state = self.store.state

        async def post(chunk: list[str]) -> str | LatamMessagingError:
            try:
                if when is None:
                    token = await self.client.send(chunk, text)
                else:
                    token = await self.client.schedule(chunk, text, when)
            except LatamMessagingError as err:
                return err
            # Kept at once: a token is what lets a paid message be followed.
            if when is None:
                state.deliveries[token] = deliveries.track(
                    token, len(chunk), dt_util.utcnow()
                )
            else:
                state.schedules[token] = SeenSchedule(token, when, text, len(chunk))
            self.store.schedule_save()
            return token

        results = await _bounded(chunks, BROADCAST_CONCURRENCY, post)
        if any(not isinstance(r, LatamMessagingError) for r in results):
            await self.store.async_save()
            self._show()
        return results

    async def async_cancel(self, schedule_id: str) -> None:
        """Cancel a schedule and report it at once."""
        state = self.store.state
        try:
            await self._keep_going(self.client.cancel(schedule_id))
        except (NotFoundError, ValueError) as err:
            if schedule_id in state.settled:
                # This entry saw it end: a second cancel, or one after it was sent.
                raise validation_error(
                    "schedule_already_ended", schedule_id=schedule_id
                ) from err
            if not await self._cancelled_already(schedule_id):
                raise validation_error(
                    "schedule_not_found", schedule_id=schedule_id
                ) from err
        except ConflictError as err:
            raise validation_error(
                "schedule_already_executed", schedule_id=schedule_id
            ) from err
        except LatamMessagingError as err:
            raise self._action_error(err) from err
        self._queue(
            EVENT_SCHEDULE_STATUS, deliveries.settle(state, schedule_id, "cancelled")
        )
        await self.store.async_save()
        self.async_fire_pending()
        self._show()

    async def _cancelled_already(self, schedule_id: str) -> bool:
        """Tell a cancel whose answer was lost (and was repeated) from an unknown id.

        A schedule this entry saw waiting that the provider no longer knows is
        cancelled (by the first try, or on Elibom's site): what was asked is done.
        One that was sent meanwhile is a conflict.
        """
        if not deliveries.scheduled(self.store.state, schedule_id):
            return False
        try:
            status = (await self.client.schedule_status(schedule_id)).status
        except NotFoundError:
            return True
        except LatamMessagingError:
            return False
        if status == "executed":
            raise validation_error("schedule_already_executed", schedule_id=schedule_id)
        return False

    async def async_get_delivery(self, delivery_token: str) -> dict[str, Any]:
        """Look up any delivery of the account, tracked or not."""
        try:
            delivery = await self.client.delivery(delivery_token)
        except (NotFoundError, ValueError) as err:
            raise validation_error(
                "delivery_not_found", delivery_token=delivery_token
            ) from err
        except LatamMessagingError as err:
            raise self._action_error(err) from err
        return deliveries.delivery_event(delivery)

    @callback
    def async_receive_sms(
        self, sender: str, text: str, message_id: str, when: datetime
    ) -> None:
        """Report an SMS from the inbound webhook once, even if Elibom repeats it."""
        inbound = self.store.state.inbound
        if message_id in inbound:
            return
        inbound.append(message_id)
        del inbound[:-INBOUND_REMEMBERED]
        self._queue(
            EVENT_MESSAGE_RECEIVED,
            {
                "provider": PROVIDER_ELIBOM,
                "channel": "sms",
                "client_id": sender,
                "name": self._recipient_name(sender),
                "message": text,
                "message_id": message_id,
                "time": when.isoformat(),
            },
        )
        self.store.schedule_save()
        self.async_fire_pending()

    async def _async_send_answer(self, message: dict[str, Any], speech: str) -> None:
        await self.async_send_sms(
            [str(message["client_id"])], assist.sms_answer(speech)
        )

    def _recipient_name(self, number: str) -> str | None:
        for subentry in self.config_entry.subentries.values():
            if (
                subentry.subentry_type == SUBENTRY_RECIPIENT
                and subentry.data.get(CONF_PHONE_NUMBER) == number
            ):
                return subentry.title
        return None


# Aldeamo --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AldeamoData:
    """Users per channel."""

    users: Mapping[str, tuple[ListedUser, ...]]


type MessagesAnswer = tuple[Any, ...] | LatamMessagingError


class AldeamoCoordinator(LatamCoordinator[AldeamoData, cursors.AldeamoState]):
    """Polls the bot's users per channel and reads only what moved."""

    provider_name = "Aldeamo"
    store: AldeamoStore

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

    async def _async_setup(self) -> None:
        await super()._async_setup()
        if cursors.bind(self.store.state, self._account, self.channels):
            self.store.schedule_save()

    async def _async_fetch(self) -> Callable[[], AldeamoData]:
        state = self.store.state
        now = dt_util.utcnow()
        listed = {
            channel: await self.client.listed_users(channel)
            for channel in self.channels
        }
        # Decided on the rows as listed; only the users who moved are built in full.
        plan = [
            (channel, parse_aldeamo_user(user.row))
            for channel, users in listed.items()
            if channel in state.channels
            for user in cursors.to_read(state.channels[channel], users)
        ]

        async def read(item: tuple[str, AldeamoUser]) -> MessagesAnswer:
            channel, user = item
            try:
                return await self.client.messages(channel, user.user_id)
            except LatamMessagingError as err:
                return err

        answers = await _bounded(plan, DELIVERY_POLL_CONCURRENCY, read)
        _raise_auth_failure(answers)

        def commit() -> AldeamoData:
            received: list[dict[str, Any]] = []
            changed = False
            for channel, users in listed.items():
                if channel not in state.channels:
                    # First poll of this channel: cursors only, history is not replayed.
                    state.channels[channel] = cursors.start(users, now)
                    changed = True
            for (channel, user), answer in zip(plan, answers, strict=True):
                if isinstance(answer, LatamMessagingError):
                    # The cursor stays put: the next poll reads this user again.
                    LOGGER.debug("Messages of a %s user not read: %s", channel, answer)
                    continue
                ledger = state.channels[channel]
                new, cursor = cursors.read(ledger, user, answer)
                changed |= ledger.users.get(user.user_id) != cursor
                ledger.users[user.user_id] = cursor
                received.extend(
                    {
                        "provider": PROVIDER_ALDEAMO,
                        "channel": channel,
                        "client_id": user.user_id,
                        "name": user.name,
                        "message": message.message,
                        "message_id": message.id,
                        "time": (message.time or now).isoformat(),
                    }
                    for message in new
                )
            received.sort(key=lambda m: m["time"])
            for message in received:
                self._queue(EVENT_MESSAGE_RECEIVED, message)
            if changed:
                self.store.schedule_save()
            return AldeamoData(users=listed)

        return commit

    async def _async_send_answer(self, message: dict[str, Any], speech: str) -> None:
        await self.async_send(
            str(message["channel"]), str(message["client_id"]), speech
        )

    async def async_send(self, channel: str, client_id: str, message: str) -> str:
        """Send a message to a bot user; returns its id. Never repeated."""
        try:
            return await asyncio.shield(
                self._keep_going(self.client.send(channel, client_id, message))
            )
        except LatamMessagingError as err:
            raise self._action_error(err, sending=True) from err
