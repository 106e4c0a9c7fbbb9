"""Polling both providers, following what was sent, and turning changes into events."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .api import (
    AldeamoClient,
    AldeamoMessage,
    AldeamoUser,
    AuthenticationError,
    ConflictError,
    ElibomAccount,
    ElibomClient,
    ElibomDelivery,
    ElibomSchedule,
    LatamMessagingError,
    NotFoundError,
)
from .const import (
    BROADCAST_CHUNK_SIZE,
    BROADCAST_CONCURRENCY,
    CONF_CHANNELS,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_LOW_CREDIT_THRESHOLD,
    CONF_SCAN_INTERVAL,
    DEFAULT_ALDEAMO_SCAN_INTERVAL,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DELIVERY_FINAL_STATES,
    DELIVERY_LOOKUP_WINDOW,
    DELIVERY_POLL_CONCURRENCY,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
    LOGGER,
    PROVIDER_ALDEAMO,
    USERS_REFRESH_EVERY,
)
from .errors import action_error, update_error, validation_error
from .number_format import format_number
from .store import AldeamoStore, Cursor, ElibomStore, SeenSchedule, TrackedDelivery
from .validation import listening_channels

type LatamConfigEntry = ConfigEntry[ElibomCoordinator | AldeamoCoordinator]


async def _bounded[ItemT, ResultT](
    items: list[ItemT], limit: int, work: Callable[[ItemT], Awaitable[ResultT]]
) -> list[ResultT]:
    """Run `work` on every item, at most `limit` at once, results in item order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: ItemT) -> ResultT:
        async with semaphore:
            return await work(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


class LatamCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """What both providers' coordinators share."""

    config_entry: LatamConfigEntry
    provider_name: str

    def __init__(
        self, hass: HomeAssistant, entry: LatamConfigEntry, default_interval: int
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

    def _action_error(
        self, err: LatamMessagingError, *, sending: bool = False
    ) -> HomeAssistantError:
        if isinstance(err, AuthenticationError):
            self.config_entry.async_start_reauth(self.hass)
        return action_error(err, self.provider_name, sending=sending)

    def _fire(self, event_type: str, data: dict[str, Any]) -> None:
        self.hass.bus.async_fire(
            event_type, {"config_entry_id": self.config_entry.entry_id, **data}
        )


# Elibom ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ElibomData:
    """What the Elibom sensors show."""

    account: ElibomAccount
    active_users: int | None
    schedules: tuple[SeenSchedule, ...]
    """Scheduled sends, soonest first."""
    pending_deliveries: int


def expired_as_dict(tracked: TrackedDelivery) -> dict[str, Any]:
    """Describe a delivery the provider no longer knows (404 or over 48 h)."""
    return {
        "delivery_token": tracked.token,
        "status": "expired",
        "num_sent": tracked.num_sent,
        "num_failed": tracked.num_failed,
        "messages": [],
    }


def delivery_as_dict(delivery: ElibomDelivery) -> dict[str, Any]:
    """Describe a delivery as events and the get_delivery action show it."""
    return {
        "delivery_token": delivery.delivery_token,
        "status": delivery.status,
        "num_sent": delivery.num_sent,
        "num_failed": delivery.num_failed,
        "messages": [
            {
                "to": message.to,
                "status": message.status,
                "status_detail": message.status_detail,
                "operator": message.operator,
                "credits": message.credits,
                "sent_at": message.sent_at.isoformat() if message.sent_at else None,
            }
            for message in delivery.messages
        ],
    }


class ElibomCoordinator(LatamCoordinator[ElibomData]):
    """Polls one Elibom account and follows every delivery and schedule it made."""

    provider_name = "Elibom"

    def __init__(
        self,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        client: ElibomClient,
        store: ElibomStore,
    ) -> None:
        """Keep the client and the stored state."""
        super().__init__(hass, entry, DEFAULT_ELIBOM_SCAN_INTERVAL)
        self.client = client
        self.store = store
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

    async def _async_setup(self) -> None:
        await self.store.async_load()

    async def _async_update_data(self) -> ElibomData:
        try:
            account = await self.client.account()
            listed = await self.client.scheduled()
            if self._active_users is None or self._polls % USERS_REFRESH_EVERY == 0:
                users = await self.client.users()
                self._active_users = sum(1 for user in users if user.status == "active")
            changed = self._note_schedules(
                {schedule.id: schedule_seen(schedule) for schedule in listed}
            )
            changed |= await self._settle_leaving_schedules()
            changed |= await self._follow_deliveries()
        except LatamMessagingError as err:
            raise update_error(err, self.provider_name) from err
        self._polls += 1
        if changed:
            self.store.schedule_save()
        self._update_low_credit_issue(account)
        return self._snapshot(account)

    def _snapshot(self, account: ElibomAccount) -> ElibomData:
        state = self.store.state
        return ElibomData(
            account=account,
            active_users=self._active_users,
            schedules=tuple(
                sorted(
                    state.schedules.values(),
                    key=lambda s: (
                        s.scheduled_time or dt_util.utc_from_timestamp(0),
                        s.id,
                    ),
                )
            ),
            pending_deliveries=len(state.deliveries),
        )

    def _publish(self) -> None:
        """Show what an action just changed without waiting for the next poll."""
        self.async_set_updated_data(self._snapshot(self.data.account))

    # Schedules ---------------------------------------------------------------

    def _note_schedules(self, listed: Mapping[str, SeenSchedule]) -> bool:
        """Record the list; schedules gone from it wait to be checked once."""
        state = self.store.state
        gone = set(state.schedules) - set(listed)
        state.leaving |= gone
        state.leaving -= set(listed)
        changed = bool(gone) or state.schedules != listed
        state.schedules = dict(listed)
        return changed

    async def _settle_leaving_schedules(self) -> bool:
        """Ask once about each schedule that left the list: executed or cancelled."""
        state = self.store.state
        settled = False
        for schedule_id in sorted(state.leaving):
            try:
                status = (await self.client.schedule_status(schedule_id)).status
            except NotFoundError:
                status = "cancelled"
            except AuthenticationError:
                raise
            except (LatamMessagingError, ValueError) as err:
                LOGGER.debug("Schedule %s not checked yet: %s", schedule_id, err)
                continue
            if status == "scheduled":
                continue  # listed again at the next poll
            state.leaving.discard(schedule_id)
            settled = True
            self._fire(
                EVENT_SCHEDULE_STATUS,
                {"schedule_id": schedule_id, "status": status or "executed"},
            )
        return settled

    # Deliveries --------------------------------------------------------------

    async def _follow_deliveries(self) -> bool:
        """Look up every tracked delivery; report and forget those that became final."""
        state = self.store.state
        now = dt_util.utcnow()

        async def look_up(
            tracked: TrackedDelivery,
        ) -> ElibomDelivery | None | LatamMessagingError:
            if now - tracked.sent_at > DELIVERY_LOOKUP_WINDOW:
                return None
            try:
                return await self.client.delivery(tracked.token)
            except (NotFoundError, ValueError):
                return None  # the provider forgot it: expired
            except LatamMessagingError as err:
                return err

        tracked_list = list(state.deliveries.values())
        results = await _bounded(tracked_list, DELIVERY_POLL_CONCURRENCY, look_up)
        changed = False
        for tracked, result in zip(tracked_list, results, strict=True):
            if isinstance(result, AuthenticationError):
                raise result
            if isinstance(result, LatamMessagingError):
                LOGGER.debug("Delivery %s not checked: %s", tracked.token, result)
                continue
            status = "expired" if result is None else result.status
            if result is not None:
                tracked.num_sent, tracked.num_failed = (
                    result.num_sent,
                    result.num_failed,
                )
            if status != tracked.status:
                tracked.status = status
                changed = True
                self._fire(
                    EVENT_DELIVERY_STATUS,
                    expired_as_dict(tracked)
                    if result is None
                    else delivery_as_dict(result),
                )
            if status in DELIVERY_FINAL_STATES:
                del state.deliveries[tracked.token]
                changed = True
        return changed

    # Credit ------------------------------------------------------------------

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
        tracked and saved before returning, also when another chunk failed.
        """
        chunks = [
            numbers[start : start + BROADCAST_CHUNK_SIZE]
            for start in range(0, len(numbers), BROADCAST_CHUNK_SIZE)
        ]

        async def post(chunk: list[str]) -> str | LatamMessagingError:
            try:
                if when is None:
                    return await self.client.send(chunk, text)
                return await self.client.schedule(chunk, text, when)
            except LatamMessagingError as err:
                return err

        results = await _bounded(chunks, BROADCAST_CONCURRENCY, post)
        state = self.store.state
        now = dt_util.utcnow()
        accepted: list[str] = []
        accepted_numbers = 0
        errors: list[LatamMessagingError] = []
        for chunk, result in zip(chunks, results, strict=True):
            if isinstance(result, LatamMessagingError):
                errors.append(result)
                continue
            accepted.append(result)
            accepted_numbers += len(chunk)
            if when is None:
                state.deliveries[result] = TrackedDelivery(
                    result, "created", 0, 0, now, len(chunk)
                )
            else:
                # Elibom schedules to the minute; show what it will do.
                minute = when.replace(second=0, microsecond=0)
                state.schedules[result] = SeenSchedule(result, minute, text, len(chunk))
        if accepted:
            await self.store.async_save()
            self._publish()
        if errors and not accepted:
            raise self._action_error(errors[0], sending=True)
        if errors:
            error = self._action_error(errors[0], sending=True)
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

    async def async_cancel(self, schedule_id: str) -> None:
        """Cancel a schedule and report it at once."""
        try:
            await self.client.cancel(schedule_id)
        except (NotFoundError, ValueError) as err:
            raise validation_error(
                "schedule_not_found", schedule_id=schedule_id
            ) from err
        except ConflictError as err:
            raise validation_error(
                "schedule_already_executed", schedule_id=schedule_id
            ) from err
        except LatamMessagingError as err:
            raise self._action_error(err) from err
        state = self.store.state
        state.schedules.pop(schedule_id, None)
        state.leaving.discard(schedule_id)
        await self.store.async_save()
        self._fire(
            EVENT_SCHEDULE_STATUS, {"schedule_id": schedule_id, "status": "cancelled"}
        )
        self._publish()

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
        return delivery_as_dict(delivery)


def schedule_seen(schedule: ElibomSchedule) -> SeenSchedule:
    """Keep what the dashboard shows of a listed schedule."""
    return SeenSchedule(
        id=schedule.id,
        scheduled_time=schedule.scheduled_time,
        text=schedule.text,
        destinations=len(schedule.destinations),
    )


# Aldeamo --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceivedMessage:
    """A message a bot user wrote, as the event reports it."""

    channel: str
    client_id: str
    name: str | None
    message: str
    message_id: str
    time: datetime

    def as_event_data(self) -> dict[str, Any]:
        """Return the event's data (without the entry id)."""
        return {
            "provider": PROVIDER_ALDEAMO,
            "channel": self.channel,
            "client_id": self.client_id,
            "name": self.name,
            "message": self.message,
            "message_id": self.message_id,
            "time": self.time.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class AldeamoData:
    """Users per channel, and the messages that arrived in the last poll."""

    users: Mapping[str, tuple[AldeamoUser, ...]]
    received: tuple[ReceivedMessage, ...]


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _unread(
    messages: tuple[AldeamoMessage, ...], cursor: Cursor | None
) -> list[AldeamoMessage]:
    """Return the messages after the cursor, oldest first."""
    if cursor is None:
        return list(messages)  # a user who appeared since the last poll
    ids = [message.id for message in messages]
    if cursor.last_id is not None:
        if cursor.last_id in ids:
            return list(messages[ids.index(cursor.last_id) + 1 :])
        if cursor.last_id.isdigit():
            last = int(cursor.last_id)
            return [m for m in messages if m.id.isdigit() and int(m.id) > last]
    since = dt_util.parse_datetime(cursor.last_active) if cursor.last_active else None
    if since is None:
        return list(messages)
    return [m for m in messages if m.time is not None and m.time > since]


class AldeamoCoordinator(LatamCoordinator[AldeamoData]):
    """Polls the bot's users per channel and reads only what moved."""

    provider_name = "Aldeamo"

    def __init__(
        self,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        client: AldeamoClient,
        store: AldeamoStore,
    ) -> None:
        """Keep the client and the stored cursors."""
        super().__init__(hass, entry, DEFAULT_ALDEAMO_SCAN_INTERVAL)
        self.client = client
        self.store = store
        self.channels = listening_channels(entry.data[CONF_CHANNELS])

    async def _async_setup(self) -> None:
        await self.store.async_load()

    async def _async_update_data(self) -> AldeamoData:
        try:
            users = {
                channel: await self.client.users(channel) for channel in self.channels
            }
            received, changed = await self._read_new_messages(users)
        except LatamMessagingError as err:
            raise update_error(err, self.provider_name) from err
        if changed:
            self.store.schedule_save()
        for message in received:
            self._fire(EVENT_MESSAGE_RECEIVED, message.as_event_data())
        return AldeamoData(users=users, received=tuple(received))

    async def _read_new_messages(
        self, users: Mapping[str, tuple[AldeamoUser, ...]]
    ) -> tuple[list[ReceivedMessage], bool]:
        state = self.store.state
        changed = False
        moved: list[tuple[str, AldeamoUser, Cursor | None]] = []
        for channel, channel_users in users.items():
            if channel not in state.cursors:
                # First poll of this channel: set the cursors, replay no history.
                state.cursors[channel] = {
                    user.user_id: Cursor(_moment(user.last_active), None)
                    for user in channel_users
                }
                changed = True
                continue
            cursors = state.cursors[channel]
            moved.extend(
                (channel, user, cursors.get(user.user_id))
                for user in channel_users
                if user.user_id not in cursors
                or cursors[user.user_id].last_active != _moment(user.last_active)
            )

        async def read(
            item: tuple[str, AldeamoUser, Cursor | None],
        ) -> tuple[AldeamoMessage, ...] | LatamMessagingError:
            channel, user, _ = item
            try:
                return await self.client.messages(channel, user.user_id)
            except LatamMessagingError as err:
                return err

        results = await _bounded(moved, DELIVERY_POLL_CONCURRENCY, read)
        received: list[ReceivedMessage] = []
        for (channel, user, cursor), result in zip(moved, results, strict=True):
            if isinstance(result, AuthenticationError):
                raise result
            if isinstance(result, LatamMessagingError):
                # The cursor stays put: the next poll reads this user again.
                LOGGER.debug("Messages of a %s user not read: %s", channel, result)
                continue
            fallback = user.last_active or dt_util.utcnow()
            received.extend(
                ReceivedMessage(
                    channel=channel,
                    client_id=user.user_id,
                    name=user.name,
                    message=message.message,
                    message_id=message.id,
                    time=message.time or fallback,
                )
                for message in _unread(result, cursor)
            )
            state.cursors[channel][user.user_id] = Cursor(
                _moment(user.last_active),
                result[-1].id if result else (cursor.last_id if cursor else None),
            )
            changed = True
        received.sort(key=lambda m: m.time)
        return received, changed

    async def async_send(self, channel: str, client_id: str, message: str) -> str:
        """Send a message to a bot user; returns its id. Never repeated."""
        try:
            return await self.client.send(channel, client_id, message)
        except LatamMessagingError as err:
            raise self._action_error(err, sending=True) from err
