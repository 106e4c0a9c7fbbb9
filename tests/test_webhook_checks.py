"""What Elibom's inbound-SMS webhook refuses: what is no callback (400) and a flood (429).

Anyone who learns the webhook URL can post to it: what cannot be an SMS from
Elibom is refused with one debug line, and more than 60 callbacks a minute for
one account are refused until the minute has passed (Elibom retries them).
"""

from __future__ import annotations

from datetime import timedelta
import json
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import CONF_USERNAME, CONF_WEBHOOK_ID
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.latam_messaging.const import (
    CONF_ACCOUNT_ID,
    CONF_API_TOKEN,
    DOMAIN,
    EVENT_MESSAGE_RECEIVED,
    LOGGER,
)
from tests.conftest import setup_entry
from tests.const import WEBHOOK_ID
from tests.helpers import listen
from tests.simulator import Simulator

ANA = "573001112222"
URL = f"/api/latam_messaging/elibom/{WEBHOOK_ID}"


def _stored(hass_storage: dict[str, Any], text: str) -> int:
    """How many times `text` is written in the integration's storage."""
    return sum(
        json.dumps(value, ensure_ascii=False).count(
            json.dumps(text, ensure_ascii=False)
        )
        for key, value in hass_storage.items()
        if key.startswith(DOMAIN)
    )


def _our_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(LOGGER.name)]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"text": "hola"}, id="no from"),
        pytest.param({"from": "", "text": "hola"}, id="empty from"),
        pytest.param({"from": "abc", "text": "hola"}, id="from not a number"),
        pytest.param({"from": ANA}, id="no text"),
        pytest.param({"from": ANA, "text": "x" * 1601}, id="text over 1600"),
        pytest.param({"from": ANA, "text": "abre\x00la puerta"}, id="NUL in text"),
        pytest.param({"from": ANA, "text": "\x1b[2Jhola"}, id="escape in text"),
        pytest.param({"from": ANA, "text": "hola\x7f"}, id="DEL in text"),
        pytest.param({"from": ANA, "text": "ho\x85la"}, id="C1 control in text"),
        pytest.param({"from": ANA + "\x00", "text": "hola"}, id="NUL in from"),
        pytest.param({"from": ANA, "text": "hola", "date": "1\x0b"}, id="VT in date"),
    ],
)
async def test_what_is_no_elibom_callback_gets_400_one_debug_line_and_nothing_stored(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    query: dict[str, str],
) -> None:
    """Refused before anything is stored or fired; the log says so once, at debug level."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    caplog.clear()

    response = await client.get(URL, params=query)
    await hass.async_block_till_done()

    assert response.status == 400
    (line,) = _our_lines(caplog)
    assert line.levelno == logging.DEBUG
    assert "refused" in line.getMessage()
    assert events == []
    assert _stored(hass_storage, "hola") == 0


async def test_the_longest_plausible_sms_is_taken(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """1,600 characters: ten concatenated parts of 160, or 25 of 67 with accents, less a few."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    # Line breaks and tabs cannot be tried: Home Assistant's HTTP server refuses
    # a query string carrying them (400) before any webhook sees it.
    texts = ["ñ" * 1600, "x" * 1600]

    for text in texts:
        response = await client.get(URL, params={"from": ANA, "text": text})
        assert response.status == 200
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == texts


async def test_over_60_callbacks_a_minute_get_429_and_each_sms_is_stored_once(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    """The 61st callback within a minute is refused; retried after it, it counts once."""
    await setup_entry(hass, elibom_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()

    def sms(n: int) -> dict[str, str]:
        return {"from": ANA, "text": f"Voto {n}", "date": f"24-11-2026-10-{n:02d}-00"}

    for n in range(60):
        assert (await client.get(URL, params=sms(n))).status == 200
        freezer.tick(timedelta(milliseconds=900))
    refused = await client.get(URL, params=sms(60))
    again = await client.get(URL, params=sms(59))  # a repeat is no way around it
    await hass.async_block_till_done()
    assert (refused.status, again.status) == (429, 429)
    assert _stored(hass_storage, "Voto 60") == 0
    assert len(events) == 60

    freezer.tick(timedelta(seconds=8))  # the first three are a minute old
    assert (await client.get(URL, params=sms(60))).status == 200
    assert (await client.get(URL, params=sms(60))).status == 200
    assert (await client.get(URL, params=sms(59))).status == 200
    await hass.async_block_till_done()

    assert [e["message"] for e in events] == [f"Voto {n}" for n in range(61)]
    # Fired, each is remembered by its id, once, to know a repeat.
    inbound = hass_storage[f"{DOMAIN}.{elibom_entry.entry_id}"]["data"]["inbound"]
    assert sorted(inbound) == sorted(e["message_id"] for e in events)


async def test_the_limit_is_per_account_and_outlives_a_reload(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """A flood on one account's webhook leaves another account's webhook open."""
    account = simulator.elibom.add_account(
        "otra@example.com", "otra-clave-0002", name="Otra"
    )
    other = MockConfigEntry(
        domain=DOMAIN,
        entry_id="01OTHERELIBOMENTRY00000000",
        title="Otra",
        unique_id=str(account.owner_id),
        minor_version=2,
        data={
            **elibom_entry.data,
            CONF_USERNAME: "otra@example.com",
            CONF_API_TOKEN: "otra-clave-0002",
            CONF_ACCOUNT_ID: str(account.owner_id),
            CONF_WEBHOOK_ID: "elibom-inbound-other",
        },
    )
    await setup_entry(hass, elibom_entry)
    await setup_entry(hass, other)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    client = await hass_client_no_auth()
    for n in range(60):
        await client.get(URL, params={"from": ANA, "text": f"Spam {n}"})
    assert (await client.get(URL, params={"from": ANA, "text": "más"})).status == 429
    assert await hass.config_entries.async_reload(elibom_entry.entry_id)
    # A reload is no way around it: the webhook and its count outlive it.
    assert (await client.get(URL, params={"from": ANA, "text": "más"})).status == 429

    response = await client.get(
        "/api/latam_messaging/elibom/elibom-inbound-other",
        params={"from": ANA, "text": "Hola"},
    )
    await hass.async_block_till_done()

    assert response.status == 200
    assert [e["config_entry_id"] for e in events if e["message"] == "Hola"] == [
        other.entry_id
    ]
