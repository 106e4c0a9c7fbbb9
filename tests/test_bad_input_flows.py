"""Bad input to every flow: the config, reauth, reconfigure, options and subentry forms.

What each outcome means, and how it is checked, is in tests/bad_input_checks.py;
the values tried and the outcomes expected are in tests/bad_input_cases.py.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    DOMAIN,
)
from tests.bad_input_cases import (
    ANONYMOUS,
    BOT_USER,
    NUMBER,
    SURFACES,
    Accepted,
    channel_sweep,
    channels_outcomes,
    contact_outcomes,
    credential_outcomes,
    options_cases,
    recipient_outcomes,
    sweep,
    url_outcomes,
)
from tests.bad_input_checks import FlowSweep, aldeamo_check, elibom_check, report, short
from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import Simulator


async def _open_user_step(hass: HomeAssistant, provider: str) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": provider}
    )
    assert result["step_id"] == provider
    return str(result["flow_id"])


def _created(
    hass: HomeAssistant, field: str
) -> Callable[[FlowResult, Any], Awaitable[str | None]]:
    """Judge an added account by one stored field, then remove it for the next case."""

    async def accept(result: FlowResult, stored: Any) -> str | None:
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            return f"expected the account to be added, got {short(result)}"
        entry = result["result"]
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        if entry.data[field] != stored:
            return f"stored {short(entry.data[field])}, expected {short(stored)}"
        return None

    return accept


@pytest.mark.parametrize("field", SURFACES["config flow, Elibom step"])
async def test_elibom_step_answers_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    simulator: Simulator,
    default_site: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Each field in error is named and nothing is sent; an empty URL is Elibom's own."""
    url = simulator.elibom_url + "/"
    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.flow,
        lambda: _open_user_step(hass, "elibom"),
        "config",
        accept=_created(hass, CONF_URL),
        check=elibom_check(field),
        stored=lambda: hass.config_entries.async_entries(DOMAIN),
    )
    bases = {CONF_USERNAME: ELIBOM_USER, CONF_API_TOKEN: ELIBOM_TOKEN, CONF_URL: url}
    outcomes = (
        url_outcomes(default_site.elibom_url)
        if field == CONF_URL
        else credential_outcomes(field)
    )

    problems = await flow.run(field, lambda _: bases, sweep(bases[field]), outcomes)

    assert not problems, report("Elibom step", field, problems)


@pytest.mark.parametrize("field", SURFACES["config flow, Aldeamo step"])
async def test_aldeamo_step_answers_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    simulator: Simulator,
    default_site: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Each field in error is named and nothing is sent; an empty URL is Aldeamo's own."""
    url = simulator.aldeamo_url + "/"
    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.flow,
        lambda: _open_user_step(hass, "aldeamo"),
        "config",
        accept=_created(hass, field),
        check=aldeamo_check,
        stored=lambda: hass.config_entries.async_entries(DOMAIN),
    )
    bases = {CONF_API_KEY: ALDEAMO_KEY, CONF_CHANNELS: ["whatsapp"], CONF_URL: url}
    if field == CONF_URL:
        outcomes = url_outcomes(default_site.aldeamo_url)
        cases = sweep(url)
    elif field == CONF_CHANNELS:
        outcomes, cases = channels_outcomes(), channel_sweep()
    else:
        outcomes, cases = credential_outcomes(field), sweep(ALDEAMO_KEY)

    problems = await flow.run(field, lambda _: bases, cases, outcomes)

    assert not problems, report("Aldeamo step", field, problems)


@pytest.mark.parametrize("field", SURFACES["reauth_confirm"])
async def test_reauth_answers_every_bad_new_secret_on_the_form(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """A new API password (Elibom) or key (Aldeamo) that cannot be one is refused unsent."""
    entry = elibom_entry if field == CONF_API_TOKEN else aldeamo_entry
    entry.add_to_hass(hass)
    secret = ELIBOM_TOKEN if field == CONF_API_TOKEN else ALDEAMO_KEY

    async def start() -> str:
        result = await entry.start_reauth_flow(hass)
        assert result["step_id"] == "reauth_confirm"
        return str(result["flow_id"])

    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.flow,
        start,
        "config",
        check=elibom_check(field) if field == CONF_API_TOKEN else aldeamo_check,
        stored=lambda: dict(entry.data),
    )

    problems = await flow.run(
        field, lambda _: {}, sweep(secret), credential_outcomes(field)
    )

    assert not problems, report("reauth_confirm", field, problems)
    assert entry.data[field] == secret


