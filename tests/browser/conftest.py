"""Start Home Assistant through scripts/develop and Debian's Chromium through Playwright.

Not part of the main test run (pyproject's norecursedirs leaves this folder out; the
main run has Home Assistant's pytest plugin, which blocks sockets). scripts/test runs
it after the other checks when /usr/bin/chromium exists; by hand:

    .venv/bin/python -m pytest -p no:homeassistant -p no:cacheprovider \
        --confcutdir=tests/browser -x tests/browser

Home Assistant runs in a new temporary configuration directory, on free ports, so it
never meets a developer's own scripts/develop (dev_config/, ports 8123 and 8910).
Screenshots go to artifacts/screenshots/, scripts/develop's output and Home
Assistant's log to artifacts/browser/.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import tempfile
import time

from playwright.sync_api import BrowserContext, Page, expect, sync_playwright
import pytest

from .helpers import ARTIFACTS, REPO, SCREENSHOTS, Instance, Shots

CHROMIUM = Path(os.environ.get("LATAM_CHROMIUM", "/usr/bin/chromium"))
# What this machine kind needs to run Chromium as root without a network to the outside.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 420  # seconds; a first start may install the frontend into .venv
READY_MARK = "==> Ready: open "


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End scripts/develop the way Ctrl-C does; kill its group if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def home_assistant() -> Iterator[Instance]:
    """Run scripts/develop in a temporary configuration directory, on free ports."""
    ARTIFACTS.joinpath("browser").mkdir(parents=True, exist_ok=True)
    output_path = ARTIFACTS / "browser" / "develop.log"
    config = Path(tempfile.mkdtemp(prefix="latam-browser-ha-"))
    ha_port = _free_port()
    sim_port = _free_port()
    while sim_port == ha_port:
        sim_port = _free_port()
    command = [
        str(REPO / "scripts" / "develop"),
        "--config",
        str(config),
        "--ha-port",
        str(ha_port),
        "--sim-port",
        str(sim_port),
        "--no-chatter",
        "--no-accounts",
    ]
    with output_path.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while READY_MARK not in output_path.read_text("utf-8", "replace"):
            if process.poll() is not None:
                pytest.fail(
                    f"scripts/develop ended (exit {process.returncode}) before Home "
                    f"Assistant was ready; its output is in {output_path}:\n"
                    + output_path.read_text("utf-8", "replace")[-3000:]
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"Home Assistant was not ready after {START_TIMEOUT} s; "
                    f"see {output_path}"
                )
            time.sleep(0.5)
        yield Instance(
            url=f"http://127.0.0.1:{ha_port}",
            simulator=f"http://127.0.0.1:{sim_port}",
            config=config,
        )
    finally:
        _stop(process)
        log = config / "home-assistant.log"
        if log.exists():
            shutil.copyfile(log, ARTIFACTS / "browser" / "home-assistant.log")
        shutil.rmtree(config, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_context() -> Iterator[BrowserContext]:
    """Debian's Chromium, headless, with a new empty profile."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium, "
            "or set LATAM_CHROMIUM to another Chromium)"
        )
    profile = tempfile.mkdtemp(prefix="latam-browser-profile-")
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
            locale="en-US",
            timezone_id="America/Bogota",
        )
        yield context
        context.close()
    finally:
        playwright.stop()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def page(browser_context: BrowserContext) -> Page:
    """One tab for the whole story, with generous timeouts."""
    tab = (
        browser_context.pages[0]
        if browser_context.pages
        else browser_context.new_page()
    )
    tab.set_default_timeout(30_000)
    expect.set_options(timeout=30_000)
    return tab


@pytest.fixture(scope="session")
def shot(page: Page) -> Shots:
    """Save numbered screenshots of the key moments."""
    return Shots(page)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep a screenshot of what the browser showed when a step failed."""
    report = yield
    tab = getattr(item, "funcargs", {}).get("page")
    if report.when == "call" and report.failed and tab is not None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"FAILED-{item.name}.png"
        tab.screenshot(path=path)
        report.sections.append(("browser", f"screenshot of the failure: {path}"))
    return report
