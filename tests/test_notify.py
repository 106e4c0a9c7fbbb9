"""The notify entities: one per recipient or contact, and what their state shows.

A notify entity's state is the last time something was sent to it. Home Assistant
lets an integration record that for other sends from 2026.10 on; on 2026.2 the
state changes only through notify.send_message, and sends made through the
actions leave it alone.
"""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.notify import NotifyEntity
from homeassistant.config_entries import ConfigSubentryData
from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion

from custom_components.latam_messaging.const import DOMAIN
from tests.conftest import setup_entry
from tests.helpers import snapshot_platform, state_of, with_subentries
from tests.simulator import Simulator

RECORDS = hasattr(NotifyEntity, "_async_record_notification")
MOM = "573001112222"
DAD = "573004445555"
ANA = "573001112222"


def _recipient(name: str, number: str) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={"name": name, "phone_number": number},
        subentry_type="recipient",
        title=name,
        unique_id=number,
    )


def _contact(name: str, channel: str, client_id: str) -> ConfigSubentryData:
    return ConfigSubentryData(
        data={"name": name, "channel": channel, "client_id": client_id},
        subentry_type="contact",
        title=name,
        unique_id=f"{channel}:{client_id}",
    )


def _expected(when: str) -> str:
    """Return what the state reads after a send at `when`, on this Home Assistant."""
    return when if RECORDS else STATE_UNKNOWN


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up the notify entities only."""
    return [Platform.NOTIFY]


@pytest.mark.parametrize("provider", ["elibom", "aldeamo"])
@pytest.mark.usefixtures("init_integration")
async def test_notify_entities(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """The person's notify entity, on a device of its own under the account's."""
    snapshot_platform(hass, entity_registry, snapshot, config_entry.entry_id)


async def test_send_sms_to_a_recipient_updates_only_that_recipients_entity(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A number written locally still finds the saved recipient; others stay as they were."""
    entry = with_subentries(
        elibom_entry, _recipient("Mamá", MOM), _recipient("Papá", DAD)
    )
    await setup_entry(hass, entry)
    sent_at = dt_util.utcnow().isoformat()

    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": entry.entry_id,
            "to": ["300 111 2222", "+1 415 555 0100"],
            "message": "Alarma en casa",
        },
        blocking=True,
    )

    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    assert post.json["to"] == f"{MOM},14155550100"
    assert state_of(hass, "notify.mama") == _expected(sent_at)
    assert state_of(hass, "notify.papa") == STATE_UNKNOWN


async def test_a_scheduled_sms_is_not_a_send_yet(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Scheduling leaves the recipient's last-sent time alone: nothing went out."""
    entry = with_subentries(elibom_entry, _recipient("Mamá", MOM))
    await setup_entry(hass, entry)

    await hass.services.async_call(
        DOMAIN,
        "send_sms",
        {
            "config_entry_id": entry.entry_id,
            "to": MOM,
            "message": "Recordatorio",
            "schedule_at": (dt_util.now() + timedelta(hours=2)).isoformat(),
        },
        blocking=True,
    )

    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    assert "scheduleDate" in post.json
    assert state_of(hass, "notify.mama") == STATE_UNKNOWN


async def test_send_bot_message_updates_the_contact_on_that_channel_only(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The same id on another channel is another person's entity."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    entry = with_subentries(
        aldeamo_entry,
        _contact("Ana", "whatsapp", ANA),
        _contact("Ana Facebook", "facebook", ANA),
    )
    await setup_entry(hass, entry)
    sent_at = dt_util.utcnow().isoformat()

    await hass.services.async_call(
        DOMAIN,
        "send_bot_message",
        {
            "config_entry_id": entry.entry_id,
            "channel": "whatsapp",
            "client_id": ANA,
            "message": "Su pedido está listo",
        },
        blocking=True,
    )

    assert [(m.channel, m.client_id) for m in simulator.aldeamo.sent] == [
        ("whatsapp", ANA)
    ]
    assert state_of(hass, "notify.ana") == _expected(sent_at)
    assert state_of(hass, "notify.ana_facebook") == STATE_UNKNOWN


async def test_the_classic_service_updates_the_recipients_it_sent_to(
    hass: HomeAssistant,
    elibom_entry: MockConfigEntry,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    freezer: FrozenDateTimeFactory,
) -> None:
    """notify.<account> with targets counts as a send to each saved recipient."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, with_subentries(elibom_entry, _recipient("Mamá", MOM)))
    await setup_entry(
        hass, with_subentries(aldeamo_entry, _contact("Ana", "whatsapp", ANA))
    )
    sent_at = dt_util.utcnow().isoformat()

    await hass.services.async_call(
        "notify",
        "tienda_dona_perez",
        {"message": "Código 123456", "target": ["3001112222"]},
        blocking=True,
    )
    await hass.services.async_call(
        "notify",
        "aldeamo_bots",
        {"message": "Código 654321", "target": [f"whatsapp:{ANA}"]},
        blocking=True,
    )

    assert simulator.requests_to("elibom", "POST", "/messages")
    assert len(simulator.aldeamo.sent) == 1
    assert state_of(hass, "notify.mama") == _expected(sent_at)
    assert state_of(hass, "notify.ana") == _expected(sent_at)
