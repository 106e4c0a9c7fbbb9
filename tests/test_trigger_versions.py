"""Where the editor's triggers exist: from Home Assistant 2026.10 on, and nowhere before.

On older versions (a labs preview with another API) the integration offers none:
an automation naming one is refused as an unknown trigger, nothing is logged as
an error, and the device triggers are what they were (test_device_trigger.py).
"""

from __future__ import annotations

from homeassistant.const import MAJOR_VERSION, MINOR_VERSION
from homeassistant.core import HomeAssistant
from homeassistant.helpers.trigger import async_validate_trigger_config
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from tests.helpers import device_of

NEWER = (MAJOR_VERSION, MINOR_VERSION) >= (2026, 10)


async def test_the_triggers_exist_from_2026_10_and_are_refused_before(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """An automation on the account's "SMS failed" validates on 2026.10+, not on 2026.2."""
    account = device_of(hass, init_integration, init_integration.entry_id)
    config = [
        {
            "platform": "latam_messaging.delivery_failed",
            "target": {"device_id": account.id},
        }
    ]

    if NEWER:
        (validated,) = await async_validate_trigger_config(hass, config)
        assert validated["target"]["device_id"] == [account.id]
    else:
        with pytest.raises(vol.Invalid):
            await async_validate_trigger_config(hass, config)