def _reconfigured(
    hass: HomeAssistant, entry: MockConfigEntry, field: str
) -> Callable[[FlowResult, Any], Awaitable[str | None]]:
    async def accept(result: FlowResult, stored: Any) -> str | None:
        if result.get("reason") != "reconfigure_successful":
            return f"expected reconfigure_successful, got {short(result)}"
        if entry.data[field] != stored:
            return f"stored {short(entry.data[field])}, expected {short(stored)}"
        return None

    return accept


@pytest.mark.parametrize("field", SURFACES["reconfigure, Elibom"])
async def test_elibom_reconfigure_answers_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    default_site: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Refused values change nothing; an empty password keeps the stored one."""
    await setup_entry(hass, elibom_entry)
    url = simulator.elibom_url + "/"

    async def start() -> str:
        result = await elibom_entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "reconfigure"
        return str(result["flow_id"])

    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.flow,
        start,
        "config",
        accept=_reconfigured(hass, elibom_entry, field),
        check=elibom_check(field),
        stored=lambda: dict(elibom_entry.data),
    )
    bases = {CONF_USERNAME: ELIBOM_USER, CONF_API_TOKEN: "", CONF_URL: url}
    outcomes = {
        CONF_USERNAME: credential_outcomes(CONF_USERNAME),
        CONF_API_TOKEN: credential_outcomes(
            CONF_API_TOKEN, empty=Accepted(ELIBOM_TOKEN)
        ),
        CONF_URL: url_outcomes(default_site.elibom_url),
    }[field]
    base = ELIBOM_TOKEN if field == CONF_API_TOKEN else bases[field]

    problems = await flow.run(field, lambda _: bases, sweep(base), outcomes)

    assert not problems, report("reconfigure, Elibom", field, problems)


@pytest.mark.parametrize("field", SURFACES["reconfigure, Aldeamo"])
async def test_aldeamo_reconfigure_answers_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    default_site: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Refused values change nothing; a repeated channel counts once."""
    await setup_entry(hass, aldeamo_entry)
    url = simulator.aldeamo_url + "/"

    async def start() -> str:
        result = await aldeamo_entry.start_reconfigure_flow(hass)
        assert result["step_id"] == "reconfigure"
        return str(result["flow_id"])

    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.flow,
        start,
        "config",
        accept=_reconfigured(hass, aldeamo_entry, field),
        stored=lambda: dict(aldeamo_entry.data),
    )
    bases = {CONF_CHANNELS: ["whatsapp"], CONF_URL: url}
    if field == CONF_URL:
        outcomes = url_outcomes(default_site.aldeamo_url)
        cases = sweep(url)
    else:
        outcomes, cases = channels_outcomes(), channel_sweep()

    problems = await flow.run(field, lambda _: bases, cases, outcomes)

    assert not problems, report("reconfigure, Aldeamo", field, problems)


