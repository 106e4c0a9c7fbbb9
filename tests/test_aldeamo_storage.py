"""Aldeamo's read position on disk: written by what changed, older files migrated."""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
import copy
import json
from typing import Any
from unittest.mock import patch

from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.aldeamo.store import SHARDS
from custom_components.latam_messaging.api import account_digest
from custom_components.latam_messaging.const import DOMAIN, EVENT_MESSAGE_RECEIVED
from tests.aldeamo_cases import ANA, BETO
from tests.conftest import poll, setup_entry
from tests.const import ALDEAMO_KEY
from tests.helpers import listen
from tests.simulator import Simulator

STORE_KEY = f"{DOMAIN}.01ALDEAMOENTRY000000000000"
USERS = 2000


@contextlib.contextmanager
def _written() -> Iterator[list[tuple[str, int]]]:
    """Record each of the entry's files written, with its size in bytes."""
    writes: list[tuple[str, int]] = []
    real = Store._async_write_data  # noqa: SLF001 (the test harness's own)

    async def counted(store: Store[Any], data: dict[str, Any]) -> None:
        await real(store, data)
        if store.key.startswith(STORE_KEY):
            writes.append((store.key, len(json.dumps(data))))

    with patch.object(Store, "_async_write_data", counted):
        yield writes


def _old(simulator: Simulator, channel: str) -> dict[str, Any]:
    """Return an older version's cursors: every listed user's (last_active, last_id)."""
    stamps = {
        user_id: user.last_active.replace(" ", "T") + "-05:00"
        for user_id, user in simulator.aldeamo.users[channel].items()
    }
    last_ids = {
        user_id: messages[-1]["id"]
        for (name, user_id), messages in simulator.aldeamo.inbox.items()
        if name == channel
    }
    return {
        user_id: (stamp, last_ids.get(user_id)) for user_id, stamp in stamps.items()
    }


async def _flush(hass: HomeAssistant) -> None:
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()


async def test_one_new_message_among_thousands_of_users_writes_a_few_kb(
    hass: HomeAssistant, aldeamo_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """The entry's file and one shard, whatever the bot's size; a quiet poll: nothing."""
    for index in range(USERS):
        simulator.aldeamo.add_user("whatsapp", f"5731{index:08d}")
    with _written() as at_set_up:
        await setup_entry(hass, aldeamo_entry)
        await _flush(hass)
    assert sum(size for _, size in at_set_up) < 2_000
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    for round_number in range(3):  # three people heard from already
        simulator.advance(1)
        simulator.aldeamo.write("whatsapp", f"5731{round_number:08d}", "hola")
        await poll(hass, 31)
    await poll(hass, 31)
    await _flush(hass)

    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", f"5731{USERS - 1:08d}", "¿tienen pan?")
    with _written() as one_message:
        await poll(hass, 31)
        await _flush(hass)
    with _written() as recheck:
        await poll(hass, 31)
        await _flush(hass)
    with _written() as quiet:
        await poll(hass, 31)
        await _flush(hass)

    assert len(events) == 4
    keys = [key for key, _ in one_message]
    assert set(keys) == {STORE_KEY, next(k for k in keys if ".people_" in k)}
    assert sum(size for _, size in one_message) < 3_000
    assert [key for key, _ in recheck] == [STORE_KEY]  # the second is over
    assert quiet == []


async def test_a_crash_between_the_two_writes_loses_nothing_and_reads_nothing_twice(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """The entry's file written, the shard not: the journal holds the cursor."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    await _flush(hass)
    shards_before = copy.deepcopy(
        {k: v for k, v in hass_storage.items() if ".people_" in k}
    )
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass, 31)
    main = copy.deepcopy(hass_storage[STORE_KEY])
    assert any(item[1] == ANA for item in main["data"]["journal"])

    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    for key in [k for k in hass_storage if k.startswith(STORE_KEY)]:
        del hass_storage[key]
    hass_storage.update({STORE_KEY: main, **shards_before})
    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "dos")
    await poll(hass, 31)
    await poll(hass, 31)

    # "uno" was stored unfired when the crash came: it fires once more, no more.
    assert [e["message"] for e in events] == ["uno", "uno", "dos"]


@pytest.mark.parametrize("minor_version", [1, 2])
async def test_an_older_file_is_migrated_without_replay_or_loss(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    minor_version: int,
) -> None:
    """Every listed user's cursor, as older versions kept them: read on from there."""
    simulator.aldeamo.write("whatsapp", ANA, "leído antes")
    simulator.aldeamo.add_user("whatsapp", BETO)
    simulator.advance(1)
    old = _old(simulator, "whatsapp")
    if minor_version == 1:
        data: dict[str, Any] = {
            "cursors": {
                "whatsapp": {
                    user_id: {"last_active": stamp, "last_id": last_id}
                    for user_id, (stamp, last_id) in old.items()
                },
                "facebook": {},
            }
        }
    else:
        data = {
            "account": account_digest(ALDEAMO_KEY, simulator.aldeamo_url),
            "channels": {
                "whatsapp": {
                    "since": "2020-01-01T00:00:00+00:00",  # Home Assistant's clock
                    "users": {
                        user_id: [stamp, last_id, False]
                        for user_id, (stamp, last_id) in old.items()
                    },
                },
                "facebook": {"since": "2020-01-01T00:00:00+00:00", "users": {}},
            },
        }
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": minor_version,
        "key": STORE_KEY,
        "data": data,
    }
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "mientras se actualizaba")
    simulator.aldeamo.write("whatsapp", BETO, "hola")
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    await setup_entry(hass, aldeamo_entry)
    await poll(hass, 31)
    await _flush(hass)

    assert [e["message"] for e in events] == ["mientras se actualizaba", "hola"]
    stored = hass_storage[STORE_KEY]["data"]
    assert stored["layout"] == "shards"
    assert stored["journal"] == []
    assert "users" not in stored["channels"]["whatsapp"]
    people = {
        user_id
        for key, value in hass_storage.items()
        if ".people_" in key
        for user_id in value["data"]["channels"].get("whatsapp", {}).get("people", {})
    }
    assert people == {ANA, BETO}


