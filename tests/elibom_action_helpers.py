"""Calling Elibom's actions, shared by the tests/test_elibom_actions_*.py files.

The tests are split by action or behaviour: test_elibom_actions_send_now.py (sending
now, broadcasts), test_elibom_actions_scheduling.py (schedule_at and
cancel_scheduled_sms), test_elibom_actions_input_rules.py,
test_elibom_actions_get_delivery.py, test_elibom_actions_notify.py and
test_elibom_actions_send_failures.py; their case tables are in
tests/elibom_action_cases.py.
"""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.simulator import Simulator

PENDING = "sensor.tienda_dona_perez_unconfirmed_sms"


def sms_posts(simulator: Simulator) -> list[Any]:
    """Return every POST /messages the simulated Elibom received."""
    return simulator.requests_to("elibom", "POST", "/messages")


async def send_sms(hass: HomeAssistant, data: dict[str, Any]) -> dict[str, Any]:
    """Call send_sms and return its response."""
    response = await hass.services.async_call(
        DOMAIN, "send_sms", data, blocking=True, return_response=True
    )
    assert isinstance(response, dict)
    return response


async def refused(
    hass: HomeAssistant, simulator: Simulator, service: str, data: dict[str, Any]
) -> ServiceValidationError:
    """Call an action that must be refused before any request; return the error."""
    before = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            service,
            data,
            blocking=True,
            return_response=service != "cancel_scheduled_sms",
        )
    assert simulator.requests[before:] == []
    assert caught.value.translation_domain == DOMAIN
    return caught.value


async def send_failing(
    hass: HomeAssistant, entry: MockConfigEntry, numbers: list[str]
) -> HomeAssistantError:
    """Send an alarm to `numbers` that must fail; return the error."""
    with pytest.raises(HomeAssistantError) as caught:
        await send_sms(
            hass,
            {
                "config_entry_id": entry.entry_id,
                "to": numbers,
                "message": "Alarma: puerta abierta",
            },
        )
    return caught.value
