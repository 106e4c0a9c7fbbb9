"""Adding an account: the provider menu, reauth and reconfigure; each provider's forms do the asking.

The steps every account shares are in `account_forms.py`, what each provider asks
in `elibom/flow.py` and `aldeamo/flow.py`, the options
in `options_flow.py`, recipients and contacts in `elibom/recipient_flow.py` and
`aldeamo/contact_flow.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.core import callback
import voluptuous as vol

from .account_forms import AccountForms
from .aldeamo.contact_flow import ContactFlow
from .aldeamo.flow import AldeamoForms
from .const import (
    CONF_API_TOKEN,
    CONF_PROVIDER,
    DOMAIN,
    PROVIDER_ALDEAMO,
    PROVIDER_ELIBOM,
    REQUEST_TIMEOUT,
    SUBENTRY_CONTACT,
    SUBENTRY_RECIPIENT,
)
from .elibom.flow import ElibomForms
from .elibom.recipient_flow import RecipientFlow
from .flow_input import PASSWORD, FlowError, text
from .identity import KEYED_BY_OWNER
from .options_flow import LatamOptionsFlow

FORMS: dict[str, AccountForms] = {
    PROVIDER_ELIBOM: ElibomForms(),
    PROVIDER_ALDEAMO: AldeamoForms(),
}
"""Each provider's forms, by the provider stored in the entry (and its menu step)."""


def _forms(entry: ConfigEntry) -> AccountForms:
    return FORMS[entry.data[CONF_PROVIDER]]


class LatamMessagingConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an Elibom or Aldeamo account."""

    VERSION = 1
    MINOR_VERSION = KEYED_BY_OWNER

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Recipients for an SMS account, contacts for a bot: each account its own kind.

        Home Assistant asks per entry, so each account's menu offers only the one.
        """
        if config_entry.data.get(CONF_PROVIDER) == PROVIDER_ALDEAMO:
            return {SUBENTRY_CONTACT: ContactFlow}
        return {SUBENTRY_RECIPIENT: RecipientFlow}

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Return the options flow: polling, low-credit warning, alphabet, country code."""
        return LatamOptionsFlow(_forms(config_entry))

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose the provider."""
        return self.async_show_menu(step_id="user", menu_options=list(FORMS))

    async def async_step_elibom(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Elibom e-mail, API password and (rarely) URL."""
        forms = FORMS[PROVIDER_ELIBOM]
        return await forms.async_step_setup(self, user_input, REQUEST_TIMEOUT)

    async def async_step_aldeamo(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the Aldeamo API key, channels and (rarely) URL."""
        forms = FORMS[PROVIDER_ALDEAMO]
        return await forms.async_step_setup(self, user_input, REQUEST_TIMEOUT)

    # Reauth and reconfigure ------------------------------------------------------

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start when the provider refused the stored secret."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the new API password or key of the same account."""
        entry = self._get_reauth_entry()
        secret = _forms(entry).secret
        errors: dict[str, str] = {}
        placeholders = {"account": entry.title, "error": ""}
        if user_input is not None:
            try:
                return await self._update_account(
                    entry, entry.data | {secret: text(user_input, secret)}
                )
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema({vol.Required(secret): PASSWORD}),
            errors=errors,
            description_placeholders=placeholders,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the URL, the Elibom user or the Aldeamo channels."""
        entry = self._get_reconfigure_entry()
        forms = _forms(entry)
        errors: dict[str, str] = {}
        placeholders = {"account": entry.title, "error": ""}
        if user_input is not None:
            try:
                data = forms.reconfigure_data(entry, user_input)
                return await self._update_account(entry, data)
            except FlowError as err:
                errors[err.field] = err.key
                placeholders["error"] = err.detail
        schema = forms.reconfigure_schema()
        suggested = {k: v for k, v in entry.data.items() if k in schema.schema}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, (user_input or suggested) | {CONF_API_TOKEN: ""}
            ),
            errors=errors,
            description_placeholders=placeholders,
        )

    # What the forms ask of this flow (`AccountFlow`) ---------------------------------

    def abort_if_unique_id_configured(self) -> None:
        """Abort if an entry has this flow's unique id."""
        self._abort_if_unique_id_configured()

    def abort_if_unique_id_mismatch(self, *, reason: str) -> None:
        """Abort if this flow's unique id is not that of the entry it updates."""
        self._abort_if_unique_id_mismatch(reason=reason)

    def abort_entries_match(self, match_dict: dict[str, Any]) -> None:
        """Abort if another entry's data has all of these values."""
        self._async_abort_entries_match(match_dict)

    async def _update_account(
        self, entry: ConfigEntry, data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Check new data against the provider, then store it and reload."""
        refused = await _forms(entry).async_check_update(
            self, entry, data, REQUEST_TIMEOUT
        )
        if refused is not None:
            return refused
        changed = dict(data) != dict(entry.data)
        listened = entry.state is ConfigEntryState.LOADED
        result = self.async_update_and_abort(entry, data=data)
        if not (changed and listened):
            # A loaded entry's update listener reloads it on a change. Otherwise no
            # listener runs (not loaded, or nothing changed), yet a reauth after a
            # passing 401 must restart polling: reload here.
            self.hass.config_entries.async_schedule_reload(entry.entry_id)
        return result
