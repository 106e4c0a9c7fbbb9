"""What the browser test needs besides Playwright: the instance, UI wording, small waits.

Home Assistant's frontend is built of web components with open shadow roots;
Playwright's role and text locators pierce them, so the test finds things the way
a user does: by the words on the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import json
from pathlib import Path
import re
import time
from typing import Any
import urllib.request

from playwright.sync_api import Page, expect

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
TRANSLATIONS = REPO / "custom_components" / "latam_messaging" / "translations"

USERNAME = "demo"  # what scripts/lib/develop_setup.py onboards
PASSWORD = "latam-demo-1234"
ELIBOM_USER = "demo@example.com"  # the simulator's demo account (python -m tests.simulator --demo)
ELIBOM_TOKEN = "demo-api-password"

# Home Assistant's own wording (frontend 20260128.6, pinned in requirements/develop.txt),
# in the two languages the test uses. The integration's wording comes from its
# translation files instead (see `integration_text`).
FRONTEND = {
    "en": {
        "settings": "Settings",
        "add_integration": "Add integration",
        "search_brand": "Search for a brand name",
        "submit": "Submit",
        "skip_and_finish": "Skip and finish",
        "finish": "Finish",
        "close": "Close",
        "menu": "Menu",
        "delete": "Delete",
        "configure": "Configure",
        "options_saved": "Options successfully saved.",
        "language_option": "English",
        "yaml_mode": "Go to YAML mode",
        "ui_mode": "Go to UI mode",
        "perform_action": "Perform action",
    },
    "es": {
        "settings": "Configuración",
        "add_integration": "Añadir integración",
        "search_brand": "Buscar un nombre de marca",
        "submit": "Enviar",
        "skip_and_finish": "Saltar y terminar",
        "finish": "Terminar",
        "close": "Cerrar",
        "menu": "Menú",
        "delete": "Eliminar",
        "configure": "Configurar",
        "options_saved": "Las opciones se guardaron correctamente.",
        "language_option": "Español",
        "yaml_mode": "Ir al modo YAML",
        "ui_mode": "Ir al modo IU",
        "perform_action": "Realizar una acción",
        # The automation editor and the more-info dialog.
        "add_trigger": "Añadir disparador",
        "trigger_group_device": "Dispositivo",
        "device_trigger": "Cuando le ocurre algo a un dispositivo. Gran manera de empezar.",
        "add_action": "Añadir acción",
        "save": "Guardar",
        "name": "Nombre",
        "notifications": "Notificaciones",
        "attributes": "Atributos",
    },
}


def integration_text(language: str, *path: str) -> str:
    """Return one string of the integration's own translation file."""
    node: Any = json.loads((TRANSLATIONS / f"{language}.json").read_text("utf-8"))
    for key in path:
        node = node[key]
    if not isinstance(node, str):
        raise TypeError(f"{'.'.join(path)} is not a string in {language}.json")
    return node


@dataclass
class Instance:
    """A Home Assistant and its provider simulator, started by scripts/develop."""

    url: str
    simulator: str
    config: Path

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call the simulator's control API (clock, request log)."""
        request = urllib.request.Request(
            self.simulator + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"null")


class Shots:
    """Numbered screenshots in artifacts/screenshots/, in the order they are taken."""

    def __init__(self, page: Page) -> None:
        """Start numbering at 1, with an empty folder."""
        self.page = page
        self.count = 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()

    def __call__(self, name: str) -> Path:
        """Save what the browser shows now as NN-name.png."""
        self.count += 1
        path = SCREENSHOTS / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=path)
        return path


def wait_until[T](
    read: Callable[[], T], accept: Callable[[T], bool], what: str, timeout: float
) -> T:
    """Read a value until it is accepted; fail saying what was expected and what was seen."""
    deadline = time.monotonic() + timeout
    value = read()
    while not accept(value):
        if time.monotonic() > deadline:
            raise AssertionError(
                f"waited {timeout:g} s for {what}; last seen: {value!r}"
            )
        time.sleep(0.5)
        value = read()
    return value


def sensor_row_value(page: Page, name: str) -> str | None:
    """Return the value a device page shows on the sensor row named `name`."""
    row = page.locator("hui-sensor-entity-row").filter(has_text=name)
    if row.count() != 1:
        return None
    value: str = row.evaluate(
        "row => row.shadowRoot.querySelector('hui-generic-entity-row')"
        ".textContent.trim()"
    )
    return value


def wait_for_sensor(
    page: Page, name: str, expected: str | re.Pattern[str], timeout: float = 30
) -> str:
    """Wait until the device page shows `expected` on the sensor row `name`."""

    def accept(value: str | None) -> bool:
        if value is None:
            return False
        if isinstance(expected, str):
            return value == expected
        return expected.fullmatch(value) is not None

    shown = wait_until(
        lambda: sensor_row_value(page, name),
        accept,
        f"the sensor row {name!r} to show {expected!r}",
        timeout,
    )
    assert shown is not None
    return shown


def log_in(page: Page, url: str) -> None:
    """Log in through Home Assistant's login page."""
    page.goto(url + "/")
    page.get_by_role("textbox", name="Username").fill(USERNAME)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)


def perform_action(
    page: Page, url: str, yaml: str, *, response_key: str = "", language: str = "en"
) -> str:
    """Run an action from Developer tools → Actions in YAML mode; fail if the UI says so.

    With `response_key`, wait for the response panel to show it and return the
    response's text; otherwise return "".
    """
    ui = FRONTEND[language]
    page.goto(url + "/developer-tools/action")
    to_yaml = page.get_by_text(ui["yaml_mode"])
    expect(to_yaml.or_(page.get_by_text(ui["ui_mode"]))).to_be_visible()
    if to_yaml.is_visible():
        to_yaml.click()
    editor = page.locator("ha-code-editor .cm-content").first
    expect(editor).to_be_visible()
    editor.fill(yaml)
    expect(page.get_by_text("Error in parsing YAML")).to_have_count(0)
    page.get_by_role("button", name=ui["perform_action"]).click()
    # The button turns into a check mark, or a warning sign, for two seconds.
    outcome = page.locator("ha-progress-button ha-button.result")
    expect(outcome).to_have_count(1)
    if "success" not in (outcome.get_attribute("class") or ""):
        shown = page.locator("ha-alert, ha-toast").all_inner_texts()
        raise AssertionError(f"the action failed; the page says: {shown}")
    if not response_key:
        return ""
    response = page.locator("ha-code-editor .cm-content").nth(1)
    expect(response).to_contain_text(response_key)
    return response.inner_text()
