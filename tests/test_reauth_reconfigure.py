"""Reauthenticating and reconfiguring an account, driven as Home Assistant drives it, against the simulator."""

from __future__ import annotations

from collections.abc import AsyncGenerator

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    CONF_ACCOUNT_ID,
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    DOMAIN,
)
from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.flow_helpers import account_checks, basic_auth, suggested_value
from tests.helpers import ENGLISH
from tests.simulator import Simulator

OTHER_USER = "Otra.Tienda@Example.com"
OTHER_TOKEN = "otra-api-password-0002"
NEW_TOKEN = "elibom-api-password-0002"
NEW_KEY = "b5fd0971824f2051c61f2f8033f011bcef26132"


# Helpers --------------------------------------------------------------------------


@pytest.fixture
async def elibom_proxy(simulator: Simulator) -> AsyncGenerator[Simulator]:
    """Serve the same simulated Elibom accounts on a second loopback port."""
    proxy = Simulator(clock=simulator.clock)
    proxy.elibom = simulator.elibom
    await proxy.start()
    yield proxy
    await proxy.stop()


# Reauth ---------------------------------------------------------------------------


async def test_elibom_reauth_with_the_new_password_stores_it_and_reloads(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """The password changed at Elibom: the new one is checked, stored, and used after reload."""
    await setup_entry(hass, elibom_entry)
    simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = NEW_TOKEN

    result = await elibom_entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["account"] == ELIBOM_ACCOUNT_NAME
    simulator.requests.clear()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert elibom_entry.data[CONF_API_TOKEN] == NEW_TOKEN
    assert elibom_entry.state is ConfigEntryState.LOADED
    # Reloaded once (one first refresh, listing schedules), with the new password.
    listings = simulator.requests_to("elibom", "GET", "/schedules/scheduled")
    assert [r.header("Authorization") for r in listings] == [
        basic_auth(ELIBOM_USER, NEW_TOKEN)
    ]


async def test_elibom_reauth_with_a_wrong_password_shows_invalid_auth(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """A refused password leaves the stored one as it was."""
    await setup_entry(hass, elibom_entry)

    result = await elibom_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: "not-the-password"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["errors"] == {"base": "invalid_auth"}
    assert elibom_entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN
    assert account_checks(simulator)[-1].header("Authorization") == basic_auth(
        ELIBOM_USER, "not-the-password"
    )


async def test_elibom_reauth_with_credentials_of_another_account_aborts_wrong_account(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """The e-mail now opens a different Elibom account: the entry is not switched to it."""
    elibom_entry.add_to_hass(hass)
    simulator.elibom.add_account(ELIBOM_USER, NEW_TOKEN, name="Otra cuenta")

    result = await elibom_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert elibom_entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN
    assert elibom_entry.title == ELIBOM_ACCOUNT_NAME


async def test_elibom_401_at_setup_starts_reauth_by_itself_and_finishing_it_loads_the_entry(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Nobody has to look for the problem: the reauth flow is waiting in the UI."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = NEW_TOKEN

    await setup_entry(hass, elibom_entry)

    assert elibom_entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == elibom_entry.entry_id
    assert flow["step_id"] == "reauth_confirm"

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert elibom_entry.data[CONF_API_TOKEN] == NEW_TOKEN
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert hass.config_entries.flow.async_progress() == []


async def test_aldeamo_401_at_setup_starts_reauth_which_refuses_a_wrong_key_and_takes_the_new_one(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """The key was replaced at Aldeamo: reauth asks for it, checks it, stores it, reloads."""
    simulator.aldeamo.api_keys.clear()
    simulator.aldeamo.api_keys.add(NEW_KEY)
    unique_id = aldeamo_entry.unique_id

    await setup_entry(hass, aldeamo_entry)

    assert aldeamo_entry.state is ConfigEntryState.SETUP_ERROR
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH
    assert flow["context"]["entry_id"] == aldeamo_entry.entry_id

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_KEY: ALDEAMO_KEY}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}

    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert aldeamo_entry.data[CONF_API_KEY] == NEW_KEY
    # The key is the account's only identity: the entry keeps the digest it had.
    assert aldeamo_entry.unique_id == unique_id
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    assert simulator.requests_to("aldeamo", "GET", "/users")[-1].header("auth") == (
        NEW_KEY
    )


# Reconfigure ----------------------------------------------------------------------


async def test_elibom_reconfigure_moves_to_another_url_and_an_empty_password_keeps_the_old_one(
    hass: HomeAssistant,
    simulator: Simulator,
    elibom_proxy: Simulator,
    elibom_entry: MockConfigEntry,
) -> None:
    """The form shows the current values but never the password; leaving it empty keeps it."""
    await setup_entry(hass, elibom_entry)

    result = await elibom_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested_value(result, CONF_USERNAME) == ELIBOM_USER
    assert suggested_value(result, CONF_URL) == simulator.elibom_url
    assert not suggested_value(result, CONF_API_TOKEN)

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: ELIBOM_USER,
            CONF_API_TOKEN: "",
            CONF_URL: elibom_proxy.elibom_url,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert elibom_entry.data[CONF_URL] == elibom_proxy.elibom_url
    assert elibom_entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN
    assert elibom_entry.state is ConfigEntryState.LOADED
    # Checked at the new address with the kept password, then polled from there.
    check = elibom_proxy.requests_to("elibom", "GET", "/account")[0]
    assert check.header("Authorization") == basic_auth(ELIBOM_USER, ELIBOM_TOKEN)
    assert len(elibom_proxy.requests_to("elibom", "GET", "/schedules/scheduled")) == 1


async def test_elibom_reconfigure_to_another_user_of_the_same_account_keeps_the_unique_id(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """A second user of the same account (same owner) may replace the first one."""
    account = simulator.elibom.accounts[ELIBOM_USER.lower()]
    simulator.elibom.accounts[OTHER_USER.lower()] = account
    await setup_entry(hass, elibom_entry)

    result = await elibom_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: OTHER_USER,
            CONF_API_TOKEN: ELIBOM_TOKEN,
            CONF_URL: simulator.elibom_url,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert elibom_entry.data[CONF_USERNAME] == OTHER_USER
    assert elibom_entry.unique_id == str(account.owner_id)
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert account_checks(simulator)[-1].header("Authorization") == basic_auth(
        OTHER_USER, ELIBOM_TOKEN
    )


async def test_elibom_reconfigure_with_a_user_of_another_account_aborts_wrong_account(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Another account must be added as its own entry; this one stays as it was."""
    simulator.elibom.add_account(OTHER_USER, OTHER_TOKEN, name="Otra Tienda")
    await setup_entry(hass, elibom_entry)

    result = await elibom_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: OTHER_USER,
            CONF_API_TOKEN: OTHER_TOKEN,
            CONF_URL: simulator.elibom_url,
        },
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert elibom_entry.data[CONF_USERNAME] == ELIBOM_USER
    assert elibom_entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN
    assert elibom_entry.unique_id == elibom_entry.data[CONF_ACCOUNT_ID]
    assert ENGLISH["config"]["abort"]["wrong_account"]


async def test_elibom_reconfigure_with_a_wrong_new_password_shows_invalid_auth(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """A new password is checked before it replaces the stored one."""
    await setup_entry(hass, elibom_entry)

    result = await elibom_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: ELIBOM_USER,
            CONF_API_TOKEN: "not-the-password",
            CONF_URL: simulator.elibom_url,
        },
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert elibom_entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN


async def test_aldeamo_reconfigure_channels_brings_the_new_channels_entities_after_reload(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Following web chat instead of Facebook: its entities appear, Facebook's go."""
    await setup_entry(hass, aldeamo_entry)
    registry = er.async_get(hass)
    web_users = f"{aldeamo_entry.entry_id}_users_web"
    web_events = f"{aldeamo_entry.entry_id}_messages_web"
    facebook = {
        "sensor": f"{aldeamo_entry.entry_id}_users_facebook",
        "event": f"{aldeamo_entry.entry_id}_messages_facebook",
    }
    assert registry.async_get_entity_id("sensor", DOMAIN, web_users) is None
    facebook_ids = [
        registry.async_get_entity_id(platform, DOMAIN, unique_id)
        for platform, unique_id in facebook.items()
    ]
    assert all(facebook_ids)
    assert all(hass.states.get(str(entity_id)) for entity_id in facebook_ids)

    result = await aldeamo_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert suggested_value(result, CONF_CHANNELS) == ["facebook", "whatsapp"]
    simulator.requests.clear()

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_CHANNELS: ["whatsapp", "web"], CONF_URL: simulator.aldeamo_url},
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert aldeamo_entry.data[CONF_CHANNELS] == ["web", "whatsapp"]
    assert aldeamo_entry.data[CONF_API_KEY] == ALDEAMO_KEY
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    assert registry.async_get_entity_id("sensor", DOMAIN, web_users) is not None
    assert registry.async_get_entity_id("event", DOMAIN, web_events) is not None
    # Facebook is no longer listened to: its entities leave the registry and the UI.
    for platform, unique_id in facebook.items():
        assert registry.async_get_entity_id(platform, DOMAIN, unique_id) is None
    assert [hass.states.get(str(entity_id)) for entity_id in facebook_ids] == [
        None,
        None,
    ]
    channels = {r.query["channel"] for r in simulator.requests_to("aldeamo", "GET")}
    assert channels == {"web", "whatsapp"}


async def test_aldeamo_reconfigure_without_a_channel_shows_no_channels(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """The entry keeps its channels when none is chosen."""
    await setup_entry(hass, aldeamo_entry)

    result = await aldeamo_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_CHANNELS: [], CONF_URL: simulator.aldeamo_url}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_CHANNELS: "no_channels"}
    assert aldeamo_entry.data[CONF_CHANNELS] == ["facebook", "whatsapp"]
