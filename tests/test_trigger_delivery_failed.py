"""The editor's "SMS failed" trigger (Home Assistant 2026.10+), on each kind of target.

Automations are configured in YAML, as a user writes them, with a recipient's
notify entity, their device or an account's device as target.

Only collected where the editor's triggers exist (tests/conftest.py);
test_trigger_versions.py covers older versions. The accounts, people and helpers
shared by the tests/test_trigger_*.py files are in tests/trigger_helpers.py.
"""

from __future__ import annotations

from typing import Any

from homeassistant.components import automation
from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import DOMAIN
from custom_components.latam_messaging.trigger import failed_sms
from tests import trigger_helpers
from tests.conftest import poll
from tests.helpers import device_of, listen
from tests.simulator import Simulator
from tests.trigger_helpers import (
    ANA_CONTACT,
    DAD,
    FIRED,
    MOM,
    RECIPIENTS,
    entity_id_of,
    set_up_automation,
)

# The shop's bot and the family's SMS account, set up (tests/trigger_helpers.py).
shop = trigger_helpers.shop
family = trigger_helpers.family


# SMS failed --------------------------------------------------------------------


async def _send(hass: HomeAssistant, entry: MockConfigEntry, *numbers: str) -> str:
    response = await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {"config_entry_id": entry.entry_id, "to": list(numbers), "message": "Alarma"},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    (token,) = response["delivery_tokens"]
    return str(token)


def _notify(hass: HomeAssistant, entry: MockConfigEntry, index: int) -> str:
    return entity_id_of(
        hass, "notify", f"{entry.entry_id}_{RECIPIENTS[index]['subentry_id']}"
    )


async def test_the_sms_to_mom_failing_runs_it_once_and_not_for_dad(
    hass: HomeAssistant, family: MockConfigEntry, simulator: Simulator
) -> None:
    """One alarm SMS to both, both refused: Mamá's notify entity runs it once, for her."""
    simulator.elibom.invalid_numbers.update({MOM, DAD})
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.delivery_failed",
            "target": {"entity_id": _notify(hass, family, 0)},
        },
    )
    fired = listen(hass, FIRED)

    token = await _send(hass, family, MOM, DAD)
    simulator.advance(60)
    await poll(hass)
    await poll(hass)

    assert [
        (
            run["name"],
            str(run["to"]),
            run["status"],
            run["status_detail"],
            str(run["delivery_token"]),
        )
        for run in fired
    ] == [("Mamá", MOM, "failed", "invalid_destination", token)]


async def test_a_delivery_that_finishes_runs_nothing_but_a_failed_part_does(
    hass: HomeAssistant, family: MockConfigEntry, simulator: Simulator
) -> None:
    """Delivered to Mamá: nothing. Papá refused in the same delivery: Papá's device runs it."""
    simulator.elibom.invalid_numbers.add(DAD)
    mom = device_of(hass, family, f"{family.entry_id}_{RECIPIENTS[0]['subentry_id']}")
    dad = device_of(hass, family, f"{family.entry_id}_{RECIPIENTS[1]['subentry_id']}")
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "alias": name,
                    "triggers": {
                        "trigger": "latam_messaging.delivery_failed",
                        "target": {"device_id": device.id},
                    },
                    "actions": {
                        "event": FIRED,
                        "event_data": {"who": "{{ trigger.name }}"},
                    },
                }
                for name, device in (("mom", mom), ("dad", dad))
            ]
        },
    )
    await hass.async_block_till_done()
    fired = listen(hass, FIRED)

    await _send(hass, family, MOM, DAD)
    simulator.advance(60)
    await poll(hass)

    assert fired == [{"who": "Papá"}]


async def test_an_expired_sms_runs_it_once_after_a_reload_and_a_restart(
    hass: HomeAssistant,
    family: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Stuck for two days, across a reload and a restart from storage: "expired" once.

    The account's device as target: Mamá's SMS and a stranger's, the stranger unnamed.
    """
    account = device_of(hass, family, family.entry_id)
    token = await _send(hass, family, MOM, "573009990000")
    await hass.config_entries.async_reload(family.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_unload(family.entry_id)
    await hass.async_block_till_done()
    simulator.advance(49 * 3600)

    # The restart: the automation attaches while starting, the account finds the
    # delivery expired at its first poll, the event fires once started.
    hass.set_state(CoreState.not_running)
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.delivery_failed",
            "target": {"device_id": account.id},
        },
    )
    fired = listen(hass, FIRED)
    assert await hass.config_entries.async_setup(family.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert fired == []
    for job in getattr(hass, "_startup_jobs", []):
        hass.async_run_hass_job(job.job, *job.args)
    await hass.async_block_till_done()
    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done(wait_background_tasks=True)
    await poll(hass)

    assert sorted(
        (str(run["to"]), run["name"], run["status"], str(run["delivery_token"]))
        for run in fired
    ) == [
        (MOM, "Mamá", "expired", token),
        ("573009990000", None, "expired", token),
    ]


async def test_a_device_that_is_not_a_recipient_is_refused_for_sms_failed(
    hass: HomeAssistant, shop: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    """Ana is a WhatsApp contact (no SMS is tracked to her); a device id that is no device."""
    ana = device_of(hass, shop, f"{shop.entry_id}_{ANA_CONTACT['subentry_id']}")
    bot = device_of(hass, shop, shop.entry_id)
    await set_up_automation(
        hass,
        {
            "trigger": "latam_messaging.delivery_failed",
            "target": {"device_id": [ana.id, bot.id, "no_such_device"]},
        },
    )

    assert (
        f"device {ana.id}, device {bot.id}, device no_such_device is not a LatAm"
        " Messaging SMS recipient"
        in caplog.text
        or f"device {bot.id}, device {ana.id}, device no_such_device" in caplog.text
    )


@pytest.mark.parametrize(
    ("event", "failed"),
    [
        ({"status": "running", "messages": [], "to": [MOM]}, []),
        ({"status": "finished", "messages": [], "to": [MOM]}, []),
        (
            {"status": "failed", "messages": [], "to": ["+57 300 111 2222"]},
            [{"to": MOM, "status": "failed", "status_detail": None}],
        ),
        (
            {
                "status": "finished",
                "messages": [
                    {"to": MOM, "status": "sent", "status_detail": "sent"},
                    {"to": DAD, "status": "failed", "status_detail": "blocked"},
                    "unreadable",
                ],
            },
            [{"to": DAD, "status": "failed", "status_detail": "blocked"}],
        ),
        (
            {"status": "expired", "messages": [], "to": [MOM, DAD]},
            [
                {"to": MOM, "status": "expired", "status_detail": None},
                {"to": DAD, "status": "expired", "status_detail": None},
            ],
        ),
    ],
)
def test_which_sms_of_a_delivery_event_failed(
    event: dict[str, Any], failed: list[dict[str, Any]]
) -> None:
    """Still running or delivered: none. Failed or expired whole: every number it went to."""
    assert failed_sms(event) == failed
