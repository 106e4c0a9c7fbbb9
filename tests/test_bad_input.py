"""Bad input, field by field: every action, notify service and flow answers it clearly.

Every field of every surface is tried with the same sweep of values: empty and blank,
100 kB, each wrong type, Unicode and control characters. For each (field, value) the
tables in tests/bad_input_cases.py say what a user must get:

- `Refused`: a translated ServiceValidationError whose key exists in English and
  Spanish and whose placeholders are short and printable, and no request at all;
- `Invalid`: Home Assistant's own schema refuses the value before the integration
  sees it (still nothing on the wire);
- `Goes`: the value is legitimately fine and goes out intact, in exactly these requests;
- `FormError`: a form error on the field (or base), no request, nothing stored;
- `ProviderJudges`: a credential that could be right (Unicode in a password): refused
  on its field before any request, or checked once, intact, and refused by the provider;
- `Accepted`: the flow finishes and stores the value (or the documented default).

"What went over the wire" is the simulator's request log and, to catch requests that
go anywhere else, every request any aiohttp client session starts (`wire`).
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import AsyncGenerator, Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import timedelta
import json
from pathlib import Path
from typing import Any
import unicodedata
from urllib.parse import parse_qsl

import aiohttp
from homeassistant.config_entries import SOURCE_USER, ConfigSubentryData
from homeassistant.const import CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, UnknownFlow
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.latam_messaging.const import (
    CONF_API_KEY,
    CONF_API_TOKEN,
    CONF_CHANNELS,
    DOMAIN,
)
from tests.bad_input_cases import (
    ANONYMOUS,
    BOT_USER,
    BOTS_SERVICE,
    CASES,
    DELIVERY_TOKEN,
    MESSAGE,
    NUMBER,
    NUMBER_SENT,
    RECIPIENT_SERVICE,
    SCHEDULE_ID,
    SURFACES,
    TITLE,
    Accepted,
    FormError,
    Goes,
    Invalid,
    Outcome,
    ProviderJudges,
    Refused,
    Rule,
    bot_notify_service_outcomes,
    cancel_scheduled_sms_outcomes,
    channel_sweep,
    channels_outcomes,
    contact_outcomes,
    credential_outcomes,
    get_delivery_outcomes,
    message_outcomes,
    options_cases,
    recipient_outcomes,
    send_bot_message_outcomes,
    send_sms_outcomes,
    sms_notify_service_outcomes,
    sweep,
    title_outcomes,
    untracked_bot_goes,
    untracked_sms_goes,
    url_outcomes,
)
from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_TOKEN, ELIBOM_USER
from tests.helpers import notify_entity_of, with_subentries
from tests.simulator import RecordedRequest, Simulator

TRANSLATIONS = {
    language: json.loads(
        (
            Path(__file__).parent.parent
            / "custom_components"
            / DOMAIN
            / "translations"
            / f"{language}.json"
        ).read_text(encoding="utf-8")
    )
    for language in ("en", "es")
}
PACKAGE = "custom_components.latam_messaging"

# Checking what happened ---------------------------------------------------------------


def _resolve(rule: Rule, value: Any) -> Outcome:
    return rule(value) if callable(rule) else rule


VALUE_PLACEHOLDERS = frozenset(
    {
        "channel",
        "client_id",
        "config_entry_id",
        "delivery_token",
        "number",
        "schedule_at",
        "schedule_id",
        "target",
    }
)
"""Placeholders that name the bad value itself (or the bad part of it)."""


BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _safe(text: str) -> bool:
    """Whether text shows as it reads: no control characters, line breaks or bidi overrides."""
    return not any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in BIDI_CONTROLS
        for char in text
    )


def _short(value: Any) -> str:
    return f"{value!r:.120}"


def _body(request: RecordedRequest) -> dict[str, str] | None:
    """Return the body as the provider reads it, refusing anything but UTF-8."""
    if not request.body:
        return None
    text = request.body.decode("utf-8")
    if request.provider == "elibom":
        body: dict[str, str] = json.loads(text)
        return body
    form = dict(parse_qsl(text, keep_blank_values=True, errors="strict"))
    form.pop("auth", None)
    return form


def _seen(requests: list[RecordedRequest]) -> list[tuple[str, str, Any]]:
    seen: list[tuple[str, str, Any]] = []
    for request in requests:
        try:
            body: Any = _body(request)
        except (UnicodeDecodeError, ValueError) as err:
            body = f"unreadable body: {err}"
        seen.append((request.method, request.path, body))
    return seen


def _nothing_sent(sent: list[RecordedRequest], wired: list[str]) -> str | None:
    if sent or wired:
        return (
            f"expected no request at all, got {_short(_seen(sent))} / {_short(wired)}"
        )
    return None


def _refusal_problem(
    error: BaseException | None, keys: frozenset[str] | None, value: Any
) -> str | None:
    """Check a translated refusal: known key, short printable text naming the value."""
    if not isinstance(error, ServiceValidationError):
        return f"expected a translated ServiceValidationError, got {_short(error)}"
    key = error.translation_key
    if error.translation_domain != DOMAIN or key is None:
        return f"not translated by the integration: {_short(error)}"
    if keys is not None and key not in keys:
        return f"expected {sorted(keys)}, got {key}"
    placeholders = error.translation_placeholders or {}
    for name, shown in placeholders.items():
        if not isinstance(shown, str) or not _safe(shown) or len(shown) > 60:
            return f"{key}: placeholder {name} is not short printable text: {_short(shown)}"
    for language, translations in TRANSLATIONS.items():
        template = translations["exceptions"].get(key, {}).get("message")
        if template is None:
            return f"{key} is not in translations/{language}.json"
        try:
            template.format(**placeholders)
        except (KeyError, IndexError) as err:
            return (
                f"{key} in {language}.json needs a placeholder it is not given: {err}"
            )
    text = str(error)
    if not _safe(text) or len(text) > 400:
        return f"{key}: the message is not short printable text: {_short(text)}"
    if isinstance(value, str) and (typed := value.strip()):
        # The integration shows format characters (a zero-width joiner) as �: fine.
        if typed.isprintable() and len(typed) <= 30:
            for name in VALUE_PLACEHOLDERS & placeholders.keys():
                if not placeholders[name].strip() or placeholders[name] not in typed:
                    return f"{key} does not name the value {typed!r}: {text!r}"
    return None


def _action_problem(
    outcome: Outcome,
    value: Any,
    response: Any,
    error: BaseException | None,
    sent: list[RecordedRequest],
    wired: list[str],
) -> str | None:
    """Compare what an action or notify call did with what the user must get."""
    if isinstance(outcome, Goes):
        seen = _seen(sent)
        if seen != list(outcome.requests) or len(wired) != len(outcome.requests):
            return (
                f"expected {_short(list(outcome.requests))} on the wire, got "
                f"{_short(seen)} ({len(wired)} started), error {_short(error)}"
            )
        if outcome.error is not None:
            return _refusal_problem(error, frozenset({outcome.error}), value)
        if error is not None:
            return f"expected it to go out, got {_short(error)}"
        if outcome.response is not None and not (
            isinstance(response, dict) and response.get(outcome.response)
        ):
            return (
                f"expected {outcome.response} in the response, got {_short(response)}"
            )
        return None
    if problem := _nothing_sent(sent, wired):
        return f"{problem} (error {_short(error)})"
    if isinstance(outcome, Invalid):
        if isinstance(error, vol.Invalid):
            return None
        return f"expected Home Assistant's schema error, got {_short(error)}"
    assert isinstance(outcome, Refused)
    return _refusal_problem(error, outcome.keys, value)


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every HTTP request any aiohttp client session starts, wherever it goes."""
    started: list[str] = []
    original = aiohttp.ClientSession._request  # noqa: SLF001

    async def record(
        self: aiohttp.ClientSession, method: str, str_or_url: Any, **kwargs: Any
    ) -> aiohttp.ClientResponse:
        started.append(f"{method} {str(str_or_url)[:200]}")
        return await original(self, method, str_or_url, **kwargs)

    monkeypatch.setattr(aiohttp.ClientSession, "_request", record)
    return started


