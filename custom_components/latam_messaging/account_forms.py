"""An account in the flows: the steps every provider shares, and what each supplies.

`AccountForms` owns the shape of set-up and of the check behind reauth and
reconfigure (read the form, refuse a known account, ask the provider, create or
refuse); each provider (`elibom/flow.py`, `aldeamo/flow.py`) fills in its fields,
its data, its identity and what its answer says. The forms act for the config flow
through `AccountFlow`, the few of its calls they need.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant
import voluptuous as vol

from .const import CONF_ACCOUNT_ID, CONF_PROVIDER
from .flow_input import URL_FIELD, FlowError, base_url


class AccountFlow(Protocol):
    """What the forms may ask of the config flow they act for."""

    @property
    def hass(self) -> HomeAssistant:
        """Return Home Assistant."""

    async def async_set_unique_id(
        self, unique_id: str | None = None, *, raise_on_progress: bool = True
    ) -> ConfigEntry | None:
        """Give the flow the account's unique id (abort if another flow has it)."""

    def abort_if_unique_id_configured(self) -> None:
        """Abort if an entry has the flow's unique id."""

    def abort_if_unique_id_mismatch(self, *, reason: str) -> None:
        """Abort if the flow's unique id is not that of the entry it updates."""

    def abort_entries_match(self, match_dict: dict[str, Any]) -> None:
        """Abort if another entry's data has all of these values."""

    def add_suggested_values_to_schema(
        self, data_schema: vol.Schema, suggested_values: Mapping[str, Any] | None
    ) -> vol.Schema:
        """Return the schema with these values filled in."""

    def async_show_form(
        self,
        *,
        step_id: str,
        data_schema: vol.Schema,
        errors: dict[str, str],
        description_placeholders: Mapping[str, str],
    ) -> ConfigFlowResult:
        """Show a form."""

    def async_abort(self, *, reason: str) -> ConfigFlowResult:
        """Abort the flow."""

    def async_create_entry(
        self, *, title: str, data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Create the entry."""


@dataclass(frozen=True, slots=True)
class CheckedAccount:
    """What the provider's answer says of the account the credentials open."""

    title: str
    """The new entry's title."""
    unique_id: str | None = None
    """The entry's unique id, if the answer decides it (else `known_unique_id`)."""
    owner_id: str | None = None
    """The id the provider gives the account's owner, stored as `CONF_ACCOUNT_ID`."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """What a new entry keeps of the answer."""


class AccountForms(ABC):
    """What one provider's account asks in the flows: set-up, reauth, reconfigure, options."""

    provider: str
    """The provider stored in the entry, and the id of its set-up step."""
    secret: str
    """The field of the secret a reauth asks for again."""
    default_scan_interval: int
    url: str
    """The provider's API address, which set-up shows and rarely needs changed."""
    setup_fields: Mapping[str, Any]
    """What set-up asks for, field by field (each required), before the URL."""
    setup_defaults: Mapping[str, Any] = {}
    """What the empty set-up form shows in those fields."""

    # Set-up --------------------------------------------------------------------------

    def setup_schema(self) -> vol.Schema:
        """Return what set-up asks for: the provider's fields, then (rarely) the URL."""
        fields: dict[vol.Marker, Any] = {
            vol.Required(key): selector for key, selector in self.setup_fields.items()
        }
        return vol.Schema({**fields, vol.Optional(CONF_URL): URL_FIELD})

    def setup_suggested(self) -> dict[str, Any]:
        """Return what the empty set-up form shows."""
        return {CONF_URL: self.url, **self.setup_defaults}

    def setup_data(self, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Return the credentials and URL from the set-up form (FlowError if bad)."""
        return {
            **self.credentials(user_input),
            CONF_URL: base_url(user_input, self.url),
        }

    @abstractmethod
    def credentials(self, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Return the provider's fields from the set-up form (FlowError if bad)."""

    def known_unique_id(self, data: Mapping[str, Any]) -> str | None:
        """Return the unique id if the credentials alone decide it (none by default)."""
        return None

    @abstractmethod
    def taken(self, hass: HomeAssistant, data: Mapping[str, Any]) -> bool:
        """Tell whether an entry already has these credentials (before any request)."""

    @abstractmethod
    async def async_check(
        self, hass: HomeAssistant, data: Mapping[str, Any], timeout: float
    ) -> CheckedAccount:
        """Ask the provider about the account (FlowError if it fails)."""

    def created_data(self) -> dict[str, Any]:
        """Return what a new entry keeps besides its credentials and account."""
        return {}

    async def async_step_setup(
        self, flow: AccountFlow, user_input: dict[str, Any] | None, timeout: float
    ) -> ConfigFlowResult:
        """Ask for a new account's credentials, check them and create the entry."""
        errors: dict[str, str] = {}
        placeholders = {"error": ""}
        if user_input is not None:
            try:
                data = {CONF_PROVIDER: self.provider} | self.setup_data(user_input)
                if (unique_id := self.known_unique_id(data)) is not None:
                    await flow.async_set_unique_id(unique_id)
                    flow.abort_if_unique_id_configured()
                if self.taken(flow.hass, data):
                    return flow.async_abort(reason="already_configured")
                account = await self.async_check(flow.hass, data, timeout)
                if unique_id is None:
                    await flow.async_set_unique_id(account.unique_id)
                    flow.abort_if_unique_id_configured()
                if account.owner_id is not None:
                    # An entry not yet keyed by its owner (made before 1.2).
                    flow.abort_entries_match({CONF_ACCOUNT_ID: account.owner_id})
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
            else:
                return flow.async_create_entry(
                    title=account.title,
                    data=data | dict(account.data) | self.created_data(),
                )
        return flow.async_show_form(
            step_id=self.provider,
            data_schema=flow.add_suggested_values_to_schema(
                self.setup_schema(),
                self.setup_suggested()
                | {k: v for k, v in (user_input or {}).items() if k != self.secret},
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    # Reauth and reconfigure ----------------------------------------------------------

    @abstractmethod
    def reconfigure_schema(self) -> vol.Schema:
        """Return what reconfigure lets the user change."""

    @abstractmethod
    def reconfigure_data(
        self, entry: ConfigEntry, user_input: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return the entry's data with what reconfigure changed (FlowError if bad)."""

    def taken_besides(
        self, hass: HomeAssistant, data: Mapping[str, Any], entry: ConfigEntry
    ) -> bool:
        """Tell whether another entry has the credentials an update gives this one.

        None by default: where the provider names the owner, the owner tells.
        """
        return False

    async def async_check_update(
        self,
        flow: AccountFlow,
        entry: ConfigEntry,
        data: Mapping[str, Any],
        timeout: float,
    ) -> ConfigFlowResult | None:
        """Check new data against the provider; an abort if it is another account."""
        account = await self.async_check(flow.hass, data, timeout)
        known = entry.data.get(CONF_ACCOUNT_ID)
        if known is not None and entry.unique_id == known:
            await flow.async_set_unique_id(account.unique_id, raise_on_progress=False)
            flow.abort_if_unique_id_mismatch(reason="wrong_account")
        elif known is not None and account.owner_id != known:
            # Not keyed by its owner yet (set-up does it): the stored owner tells.
            return flow.async_abort(reason="wrong_account")
        if self.taken_besides(flow.hass, data, entry):
            return flow.async_abort(reason="already_configured")
        return None

    # Options -------------------------------------------------------------------------

    def option_fields(
        self, hass: HomeAssistant, entry: ConfigEntry
    ) -> tuple[dict[vol.Marker, Any], dict[str, Any]]:
        """Return the provider's own option fields and their defaults."""
        return {}, {}

    def options(self, user_input: Mapping[str, Any]) -> dict[str, Any]:
        """Return the provider's own options from the form (FlowError if bad)."""
        return {}

    def options_placeholders(
        self, hass: HomeAssistant, entry: ConfigEntry
    ) -> dict[str, str]:
        """Return what the options form's description shows."""
        return {"webhook_url": "-"}
