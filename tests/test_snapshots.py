"""Shapes a user relies on: entities per platform and diagnostics, as snapshots.

The snapshots are plain JSON of what a user sees (entity ids, names, translation
keys, devices, states, attributes), so that the same files hold on the oldest and
the newest Home Assistant, whose registry objects differ.
"""

from __future__ import annotations

import json
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension
from syrupy.filters import props

from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER, WEBHOOK_ID
from tests.helpers import with_subentries
from tests.simulator import Simulator


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Keep snapshots as plain JSON files, one per test case."""
    return snapshot.use_extension(JSONSnapshotExtension)


RECIPIENT = ConfigSubentryData(
    data={"name": "Mamá", "phone_number": "573001112222"},
    subentry_id="01RECIPIENTSUBENTRY0000000",
    subentry_type="recipient",
    title="Mamá",
    unique_id="573001112222",
)
CONTACT = ConfigSubentryData(
    data={"name": "Ana", "channel": "whatsapp", "client_id": "573004445555"},
    subentry_id="01CONTACTSUBENTRY000000000",
    subentry_type="contact",
    title="Ana",
    unique_id="whatsapp:573004445555",
)


@pytest.mark.parametrize(
    ("fixture", "platform"),
    [
        ("elibom_entry", Platform.SENSOR),
        ("elibom_entry", Platform.NOTIFY),
        ("aldeamo_entry", Platform.SENSOR),
        ("aldeamo_entry", Platform.EVENT),
        ("aldeamo_entry", Platform.NOTIFY),
    ],
)
async def test_entities(
    hass: HomeAssistant,
    simulator: Simulator,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    request: pytest.FixtureRequest,
    fixture: str,
    platform: Platform,
) -> None:
    """Each platform's entities: ids, names, translation keys, states, attributes."""
    template: MockConfigEntry = request.getfixturevalue(fixture)
    entry = with_subentries(
        template, RECIPIENT if fixture == "elibom_entry" else CONTACT
    )
    simulator.aldeamo.add_user("whatsapp", "573004445555", name="Ana")
    with (
        patch("custom_components.latam_messaging.ELIBOM_PLATFORMS", [platform]),
        patch("custom_components.latam_messaging.ALDEAMO_PLATFORMS", [platform]),
    ):
        await setup_entry(hass, entry)

    assert _entities(hass, entity_registry, entry) == snapshot


def _plain(value: Any) -> Any:
    """Turn enums and other values into what JSON shows of them."""
    return json.loads(json.dumps(value, default=str))


def _entities(
    hass: HomeAssistant, entity_registry: er.EntityRegistry, entry: MockConfigEntry
) -> list[dict[str, Any]]:
    devices = dr.async_get(hass)
    shapes = []
    for entity in sorted(
        er.async_entries_for_config_entry(entity_registry, entry.entry_id),
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
            _plain(
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
        )
    assert shapes
    return shapes


async def test_elibom_diagnostics_hide_secrets_and_numbers(
    hass: HomeAssistant,
    simulator: Simulator,
    elibom_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show what is followed, without password, e-mail or numbers."""
    await setup_entry(hass, elibom_entry)
    await hass.services.async_call(
        "latam_messaging",
        "send_sms",
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": ["573001112222", "573004445555"],
            "message": "Hola",
        },
        blocking=True,
    )

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, elibom_entry
    )

    text = json.dumps(diagnostics)
    for secret in (
        ELIBOM_TOKEN,
        ELIBOM_USER,
        ELIBOM_USER.lower(),
        WEBHOOK_ID,
        "3001112222",
    ):
        assert secret not in text
    assert diagnostics["entry"]["data"]["url"] == simulator.elibom_url
    assert diagnostics == snapshot(exclude=props("sent_at", "next_due", "url"))


async def test_aldeamo_diagnostics_hide_the_key(
    hass: HomeAssistant,
    simulator: Simulator,
    aldeamo_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The API key and users' ids never appear."""
    simulator.aldeamo.add_user("whatsapp", "573004445555", name="Ana")
    await setup_entry(hass, aldeamo_entry)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, aldeamo_entry
    )

    text = json.dumps(diagnostics)
    assert ALDEAMO_KEY not in text
    assert "573004445555" not in text
    assert "Ana" not in text
    assert diagnostics["entry"]["data"]["url"] == simulator.aldeamo_url
    assert diagnostics == snapshot(exclude=props("url"))
