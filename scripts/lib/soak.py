"""The crash soak: a real Home Assistant, killed with SIGKILL at random moments.

Run by scripts/soak (see there for the options). It starts the provider simulator
and Home Assistant (the same `hass` scripts/develop runs) in a temporary
configuration on free loopback ports, with a small recorder component that
appends every latam_messaging_* event to a file. A driver sends SMS (one of them a
broadcast over 100 numbers), schedules and cancels, makes bot users write and posts
inbound SMS to Elibom's webhook, and kills Home Assistant mid-send, mid-poll,
mid-save or mid-webhook; after each kill every file of `.storage` must parse, and
Home Assistant is started again. At the end it waits until the provider has ended
everything and checks the invariants (soak_check.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
import importlib.util
import json
import os
from pathlib import Path
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from types import ModuleType
from typing import Any

import aiohttp

LIB = Path(__file__).resolve().parent
REPO = LIB.parent.parent
DOMAIN = "latam_messaging"
ELIBOM_USER = "soak@example.com"
ELIBOM_TOKEN = "soak-api-password"
ALDEAMO_KEY = "demo-api-key"  # the simulator's demo bot (--demo)
WRITERS = (("facebook", "2291837465"), ("web", "web-8f2c"))
SCAN_INTERVAL = 15
START_TIMEOUT = 240.0
SETTLE_TIMEOUT = 240.0
MOMENTS = ("send", "poll", "save", "webhook", "start", "any")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, LIB / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


setup = _load("develop_setup")
soak_check = _load("soak_check")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _now() -> str:
    return datetime.now(UTC).isoformat()


class Soak:
    """Everything one soak runs and remembers."""

    def __init__(self, args: argparse.Namespace) -> None:
        """Prepare a temporary configuration; nothing runs yet."""
        self.args = args
        self.rng = random.Random(args.seed)
        self.config = Path(tempfile.mkdtemp(prefix="latam-soak-"))
        self.ha_port = _free_port()
        self.sim_port = _free_port()
        while self.sim_port == self.ha_port:
            self.sim_port = _free_port()
        self.url = f"http://127.0.0.1:{self.ha_port}"
        self.sim = f"http://127.0.0.1:{self.sim_port}"
        self.simulator: subprocess.Popen[bytes] | None = None
        self.hass: subprocess.Popen[bytes] | None = None
        self.boot = 0
        self.kills: list[dict[str, Any]] = []
        self.sends: list[dict[str, Any]] = []
        self.written: list[dict[str, Any]] = []
        self.storage_errors: list[str] = []
        self.moments: dict[str, int] = dict.fromkeys(MOMENTS, 0)
        self.token = ""
        self.elibom_id = ""
        self.aldeamo_id = ""
        self.webhook_id = ""
        self.counter = 0
        self.session: aiohttp.ClientSession | None = None
        self.work: set[asyncio.Task[None]] = set()
        self.deadline = time.monotonic() + args.max_minutes * 60

    # Processes ------------------------------------------------------------------

    def start_simulator(self) -> None:
        """Start the simulator with its demo bot; Elibom's account is added after."""
        log = (self.config / "simulator.log").open("wb")
        self.simulator = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.simulator",
                "--port",
                str(self.sim_port),
                "--demo",
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def write_configuration(self) -> None:
        """Write a small configuration: what onboarding needs, and the recorder."""
        components = self.config / "custom_components"
        components.mkdir()
        (components / DOMAIN).symlink_to(REPO / "custom_components" / DOMAIN)
        shutil.copytree(LIB / "soak_recorder", components / "soak_recorder")
        (self.config / "configuration.yaml").write_text(
            "# Written by scripts/soak, in a temporary directory.\n"
            "homeassistant:\n  name: Soak\n  country: CO\n  currency: COP\n"
            "  time_zone: America/Bogota\n  unit_system: metric\n"
            f"  internal_url: {self.url}\n"
            f"http:\n  server_host: 127.0.0.1\n  server_port: {self.ha_port}\n"
            "frontend:\nconfig:\nsoak_recorder:\n"
            "logger:\n  default: warning\n  logs:\n"
            "    custom_components.latam_messaging: debug\n",
            "utf-8",
        )

    def start_hass(self) -> None:
        """Start Home Assistant (the same command scripts/develop runs)."""
        self.boot += 1
        hass = REPO / ".venv" / "bin" / "hass"
        log = (self.config / "hass-output.log").open("ab")
        self.hass = subprocess.Popen(
            [
                str(hass),
                "--config",
                str(self.config),
                "--log-file",
                str(self.config / "home-assistant.log"),
            ],
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "SOAK_BOOT": str(self.boot)},
        )

    def kill_hass(self, moment: str) -> None:
        """SIGKILL Home Assistant, then check that every stored file still parses."""
        assert self.hass is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.hass.pid, signal.SIGKILL)
        self.hass.wait()
        self.kills.append({"boot": self.boot, "at": _now(), "moment": moment})
        self.moments[moment] += 1
        for path in sorted((self.config / ".storage").glob("*")):
            if not path.is_file():
                continue
            try:
                json.loads(path.read_bytes())
            except ValueError as err:
                self.storage_errors.append(
                    f"{path.name} after kill {len(self.kills)}: {err}"
                )

    def stop_all(self) -> None:
        """End our own processes: Home Assistant cleanly if it can, then the simulator."""
        for process, grace in ((self.hass, 60), (self.simulator, 10)):
            if process is None or process.poll() is not None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    # Talking to Home Assistant and the simulator --------------------------------

    @property
    def http(self) -> aiohttp.ClientSession:
        """The session of the running soak."""
        assert self.session is not None
        return self.session

    async def sim_call(self, method: str, path: str, body: Any = None) -> Any:
        """Call the simulator's control API and return its JSON answer."""
        async with self.http.request(method, self.sim + path, json=body) as response:
            response.raise_for_status()
            return await response.json()

    async def wait_until_up(self) -> None:
        """Wait until Home Assistant answers and both entries are loaded."""
        limit = time.monotonic() + START_TIMEOUT
        headers = {"Authorization": f"Bearer {self.token}"}
        while time.monotonic() < limit:
            assert self.hass is not None
            if self.hass.poll() is not None:
                raise RuntimeError(
                    f"Home Assistant ended by itself (exit {self.hass.returncode})"
                )
            try:
                if not self.token:
                    # Any answer: before onboarding it may be an error.
                    async with self.http.get(self.url + "/auth/providers") as response:
                        await response.read()
                        return
                else:
                    async with self.http.get(
                        self.url + f"/api/config/config_entries/entry?domain={DOMAIN}",
                        headers=headers,
                    ) as response:
                        if response.status == 200:
                            entries = await response.json()
                            if entries and all(e["state"] == "loaded" for e in entries):
                                return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
        raise RuntimeError(f"Home Assistant was not up after {START_TIMEOUT:.0f} s")

    async def service(self, action: str, data: dict[str, Any]) -> dict[str, Any]:
        """Call one of the integration's actions with its response; raise on errors."""
        async with self.http.post(
            self.url
            + f"/api/services/{DOMAIN}/{action}"
            + ("?return_response" if action == "send_sms" else ""),
            json=data,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=aiohttp.ClientTimeout(total=60),
        ) as response:
            text = await response.text()
            if response.status != 200:
                raise ValueError(f"{response.status} {text[:200]}")
            return json.loads(text) if text else {}

    async def prepare(self) -> None:
        """Onboard, add both accounts through the config flows, poll every 15 s."""
        api = setup.Api(self.http, self.url)
        await setup.onboard_or_log_in(api, "en")
        self.token = await api.websocket(
            {
                "type": "auth/long_lived_access_token",
                "client_name": "soak",
                "lifespan": 10,
            }
        )
        api.token = self.token
        await self.sim_call(
            "POST",
            "/_control/elibom/accounts",
            {
                "email": ELIBOM_USER,
                "api_token": ELIBOM_TOKEN,
                "name": "Soak",
                "credits": 1e9,
            },
        )
        flow = "/api/config/config_entries/flow"
        elibom = await setup.run_flow(
            api,
            flow,
            flow,
            DOMAIN,
            {"next_step_id": "elibom"},
            {
                "username": ELIBOM_USER,
                "api_token": ELIBOM_TOKEN,
                "url": f"{self.sim}/elibom",
            },
        )
        aldeamo = await setup.run_flow(
            api,
            flow,
            flow,
            DOMAIN,
            {"next_step_id": "aldeamo"},
            {
                "api_key": ALDEAMO_KEY,
                "channels": [c for c, _ in WRITERS],
                "url": f"{self.sim}/aldeamo",
            },
        )
        self.elibom_id = elibom["result"]["entry_id"]
        self.aldeamo_id = aldeamo["result"]["entry_id"]
        options = "/api/config/config_entries/options/flow"
        await setup.run_flow(
            api,
            options,
            options,
            self.elibom_id,
            {
                "scan_interval": SCAN_INTERVAL,
                "low_credit_threshold": 0,
                "default_country_code": "57",
            },
        )
        await setup.run_flow(
            api, options, options, self.aldeamo_id, {"scan_interval": SCAN_INTERVAL}
        )
        # Everything above is saved with a delay: on disk before the first kill.
        limit = time.monotonic() + 60
        while time.monotonic() < limit:
            stored = self._stored("core.config_entries")
            auth = self._stored("auth")
            entries = {
                e["entry_id"]: e for e in stored.get("data", {}).get("entries", [])
            }
            if all(
                entries.get(i, {}).get("options", {}).get("scan_interval")
                == SCAN_INTERVAL
                for i in (self.elibom_id, self.aldeamo_id)
            ) and "soak" in json.dumps(auth):
                self.webhook_id = entries[self.elibom_id]["data"]["webhook_id"]
                return
            await asyncio.sleep(0.5)
        raise RuntimeError("the accounts were not saved within 60 s")

    def _stored(self, name: str) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(
                (self.config / ".storage" / name).read_bytes()
            )
        except (OSError, ValueError):
            return {}
        return data

    def events(self) -> list[dict[str, Any]]:
        """Read the recorder's lines; a line torn by a kill is skipped."""
        lines = []
        path = self.config / "soak_events.jsonl"
        if path.exists():
            for line in path.read_text("utf-8").splitlines():
                with contextlib.suppress(ValueError):
                    lines.append(json.loads(line))
        return lines

    # The work ---------------------------------------------------------------------

    def _text(self, kind: str) -> str:
        self.counter += 1
        return f"soak {self.args.seed} {kind} {self.counter}"

    def _numbers(self, count: int) -> list[str]:
        return [f"+57 300 {self.rng.randrange(10**6, 10**7)}" for _ in range(count)]

    def spawn(self, work: Any) -> asyncio.Task[None]:
        """Run some work beside the rest; settling waits for it."""
        task = asyncio.ensure_future(work)
        self.work.add(task)
        task.add_done_callback(self.work.discard)
        return task

    async def send(self, count: int, *, scheduled: bool = False) -> None:
        """Send (or schedule) one SMS; the caller's view of it is kept, never retried."""
        text = self._text("schedule" if scheduled else "send")
        record: dict[str, Any] = {
            "text": text,
            "scheduled": scheduled,
            "outcome": "unknown",
            "ids": [],
            "cancel": None,
        }
        self.sends.append(record)
        data: dict[str, Any] = {
            "config_entry_id": self.elibom_id,
            "to": self._numbers(count),
            "message": text,
        }
        if scheduled:
            at = datetime.now(UTC) + timedelta(seconds=self.rng.randint(60, 100))
            data["schedule_at"] = at.isoformat()
        try:
            answer = await self.service("send_sms", data)
        except ValueError as err:
            record["outcome"] = "error"
            record["error"] = str(err)
            return
        except (aiohttp.ClientError, TimeoutError):
            return  # cut off by a kill: the caller does not know
        response = answer.get("service_response", {})
        record["ids"] = response.get(
            "schedule_ids" if scheduled else "delivery_tokens", []
        )
        record["outcome"] = "ok"
        if scheduled and self.rng.random() < 0.5:
            await asyncio.sleep(self.rng.uniform(0, 20))
            await self.cancel(record)

    async def cancel(self, record: dict[str, Any]) -> None:
        """Cancel a schedule the caller saw made; the caller's view is kept."""
        record["cancel"] = "unknown"
        try:
            await self.service(
                "cancel_scheduled_sms",
                {"config_entry_id": self.elibom_id, "schedule_id": record["ids"][0]},
            )
        except ValueError as err:
            record["cancel"] = "error"
            record["cancel_error"] = str(err)
        except (aiohttp.ClientError, TimeoutError):
            pass
        else:
            record["cancel"] = "ok"

    async def bot_writes(self) -> None:
        """Make a bot user write one message to the bot."""
        channel, user_id = self.rng.choice(WRITERS)
        answer = await self.sim_call(
            "POST",
            "/_control/aldeamo/write",
            {"channel": channel, "user_id": user_id, "message": self._text("bot")},
        )
        self.written.append({"key": answer["id"], "provider": "aldeamo", "acked": True})

    async def inbound_sms(self) -> None:
        """Call Elibom's webhook as Elibom does: again (the same call) until it hears 200."""
        text = self._text("inbound")
        record = {"key": text, "provider": "elibom", "acked": False, "answers": []}
        self.written.append(record)
        date = datetime.now(UTC).astimezone().strftime("%d-%m-%Y-%H-%M-%S")
        params = {
            "from": f"57300{self.rng.randrange(10**6, 10**7)}",
            "text": text,
            "date": date,
        }
        limit = time.monotonic() + 600
        while time.monotonic() < limit:
            try:
                async with self.http.get(
                    f"{self.url}/api/latam_messaging/elibom/{self.webhook_id}",
                    params=params,
                ) as response:
                    record["answers"].append([response.status, _now(), self.boot])
                    if response.status == 200:
                        record["acked"] = True
                        return
            except aiohttp.ClientError:
                record["answers"].append(["no answer", _now(), self.boot])
            await asyncio.sleep(2)

    def background_work(self) -> None:
        """Start a random handful of sends, schedules, bot messages and inbound SMS."""
        for _ in range(self.rng.randint(1, 3)):
            self.spawn(self.send(self.rng.randint(1, 3)))
        if self.rng.random() < 0.3:
            self.spawn(self.send(self.rng.randint(1, 2), scheduled=True))
        for _ in range(self.rng.randint(1, 3)):
            self.spawn(self.bot_writes())
        for _ in range(self.rng.randint(0, 2)):
            self.spawn(self.inbound_sms())

    async def _requests_count(self) -> int:
        return int(
            (await self.sim_call("GET", "/_sim/requests?since=999999999"))["count"]
        )

    async def wait_for_poll(self) -> None:
        """Return as an Elibom poll starts (its GET /account), or after 20 s."""
        since = await self._requests_count()
        limit = time.monotonic() + 20
        while time.monotonic() < limit:
            new = (await self.sim_call("GET", f"/_sim/requests?since={since}"))[
                "requests"
            ]
            if any(r[0] == "elibom" and r[2] == "/account" for r in new):
                return
            await asyncio.sleep(0.05)

    async def one_round(self, number: int) -> None:
        """Do some work, then kill Home Assistant at a moment chosen by the seed."""
        moment = self.rng.choice(MOMENTS)
        if number == 1:
            moment = "send"  # the broadcast: killed while its chunks are in flight
        if moment == "start" and len(self.kills) + 2 > self.args.kills:
            moment = "any"  # a start kill is two kills: not past --kills
        self.background_work()
        await asyncio.sleep(self.rng.uniform(0.5, 4))
        if moment == "send":
            count = (
                150
                if number == 1 or self.rng.random() < 0.2
                else self.rng.randint(1, 3)
            )
            self.spawn(self.send(count))
            # A broadcast's chunks are answered within tens of milliseconds here.
            await asyncio.sleep(self.rng.uniform(0.005, 0.15))
        elif moment == "poll":
            await self.wait_for_poll()
            await asyncio.sleep(self.rng.uniform(0, 0.25))
        elif moment == "save":
            # A status change, then the 2 s delayed save that keeps it.
            before = len(self.events())
            limit = time.monotonic() + 30
            while len(self.events()) == before and time.monotonic() < limit:
                await asyncio.sleep(0.05)
            await asyncio.sleep(2 + self.rng.uniform(-0.1, 0.1))
        elif moment == "webhook":
            self.spawn(self.inbound_sms())
            await asyncio.sleep(self.rng.uniform(0, 0.1))
        elif moment == "start":
            # Killed while it starts again: entries loading, the first polls.
            self.kill_hass("any")  # counted as a kill of its own
            self.start_hass()
            self.spawn(self.inbound_sms())
            await asyncio.sleep(self.rng.uniform(0.5, 6))
        else:
            await asyncio.sleep(self.rng.uniform(0, 10))
        self.kill_hass(moment)
        if self.rng.random() < 0.5:
            # While it is down and starting: written meanwhile, Elibom calling again.
            self.spawn(self.bot_writes())
            self.spawn(self.inbound_sms())
        self.start_hass()
        await self.wait_until_up()

    async def settle(self) -> None:
        """Wait until the provider has ended everything and Home Assistant has said so."""
        limit = time.monotonic() + SETTLE_TIMEOUT
        last: list[str] = []
        steady = time.monotonic()
        while time.monotonic() < limit:
            failures = self._failures(await self.sim_call("GET", "/_sim/elibom"))
            if failures != last:
                last, steady = failures, time.monotonic()
            done = not any("too early" in failure for failure in failures)
            # What is still missing after three polls (and no more work) stays so.
            if (
                not self.work
                and done
                and (not failures or time.monotonic() - steady > 3 * SCAN_INTERVAL)
            ):
                return
            await asyncio.sleep(2)

    def _failures(self, truth: dict[str, Any]) -> list[str]:
        verdict = soak_check.check(
            events=self.events(),
            kills=self.kills,
            sends=self.sends,
            written=self.written,
            truth=truth,
            storage_errors=[],
        )
        failures: list[str] = verdict.failures
        return failures

    async def run(self) -> Any:
        """Run the whole soak; return the verdict."""
        self.start_simulator()
        self.write_configuration()
        self.start_hass()
        async with aiohttp.ClientSession() as self.session:
            await self.wait_until_up()
            await self.prepare()
            await self.wait_until_up()
            for _ in WRITERS:  # Aldeamo is listening before the first kill
                await self.bot_writes()
            number = 0
            while len(self.kills) < self.args.kills:
                if time.monotonic() > self.deadline:
                    print(
                        f"    stopped after {len(self.kills)} kills: "
                        "--max-minutes reached",
                        flush=True,
                    )
                    break
                number += 1
                await self.one_round(number)
                print(
                    f"    kill {len(self.kills)}/{self.args.kills} "
                    f"({self.kills[-1]['moment']}) at {self.kills[-1]['at'][11:19]}",
                    flush=True,
                )
            await self.settle()
            truth = await self.sim_call("GET", "/_sim/elibom")
        self.stop_all()
        return soak_check.check(
            events=self.events(),
            kills=self.kills,
            sends=self.sends,
            written=self.written,
            truth=truth,
            storage_errors=self.storage_errors,
        )


