"""What an SMS costs, in a running Home Assistant: encoding and parts, and the plain alphabet.

Every test sends through the real action, notify entity or classic notify service to
the simulator over loopback HTTP, and reads the text that went over the wire.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntryState, ConfigSubentryData
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.helpers import assert_translated, notify_entity_of
from tests.simulator import Simulator

NUMBER = "573001112222"
LEGACY_SERVICE = "tienda_dona_perez"
ALARM = "Alarma: se abrió la puerta"
ALARM_PLAIN = "Alarma: se abrio la puerta"
# 150 characters with one á and one ó: three UCS-2 parts (67 + 67 + 16); one folded.
REMINDER = (
    "Recordatorio: mañana vence la factura del agua; páguela en la tienda "
    "o por la app antes de las 6 p. m. para evitar la suspensión del servicio. Gracias"
)
REMINDER_PLAIN = (
    "Recordatorio: mañana vence la factura del agua; paguela en la tienda "
    "o por la app antes de las 6 p. m. para evitar la suspension del servicio. Gracias"
)


def _texts(simulator: Simulator) -> list[str]:
    """Return the text of every POST /messages Elibom received, in order."""
    return [
        request.json["text"]
        for request in simulator.requests_to("elibom", "POST", "/messages")
    ]


def _entry(
    elibom_entry: MockConfigEntry, *, plain_alphabet: bool | None, recipient: bool
) -> MockConfigEntry:
    """Return the test account's entry with this option, and a recipient if asked."""
    subentries = (
        [
            ConfigSubentryData(
                data={"name": "Mamá", "phone_number": NUMBER},
                subentry_type="recipient",
                title="Mamá",
                unique_id=NUMBER,
            )
        ]
        if recipient
        else []
    )
    return MockConfigEntry(
        domain=elibom_entry.domain,
        entry_id=elibom_entry.entry_id,
        title=elibom_entry.title,
        unique_id=elibom_entry.unique_id,
        data=dict(elibom_entry.data),
        options={} if plain_alphabet is None else {"plain_alphabet": plain_alphabet},
        subentries_data=subentries,
    )


async def _send_sms(
    hass: HomeAssistant, entry: MockConfigEntry, message: str, **fields: Any
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": NUMBER, "message": message} | fields,
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def _refused(
    hass: HomeAssistant, simulator: Simulator, entry: MockConfigEntry, **fields: Any
) -> ServiceValidationError:
    """Call send_sms with these fields; it must be refused before any request."""
    before = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await _send_sms(hass, entry, **fields)
    assert simulator.requests[before:] == []
    return caught.value


# The action's answer ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "encoding", "segments"),
    [
        ("Alarma: puerta principal abierta", "gsm7", 1),
        ("¿Quién llegó? ¡Señor Müller!", "ucs2", 1),
        ("¿Qué tal? ¡Señor Müller, Él y Ñoño!", "gsm7", 1),
        (REMINDER, "ucs2", 3),
        ("a" * 160, "gsm7", 1),
        ("Total {10€} " + "x" * 146, "gsm7", 2),  # 158 characters, 161 septets
        ("á" * 70, "ucs2", 1),
        ("á" * 71, "ucs2", 2),
        ("😀" * 35, "ucs2", 1),
        ("😀" * 35 + "!", "ucs2", 2),
    ],
)
async def test_send_sms_answers_how_operators_carry_the_text_it_sent(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    message: str,
    encoding: str,
    segments: int,
) -> None:
    """Without plain_alphabet the text goes as typed; the answer names its encoding and parts."""
    await setup_entry(hass, elibom_entry)

    response = await _send_sms(hass, elibom_entry, message)

    assert _texts(simulator) == [message]
    assert response == {
        "delivery_tokens": list(simulator.elibom.deliveries),
        "encoding": encoding,
        "segments": segments,
    }


