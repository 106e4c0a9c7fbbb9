"""Every config flow of the integration, driven as Home Assistant drives it, against the simulator."""

from __future__ import annotations

from base64 import b64encode
from collections.abc import AsyncGenerator
import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
    ConfigSubentry,
)
from homeassistant.const import CONF_URL, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResult, FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.dispatcher import async_dispatcher_connect
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    CONF_ACCOUNT_ID,
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    CONF_NOTIFY_SERVICE,
    CONF_PROVIDER,
    DOMAIN,
)
from tests.conftest import poll, setup_entry
from tests.const import (
    ALDEAMO_KEY,
    ELIBOM_ACCOUNT_NAME,
    ELIBOM_TOKEN,
    ELIBOM_USER,
    WEBHOOK_ID,
)
from tests.helpers import ENGLISH, device_of
from tests.simulator import FaultKind, RecordedRequest, Simulator
from tests.test_metadata import TRANSLATIONS

FLOW_TIMEOUT = "custom_components.latam_messaging.config_flow.REQUEST_TIMEOUT"
OTHER_USER = "Otra.Tienda@Example.com"
OTHER_TOKEN = "otra-api-password-0002"
NEW_TOKEN = "elibom-api-password-0002"
NEW_KEY = "b5fd0971824f2051c61f2f8033f011bcef26132"
ANA = "573001112222"
BETO = "573004445555"
FB_USER = "2291837465"


# Helpers --------------------------------------------------------------------------


def _basic(user: str, password: str) -> str:
    """Return the Authorization header HTTP Basic makes of these credentials."""
    return "Basic " + b64encode(f"{user}:{password}".encode()).decode("ascii")


def _closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _suggested(result: FlowResult, field: str) -> Any:
    """Return the value a form pre-fills in one field (None when it pre-fills none)."""
    for marker in result["data_schema"].schema:
        if marker == field:
            return (marker.description or {}).get("suggested_value")
    raise AssertionError(f"the form has no field {field}")


def _requests_before_entry_added(
    hass: HomeAssistant, simulator: Simulator
) -> list[int]:
    """Note how many requests the simulator had received when each entry was added.

    A created entry is set up at once and polls; what was sent before it existed
    is what the flow itself sent.
    """
    marks: list[int] = []

    @callback
    def added(change: ConfigEntryChange, entry: ConfigEntry) -> None:
        if change is ConfigEntryChange.ADDED:
            marks.append(len(simulator.requests))

    async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, added)
    return marks


async def _elibom_form(hass: HomeAssistant) -> FlowResult:
    """Open the Elibom form as the user does: add integration, pick Elibom."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "elibom"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "elibom"
    return result


async def _aldeamo_form(hass: HomeAssistant) -> FlowResult:
    """Open the Aldeamo form as the user does: add integration, pick Aldeamo."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "aldeamo"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "aldeamo"
    return result


def _elibom_input(
    simulator: Simulator, *, user: str = ELIBOM_USER, token: str = ELIBOM_TOKEN
) -> dict[str, str]:
    return {CONF_USERNAME: user, CONF_API_TOKEN: token, CONF_URL: simulator.elibom_url}


def _aldeamo_input(
    simulator: Simulator, *, key: str = ALDEAMO_KEY, channels: list[str] | None = None
) -> dict[str, Any]:
    return {
        CONF_API_KEY: key,
        CONF_CHANNELS: ["whatsapp"] if channels is None else channels,
        CONF_URL: simulator.aldeamo_url,
    }


def _account_checks(simulator: Simulator) -> list[RecordedRequest]:
    return simulator.requests_to("elibom", "GET", "/account")


def _subentry(entry: ConfigEntry, unique_id: str) -> ConfigSubentry:
    (subentry,) = (s for s in entry.subentries.values() if s.unique_id == unique_id)
    return subentry


def _notify_entity(
    hass: HomeAssistant, entry: ConfigEntry, subentry: ConfigSubentry
) -> er.RegistryEntry:
    """Return the registry entry of a subentry's notify entity, failing if there is none."""
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        "notify", DOMAIN, f"{entry.entry_id}_{subentry.subentry_id}"
    )
    assert entity_id is not None, "no notify entity for the subentry"
    registered = registry.async_get(entity_id)
    assert registered is not None
    return registered


