"""Fixtures shared by every test: the provider simulator on loopback and an HTTP session."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import aiohttp
import pytest

# Imported first so that Home Assistant's loader finds this repository's
# custom_components package rather than the test plugin's own.
import custom_components  # noqa: F401
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import Simulator


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
