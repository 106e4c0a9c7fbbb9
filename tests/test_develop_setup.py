"""scripts/develop's setup against a real Home Assistant: its language and its dashboard."""

from __future__ import annotations

from collections.abc import Generator
import importlib.util
import logging
from pathlib import Path
from types import ModuleType

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from tests.conftest import CONTACT, RECIPIENT, poll, setup_entry
from tests.helpers import bot_answers_to, state_of, with_subentries
from tests.simulator import Simulator

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "lib" / "develop_setup.py"


@pytest.fixture(autouse=True)
def quiet_websocket() -> Generator[None]:
    """Keep the WebSocket API's debug echo of every message out of the log guard.

    Like the bus's "Bus:Handling", it repeats whole answers (tokens, registries) by
    design; the scripts' own output is what these tests look at.
    """
    logger = logging.getLogger("homeassistant.components.websocket_api")
    level = logger.level
    logger.setLevel(logging.INFO)
    yield
    logger.setLevel(level)


def _develop_setup() -> ModuleType:
    spec = importlib.util.spec_from_file_location("develop_setup", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _api(
    hass: HomeAssistant, hass_client: ClientSessionGenerator, token: str
) -> object:
    client = await hass_client()
    script = _develop_setup()
    api = script.Api(client.session, str(client.make_url("")).rstrip("/"))
    api.token = token
    return api


async def test_the_demo_dashboard_is_its_own_in_the_sidebar_and_saved_once(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
) -> None:
    """/latam-messaging, shown in the sidebar, with the SMS and bot cards; a rerun adds none."""
    for component in (
        "webhook",
        "repairs",
        "api",
        "websocket_api",
        "config",
        "lovelace",
    ):
        assert await async_setup_component(hass, component, {})
    await setup_entry(hass, elibom_entry)
    await setup_entry(hass, aldeamo_entry)
    script = _develop_setup()
    api = await _api(hass, hass_client, hass_access_token)

    await script.save_dashboard(api)
    await script.save_dashboard(api)

    boards = await api.websocket({"type": "lovelace/dashboards/list"})  # type: ignore[attr-defined]
    assert [(b["url_path"], b["show_in_sidebar"]) for b in boards] == [
        ("latam-messaging", True)
    ]
    config = await api.websocket(  # type: ignore[attr-defined]
        {"type": "lovelace/config", "url_path": "latam-messaging"}
    )
    cards = {card["title"]: card for card in config["views"][0]["cards"]}
    assert cards["SMS (Elibom)"]["entities"] == [
        "sensor.tienda_dona_perez_credits",
        "sensor.tienda_dona_perez_unconfirmed_sms",
        "sensor.tienda_dona_perez_scheduled_messages",
    ]  # the account's users are a diagnostic, disabled by default: not on the card
    assert "sensor.aldeamo_bots_whatsapp_users" in cards["Bots (Aldeamo)"]["entities"]


async def test_the_demo_dashboard_has_no_empty_card_and_shows_each_person(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """No "Error de configuración" card; each person's entities are on the dashboard.

    The credit history has its sensor; the recipient's and the contact's entities
    are there to send to, to read from, and to see what the last SMS did.
    """
    for component in (
        "webhook",
        "repairs",
        "api",
        "websocket_api",
        "config",
        "lovelace",
    ):
        assert await async_setup_component(hass, component, {})
    simulator.aldeamo.add_user("whatsapp", "573004445555", name="Ana")
    await setup_entry(hass, with_subentries(elibom_entry, RECIPIENT))
    await setup_entry(hass, with_subentries(aldeamo_entry, CONTACT))
    script = _develop_setup()
    api = await _api(hass, hass_client, hass_access_token)

    await script.save_dashboard(api)

    config = await api.websocket(  # type: ignore[attr-defined]
        {"type": "lovelace/config", "url_path": "latam-messaging"}
    )
    cards = {card["title"]: card for card in config["views"][0]["cards"]}
    assert cards["Créditos"]["entities"] == ["sensor.tienda_dona_perez_credits"]
    for card in cards.values():
        assert card.get("entities") or card["target"]["entity_id"], card
    assert sorted(cards["Personas"]["entities"]) == [
        "event.ana_messages",
        "sensor.mama_last_sms",
    ]
    # Whom to send to: a button each, not a notify state reading "Desconocido".
    send = cards["Enviar"]["entities"]
    assert sorted(row["entity"] for row in send) == ["notify.ana", "notify.mama"]
    for row in send:
        assert row["type"] == "button"
        assert row["tap_action"]["perform_action"] == "notify.send_message"
        assert row["tap_action"]["target"] == {"entity_id": row["entity"]}
    assert "event.ana_messages" in cards["Mensajes recibidos"]["target"]["entity_id"]


async def test_a_spanish_demo_sets_home_assistants_own_language_before_any_account(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    elibom_entry: MockConfigEntry,
) -> None:
    """--language es: Home Assistant speaks Spanish, so the accounts' entities do too."""
    for component in ("webhook", "repairs", "api", "websocket_api", "config"):
        assert await async_setup_component(hass, component, {})
    script = _develop_setup()
    api = await _api(hass, hass_client, hass_access_token)
    assert hass.config.language == "en"

    await script.set_language(api, "es")
    await setup_entry(hass, elibom_entry)

    assert hass.config.language == "es"
    assert hass.states.get("sensor.tienda_dona_perez_sms_sin_confirmar") is not None
    assert hass.states.get("sensor.tienda_dona_perez_creditos") is not None


@pytest.mark.parametrize(
    ("language", "light", "sorry"),
    [("es", "Luz de la cocina", "Lo siento"), ("en", "Kitchen light", "Sorry")],
)
async def test_the_demo_light_is_exposed_and_marias_chatter_switches_it(  # noqa: PLR0913
    language: str,
    light: str,
    sorry: str,
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    hass_access_token: str,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """María (assist on) writes the demo's lines: the light goes on, she asks, then off.

    Her first lines show what Assist over chat is for: a light switched and a
    question it answers well, never a question the agent can only get wrong.
    """
    from tests.simulator.__main__ import CHATTER, MARIA  # noqa: PLC0415

    await hass.config.async_update(language=language)
    for component in (
        "webhook",
        "repairs",
        "homeassistant",
        "api",
        "websocket_api",
        "config",
        "conversation",
    ):
        assert await async_setup_component(hass, component, {})
    assert await async_setup_component(
        hass,
        "input_boolean",
        {"input_boolean": {"kitchen_light": {"name": light}}},
    )
    script = _develop_setup()
    api = await _api(hass, hass_client, hass_access_token)
    await script.expose_demo_light(api)
    channel, maria, name = MARIA
    simulator.aldeamo.add_user(channel, maria, name=name)
    entry = with_subentries(
        aldeamo_entry,
        ConfigSubentryData(
            data={
                "name": "María",
                "channel": channel,
                "client_id": maria,
                "assist": True,
            },
            subentry_type="contact",
            title="María (WhatsApp)",
            unique_id=f"{channel}:{maria}",
        ),
    )
    await setup_entry(hass, entry)

    seen = []
    for line_channel, user, user_name, text in CHATTER[language]:
        if user != maria:
            continue
        simulator.advance(5)
        simulator.aldeamo.write(line_channel, user, text, name=user_name)
        await poll(hass)
        seen.append(state_of(hass, "input_boolean.kitchen_light"))
    assert seen == ["on", "on", "off"]
    answers = bot_answers_to(simulator, maria)
    assert len(answers) == len(seen)  # every line of hers was answered
    # The clock's time, told by every agent version: a question it answers well.
    assert not answers[1].startswith(sorry)
    assert any(character.isdigit() for character in answers[1])
