"""Elibom's device triggers: inbound SMS and the end of a delivery; a recipient's SMS."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..const import (
    CONF_PHONE_NUMBER,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    SUBENTRY_RECIPIENT,
)
from ..triggers import AccountTrigger, DeviceTriggers


def _recipient(data: Mapping[str, Any]) -> dict[str, str]:
    return {"channel": "sms", "client_id": str(data[CONF_PHONE_NUMBER])}


ELIBOM_TRIGGERS = DeviceTriggers(
    account=(
        AccountTrigger(
            kind="sms_received",
            event_type=EVENT_MESSAGE_RECEIVED,
            event_data={"channel": "sms"},
        ),
        AccountTrigger(
            kind="delivery_failed",
            event_type=EVENT_DELIVERY_STATUS,
            event_data={"status": "failed"},
        ),
        AccountTrigger(
            kind="delivery_finished",
            event_type=EVENT_DELIVERY_STATUS,
            event_data={"status": "finished"},
        ),
    ),
    senders={SUBENTRY_RECIPIENT: _recipient},
)