def main() -> int:
    """Parse the options, soak, print the table; non-zero when something was lost."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--kills", type=int, default=10, help="how many times to kill Home Assistant"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="chooses the work and the moments"
    )
    parser.add_argument(
        "--max-minutes", type=float, default=120, help="stop killing after this long"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary configuration"
    )
    args = parser.parse_args()
    # SIGTERM (CI's timeout, a closed terminal) cleans up as Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    soak = Soak(args)
    print(
        f"==> Crash soak: {args.kills} kills, seed {args.seed}, in {soak.config}",
        flush=True,
    )
    verdict = None
    try:
        verdict = asyncio.run(soak.run())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        soak.stop_all()
        artifacts = REPO / "artifacts" / "soak"
        artifacts.mkdir(parents=True, exist_ok=True)
        for name in ("home-assistant.log", "soak_events.jsonl", "simulator.log"):
            with contextlib.suppress(OSError):
                shutil.copyfile(soak.config / name, artifacts / name)
        (artifacts / "driver.json").write_text(
            json.dumps(
                {"kills": soak.kills, "sends": soak.sends, "written": soak.written},
                indent=1,
            )
        )
        if not args.keep:
            shutil.rmtree(soak.config, ignore_errors=True)
    if verdict is None:
        return 2
    print(verdict.table())
    print("    kill moments: " + ", ".join(f"{k} {v}" for k, v in soak.moments.items()))
    for note in verdict.notes:
        print(f"    note: {note}")
    for failure in verdict.failures[:40]:
        print(f"    FAILED: {failure}")
    if len(verdict.failures) > 40:
        print(f"    … and {len(verdict.failures) - 40} more")
    print(
        "==> "
        + (
            "no loss, every invariant held"
            if verdict.ok
            else "the soak FAILED (artifacts/soak/)"
        )
    )
    return 0 if verdict.ok else 1


if __name__ == "__main__":
    sys.exit(main())
