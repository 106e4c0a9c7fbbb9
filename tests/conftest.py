"""Fixtures shared by every test: the provider simulator on loopback and an HTTP session."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from contextlib import ExitStack
from datetime import timedelta
import importlib.util
import logging
import re
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_URL, CONF_USERNAME, CONF_WEBHOOK_ID, Platform
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

# Imported first so that Home Assistant's loader finds this repository's
# custom_components package rather than the test plugin's own.
import custom_components  # noqa: F401
from custom_components.latam_messaging.const import (
    CONF_ACCOUNT_ID,
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    CONF_PROVIDER,
    DOMAIN,
)
from custom_components.latam_messaging.identity import aldeamo_unique_id
from custom_components.latam_messaging.providers import COORDINATORS
from custom_components.latam_messaging.trigger import OFFERED as EDITOR_TRIGGERS
from tests.const import (
    ALDEAMO_KEY,
    ELIBOM_ACCOUNT_NAME,
    ELIBOM_TOKEN,
    ELIBOM_USER,
    WEBHOOK_ID,
)
from tests.helpers import with_subentries
from tests.simulator import Simulator

# The bad-input tests' `wire` and `default_site` fixtures live beside their checks.
pytest_plugins = ["tests.bad_input_checks"]

# The Assist tools and the editor's triggers exist from Home Assistant 2026.10 on: their
# tests run there, and the older versions' own tests check they are absent.
collect_ignore = [
    "test_llm_absent.py"
    if importlib.util.find_spec("homeassistant.components.llm")
    else "test_llm.py"
]
if not EDITOR_TRIGGERS:
    collect_ignore.extend(
        [
            "test_trigger_delivery_failed.py",
            "test_trigger_editor.py",
            "test_trigger_message_received.py",
        ]
    )

# What must never reach a log: secrets, and anything shaped like a full phone number
# (11 to 15 digits standing alone; delivery tokens have 19, ids and times fewer).
SECRETS = (ELIBOM_TOKEN, ALDEAMO_KEY)
PHONE_NUMBER = re.compile(r"(?<![A-Za-z0-9.])\d{11,15}(?!\d)")
# Loggers left out: the test harness's storage mock and the provider simulator's
# own server are not part of Home Assistant as users run it; the HTTP access log is
# off in Home Assistant unless turned on, and Elibom's inbound-SMS callback puts
# the sender in the URL by design (see the README).
NOT_HOME_ASSISTANT = (
    "pytest_homeassistant_custom_component",
    "aiohttp.server",
    "aiohttp.access",
)


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def log_guard() -> Generator[None]:
    """Run every test with debug logging and check what was logged.

    No secret or full phone number may appear in any record (Home Assistant core's
    own echo of event data, "Bus:Handling", is left out: it repeats every event's
    data by design). No blocking call may be detected in the event loop, Home
    Assistant may report no misuse of its API, and no exception may go unhandled.
    """
    collector = _Collector()
    root = logging.getLogger()
    level = root.level
    root.addHandler(collector)
    root.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        root.removeHandler(collector)
        root.setLevel(level)
    problems = []
    for record in collector.records:
        if record.name.startswith(NOT_HOME_ASSISTANT):
            continue
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + repr(record.exc_info[1])
        if text.startswith(("Bus:Handling", "Phase ")):
            continue  # core's echo of event data; set-up timings name thread ids
        if any(secret in text for secret in SECRETS) or PHONE_NUMBER.search(text):
            problems.append(f"leaked in {record.name}: {text[:300]}")
        if "Detected blocking call" in text:
            problems.append(f"blocking call: {text[:300]}")
        if "Detected that custom integration" in text:
            problems.append(f"Home Assistant reports misuse: {text[:300]}")
        if record.levelno >= logging.ERROR and record.exc_info:
            problems.append(f"unhandled exception in {record.name}: {text[:300]}")
    assert not problems, "\n".join(problems)


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """Run the provider simulator on 127.0.0.1 with one Elibom account and one Aldeamo key."""
    sim = Simulator()
    sim.elibom.add_account(
        ELIBOM_USER, ELIBOM_TOKEN, name=ELIBOM_ACCOUNT_NAME, credits=100.0
    )
    sim.aldeamo.api_keys.add(ALDEAMO_KEY)
    await sim.start()
    yield sim
    await sim.stop()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncGenerator[aiohttp.ClientSession]:
    """Provide a plain aiohttp session, as Home Assistant's shared one would be."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.fixture(autouse=True)
