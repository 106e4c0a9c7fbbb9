"""What a Spanish-speaking newcomer reads: no raw true/false, costs said in words."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import poll, setup_entry
from tests.helpers import with_subentries
from tests.simulator import Simulator
from tests.test_metadata import TRANSLATIONS

MARIA = "573001112222"


def _attribute_words(
    language: str, domain: str, translation_key: str, attribute: str
) -> dict[str, Any]:
    entity = TRANSLATIONS[language]["entity"][domain][translation_key]
    words: dict[str, Any] = entity["state_attributes"][attribute]
    return words


async def test_no_attribute_shows_a_raw_true_or_false(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Every yes/no attribute ("Respondido por Assist") has its words in both languages.

    The frontend looks a value up in the entity's `state_attributes` translations and
    shows it raw ("true") when there is none.
    """
    for component in ("homeassistant", "conversation"):
        assert await async_setup_component(hass, component, {})
    simulator.aldeamo.add_user("whatsapp", MARIA, name="María")
    await setup_entry(
        hass,
        with_subentries(
            aldeamo_entry,
            ConfigSubentryData(
                data={
                    "name": "María Gómez",
                    "channel": "whatsapp",
                    "client_id": MARIA,
                    "assist": True,
                },
                subentry_type="contact",
                title="María Gómez",
                unique_id=f"whatsapp:{MARIA}",
            ),
        ),
    )
    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", MARIA, "¿Qué hora es?", name="María")
    await poll(hass, 31)

    registry = er.async_get(hass)
    shown: list[tuple[str, str, object]] = []
    for entity in er.async_entries_for_config_entry(registry, aldeamo_entry.entry_id):
        state = hass.states.get(entity.entity_id)
        assert state is not None
        for attribute, value in state.attributes.items():
            if isinstance(value, bool):
                shown.append((entity.entity_id, attribute, value))
                for language in ("en", "es"):
                    words = _attribute_words(
                        language, entity.domain, str(entity.translation_key), attribute
                    )
                    assert words["state"][str(value).lower()], (language, attribute)
    assert ("event.maria_gomez_messages", "assist", True) in shown
    assert (
        _attribute_words("es", "event", "contact_messages", "assist")["state"]["true"]
        == "Sí"
    )


@pytest.mark.parametrize(
    ("language", "segments", "seventy"),
    [("en", "segments", "70 characters"), ("es", "segments", "70 caracteres")],
)
def test_send_sms_says_encoding_and_segments_are_what_it_costs(
    language: str, segments: str, seventy: str
) -> None:
    """The action's description explains its answer's keys as cost; "Mensaje" says 70."""
    action = TRANSLATIONS[language]["services"]["send_sms"]
    assert segments in action["description"]
    assert "encoding" in action["description"]
    assert "ucs2" in action["description"]
    assert "70" in action["description"]
    message_help = action["fields"]["message"]["description"]
    assert seventy in message_help
    assert "ó" in message_help


@pytest.mark.parametrize(("language", "warns"), [("en", "warn"), ("es", "avis")])
def test_the_options_intro_promises_nothing_a_bots_form_lacks(
    language: str, warns: str
) -> None:
    """A bot's options have only the update interval: the intro names no warnings."""
    intro = TRANSLATIONS[language]["options"]["step"]["init"]["description"]
    assert warns not in intro.lower()
    assert "{account}" in intro


async def test_a_bots_user_count_says_in_spanish_whom_it_counts(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """A count named "Usuarios de WhatsApp" left a newcomer guessing: say who is counted."""
    hass.config.language = "es"
    simulator.aldeamo.add_user("whatsapp", MARIA, name="María")
    simulator.aldeamo.add_user("whatsapp", "573004445555", name="Juan")
    await setup_entry(hass, aldeamo_entry)

    entity_id = next(
        e.entity_id
        for e in er.async_entries_for_config_entry(
            entity_registry, aldeamo_entry.entry_id
        )
        if e.translation_key == "users_whatsapp"
    )
    state = hass.states.get(entity_id)

    assert state is not None
    assert state.state == "2"
    assert state.attributes["friendly_name"].endswith(
        "Personas que escribieron por WhatsApp"
    )
