"""The Elibom account's sensors: credit, scheduled and unconfirmed SMS, account users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homeassistant.components.sensor import (
    RestoreSensor,
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import EntityCategory
from homeassistant.core import Event, callback
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.util import dt as dt_util

from ..const import CONF_PHONE_NUMBER, EVENT_DELIVERY_STATUS, SUBENTRY_RECIPIENT
from ..entity import LatamEntity, ProviderEntities
from ..validation import masked
from .coordinator import ElibomCoordinator, recipient_name
from .data import ElibomData

PREVIEW_LENGTH = 40
MAX_LISTED_SCHEDULES = 25
"""Schedules listed in the attributes; the rest are counted (a recorder row stays small)."""
LAST_DELIVERY = ("last_number", "last_status", "last_time")
DELIVERY_STATES = ["created", "running", "finished", "failed", "expired"]
"""A delivery's statuses, as a recipient's last-SMS sensor shows them."""
"""What the unconfirmed-SMS sensor tells of the last delivery that changed."""


@dataclass(frozen=True, kw_only=True)
class ElibomSensorDescription(SensorEntityDescription):
    """An Elibom sensor: its value and extra attributes, read from the poll."""

    value_fn: Callable[[ElibomData], float | int | datetime | None]
    attributes_fn: Callable[[ElibomData], dict[str, Any]] | None = None


def _preview(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= PREVIEW_LENGTH else text[:PREVIEW_LENGTH] + "…"


def _schedules(data: ElibomData) -> dict[str, Any]:
    """Return the next schedule, and every one with the id that cancels it."""
    listed = [
        {
            "id": schedule.id,
            "time": schedule.scheduled_time.isoformat()
            if schedule.scheduled_time
            else None,
            "recipients": schedule.destinations,
            "preview": _preview(schedule.text),
        }
        for schedule in data.schedules[:MAX_LISTED_SCHEDULES]
    ]
    first = listed[0] if listed else None
    return {
        "next_time": first["time"] if first else None,
        "next_preview": first["preview"] if first else None,
        "schedules": listed,
        "schedules_not_listed": max(0, len(data.schedules) - MAX_LISTED_SCHEDULES),
    }


def _days_left(data: ElibomData) -> dict[str, Any]:
    return {"days_left": data.runs_out.days_left if data.runs_out else None}


ELIBOM_SENSORS: tuple[ElibomSensorDescription, ...] = (
    ElibomSensorDescription(
        key="credits",
        translation_key="credits",  # its unit comes from the translations too
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        value_fn=lambda data: data.account.credits,
    ),
    ElibomSensorDescription(
        key="scheduled_messages",
        translation_key="scheduled_messages",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: len(data.schedules),
        attributes_fn=_schedules,
    ),
    ElibomSensorDescription(
        key="pending_deliveries",
        translation_key="pending_deliveries",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda data: data.pending_deliveries,
    ),
    ElibomSensorDescription(
        key="sms_parts_today",
        translation_key="sms_parts_today",  # its unit comes from the translations too
        # Counts up through the local day and starts again from 0 at midnight.
        state_class=SensorStateClass.TOTAL_INCREASING,
        value_fn=lambda data: data.parts_today,
    ),
    ElibomSensorDescription(
        key="credit_runs_out",
        translation_key="credit_runs_out",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda data: data.runs_out.at if data.runs_out else None,
        attributes_fn=_days_left,
    ),
    ElibomSensorDescription(
        key="account_users",
        translation_key="account_users",
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda data: data.active_users,
    ),
)


def elibom_sensors(coordinator: ElibomCoordinator) -> Iterator[ElibomSensor]:
    """Make the account's sensors, in the order of their descriptions."""
    for description in ELIBOM_SENSORS:
        kind = (
            UnconfirmedSmsSensor
            if description.key == "pending_deliveries"
            else ElibomSensor
        )
        yield kind(coordinator, description)


class ElibomSensor(LatamEntity[ElibomCoordinator], SensorEntity):
    """A value of the Elibom account."""

    entity_description: ElibomSensorDescription

    def __init__(
        self, coordinator: ElibomCoordinator, description: ElibomSensorDescription
    ) -> None:
        """Describe the sensor."""
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> float | int | datetime | None:
        """Return the value from the last poll."""
        return self.entity_description.value_fn(self.coordinator.data)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the extra attributes from the last poll."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator.data)


