"""Sending, scheduling and cancelling Elibom SMS, and looking deliveries up.

The polling of the same account is in `coordinator.py`, on top of this.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_time_change
from homeassistant.util import dt as dt_util

from ..api import (
    ConflictError,
    ElibomAccount,
    ElibomClient,
    LatamMessagingError,
    NotFoundError,
)
from ..callers import async_caller
from ..const import (
    BROADCAST_CHUNK_SIZE,
    BROADCAST_CONCURRENCY,
    CONF_DAILY_LIMIT,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_PLAIN_ALPHABET,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_DAILY_LIMIT,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DEFAULT_PLAIN_ALPHABET,
    DOMAIN,
    EVENT_SCHEDULE_STATUS,
)
from ..coordinator import LatamConfigEntry, LatamCoordinator, bounded
from ..errors import may_have_sent, validation_error
from ..sms_parts import segments
from . import deliveries, spending
from .data import ElibomData
from .deliveries import SeenSchedule
from .store import ElibomStore


def _reopens() -> str:
    """Say when sending opens again: the next local midnight, to the minute."""
    tomorrow = dt_util.now().date() + timedelta(days=1)
    return dt_util.start_of_local_day(tomorrow).strftime("%Y-%m-%d %H:%M")


class ElibomSender(LatamCoordinator[ElibomData, deliveries.ElibomState]):
    """Sends through one Elibom account and keeps what it sent followed."""

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
        self._scheduled = False
        """Whether the refresh running is a scheduled poll (not set-up, not asked for)."""

    @property
    def country_code(self) -> str:
        """The code put before 10-digit numbers written without +."""
        return str(
            self.config_entry.options.get(
                CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE
            )
        )

    @property
    def plain_alphabet(self) -> bool:
        """Whether SMS are sent without accents unless an action says otherwise."""
        return bool(
            self.config_entry.options.get(CONF_PLAIN_ALPHABET, DEFAULT_PLAIN_ALPHABET)
        )

    @property
    def daily_limit(self) -> int:
        """SMS parts the account may send per local day; 0 is no limit."""
        return int(self.config_entry.options.get(CONF_DAILY_LIMIT, DEFAULT_DAILY_LIMIT))

    @property
    def parts_today(self) -> int:
        """SMS parts accepted today, in Home Assistant's time zone."""
        return spending.used(self.store.state.spending, dt_util.now().date())

    async def _async_setup(self) -> None:
        await super()._async_setup()
        if not spending.reached(
            self.store.state.spending, self.daily_limit, dt_util.now().date()
        ):
            # Reached on a day that has ended while the entry was not loaded.
            ir.async_delete_issue(self.hass, DOMAIN, self.limit_issue_id)
        # Local midnight, in Home Assistant's time zone (DST included): a new count.
        self.config_entry.async_on_unload(
            async_track_time_change(
                self.hass, self._new_day, hour=0, minute=0, second=0
            )
        )

    @callback
    def _new_day(self, _now: datetime) -> None:
        ir.async_delete_issue(self.hass, DOMAIN, self.limit_issue_id)
        self._show()

    def _snapshot(self, account: ElibomAccount) -> ElibomData:
        state = self.store.state
        return ElibomData(
            account=account,
            active_users=self._active_users,
            schedules=deliveries.soonest_first(state.schedules.values()),
            pending_deliveries=len(state.deliveries),
            parts_today=self.parts_today,
            runs_out=spending.run_out(state.spending, dt_util.utcnow()),
        )

    @callback
    def _show(self) -> None:
        """Show what an action changed, without touching the polling schedule."""
        if self.data is not None:
            self.data = self._snapshot(self.data.account)
            self.async_update_listeners()

    # Actions -----------------------------------------------------------------

    async def async_send_sms(
        self,
        numbers: list[str],
        text: str,
        when: datetime | None = None,
        context: Context | None = None,
    ) -> list[str]:
        """Send or schedule, one request per chunk of numbers; never repeated.

        Returns the delivery tokens (or schedule ids). Every accepted chunk is
        tracked and written to disk as soon as it is accepted, also when another
        chunk failed or the caller was cancelled meanwhile. A send that would
        pass the daily limit is refused whole, before any request; `context`
        tells which automation or script asked.
        """
        per_number = segments(text)
        self._reserve(per_number * len(numbers), context)
        chunks = [
            numbers[start : start + BROADCAST_CHUNK_SIZE]
            for start in range(0, len(numbers), BROADCAST_CHUNK_SIZE)
        ]
        results = await asyncio.shield(
            self._keep_going(self._broadcast(chunks, text, when, per_number, context))
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

    @property
    def limit_issue_id(self) -> str:
        """Name the repair issue of the daily limit reached."""
        return f"daily_limit_{self.config_entry.entry_id}"

    def _reserve(self, parts: int, context: Context | None) -> None:
        """Set a send's parts aside, or refuse it whole if it would pass the limit."""
        today = dt_util.now().date()
        over = spending.reserve(
            self.store.state.spending, self.daily_limit, parts, today
        )
        if over is None:
            return
        self._limit_reached(context)
        raise validation_error(
            "daily_limit_reached",
            account=self.config_entry.title,
            limit=str(over.limit),
            used=str(over.used),
            parts=str(over.parts),
            reopens=_reopens(),
        )

    @callback
    def _limit_reached(self, context: Context | None) -> None:
        """Say in a repair issue (until midnight) which automation or script asked last."""
        caller = async_caller(self.hass, context)
        placeholders = {
            "account": self.config_entry.title,
            "limit": str(self.daily_limit),
            "reopens": _reopens(),
        }
        if caller is not None:
            placeholders |= {"caller": caller.name, "entity_id": caller.entity_id}
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            self.limit_issue_id,
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="daily_limit_reached"
            if caller is not None
            else "daily_limit_reached_no_caller",
            translation_placeholders=placeholders,
        )

    async def _broadcast(
        self,
        chunks: list[list[str]],
        text: str,
        when: datetime | None,
        per_number: int,
        context: Context | None,
    ) -> list[str | LatamMessagingError]:
        state = self.store.state
        # Parts set aside and not counted yet: freed however the send ends.
        left = sum(len(chunk) for chunk in chunks) * per_number

        def count(chunk: list[str]) -> None:
            nonlocal left
            left -= len(chunk) * per_number
            spending.accept(
                state.spending, len(chunk) * per_number, dt_util.now().date()
            )

        async def post(chunk: list[str]) -> str | LatamMessagingError:
            try:
                if when is None:
                    token = await self.client.send(chunk, text)
                else:
                    token = await self.client.schedule(chunk, text, when)
            except LatamMessagingError as err:
                if may_have_sent(err):
                    count(chunk)  # perhaps accepted, and billed: counted
                    self.store.schedule_save()
                return err
            count(chunk)
            # Kept at once: a token is what lets a paid message be followed.
            if when is None:
                state.deliveries[token] = deliveries.track(
                    token, chunk, dt_util.utcnow()
                )
            else:
                state.schedules[token] = SeenSchedule(token, when, text, len(chunk))
                deliveries.touch(state, token)
            # On disk before this slot awaits another chunk's answer: a crash then
            # keeps every accepted chunk (writes at once coalesce into one).
            await self.store.async_save()
            return token

        try:
            results = await bounded(chunks, BROADCAST_CONCURRENCY, post)
        finally:
            spending.free(state.spending, left)
        if spending.reached(state.spending, self.daily_limit, dt_util.now().date()):
            self._limit_reached(context)
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
        if deliveries.scheduled(state, schedule_id) or (
            state.settled.get(schedule_id) != "cancelled"
        ):
            self._queue(
                EVENT_SCHEDULE_STATUS,
                deliveries.settle(state, schedule_id, "cancelled"),
            )
        # else a poll that ran while the answer was on its way saw it cancelled
        # and fired its event: one change, one event.
        deliveries.touch(state, schedule_id)
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
