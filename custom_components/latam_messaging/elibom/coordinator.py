"""Polls one Elibom account and follows every delivery and schedule it made."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Self

from aiohttp import ClientSession
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_URL, CONF_USERNAME, Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .. import assist, identity
from ..api import (
    ELIBOM_URL,
    AuthenticationError,
    ElibomAccount,
    ElibomClient,
    LatamMessagingError,
    NotFoundError,
)
from ..const import (
    CONF_API_TOKEN,
    CONF_LOW_CREDIT_THRESHOLD,
    CONF_PHONE_NUMBER,
    DEFAULT_ELIBOM_SCAN_INTERVAL,
    DELIVERY_POLL_CONCURRENCY,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    EVENT_SCHEDULE_STATUS,
    LOGGER,
    PROVIDER_ELIBOM,
    SUBENTRY_RECIPIENT,
    USERS_REFRESH_EVERY,
)
from ..coordinator import LatamConfigEntry, bounded, raise_auth_failure
from ..number_format import format_number
from ..validation import masked, phone_numbers, sms_text
from . import deliveries, spending, webhook
from .data import DeliveryAnswer, ElibomData
from .deliveries import schedule_seen
from .diagnostics import elibom_diagnostics
from .sending import ElibomSender
from .store import ElibomStore
from .triggers import ELIBOM_TRIGGERS

INBOUND_REMEMBERED = 200
"""Ids of received SMS kept to ignore a callback Elibom repeats."""


def recipient_name(entry: ConfigEntry[Any], number: str) -> str | None:
    """Return the name of the account's recipient with this number, if one has it."""
    for subentry in entry.subentries.values():
        if (
            subentry.subentry_type == SUBENTRY_RECIPIENT
            and subentry.data.get(CONF_PHONE_NUMBER) == number
        ):
            return subentry.title
    return None


class ElibomCoordinator(ElibomSender):
    """Polls one Elibom account and follows every delivery and schedule it made."""

    configuration_url = ELIBOM_URL
    store_type = ElibomStore
    device_triggers = ELIBOM_TRIGGERS
    platforms = (Platform.NOTIFY, Platform.SENSOR)
    assist_key_word_required = True  # anyone can forge a sender number

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
        """Connect to the entry's account with its e-mail and API password."""
        client = ElibomClient(
            session,
            entry.data[CONF_USERNAME],
            entry.data[CONF_API_TOKEN],
            url=entry.data.get(CONF_URL) or ELIBOM_URL,
            request_timeout=request_timeout,
            source=source,
        )
        return cls(hass, entry, client, ElibomStore(hass, entry.entry_id))

    @property
    def device_model(self) -> str:
        """Name the service, the same in every language."""
        return "SMS"

    def subentry_model(self, subentry: ConfigSubentry) -> str:
        """Say "SMS" and the end of the recipient's number."""
        return f"SMS {masked(str(subentry.data.get(CONF_PHONE_NUMBER, '')))}".strip()

    @classmethod
    @callback
    def async_open_inbound(cls, hass: HomeAssistant, entry: LatamConfigEntry) -> None:
        """Register the inbound-SMS webhook, which stays across reloads and retries."""
        webhook.async_listen(hass, entry)

    @classmethod
    async def async_close_inbound(
        cls, hass: HomeAssistant, entry: LatamConfigEntry, *, remove: bool
    ) -> None:
        """Unregister the webhook; a removed entry's SMS still waiting go too."""
        await webhook.async_forget(hass, entry, remove=remove)

    @callback
    def async_prepare(self) -> None:
        """Key the entry by the account's owner."""
        identity.async_key_by_owner(self.hass, self.config_entry, self.data.account)

    @callback
    def async_start_events(self) -> CALLBACK_TYPE:
        """Fire events from now on (once started), and take the SMS that waited."""
        stop = super().async_start_events()
        webhook.async_attach(self)
        return stop

    async def async_stop(self) -> None:
        """Leave inbound SMS to the inbox first: they are stored for the next set-up."""
        await webhook.async_detach(self)
        await super().async_stop()

    def diagnostics(self) -> dict[str, Any]:
        """Describe the account, its schedules and the deliveries followed."""
        return elibom_diagnostics(self.data, self.store.state)

    async def async_send_message(
        self,
        targets: list[str],
        message: str,
        title: str | None,
        sent: Callable[[list[str]], None],
    ) -> None:
        """Send one SMS (the title as its first line) to every number."""
        numbers = phone_numbers(targets, self.country_code)
        text = sms_text(message, title, plain_alphabet=self.plain_alphabet)
        await self.async_send_sms(numbers, text)
        sent(numbers)

    # The poll ---------------------------------------------------------------------

    async def _async_fetch(self) -> Callable[[], ElibomData]:
        state = self.store.state
        now = dt_util.utcnow()
        scheduled = self._scheduled
        since = state.version  # what actions change from here on, they decide
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
        interval = self.update_interval or timedelta(
            seconds=DEFAULT_ELIBOM_SCAN_INTERVAL
        )
        due = deliveries.due(state, now, interval, scheduled=scheduled)
        answers = await bounded(due, DELIVERY_POLL_CONCURRENCY, self._look_up)
        raise_auth_failure(answers)

        def commit() -> ElibomData:
            events, changed = deliveries.apply_schedules(state, listed, ended, since)
            for event in events:
                self._queue(EVENT_SCHEDULE_STATUS, event)
            for tracked, answer in zip(due, answers, strict=True):
                if isinstance(answer, LatamMessagingError):
                    LOGGER.debug("Delivery %s not checked: %s", tracked.token, answer)
                    continue
                if state.deliveries.get(tracked.token) is not tracked:
                    continue  # forgotten meanwhile
                changed = True  # at least its next due time
                if change := deliveries.apply_lookup(
                    state, tracked, answer, now, interval
                ):
                    self._queue(EVENT_DELIVERY_STATUS, change)
            if account.credits is not None and spending.note_credits(
                state.spending, account.credits, dt_util.utcnow()
            ):
                changed = True
            if changed:
                self.store.schedule_save()
            self._polls += 1
            self._active_users = active_users
            self._update_low_credit_issue(account)
            return self._snapshot(account)

        return commit

    async def _handle_refresh_interval(self, _now: datetime | None = None) -> None:
        # Told apart from other refreshes: only a scheduled poll comes a polling
        # period after the last one (see deliveries.due).
        self._scheduled = True
        try:
            await super()._handle_refresh_interval(_now)
        finally:
            self._scheduled = False

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

    # Inbound SMS -----------------------------------------------------------------

    async def async_receive_sms(
        self, sender: str, text: str, message_id: str, when: datetime
    ) -> None:
        """Report an SMS from the inbound webhook once, even if Elibom repeats it.

        It is on disk before this returns (and Elibom hears 200): while Home
        Assistant starts, the event waits in the store to be fired once started.
        """
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
                "name": recipient_name(self.config_entry, sender),
                "message": text,
                "message_id": message_id,
                "time": when.isoformat(),
            },
        )
        await self.store.async_save()  # on disk before it fires, as a cancel's event
        self.async_fire_pending()

    async def _async_send_answer(self, message: dict[str, Any], speech: str) -> None:
        await self.async_send_sms(
            [str(message["client_id"])], assist.sms_answer(speech)
        )
