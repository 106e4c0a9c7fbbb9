"""Every way to send, failing at the provider: the caller gets a translated error, sent once.

The actions are crossed with every fault in the fault matrix; these are the notify
paths (the entities and the classic service), which reach the same sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from homeassistant.config_entries import SOURCE_REAUTH, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import setup_entry
from tests.helpers import assert_translated, notify_entity_of, with_subentries
from tests.simulator import FaultKind, Simulator

MAMA = "573001119999"
ANA = "573001112222"

type Send = Callable[[HomeAssistant, MockConfigEntry], Awaitable[object]]


async def _entity(hass: HomeAssistant, entry: MockConfigEntry) -> object:
    return await hass.services.async_call(
        "notify",
        "send_message",
        {"entity_id": notify_entity_of(hass, entry), "message": "Hola"},
        blocking=True,
    )


async def _classic_sms(hass: HomeAssistant, entry: MockConfigEntry) -> object:
    return await hass.services.async_call(
        "notify",
        "tienda_dona_perez",
        {"message": "Su código es 123456", "target": [MAMA]},
        blocking=True,
    )


async def _classic_bot(hass: HomeAssistant, entry: MockConfigEntry) -> object:
    return await hass.services.async_call(
        "notify",
        "aldeamo_bots",
        {"message": "Hola", "target": [f"whatsapp:{ANA}"]},
        blocking=True,
    )


PATHS = {
    "recipient-entity": ("elibom", _entity),
    "classic-sms": ("elibom", _classic_sms),
    "contact-entity": ("aldeamo", _entity),
    "classic-bot": ("aldeamo", _classic_bot),
}
FAILURES = {
    # HTTP status of the failed POST: the translation key the caller reads.
    401: "auth_failed",
    429: "rate_limited",
    500: "send_outcome_unknown",
}


def _entry(
    provider: str, elibom_entry: MockConfigEntry, aldeamo_entry: MockConfigEntry
) -> MockConfigEntry:
    if provider == "elibom":
        return with_subentries(
            elibom_entry,
            ConfigSubentryData(
                data={"name": "Mamá", "phone_number": MAMA},
                subentry_type="recipient",
                title="Mamá",
                unique_id=MAMA,
            ),
        )
    return with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={"name": "Ana", "channel": "whatsapp", "client_id": ANA},
            subentry_type="contact",
            title="Ana",
            unique_id=f"whatsapp:{ANA}",
        ),
    )


@pytest.mark.parametrize("status", list(FAILURES))
@pytest.mark.parametrize("path", list(PATHS))
async def test_a_notify_path_that_fails_at_the_provider_raises_a_translated_error(
    hass: HomeAssistant,
    simulator: Simulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    path: str,
    status: int,
) -> None:
    """Never a silent drop, never a repeat: one POST, the error in the user's words."""
    provider, send = PATHS[path]
    entry = _entry(provider, elibom_entry, aldeamo_entry)
    await setup_entry(hass, entry)
    simulator.fail_next(
        FaultKind.STATUS, status=status, provider=provider, method="POST"
    )

    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, entry)
    await hass.async_block_till_done()

    assert not isinstance(caught.value, ServiceValidationError)
    assert_translated(caught.value, FAILURES[status])
    assert caught.value.translation_placeholders["provider"] == provider.capitalize()
    posts = simulator.requests_to(provider, "POST")
    assert len(posts) == 1
    reauth = list(entry.async_get_active_flows(hass, {SOURCE_REAUTH}))
    assert len(reauth) == (1 if status == 401 else 0)


@pytest.mark.parametrize("path", list(PATHS))
async def test_a_notify_path_whose_provider_cannot_be_reached_says_so(
    hass: HomeAssistant,
    simulator: Simulator,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    path: str,
) -> None:
    """The provider is gone before the request: cannot_connect, nothing was sent."""
    provider, send = PATHS[path]
    entry = _entry(provider, elibom_entry, aldeamo_entry)
    await setup_entry(hass, entry)
    await simulator.stop()

    with pytest.raises(HomeAssistantError) as caught:
        await send(hass, entry)

    assert_translated(caught.value, "cannot_connect")