async def test_removing_the_entry_deletes_every_shard(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """No file of the bot is left behind."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass, 31)
    assert any(".people_" in key for key in hass_storage)

    assert await hass.config_entries.async_remove(aldeamo_entry.entry_id)
    await hass.async_block_till_done()

    assert [key for key in hass_storage if key.startswith(STORE_KEY)] == []
    assert SHARDS == 64


async def test_damaged_shards_and_journal_entries_are_skipped(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What cannot be read is dropped and said; the rest is kept."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    simulator.aldeamo.add_user("whatsapp", BETO)
    await setup_entry(hass, aldeamo_entry)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", BETO, "uno")
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "dos")
    await poll(hass, 31)
    await poll(hass, 31)
    await _flush(hass)
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    main = hass_storage[STORE_KEY]["data"]
    main["journal"] = [["whatsapp", "x", "not a cursor"], ["gone", "y", [1, []]]]
    main["channels"]["facebook"] = {"since": "yesterday"}
    for key, value in hass_storage.items():
        if ".people_" in key:
            people = value["data"]["channels"]["whatsapp"]["people"]
            if BETO in people:
                people[BETO] = [True, []]
    events = listen(hass, EVENT_MESSAGE_RECEIVED)

    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "tres")
    await poll(hass, 31)

    assert [e["message"] for e in events] == ["tres"]
    assert "partly unreadable" in caplog.text


async def test_damaged_old_cursors_and_a_newer_shard_are_skipped_and_said(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An older file with bad cursors; a shard of a newer version: the rest goes on."""
    simulator.aldeamo.write("whatsapp", ANA, "leído antes")
    simulator.advance(1)
    ((stamp, last_id),) = _old(simulator, "whatsapp").values()
    hass_storage[STORE_KEY] = {
        "version": 1,
        "minor_version": 2,
        "key": STORE_KEY,
        "data": {
            "channels": {
                "whatsapp": {
                    "since": "2020-01-01T00:00:00+00:00",
                    "users": {
                        ANA: [stamp, last_id, True],  # due for one more read
                        BETO: ["not a time", None, False],
                        "573000000001": [stamp],
                    },
                },
                "facebook": {"since": "2020-01-01T00:00:00+00:00", "users": []},
            }
        },
    }
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    await setup_entry(hass, aldeamo_entry)
    assert [e["message"] for e in events] == []
    assert "partly unreadable" in caplog.text
    await _flush(hass)
    assert await hass.config_entries.async_unload(aldeamo_entry.entry_id)
    for key in [k for k in hass_storage if ".people_" in k]:
        hass_storage[key]["version"] = 9
    caplog.clear()

    assert await hass.config_entries.async_setup(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "nuevo")
    await poll(hass, 31)

    assert [e["message"] for e in events] == ["nuevo"]
    assert "could not be read" in caplog.text


async def test_cursors_of_an_earlier_listening_are_not_read_back(
    hass: HomeAssistant,
    aldeamo_entry: MockConfigEntry,
    simulator: Simulator,
    hass_storage: dict[str, Any],
) -> None:
    """Dropped, listened to again, reloaded: the old shard's cursor stays out."""
    simulator.aldeamo.add_user("whatsapp", ANA)
    await setup_entry(hass, aldeamo_entry)
    events = listen(hass, EVENT_MESSAGE_RECEIVED)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "uno")
    await poll(hass, 31)
    await _flush(hass)

    async def listen_to(channels: list[str]) -> None:
        hass.config_entries.async_update_entry(
            aldeamo_entry, data={**aldeamo_entry.data, "channels": channels}
        )
        assert await hass.config_entries.async_reload(aldeamo_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)

    await listen_to(["facebook"])
    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", ANA, "sin escuchar")
    simulator.advance(5)
    await listen_to(["facebook", "whatsapp"])
    # Ana's cursor of the first listening is still in her shard: a reload reads it.
    assert await hass.config_entries.async_reload(aldeamo_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    simulator.advance(1)
    simulator.aldeamo.write("whatsapp", ANA, "ahora")
    await poll(hass, 31)
    await poll(hass, 31)

    assert [e["message"] for e in events] == ["uno", "ahora"]
