"""Benchmark: requests, wall time, event-loop lag, memory and storage writes.

Run by `scripts/bench` (not part of the test suite). Every row runs inside a real Home
Assistant (the test harness's instance) against the provider simulator over loopback
HTTP, with a per-request latency (LATAM_BENCH_LATENCY, default 0.08 s). It prints one
table; each comparison is measured side by side in the same run.

Each case starts after a full garbage collection, so that what an earlier case left
behind is not collected inside a later case's measurement. A full collection that a
case itself sets off is counted in its loop lag, and said in its notes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterator
import contextlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
import gc
import json
import math
import os
from pathlib import Path
import platform
import random
import statistics
import threading
import time
import tracemalloc
from typing import Any, Self
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import storage
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.latam_messaging.aldeamo.cursors import Seen
from custom_components.latam_messaging.api.aldeamo_models import (
    list_aldeamo_users,
    parse_aldeamo_users,
)
from custom_components.latam_messaging.const import (
    BROADCAST_CHUNK_SIZE,
    BROADCAST_CONCURRENCY,
    DOMAIN,
    EVENT_DELIVERY_STATUS,
    EVENT_MESSAGE_RECEIVED,
    USERS_REFRESH_EVERY,
)
from custom_components.latam_messaging.elibom.coordinator import ElibomCoordinator
from custom_components.latam_messaging.elibom.deliveries import TrackedDelivery
from custom_components.latam_messaging.store import PendingEvent
from tests.conftest import poll, setup_entry
from tests.const import ALDEAMO_KEY, ELIBOM_ACCOUNT_NAME, ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import Simulator

LATENCY = float(os.environ.get("LATAM_BENCH_LATENCY", "0.08"))
RECIPIENTS = 1000
ROWS: list[tuple[str, str, str, str, str]] = []


@pytest.fixture(autouse=True)
def collected() -> None:
    """Start each case with nothing left for the garbage collector from the last."""
    gc.collect()


@pytest.fixture
async def simulator(socket_enabled: None) -> AsyncGenerator[Simulator]:
    """Run the simulator in a thread of its own, as the providers are elsewhere.

    Building a 2 MB answer (10,000 bot users) takes the simulator tens of
    milliseconds; in Home Assistant's loop, that would count as our loop lag.
    """
    sim = Simulator()
    sim.elibom.add_account(
        ELIBOM_USER, ELIBOM_TOKEN, name=ELIBOM_ACCOUNT_NAME, credits=100.0
    )
    sim.aldeamo.api_keys.add(ALDEAMO_KEY)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(sim.start(), loop).result(10)
    yield sim
    asyncio.run_coroutine_threadsafe(sim.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


@dataclass
class LagProbe:
    """Measures how late the event loop runs a 5 ms sleep: the worst delay seen."""

    worst: float = 0.0
    full_collections: list[float] = field(default_factory=list)
    """How long each full garbage collection during the probe held the process (s)."""
    _task: asyncio.Task[None] | None = None
    _collecting: float = 0.0

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._collecting = time.perf_counter()
        else:
            self.full_collections.append(time.perf_counter() - self._collecting)

    @property
    def collections_note(self) -> str:
        """Say what full garbage collections cost while probing, if any ran."""
        if not self.full_collections:
            return "no full garbage collection"
        worst = max(self.full_collections) * 1000
        return f"{len(self.full_collections)} full garbage collection(s), worst {worst:.0f} ms"

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - started - 0.005)

    async def __aenter__(self) -> Self:
        """Start probing."""
        gc.callbacks.append(self._gc)
        self._task = asyncio.get_running_loop().create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop probing."""
        gc.callbacks.remove(self._gc)
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def _timed(work: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    await work()
    return time.perf_counter() - started


def _numbers(count: int) -> list[str]:
    return [f"57300{index:07d}" for index in range(count)]


async def _baseline_broadcast(simulator: Simulator, numbers: list[str]) -> None:
    """One POST per recipient, one at a time: how core's SMS notifiers send."""
    auth = aiohttp.BasicAuth(ELIBOM_USER, ELIBOM_TOKEN).encode()
    async with aiohttp.ClientSession() as session:
        for number in numbers:
            async with session.post(
                f"{simulator.elibom_url}/messages",
                json={"to": number, "text": "Alarma"},
                headers={"Authorization": auth},
            ) as response:
                await response.read()


async def test_broadcast(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Row 1: 1,000 recipients, ours against one request per recipient."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e9
    await setup_entry(hass, elibom_entry)
    simulator.latency = LATENCY
    numbers = _numbers(RECIPIENTS)

    simulator.requests.clear()
    ours = await _timed(
        lambda: hass.services.async_call(
            DOMAIN,
            "send_sms",
            {
                "config_entry_id": elibom_entry.entry_id,
                "to": numbers,
                "message": "Alarma",
            },
            blocking=True,
            return_response=True,
        )
    )
    our_requests = len(simulator.requests_to("elibom", "POST"))
    simulator.requests.clear()
    baseline = await _timed(lambda: _baseline_broadcast(simulator, numbers))
    baseline_requests = len(simulator.requests_to("elibom", "POST"))
    minimum = -(-RECIPIENTS // BROADCAST_CHUNK_SIZE)
    ROWS.append(
        (
            f"broadcast to {RECIPIENTS:,}: this integration",
            f"{our_requests} (min {minimum})",
            f"{ours:.2f} s",
            "",
            (
                f"{baseline_requests / our_requests:.0f}x fewer requests, "
                f"{baseline / ours:.0f}x faster"
            ),
        )
    )
    ROWS.append(
        (
            f"broadcast to {RECIPIENTS:,}: one request per recipient",
            str(baseline_requests),
            f"{baseline:.2f} s",
            "",
            "baseline (core's SMS notifiers)",
        )
    )
    simulator.latency = 0


async def test_refresh_with_pending_deliveries(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Row 2: one refresh with 0, 10, 100 and 1,000 deliveries pending."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e9
    simulator.elibom.finished_after = timedelta(days=1)  # stay pending all along
    await setup_entry(hass, elibom_entry)
    coordinator = elibom_entry.runtime_data
    assert isinstance(coordinator, ElibomCoordinator)
    state = coordinator.store.state
    for target in (0, 10, 100, 1000):
        # One tracked delivery per send, as separate alerts would make them.
        while len(state.deliveries) < target:
            await coordinator.async_send_sms(_numbers(1), "x")
        simulator.latency = LATENCY
        simulator.requests.clear()
        async with LagProbe() as probe:
            elapsed = await _timed(lambda: poll(hass))
        simulator.latency = 0
        made = simulator.requests_to("elibom")
        # spec.md's list: account and schedules every time, users at a slower
        # cadence, and one lookup per delivery that is not final.
        users_due = any(r.path == "/users" for r in made)
        minimum = 2 + int(users_due) + target
        ROWS.append(
            (
                f"refresh, {target:,} pending deliveries",
                f"{len(made)} (min {minimum})",
                f"{elapsed:.2f} s",
                f"{probe.worst * 1000:.1f} ms",
                "account, schedules" + (", users" if users_due else "") + " + lookups",
            )
        )


async def test_aldeamo_poll(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Row 3: 1,000 bot users, 10 of whom wrote since the last poll."""
    for index in range(1000):
        simulator.aldeamo.add_user("whatsapp", f"5730{index:08d}")
    await setup_entry(hass, aldeamo_entry)
    simulator.advance(5)
    for index in range(0, 1000, 100):
        simulator.aldeamo.write("whatsapp", f"5730{index:08d}", "hola")
    simulator.latency = LATENCY
    simulator.requests.clear()
    async with LagProbe() as probe:
        elapsed = await _timed(lambda: poll(hass, 31))
    made = len(simulator.requests_to("aldeamo"))
    channels = len(aldeamo_entry.data["channels"])
    ROWS.append(
        (
            "Aldeamo poll, 1,000 users, 10 wrote",
            f"{made} (min {channels + 10})",
            f"{elapsed:.2f} s",
            f"{probe.worst * 1000:.1f} ms",
            f"{channels} channel lists + 10 message reads",
        )
    )


async def test_memory_and_storage_writes(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Row 4: bytes per tracked delivery; writes for 1,000 status changes."""
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e9
    await setup_entry(hass, elibom_entry)
    coordinator = elibom_entry.runtime_data
    assert isinstance(coordinator, ElibomCoordinator)
    for _ in range(1000):
        await coordinator.async_send_sms(_numbers(1), "x")

    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    kept = {
        str(1857010469048394523 + n): TrackedDelivery(
            str(1857010469048394523 + n),
            "created",
            0,
            0,
            dt_util.utcnow(),
            1,
            dt_util.utcnow(),
        )
        for n in range(1000)
    }
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    per_delivery = sum(s.size_diff for s in after.compare_to(before, "filename")) / len(
        kept
    )

    store = coordinator.store
    writes = 0
    real = store._to_json  # noqa: SLF001

    def counted() -> dict[str, Any]:
        nonlocal writes
        writes += 1
        return real()

    simulator.advance(10)  # all 1,000 deliveries move from created to running
    with patch.object(store, "_to_json", counted):
        await poll(hass)
        assert all(d.status == "running" for d in store.state.deliveries.values())
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
    ROWS.append(
        (
            "memory per tracked delivery",
            "",
            "",
            "",
            f"{per_delivery:.0f} bytes",
        )
    )
    ROWS.append(
        (
            "storage writes for 1,000 status changes",
            "",
            "",
            "",
            f"{writes} write(s)",
        )
    )


# Issue 11's rows: tracking that costs what it must ---------------------------------

MIX_SEED = 2026
POLL_SECONDS = 60


def _delivery_mix(count: int) -> list[timedelta | None]:
    """When each delivery ends: most within a minute, some within hours, a few never."""
    rng = random.Random(MIX_SEED)
    ends: list[timedelta | None] = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.90:
            ends.append(timedelta(seconds=rng.uniform(5, 60)))
        elif draw < 0.97:
            ends.append(timedelta(seconds=rng.uniform(600, 3 * 3600)))
        else:
            ends.append(None)  # stuck until Elibom forgets it (expired at 48 h)
    return ends


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min"


async def test_48_hours_of_deliveries(
    hass: HomeAssistant,
    simulator: Simulator,
    elibom_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Rows 5-6: 1,000 deliveries followed for 48 h, polled every 60 s.

    Ours runs for real: 2,880 polls of a real Home Assistant (frozen clock moved a
    minute at a time) against the simulator, each delivery ending when the mix says.
    The baseline is counted from the same mix as the integration behaved before:
    one lookup of every pending delivery at every poll.
    """
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e9
    simulator.elibom.running_after = timedelta(seconds=1)
    await setup_entry(hass, elibom_entry)
    coordinator = elibom_entry.runtime_data
    assert isinstance(coordinator, ElibomCoordinator)
    ends = _delivery_mix(RECIPIENTS)
    changes: dict[str, datetime] = {}
    for index, end in enumerate(ends):
        (token,) = await coordinator.async_send_sms(
            _numbers(RECIPIENTS)[index : index + 1], "x"
        )
        sent = simulator.elibom.deliveries[token]
        sent.finished_after = end or timedelta(days=30)
        if end is not None:
            changes[token] = sent.created_at + end
    seen: dict[str, datetime] = {}

    @callback
    def record(event: Event) -> None:
        if event.data["status"] in ("finished", "failed", "expired"):
            seen.setdefault(event.data["delivery_token"], simulator.clock.now())

    hass.bus.async_listen(EVENT_DELIVERY_STATUS, record)
    simulator.requests.clear()
    # Wall time and loop lag mean nothing under a frozen clock: counts only.
    for _ in range(48 * 60 + 35):  # a last lookup may wait up to 30 min
        freezer.tick(timedelta(seconds=POLL_SECONDS))
        simulator.advance(POLL_SECONDS)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    lookups = sum(
        1
        for r in simulator.requests_to("elibom", "GET")
        if r.path.startswith("/messages/")
    )
    assert len(seen) == RECIPIENTS  # every delivery reached a final event
    young = [
        (seen[t] - at).total_seconds()
        for t, at in changes.items()
        if at - simulator.elibom.deliveries[t].created_at <= timedelta(minutes=10)
    ]
    older = [
        (seen[t] - at).total_seconds()
        for t, at in changes.items()
        if at - simulator.elibom.deliveries[t].created_at > timedelta(minutes=10)
    ]

    # The baseline, from the same mix: every poll looks every pending delivery up.
    polls_until = [
        math.ceil(end.total_seconds() / POLL_SECONDS) if end else 48 * 60
        for end in ends
    ]
    base_lookups = sum(polls_until)
    base_delays = [
        n * POLL_SECONDS - end.total_seconds()
        for n, end in zip(polls_until, ends, strict=True)
        if end
    ]
    ROWS.append(
        (
            f"48 h of {RECIPIENTS:,} deliveries: this integration",
            f"{lookups:,} lookups",
            "",
            "",
            (
                f"{base_lookups / lookups:.0f}x fewer lookups; delay to the event: "
                f"ended in the first 10 min median {statistics.median(young):.0f} s, "
                f"worst {max(young):.0f} s ({max(young) / POLL_SECONDS:.1f} polls); "
                f"later median {_minutes(statistics.median(older))}, "
                f"worst {_minutes(max(older))}"
            ),
        )
    )
    ROWS.append(
        (
            f"48 h of {RECIPIENTS:,} deliveries: one lookup per poll",
            f"{base_lookups:,} lookups",
            "",
            "",
            (
                "baseline (before), counted from the same mix: "
                f"median delay {statistics.median(base_delays):.0f} s, "
                f"worst {max(base_delays):.0f} s"
            ),
        )
    )


async def test_set_up_with_5000_tracked_deliveries(
    hass: HomeAssistant, simulator: Simulator, elibom_entry: MockConfigEntry
) -> None:
    """Rows 7-8: a restart with 5,000 deliveries tracked, none of them due yet.

    Then the same restart with every one due at once, as the integration did before
    (it looked every tracked delivery up inside the first refresh).
    """
    tracked = 5000
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e9
    simulator.elibom.finished_after = timedelta(days=1)
    await setup_entry(hass, elibom_entry)
    coordinator = elibom_entry.runtime_data
    assert isinstance(coordinator, ElibomCoordinator)
    now = dt_util.utcnow()
    for index in range(tracked):
        token = simulator.elibom.add_delivery(
            ELIBOM_USER, [f"57310{index:07d}"], "x"
        ).token
        coordinator.store.state.deliveries[token] = TrackedDelivery(
            token,
            "running",
            0,
            0,
            now - timedelta(hours=1),
            1,
            now + timedelta(minutes=12),
        )
    for label, due_now in (("this integration", False), ("everything looked up", True)):
        store = elibom_entry.runtime_data.store
        assert await hass.config_entries.async_unload(elibom_entry.entry_id)
        if due_now:
            for delivery in store.state.deliveries.values():
                delivery.next_due = now
            await store.async_save()
        simulator.latency = LATENCY
        simulator.requests.clear()
        async with LagProbe() as probe:
            elapsed = await _timed(
                lambda: hass.config_entries.async_setup(elibom_entry.entry_id)
            )
        simulator.latency = 0
        made = simulator.requests_to("elibom")
        lookups = sum(1 for r in made if r.path.startswith("/messages/"))
        ROWS.append(
            (
                f"set-up with {tracked:,} tracked deliveries: {label}",
                f"{len(made)} ({lookups} lookups)",
                f"{elapsed:.2f} s",
                f"{probe.worst * 1000:.1f} ms",
                "none is due yet" if not due_now else "baseline (before): all due",
            )
        )
        await hass.async_block_till_done()


async def test_set_up_with_5000_tracked_deliveries_read_from_disk(
    hass: HomeAssistant,
    simulator: Simulator,
    elibom_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    tmp_path: Path,
) -> None:
    """Row 9: the same restart, the store read from its file as Home Assistant reads it.

    The test harness's in-memory storage deep-copies what it loads, and logs it, in
    the event loop: rows 7-8 count that. Here the file is read the real way (in an
    executor, then parsed by the integration off the loop).
    """
    tracked = 5000
    simulator.elibom.accounts[ELIBOM_USER.lower()].credits = 1e9
    simulator.elibom.finished_after = timedelta(days=1)
    hass.config.config_dir = str(tmp_path)
    await setup_entry(hass, elibom_entry)
    coordinator = elibom_entry.runtime_data
    assert isinstance(coordinator, ElibomCoordinator)
    now = dt_util.utcnow()
    for index in range(tracked):
        token = simulator.elibom.add_delivery(
            ELIBOM_USER, [f"57310{index:07d}"], "x"
        ).token
        coordinator.store.state.deliveries[token] = TrackedDelivery(
            token,
            "running",
            0,
            0,
            now - timedelta(hours=1),
            1,
            now + timedelta(minutes=12),
        )
    assert await hass.config_entries.async_unload(elibom_entry.entry_id)
    key = f"{DOMAIN}.{elibom_entry.entry_id}"
    file = tmp_path / ".storage" / key
    file.parent.mkdir(exist_ok=True)
    file.write_text(json.dumps(hass_storage.pop(key)))

    async def from_disk(store: storage.Store[Any]) -> Any:
        return await store._async_load_data()  # noqa: SLF001

    simulator.latency = LATENCY
    simulator.requests.clear()
    with patch.object(storage.Store, "_async_load", from_disk):
        async with LagProbe() as probe:
            elapsed = await _timed(
                lambda: hass.config_entries.async_setup(elibom_entry.entry_id)
            )
    simulator.latency = 0
    assert len(elibom_entry.runtime_data.store.state.deliveries) == tracked
    made = simulator.requests_to("elibom")
    lookups = sum(1 for r in made if r.path.startswith("/messages/"))
    ROWS.append(
        (
            f"set-up with {tracked:,} tracked deliveries: store read from its file",
            f"{len(made)} ({lookups} lookups)",
            f"{elapsed:.2f} s",
            f"{probe.worst * 1000:.1f} ms",
            (
                f"{file.stat().st_size / 1e6:.1f} MB read in an executor, parsed off "
                f"the loop; {probe.collections_note}"
            ),
        )
    )
    await hass.async_block_till_done()


async def test_aldeamo_poll_10000_users(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Rows 10-12: 10,000 users on each channel, 10 of whom wrote since the last poll."""
    users = 10_000
    for channel in aldeamo_entry.data["channels"]:
        for index in range(users):
            simulator.aldeamo.add_user(
                channel, f"5731{index:08d}", name=f"Usuario {index}"
            )
    simulator.latency = LATENCY
    async with LagProbe() as first:
        started = await _timed(lambda: setup_entry(hass, aldeamo_entry))
    store = aldeamo_entry.runtime_data.store
    await store.async_save()  # what set-up wrote is not this poll's
    simulator.advance(5)
    for index in range(0, users, users // 10):
        simulator.aldeamo.write("whatsapp", f"5731{index:08d}", "hola")
    simulator.requests.clear()
    with _entry_writes(f"{DOMAIN}.{aldeamo_entry.entry_id}") as sizes:
        async with LagProbe() as probe:
            elapsed = await _timed(lambda: poll(hass, 31))
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
    simulator.latency = 0
    made = len(simulator.requests_to("aldeamo"))
    channels = len(aldeamo_entry.data["channels"])

    # The baseline: what building every listed user's model in the loop costs.
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{simulator.aldeamo_url}/users",
            params={"auth": ALDEAMO_KEY, "channel": "whatsapp"},
        ) as response,
    ):
        body = await response.read()
    block = time.perf_counter()
    parse_aldeamo_users(json.loads(body)["data"])
    block = time.perf_counter() - block

    ROWS.append(
        (
            f"Aldeamo poll, {users:,} users per channel, 10 wrote",
            f"{made} (min {channels + 10})",
            f"{elapsed:.2f} s",
            f"{probe.worst * 1000:.1f} ms",
            (
                f"{len(sizes)} storage write(s), {sum(sizes) / 1e3:.1f} kB; "
                f"{probe.collections_note}"
            ),
        )
    )
    ROWS.append(
        (
            f"Aldeamo first poll (set-up), {users:,} users per channel",
            "",
            f"{started:.2f} s",
            f"{first.worst * 1000:.1f} ms",
            "cursors only, history not replayed",
        )
    )
    ROWS.append(
        (
            f"Aldeamo: every user's model built in the loop, {users:,} users",
            "",
            "",
            f"{block * 1000:.1f} ms",
            "baseline (before): one channel's list decoded and built each poll",
        )
    )


# Issue 24's rows: the read position stored by what changed ------------------------

READ_POSITION_USERS = 10_000
DAY_OF_POLLS = 24 * 3600 // 30


@contextlib.contextmanager
def _entry_writes(prefix: str) -> Iterator[list[int]]:
    """Record the size in bytes of each write of an entry's files (`prefix`)."""
    sizes: list[int] = []
    real = Store._async_write_data  # noqa: SLF001 (the harness's own)

    async def counted(store: Store[Any], data: dict[str, Any]) -> None:
        await real(store, data)
        if store.key.startswith(prefix):
            sizes.append(len(json.dumps(data)))

    with patch.object(Store, "_async_write_data", counted):
        yield sizes


def _old_cursor_file(users: list[str], stamp: str) -> int:
    """Bytes of one write of the baseline's file: every listed user's cursor."""
    return len(
        json.dumps(
            {
                "version": 1,
                "minor_version": 2,
                "key": f"{DOMAIN}.01ALDEAMOENTRY000000000000",
                "data": {
                    "account": "0" * 32,
                    "channels": {
                        "whatsapp": {
                            "since": "2026-12-06T15:00:00.123456+00:00",
                            "users": {user: [stamp, None, False] for user in users},
                        },
                        "facebook": {
                            "since": "2026-12-06T15:00:00.123456+00:00",
                            "users": {},
                        },
                    },
                    "outbox": [],
                    "assist": {},
                },
            }
        )
    )


async def test_aldeamo_read_position_10000_users(
    hass: HomeAssistant, simulator: Simulator, aldeamo_entry: MockConfigEntry
) -> None:
    """Rows: one wrote among 10,000 (bytes, requests, lag), a day of it, memory."""
    users = [f"5732{index:08d}" for index in range(READ_POSITION_USERS)]
    for user in users:
        simulator.aldeamo.add_user("whatsapp", user, name="Usuario")
    simulator.latency = LATENCY
    await setup_entry(hass, aldeamo_entry)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    coordinator = aldeamo_entry.runtime_data
    prefix = f"{DOMAIN}.{aldeamo_entry.entry_id}"
    stamp = simulator.aldeamo.users["whatsapp"][users[0]].last_active
    old_file = _old_cursor_file(users, stamp.replace(" ", "T") + "-05:00")

    simulator.advance(5)
    simulator.aldeamo.write("whatsapp", users[4321], "hola")
    simulator.requests.clear()
    with _entry_writes(prefix) as one:
        async with LagProbe() as probe:
            await poll(hass, 31)
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()
    made = len(simulator.requests_to("aldeamo"))
    await poll(hass, 31)  # the second of the message is read once more
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    with _entry_writes(prefix) as quiet:
        await poll(hass, 31)
        hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
        await hass.async_block_till_done()

    # Memory: what a poll leaves behind, per listed user.
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    await poll(hass, 31)
    gc.collect()
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    # Not the simulator's own (its last answer, held by its server in this process).
    ours = [tracemalloc.Filter(inclusive=False, filename_pattern="*/tests/simulator/*")]
    kept = sum(
        s.size_diff
        for s in after.filter_traces(ours).compare_to(
            before.filter_traces(ours), "filename"
        )
    )
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{simulator.aldeamo_url}/users",
            params={"auth": ALDEAMO_KEY, "channel": "whatsapp"},
        ) as response,
    ):
        rows = json.loads(await response.read())["data"]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    held = list_aldeamo_users(rows)
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held_bytes = sum(s.size_diff for s in after.compare_to(before, "filename"))
    assert len(held) == len(users)
    del held, rows

    # A day at 30 s with a message every poll, written as a poll writes it: the
    # entry's file and one shard before the events fire, the entry's file again
    # once they have (the outbox emptied).
    store = coordinator.store
    channel = store.state.channels["whatsapp"]
    chosen = random.Random(MIX_SEED)
    start = int(simulator.clock.now().timestamp())
    with _entry_writes(prefix) as day:
        for number in range(DAY_OF_POLLS):
            user = chosen.choice(users)
            channel.people[user] = Seen(start + number * 30, frozenset({str(number)}))
            store.changed("whatsapp", user)
            store.outbox.append(
                PendingEvent(
                    EVENT_MESSAGE_RECEIVED,
                    {"channel": "whatsapp", "client_id": user, "message": "hola"},
                )
            )
            await store.async_save()
            store.outbox.clear()
            await store.async_save()
    simulator.latency = 0

    ROWS.append(
        (
            f"Aldeamo, {len(users):,} users, one wrote: this integration",
            f"{made} (min {len(aldeamo_entry.data['channels']) + 1})",
            "",
            f"{probe.worst * 1000:.1f} ms",
            (
                f"{len(one)} write(s), {sum(one):,} bytes; then a quiet poll: "
                f"{len(quiet)} write(s), {sum(quiet)} bytes"
            ),
        )
    )
    ROWS.append(
        (
            f"Aldeamo, {len(users):,} users, one wrote: every user's cursor",
            "",
            "",
            "",
            f"baseline (before): 2 write(s), {2 * old_file:,} bytes",
        )
    )
    ROWS.append(
        (
            f"Aldeamo, 24 h at 30 s, {len(users):,} users, a message every poll",
            "",
            "",
            "",
            (
                f"{sum(day) / 1e6:.1f} MB a day ({len(day):,} writes, "
                f"{len(channel.people):,} people heard from); baseline (before): "
                f"{2 * old_file * DAY_OF_POLLS / 1e9:.1f} GB a day"
            ),
        )
    )
    ROWS.append(
        (
            "Aldeamo memory per listed user",
            "",
            "",
            "",
            (
                f"{max(kept, 0) / len(users):.1f} bytes kept after a poll; baseline "
                f"(before): {held_bytes / len(users):.0f} bytes (every row held)"
            ),
        )
    )


def test_print_table() -> None:
    """Print every row measured above, as one table."""
    header = ("case", "requests", "wall time", "worst loop lag", "notes")
    widths = [max(len(str(row[i])) for row in [header, *ROWS]) for i in range(5)]
    lines = [
        (
            f"LatAm Messaging benchmark, {dt_util.now().date()}, latency {LATENCY * 1000:.0f} ms "
            f"per request, {platform.machine()} {os.cpu_count()} cores, Python "
            f"{platform.python_version()}"
        ),
        (
            f"chunks of {BROADCAST_CHUNK_SIZE} numbers, {BROADCAST_CONCURRENCY} at a time; "
            f"users every {USERS_REFRESH_EVERY} refreshes"
        ),
        "",
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
        *(
            " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            for row in ROWS
        ),
    ]
    print("\n" + "\n".join(lines))  # noqa: T201