async def _add_recipient(
    hass: HomeAssistant, entry: ConfigEntry, name: str, number: str
) -> FlowResult:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": name, "phone_number": number}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


async def _contact_details(
    hass: HomeAssistant, entry: ConfigEntry, channel: str
) -> FlowResult:
    """Start adding a contact and choose its channel; returns the details form."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "contact"), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"channel": channel}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "details"
    return result


def _offered_users(result: FlowResult) -> list[dict[str, str]]:
    """Return the options of the details form's user picker."""
    schema = result["data_schema"].schema
    (marker,) = (m for m in schema if m == "client_id")
    return [dict(option) for option in schema[marker].config["options"]]


@pytest.fixture
async def elibom_proxy(simulator: Simulator) -> AsyncGenerator[Simulator]:
    """Serve the same simulated Elibom accounts on a second loopback port."""
    proxy = Simulator(clock=simulator.clock)
    proxy.elibom = simulator.elibom
    await proxy.start()
    yield proxy
    await proxy.stop()


@pytest.fixture
def aldeamo_users(simulator: Simulator) -> None:
    """Two WhatsApp users (one without a name) and one Facebook user."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana María")
    simulator.aldeamo.add_user("whatsapp", BETO)
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")


# The menu -------------------------------------------------------------------------


async def test_user_step_is_a_menu_of_elibom_and_aldeamo(hass: HomeAssistant) -> None:
    """Adding the integration first asks which provider to connect."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )

    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "user"
    assert list(result["menu_options"]) == ["elibom", "aldeamo"]


# Elibom ---------------------------------------------------------------------------


async def test_elibom_account_is_added_after_one_account_check_with_basic_auth(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The entry is titled after the account, keyed by its owner, after one GET /account."""
    added = _requests_before_entry_added(hass, simulator)
    form = await _elibom_form(hass)
    assert _suggested(form, CONF_URL) == "https://www.elibom.com"

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _elibom_input(simulator)
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    account = simulator.elibom.accounts[ELIBOM_USER.lower()]
    assert entry.title == ELIBOM_ACCOUNT_NAME
    assert entry.unique_id == str(account.owner_id)
    assert (entry.version, entry.minor_version) == (1, 2)
    assert set(entry.data) == {
        CONF_PROVIDER,
        CONF_USERNAME,
        CONF_API_TOKEN,
        CONF_URL,
        CONF_ACCOUNT_ID,
        CONF_WEBHOOK_ID,
        CONF_NOTIFY_SERVICE,  # added by the entry's first set-up
    }
    assert entry.data[CONF_PROVIDER] == "elibom"
    assert entry.data[CONF_USERNAME] == ELIBOM_USER
    assert entry.data[CONF_API_TOKEN] == ELIBOM_TOKEN
    assert entry.data[CONF_URL] == simulator.elibom_url
    assert entry.data[CONF_ACCOUNT_ID] == str(account.owner_id)
    assert isinstance(entry.data[CONF_WEBHOOK_ID], str)
    assert entry.data[CONF_WEBHOOK_ID]
    assert entry.state is ConfigEntryState.LOADED
    (mark,) = added
    flow_requests = simulator.requests[:mark]
    assert [(r.method, r.path) for r in flow_requests] == [("GET", "/account")]
    assert flow_requests[0].header("Authorization") == _basic(ELIBOM_USER, ELIBOM_TOKEN)


async def test_elibom_wrong_password_shows_invalid_auth_and_the_right_one_finishes(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The form keeps the e-mail (never the password) after a refusal; fixed, it finishes."""
    form = await _elibom_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _elibom_input(simulator, token="not-the-password")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert _suggested(result, CONF_USERNAME) == ELIBOM_USER
    assert _suggested(result, CONF_API_TOKEN) is None
    (check,) = _account_checks(simulator)
    assert check.header("Authorization") == _basic(ELIBOM_USER, "not-the-password")

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _elibom_input(simulator)
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_API_TOKEN] == ELIBOM_TOKEN