async def test_segments_are_one_recipients_parts_however_many_recipients(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Three numbers, one three-part reminder: segments is 3, not 9."""
    await setup_entry(hass, elibom_entry)

    response = await _send_sms(
        hass,
        elibom_entry,
        REMINDER,
        to=["3001112222", "3004445555", "3007778888"],
    )

    assert _texts(simulator) == [REMINDER]
    assert (response["encoding"], response["segments"]) == ("ucs2", 3)


async def test_per_call_plain_alphabet_folds_the_text_sent_and_its_count(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The option is off; plain_alphabet: true on the call sends 1 part instead of 3."""
    await setup_entry(hass, elibom_entry)

    response = await _send_sms(hass, elibom_entry, REMINDER, plain_alphabet=True)

    assert _texts(simulator) == [REMINDER_PLAIN]
    assert (response["encoding"], response["segments"]) == ("gsm7", 1)


async def test_the_entry_option_folds_and_false_on_the_call_overrides_it(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Option on: folded by default; plain_alphabet: false sends exactly what was typed."""
    entry = _entry(elibom_entry, plain_alphabet=True, recipient=False)
    await setup_entry(hass, entry)

    folded = await _send_sms(hass, entry, ALARM)
    typed = await _send_sms(hass, entry, ALARM, plain_alphabet=False)

    assert _texts(simulator) == [ALARM_PLAIN, ALARM]
    assert (folded["encoding"], folded["segments"]) == ("gsm7", 1)
    assert (typed["encoding"], typed["segments"]) == ("ucs2", 1)


async def test_an_emoji_keeps_a_folded_text_in_ucs2(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Accents and quotes go, the emoji stays, and the answer says UCS-2."""
    await setup_entry(hass, elibom_entry)

    response = await _send_sms(
        hass, elibom_entry, "“Llegó” a casa 👍🏽", plain_alphabet=True
    )

    assert _texts(simulator) == ['"Llego" a casa 👍🏽']
    assert (response["encoding"], response["segments"]) == ("ucs2", 1)


async def test_a_scheduled_sms_answers_its_ids_encoding_and_parts(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Scheduling answers the same way, and the folded text is what gets scheduled."""
    await setup_entry(hass, elibom_entry)
    when = dt_util.utcnow() + timedelta(hours=2)

    response = await _send_sms(
        hass, elibom_entry, REMINDER, schedule_at=when.isoformat(), plain_alphabet=True
    )

    assert _texts(simulator) == [REMINDER_PLAIN]
    assert response["schedule_ids"] == list(simulator.elibom.schedules)
    assert (response["encoding"], response["segments"]) == ("gsm7", 1)


# Errors -----------------------------------------------------------------------------


async def test_a_long_ucs2_text_is_refused_saying_plain_alphabet_may_help(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """161 characters with accents: the length, the limit and the hint, nothing sent."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(hass, simulator, elibom_entry, message="ó" * 161)

    assert_translated(err, "message_too_long_ucs2")
    assert err.translation_placeholders == {"length": "161", "limit": "160"}
    assert "161" in str(err)
    assert "160" in str(err)
    assert "plain_alphabet" in str(err)


async def test_a_long_seven_bit_text_is_refused_without_the_hint(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """161 plain characters: plain_alphabet would change nothing, so it is not named."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(hass, simulator, elibom_entry, message="ñ" * 161)

    assert_translated(err, "message_too_long")
    assert "plain_alphabet" not in str(err)


async def test_the_limit_is_measured_on_the_folded_text(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """158 characters and an ellipsis fit as typed; folded, the three dots make 161."""
    await setup_entry(hass, elibom_entry)
    message = "a" * 158 + "…"

    err = await _refused(
        hass, simulator, elibom_entry, message=message, plain_alphabet=True
    )
    response = await _send_sms(hass, elibom_entry, message)

    assert_translated(err, "message_too_long")
    assert err.translation_placeholders == {"length": "161", "limit": "160"}
    assert _texts(simulator) == [message]
    assert (response["encoding"], response["segments"]) == ("ucs2", 3)


@pytest.mark.parametrize("value", ["true", "yes", 1, 0, 1.0, ["true"], {"on": True}])
async def test_plain_alphabet_must_be_true_or_false(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator, value: Any
) -> None:
    """Anything but a boolean is refused, naming the field, before anything is sent."""
    await setup_entry(hass, elibom_entry)

    err = await _refused(
        hass, simulator, elibom_entry, message=ALARM, plain_alphabet=value
    )

    assert_translated(err, "not_a_boolean")
    assert err.translation_placeholders == {"field": "plain_alphabet"}


# Notify entities and the classic service follow the entry's option --------------------


async def test_the_options_flow_turns_plain_alphabet_on_for_the_notify_entity(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """As typed while the option is off; folded after it is saved (and the entry reloads)."""
    entry = _entry(elibom_entry, plain_alphabet=None, recipient=True)
    await setup_entry(hass, entry)
    entity_id = notify_entity_of(hass, entry)

    async def send() -> None:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": entity_id, "title": "Casa", "message": ALARM},
            blocking=True,
        )

    await send()
    flow = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {
            "scan_interval": 60,
            "low_credit_threshold": 0,
            "plain_alphabet": True,
            "default_country_code": "57",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert entry.state is ConfigEntryState.LOADED
    await send()

    assert _texts(simulator) == [f"Casa\n{ALARM}", f"Casa\n{ALARM_PLAIN}"]


async def test_the_notify_entity_refuses_a_long_ucs2_text_with_the_hint(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Same rule and same words on the notify entity, and nothing sent."""
    entry = _entry(elibom_entry, plain_alphabet=False, recipient=True)
    await setup_entry(hass, entry)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": notify_entity_of(hass, entry), "message": "ú" * 200},
            blocking=True,
        )

    assert_translated(caught.value, "message_too_long_ucs2")
    assert simulator.requests[before:] == []


@pytest.mark.parametrize(
    ("plain_alphabet", "sent"),
    [
        (None, f"Tienda\n{ALARM}"),
        (False, f"Tienda\n{ALARM}"),
        (True, "Tienda\n" + ALARM_PLAIN),
    ],
)
async def test_the_classic_notify_service_follows_the_entry_option(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    plain_alphabet: bool | None,
    sent: str,
) -> None:
    """notify.<account>: off by default, folded when the entry's option is on."""
    entry = _entry(elibom_entry, plain_alphabet=plain_alphabet, recipient=False)
    await setup_entry(hass, entry)

    await hass.services.async_call(
        "notify",
        LEGACY_SERVICE,
        {"message": ALARM, "title": "Tienda", "target": ["3001112222"]},
        blocking=True,
    )
    await hass.async_block_till_done()

    assert _texts(simulator) == [sent]
