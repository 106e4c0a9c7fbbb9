"""The classic notify service: stable names, its own service only, multi-factor codes."""

from __future__ import annotations

from homeassistant.auth.mfa_modules import auth_mfa_module_from_config
from homeassistant.auth.mfa_modules.notify import NotifyAuthModule
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import CONF_API_KEY, CONF_NOTIFY_SERVICE
from custom_components.latam_messaging.identity import aldeamo_unique_id
from tests.conftest import setup_entry
from tests.const import ALDEAMO_KEY
from tests.simulator import Simulator

SECOND_KEY = "b5fd0971824e2051c61f2f8f333f011bcef26132"
ANA = "573001112222"
BASE = "aldeamo_bots"


def _second_bot(
    aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> MockConfigEntry:
    """Return another bot account titled like the first, created after it."""
    simulator.aldeamo.api_keys.add(SECOND_KEY)
    return MockConfigEntry(
        domain=aldeamo_entry.domain,
        entry_id="01ALDEAMOENTRY000000000002",
        title=aldeamo_entry.title,
        unique_id=aldeamo_unique_id(SECOND_KEY, simulator.aldeamo_url),
        data={**aldeamo_entry.data, CONF_API_KEY: SECOND_KEY},
    )


async def _send(hass: HomeAssistant, service: str, text: str) -> None:
    await hass.services.async_call(
        "notify",
        service,
        {"message": text, "target": [f"whatsapp:{ANA}"]},
        blocking=True,
    )


def _keys_of_posts(simulator: Simulator) -> list[tuple[str | None, str]]:
    """Return (API key, text) of every message the simulated Aldeamo was asked to send."""
    return [
        (request.header("auth") or request.form.get("auth"), request.form["msg"])
        for request in simulator.requests_to("aldeamo", "POST", "/messages")
    ]


async def _unload(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    for entry in entries:
        assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()


async def _set_up_again(hass: HomeAssistant, *entries: MockConfigEntry) -> None:
    for entry in entries:
        assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_two_bots_titled_alike_keep_their_service_whichever_starts_first(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The older account is notify.aldeamo_bots, the other _2, in every start order."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    second = _second_bot(aldeamo_entry, simulator)
    second.add_to_hass(hass)
    # The newer account is set up first: names follow creation, not load order.
    await setup_entry(hass, aldeamo_entry)
    assert aldeamo_entry.data[CONF_NOTIFY_SERVICE] == BASE
    assert second.data[CONF_NOTIFY_SERVICE] == f"{BASE}_2"

    for order in ((second, aldeamo_entry), (aldeamo_entry, second)):
        await _unload(hass, aldeamo_entry, second)
        assert not hass.services.has_service("notify", BASE)
        assert not hass.services.has_service("notify", f"{BASE}_2")
        await _set_up_again(hass, *order)
        simulator.requests.clear()

        await _send(hass, BASE, "to the first")
        await _send(hass, f"{BASE}_2", "to the second")

        assert _keys_of_posts(simulator) == [
            (ALDEAMO_KEY, "to the first"),
            (SECOND_KEY, "to the second"),
        ]


async def test_names_read_from_storage_are_kept_even_against_creation_order(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A newer entry that got the plain name (an older one was removed) keeps it."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    older = _second_bot(aldeamo_entry, simulator)
    older = MockConfigEntry(
        domain=older.domain,
        entry_id=older.entry_id,
        title=older.title,
        unique_id=older.unique_id,
        data={**older.data, CONF_NOTIFY_SERVICE: f"{BASE}_2"},
    )
    newer = MockConfigEntry(
        domain=aldeamo_entry.domain,
        entry_id=aldeamo_entry.entry_id,
        title=aldeamo_entry.title,
        unique_id=aldeamo_entry.unique_id,
        data={**aldeamo_entry.data, CONF_NOTIFY_SERVICE: BASE},
    )
    older.add_to_hass(hass)
    await setup_entry(hass, newer)  # sets up both, as a start does
    assert older.state is ConfigEntryState.LOADED

    await _send(hass, BASE, "plain")
    await _send(hass, f"{BASE}_2", "suffixed")

    assert _keys_of_posts(simulator) == [
        (ALDEAMO_KEY, "plain"),
        (SECOND_KEY, "suffixed"),
    ]


async def test_removing_the_first_bot_does_not_rename_the_second(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """notify.aldeamo_bots_2 stays itself; a bot added later takes the freed name."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    second = _second_bot(aldeamo_entry, simulator)
    await setup_entry(hass, aldeamo_entry)
    await setup_entry(hass, second)

    assert await hass.config_entries.async_remove(aldeamo_entry.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    assert not hass.services.has_service("notify", BASE)
    third = MockConfigEntry(
        domain=aldeamo_entry.domain,
        entry_id="01ALDEAMOENTRY000000000003",
        title=aldeamo_entry.title,
        unique_id=aldeamo_entry.unique_id,
        data=dict(aldeamo_entry.data),
    )
    await setup_entry(hass, third)

    assert second.data[CONF_NOTIFY_SERVICE] == f"{BASE}_2"
    assert third.data[CONF_NOTIFY_SERVICE] == BASE
    await _send(hass, f"{BASE}_2", "still the second")
    assert _keys_of_posts(simulator) == [(SECOND_KEY, "still the second")]


async def test_unloading_one_bot_removes_only_its_own_service(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The other account's service stays and still sends; a reload brings it back."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    second = _second_bot(aldeamo_entry, simulator)
    await setup_entry(hass, aldeamo_entry)
    await setup_entry(hass, second)

    await _unload(hass, aldeamo_entry)

    assert not hass.services.has_service("notify", BASE)
    assert hass.services.has_service("notify", f"{BASE}_2")
    await _send(hass, f"{BASE}_2", "only the second")
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    await _send(hass, f"{BASE}_2", "after its reload")
    assert _keys_of_posts(simulator) == [
        (SECOND_KEY, "only the second"),
        (SECOND_KEY, "after its reload"),
    ]
    assert not hass.services.has_service("notify", BASE)


async def test_renaming_an_account_renames_its_service_only(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The service follows the title; the sibling keeps its suffix."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    second = _second_bot(aldeamo_entry, simulator)
    await setup_entry(hass, aldeamo_entry)
    await setup_entry(hass, second)

    hass.config_entries.async_update_entry(aldeamo_entry, title="Tienda WhatsApp")
    await hass.async_block_till_done()

    assert not hass.services.has_service("notify", BASE)
    assert hass.services.has_service("notify", f"{BASE}_2")
    await _send(hass, "tienda_whatsapp", "renamed")
    assert _keys_of_posts(simulator) == [(ALDEAMO_KEY, "renamed")]


async def test_a_name_another_integration_holds_is_left_to_it(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A foreign notify.aldeamo_bots is neither replaced nor removed on unload."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    calls: list[ServiceCall] = []

    async def foreign(call: ServiceCall) -> None:
        calls.append(call)

    hass.services.async_register("notify", BASE, foreign)
    await setup_entry(hass, aldeamo_entry)
    assert aldeamo_entry.data[CONF_NOTIFY_SERVICE] == f"{BASE}_2"

    await _unload(hass, aldeamo_entry)
    hass.services.async_remove("notify", BASE)
    # It was named while the other held the plain name; now that one is taken later.
    hass.config_entries.async_update_entry(
        aldeamo_entry, data={**aldeamo_entry.data, CONF_NOTIFY_SERVICE: BASE}
    )
    hass.services.async_register("notify", BASE, foreign)
    await _set_up_again(hass, aldeamo_entry)
    await _unload(hass, aldeamo_entry)

    assert hass.services.has_service("notify", BASE)
    await _send(hass, BASE, "foreign")
    assert len(calls) == 1
    assert _keys_of_posts(simulator) == []


async def test_the_multi_factor_module_sends_its_code_by_sms(
    hass: HomeAssistant, elibom_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Home Assistant's notify MFA module lists the service and its code goes out."""
    await setup_entry(hass, elibom_entry)
    module = await auth_mfa_module_from_config(hass, {"type": "notify"})
    assert isinstance(module, NotifyAuthModule)

    assert "tienda_dona_perez" in module.aync_get_available_notify_services()
    await module.async_notify("123456", "tienda_dona_perez", "+57 300 111 2222")
    await hass.async_block_till_done()

    (post,) = simulator.requests_to("elibom", "POST", "/messages")
    assert post.json["to"] == "573001112222"
    assert "123456" in post.json["text"]


async def test_a_copied_entry_with_the_same_stored_name_yields_to_the_older(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Two entries keeping one name (a restored copy): the newer one takes `_2`."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    older = MockConfigEntry(
        domain=aldeamo_entry.domain,
        entry_id=aldeamo_entry.entry_id,
        title=aldeamo_entry.title,
        unique_id=aldeamo_entry.unique_id,
        data={**aldeamo_entry.data, CONF_NOTIFY_SERVICE: BASE},
    )
    newer = _second_bot(aldeamo_entry, simulator)
    newer = MockConfigEntry(
        domain=newer.domain,
        entry_id=newer.entry_id,
        title=newer.title,
        unique_id=newer.unique_id,
        data={**newer.data, CONF_NOTIFY_SERVICE: BASE},
    )
    newer.add_to_hass(hass)
    await setup_entry(hass, older)

    assert older.data[CONF_NOTIFY_SERVICE] == BASE
    assert newer.data[CONF_NOTIFY_SERVICE] == f"{BASE}_2"
    await _send(hass, BASE, "older")
    await _send(hass, f"{BASE}_2", "newer")
    assert _keys_of_posts(simulator) == [(ALDEAMO_KEY, "older"), (SECOND_KEY, "newer")]
