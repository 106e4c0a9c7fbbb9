"""What the sensors tell a newcomer: every schedule, the last SMS, names that say what."""

from __future__ import annotations

from datetime import timedelta

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_URL, CONF_USERNAME, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.latam_messaging.const import (
    CONF_API_TOKEN,
    CONF_LOW_CREDIT_THRESHOLD,
    DOMAIN,
)
from custom_components.latam_messaging.elibom.sensor import MAX_LISTED_SCHEDULES
from custom_components.latam_messaging.number_format import format_number
from tests.conftest import poll, setup_entry
from tests.const import ELIBOM_TOKEN, ELIBOM_USER
from tests.helpers import ENGLISH, snapshot_platform, state_of
from tests.simulator import Simulator

SCHEDULED = "sensor.tienda_dona_perez_scheduled_messages"
UNCONFIRMED = "sensor.tienda_dona_perez_unconfirmed_sms"
USERS = "sensor.tienda_dona_perez_account_users"
LONG_TEXT = "Recordatorio: mañana vence la factura del gas natural de la casa"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up the sensors only."""
    return [Platform.SENSOR]


@pytest.mark.parametrize("provider", ["elibom", "aldeamo"])
@pytest.mark.usefixtures("init_integration")
async def test_sensors(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every sensor of an account: ids, names, units, states and attributes."""
    snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)


async def _send(hass: HomeAssistant, entry: MockConfigEntry, **data: object) -> None:
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, **data},
        blocking=True,
        return_response=True,
    )


