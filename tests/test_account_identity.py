"""Which account an entry is: Elibom by its owner (with the 1.1 → 1.2 migration), Aldeamo by key."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import SOURCE_REAUTH, SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_URL, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    CONF_ACCOUNT_ID,
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    CONF_PROVIDER,
    DOMAIN,
)
from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.helpers import ENGLISH
from tests.simulator import Simulator

SECOND_USER = "Caja@Example.com"
SECOND_TOKEN = ELIBOM_TOKEN
"""The second user shares the account object of the simulator, and its password."""
NEW_TOKEN = "elibom-api-password-0002"
NEW_KEY = "b5fd0971824f2051c61f2f8033f011bcef26132"


def _owner(simulator: Simulator) -> str:
    return str(simulator.elibom.accounts[ELIBOM_USER.lower()].owner_id)


def _legacy_elibom(
    simulator: Simulator,
    *,
    entry_id: str = "01ELIBOMLEGACY000000000000",
    user: str = ELIBOM_USER,
    token: str = ELIBOM_TOKEN,
    owner_stored: bool = True,
    title: str = ELIBOM_ACCOUNT_NAME,
) -> MockConfigEntry:
    """Return an Elibom entry as version 1.1 made it: keyed by the e-mail."""
    data: dict[str, Any] = {
        CONF_PROVIDER: "elibom",
        CONF_USERNAME: user,
        CONF_API_TOKEN: token,
        CONF_URL: simulator.elibom_url,
        CONF_WEBHOOK_ID: f"webhook-{entry_id}",
    }
    if owner_stored:
        data[CONF_ACCOUNT_ID] = _owner(simulator)
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id=entry_id,
        title=title,
        unique_id=user.lower(),
        version=1,
        minor_version=1,
        data=data,
    )


def _second_user_of_the_account(simulator: Simulator) -> None:
    """Let a second e-mail open the same Elibom account (same owner, same password)."""
    account = simulator.elibom.accounts[ELIBOM_USER.lower()]
    simulator.elibom.accounts[SECOND_USER.lower()] = account


# Migration -------------------------------------------------------------------------


async def test_an_elibom_entry_of_version_1_1_is_keyed_by_its_stored_owner_before_set_up(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The owner was stored at creation: the migration needs no request to use it."""
    entry = _legacy_elibom(simulator)

    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.unique_id == _owner(simulator)


async def test_an_elibom_entry_without_a_stored_owner_is_keyed_by_it_after_the_first_account_read(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The owner is only known from GET /account: set-up stores it and keys the entry."""
    entry = _legacy_elibom(simulator, owner_stored=False)

    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.unique_id == _owner(simulator)
    assert entry.data[CONF_ACCOUNT_ID] == _owner(simulator)
    assert entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN
    # Re-keyed once, without a reload of its own.
    assert len(simulator.requests_to("elibom", "GET", "/account")) == 1


async def test_two_old_entries_of_one_account_keep_apart_and_a_repair_issue_names_both(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Two users' e-mails of one account: one entry takes the owner, the other is reported."""
    _second_user_of_the_account(simulator)
    first = _legacy_elibom(simulator)
    second = _legacy_elibom(
        simulator,
        entry_id="01ELIBOMLEGACY000000000001",
        user=SECOND_USER,
        token=SECOND_TOKEN,
        owner_stored=False,
        title="Caja",
    )

    await setup_entry(hass, first)
    await setup_entry(hass, second)

    assert first.unique_id == _owner(simulator)
    assert second.unique_id == SECOND_USER.lower()
    assert second.state is ConfigEntryState.LOADED
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"duplicate_account_{second.entry_id}"
    )
    assert issue is not None
    assert issue.translation_key == "duplicate_account"
    assert issue.translation_placeholders == {
        "account": "Caja",
        "other": ELIBOM_ACCOUNT_NAME,
    }
    assert "{account}" in ENGLISH["issues"]["duplicate_account"]["description"]

    # The user removes the first entry and reloads the second: it takes the owner.
    await hass.config_entries.async_remove(first.entry_id)
    await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()

    assert second.unique_id == _owner(simulator)
    assert second.state is ConfigEntryState.LOADED
    assert (
        ir.async_get(hass).async_get_issue(
            DOMAIN, f"duplicate_account_{second.entry_id}"
        )
        is None
    )


async def test_removing_an_entry_reported_as_a_duplicate_removes_its_repair_issue(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """The notice goes with the entry it is about."""
    _second_user_of_the_account(simulator)
    await setup_entry(hass, elibom_entry)
    second = _legacy_elibom(
        simulator,
        entry_id="01ELIBOMLEGACY000000000001",
        user=SECOND_USER,
        token=SECOND_TOKEN,
        owner_stored=False,
    )
    await setup_entry(hass, second)
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, f"duplicate_account_{second.entry_id}")

    await hass.config_entries.async_remove(second.entry_id)

    assert (
        issues.async_get_issue(DOMAIN, f"duplicate_account_{second.entry_id}") is None
    )
    assert elibom_entry.unique_id == _owner(simulator)