@pytest.mark.parametrize(
    ("provider", "field"),
    [
        *(("elibom", field) for field in SURFACES["options, Elibom"]),
        *(("aldeamo", field) for field in SURFACES["options, Aldeamo"]),
    ],
)
async def test_options_answer_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    provider: str,
    field: str,
) -> None:
    """Bounded numbers for polling and credit threshold, a switch, a 1-3 digit country code."""
    entry = elibom_entry if provider == "elibom" else aldeamo_entry
    await setup_entry(hass, entry)

    async def start() -> str:
        result = await hass.config_entries.options.async_init(entry.entry_id)
        assert result["step_id"] == "init"
        return str(result["flow_id"])

    async def accept(result: FlowResult, stored: Any) -> str | None:
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            return f"expected the options to be saved, got {short(result)}"
        saved = entry.options.get(field)
        if saved != stored or type(saved) is not type(stored):
            return f"saved {saved!r}, expected {stored!r}"
        return None

    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.options,
        start,
        "options",
        accept=accept,
        stored=lambda: dict(entry.options),
    )
    bases: dict[str, Any] = {"scan_interval": 60}
    if provider == "elibom":
        bases |= {"low_credit_threshold": 0, "default_country_code": "57"}
    cases, outcomes = options_cases(field)

    problems = await flow.run(field, lambda _: bases, cases, outcomes)

    assert not problems, report(f"options, {provider}", field, problems)


@pytest.mark.parametrize("field", SURFACES["recipient subentry"])
async def test_recipient_subentry_answers_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """A name is any line of printable text, emoji and every script included; a number is digits."""
    elibom_entry.add_to_hass(hass)

    async def start() -> str:
        result = await hass.config_entries.subentries.async_init(
            (elibom_entry.entry_id, "recipient"), context={"source": SOURCE_USER}
        )
        assert result["step_id"] == "user"
        return str(result["flow_id"])

    async def accept(result: FlowResult, stored: Any) -> str | None:
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            return f"expected the recipient to be added, got {short(result)}"
        if result["title"] != stored or result["data"]["name"] != stored:
            return f"named {short(result['title'])}, expected {short(stored)}"
        return None

    flow = FlowSweep(
        hass,
        simulator,
        wire,
        hass.config_entries.subentries,
        start,
        "config_subentries.recipient",
        accept=accept,
        stored=lambda: dict(elibom_entry.subentries),
    )
    outcomes = recipient_outcomes()[field]

    def inputs(index: int) -> dict[str, Any]:
        # A number of its own for each recipient a case may add.
        return {"name": "Mamá", "phone_number": f"30011122{index:02d}"}

    problems = await flow.run(
        field, inputs, sweep({"name": "Mamá", "phone_number": NUMBER}[field]), outcomes
    )

    assert not problems, report("recipient subentry", field, problems)


@pytest.mark.parametrize("field", SURFACES["contact subentry"])
async def test_contact_subentry_answers_every_bad_value_of_each_field_on_the_form(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """A channel is one of the list, an id is an id, a name any line of printable text."""
    aldeamo_entry.add_to_hass(hass)
    manager = hass.config_entries.subentries

    async def start() -> str:
        result = await manager.async_init(
            (aldeamo_entry.entry_id, "contact"), context={"source": SOURCE_USER}
        )
        assert result["step_id"] == "user"
        if field != "channel":
            result = await manager.async_configure(
                result["flow_id"], {"channel": "whatsapp"}
            )
            assert result["step_id"] == "details"
        return str(result["flow_id"])

    async def accept(result: FlowResult, stored: Any) -> str | None:
        if result["type"] is not FlowResultType.CREATE_ENTRY:
            return f"expected the contact to be added, got {short(result)}"
        user = result["data"]["client_id"]
        if stored is ANONYMOUS:
            stored = f"WhatsApp …{user[-4:]}"
        if result["title"] != stored or result["data"]["name"] != stored:
            return f"named {short(result['title'])}, expected {short(stored)}"
        return None

    flow = FlowSweep(
        hass,
        simulator,
        wire,
        manager,
        start,
        "config_subentries.contact",
        accept=accept,
        stored=lambda: dict(aldeamo_entry.subentries),
    )
    outcomes = contact_outcomes()[field]

    def inputs(index: int) -> dict[str, Any]:
        if field == "channel":
            return {}
        # An id of its own for each contact a case may add.
        return {"client_id": f"30011122{index:02d}", "name": "Ana"}

    base = {"channel": "whatsapp", "client_id": BOT_USER, "name": "Ana"}[field]

    problems = await flow.run(field, inputs, sweep(base), outcomes)

    assert not problems, report("contact subentry", field, problems)