async def test_scheduled_messages_list_every_schedule_with_its_id(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Id, time, recipients and a preview of each, soonest first, to find one to cancel."""
    await setup_entry(hass, elibom_entry)
    later = (dt_util.now() + timedelta(hours=5)).replace(second=0, microsecond=0)
    sooner = (dt_util.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    await _send(
        hass,
        elibom_entry,
        to=["3001112222", "3004445555"],
        message=LONG_TEXT,
        schedule_at=later,
    )
    await _send(hass, elibom_entry, to="3007778888", message="Agua", schedule_at=sooner)
    later_id, sooner_id = list(simulator.elibom.schedules)

    for _ in range(2):  # as the send shows it, and as the next poll reads it
        state = hass.states.get(SCHEDULED)
        assert state is not None
        assert state.state == "2"
        listed = [
            item | {"time": dt_util.parse_datetime(item["time"])}
            for item in state.attributes["schedules"]
        ]
        assert listed == [
            {"id": sooner_id, "time": sooner, "recipients": 1, "preview": "Agua"},
            {
                "id": later_id,
                "time": later,
                "recipients": 2,
                "preview": LONG_TEXT[:40] + "…",
            },
        ]
        assert state.attributes["next_preview"] == "Agua"
        await poll(hass)


async def test_scheduled_messages_list_the_soonest_and_count_the_rest(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Past MAX_LISTED_SCHEDULES the attributes stop listing and say how many more."""
    await setup_entry(hass, elibom_entry)
    start = (dt_util.now() + timedelta(hours=1)).replace(second=0, microsecond=0)
    for minutes in range(MAX_LISTED_SCHEDULES + 2):
        await _send(
            hass,
            elibom_entry,
            to="3007778888",
            message=f"Aviso {minutes}",
            schedule_at=start + timedelta(minutes=minutes),
        )
    await poll(hass)

    state = hass.states.get(SCHEDULED)
    assert state is not None
    assert state.state == str(MAX_LISTED_SCHEDULES + 2)
    assert [item["preview"] for item in state.attributes["schedules"]] == [
        f"Aviso {minutes}" for minutes in range(MAX_LISTED_SCHEDULES)
    ]
    assert state.attributes["schedules_not_listed"] == 2


async def test_unconfirmed_sms_says_what_it_counts_and_shows_the_last_sms(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Named for what it counts; the last SMS: number's end, status, time; kept on reload."""
    await setup_entry(hass, elibom_entry)
    state = hass.states.get(UNCONFIRMED)
    assert state is not None
    assert state.name == "Tienda Doña Pérez Unconfirmed SMS"
    assert state.attributes["last_number"] is None

    await _send(hass, elibom_entry, to="3001112222", message="Hola")
    assert state_of(hass, UNCONFIRMED) == "1"
    simulator.advance(60)
    await poll(hass)

    state = hass.states.get(UNCONFIRMED)
    assert state is not None
    assert state.state == "0"
    assert state.attributes["last_number"] == "••••••••2222"
    assert state.attributes["last_status"] == "finished"
    assert dt_util.parse_datetime(state.attributes["last_time"]) is not None
    sensor = ENGLISH["entity"]["sensor"]["pending_deliveries"]["state_attributes"]
    assert sensor["last_status"]["state"]["finished"] == "Delivered"

    await hass.config_entries.async_reload(elibom_entry.entry_id)
    await hass.async_block_till_done()
    again = hass.states.get(UNCONFIRMED)
    assert again is not None
    assert again.attributes["last_number"] == "••••••••2222"
    assert again.attributes["last_status"] == "finished"


async def test_unconfirmed_sms_tells_how_many_more_numbers_a_broadcast_had(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A delivery to three numbers shows the first one's end and "+2"."""
    simulator.elibom.invalid_numbers.add("573009990000")
    await setup_entry(hass, elibom_entry)

    await _send(
        hass,
        elibom_entry,
        to=["3001112222", "3004445555", "3009990000"],
        message="Hola",
    )
    simulator.advance(60)
    await poll(hass)

    state = hass.states.get(UNCONFIRMED)
    assert state is not None
    assert state.attributes["last_number"] == "••••••••2222 +2"
    assert "573001112222" not in str(state.attributes)


async def test_renamed_sensor_keeps_the_entity_id_an_existing_user_has(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The unique id is unchanged, so automations on the old entity id keep working."""
    elibom_entry.add_to_hass(hass)
    registry = er.async_get(hass)
    old = registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{elibom_entry.entry_id}_pending_deliveries",
        config_entry=elibom_entry,
        suggested_object_id="tienda_dona_perez_pending_deliveries",
    )
    assert old.entity_id == "sensor.tienda_dona_perez_pending_deliveries"

    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()

    state = hass.states.get("sensor.tienda_dona_perez_pending_deliveries")
    assert state is not None
    assert state.name == "Tienda Doña Pérez Unconfirmed SMS"
    assert hass.states.get(UNCONFIRMED) is None


async def test_low_credit_repair_writes_numbers_the_way_spanish_does(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """In a Spanish Home Assistant the repair says 98,2 créditos, not 98.2."""
    hass.config.language = "es"
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 98.2
    elibom_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        elibom_entry, options={CONF_LOW_CREDIT_THRESHOLD: 100.5}
    )
    await hass.config_entries.async_setup(elibom_entry.entry_id)
    await hass.async_block_till_done()

    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"low_credit_{elibom_entry.entry_id}"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["credits"] == "98,2"
    assert issue.translation_placeholders["threshold"] == "100,5"


def test_numbers_in_texts_follow_the_language() -> None:
    """Decimal comma where the language writes one; no trailing zeros; whole stays whole."""
    assert format_number(246.4, "es") == "246,4"
    assert format_number(246.4, "es-419") == "246,4"
    assert format_number(246.4, "en") == "246.4"
    assert format_number(1.25, "pt-BR") == "1,25"
    assert format_number(99.0, "es") == "99"
    assert format_number(-0.001, "en") == "0"


async def test_the_account_users_sensor_of_a_new_account_is_disabled_until_turned_on(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A diagnostic few look at: registered disabled; turned on, it shows active users."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "elibom"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_USERNAME: ELIBOM_USER,
            CONF_API_TOKEN: ELIBOM_TOKEN,
            CONF_URL: simulator.elibom_url,
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    entry = result["result"]
    registry = er.async_get(hass)
    entity_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{entry.entry_id}_account_users"
    )
    assert entity_id == USERS
    registered = registry.async_get(entity_id)
    assert registered is not None
    assert registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(USERS) is None
    assert state_of(hass, "sensor.tienda_dona_perez_credits") == "100.0"

    registry.async_update_entity(entity_id, disabled_by=None)
    await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)

    assert state_of(hass, USERS) == "1"
