"""Sending, scheduling and cancelling Elibom SMS, and looking deliveries up.

The polling of the same account is in `coordinator.py`, on top of this.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from ..api import (
    ConflictError,
    ElibomAccount,
    ElibomClient,
    LatamMessagingError,
    NotFoundError,
)
from ..const import (
    BROADCAST_CHUNK_SIZE,
    BROADCAST_CONCURRENCY,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_PLAIN_ALPHABET,
    DEFAULT_COUNTRY_CODE,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DEFAULT_PLAIN_ALPHABET,
    DOMAIN,
    EVENT_SCHEDULE_STATUS,
)
from ..coordinator import LatamConfigEntry, LatamCoordinator, bounded
from ..errors import validation_error
from . import deliveries
from .data import ElibomData
from .deliveries import SeenSchedule
from .store import ElibomStore


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

    # Actions -----------------------------------------------------------------

    async def async_send_sms(
        self, numbers: list[str], text: str, when: datetime | None = None
    ) -> list[str]:
        """Send or schedule, one request per chunk of numbers; never repeated.

        Returns the delivery tokens (or schedule ids). Every accepted chunk is
        tracked and written to disk as soon as it is accepted, also when another
        chunk failed or the caller was cancelled meanwhile.
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
                    token, chunk, dt_util.utcnow()
                )
            else:
                state.schedules[token] = SeenSchedule(token, when, text, len(chunk))
                deliveries.touch(state, token)
            # On disk before this slot awaits another chunk's answer: a crash then
            # keeps every accepted chunk (writes at once coalesce into one).
            await self.store.async_save()
            return token

        results = await bounded(chunks, BROADCAST_CONCURRENCY, post)
        if any(not isinstance(r, LatamMessagingError) for r in results):
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
