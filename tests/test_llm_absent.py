"""Before Home Assistant 2026.10 (no `llm` integration): no tools, nothing else changes.

Collected only where Home Assistant has no `llm` integration (see conftest.py);
`test_llm.py` pins the tools themselves.
"""

from __future__ import annotations

import logging
import sys

from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import llm
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.helpers import notify_entity_of


async def test_an_exposed_person_gives_no_tool_and_nothing_is_logged(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Mamá is exposed; the Assist API has no messaging tool and our module never loads."""
    assert await async_setup_component(hass, "homeassistant", {})
    async_expose_entity(
        hass, "conversation", notify_entity_of(hass, init_integration), True
    )
    caplog.clear()

    api = await llm.async_get_api(
        hass,
        llm.LLM_API_ASSIST,
        llm.LLMContext(
            platform="test",
            context=Context(),
            language="es",
            assistant="conversation",
            device_id=None,
        ),
    )

    assert [tool.name for tool in api.tools if tool.name.startswith(DOMAIN)] == []
    assert f"custom_components.{DOMAIN}.llm" not in sys.modules
    assert [
        record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.WARNING or "llm" in record.getMessage()
    ] == []