async def sweep_calls(
    hass: HomeAssistant,
    simulator: Simulator,
    wire: list[str],
    call: Callable[[Any], Awaitable[Any]],
    cases: list[tuple[str, Any]],
    outcomes: dict[str, Rule],
) -> list[str]:
    """Make one call per case and return every way the answers fall short."""
    problems: list[str] = []
    for case, value in cases:
        outcome = _resolve(outcomes[case], value)
        sent_before, wired_before = len(simulator.requests), len(wire)
        response: Any = None
        error: BaseException | None = None
        try:
            response = await call(value)
        except Exception as err:  # noqa: BLE001 - every failure is judged below
            error = err
        await hass.async_block_till_done()
        problem = _action_problem(
            outcome,
            value,
            response,
            error,
            simulator.requests[sent_before:],
            wire[wired_before:],
        )
        if problem:
            problems.append(f"{case}: {problem}")
    return problems


def _action(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    field: str,
    *,
    domain: str = DOMAIN,
    return_response: bool = True,
) -> Callable[[Any], Awaitable[Any]]:
    """Return a call of the service with one field set to the value tried."""

    async def call(value: Any) -> Any:
        return await hass.services.async_call(
            domain,
            service,
            data | {field: value},
            blocking=True,
            return_response=return_response,
        )

    return call


