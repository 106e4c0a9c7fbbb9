"""Elibom's get_delivery action: a delivery and each message's fate, against the simulator."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.elibom_action_helpers import send_sms
from tests.simulator import Simulator

# get_delivery -------------------------------------------------------------------------


async def test_get_delivery_returns_the_delivery_and_each_message(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The response has the token, status, counts and every message's fate."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await setup_entry(hass, elibom_entry)
    response = await send_sms(
        hass,
        {
            "config_entry_id": elibom_entry.entry_id,
            "to": ["573001112222", "573009990000"],
            "message": "Hola",
        },
    )
    (token,) = response["delivery_tokens"]
    simulator.advance(60)
    sim_delivery = simulator.elibom.deliveries[token]
    sent_moment = (sim_delivery.created_at + simulator.elibom.finished_after).replace(
        microsecond=0
    )

    delivery = await hass.services.async_call(
        DOMAIN,
        "get_delivery",
        {"config_entry_id": elibom_entry.entry_id, "delivery_token": token},
        blocking=True,
        return_response=True,
    )

    assert delivery is not None
    sent, failed = delivery.pop("messages")
    assert delivery == {
        "delivery_token": token,
        "status": "finished",
        "num_sent": 1,
        "num_failed": 1,
    }
    sent_at = sent.pop("sent_at")
    assert sent == {
        "to": "573001112222",
        "status": "sent",
        "status_detail": "sent",
        "operator": "Claro (Colombia)",
        "credits": simulator.elibom.accounts["tienda@example.com"].price_per_sms,
    }
    assert dt_util.parse_datetime(sent_at) == sent_moment
    assert failed == {
        "to": "573009990000",
        "status": "failed",
        "status_detail": "invalid_destination",
        "operator": "Claro (Colombia)",
        "credits": 0.0,
        "sent_at": None,
    }
    assert len(simulator.requests_to("elibom", "GET", f"/messages/{token}")) == 1


async def test_get_delivery_of_an_unknown_token_says_it_was_not_found(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Elibom's 404 becomes delivery_not_found naming the token."""
    await setup_entry(hass, elibom_entry)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            DOMAIN,
            "get_delivery",
            {
                "config_entry_id": elibom_entry.entry_id,
                "delivery_token": "1857000000000000999",
            },
            blocking=True,
            return_response=True,
        )

    assert caught.value.translation_key == "delivery_not_found"
    assert "1857000000000000999" in str(caught.value)
    assert (
        len(simulator.requests_to("elibom", "GET", "/messages/1857000000000000999"))
        == 1
    )
