"""Elibom's send_sms when the provider fails: refused, rate limited, lost or unreachable."""

from __future__ import annotations

from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import setup_entry
from tests.elibom_action_cases import GOOD, LOST_ANSWERS
from tests.elibom_action_helpers import PENDING, send_failing, sms_posts
from tests.helpers import state_of
from tests.simulator import FaultKind, Simulator

# Provider failures while sending ------------------------------------------------------


async def test_a_401_while_sending_fails_and_starts_reauthentication(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Refused credentials: auth_failed, a reauth flow, and no second POST."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.STATUS, status=401, method="POST", path="/messages")

    err = await send_failing(hass, elibom_entry, [GOOD])
    await hass.async_block_till_done()

    assert err.translation_key == "auth_failed"
    assert len(sms_posts(simulator)) == 1
    flows = list(elibom_entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(flows) == 1
    assert state_of(hass, PENDING) == "0"


async def test_a_400_while_sending_shows_the_providers_description(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Elibom's own explanation reaches the caller."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.STATUS, status=400, method="POST", path="/messages")

    err = await send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "provider_refused"
    assert "Error simulado: bad_request" in str(err)
    assert len(sms_posts(simulator)) == 1
    assert state_of(hass, PENDING) == "0"


async def test_a_429_while_sending_asks_to_slow_down_without_repeating(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Rate limited: rate_limited, and the send is not tried again."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.STATUS, status=429, method="POST", path="/messages")

    err = await send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "rate_limited"
    assert len(sms_posts(simulator)) == 1
    assert state_of(hass, PENDING) == "0"


@pytest.mark.parametrize(("kind", "status"), LOST_ANSWERS)
async def test_a_lost_answer_while_sending_reports_an_unknown_outcome_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    kind: FaultKind,
    status: int,
) -> None:
    """Server errors and unreadable or missing answers: outcome unknown, one POST only."""
    await setup_entry(hass, elibom_entry)
    simulator.fail_next(kind, status=status, method="POST", path="/messages")

    err = await send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "send_outcome_unknown"
    assert len(sms_posts(simulator)) == 1


async def test_a_timeout_while_sending_reports_an_unknown_outcome_once(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """No answer in time: the SMS may have gone out, so it is not sent again."""
    with patch("custom_components.latam_messaging.REQUEST_TIMEOUT", 0.3):
        await setup_entry(hass, elibom_entry)
    simulator.fail_next(FaultKind.DELAY, delay=2, method="POST", path="/messages")

    err = await send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "send_outcome_unknown"
    assert len(sms_posts(simulator)) == 1
    assert len(simulator.elibom.deliveries) == 1  # the provider did take it


async def test_a_provider_that_cannot_be_reached_reports_cannot_connect(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Connection refused: nothing can have been sent, and the error says so."""
    await setup_entry(hass, elibom_entry)
    await simulator.stop()

    err = await send_failing(hass, elibom_entry, [GOOD])

    assert err.translation_key == "cannot_connect"
    assert sms_posts(simulator) == []
    assert state_of(hass, PENDING) == "0"
