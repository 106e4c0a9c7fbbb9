"""Append every latam_messaging_* event to a file, one JSON line each (scripts/soak).

Installed only in the crash soak's temporary configuration. The line is written in
the same step as the event is fired (a callback listener, one `os.write` on a file
opened for appending), so a `kill -9` cannot fall between the two: what the file
holds is what was fired. Each line says whether Home Assistant had started
(automations only see events fired after `homeassistant_started`) and which start of
Home Assistant fired it (SOAK_BOOT, set by scripts/soak).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from homeassistant.const import EVENT_HOMEASSISTANT_STARTED
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.typing import ConfigType

DOMAIN = "soak_recorder"
EVENTS = (
    "latam_messaging_delivery_status",
    "latam_messaging_schedule_status",
    "latam_messaging_message_received",
)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Open the events file and listen."""
    path = Path(hass.config.path("soak_events.jsonl"))
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    boot = int(os.environ.get("SOAK_BOOT", "0"))
    started = {"yes": False}

    @callback
    def on_started(event: Event) -> None:
        started["yes"] = True

    @callback
    def record(event: Event) -> None:
        line = {
            "boot": boot,
            "started": started["yes"],
            "at": event.time_fired.isoformat(),
            "type": event.event_type,
            "data": event.data,
        }
        os.write(descriptor, (json.dumps(line, default=str) + "\n").encode())

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STARTED, on_started)
    for event_type in EVENTS:
        hass.bus.async_listen(event_type, record)
    return True