def _with_subentry(
    entry: MockConfigEntry, kind: str, title: str, data: dict[str, str], unique_id: str
) -> MockConfigEntry:
    return with_subentries(
        entry,
        ConfigSubentryData(
            data=data, subentry_type=kind, title=title, unique_id=unique_id
        ),
    )


def _report(surface: str, field: str, problems: list[str]) -> str:
    return f"{surface} {field}:\n  " + "\n  ".join(problems)


# Actions ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", SURFACES["latam_messaging.send_sms"])
async def test_send_sms_answers_every_bad_value_of_each_field_before_sending(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Bad values: a translated error and no request; Unicode text and line breaks go out."""
    await setup_entry(hass, elibom_entry)
    moment = (dt_util.utcnow() + timedelta(hours=2)).replace(second=0, microsecond=0)
    bases = {
        "config_entry_id": elibom_entry.entry_id,
        "to": NUMBER,
        "message": MESSAGE,
        "schedule_at": moment.isoformat(),
        "plain_alphabet": "true",
    }
    outcomes = send_sms_outcomes(moment)[field]
    optional = ("schedule_at", "plain_alphabet")
    data = {key: value for key, value in bases.items() if key not in optional}

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(hass, "send_sms", data, field),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, _report("send_sms", field, problems)


@pytest.mark.parametrize("field", SURFACES["latam_messaging.cancel_scheduled_sms"])
async def test_cancel_scheduled_sms_answers_every_bad_value_of_each_field_before_asking(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Only a well-formed id reaches Elibom (an unquoted number is one); the rest is refused."""
    await setup_entry(hass, elibom_entry)
    bases = {"config_entry_id": elibom_entry.entry_id, "schedule_id": SCHEDULE_ID}
    outcomes = cancel_scheduled_sms_outcomes()[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(hass, "cancel_scheduled_sms", bases, field, return_response=False),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, _report("cancel_scheduled_sms", field, problems)


@pytest.mark.parametrize("field", SURFACES["latam_messaging.get_delivery"])
async def test_get_delivery_answers_every_bad_value_of_each_field_before_asking(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Only a well-formed token reaches Elibom (an unquoted number is one); the rest is refused."""
    await setup_entry(hass, elibom_entry)
    bases = {"config_entry_id": elibom_entry.entry_id, "delivery_token": DELIVERY_TOKEN}
    outcomes = get_delivery_outcomes()[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(hass, "get_delivery", bases, field),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, _report("get_delivery", field, problems)


@pytest.mark.parametrize("field", SURFACES["latam_messaging.send_bot_message"])
async def test_send_bot_message_answers_every_bad_value_of_each_field_before_sending(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """Bad values: a translated error and no request; Unicode text and line breaks go out."""
    simulator.aldeamo.add_user("whatsapp", BOT_USER)
    await setup_entry(hass, aldeamo_entry)
    bases = {
        "config_entry_id": aldeamo_entry.entry_id,
        "channel": "whatsapp",
        "client_id": BOT_USER,
        "message": MESSAGE,
    }
    outcomes = send_bot_message_outcomes()[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(hass, "send_bot_message", bases, field),
        sweep(bases[field]),
        outcomes,
    )

    assert not problems, _report("send_bot_message", field, problems)


# Notify entities and the classic notify services ---------------------------------------


@pytest.mark.parametrize("field", SURFACES["notify.send_message on a recipient"])
async def test_a_recipient_notify_entity_answers_every_bad_message_or_title(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.send_message on a recipient: bad text refused unsent, good text sent intact."""
    entry = _with_subentry(
        elibom_entry,
        "recipient",
        "Mamá",
        {"name": "Mamá", "phone_number": NUMBER_SENT},
        NUMBER_SENT,
    )
    await setup_entry(hass, entry)
    data = {"entity_id": notify_entity_of(hass, entry), "message": MESSAGE}
    outcomes = (
        message_outcomes(untracked_sms_goes, schema=True)
        if field == "message"
        else title_outcomes(untracked_sms_goes)
    )

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(
            hass,
            "send_message",
            data,
            field,
            domain="notify",
            return_response=False,
        ),
        sweep(MESSAGE if field == "message" else TITLE),
        outcomes,
    )

    assert not problems, _report("notify.send_message (recipient)", field, problems)


@pytest.mark.parametrize("field", SURFACES["notify.send_message on a contact"])
async def test_a_contact_notify_entity_answers_every_bad_message_or_title(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.send_message on a contact: bad text refused unsent, good text sent intact."""
    simulator.aldeamo.add_user("whatsapp", BOT_USER)
    entry = _with_subentry(
        aldeamo_entry,
        "contact",
        "Ana",
        {"name": "Ana", "channel": "whatsapp", "client_id": BOT_USER},
        f"whatsapp:{BOT_USER}",
    )
    await setup_entry(hass, entry)
    data = {"entity_id": notify_entity_of(hass, entry), "message": MESSAGE}

    outcomes = (
        message_outcomes(untracked_bot_goes, schema=True)
        if field == "message"
        else title_outcomes(untracked_bot_goes)
    )

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(
            hass,
            "send_message",
            data,
            field,
            domain="notify",
            return_response=False,
        ),
        sweep(MESSAGE if field == "message" else TITLE),
        outcomes,
    )

    assert not problems, _report("notify.send_message (contact)", field, problems)


@pytest.mark.parametrize("field", SURFACES[f"notify.{RECIPIENT_SERVICE}"])
async def test_the_classic_sms_notify_service_answers_every_bad_value_of_each_field(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.<account>: bad numbers or text refused unsent; numbers typed unquoted work."""
    await setup_entry(hass, elibom_entry)
    assert hass.services.has_service("notify", RECIPIENT_SERVICE)
    data = {"message": MESSAGE, "target": [NUMBER]}
    outcomes = sms_notify_service_outcomes()[field]
    base = {"message": MESSAGE, "title": TITLE, "target": NUMBER}[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(
            hass,
            RECIPIENT_SERVICE,
            data,
            field,
            domain="notify",
            return_response=False,
        ),
        sweep(base),
        outcomes,
    )

    assert not problems, _report(f"notify.{RECIPIENT_SERVICE}", field, problems)


@pytest.mark.parametrize("field", SURFACES[f"notify.{BOTS_SERVICE}"])
async def test_the_classic_bot_notify_service_answers_every_bad_value_of_each_field(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    wire: list[str],
    field: str,
) -> None:
    """notify.aldeamo_bots: bad targets or text refused unsent; a repeated target goes once."""
    simulator.aldeamo.add_user("whatsapp", BOT_USER)
    await setup_entry(hass, aldeamo_entry)
    assert hass.services.has_service("notify", BOTS_SERVICE)
    target = f"whatsapp:{BOT_USER}"
    data = {"message": MESSAGE, "target": [target]}

    outcomes = bot_notify_service_outcomes()[field]
    base = {"message": MESSAGE, "title": TITLE, "target": target}[field]

    problems = await sweep_calls(
        hass,
        simulator,
        wire,
        _action(
            hass, BOTS_SERVICE, data, field, domain="notify", return_response=False
        ),
        sweep(base),
        outcomes,
    )

    assert not problems, _report(f"notify.{BOTS_SERVICE}", field, problems)


# Flows --------------------------------------------------------------------------------


@pytest.fixture
async def default_site(
    simulator: Simulator, monkeypatch: pytest.MonkeyPatch
) -> AsyncGenerator[Simulator]:
    """Serve the same simulated accounts elsewhere, as the providers' default URLs."""
    site = Simulator(clock=simulator.clock)
    site.elibom = simulator.elibom
    site.aldeamo = simulator.aldeamo
    await site.start()
    monkeypatch.setattr(f"{PACKAGE}.elibom.flow.ElibomForms.url", site.elibom_url)
    monkeypatch.setattr(f"{PACKAGE}.aldeamo.flow.AldeamoForms.url", site.aldeamo_url)
    yield site
    await site.stop()


def _errors_of(section: str, language: str) -> dict[str, str]:
    """Return the form errors a flow section can show, e.g. "config_subentries.contact"."""
    node: Any = TRANSLATIONS[language]
    for part in section.split("."):
        node = node[part]
    errors: dict[str, str] = node["error"]
    return errors


def elibom_check(field: str) -> Callable[[Any, list[RecordedRequest]], str | None]:
    """One GET /account carrying the credentials as typed, in UTF-8."""

    def check(value: Any, sent: list[RecordedRequest]) -> str | None:
        if [(r.method, r.path) for r in sent] != [("GET", "/account")]:
            return f"expected one GET /account, got {_short(_seen(sent))}"
        credentials = {CONF_USERNAME: ELIBOM_USER, CONF_API_TOKEN: ELIBOM_TOKEN}
        credentials[field] = str(value).strip()
        pair = f"{credentials[CONF_USERNAME]}:{credentials[CONF_API_TOKEN]}"
        if sent[0].header("Authorization") != "Basic " + b64encode(
            pair.encode()
        ).decode("ascii"):
            return "the credentials did not reach Elibom as typed"
        return None

    return check


def aldeamo_check(value: Any, sent: list[RecordedRequest]) -> str | None:
    """One GET /users carrying the key as typed."""
    if [(r.method, r.path) for r in sent] != [("GET", "/users")]:
        return f"expected one GET /users, got {_short(_seen(sent))}"
    if sent[0].header("auth") != str(value).strip():
        return "the key did not reach Aldeamo as typed"
    return None


@dataclass
class FlowSweep:
    """One flow surface: how to open its form, submit it, and judge what it stored."""

    hass: HomeAssistant
    simulator: Simulator
    wire: list[str]
    manager: Any
    start: Callable[[], Awaitable[str]]
    section: str
    accept: Callable[[FlowResult, Any], Awaitable[str | None]] | None = None
    check: Callable[[Any, list[RecordedRequest]], str | None] | None = None
    stored: Callable[[], Any] | None = None

    async def run(
        self,
        field: str,
        inputs: Callable[[int], dict[str, Any]],
        cases: list[tuple[str, Any]],
        outcomes: dict[str, Rule],
    ) -> list[str]:
        """Submit every case in turn, opening the form again whenever a flow ended."""
        problems: list[str] = []
        flow_id: str | None = None
        for index, (case, value) in enumerate(cases):
            if flow_id is None:
                flow_id = await self.start()
            outcome = _resolve(outcomes[case], value)
            before = self.stored() if self.stored else None
            sent_before, wired_before = len(self.simulator.requests), len(self.wire)
            result: FlowResult | None = None
            error: BaseException | None = None
            try:
                result = await self.manager.async_configure(
                    flow_id, inputs(index) | {field: value}
                )
            except Exception as err:  # noqa: BLE001 - every failure is judged below
                error = err
            await self.hass.async_block_till_done(wait_background_tasks=True)
            sent = self.simulator.requests[sent_before:]
            wired = self.wire[wired_before:]
            problem = await self._judge(outcome, value, result, error, sent, wired)
            if problem is None and self.stored and not isinstance(outcome, Accepted):
                if self.stored() != before:
                    problem = "refused, yet something was stored"
            if problem:
                problems.append(f"{case}: {problem}")
            if error is not None and not isinstance(error, vol.Invalid):
                with contextlib.suppress(UnknownFlow):
                    self.manager.async_abort(flow_id)
                flow_id = None
            elif result is not None and result["type"] is not FlowResultType.FORM:
                flow_id = None
        return problems

    async def _judge(
        self,
        outcome: Outcome,
        value: Any,
        result: FlowResult | None,
        error: BaseException | None,
        sent: list[RecordedRequest],
        wired: list[str],
    ) -> str | None:
        if isinstance(outcome, Accepted):
            if error is not None or result is None:
                return f"expected it to be accepted, got {_short(error)}"
            if result["type"] is FlowResultType.FORM:
                return (
                    f"expected it to be accepted, got the form with {result['errors']}"
                )
            assert self.accept is not None
            return await self.accept(result, outcome.stored)
        if isinstance(outcome, Invalid):
            if not isinstance(error, vol.Invalid):
                return f"expected Home Assistant's schema error, got {_short(error or result)}"
            return _nothing_sent(sent, wired)
        if error is not None or result is None:
            return f"expected a form error, got {_short(error)}"
        if result["type"] is not FlowResultType.FORM:
            return f"expected the form again, got {_short(result)}"
        errors = result.get("errors") or {}
        if isinstance(outcome, ProviderJudges):
            if errors == {"base": "invalid_auth"}:
                assert self.check is not None
                return self.check(value, sent)
            if errors == {outcome.field: "invalid_value"}:
                return _nothing_sent(sent, wired)
            return f"expected invalid_auth or invalid_value, got {errors}"
        assert isinstance(outcome, FormError)
        if len(errors) != 1 or errors.get(outcome.field) not in outcome.keys:
            return f"expected {sorted(outcome.keys)} on {outcome.field}, got {errors}"
        for language in TRANSLATIONS:
            if errors[outcome.field] not in _errors_of(self.section, language):
                return f"{errors[outcome.field]} is not translated in {language}.json"
        return _nothing_sent(sent, wired)


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
            return f"expected the account to be added, got {_short(result)}"
        entry = result["result"]
        await hass.config_entries.async_remove(entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
        if entry.data[field] != stored:
            return f"stored {_short(entry.data[field])}, expected {_short(stored)}"
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

    assert not problems, _report("Elibom step", field, problems)


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

    assert not problems, _report("Aldeamo step", field, problems)


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

    assert not problems, _report("reauth_confirm", field, problems)
    assert entry.data[field] == secret


def _reconfigured(
    hass: HomeAssistant, entry: MockConfigEntry, field: str
) -> Callable[[FlowResult, Any], Awaitable[str | None]]:
    async def accept(result: FlowResult, stored: Any) -> str | None:
        if result.get("reason") != "reconfigure_successful":
            return f"expected reconfigure_successful, got {_short(result)}"
        if entry.data[field] != stored:
            return f"stored {_short(entry.data[field])}, expected {_short(stored)}"
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

    assert not problems, _report("reconfigure, Elibom", field, problems)


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

    assert not problems, _report("reconfigure, Aldeamo", field, problems)


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
            return f"expected the options to be saved, got {_short(result)}"
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

    assert not problems, _report(f"options, {provider}", field, problems)


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
            return f"expected the recipient to be added, got {_short(result)}"
        if result["title"] != stored or result["data"]["name"] != stored:
            return f"named {_short(result['title'])}, expected {_short(stored)}"
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

    assert not problems, _report("recipient subentry", field, problems)


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
            return f"expected the contact to be added, got {_short(result)}"
        user = result["data"]["client_id"]
        if stored is ANONYMOUS:
            stored = f"WhatsApp …{user[-4:]}"
        if result["title"] != stored or result["data"]["name"] != stored:
            return f"named {_short(result['title'])}, expected {_short(stored)}"
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

    assert not problems, _report("contact subentry", field, problems)


# The figure ---------------------------------------------------------------------------


def test_the_sweep_tries_920_inputs_across_every_action_and_flow() -> None:
    """Every field of every surface gets every case: the "inputs tried" figure."""
    per_surface = {
        surface: sum(len(sweep("x")) for _ in fields)
        for surface, fields in SURFACES.items()
    }
    total = sum(per_surface.values())
    lines = [f"{count:4d}  {surface}" for surface, count in per_surface.items()]
    print("\n".join(["inputs tried:", *lines, f"{total:4d}  in all"]))  # noqa: T201

    assert len(CASES) == 20
    assert len(channel_sweep()) == len(CASES)
    assert sum(len(fields) for fields in SURFACES.values()) == 46
    assert total == 920
