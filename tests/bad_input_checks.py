"""Bad input, field by field: the checks shared by the tests/test_bad_input_*.py files.

Every action, notify service and flow must answer bad input clearly: the tests are in
test_bad_input_actions.py, test_bad_input_notify.py and test_bad_input_flows.py, and
the `wire` and `default_site` fixtures here reach them through tests/conftest.py.

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
import json
from pathlib import Path
from typing import Any
import unicodedata
from urllib.parse import parse_qsl

import aiohttp
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResult, FlowResultType, UnknownFlow
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.latam_messaging.const import CONF_API_TOKEN, DOMAIN
from tests.bad_input_cases import (
    Accepted,
    FormError,
    Goes,
    Invalid,
    Outcome,
    ProviderJudges,
    Refused,
    Rule,
)
from tests.const import ELIBOM_TOKEN, ELIBOM_USER
from tests.helpers import with_subentries
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


def short(value: Any) -> str:
    """Return a value's repr, cut to fit in a problem report."""
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
        return f"expected no request at all, got {short(_seen(sent))} / {short(wired)}"
    return None


def _refusal_problem(
    error: BaseException | None, keys: frozenset[str] | None, value: Any
) -> str | None:
    """Check a translated refusal: known key, short printable text naming the value."""
    if not isinstance(error, ServiceValidationError):
        return f"expected a translated ServiceValidationError, got {short(error)}"
    key = error.translation_key
    if error.translation_domain != DOMAIN or key is None:
        return f"not translated by the integration: {short(error)}"
    if keys is not None and key not in keys:
        return f"expected {sorted(keys)}, got {key}"
    placeholders = error.translation_placeholders or {}
    for name, shown in placeholders.items():
        if not isinstance(shown, str) or not _safe(shown) or len(shown) > 60:
            return (
                f"{key}: placeholder {name} is not short printable text: {short(shown)}"
            )
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
        return f"{key}: the message is not short printable text: {short(text)}"
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
                f"expected {short(list(outcome.requests))} on the wire, got "
                f"{short(seen)} ({len(wired)} started), error {short(error)}"
            )
        if outcome.error is not None:
            return _refusal_problem(error, frozenset({outcome.error}), value)
        if error is not None:
            return f"expected it to go out, got {short(error)}"
        if outcome.response is not None and not (
            isinstance(response, dict) and response.get(outcome.response)
        ):
            return f"expected {outcome.response} in the response, got {short(response)}"
        return None
    if problem := _nothing_sent(sent, wired):
        return f"{problem} (error {short(error)})"
    if isinstance(outcome, Invalid):
        if isinstance(error, vol.Invalid):
            return None
        return f"expected Home Assistant's schema error, got {short(error)}"
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


def action(
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


def with_subentry(
    entry: MockConfigEntry, kind: str, title: str, data: dict[str, str], unique_id: str
) -> MockConfigEntry:
    """Return the entry with one subentry of this kind added."""
    return with_subentries(
        entry,
        ConfigSubentryData(
            data=data, subentry_type=kind, title=title, unique_id=unique_id
        ),
    )


def report(surface: str, field: str, problems: list[str]) -> str:
    """Return one field's problems, a line each, for an assertion message."""
    return f"{surface} {field}:\n  " + "\n  ".join(problems)


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
            return f"expected one GET /account, got {short(_seen(sent))}"
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
        return f"expected one GET /users, got {short(_seen(sent))}"
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
                return f"expected it to be accepted, got {short(error)}"
            if result["type"] is FlowResultType.FORM:
                return (
                    f"expected it to be accepted, got the form with {result['errors']}"
                )
            assert self.accept is not None
            return await self.accept(result, outcome.stored)
        if isinstance(outcome, Invalid):
            if not isinstance(error, vol.Invalid):
                return f"expected Home Assistant's schema error, got {short(error or result)}"
            return _nothing_sent(sent, wired)
        if error is not None or result is None:
            return f"expected a form error, got {short(error)}"
        if result["type"] is not FlowResultType.FORM:
            return f"expected the form again, got {short(result)}"
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
