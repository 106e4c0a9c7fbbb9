"""Repairs with a fix: asking a recipient's key word when Assist needs one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import RepairsFlow
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResult
from homeassistant.helpers import issue_registry as ir
import voluptuous as vol

from .const import CONF_ASSIST, CONF_ASSIST_PIN, DOMAIN
from .flow_input import KEY_WORD, FlowError, key_word_text
from .validation import masked

if TYPE_CHECKING:
    from .coordinator import LatamCoordinator

KEY_WORD_MISSING = "assist_pin_missing"


def key_word_issue_id(subentry_id: str) -> str:
    """Name the repair issue of a person whose Assist waits for a key word."""
    return f"{KEY_WORD_MISSING}_{subentry_id}"


@callback
def async_ask_for_key_words(
    hass: HomeAssistant, coordinator: LatamCoordinator[Any, Any]
) -> None:
    """Raise one repair per person with Assist on and no key word where one is needed.

    Their messages do not reach Assist until they have one (people added
    before key words existed); the issue goes once one is saved.
    """
    entry = coordinator.config_entry
    senders = coordinator.device_triggers.senders
    for subentry in entry.subentries.values():
        issue_id = key_word_issue_id(subentry.subentry_id)
        sender = senders.get(subentry.subentry_type)
        if (
            coordinator.assist_key_word_required
            and sender is not None
            and subentry.data.get(CONF_ASSIST, False)
            and not subentry.data.get(CONF_ASSIST_PIN)
        ):
            ir.async_create_issue(
                hass,
                DOMAIN,
                issue_id,
                is_fixable=True,
                is_persistent=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=KEY_WORD_MISSING,
                translation_placeholders={
                    "name": subentry.title,
                    "number": masked(sender(subentry.data).get("client_id", "")),
                },
                data={"entry_id": entry.entry_id, "subentry_id": subentry.subentry_id},
            )
        else:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    for (domain, issue_id), issue in list(ir.async_get(hass).issues.items()):
        if (
            domain == DOMAIN
            and issue_id.startswith(KEY_WORD_MISSING)
            and (issue.data or {}).get("entry_id") == entry.entry_id
            and (issue.data or {}).get("subentry_id") not in entry.subentries
        ):
            ir.async_delete_issue(hass, DOMAIN, issue_id)  # the person was removed


class KeyWordFlow(RepairsFlow):
    """Ask the key word a person's messages will start with."""

    def __init__(self, issue_id: str, entry_id: str, subentry_id: str) -> None:
        """Remember whose key word is asked."""
        self._issue_id = issue_id
        self._entry_id = entry_id
        self._subentry_id = subentry_id

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> FlowResult:
        """Start with the key word."""
        return await self.async_step_key_word()

    async def async_step_key_word(
        self, user_input: dict[str, Any] | None = None
    ) -> FlowResult:
        """Save the key word; the entry reloads and Assist answers them again."""
        entry = self.hass.config_entries.async_get_entry(self._entry_id)
        subentry = entry.subentries.get(self._subentry_id) if entry else None
        if entry is None or subentry is None:
            ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
            return self.async_abort(reason="person_gone")
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, self._issue_id)
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                chosen = key_word_text(user_input)
            except FlowError as err:
                errors[err.field] = err.key
            else:
                self.hass.config_entries.async_update_subentry(
                    entry, subentry, data={**subentry.data, CONF_ASSIST_PIN: chosen}
                )
                ir.async_delete_issue(self.hass, DOMAIN, self._issue_id)
                return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="key_word",
            data_schema=vol.Schema({vol.Required(CONF_ASSIST_PIN): KEY_WORD}),
            errors=errors,
            description_placeholders={
                "number": "",
                **(issue.translation_placeholders or {} if issue else {}),
                "name": subentry.title,
            },
        )


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Return the fix of one of the integration's fixable issues."""
    data = data or {}
    return KeyWordFlow(
        issue_id, str(data.get("entry_id", "")), str(data.get("subentry_id", ""))
    )
