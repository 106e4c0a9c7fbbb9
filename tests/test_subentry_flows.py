"""Adding, naming and changing recipients (Elibom) and contacts (Aldeamo) through subentry flows."""

from __future__ import annotations

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentry,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, UnknownHandler
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.flow_helpers import suggested_value
from tests.helpers import ENGLISH, device_of
from tests.simulator import Simulator
from tests.test_metadata import TRANSLATIONS

ANA = "573001112222"
BETO = "573004445555"
FB_USER = "2291837465"


# Helpers --------------------------------------------------------------------------


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
def aldeamo_users(simulator: Simulator) -> None:
    """Two WhatsApp users (one without a name) and one Facebook user."""
    simulator.aldeamo.add_user("whatsapp", ANA, name="Ana María")
    simulator.aldeamo.add_user("whatsapp", BETO)
    simulator.aldeamo.add_user("facebook", FB_USER, name="Carlos")


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
    ("number", "error"),
    [
        ("12ab5678", "invalid_phone_number"),
        ("+1234567", "invalid_phone_number"),
        ("+1234567890123456", "invalid_phone_number"),
        ("+57 300 111 2222 ext 5", "invalid_phone_number"),
        # Without +: a 10-digit mobile or 57 and one, nothing else is guessed.
        ("310 555 66", "local_phone_number"),
        ("1234567", "local_phone_number"),
        ("310 555 66778", "local_phone_number"),
        ("58 310 555 6677", "local_phone_number"),
        ("1234567890123456", "local_phone_number"),
    ],
)
async def test_recipient_with_an_invalid_number_shows_why(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, number: str, error: str
) -> None:
    """With +, 8 to 15 digits; without, a number of the default country, or an error."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "Mamá", number)

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"phone_number": error}
    assert elibom_entry.subentries == {}


@pytest.mark.parametrize("language", ["en", "es"])
async def test_a_mistyped_mobile_is_refused_with_how_to_write_it(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, language: str
) -> None:
    """A mistyped "310 555 66" is not saved: the form says to write + and the code."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "María Gómez", "310 555 66")

    shown = TRANSLATIONS[language]["config_subentries"]["recipient"]["error"][
        result["errors"]["phone_number"]
    ].format(**result["description_placeholders"])
    assert "+57 310 555 6677" in shown
    assert ("10 dígitos" if language == "es" else "10-digit") in shown
    help_text = TRANSLATIONS[language]["config_subentries"]["recipient"]["step"][
        "user"
    ]["data_description"]["phone_number"].format(**result["description_placeholders"])
    assert "+57" in help_text
    assert elibom_entry.subentries == {}


@pytest.mark.parametrize(
    ("written", "dialled"),
    [
        ("310 555 6677", "+57 310 555 6677"),
        ("57 310 555 6677", "+57 310 555 6677"),
        ("+57 (310) 555-6677", "+57 310 555 6677"),
        ("+1 555 010 0199", "+15550100199"),
    ],
)
async def test_a_saved_recipient_is_confirmed_with_the_number_as_dialled(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, written: str, dialled: str
) -> None:
    """The confirmation shows the whole number that will be dialled: the typo is visible."""
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "María Gómez", written)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description_placeholders"]["number"] == dialled
    for language in ("en", "es"):
        added = TRANSLATIONS[language]["config_subentries"]["recipient"][
            "create_entry"
        ]["added"]
        assert "notify.send_message" not in added


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
    assert suggested_value(result, "phone_number") == "573001112222"
    assert suggested_value(result, "name") == "Mamá"

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
    assert result["description_placeholders"] == {
        "channel": "WhatsApp"
    }  # its name, not the key
    assert _offered_users(result) == [
        {"value": ANA, "label": f"Ana María ({ANA})"},
        {"value": BETO, "label": BETO},
    ]
    facebook = await _contact_details(hass, aldeamo_entry, "facebook")
    assert _offered_users(facebook) == [
        {"value": FB_USER, "label": f"Carlos ({FB_USER})"}
    ]