async def test_elibom_url_nobody_listens_on_shows_cannot_connect_then_the_right_url_finishes(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A refused connection is cannot_connect; the user corrects the URL and finishes."""
    form = await _elibom_form(hass)
    closed = f"http://127.0.0.1:{_closed_port()}/elibom"

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"],
        {CONF_USERNAME: ELIBOM_USER, CONF_API_TOKEN: ELIBOM_TOKEN, CONF_URL: closed},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert _suggested(result, CONF_URL) == closed
    assert simulator.requests == []

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _elibom_input(simulator)
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_URL] == simulator.elibom_url


@pytest.mark.parametrize(
    ("kind", "status", "count", "error"),
    [
        (FaultKind.STATUS, 500, 1, "cannot_connect"),
        (FaultKind.STATUS, 503, 1, "cannot_connect"),
        (FaultKind.STATUS, 429, 1, "cannot_connect"),
        # aiohttp itself retries an idempotent request once on a dropped connection.
        (FaultKind.DISCONNECT, 200, 2, "cannot_connect"),
        (FaultKind.MALFORMED, 200, 1, "invalid_response"),
        (FaultKind.TRUNCATED, 200, 1, "invalid_response"),
    ],
)
async def test_elibom_failing_account_check_shows_its_error_and_trying_again_finishes(
    hass: HomeAssistant,
    simulator: Simulator,
    kind: FaultKind,
    status: int,
    count: int,
    error: str,
) -> None:
    """Server errors, rate limits and drops are cannot_connect; unreadable answers invalid_response."""
    simulator.fail_next(
        kind, count=count, status=status, provider="elibom", path="/account"
    )
    form = await _elibom_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _elibom_input(simulator)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    assert [check.fault for check in _account_checks(simulator)] == [kind] * count

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _elibom_input(simulator)
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].title == ELIBOM_ACCOUNT_NAME


async def test_elibom_account_check_without_an_answer_in_time_shows_cannot_connect(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The check gives up after the request timeout instead of hanging the form."""
    simulator.fail_next(FaultKind.DELAY, delay=2, provider="elibom", path="/account")
    form = await _elibom_form(hass)

    with patch(FLOW_TIMEOUT, 0.3):
        result = await hass.config_entries.flow.async_configure(
            form["flow_id"], _elibom_input(simulator)
        )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}
    assert len(_account_checks(simulator)) == 1


async def test_elibom_account_already_configured_aborts_before_any_request(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """The same e-mail in other letter case is the same account: abort, send nothing."""
    elibom_entry.add_to_hass(hass)
    form = await _elibom_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _elibom_input(simulator, user="TIENDA@example.COM")
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert simulator.requests == []
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://example.com/elibom", "insecure_url"),
        ("http://192.168.1.20:8080/elibom", "insecure_url"),
        ("not a web address", "invalid_url"),
        ("ftp://127.0.0.1/elibom", "invalid_url"),
        ("https://", "invalid_url"),
    ],
)
async def test_elibom_url_that_is_not_allowed_is_refused_before_any_request(
    hass: HomeAssistant, simulator: Simulator, url: str, error: str
) -> None:
    """Plain http only for loopback, and only web addresses; nothing is sent otherwise."""
    form = await _elibom_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"],
        {CONF_USERNAME: ELIBOM_USER, CONF_API_TOKEN: ELIBOM_TOKEN, CONF_URL: url},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: error}
    assert simulator.requests == []
    assert hass.config_entries.async_entries(DOMAIN) == []


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        (CONF_USERNAME, "", "required"),
        (CONF_USERNAME, "   ", "required"),
        (CONF_API_TOKEN, "", "required"),
        (CONF_USERNAME, "a" * 100_000 + "@example.com", "invalid_value"),
        (CONF_API_TOKEN, "x" * 100_000, "invalid_value"),
        (CONF_URL, "http://127.0.0.1/" + "e" * 100_000, "invalid_value"),
        (CONF_USERNAME, "tienda@example.com\x00", "invalid_value"),
        (CONF_API_TOKEN, "elibom-api\npassword", "invalid_value"),
        (CONF_URL, "http://127.0.0.1/\x1belibom", "invalid_value"),
    ],
)
async def test_elibom_empty_huge_or_control_character_value_is_refused_before_any_request(
    hass: HomeAssistant, simulator: Simulator, field: str, value: str, error: str
) -> None:
    """The field in error is named on the form and nothing goes over the wire."""
    form = await _elibom_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _elibom_input(simulator) | {field: value}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    assert simulator.requests == []


