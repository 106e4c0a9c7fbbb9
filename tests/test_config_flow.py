"""Adding an Elibom account or an Aldeamo bot, driven as Home Assistant drives it, against the simulator."""

from __future__ import annotations

import socket
from typing import Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.const import CONF_URL, CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResult, FlowResultType
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
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.flow_helpers import account_checks, basic_auth, suggested_value
from tests.simulator import FaultKind, Simulator

FLOW_TIMEOUT = "custom_components.latam_messaging.config_flow.REQUEST_TIMEOUT"


# Helpers --------------------------------------------------------------------------


def _closed_port() -> int:
    """Return a loopback port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
    assert suggested_value(form, CONF_URL) == "https://www.elibom.com"

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
    assert flow_requests[0].header("Authorization") == basic_auth(
        ELIBOM_USER, ELIBOM_TOKEN
    )


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
    assert suggested_value(result, CONF_USERNAME) == ELIBOM_USER
    assert suggested_value(result, CONF_API_TOKEN) is None
    (check,) = account_checks(simulator)
    assert check.header("Authorization") == basic_auth(ELIBOM_USER, "not-the-password")

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
    assert suggested_value(result, CONF_URL) == closed
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
    assert [check.fault for check in account_checks(simulator)] == [kind] * count

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
    assert len(account_checks(simulator)) == 1


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
    """Titled by its channels, an id that does not reveal the key, GET /users per channel."""
    added = _requests_before_entry_added(hass, simulator)
    form = await _aldeamo_form(hass)
    assert suggested_value(form, CONF_URL) == "https://apibot.aldeamo.com/bots"

    result = await hass.config_entries.flow.async_configure(
        form["flow_id"],
        _aldeamo_input(simulator, channels=["whatsapp", "facebook"]),
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    entry = result["result"]
    assert entry.title == "Aldeamo (Facebook, WhatsApp)"  # two bots told apart
    assert entry.data == {
        CONF_PROVIDER: "aldeamo",
        CONF_API_KEY: ALDEAMO_KEY,
        CONF_CHANNELS: ["facebook", "whatsapp"],
        CONF_URL: simulator.aldeamo_url,
        CONF_NOTIFY_SERVICE: "aldeamo_facebook_whatsapp",  # added at first set-up
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
    assert suggested_value(result, CONF_API_KEY) is None
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