@pytest.mark.usefixtures("aldeamo_users")
async def test_contact_details_list_the_users_once_and_offer_none_if_the_provider_fails(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The users are asked of the provider when the form opens; a failure offers none."""
    await setup_entry(hass, aldeamo_entry)
    listed = len(simulator.requests_to("aldeamo", "GET", "/users"))
    simulator.fail_next("status", status=500, method="GET", path="/users")

    result = await _contact_details(hass, aldeamo_entry, "whatsapp")
    assert _offered_users(result) == []
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": "no es un id"}
    )
    assert result["errors"] == {"client_id": "invalid_client_id"}  # the form again

    assert len(simulator.requests_to("aldeamo", "GET", "/users")) == listed + 1


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
async def test_a_contact_already_added_is_said_on_the_form_and_left_out_of_the_picker(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry
) -> None:
    """One contact per user and channel: no dead end, the form stays open to pick another."""
    await setup_entry(hass, aldeamo_entry)
    result = await _contact_details(hass, aldeamo_entry, "whatsapp")
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": ANA}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    result = await _contact_details(hass, aldeamo_entry, "whatsapp")
    assert [option["value"] for option in _offered_users(result)] == [BETO]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": ANA, "name": "Ana otra vez"}
    )

    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "details"
    assert result["errors"] == {"client_id": "already_configured"}
    for language in ("en", "es"):
        assert TRANSLATIONS[language]["config_subentries"]["contact"]["error"][
            "already_configured"
        ]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"client_id": BETO}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(aldeamo_entry.subentries) == 2


@pytest.mark.parametrize("language", ["en", "es"])
async def test_the_contact_form_says_what_a_contact_is_and_names_the_channel(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, language: str
) -> None:
    """Step 1 explains and preselects nothing; step 2 says "WhatsApp", never "whatsapp"."""
    await setup_entry(hass, aldeamo_entry)
    texts = TRANSLATIONS[language]["config_subentries"]["contact"]["step"]

    result = await hass.config_entries.subentries.async_init(
        (aldeamo_entry.entry_id, "contact"), context={"source": SOURCE_USER}
    )
    (marker,) = result["data_schema"].schema
    # Not required on the form: the frontend would check a required list's first.
    assert isinstance(marker, vol.Optional)
    assert marker.default is vol.UNDEFINED
    assert "WhatsApp" in texts["user"]["description"]
    result = await hass.config_entries.subentries.async_configure(result["flow_id"], {})
    assert result["errors"] == {"channel": "required"}  # sent with none: asked again
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"channel": "whatsapp"}
    )

    title = texts["details"]["title"].format(**result["description_placeholders"])
    help_text = texts["details"]["data_description"]["client_id"].format(
        **result["description_placeholders"]
    )
    assert "WhatsApp" in title
    assert "WhatsApp" in help_text
    assert "whatsapp" not in title + help_text


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
    assert suggested_value(result, "client_id") == ANA
    assert suggested_value(result, "name") == "Ana"
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


@pytest.mark.parametrize(
    ("provider", "offered", "refused"),
    [("elibom", "recipient", "contact"), ("aldeamo", "contact", "recipient")],
)
async def test_each_account_offers_only_its_own_kind_of_person(
    hass: HomeAssistant,
    simulator: Simulator,
    provider: str,
    offered: str,
    refused: str,
    request: pytest.FixtureRequest,
) -> None:
    """An account's menu has "Add recipient" or "Add contact", never both.

    Home Assistant asks for the types per entry; the other kind cannot even be started.
    """
    entry: MockConfigEntry = request.getfixturevalue(f"{provider}_entry")
    await setup_entry(hass, entry)
    simulator.requests.clear()

    assert list(entry.supported_subentry_types) == [offered]
    with pytest.raises(UnknownHandler):
        await hass.config_entries.subentries.async_init(
            (entry.entry_id, refused), context={"source": SOURCE_USER}
        )
    assert simulator.requests == []
    assert entry.subentries == {}


async def test_a_saved_recipient_is_confirmed_in_full_and_masked_on_its_device(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The user's own forms show the whole number as dialled; the device its last digits.

    The success step and the edit form are seen only by who typed the number, and a
    typo must be visible there; the device page is seen everywhere.
    """
    await setup_entry(hass, elibom_entry)

    result = await _add_recipient(hass, elibom_entry, "Mamá", "300 111 2222")

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["description"] == "added"
    assert result["description_placeholders"] == {
        "name": "Mamá",
        "number": "+57 300 111 2222",
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
    assert again["description_placeholders"] == {
        "number": "+57 300 111 2222",
        "country_code": "57",
    }


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
