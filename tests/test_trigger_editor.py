"""Both editor triggers (Home Assistant 2026.10+): refused targets, and the editor's list.

Only collected where the editor's triggers exist (tests/conftest.py);
test_trigger_versions.py covers older versions. The accounts, people and helpers
shared by the tests/test_trigger_*.py files are in tests/trigger_helpers.py.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests import trigger_helpers
from tests.trigger_helpers import ANA_EVENT, contact_event_of, set_up_automation

# The shop's bot, set up (tests/trigger_helpers.py).
shop = trigger_helpers.shop


# Refused at configuration ------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "error"),
    [
        (
            {
                "trigger": "latam_messaging.message_received",
                "target": {"entity_id": "event.gone"},
            },
            "event.gone is not a LatAm Messaging contact",
        ),
        (
            {
                "trigger": "latam_messaging.message_received",
                "target": {"entity_id": ANA_EVENT},
                "options": {"contains": "  "},
            },
            "contains is empty",
        ),
        (
            {
                "trigger": "latam_messaging.delivery_failed",
                "target": {"area_id": "no_such_area"},
            },
            "area no_such_area is not a LatAm Messaging SMS recipient",
        ),
        (
            {
                "trigger": "latam_messaging.delivery_failed",
                "target": {"entity_id": ANA_EVENT},
            },
            "event.ana_messages is not a LatAm Messaging SMS recipient",
        ),
        (
            {"trigger": "latam_messaging.delivery_failed", "target": {}},
            "the target is empty",
        ),
    ],
)
async def test_a_target_that_is_not_there_or_an_empty_contains_is_refused(
    hass: HomeAssistant,
    shop: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    trigger: dict[str, Any],
    error: str,
) -> None:
    """The automation is not set up, and the log says why."""
    assert contact_event_of(hass, shop) == ANA_EVENT
    await set_up_automation(hass, trigger)

    assert error in caplog.text
    state = hass.states.get("automation.answer_the_shop")
    assert state is None or state.state == "unavailable"


# In the editor -------------------------------------------------------------------


async def test_both_triggers_are_listed_with_their_target_and_spanish_words(
    hass: HomeAssistant, shop: MockConfigEntry
) -> None:
    """The editor's list: "Mensaje recibido" with "Contiene", and "El SMS falló"."""
    from homeassistant.helpers.translation import async_get_translations  # noqa: PLC0415
    from homeassistant.helpers.trigger import async_get_all_descriptions  # noqa: PLC0415

    descriptions = await async_get_all_descriptions(hass)
    received = descriptions["latam_messaging.message_received"]
    failed = descriptions["latam_messaging.delivery_failed"]
    assert received is not None
    assert failed is not None
    assert set(received["fields"]) == {"contains"}
    assert received["target"]["entity"] == [
        {"integration": DOMAIN, "domain": ["event"]}
    ]
    assert failed["target"]["entity"] == [{"integration": DOMAIN, "domain": ["notify"]}]

    spanish = await async_get_translations(hass, "es", "triggers", [DOMAIN])
    prefix = f"component.{DOMAIN}.triggers"
    assert spanish[f"{prefix}.message_received.name"] == "Mensaje recibido"
    assert spanish[f"{prefix}.message_received.fields.contains.name"] == "Contiene"
    assert spanish[f"{prefix}.delivery_failed.name"] == "El SMS falló"
