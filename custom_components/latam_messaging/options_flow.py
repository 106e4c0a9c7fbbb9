"""The options: the polling period for every account, and what its provider adds."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
)
import voluptuous as vol

from .account_forms import AccountForms
from .const import CONF_SCAN_INTERVAL, MAX_SCAN_INTERVAL, MIN_SCAN_INTERVAL
from .flow_input import FlowError


class LatamOptionsFlow(OptionsFlow):
    """Polling period for all; low-credit warning, alphabet and country code for Elibom."""

    def __init__(self, forms: AccountForms) -> None:
        """Ask what the entry's provider adds to the options."""
        self._forms = forms

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        entry = self.config_entry
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                own = self._forms.options(user_input)
            except FlowError as err:
                errors[err.field] = err.key
            else:
                options: dict[str, Any] = {
                    CONF_SCAN_INTERVAL: int(user_input[CONF_SCAN_INTERVAL])
                }
                return self.async_create_entry(data=options | own)

        fields: dict[vol.Marker, Any] = {
            vol.Required(CONF_SCAN_INTERVAL): NumberSelector(
                NumberSelectorConfig(
                    min=MIN_SCAN_INTERVAL,
                    max=MAX_SCAN_INTERVAL,
                    step=1,
                    mode=NumberSelectorMode.BOX,
                    unit_of_measurement="s",
                )
            )
        }
        defaults: dict[str, Any] = {
            CONF_SCAN_INTERVAL: self._forms.default_scan_interval
        }
        own_fields, own_defaults = self._forms.option_fields(self.hass, entry)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(fields | own_fields),
                defaults | own_defaults | dict(entry.options) | (user_input or {}),
            ),
            errors=errors,
            description_placeholders={
                "account": entry.title,
                **self._forms.options_placeholders(self.hass, entry),
            },
        )
