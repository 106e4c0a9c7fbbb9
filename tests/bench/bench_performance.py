"""Benchmark: requests, wall time, event-loop lag, memory and storage writes.

Run by `scripts/bench` (not part of the test suite). Every row runs inside a real Home
Assistant (the test harness's instance) against the provider simulator over loopback
HTTP, with a per-request latency (LATAM_BENCH_LATENCY, default 0.08 s). It prints one
table; each comparison is measured side by side in the same run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import contextlib
from dataclasses import dataclass
from datetime import timedelta
import os
import platform
import time
import tracemalloc
from typing import Any, Self
from unittest.mock import patch

import aiohttp
from homeassistant.const import EVENT_HOMEASSISTANT_FINAL_WRITE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.latam_messaging.const import (
    BROADCAST_CHUNK_SIZE,
    BROADCAST_CONCURRENCY,
    DOMAIN,
    USERS_REFRESH_EVERY,
)
from custom_components.latam_messaging.coordinator import ElibomCoordinator
from custom_components.latam_messaging.store import TrackedDelivery
from tests.conftest import poll, setup_entry
from tests.const import ELIBOM_TOKEN, ELIBOM_USER
from tests.simulator import Simulator

LATENCY = float(os.environ.get("LATAM_BENCH_LATENCY", "0.08"))
RECIPIENTS = 1000
ROWS: list[tuple[str, str, str, str, str]] = []


@dataclass
class LagProbe:
    """Measures how late the event loop runs a 5 ms sleep: the worst delay seen."""

    worst: float = 0.0
    _task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(0.005)
            self.worst = max(self.worst, loop.time() - started - 0.005)

    async def __aenter__(self) -> Self:
        """Start probing."""
        self._task = asyncio.get_running_loop().create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop probing."""
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
            str(1857010469048394523 + n), "created", 0, 0, dt_util.utcnow(), 1
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
