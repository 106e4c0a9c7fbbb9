"""Each provider's coordinator class, by the provider stored in the entry.

The one place that names the providers: set-up asks the class for its coordinator
and store, device triggers ask it what the devices offer (without a loaded entry).
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry

from .aldeamo.coordinator import AldeamoCoordinator
from .const import CONF_PROVIDER, PROVIDER_ALDEAMO, PROVIDER_ELIBOM
from .coordinator import LatamCoordinator
from .elibom.coordinator import ElibomCoordinator

COORDINATORS: dict[str, type[LatamCoordinator[Any, Any]]] = {
    PROVIDER_ELIBOM: ElibomCoordinator,
    PROVIDER_ALDEAMO: AldeamoCoordinator,
}


def provider_of(entry: ConfigEntry[Any]) -> type[LatamCoordinator[Any, Any]]:
    """Return the coordinator class of the entry's provider (loaded or not)."""
    return COORDINATORS[entry.data[CONF_PROVIDER]]
