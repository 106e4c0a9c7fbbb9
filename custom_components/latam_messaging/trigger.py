"""The automation editor's own triggers: "Message received" and "SMS failed".

Home Assistant 2026.10 and newer list purpose-made triggers by target (a person's
entity or device, an area, a label). Both triggers here listen to the
integration's own bus events, so they fire exactly when those events fire, with
the same once-only guarantees through start-up, reloads and restarts. The
trigger API is young (it changed between 2026.5 and 2026.10): all of it is used
in this file alone. On older versions (a labs preview with another API) no
trigger is offered and the device triggers stay as they are.

A target is resolved again at each event, so a person added to an area later,
or removed, counts from then on; one that does not exist when the automation is
configured is refused then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
import unicodedata

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import (
    ATTR_AREA_ID,
    ATTR_FLOOR_ID,
    ATTR_LABEL_ID,
    CONF_OPTIONS,
    CONF_TARGET,
    MAJOR_VERSION,
    MINOR_VERSION,
)
from homeassistant.core import CALLBACK_TYPE, Event, HomeAssistant, callback
from homeassistant.helpers import (
    area_registry as ar,
    config_validation as cv,
    entity_registry as er,
    floor_registry as fr,
    label_registry as lr,
)
from homeassistant.helpers.target import (
    TargetSelection,
    async_extract_referenced_entity_ids,
)
from homeassistant.helpers.trigger import Trigger, TriggerActionRunner, TriggerConfig
from homeassistant.helpers.typing import ConfigType
import voluptuous as vol

from .const import (
    CONF_PHONE_NUMBER,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
)
from .device_trigger import device_owner
from .elibom.coordinator import recipient_name
from .providers import provider_of

OFFERED: Final = (MAJOR_VERSION, MINOR_VERSION) >= (2026, 10)
"""Whether this Home Assistant has the trigger API this module is written for."""

CONF_CONTAINS: Final = "contains"
CHANNEL_EVENT_KEY: Final = "_messages_"
"""An account's channel event entity has the unique id `<entry>_messages_<channel>`."""
FAILED_STATES: Final = frozenset({"failed", "expired"})
ENDED_STATES: Final = frozenset({"finished", "failed", "expired"})

type Match = dict[str, str]
"""Event data that must all be there, as given, for an event to be about a target."""


def folded(text: str) -> str:
    """Return the text without case or accents: "PÉDIDO" and "pedido" read alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _digits(number: str) -> str:
    return "".join(c for c in number if c.isdigit())


def _contains(value: Any) -> str:
    text = cv.string(value)
    if not text.strip():
        raise vol.Invalid("contains is empty: leave it out to match every message")
    return text


def _about(data: Mapping[str, Any], matches: Iterable[Match]) -> bool:
    return any(
        all(data.get(key) == value for key, value in match.items()) for match in matches
    )


@dataclass(frozen=True, slots=True)
class _Kind:
    """What a trigger's target may be, and the event data each target stands for."""

    what: str
    """Named in the error when a target is not one of these."""
    entity_domain: str
    person: Callable[[ConfigEntry[Any], ConfigSubentry], Match | None]
    account: Callable[[ConfigEntry[Any]], bool]
    channels: bool
    """Whether an account's channel event entity is a target."""


def _writer(entry: ConfigEntry[Any], subentry: ConfigSubentry) -> Match | None:
    sender = provider_of(entry).device_triggers.senders.get(subentry.subentry_type)
    if sender is None:
        return None
    return {"config_entry_id": entry.entry_id, **sender(subentry.data)}


def _number(entry: ConfigEntry[Any], subentry: ConfigSubentry) -> Match | None:
    number = subentry.data.get(CONF_PHONE_NUMBER)
    if number is None:
        return None
    return {"config_entry_id": entry.entry_id, "to": _digits(str(number))}


def _sends_sms(entry: ConfigEntry[Any]) -> bool:
    return any(
        trigger.event_type == EVENT_DELIVERY_STATUS
        for trigger in provider_of(entry).device_triggers.account
    )


