"""The options of each account: polling, credit threshold, country code and the webhook address."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.core_config import async_process_ha_core_config
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.conftest import poll, setup_entry
from tests.const import WEBHOOK_ID
from tests.flow_helpers import account_checks, suggested_value
from tests.helpers import ENGLISH
from tests.simulator import Simulator

# Helpers --------------------------------------------------------------------------


def _section(result: FlowResult, name: str) -> dict[str, Any]:
    """Return a form section's fields and what each pre-fills."""
    for marker, value in result["data_schema"].schema.items():
        if marker == name:
            return {
                str(field): (field.description or {}).get("suggested_value")
                for field in value.schema.schema
            }
    raise AssertionError(f"the form has no section {name}")


# Options --------------------------------------------------------------------------


async def test_elibom_options_show_the_webhook_and_saving_reloads_with_the_new_polling_interval(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """The inbound-SMS address is shown; a 20 s interval makes the next poll come sooner."""
    await setup_entry(hass, elibom_entry)
    simulator.requests.clear()
    await poll(hass, 25)
    assert account_checks(simulator) == []  # still on the default 60 s

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    assert result["description_placeholders"]["webhook_url"].endswith(
        f"/api/latam_messaging/elibom/{WEBHOOK_ID}"
    )
    assert suggested_value(result, "scan_interval") == 60
    assert suggested_value(result, "default_country_code") == "57"
    assert suggested_value(result, "plain_alphabet") is False
    assert suggested_value(result, "daily_limit") == 0

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 20,
            "low_credit_threshold": 10,
            "daily_limit": 40.0,
            "plain_alphabet": True,
            "default_country_code": "+52",
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert elibom_entry.options == {
        "scan_interval": 20,
        "low_credit_threshold": 10.0,
        "daily_limit": 40,
        "plain_alphabet": True,
        "default_country_code": "52",
    }
    assert elibom_entry.state is ConfigEntryState.LOADED
    assert len(account_checks(simulator)) == 1  # the reload's first refresh
    simulator.requests.clear()

    await poll(hass, 25)

    assert len(account_checks(simulator)) == 1


@pytest.mark.parametrize("code", ["", "5a7", "1234", "٥٧", "57 1"])
async def test_elibom_options_refuse_an_invalid_country_code(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, code: str
) -> None:
    """One to three ASCII digits, optionally after a +, or the form says why not."""
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"scan_interval": 60, "low_credit_threshold": 0, "default_country_code": code},
    )

    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"default_country_code": "invalid_country_code"}
    assert elibom_entry.options == {}


async def test_aldeamo_options_are_only_the_polling_interval_which_takes_effect(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """No credit or country settings for a bot; 120 s means no poll at the old 30 s."""
    await setup_entry(hass, aldeamo_entry)

    result = await hass.config_entries.options.async_init(aldeamo_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert [str(marker) for marker in result["data_schema"].schema] == ["scan_interval"]
    assert suggested_value(result, "scan_interval") == 30

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"scan_interval": 120}
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert aldeamo_entry.options == {"scan_interval": 120}
    assert aldeamo_entry.state is ConfigEntryState.LOADED
    simulator.requests.clear()

    await poll(hass, 35)
    assert simulator.requests_to("aldeamo", "GET", "/users") == []

    await poll(hass, 125)
    assert len(simulator.requests_to("aldeamo", "GET", "/users")) == 2


async def test_elibom_options_name_the_account_and_warn_when_the_address_is_local(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """Without an external URL the address to copy is labelled local-only."""
    await async_process_ha_core_config(
        hass, {"internal_url": "http://192.168.1.20:8123"}
    )
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)

    assert result["description_placeholders"]["account"] == elibom_entry.title
    assert "{account}" in ENGLISH["options"]["step"]["init"]["title"]
    assert _section(result, "inbound_sms") == {
        "local_webhook_url": f"http://192.168.1.20:8123/api/latam_messaging/elibom/{WEBHOOK_ID}"
    }
    # The field wraps, so the whole address shows (one line cut it off).
    ((_, selector),) = next(
        v for k, v in result["data_schema"].schema.items() if k == "inbound_sms"
    ).schema.schema.items()
    assert selector.config["multiline"] is True
    section = ENGLISH["options"]["step"]["init"]["sections"]["inbound_sms"]
    assert "short code" in section["description"]
    assert "cannot reach" in section["data"]["local_webhook_url"]

    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "scan_interval": 60,
            "low_credit_threshold": 0,
            "default_country_code": "57",
            "inbound_sms": {"local_webhook_url": "http://typed.example"},
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert elibom_entry.options == {
        "scan_interval": 60,
        "low_credit_threshold": 0.0,
        "daily_limit": 0,
        "plain_alphabet": False,
        "default_country_code": "57",
    }


async def test_elibom_options_offer_the_external_address_when_home_assistant_has_one(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """With an external URL, that is the address to give Elibom."""
    await async_process_ha_core_config(
        hass,
        {
            "internal_url": "http://192.168.1.20:8123",
            "external_url": "https://casa.example.com",
        },
    )
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)

    assert _section(result, "inbound_sms") == {
        "webhook_url": f"https://casa.example.com/api/latam_messaging/elibom/{WEBHOOK_ID}"
    }


async def test_an_external_url_on_the_local_network_still_counts_as_local(
    hass: HomeAssistant, elibom_entry: MockConfigEntry
) -> None:
    """An "external" URL that is a private address is no use to Elibom."""
    await async_process_ha_core_config(
        hass, {"external_url": "http://192.168.1.20:8123"}
    )
    await setup_entry(hass, elibom_entry)

    result = await hass.config_entries.options.async_init(elibom_entry.entry_id)

    assert list(_section(result, "inbound_sms")) == ["local_webhook_url"]