# Aldeamo --------------------------------------------------------------------------


async def test_aldeamo_bot_is_added_after_one_users_check_per_chosen_channel(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Title "Aldeamo bots", an id that does not reveal the key, GET /users per channel."""
    added = _requests_before_entry_added(hass, simulator)
    form = await _aldeamo_form(hass)
    assert _suggested(form, CONF_URL) == "https://apibot.aldeamo.com/bots"

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"],
        _aldeamo_input(simulator, channels=["whatsapp", "facebook"]),
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.title == "Aldeamo bots"
    assert entry.data == {
        CONF_PROVIDER: "aldeamo",
        CONF_API_KEY: ALDEAMO_KEY,
        CONF_CHANNELS: ["facebook", "whatsapp"],
        CONF_URL: simulator.aldeamo_url,
        CONF_NOTIFY_SERVICE: "aldeamo_bots",  # added by the entry's first set-up
    }
    assert entry.unique_id
    assert ALDEAMO_KEY not in entry.unique_id
    assert ALDEAMO_KEY[:12] not in entry.unique_id
    assert entry.state is ConfigEntryState.LOADED
    (mark,) = added
    flow_requests = simulator.requests[:mark]
    assert sorted((r.method, r.path, r.query["channel"]) for r in flow_requests) == [
        ("GET", "/users", "facebook"),
        ("GET", "/users", "whatsapp"),
    ]
    for request in flow_requests:
        assert request.header("auth") == ALDEAMO_KEY
        assert request.query["auth"] == ALDEAMO_KEY


async def test_aldeamo_without_a_channel_shows_no_channels_before_any_request(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """At least one channel must be followed."""
    form = await _aldeamo_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _aldeamo_input(simulator, channels=[])
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_CHANNELS: "no_channels"}
    assert simulator.requests == []


async def test_aldeamo_wrong_key_shows_invalid_auth_and_the_right_one_finishes(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The key is refused with 401; typed again correctly, the bot is added."""
    form = await _aldeamo_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _aldeamo_input(simulator, key="not-the-key")
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_auth"}
    assert _suggested(result, CONF_API_KEY) is None
    (check,) = simulator.requests_to("aldeamo", "GET", "/users")
    assert check.header("auth") == "not-the-key"

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _aldeamo_input(simulator)
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].data[CONF_API_KEY] == ALDEAMO_KEY


async def test_aldeamo_refusal_shows_provider_refused_with_the_providers_message(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A status-false answer reaches the user in the provider's own words."""
    simulator.fail_next(FaultKind.STATUS, status=400, provider="aldeamo", path="/users")
    form = await _aldeamo_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _aldeamo_input(simulator)
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "provider_refused"}
    assert result["description_placeholders"]["error"] == "Error simulado: bad_request"
    assert hass.config_entries.async_entries(DOMAIN) == []