MESSAGES = _Kind(
    what="a LatAm Messaging contact, recipient or channel (their message event"
    " entity or device) or account device",
    entity_domain="event",
    person=_writer,
    account=lambda entry: True,
    channels=True,
)
DELIVERIES = _Kind(
    what="a LatAm Messaging SMS recipient (their notify entity or device) or an"
    " SMS account's device",
    entity_domain="notify",
    person=_number,
    account=_sends_sms,
    channels=False,
)


def _entity_match(
    hass: HomeAssistant, kind: _Kind, entity_id: str, *, direct: bool
) -> Match | None:
    """Return what an entity of ours stands for; None if nothing (or not ours)."""
    entity = er.async_get(hass).async_get(entity_id)
    if entity is None or entity.platform != DOMAIN or entity.config_entry_id is None:
        return None
    if direct and entity.domain != kind.entity_domain:
        return None
    entry = hass.config_entries.async_get_entry(entity.config_entry_id)
    if entry is None:
        return None
    if entity.config_subentry_id is not None:
        subentry = entry.subentries.get(entity.config_subentry_id)
        return kind.person(entry, subentry) if subentry is not None else None
    prefix = f"{entry.entry_id}{CHANNEL_EVENT_KEY}"
    if (
        kind.channels
        and entity.domain == "event"
        and entity.unique_id.startswith(prefix)
    ):
        return {
            "config_entry_id": entry.entry_id,
            "channel": entity.unique_id.removeprefix(prefix),
        }
    return None


def _device_match(hass: HomeAssistant, kind: _Kind, device_id: str) -> Match | None:
    owner = device_owner(hass, device_id)
    if owner is None:
        return None
    entry, subentry = owner
    if subentry is not None:
        return kind.person(entry, subentry)
    return {"config_entry_id": entry.entry_id} if kind.account(entry) else None


def _matches(hass: HomeAssistant, kind: _Kind, target: ConfigType) -> list[Match]:
    """Return what the target stands for now: its people, channels and accounts."""
    selected = async_extract_referenced_entity_ids(hass, TargetSelection(target))
    found = [
        _entity_match(hass, kind, entity_id, direct=True)
        for entity_id in selected.referenced
    ]
    found += [
        _entity_match(hass, kind, entity_id, direct=False)
        for entity_id in selected.indirectly_referenced
    ]
    found += [
        _device_match(hass, kind, device_id)
        for device_id in selected.referenced_devices
    ]
    return [match for match in found if match is not None]


def _check_target(hass: HomeAssistant, kind: _Kind, target: ConfigType) -> None:
    """Refuse a target that names nothing, or something that is not (or no longer) there."""
    selection = TargetSelection(target)
    if not selection.has_any_target:
        raise vol.Invalid(f"the target is empty: choose {kind.what}")
    wrong = [
        entity_id
        for entity_id in sorted(selection.entity_ids)
        if _entity_match(hass, kind, entity_id, direct=True) is None
    ] + [
        f"device {device_id}"
        for device_id in sorted(selection.device_ids)
        if _device_match(hass, kind, device_id) is None
    ]
    for key, known in (
        (ATTR_AREA_ID, ar.async_get(hass).areas),
        (ATTR_FLOOR_ID, fr.async_get(hass).floors),
        (ATTR_LABEL_ID, lr.async_get(hass).labels),
    ):
        wrong += [
            f"{key.removesuffix('_id')} {item}"
            for item in sorted(getattr(selection, f"{key}s"))
            if item not in known
        ]
    if wrong:
        raise vol.Invalid(f"{', '.join(wrong)} is not {kind.what}, or no longer exists")


class _LatamTrigger(Trigger):
    """A trigger on one of the integration's bus events, narrowed to its target."""

    _kind: _Kind
    _options_schema: vol.Schema

    @classmethod
    async def async_validate_config(
        cls, hass: HomeAssistant, config: ConfigType
    ) -> ConfigType:
        """Check the options, and that the target names what this trigger is about."""
        config = vol.Schema(
            {
                vol.Required(CONF_TARGET): cv.TARGET_FIELDS,
                vol.Optional(CONF_OPTIONS, default={}): cls._options_schema,
            }
        )(config)
        _check_target(hass, cls._kind, config[CONF_TARGET])
        return config

    def __init__(self, hass: HomeAssistant, config: TriggerConfig) -> None:
        """Keep the target and the options."""
        super().__init__(hass, config)
        self._target: ConfigType = config.target or {}
        self._options: ConfigType = config.options or {}


