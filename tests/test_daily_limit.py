"""The daily limit of SMS parts: refused whole before any request, on every path.

The count is the parts operators bill (each recipient's parts, times recipients),
kept on disk, started again at local midnight in Home Assistant's time zone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import automation
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.translation import async_get_translations
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.latam_messaging.callers import DATA_CALLERS, REMEMBERED
from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import RECIPIENT
from tests.helpers import assert_translated, notify_entity_of, state_of, with_subentries
from tests.simulator import FaultKind, Simulator

PARTS_TODAY = "sensor.tienda_dona_perez_sms_parts_today"
TWO_PARTS = "Alarma: se abrió la puerta del garaje " + "." * 62
"""100 characters with an ó: UCS-2, 67 + 33 units, two parts."""
THREE_PARTS = "ó" + "a" * 159
"""160 characters with an ó: UCS-2, three parts (the options' helper text's example)."""
ONE_PART = "Alarma: puerta abierta"
MAMA = "573001112222"
PAPA = "573007778888"


async def _set_up(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, limit: int
) -> MockConfigEntry:
    """Set the account up with Mamá as recipient and this daily limit."""
    entry = with_subentries(elibom_entry, RECIPIENT)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={"daily_limit": limit})
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def _send(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    message: str,
    to: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": to or [MAMA], "message": message}
        | extra,
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def _refused(
    hass: HomeAssistant,
    simulator: Simulator,
    entry: MockConfigEntry,
    message: str,
    to: list[str] | None = None,
) -> ServiceValidationError:
    """Send what the limit must refuse: a translated error, and no request at all."""
    before = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, entry, message, to)
    assert simulator.requests[before:] == []
    assert_translated(caught.value, "daily_limit_reached")
    return caught.value


def _posts(simulator: Simulator) -> list[Any]:
    return simulator.requests_to("elibom", "POST", "/messages")


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"daily_limit_{entry.entry_id}")


async def _move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, moment: str
) -> None:
    """Move Home Assistant's clock (nothing in flight) and run what fell due."""
    await hass.async_block_till_done(wait_background_tasks=True)
    freezer.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


# The "done when" scenario ------------------------------------------------------------


async def test_limit_7_refuses_a_fourth_send_of_2_whole_until_the_next_local_day(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """3 x 2 pass; a fourth of 2 is refused with an issue; 1 passes; notify refused."""
    await hass.config.async_set_time_zone("America/Bogota")  # no DST
    freezer.move_to("2026-12-06 20:00:00-05:00")
    entry = await _set_up(hass, elibom_entry, 7)

    for used in (2, 4, 6):
        response = await _send(hass, entry, TWO_PARTS)
        assert response["segments"] == 2
        assert (response["parts_today"], response["daily_limit"]) == (used, 7)
    assert state_of(hass, PARTS_TODAY) == "6"
    assert _issue(hass, entry) is None

    err = await _refused(hass, simulator, entry, TWO_PARTS)
    assert err.translation_placeholders == {
        "account": entry.title,
        "limit": "7",
        "used": "6",
        "parts": "2",
        "reopens": "2026-12-07 00:00",
    }
    assert "6" in str(err)
    assert "2026-12-07 00:00" in str(err)
    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.translation_key == "daily_limit_reached_no_caller"
    assert issue.translation_placeholders == {
        "account": entry.title,
        "limit": "7",
        "reopens": "2026-12-07 00:00",
    }

    response = await _send(hass, entry, ONE_PART)
    assert (response["parts_today"], response["daily_limit"]) == (7, 7)
    assert len(_posts(simulator)) == 4
    assert state_of(hass, PARTS_TODAY) == "7"

    before = len(simulator.requests)
    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            "send_message",
            {"entity_id": notify_entity_of(hass, entry), "message": ONE_PART},
            blocking=True,
        )
    assert_translated(caught.value, "daily_limit_reached")
    assert simulator.requests[before:] == []

    # The count survives a reload.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert state_of(hass, PARTS_TODAY) == "7"
    await _refused(hass, simulator, entry, ONE_PART)

    # One second before local midnight it is still today; at midnight all opens again.
    await _move_to(hass, freezer, "2026-12-06 23:59:59-05:00")
    await _refused(hass, simulator, entry, ONE_PART)
    await _move_to(hass, freezer, "2026-12-07 00:00:00-05:00")
    assert _issue(hass, entry) is None
    assert state_of(hass, PARTS_TODAY) == "0"
    response = await _send(hass, entry, TWO_PARTS)
    assert response["parts_today"] == 2
    assert state_of(hass, PARTS_TODAY) == "2"


# What is counted ----------------------------------------------------------------------