async def test_aldeamo_same_key_and_url_again_aborts_already_configured_before_any_request(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The digest of key and URL is stable: the second attempt stops before sending."""
    form = await _aldeamo_form(hass)
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _aldeamo_input(simulator)
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    sent = len(simulator.requests)

    form = await _aldeamo_form(hass)
    result = await hass.config_entries.flow.async_configure(
        form["flow_id"], _aldeamo_input(simulator, channels=["web"])
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(simulator.requests) == sent
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1


async def test_aldeamo_insecure_url_is_refused_before_any_request(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The API key never travels in clear to another machine."""
    form = await _aldeamo_form(hass)

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"],
        _aldeamo_input(simulator) | {CONF_URL: "http://apibot.aldeamo.com/bots"},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "insecure_url"}
    assert simulator.requests == []


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
        _basic(ELIBOM_USER, NEW_TOKEN)
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
    assert _account_checks(simulator)[-1].header("Authorization") == _basic(
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
    assert _suggested(result, CONF_USERNAME) == ELIBOM_USER
    assert _suggested(result, CONF_URL) == simulator.elibom_url
    assert not _suggested(result, CONF_API_TOKEN)

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
    assert check.header("Authorization") == _basic(ELIBOM_USER, ELIBOM_TOKEN)
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
    assert _account_checks(simulator)[-1].header("Authorization") == _basic(
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
    assert _suggested(result, CONF_CHANNELS) == ["facebook", "whatsapp"]
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


# Options --------------------------------------------------------------------------


async def test_elibom_options_show_the_webhook_and_saving_reloads_with_the_new_polling_interval(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """The inbound-SMS address is shown; a 20 s interval makes the next poll come sooner."""
    await setup_entry(hass, elibom_entry)
    simulator.requests.clear()
    await poll(hass, 25)
    assert _account_checks(simulator) == []  # still on the default 60 s

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["description_placeholders"]["webhook_url"].endswith(
        f"/api/webhook/{WEBHOOK_ID}"
    )
    assert _suggested(result, "scan_interval") == 60
    assert _suggested(result, "default_country_code") == "57"
    assert _suggested(result, "plain_alphabet") is False

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 20,
            "low_credit_threshold": 10,
            "plain_alphabet": True,
            "default_country_code": "+52",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert elibom_entry.options == {
        "scan_interval": 20,
        "low_credit_threshold": 10.0,
        "plain_alphabet": True,
        "default_country_code": "52",
    }
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert len(_account_checks(simulator)) == 1  # the reload's first refresh
    simulator.requests.clear()

    await poll(hass, 25)

    assert len(_account_checks(simulator)) == 1


@pytest.mark.parametrize("code", ["", "5a7", "1234", "٥٧", "57 1"])
async def test_elibom_options_refuse_an_invalid_country_code(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, code: str
) -> None:
    """One to three ASCII digits, optionally after a +, or the form says why not."""
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 60, "low_credit_threshold": 0, "default_country_code": code},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"default_country_code": "invalid_country_code"}
    assert elibom_entry.options == {}


async def test_aldeamo_options_are_only_the_polling_interval_which_takes_effect(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """No credit or country settings for a bot; 120 s means no poll at the old 30 s."""
    await setup_entry(hass, aldeamo_entry)

    result = await hass.config_entries.options.async_init(aldeamo_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert [str(marker) for marker in result["data_schema"].schema] == ["scan_interval"]
    assert _suggested(result, "scan_interval") == 30

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval": 120}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert aldeamo_entry.options == {"scan_interval": 120}
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    simulator.requests.clear()

    await poll(hass, 35)
    assert simulator.requests_to("aldeamo", "GET", "/users") == []

    await poll(hass, 125)
    assert len(simulator.requests_to("aldeamo", "GET", "/users")) == 2


# Recipients (Elibom subentries) ---------------------------------------------------


async def test_recipient_number_gets_the_default_country_code_and_a_notify_entity(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """A number written 300 111 2222 becomes 573001112222 and the recipient can be notified."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "Mamá", "300 111 2222")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = _subentry(elibom_entry, "573001112222")
    assert subentry.subentry_type == "recipient"
    assert subentry.title == "Mamá"
    assert dict(subentry.data) == {"name": "Mamá", "phone_number": "573001112222"}
    registered = _notify_entity(hass, elibom_entry, subentry)
    assert registered.config_subentry_id == subentry.subentry_id
    assert hass.states.get(registered.entity_id) is not None


async def test_recipient_number_uses_the_country_code_chosen_in_the_options(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """With 52 as default, a 10-digit number is Mexican; an international one is kept."""
    elibom_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        elibom_entry, options={"default_country_code": "52"}
    )
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()

    await _add_recipient(hass, elibom_entry, "Tía", "55-1234-5678")
    await _add_recipient(hass, elibom_entry, "Primo", "+1 (555) 010.0199")

    assert _subentry(elibom_entry, "525512345678").data["phone_number"] == (
        "525512345678"
    )
    assert _subentry(elibom_entry, "15550100199").title == "Primo"


@pytest.mark.parametrize(
    "number", ["12ab5678", "1234567", "1234567890123456", "+57 300 111 2222 ext 5"]
)
async def test_recipient_with_an_invalid_number_shows_invalid_phone_number(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, number: str
) -> None:
    """8 to 15 digits after separators are removed, or the number field is in error."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "Mamá", number)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"phone_number": "invalid_phone_number"}
    assert elibom_entry.subentries == {}


async def test_recipient_with_an_empty_name_shows_required(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """A recipient needs a name for its entity."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "  ", "3001112222")

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "required"}
    assert elibom_entry.subentries == {}


async def test_recipient_with_a_number_already_added_aborts_already_configured(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The same number written differently is still the same recipient."""
    await setup_entry(hass, elibom_entry)
    await _add_recipient(hass, elibom_entry, "Mamá", "300 111 2222")

    result = await _add_recipient(hass, elibom_entry, "Mamita", "+57 300-111-2222")

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(elibom_entry.subentries) == 1


async def test_recipient_reconfigure_changes_its_name_and_number(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The form starts from the current values; the change is normalised and kept."""
    await setup_entry(hass, elibom_entry)
    await _add_recipient(hass, elibom_entry, "Mamá", "300 111 2222")
    subentry = _subentry(elibom_entry, "573001112222")

    result = await hass.config_entries.subentries.async_init(
        (elibom_entry.entry_id, "recipient"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry.subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, "phone_number") == "573001112222"
    assert _suggested(result, "name") == "Mamá"

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mamá (nuevo)", "phone_number": "310 555 0000"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    changed = elibom_entry.subentries[subentry.subentry_id]
    assert changed.title == "Mamá (nuevo)"
    assert changed.unique_id == "573105550000"
    assert dict(changed.data) == {
        "name": "Mamá (nuevo)",
        "phone_number": "573105550000",
    }
    assert elibom_entry.state is ConfigEntryState.LOADED
    _notify_entity(hass, elibom_entry, changed)


async def test_recipient_reconfigure_to_another_recipients_number_aborts(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """Two recipients never share a number."""
    await setup_entry(hass, elibom_entry)
    await _add_recipient(hass, elibom_entry, "Mamá", "3001112222")
    await _add_recipient(hass, elibom_entry, "Papá", "3004445555")
    papa = _subentry(elibom_entry, "573004445555")

    result = await hass.config_entries.subentries.async_init(
        (elibom_entry.entry_id, "recipient"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": papa.subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Papá", "phone_number": "573001112222"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert elibom_entry.subentries[papa.subentry_id].data["phone_number"] == (
        "573004445555"
    )


# Contacts (Aldeamo subentries) ----------------------------------------------------


@pytest.mark.usefixtures("aldeamo_users")
async def test_contact_details_offer_the_users_the_bot_knows_on_the_chosen_channel(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """The channel step lists the entry's channels and SMS; details list that channel's users."""
    await setup_entry(hass, aldeamo_entry)

    result = await hass.config_entries.subentries.async_init(
        (aldeamo_entry.entry_id, "contact"), context={"source": SOURCE_USER}
    )
    schema = result["data_schema"].schema
    (marker,) = (m for m in schema if m == "channel")
    assert schema[marker].config["options"] == ["facebook", "whatsapp", "sms"]

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"channel": "whatsapp"}
    )

    assert result["step_id"] == "details"
    assert result["description_placeholders"] == {"channel": "whatsapp"}
    assert _offered_users(result) == [
        {"value": ANA, "label": f"Ana María ({ANA})"},
        {"value": BETO, "label": BETO},
    ]
    facebook = await _contact_details(hass, aldeamo_entry, "facebook")
    assert _offered_users(facebook) == [
        {"value": FB_USER, "label": f"Carlos ({FB_USER})"}
    ]


@pytest.mark.usefixtures("aldeamo_users")
async def test_contact_picked_user_is_named_after_them_and_gets_a_notify_entity(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """Leaving the name empty takes the user's name from the provider."""
    await setup_entry(hass, aldeamo_entry)
    result = await _contact_details(hass, aldeamo_entry, "whatsapp")

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": ANA}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = _subentry(aldeamo_entry, f"whatsapp:{ANA}")
    assert subentry.subentry_type == "contact"
    assert subentry.title == "Ana María"
    assert dict(subentry.data) == {
        "name": "Ana María",
        "channel": "whatsapp",
        "client_id": ANA,
    }
    registered = _notify_entity(hass, aldeamo_entry, subentry)
    assert registered.config_subentry_id == subentry.subentry_id
    assert hass.states.get(registered.entity_id) is not None


@pytest.mark.usefixtures("aldeamo_users")
async def test_contact_typed_id_is_accepted_and_named_after_the_id_or_the_given_name(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """Users who never wrote (or SMS numbers) can be typed; unnamed, the id's end names them."""
    await setup_entry(hass, aldeamo_entry)

    result = await _contact_details(hass, aldeamo_entry, "sms")
    assert _offered_users(result) == []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": " 573009998888 "}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    result = await _contact_details(hass, aldeamo_entry, "whatsapp")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": "573007776666", "name": "Don José"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY

    sms = _subentry(aldeamo_entry, "sms:573009998888")
    assert dict(sms.data) == {
        "name": "SMS …8888",
        "channel": "sms",
        "client_id": "573009998888",
    }
    typed = _subentry(aldeamo_entry, "whatsapp:573007776666")
    assert typed.title == "Don José"
    _notify_entity(hass, aldeamo_entry, sms)
    _notify_entity(hass, aldeamo_entry, typed)


@pytest.mark.parametrize("client_id", ["ana maría", "a/b", "x" * 129, "id;drop"])
async def test_contact_with_an_impossible_id_shows_invalid_client_id(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, client_id: str
) -> None:
    """Ids are letters, digits and a few symbols, up to 128 characters."""
    await setup_entry(hass, aldeamo_entry)
    result = await _contact_details(hass, aldeamo_entry, "whatsapp")

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": client_id, "name": "Ana"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "details"
    assert result["errors"] == {"client_id": "invalid_client_id"}
    assert aldeamo_entry.subentries == {}


@pytest.mark.usefixtures("aldeamo_users")
async def test_contact_already_added_on_that_channel_aborts_already_configured(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """One contact per user and channel."""
    await setup_entry(hass, aldeamo_entry)
    result = await _contact_details(hass, aldeamo_entry, "whatsapp")
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": ANA}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    result = await _contact_details(hass, aldeamo_entry, "whatsapp")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": ANA, "name": "Ana otra vez"}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(aldeamo_entry.subentries) == 1


@pytest.mark.usefixtures("aldeamo_users")
async def test_contact_reconfigure_changes_its_name_and_user_on_the_same_channel(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """Reconfigure goes straight to the details, starting from the current values."""
    aldeamo_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        aldeamo_entry,
        ConfigSubentry(
            data={"name": "Ana", "channel": "whatsapp", "client_id": ANA},
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )
    await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    (subentry,) = aldeamo_entry.subentries.values()

    result = await hass.config_entries.subentries.async_init(
        (aldeamo_entry.entry_id, "contact"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry.subentry_id},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "details"
    assert _suggested(result, "client_id") == ANA
    assert _suggested(result, "name") == "Ana"
    assert {o["value"] for o in _offered_users(result)} == {ANA, BETO}

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": BETO, "name": "Beto"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    changed = aldeamo_entry.subentries[subentry.subentry_id]
    assert changed.title == "Beto"
    assert changed.unique_id == f"whatsapp:{BETO}"
    assert dict(changed.data) == {
        "name": "Beto",
        "channel": "whatsapp",
        "client_id": BETO,
    }
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    _notify_entity(hass, aldeamo_entry, changed)


# What the flows tell a newcomer -----------------------------------------------------


async def test_adding_a_recipient_to_a_bot_stops_at_once_and_says_why(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """The integration page offers "Add recipient" for every account; a bot says no."""
    await setup_entry(hass, aldeamo_entry)
    simulator.requests.clear()

    result = await hass.config_entries.subentries.async_init(
        (aldeamo_entry.entry_id, "recipient"), context={"source": SOURCE_USER}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_an_elibom_account"
    spanish = TRANSLATIONS["es"]["config_subentries"]["recipient"]["abort"]
    assert "para un bot de Aldeamo use Agregar contacto" in spanish[result["reason"]]
    assert simulator.requests == []
    assert aldeamo_entry.subentries == {}


async def test_adding_a_contact_to_an_sms_account_stops_at_once_and_says_why(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """Contacts belong to bots: an Elibom account aborts with its own reason."""
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.subentries.async_init(
        (elibom_entry.entry_id, "contact"), context={"source": SOURCE_USER}
    )

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "not_an_aldeamo_account"
    assert result["reason"] in ENGLISH["config_subentries"]["contact"]["abort"]


async def test_a_saved_recipient_shows_the_end_of_its_number(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The success step and the device page show the number's last four digits only."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "Mamá", "300 111 2222")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "added"
    assert result["description_placeholders"] == {
        "name": "Mamá",
        "number": "••••••••2222",
    }
    shown = ENGLISH["config_subentries"]["recipient"]["create_entry"]["added"]
    assert "{number}" in shown
    subentry = _subentry(elibom_entry, "573001112222")
    device = device_of(
        hass, elibom_entry, f"{elibom_entry.entry_id}_{subentry.subentry_id}"
    )
    assert device.model == "SMS ••••••••2222"

    again = await hass.config_entries.subentries.async_init(
        (elibom_entry.entry_id, "recipient"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry.subentry_id},
    )
    assert again["description_placeholders"] == {"number": "••••••••2222"}


@pytest.mark.usefixtures("aldeamo_users")
async def test_a_saved_contact_shows_its_channel_and_the_end_of_its_id(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """The success step names the channel; the device model reads alike in any language."""
    await setup_entry(hass, aldeamo_entry)
    result = await _contact_details(hass, aldeamo_entry, "whatsapp")

    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": ANA}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["description"] == "added"
    assert result["description_placeholders"] == {
        "name": "Ana María",
        "channel": "WhatsApp",
        "client_id": "••••••••2222",
    }
    subentry = _subentry(aldeamo_entry, f"whatsapp:{ANA}")
    contact = device_of(
        hass, aldeamo_entry, f"{aldeamo_entry.entry_id}_{subentry.subentry_id}"
    )
    account = device_of(hass, aldeamo_entry, aldeamo_entry.entry_id)
    assert contact.model == "WhatsApp ••••••••2222"
    assert account.model == "Facebook · WhatsApp"


def _section(result: FlowResult, name: str) -> dict[str, Any]:
    """Return a form section's fields and what each pre-fills."""
    for marker, value in result["data_schema"].schema.items():
        if marker == name:
            return {
                str(field): (field.description or {}).get("suggested_value")
                for field in value.schema.schema
            }
    raise AssertionError(f"the form has no section {name}")


async def test_elibom_options_name_the_account_and_warn_when_the_address_is_local(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """Without an external URL the address to copy is labelled local-only."""
    await async_process_ha_core_config(
        hass, {"internal_url": "http://192.168.1.20:8123"}
    )
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)

    assert result["description_placeholders"]["account"] == elibom_entry.title
    assert "{account}" in ENGLISH["options"]["step"]["init"]["title"]
    assert _section(result, "inbound_sms") == {
        "local_webhook_url": f"http://192.168.1.20:8123/api/webhook/{WEBHOOK_ID}"
    }
    section = ENGLISH["options"]["step"]["init"]["sections"]["inbound_sms"]
    assert "short code" in section["description"]
    assert "cannot reach" in section["data"]["local_webhook_url"]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 60,
            "low_credit_threshold": 0,
            "default_country_code": "57",
            "inbound_sms": {"local_webhook_url": "http://typed.example"},
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert elibom_entry.options == {
        "scan_interval": 60,
        "low_credit_threshold": 0.0,
        "plain_alphabet": False,
        "default_country_code": "57",
    }


async def test_elibom_options_offer_the_external_address_when_home_assistant_has_one(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """With an external URL, that is the address to give Elibom."""
    await async_process_ha_core_config(
        hass,
        {
            "internal_url": "http://192.168.1.20:8123",
            "external_url": "https://casa.example.com",
        },
    )
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)

    assert _section(result, "inbound_sms") == {
        "webhook_url": f"https://casa.example.com/api/webhook/{WEBHOOK_ID}"
    }


async def test_an_external_url_on_the_local_network_still_counts_as_local(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """An "external" URL that is a private address is no use to Elibom."""
    await async_process_ha_core_config(
        hass, {"external_url": "http://192.168.1.20:8123"}
    )
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)

    assert list(_section(result, "inbound_sms")) == ["local_webhook_url"]
