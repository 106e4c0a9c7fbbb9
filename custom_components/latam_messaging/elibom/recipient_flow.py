"""An Elibom recipient: a phone number with its own notify entity (and maybe Assist)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from ..const import (
    CONF_ASSIST_PIN,
    CONF_DEFAULT_COUNTRY_CODE,
    CONF_PHONE_NUMBER,
    DEFAULT_COUNTRY_CODE,
)
from ..flow_input import TEXT, FlowError, assist_data, assist_fields, text
from ..number_format import dialled
from ..validation import phone_number


class RecipientFlow(ConfigSubentryFlow):
    """A phone number that gets its own notify entity."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Add a recipient (only Elibom accounts offer recipients)."""
        return await self._form("user", user_input)

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a recipient's name or number."""
        return await self._form("reconfigure", user_input)

    async def _form(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        current = self._get_reconfigure_subentry() if step_id == "reconfigure" else None
        errors: dict[str, str] = {}
        country_code = str(
            entry.options.get(CONF_DEFAULT_COUNTRY_CODE, DEFAULT_COUNTRY_CODE)
        )
        if user_input is not None:
            try:
                name = text(user_input, CONF_NAME)
                number = phone_number(text(user_input, CONF_PHONE_NUMBER), country_code)
                assisted = assist_data(
                    user_input,
                    saved_key_word=str(current.data.get(CONF_ASSIST_PIN, ""))
                    if current
                    else "",
                    key_word_required=True,
                )
            except FlowError as err:
                errors[err.field] = err.key
            except ServiceValidationError as err:
                errors[CONF_PHONE_NUMBER] = str(err.translation_key)
            else:
                if any(
                    sub.unique_id == number and sub is not current
                    for sub in entry.subentries.values()
                ):
                    return self.async_abort(reason="already_configured")
                data = {
                    CONF_NAME: name,
                    CONF_PHONE_NUMBER: number,
                    **assisted,
                }
                if current is not None:
                    # The entry's update listener reloads it when it is loaded.
                    return self.async_update_and_abort(
                        entry, current, title=name, data=data, unique_id=number
                    )
                return self.async_create_entry(
                    title=name,
                    data=data,
                    unique_id=number,
                    description="added",
                    description_placeholders={
                        "name": name,
                        "number": dialled(number, country_code),
                    },
                )
        # The key word saved is never shown back.
        suggested = (
            {k: v for k, v in current.data.items() if k != CONF_ASSIST_PIN}
            if current
            else {}
        )
        if user_input is not None:
            user_input = {k: v for k, v in user_input.items() if k != CONF_ASSIST_PIN}
        return self.async_show_form(
            step_id=step_id,
            description_placeholders={
                "number": dialled(
                    str(current.data.get(CONF_PHONE_NUMBER, "")), country_code
                )
                if current
                else "",
                "country_code": country_code,
            },
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_NAME): TEXT,
                        vol.Required(CONF_PHONE_NUMBER): TextSelector(
                            TextSelectorConfig(type=TextSelectorType.TEL)
                        ),
                        **assist_fields(self.hass, key_word=True),
                    }
                ),
                user_input or suggested,
            ),
            errors=errors,
        )
