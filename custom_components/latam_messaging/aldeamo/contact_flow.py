"""An Aldeamo contact: a bot user on one channel with its own notify and event entities."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    SOURCE_RECONFIGURE,
    ConfigEntryState,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_NAME
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import voluptuous as vol

from ..api import LISTENING_CHANNELS, SENDING_CHANNELS, LatamMessagingError
from ..const import (
    CHANNEL_NAMES,
    CONF_ASSIST_PIN,
    CONF_CHANNEL,
    CONF_CHANNELS,
    CONF_CLIENT_ID,
    LOGGER,
)
from ..flow_input import TEXT, FlowError, assist_data, assist_fields, text
from ..validation import client_id, masked
from .coordinator import AldeamoCoordinator


def _anonymous_name(channel: str, user: str) -> str:
    """Name a contact without a name by channel and the id's end, never the whole id.

    The name becomes the entity id, which is logged and shown everywhere; an id is
    often a phone number.
    """
    return f"{CHANNEL_NAMES.get(channel, channel)} …{user[-4:]}"


class ContactFlow(ConfigSubentryFlow):
    """A bot user on one channel that gets its own notify entity."""

    def __init__(self) -> None:
        """Start without a channel."""
        self._channel = ""
        self._known: list[SelectOptionDict] | None = None

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Choose the channel (only Aldeamo bots offer contacts)."""
        if user_input is not None and user_input.get(CONF_CHANNEL) in SENDING_CHANNELS:
            self._channel = user_input[CONF_CHANNEL]
            return await self.async_step_details()
        entry = self._get_entry()
        channels = [*entry.data[CONF_CHANNELS], "sms"]
        # No channel chosen for them: the first one listed is rarely the one meant.
        # Optional on the form, as the frontend checks a required list's first
        # choice by itself; a form sent with none is asked again.
        return self.async_show_form(
            step_id="user",
            errors={CONF_CHANNEL: "required"} if user_input is not None else None,
            data_schema=vol.Schema(
                {
                    vol.Optional(CONF_CHANNEL): SelectSelector(
                        SelectSelectorConfig(
                            options=channels,
                            translation_key=CONF_CHANNELS,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a contact's name or id (its channel stays)."""
        self._channel = self._get_reconfigure_subentry().data[CONF_CHANNEL]
        return await self.async_step_details(user_input)

    async def _async_known_users(self) -> list[SelectOptionDict]:
        """Return the users the bot already knows on the channel, to pick from.

        Asked of the provider when the form opens (once per flow): the
        coordinator keeps only how many users each channel has.
        """
        if self._known is not None:
            return self._known
        entry = self._get_entry()
        coordinator = (
            entry.runtime_data if entry.state is ConfigEntryState.LOADED else None
        )
        self._known = []
        if (
            isinstance(coordinator, AldeamoCoordinator)
            and self._channel in coordinator.channels
        ):
            try:
                users = await coordinator.client.listed_users(self._channel)
            except LatamMessagingError as err:
                LOGGER.debug("Users of %s not listed: %s", self._channel, err)
                users = ()
            # People already saved as contacts on the channel are not offered again.
            saved = {
                sub.data.get(CONF_CLIENT_ID)
                for sub in entry.subentries.values()
                if sub.data.get(CONF_CHANNEL) == self._channel
                and not (
                    self.source == SOURCE_RECONFIGURE
                    and sub.subentry_id == self._reconfigure_subentry_id
                )
            }
            self._known = [
                SelectOptionDict(
                    value=user.user_id,
                    label=f"{user.name} ({user.user_id})"
                    if user.name
                    else user.user_id,
                )
                for user in users
                if user.user_id not in saved
            ]
        return self._known

    async def async_step_details(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pick or type the user's id and name the contact."""
        entry = self._get_entry()
        current = (
            self._get_reconfigure_subentry()
            if self.source == SOURCE_RECONFIGURE
            else None
        )
        known = await self._async_known_users()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                user = client_id(text(user_input, CONF_CLIENT_ID), self._channel)
                name = text(user_input, CONF_NAME, required=False) or next(
                    (
                        o["label"].rsplit(" (", 1)[0]
                        for o in known
                        if o["value"] == user and o["label"] != user
                    ),
                    _anonymous_name(self._channel, user),
                )
                assisted = assist_data(
                    user_input,
                    saved_key_word=str(current.data.get(CONF_ASSIST_PIN, ""))
                    if current
                    else "",
                )
            except FlowError as err:
                errors[err.field] = err.key
            except ServiceValidationError:
                errors[CONF_CLIENT_ID] = "invalid_client_id"
            else:
                unique_id = f"{self._channel}:{user}"
                if any(
                    sub.unique_id == unique_id and sub is not current
                    for sub in entry.subentries.values()
                ):
                    # Said on the form, which stays open: no dead end.
                    errors[CONF_CLIENT_ID] = "already_configured"
                else:
                    data = {
                        CONF_NAME: name,
                        CONF_CHANNEL: self._channel,
                        CONF_CLIENT_ID: user,
                        **assisted,
                    }
                    if current is not None:
                        # The entry's update listener reloads it when it is loaded.
                        return self.async_update_and_abort(
                            entry, current, title=name, data=data, unique_id=unique_id
                        )
                    return self.async_create_entry(
                        title=name,
                        data=data,
                        unique_id=unique_id,
                        description="added",
                        description_placeholders={
                            "name": name,
                            "channel": CHANNEL_NAMES.get(self._channel, self._channel),
                            "client_id": masked(user),
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
            step_id="details",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_CLIENT_ID): SelectSelector(
                            SelectSelectorConfig(
                                options=known,
                                custom_value=True,
                                mode=SelectSelectorMode.DROPDOWN,
                            )
                        ),
                        vol.Optional(CONF_NAME): TEXT,
                        # Only users of a channel that is read can be answered:
                        # Aldeamo's SMS channel sends and is never read.
                        **(
                            assist_fields(self.hass, key_word=True)
                            if self._channel in LISTENING_CHANNELS
                            else {}
                        ),
                    }
                ),
                user_input or suggested,
            ),
            errors=errors,
            description_placeholders={
                "channel": CHANNEL_NAMES.get(self._channel, self._channel)
            },
        )
