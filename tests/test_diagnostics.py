"""Diagnostics: what is followed, with every secret, e-mail and number hidden."""

from __future__ import annotations

import json

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER, WEBHOOK_ID
from tests.simulator import Simulator


@pytest.fixture
def config_entry(
    request: pytest.FixtureRequest, provider: str, simulator: Simulator
) -> MockConfigEntry:
    """Return the account without recipients or contacts; Ana wrote to the bot."""
    simulator.aldeamo.add_user("whatsapp", "573004445555", name="Ana")
    entry: MockConfigEntry = request.getfixturevalue(f"{provider}_entry")
    return entry


async def test_elibom_diagnostics_hide_secrets_and_numbers(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """Diagnostics show what is followed, without password, e-mail or numbers."""
    await hass.services.async_call(
        "latam_messaging",
        "send_sms",
        {
            "config_entry_id": init_integration.entry_id,
            "to": ["573001112222", "573004445555"],
            "message": "Hola",
        },
        blocking=True,
    )

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
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


@pytest.mark.parametrize("provider", ["aldeamo"])
async def test_aldeamo_diagnostics_hide_the_key(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    snapshot: SnapshotAssertion,
) -> None:
    """The API key and users' ids never appear."""
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )

    text = json.dumps(diagnostics)
    assert ALDEAMO_KEY not in text
    assert "573004445555" not in text
    assert "Ana" not in text
    assert diagnostics["entry"]["data"]["url"] == simulator.aldeamo_url
    assert diagnostics == snapshot(exclude=props("url"))