class UnconfirmedSmsSensor(ElibomSensor, RestoreEntity):
    """SMS sent and not yet confirmed delivered or failed, and the last one that moved.

    The last delivery comes from the delivery-status events of this account, and
    is restored after a restart.
    """

    _last: dict[str, Any]

    async def async_added_to_hass(self) -> None:
        """Restore the last delivery shown, then follow the account's deliveries."""
        await super().async_added_to_hass()
        self._last = dict.fromkeys(LAST_DELIVERY)
        if (state := await self.async_get_last_state()) is not None:
            self._last |= {
                key: state.attributes[key]
                for key in LAST_DELIVERY
                if key in state.attributes
            }
        self.async_on_remove(
            self.hass.bus.async_listen(EVENT_DELIVERY_STATUS, self._delivery_changed)
        )

    @callback
    def _delivery_changed(self, event: Event) -> None:
        if event.data.get("config_entry_id") != self.coordinator.config_entry.entry_id:
            return
        numbers = [
            str(message.get("to", ""))
            for message in event.data.get("messages") or ()
            if isinstance(message, dict)
        ]
        shown = (
            recipient_name(self.coordinator.config_entry, numbers[0])
            or masked(numbers[0])
            if numbers
            else None
        )
        if shown and len(numbers) > 1:
            shown += f" +{len(numbers) - 1}"
        self._last = {
            "last_number": shown,
            "last_status": event.data.get("status"),
            "last_time": dt_util.utcnow().isoformat(),
        }
        self.async_write_ha_state()

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Return the last delivery that changed: its masked number, status and time."""
        return dict(getattr(self, "_last", None) or dict.fromkeys(LAST_DELIVERY))


class LastSmsSensor(LatamEntity[ElibomCoordinator], RestoreSensor):
    """What the last SMS to one recipient did, on the recipient's device.

    Followed from the account's delivery-status events (sharing their context, so
    the activity view says "SMS a Mamá entregado"), and restored after a restart.
    """

    _attr_translation_key = "last_sms"
    _attr_device_class = SensorDeviceClass.ENUM
    _attr_options = DELIVERY_STATES

    def __init__(
        self, coordinator: ElibomCoordinator, subentry: ConfigSubentry
    ) -> None:
        """Follow one recipient's number."""
        super().__init__(coordinator, f"{subentry.subentry_id}_last_sms", subentry)
        self._number = str(subentry.data.get(CONF_PHONE_NUMBER, ""))

    async def async_added_to_hass(self) -> None:
        """Restore the last status shown, then follow the account's deliveries."""
        await super().async_added_to_hass()
        if (last := await self.async_get_last_sensor_data()) is not None and (
            last.native_value in DELIVERY_STATES
        ):
            self._attr_native_value = last.native_value
        self.async_on_remove(
            self.hass.bus.async_listen(EVENT_DELIVERY_STATUS, self._delivery_changed)
        )

    @callback
    def _delivery_changed(self, event: Event) -> None:
        if event.data.get("config_entry_id") != self.coordinator.config_entry.entry_id:
            return
        numbers = {
            str(message.get("to", ""))
            for message in event.data.get("messages") or ()
            if isinstance(message, dict)
        }
        status = event.data.get("status")
        if self._number not in numbers or status not in DELIVERY_STATES:
            return
        self._attr_native_value = status
        self.async_set_context(event.context)
        self.async_write_ha_state()


def recipient_sensors(
    coordinator: ElibomCoordinator, subentry: ConfigSubentry
) -> list[LastSmsSensor]:
    """Make a recipient's last-SMS sensor."""
    if subentry.subentry_type != SUBENTRY_RECIPIENT:
        return []
    return [LastSmsSensor(coordinator, subentry)]


ELIBOM_SENSOR_ENTITIES = ProviderEntities(
    account=elibom_sensors, subentry=recipient_sensors
)
"""The account's sensors, and each recipient's last SMS."""
