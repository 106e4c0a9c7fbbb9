"""Which automation or script made a call, told from the call's context.

An automation's run (and a script's) starts with an event carrying the context
its actions then call services with: the last runs are remembered by context,
as the logbook does, so that a repair issue can name what sent too much.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from homeassistant.const import ATTR_ENTITY_ID, ATTR_NAME
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

STARTS = ("automation_triggered", "script_started")
"""The events an automation's and a script's runs start with (their components'
constants, written here so that neither component is imported for them)."""
REMEMBERED = 200
"""Runs remembered by their context."""

DATA_CALLERS: HassKey[OrderedDict[str, Caller]] = HassKey(f"{DOMAIN}_callers")


@dataclass(frozen=True, slots=True)
class Caller:
    """An automation or a script: its name and entity id."""

    name: str
    entity_id: str


@callback
def async_setup(hass: HomeAssistant) -> None:
    """Remember the last runs of automations and scripts by their context."""
    runs: OrderedDict[str, Caller] = OrderedDict()
    hass.data[DATA_CALLERS] = runs

    @callback
    def started(event: Event) -> None:
        entity_id = str(event.data.get(ATTR_ENTITY_ID) or "")
        if not entity_id:
            return
        runs[event.context.id] = Caller(
            str(event.data.get(ATTR_NAME) or entity_id), entity_id
        )
        runs.move_to_end(event.context.id)
        while len(runs) > REMEMBERED:
            runs.popitem(last=False)

    for event_type in STARTS:
        hass.bus.async_listen(event_type, started)


@callback
def async_caller(hass: HomeAssistant, context: Context | None) -> Caller | None:
    """Return the automation or script whose run made a call, if one did."""
    runs = hass.data.get(DATA_CALLERS)
    if context is None or not runs:
        return None
    return runs.get(context.id) or (
        runs.get(context.parent_id) if context.parent_id else None
    )