async def test_an_old_entry_refused_at_set_up_is_keyed_by_its_owner_once_reauth_is_done(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A 401 before the first read: the reauth takes the new password, set-up re-keys."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].api_token = NEW_TOKEN
    entry = _legacy_elibom(simulator, owner_stored=False)

    await setup_entry(hass, entry)

    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.unique_id == ELIBOM_USER.lower()
    (flow,) = hass.config_entries.flow.async_progress()
    assert flow["context"]["source"] == SOURCE_REAUTH
    result = await hass.config_entries.flow.async_configure(
        flow["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.state is ConfigEntryState.LOADED
    assert entry.unique_id == _owner(simulator)


async def test_an_old_entry_not_yet_keyed_refuses_credentials_of_another_account_on_reauth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Its stored owner tells the account, even before the entry is keyed by it."""
    entry = _legacy_elibom(simulator)
    entry.add_to_hass(hass)  # not set up: still version 1.1, keyed by the e-mail
    simulator.elibom.add_account(ELIBOM_USER, NEW_TOKEN, name="Otra cuenta")

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_TOKEN: NEW_TOKEN}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN


async def test_an_entry_of_a_newer_major_version_is_not_set_up(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Going back to an older integration leaves the entry untouched, not half read."""
    newer = MockConfigEntry(
        domain=DOMAIN,
        entry_id=elibom_entry.entry_id,
        title=elibom_entry.title,
        unique_id=elibom_entry.unique_id,
        version=2,
        minor_version=1,
        data=dict(elibom_entry.data),
    )

    await setup_entry(hass, newer)

    assert newer.state is ConfigEntryState.MIGRATION_ERROR
    assert newer.version == 2
    assert simulator.requests == []


async def test_an_aldeamo_entry_of_version_1_1_keeps_its_digest(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Only Elibom entries change key in 1.2."""
    old = MockConfigEntry(
        domain=DOMAIN,
        entry_id=aldeamo_entry.entry_id,
        title=aldeamo_entry.title,
        unique_id=aldeamo_entry.unique_id,
        version=1,
        minor_version=1,
        data=dict(aldeamo_entry.data),
    )

    await setup_entry(hass, old)

    assert old.state is ConfigEntryState.LOADED
    assert (old.version, old.minor_version) == (1, 2)
    assert old.unique_id == aldeamo_entry.unique_id


# New entries -----------------------------------------------------------------------


async def _add_elibom(
    hass: HomeAssistant, simulator: Simulator, user: str, token: str
) -> FlowResult:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "elibom"}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_USERNAME: user, CONF_API_TOKEN: token, CONF_URL: simulator.elibom_url},
    )


async def test_a_second_user_of_a_configured_elibom_account_aborts_already_configured(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Another e-mail of the same account: the owner is the same, so is the account."""
    _second_user_of_the_account(simulator)
    await setup_entry(hass, elibom_entry)

    result = await _add_elibom(hass, simulator, SECOND_USER, SECOND_TOKEN)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert hass.config_entries.async_entries(DOMAIN) == [elibom_entry]


async def test_a_second_user_of_an_account_whose_old_entry_is_not_keyed_yet_aborts_too(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The old entry's stored owner is enough to recognise the account."""
    _second_user_of_the_account(simulator)
    entry = _legacy_elibom(simulator)
    entry.add_to_hass(hass)

    result = await _add_elibom(hass, simulator, SECOND_USER, SECOND_TOKEN)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_another_elibom_account_is_added_beside_the_first_with_its_own_owner(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Different owners, different entries."""
    other = simulator.elibom.add_account(SECOND_USER, "caja-api-password", name="Caja")
    await setup_entry(hass, elibom_entry)

    result = await _add_elibom(hass, simulator, SECOND_USER, "caja-api-password")
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == str(other.owner_id)
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


async def _add_aldeamo(
    hass: HomeAssistant, simulator: Simulator, key: str
) -> FlowResult:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "aldeamo"}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_KEY: key,
            CONF_CHANNELS: ["whatsapp"],
            CONF_URL: simulator.aldeamo_url,
        },
    )


async def test_an_aldeamo_key_replaced_by_reauth_is_still_recognised_when_added_again(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """The digest stays the first key's; the stored key tells the entry too."""
    await setup_entry(hass, aldeamo_entry)
    simulator.aldeamo.api_keys.add(NEW_KEY)
    result = await aldeamo_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: NEW_KEY}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["reason"] == "reauth_successful"
    sent = len(simulator.requests)

    result = await _add_aldeamo(hass, simulator, NEW_KEY)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(simulator.requests) == sent
    assert hass.config_entries.async_entries(DOMAIN) == [aldeamo_entry]


async def test_aldeamo_reauth_with_the_key_of_another_entry_aborts_and_keeps_the_old_key(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Two entries may not end up on one key."""
    simulator.aldeamo.api_keys.add(NEW_KEY)
    await setup_entry(hass, aldeamo_entry)
    result = await _add_aldeamo(hass, simulator, NEW_KEY)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    result = await aldeamo_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: NEW_KEY}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert aldeamo_entry.data[CONF_API_KEY] == ALDEAMO_KEY
