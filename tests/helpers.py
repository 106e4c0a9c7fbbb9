"""Small helpers the integration tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.latam_messaging.const import DOMAIN
from tests.simulator import Simulator

KITCHEN_LIGHT = "input_boolean.kitchen_light"
"""The one entity the Assist tests expose to Home Assistant's own agent."""

ENGLISH = json.loads(
    (
        Path(__file__).resolve().parent.parent
        / "custom_components"
        / DOMAIN
        / "translations"
        / "en.json"
    ).read_text(encoding="utf-8")
)


def listen(hass: HomeAssistant, event_type: str) -> list[dict[str, Any]]:
    """Collect the data of every event of a type, in the order fired."""
    seen: list[dict[str, Any]] = []

    @callback  # run in the event loop, in order (not in the executor)
    def record(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(event_type, record)
    return seen


def state_of(hass: HomeAssistant, entity_id: str) -> str:
    """Return an entity's state, which must exist."""
    state = hass.states.get(entity_id)
    assert state is not None, entity_id
    return state.state


def assert_translated(err: HomeAssistantError, key: str | None = None) -> None:
    """Assert the error has a key of en.json (this one, if given) and reads as its text."""
    assert err.translation_domain == DOMAIN
    assert err.translation_key in ENGLISH["exceptions"]
    if key is not None:
        assert err.translation_key == key
    # Home Assistant drops the final full stop of translated exception messages.
    template = ENGLISH["exceptions"][err.translation_key]["message"].rstrip(".")
    assert str(err) == template.format(**(err.translation_placeholders or {}))


def enable_before_set_up(
    hass: HomeAssistant, entry: MockConfigEntry, platform: str, key: str
) -> str:
    """Register an entity disabled by default as a user who turned it on; return its id.

    Set-up then finds it in the registry, enabled, as Home Assistant would after the
    user enabled it.
    """
    return (
        er.async_get(hass)
        .async_get_or_create(
            platform,
            DOMAIN,
            f"{entry.entry_id}_{key}",
            suggested_object_id=f"{slugify(entry.title)}_{key}",
        )
        .entity_id
    )


def with_subentries(
    entry: MockConfigEntry, *subentries: ConfigSubentryData
) -> MockConfigEntry:
    """Return a copy of an entry (same id, title, data) that has these subentries."""
    return MockConfigEntry(
        domain=entry.domain,
        entry_id=entry.entry_id,
        title=entry.title,
        unique_id=entry.unique_id,
        minor_version=entry.minor_version,
        data=dict(entry.data),
        subentries_data=list(subentries),
    )


def notify_entity_of(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the entity id of the notify entity of the entry's only subentry."""
    (subentry_id,) = entry.subentries
    entity_id = er.async_get(hass).async_get_entity_id(
        "notify", DOMAIN, f"{entry.entry_id}_{subentry_id}"
    )
    assert entity_id is not None
    return entity_id


def device_of(
    hass: HomeAssistant, entry: MockConfigEntry, identifier: str
) -> dr.DeviceEntry:
    """Return the entry's device with this identifier.

    Goes through the entry's devices rather than ``async_get_device(identifiers=...)``
    or the registry's mapping, which newer Home Assistant refuses (identifiers are
    unique per config entry there) and older one has no replacement for.
    """
    found = [
        device
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        if (DOMAIN, identifier) in device.identifiers
    ]
    assert len(found) == 1, found
    return found[0]


async def assist_home(hass: HomeAssistant) -> None:
    """Assist with Home Assistant's own agent and one entity exposed to it."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {"kitchen_light": {"name": "Kitchen light"}}},
    )
    async_expose_entity(hass, "conversation", KITCHEN_LIGHT, True)
    await hass.async_block_till_done()


def bot_answers_to(simulator: Simulator, client_id: str) -> list[str]:
    """Return the bot messages sent to one user, in order, as they went out."""
    return [
        str(request.form["msg"])
        for request in simulator.requests_to("aldeamo", "POST", "/messages")
        if request.form["client_id"] == client_id
    ]


KEY_WORD = "Girasol"
"""The key word of the recipient `with_assist_recipient` gives an entry."""


def with_assist_recipient(
    entry: MockConfigEntry, name: str, number: str, key_word: str | None = KEY_WORD
) -> MockConfigEntry:
    """Give an Elibom entry a recipient who may talk to Assist (with a key word)."""
    pin = {} if key_word is None else {"assist_pin": key_word}
    return with_subentries(
        entry,
        ConfigSubentryData(
            data={"name": name, "phone_number": number, "assist": True, **pin},
            subentry_type="recipient",
            title=name,
            unique_id=number,
        ),
    )


def snapshot_platform(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    config_entry_id: str,
) -> None:
    """Compare every entity of an entry, with its device and state, to the snapshot.

    Core's helper of the same name snapshots registry objects, whose fields differ
    between the Home Assistant versions we support; this one snapshots plain JSON
    of what a user sees: ids, names, translation keys, devices, states, attributes.
    """
    devices = dr.async_get(hass)
    shapes = []
    for entity in sorted(
        er.async_entries_for_config_entry(entity_registry, config_entry_id),
        key=lambda e: e.entity_id,
    ):
        device = devices.async_get(entity.device_id) if entity.device_id else None
        via = (
            devices.async_get(device.via_device_id)
            if device and device.via_device_id
            else None
        )
        state = hass.states.get(entity.entity_id)
        # Only an entity disabled by default has no state.
        assert (state is None) is (entity.disabled_by is not None), entity.entity_id
        shapes.append(
            {
                "entity_id": entity.entity_id,
                "unique_id": entity.unique_id,
                "translation_key": entity.translation_key,
                "original_name": entity.original_name,
                "has_entity_name": entity.has_entity_name,
                "entity_category": entity.entity_category,
                "device_class": entity.original_device_class,
                "capabilities": entity.capabilities,
                "supported_features": entity.supported_features,
                "device": device
                and {
                    "name": device.name,
                    "manufacturer": device.manufacturer,
                    "model": device.model,
                    "entry_type": device.entry_type,
                    "via": via.name if via else None,
                },
                "disabled_by": entity.disabled_by,
                "state": state and state.state,
                "attributes": state and dict(state.attributes),
            }
        )
    assert shapes, "the entry has no entity on the platforms set up"
    # Through JSON, so enums and datetimes read as a user's YAML would show them.
    assert json.loads(json.dumps(shapes, default=str)) == snapshot
