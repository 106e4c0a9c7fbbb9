"""What every provider's coordinator shares: the poll in two parts, events, sends.

Every poll is in two parts: a fetch that only asks the provider (and may be cut
short by an error, a reload or a cancellation without changing anything), then a
commit that applies all answers at once, stores the result and queues the events
it makes. Queued events are fired once Home Assistant has started, so that
automations see what was found while it was starting.

The platforms, diagnostics and the classic notify service know only this base:
each provider's coordinator (in its own package) says which entities it has,
what its device is and how it sends.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, ClassVar, Self

from aiohttp import ClientSession
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import intent
from homeassistant.helpers.start import async_at_started
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from . import assist, key_word
from .api import AuthenticationError, LatamMessagingError
from .const import CONF_SCAN_INTERVAL, EVENT_MESSAGE_RECEIVED, LOGGER
from .errors import action_error, update_error
from .store import EntryStore, PendingEvent
from .triggers import DeviceTriggers

type LatamConfigEntry = ConfigEntry[LatamCoordinator[Any, Any]]
type MessageListener = Callable[[dict[str, Any], Context], None]
"""Told each message event's data and its context (the event entities share it)."""

ANSWER_WAIT = 60
"""Seconds an unload waits for Assist answers still being prepared (a slow agent)."""
INBOUND_REMEMBERED = 200
"""Ids of received SMS kept to ignore a callback Elibom repeats."""


async def bounded[ItemT, ResultT](
    items: list[ItemT], limit: int, work: Callable[[ItemT], Awaitable[ResultT]]
) -> list[ResultT]:
    """Run `work` on every item, at most `limit` at once, results in item order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(item: ItemT) -> ResultT:
        async with semaphore:
            return await work(item)

    return list(await asyncio.gather(*(one(item) for item in items)))


def raise_auth_failure(results: list[Any]) -> None:
    """Stop the whole poll before anything is committed if any answer says the key is wrong."""
    for result in results:
        if isinstance(result, AuthenticationError):
            raise result


class LatamCoordinator[DataT, StateT](DataUpdateCoordinator[DataT], ABC):
    """What every provider's coordinator shares: the poll's two parts, events, sends."""

    config_entry: LatamConfigEntry
    provider_name: str
    """Shown as the devices' manufacturer and in error messages."""
    configuration_url: str
    """The provider's site, linked from the account's device."""
    store_type: Callable[[HomeAssistant, str], EntryStore[Any]]
    """Where the account's state is kept (also to delete it with the entry)."""
    device_triggers: ClassVar[DeviceTriggers]
    """What its devices offer automations (read also while the entry is not loaded)."""
    platforms: ClassVar[tuple[Platform, ...]]
    """The platforms an entry of this provider sets up."""
    save_when_fired: ClassVar[bool] = True
    """Save as soon as queued events fired; False where the provider's coordinator
    stores its events before firing them and marks what it fires again."""
    assist_key_word_required: ClassVar[bool] = False
    """True where a sender can be forged: Assist then needs everyone's key word."""

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

    @abstractmethod
    async def _async_fetch(self) -> Callable[[], DataT]:
        """Ask the provider; return what commits the answers (nothing changes before)."""

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
        """Keep an event with the state that made it; it is fired once started.

        A message's key word is read (and removed) here, before it is stored.
        """
        if event_type == EVENT_MESSAGE_RECEIVED and (who := self._assist_person(data)):
            assist.admit(self.hass, self.store.assist, who, data)
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
                self.store.inbox.add(
                    self.config_entry, event.data, self.device_triggers.senders
                )
                who = self._assist_person(event.data)
                message_id = str(event.data["message_id"])
                if (
                    who is not None
                    and assist.may_reach(self.store.assist, who, message_id)
                    and assist.may_answer(self.hass, self.store.assist, who, message_id)
                ):
                    event.data["assist"] = True
                    answers.append((who, event.data))
            # One context for the event and the event entities' states it changes:
            # the activity view then tells each state change by the event's words.
            context = Context()
            self.hass.bus.async_fire(event.event_type, event.data, context=context)
            if event.event_type == EVENT_MESSAGE_RECEIVED:
                for listener in list(self._message_listeners):
                    listener(event.data, context)
        if self.save_when_fired:
            # On disk at once, not with the delay that gathers other changes: after
            # a kill in that delay, each start would fire them again (one repeat is
            # all spec.md allows, however many kills in a row).
            self.hass.async_create_task(
                self.store.async_save(), "latam_messaging save fired", eager_start=True
            )
        else:
            self.store.schedule_save()
        if answers:
            task = self.config_entry.async_create_background_task(
                self.hass, self._async_answer_all(answers), "latam_messaging assist"
            )
            self._answers.add(task)
            task.add_done_callback(self._answers.discard)

    def _assist_person(self, message: dict[str, Any]) -> assist.Person | None:
        return assist.person(
            self.config_entry,
            message,
            self.device_triggers.senders,
            key_word_required=self.assist_key_word_required,
        )

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
            if who.key_word:  # an agent that repeats what it was told
                speech = key_word.scrubbed(speech, who.key_word)
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
            LOGGER.warning(
                "Assist could not answer %s: %s",
                who.name,
                key_word.scrubbed(str(err), who.key_word),
            )

    @abstractmethod
    async def _async_send_answer(self, message: dict[str, Any], speech: str) -> None:
        """Send an answer back on the channel the message came from."""

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

    # What the platforms ask of a provider ------------------------------------------

    @classmethod
    @abstractmethod
    def create(
        cls,
        hass: HomeAssistant,
        entry: LatamConfigEntry,
        session: ClientSession,
        *,
        request_timeout: float,
        source: str,
    ) -> Self:
        """Make the coordinator of an entry, with its client and its store."""

    @property
    @abstractmethod
    def device_model(self) -> str:
        """Say what the account's device is (Home Assistant translates no model)."""

    @abstractmethod
    def subentry_model(self, subentry: ConfigSubentry) -> str:
        """Say what a recipient or contact is: its channel and the end of its number or id.

        Shown as the device's model, so the device page tells which number was
        saved without showing the whole of it.
        """

    @classmethod
    @callback
    def async_open_inbound(cls, hass: HomeAssistant, entry: LatamConfigEntry) -> None:
        """Start taking what the provider pushes to the entry, loaded or not (a webhook).

        Called before set-up (and for every entry when the integration starts), so
        that nothing pushed while the entry loads, retries or reloads is lost.
        """

    @classmethod
    async def async_close_inbound(
        cls, hass: HomeAssistant, entry: LatamConfigEntry, *, remove: bool
    ) -> None:
        """Stop taking it for an entry disabled or removed (`remove`: delete what waits)."""

    @callback
    def async_prepare(self) -> None:
        """Finish the set-up once the first poll is in, before devices and entities."""

    def dropped_entities(self) -> list[tuple[str, str]]:
        """Return (platform, unique id) of entities the account no longer has."""
        return []

    def diagnostics(self) -> dict[str, Any]:
        """Return what the provider adds to the diagnostics, without personal data."""
        return {}

    @abstractmethod
    async def async_send_message(
        self,
        targets: list[str],
        message: str,
        title: str | None,
        sent: Callable[[list[str]], None],
    ) -> None:
        """Send as the classic notify service does; `sent` is told whom it reached."""