def router_open_as_home_assistant_keeps_it() -> Generator[None]:
    """Let views be added after a test client exists, as in a running Home Assistant.

    Home Assistant's own server start stops aiohttp from freezing its router, so an
    integration loaded later (the inbound-SMS address) adds its view; the test
    client starts the app without that step and would freeze it.
    """
    with patch.object(aiohttp.web_urldispatcher.UrlDispatcher, "freeze"):
        yield


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load this repository's integration in every test."""


@pytest.fixture
def elibom_entry(simulator: Simulator) -> MockConfigEntry:
    """Return an Elibom entry for the simulator's account, as the config flow makes it."""
    account = simulator.elibom.accounts[ELIBOM_USER.lower()]
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id="01ELIBOMENTRY0000000000000",
        title=ELIBOM_ACCOUNT_NAME,
        unique_id=str(account.owner_id),
        minor_version=2,
        data={
            CONF_PROVIDER: "elibom",
            CONF_USERNAME: ELIBOM_USER,
            CONF_API_TOKEN: ELIBOM_TOKEN,
            CONF_URL: simulator.elibom_url,
            CONF_ACCOUNT_ID: str(account.owner_id),
            CONF_WEBHOOK_ID: WEBHOOK_ID,
        },
    )


@pytest.fixture
def aldeamo_entry(simulator: Simulator) -> MockConfigEntry:
    """Return an Aldeamo entry listening on WhatsApp and Facebook."""
    return MockConfigEntry(
        domain=DOMAIN,
        entry_id="01ALDEAMOENTRY000000000000",
        title="Aldeamo bots",
        unique_id=aldeamo_unique_id(ALDEAMO_KEY, simulator.aldeamo_url),
        minor_version=2,
        data={
            CONF_PROVIDER: "aldeamo",
            CONF_API_KEY: ALDEAMO_KEY,
            CONF_CHANNELS: ["facebook", "whatsapp"],
            CONF_URL: simulator.aldeamo_url,
        },
    )


@pytest.fixture
def provider() -> str:
    """Return the provider of `config_entry`; a test picks another with parametrize."""
    return "elibom"


RECIPIENT = ConfigSubentryData(
    data={"name": "Mamá", "phone_number": "573001112222"},
    subentry_id="01RECIPIENTSUBENTRY0000000",
    subentry_type="recipient",
    title="Mamá",
    unique_id="573001112222",
)
CONTACT = ConfigSubentryData(
    data={"name": "Ana", "channel": "whatsapp", "client_id": "573004445555"},
    subentry_id="01CONTACTSUBENTRY000000000",
    subentry_type="contact",
    title="Ana",
    unique_id="whatsapp:573004445555",
)
PERSON = {"elibom": RECIPIENT, "aldeamo": CONTACT}
"""The one person of each provider's `config_entry`."""


@pytest.fixture
def config_entry(
    request: pytest.FixtureRequest, provider: str, simulator: Simulator
) -> MockConfigEntry:
    """Return the entry `init_integration` sets up: an account with one person.

    Elibom's has the recipient Mamá; Aldeamo's the WhatsApp contact Ana, who has
    written to the bot before (the simulator lists her).
    """
    entry: MockConfigEntry = request.getfixturevalue(f"{provider}_entry")
    if provider == "aldeamo":
        simulator.aldeamo.add_user("whatsapp", "573004445555", name="Ana")
    return with_subentries(entry, PERSON[provider])


@pytest.fixture
def platforms() -> list[Platform] | None:
    """Return the platforms `init_integration` sets up; None is all of them."""
    return None


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, config_entry: MockConfigEntry, platforms: list[Platform] | None
) -> AsyncGenerator[MockConfigEntry]:
    """Set up `config_entry` against the simulator; only `platforms`, if given.

    The choice of platforms holds for the whole test, so a reload keeps it.
    """
    if platforms is None:
        await setup_entry(hass, config_entry)
        yield config_entry
        return
    with ExitStack() as narrowed:
        for coordinator in COORDINATORS.values():
            narrowed.enter_context(
                patch.object(coordinator, "platforms", tuple(platforms))
            )
        await setup_entry(hass, config_entry)
        yield config_entry


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Keep snapshots as plain JSON files, one per test case.

    Plain JSON of what a user sees holds on the oldest and the newest Home
    Assistant alike, whose registry objects differ.
    """
    return snapshot.use_extension(JSONSnapshotExtension)


async def poll(hass: HomeAssistant, seconds: float = 61) -> None:
    """Let a polling period pass on Home Assistant's clock and wait for the poll to end.

    The poll runs as a background task doing real HTTP on loopback, so it is
    awaited explicitly: firing the clock again while it is in flight would also
    fire its request timeout.
    """
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=seconds))
    await hass.async_block_till_done(wait_background_tasks=True)


async def setup_entry(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Add an entry and set it up the way Home Assistant does."""
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
