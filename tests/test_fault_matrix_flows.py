"""Every fault kind at each check a config, reauth or reconfigure flow makes.

The matrix is in tests/fault_cases.py, the simulator that can refuse connections and
the checks shared by the tests/test_fault_matrix_*.py files in tests/fault_checks.py.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    DOMAIN,
)
from tests import fault_checks
from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER
from tests.fault_cases import CELLS, FLOW, Failure, Point, flow_errors
from tests.fault_checks import (
    NEW_KEY,
    NEW_TOKEN,
    LeavingSimulator,
    entry_for,
    errors_logged,
    fault_was_met,
    inject,
)
from tests.helpers import ENGLISH
from tests.simulator import Simulator

# The matrix's own fixtures (tests/fault_checks.py): a simulator that can refuse
# connections, short request timeouts, and the account-users sensor turned on.
simulator = fault_checks.simulator
short_timeouts = fault_checks.short_timeouts
account_users_on = fault_checks.account_users_on


# Config flows ----------------------------------------------------------------------


async def _open_flow(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: MockConfigEntry,
    point: Point,
) -> tuple[FlowResult, dict[str, Any]]:
    """Open the flow of the point; return its form and what the user types in it."""
    elibom = point.provider == "elibom"
    if point.name == "user":
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"next_step_id": point.provider}
        )
        if elibom:
            return result, {
                CONF_USERNAME: ELIBOM_USER,
                CONF_API_TOKEN: ELIBOM_TOKEN,
                CONF_URL: simulator.elibom_url,
            }
        return result, {
            CONF_API_KEY: ALDEAMO_KEY,
            CONF_CHANNELS: ["whatsapp"],
            CONF_URL: simulator.aldeamo_url,
        }
    await setup_entry(hass, entry)
    if point.name == "reauth":
        # The secret was replaced at the provider; the user types the new one.
        if elibom:
            simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = NEW_TOKEN
        else:
            simulator.aldeamo.api_keys.clear()
            simulator.aldeamo.api_keys.add(NEW_KEY)
        typed = {CONF_API_TOKEN: NEW_TOKEN} if elibom else {CONF_API_KEY: NEW_KEY}
        return await entry.start_reauth_flow(hass), typed
    result = await entry.start_reconfigure_flow(hass)
    if elibom:
        return result, {
            CONF_USERNAME: ELIBOM_USER,
            CONF_API_TOKEN: "",
            CONF_URL: simulator.elibom_url,
        }
    return result, {
        CONF_CHANNELS: ["facebook", "whatsapp"],
        CONF_URL: simulator.aldeamo_url,
    }


@pytest.mark.parametrize(("point", "failure"), CELLS[FLOW])
async def test_a_failed_check_in_a_flow_shows_its_error_and_the_same_flow_then_finishes(
    hass: HomeAssistant,
    simulator: LeavingSimulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
    point: Point,
    failure: Failure,
) -> None:
    """The form names the problem; submitted again once the provider answers, it finishes."""
    entry = entry_for(point, elibom_entry, aldeamo_entry)
    form, user_input = await _open_flow(hass, simulator, entry, point)
    assert form["type"] is FlowResultType.FORM
    since = len(simulator.requests)
    await inject(simulator, point, failure)

    result = await hass.config_entries.flow.async_configure(form["flow_id"], user_input)
    await fault_was_met(simulator, point, failure, since)

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == form["step_id"]
    assert set(result["errors"]) == {"base"}
    assert result["errors"]["base"] in flow_errors(failure)
    assert result["errors"]["base"] in ENGLISH["config"]["error"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], user_input
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    if point.name == "user":
        assert result["type"] is FlowResultType.CREATE_ENTRY
        created = result["result"]
        assert created.state is ConfigEntryState.LOADED
    else:
        assert result["type"] is FlowResultType.ABORT
        assert result["reason"] == f"{point.name}_successful"
        assert entry.state is ConfigEntryState.LOADED
        if point.name == "reauth" and point.provider == "elibom":
            assert entry.data[CONF_API_TOKEN] == NEW_TOKEN
        elif point.name == "reauth":
            assert entry.data[CONF_API_KEY] == NEW_KEY
    assert hass.config_entries.flow.async_progress() == []
    assert errors_logged(caplog) == []