class MessageReceivedTrigger(_LatamTrigger):
    """Someone the target stands for wrote; optionally, a text with these words."""

    _kind = MESSAGES
    _options_schema = vol.Schema({vol.Optional(CONF_CONTAINS): _contains})

    async def async_attach_runner(
        self, run_action: TriggerActionRunner, did_not_trigger: object = None
    ) -> CALLBACK_TYPE:
        """Run the action for each message event about the target."""
        contains = self._options.get(CONF_CONTAINS)
        wanted = folded(contains) if contains else None

        @callback
        def received(event: Event[dict[str, Any]]) -> None:
            data = event.data
            if not _about(data, _matches(self._hass, self._kind, self._target)):
                return
            if wanted is not None and wanted not in folded(str(data.get("message"))):
                return
            who = data.get("name") or data.get("client_id")
            run_action(
                {
                    key: data.get(key)
                    for key in (
                        "config_entry_id",
                        "provider",
                        "channel",
                        "client_id",
                        "name",
                        "message",
                        "message_id",
                        "time",
                    )
                },
                f"message from {who}",
                event.context,
            )

        return self._hass.bus.async_listen(EVENT_MESSAGE_RECEIVED, received)


def failed_sms(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Return the SMS of a delivery event that ended failed or expired, one per number.

    A delivery that ends `finished` may still hold a failed SMS; one that ends
    `failed` without messages, or `expired`, failed for every number it went to.
    """
    status = data.get("status")
    if status not in ENDED_STATES:
        return []
    messages = [m for m in data.get("messages") or () if isinstance(m, Mapping)]
    if status != "expired" and messages:
        return [
            {
                "to": _digits(str(m.get("to"))),
                "status": "failed",
                "status_detail": m.get("status_detail"),
            }
            for m in messages
            if m.get("status") == "failed"
        ]
    if status not in FAILED_STATES:
        return []
    return [
        {"to": _digits(str(number)), "status": status, "status_detail": None}
        for number in data.get("to") or ()
    ]


class DeliveryFailedTrigger(_LatamTrigger):
    """A tracked SMS to a number the target stands for ended failed or expired."""

    _kind = DELIVERIES
    _options_schema = vol.Schema({})

    async def async_attach_runner(
        self, run_action: TriggerActionRunner, did_not_trigger: object = None
    ) -> CALLBACK_TYPE:
        """Run the action once for each such SMS."""

        @callback
        def ended(event: Event[dict[str, Any]]) -> None:
            failed = failed_sms(event.data)
            if not failed:
                return
            matches = _matches(self._hass, self._kind, self._target)
            entry_id = event.data.get("config_entry_id")
            for sms in failed:
                if not _about({"config_entry_id": entry_id, **sms}, matches):
                    continue
                run_action(
                    {
                        "config_entry_id": entry_id,
                        "delivery_token": event.data.get("delivery_token"),
                        **sms,
                        "name": self._name(entry_id, sms["to"]),
                    },
                    f"SMS {sms['status']}",
                    event.context,
                )

        return self._hass.bus.async_listen(EVENT_DELIVERY_STATUS, ended)

    def _name(self, entry_id: Any, number: str) -> str | None:
        """Return the recipient's name for a number, if the account has one."""
        entry = self._hass.config_entries.async_get_entry(str(entry_id))
        return recipient_name(entry, number) if entry else None


TRIGGERS: Final[dict[str, type[Trigger]]] = {
    "message_received": MessageReceivedTrigger,
    "delivery_failed": DeliveryFailedTrigger,
}


async def async_get_triggers(hass: HomeAssistant) -> dict[str, type[Trigger]]:
    """Return the integration's triggers; none before Home Assistant 2026.10."""
    return dict(TRIGGERS) if OFFERED else {}