async def test_a_broadcast_is_counted_per_recipient_and_refused_whole(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """3 parts to 2 people is 6 against a limit of 8: a second one is never half sent."""
    entry = await _set_up(hass, elibom_entry, 8)

    response = await _send(hass, entry, THREE_PARTS, to=[MAMA, PAPA])

    assert (response["segments"], response["parts_today"]) == (3, 6)
    err = await _refused(
        hass, simulator, entry, ONE_PART, to=[MAMA, PAPA, "3004445555"]
    )
    assert err.translation_placeholders is not None
    assert (
        err.translation_placeholders["used"],
        err.translation_placeholders["parts"],
    ) == ("6", "3")
    assert len(_posts(simulator)) == 1
    response = await _send(hass, entry, ONE_PART, to=[MAMA, PAPA])
    assert response["parts_today"] == 8


async def test_an_accent_makes_a_text_ucs2_and_costs_more_parts_of_the_limit(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """160 characters pass as one part in 7-bit; with an ó they need three: refused."""
    entry = await _set_up(hass, elibom_entry, 2)

    response = await _send(hass, entry, "a" * 160)
    assert (response["encoding"], response["parts_today"]) == ("gsm7", 1)

    err = await _refused(hass, simulator, entry, THREE_PARTS)
    assert err.translation_placeholders is not None
    assert err.translation_placeholders["parts"] == "3"
    # Without the accent (plain alphabet) it is one part again, and fits.
    response = await _send(hass, entry, THREE_PARTS, plain_alphabet=True)
    assert (response["encoding"], response["parts_today"]) == ("gsm7", 2)


async def test_a_schedule_counts_on_the_day_it_is_made(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """An SMS scheduled for tomorrow uses today's parts; the next one is refused."""
    entry = await _set_up(hass, elibom_entry, 3)
    tomorrow = (dt_util.now() + timedelta(days=1)).replace(second=0, microsecond=0)

    response = await _send(hass, entry, THREE_PARTS, schedule_at=tomorrow)

    assert response["schedule_ids"]
    assert (response["parts_today"], response["daily_limit"]) == (3, 3)
    with pytest.raises(ServiceValidationError) as caught:
        await _send(hass, entry, ONE_PART, schedule_at=tomorrow)
    assert_translated(caught.value, "daily_limit_reached")
    assert len(_posts(simulator)) == 1


async def test_without_a_limit_nothing_is_refused_and_the_answer_is_as_before(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """0 (the default) is off: the count still shows, the answer has no limit fields."""
    entry = await _set_up(hass, elibom_entry, 0)

    for _ in range(3):
        response = await _send(hass, entry, THREE_PARTS, to=[MAMA, PAPA])

    assert response == {
        "delivery_tokens": response["delivery_tokens"],
        "encoding": "ucs2",
        "segments": 3,
    }
    assert state_of(hass, PARTS_TODAY) == "18"
    assert _issue(hass, entry) is None


async def test_a_send_that_failed_before_reaching_elibom_is_not_counted(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A refusal by the provider frees its parts; an answer lost may have been billed."""
    entry = await _set_up(hass, elibom_entry, 4)

    simulator.fail_next(FaultKind.STATUS, status=429, method="POST", path="/messages")
    with pytest.raises(Exception, match=r".+"):
        await _send(hass, entry, TWO_PARTS)
    assert state_of(hass, PARTS_TODAY) == "0"

    simulator.fail_next(FaultKind.STATUS, status=500, method="POST", path="/messages")
    with pytest.raises(Exception, match=r".+"):
        await _send(hass, entry, TWO_PARTS)
    assert state_of(hass, PARTS_TODAY) == "2"  # perhaps sent: counted

    response = await _send(hass, entry, TWO_PARTS)
    assert response["parts_today"] == 4


# Options -------------------------------------------------------------------------------


async def test_a_limit_lowered_below_todays_count_refuses_at_once_and_raised_sends(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The options flow reloads the entry: today's count stays, the new limit holds."""
    entry = await _set_up(hass, elibom_entry, 10)
    await _send(hass, entry, THREE_PARTS, to=[MAMA, PAPA])  # 6

    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 60,
            "low_credit_threshold": 0,
            "daily_limit": 4,
            "default_country_code": "57",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert entry.options["daily_limit"] == 4

    err = await _refused(hass, simulator, entry, ONE_PART)
    assert err.translation_placeholders is not None
    assert (
        err.translation_placeholders["limit"],
        err.translation_placeholders["used"],
    ) == ("4", "6")

    hass.config_entries.async_update_entry(entry, options={"daily_limit": 7})
    await hass.async_block_till_done(wait_background_tasks=True)
    assert (await _send(hass, entry, ONE_PART))["parts_today"] == 7


async def test_the_options_form_explains_parts(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """The helper text gives the example of the ó that makes three parts."""
    entry = await _set_up(hass, elibom_entry, 0)
    result = await hass.config_entries.options.async_init(entry.entry_id)

    assert "daily_limit" in {str(field) for field in result["data_schema"].schema}
    english = (await _translations(hass, "en"))["daily_limit"]
    spanish = (await _translations(hass, "es"))["daily_limit"]
    assert "ó" in english
    assert "3 parts" in english
    assert "3 partes" in spanish


async def _translations(hass: HomeAssistant, language: str) -> dict[str, str]:
    found = await async_get_translations(hass, language, "options", [DOMAIN])
    prefix = f"component.{DOMAIN}.options.step.init.data_description."
    return {
        key.removeprefix(prefix): value
        for key, value in found.items()
        if key.startswith(prefix)
    }


# Who asked ----------------------------------------------------------------------------


async def test_the_repair_issue_names_the_automation_that_asked_last(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A looping automation is stopped by the limit, and the issue says which one."""
    entry = await _set_up(hass, elibom_entry, 2)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: {
                "id": "door_loop",
                "alias": "Puerta del garaje",
                "mode": "queued",
                "trigger": {"platform": "event", "event_type": "door_flapped"},
                "action": {
                    "action": f"{DOMAIN}.send_sms",
                    "continue_on_error": True,
                    "data": {
                        "config_entry_id": entry.entry_id,
                        "to": MAMA,
                        "message": ONE_PART,
                    },
                },
            }
        },
    )

    for _ in range(5):
        hass.bus.async_fire("door_flapped")
        await hass.async_block_till_done()

    assert len(_posts(simulator)) == 2
    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.translation_key == "daily_limit_reached"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["caller"] == "Puerta del garaje"
    assert issue.translation_placeholders["entity_id"] == "automation.puerta_del_garaje"
    assert issue.severity is ir.IssueSeverity.WARNING


async def test_a_send_reaching_the_limit_exactly_raises_the_issue_once_for_the_day(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """At the limit (not past it) the issue is there; a refused send keeps one issue."""
    entry = await _set_up(hass, elibom_entry, 2)

    await _send(hass, entry, TWO_PARTS)
    assert _issue(hass, entry) is not None
    await _refused(hass, simulator, entry, ONE_PART)

    ours = [key for key in ir.async_get(hass).issues if key[0] == DOMAIN]
    assert ours == [(DOMAIN, f"daily_limit_{entry.entry_id}")]


async def test_a_context_of_no_known_run_names_no_caller(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A call by hand (its own context) is told apart from an automation's."""
    entry = await _set_up(hass, elibom_entry, 1)
    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": MAMA, "message": ONE_PART},
        blocking=True,
        context=Context(parent_id="not-a-run"),
    )

    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.translation_key == "daily_limit_reached_no_caller"


# The classic service and Assist's answers ----------------------------------------------


async def test_the_classic_notify_service_is_refused_whole(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.<account> to two numbers past the limit: refused, nothing sent."""
    await _set_up(hass, elibom_entry, 1)
    before = len(simulator.requests)

    with pytest.raises(ServiceValidationError) as caught:
        await hass.services.async_call(
            "notify",
            "tienda_dona_perez",
            {"message": ONE_PART, "target": [MAMA, PAPA]},
            blocking=True,
        )

    assert_translated(caught.value, "daily_limit_reached")
    assert simulator.requests[before:] == []
    assert state_of(hass, PARTS_TODAY) == "0"


async def test_the_repair_issue_names_a_script_and_forgets_old_runs(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A script's run is told by its context; only the last runs are remembered."""
    entry = await _set_up(hass, elibom_entry, 1)
    assert await async_setup_component(
        hass,
        "script",
        {
            "script": {
                "reintento": {
                    "alias": "Reintento de alarma",
                    "sequence": [
                        {
                            "action": f"{DOMAIN}.send_sms",
                            "continue_on_error": True,
                            "data": {
                                "config_entry_id": entry.entry_id,
                                "to": MAMA,
                                "message": ONE_PART,
                            },
                        }
                    ],
                }
            }
        },
    )
    hass.bus.async_fire("automation_triggered", {"name": "Sin entidad"})
    for _ in range(2):
        await hass.services.async_call("script", "reintento", blocking=True)

    issue = _issue(hass, entry)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["entity_id"] == "script.reintento"
    assert issue.translation_placeholders["caller"] == "Reintento de alarma"

    runs = hass.data[DATA_CALLERS]
    for number in range(REMEMBERED + 5):
        hass.bus.async_fire(
            "script_started",
            {"name": "Otro", "entity_id": "script.otro"},
            context=Context(id=f"run{number}"),
        )
    await hass.async_block_till_done()
    assert len(runs) == REMEMBERED
    assert "run0" not in runs
    assert f"run{REMEMBERED + 4}" in runs
