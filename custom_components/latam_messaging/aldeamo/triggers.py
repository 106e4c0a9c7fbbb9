"""Aldeamo's device triggers: a message on each listened channel; a contact's messages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..const import (
    CONF_CHANNEL,
    CONF_CHANNELS,
    CONF_CLIENT_ID,
    EVENT_MESSAGE_RECEIVED,
    SUBENTRY_CONTACT,
)
from ..triggers import AccountTrigger, DeviceTriggers, Subtypes
from ..validation import listening_channels


def _channels(data: Mapping[str, Any]) -> list[str]:
    return listening_channels(data[CONF_CHANNELS])


def _contact(data: Mapping[str, Any]) -> dict[str, str]:
    return {"channel": str(data[CONF_CHANNEL]), "client_id": str(data[CONF_CLIENT_ID])}


ALDEAMO_TRIGGERS = DeviceTriggers(
    account=(
        AccountTrigger(
            kind="message_received",
            event_type=EVENT_MESSAGE_RECEIVED,
            subtypes=Subtypes("channel", _channels),
        ),
    ),
    senders={SUBENTRY_CONTACT: _contact},
)
