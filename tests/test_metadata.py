"""The files HACS and Home Assistant read, checked the way hassfest and the HACS action do."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

from awesomeversion import AwesomeVersion
from homeassistant.const import __version__ as HA_VERSION
from homeassistant.core import HomeAssistant
import pytest
import yaml

from tests.conftest import setup_entry

ROOT = Path(__file__).resolve().parent.parent
COMPONENT = ROOT / "custom_components" / "latam_messaging"
MANIFEST = json.loads((COMPONENT / "manifest.json").read_text(encoding="utf-8"))
HACS = json.loads((ROOT / "hacs.json").read_text(encoding="utf-8"))
SERVICES = yaml.safe_load((COMPONENT / "services.yaml").read_text(encoding="utf-8"))
ICONS = json.loads((COMPONENT / "icons.json").read_text(encoding="utf-8"))
TRANSLATIONS = {
    language: json.loads(
        (COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8")
    )
    for language in ("en", "es")
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= _flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


FLAT = {language: _flatten(tree) for language, tree in TRANSLATIONS.items()}


def _source_calls() -> list[tuple[str, str, str]]:
    """Every (file, function, first string argument) call in the integration."""
    calls = []
    for path in COMPONENT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            calls.extend(
                (path.name, name, argument.value)
                for argument in node.args[:1]
                if isinstance(argument, ast.Constant)
                and isinstance(argument.value, str)
            )
            calls.extend(
                (path.name, "translation_key", str(keyword.value.value))
                for keyword in node.keywords
                if keyword.arg == "translation_key"
                and isinstance(keyword.value, ast.Constant)
            )
    return calls


def test_manifest_has_every_key_hassfest_and_hacs_require() -> None:
    """Domain and name first, then sorted keys; versions and URLs well formed."""
    keys = list(MANIFEST)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert MANIFEST["domain"] == COMPONENT.name == "latam_messaging"
    assert MANIFEST["name"] == "LatAm Messaging"
    assert MANIFEST["config_flow"] is True
    assert MANIFEST["integration_type"] == "service"
    assert MANIFEST["iot_class"] == "cloud_polling"
    assert MANIFEST["requirements"] == []
    assert "webhook" in MANIFEST["dependencies"]
    assert all(owner.startswith("@") for owner in MANIFEST["codeowners"])
    for url_key in ("documentation", "issue_tracker"):
        assert MANIFEST[url_key].startswith("https://")
    assert AwesomeVersion(MANIFEST["version"]).valid
    assert AwesomeVersion(MANIFEST["version"]).strategy != "unknown"


def test_hacs_json_names_the_integration_and_a_supported_minimum() -> None:
    """Only keys HACS knows; the minimum Home Assistant is the oldest we test."""
    allowed = {
        "name",
        "content_in_root",
        "zip_release",
        "filename",
        "hide_default_branch",
        "country",
        "homeassistant",
        "hacs",
        "persistent_directory",
        "render_readme",
    }
    assert set(HACS) <= allowed
    assert HACS["name"] == MANIFEST["name"]
    assert AwesomeVersion(HACS["homeassistant"]) == AwesomeVersion("2026.2.0")
    assert AwesomeVersion(HA_VERSION) >= AwesomeVersion(HACS["homeassistant"])


def test_brand_images_are_there_for_hacs() -> None:
    """Icon and logo, normal and @2x, light and dark, as real PNG files."""
    for name in ("icon", "logo"):
        for variant in (
            f"{name}.png",
            f"{name}@2x.png",
            f"dark_{name}.png",
            f"dark_{name}@2x.png",
        ):
            data = (COMPONENT / "brand" / variant).read_bytes()
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), variant


async def test_services_yaml_matches_the_registered_actions(
    hass: HomeAssistant, elibom_entry: Any
) -> None:
    """Every action has a description with selectors, and is really registered."""
    await setup_entry(hass, elibom_entry)
    registered = set(hass.services.async_services_for_domain("latam_messaging"))
    assert registered == set(SERVICES)
    for service, description in SERVICES.items():
        for field, spec in description["fields"].items():
            assert "selector" in spec, f"{service}.{field}"
        entry_selector = description["fields"]["config_entry_id"]["selector"]
        assert entry_selector == {"config_entry": {"integration": "latam_messaging"}}


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_action_and_field_is_translated(language: str) -> None:
    """Name and description for every action and every field, in both languages."""
    services = TRANSLATIONS[language]["services"]
    assert set(services) == set(SERVICES)
    for service, description in SERVICES.items():
        assert services[service]["name"].strip()
        assert services[service]["description"].strip()
        assert set(services[service]["fields"]) == set(description["fields"])
        for field in description["fields"]:
            assert services[service]["fields"][field]["name"].strip()
            assert services[service]["fields"][field]["description"].strip()


def test_both_languages_have_exactly_the_same_keys_and_placeholders() -> None:
    """No string in one language is missing in the other, nor a placeholder."""
    assert set(FLAT["en"]) == set(FLAT["es"])
    for key, english in FLAT["en"].items():
        assert english.strip(), key
        assert FLAT["es"][key].strip(), key
        assert set(PLACEHOLDER.findall(english)) == set(
            PLACEHOLDER.findall(FLAT["es"][key])
        ), key


def test_every_translation_key_used_in_the_code_exists() -> None:
    """Errors, aborts, steps, exceptions and issues named in code are all translated."""
    exceptions = set(TRANSLATIONS["en"]["exceptions"])
    config = TRANSLATIONS["en"]["config"]
    flow_errors = set(config["error"])
    for subentry in TRANSLATIONS["en"]["config_subentries"].values():
        flow_errors |= set(subentry["error"])
    flow_errors |= set(TRANSLATIONS["en"]["options"]["error"])
    missing = []
    for path, function, key in _source_calls():
        if function in ("validation_error", "invalid"):
            ok = key in exceptions
        elif function == "translation_key":
            ok = (
                key in exceptions
                or key in TRANSLATIONS["en"]["issues"]
                or key in TRANSLATIONS["en"]["selector"]
                or any(key in keys for keys in TRANSLATIONS["en"]["entity"].values())
            )
        elif function == "FlowError":
            ok = key in flow_errors
        elif function == "async_abort" or function.startswith("_abort"):
            ok = key in config["abort"] or any(
                key in subentry["abort"]
                for subentry in TRANSLATIONS["en"]["config_subentries"].values()
            )
        else:
            continue
        if not ok:
            missing.append(f"{path}: {function}({key!r})")
    assert not missing, missing
    # And the keys the errors module chooses from.
    errors_source = (COMPONENT / "errors.py").read_text(encoding="utf-8")
    for key in re.findall(r'return "(\w+)"', errors_source):
        assert key in exceptions, key


def test_every_entity_translation_key_has_a_name_and_an_icon() -> None:
    """Entity names come from translations and icons from icons.json."""
    sources = "\n".join(p.read_text(encoding="utf-8") for p in COMPONENT.glob("*.py"))
    entity = TRANSLATIONS["en"]["entity"]
    for platform, keys in ICONS["entity"].items():
        for key in keys:
            if platform in entity and key in entity[platform]:
                assert entity[platform][key]["name"].strip()
            else:
                assert f'"{key}"' in sources, f"{platform}.{key} is not used"
    for platform, keys in entity.items():
        assert set(keys) <= set(ICONS["entity"][platform]), platform
    assert set(ICONS["services"]) == set(SERVICES)


# Attributes Home Assistant itself names (in its own translations).
CORE_ATTRIBUTES = {
    "friendly_name",
    "icon",
    "state_class",
    "unit_of_measurement",
    "device_class",
    "event_types",
    "supported_features",
    "restored",
}


async def test_every_attribute_of_our_sensors_and_events_has_a_name_in_both_languages(
    hass: HomeAssistant, elibom_entry: Any, aldeamo_entry: Any, simulator: Any
) -> None:
    """The more-info dialog shows "Canal", "Mensaje"... never the raw key."""
    from homeassistant.helpers import entity_registry as er  # noqa: PLC0415

    from tests.conftest import poll  # noqa: PLC0415
    from tests.helpers import enable_before_set_up  # noqa: PLC0415

    simulator.aldeamo.add_user("whatsapp", "573001112222", name="Ana")
    enable_before_set_up(hass, elibom_entry, "sensor", "account_users")
    await setup_entry(hass, elibom_entry)
    await setup_entry(hass, aldeamo_entry)
    simulator.advance(2)
    simulator.aldeamo.write("whatsapp", "573001112222", "Hola")
    await poll(hass, 31)

    registry = er.async_get(hass)
    checked = 0
    for entity in registry.entities.values():
        if entity.platform != "latam_messaging" or entity.domain not in (
            "sensor",
            "event",
        ):
            continue
        state = hass.states.get(entity.entity_id)
        assert state is not None
        for attribute in set(state.attributes) - CORE_ATTRIBUTES:
            for language, tree in TRANSLATIONS.items():
                names = tree["entity"][entity.domain][entity.translation_key]
                name = names["state_attributes"][attribute]["name"]
                assert name.strip(), (language, entity.entity_id, attribute)
            checked += 1
    assert checked >= 11  # message, channel, client id... next time, schedules...
    event = TRANSLATIONS["es"]["entity"]["event"]["messages_whatsapp"]
    assert event["state_attributes"]["client_id"]["name"] == "Identificador del usuario"
    assert event["state_attributes"]["message"]["name"] == "Mensaje"


def test_account_fields_say_which_kind_of_account_they_take() -> None:
    """The account picker is labelled for its provider, not "Integration" or "Account"."""
    spanish = TRANSLATIONS["es"]["services"]
    english = TRANSLATIONS["en"]["services"]
    for service in ("send_sms", "cancel_scheduled_sms", "get_delivery"):
        assert spanish[service]["fields"]["config_entry_id"]["name"] == (
            "Cuenta de Elibom (SMS)"
        )
        assert english[service]["fields"]["config_entry_id"]["name"] == (
            "Elibom account (SMS)"
        )
    bot = spanish["send_bot_message"]["fields"]["config_entry_id"]
    assert bot["name"] == "Cuenta de bots de Aldeamo"
    assert "Elibom" in bot["description"]


# Home Assistant's quality scale rules, as hassfest lists them (script/hassfest/
# quality_scale.py), by tier.
QUALITY_SCALE_RULES = {
    "bronze": (
        "action-setup",
        "appropriate-polling",
        "brands",
        "common-modules",
        "config-flow",
        "config-flow-test-coverage",
        "dependency-transparency",
        "docs-actions",
        "docs-conditions",
        "docs-high-level-description",
        "docs-installation-instructions",
        "docs-removal-instructions",
        "docs-triggers",
        "entity-event-setup",
        "entity-unique-id",
        "has-entity-name",
        "runtime-data",
        "test-before-configure",
        "test-before-setup",
        "unique-config-entry",
    ),
    "silver": (
        "action-exceptions",
        "config-entry-unloading",
        "docs-configuration-parameters",
        "docs-installation-parameters",
        "entity-unavailable",
        "integration-owner",
        "log-when-unavailable",
        "parallel-updates",
        "reauthentication-flow",
        "test-coverage",
    ),
    "gold": (
        "devices",
        "diagnostics",
        "discovery",
        "discovery-update-info",
        "docs-data-update",
        "docs-examples",
        "docs-known-limitations",
        "docs-supported-devices",
        "docs-supported-functions",
        "docs-troubleshooting",
        "docs-use-cases",
        "dynamic-devices",
        "entity-category",
        "entity-device-class",
        "entity-disabled-by-default",
        "entity-translations",
        "exception-translations",
        "icon-translations",
        "reconfiguration-flow",
        "repair-issues",
        "stale-devices",
    ),
    "platinum": ("async-dependency", "inject-websession", "strict-typing"),
}


def test_the_quality_scale_file_lists_every_rule_done_or_exempt_with_a_reason() -> None:
    """All 54 rules, in hassfest's shape, none left to do; every exemption says why."""
    scale = yaml.safe_load(
        (COMPONENT / "quality_scale.yaml").read_text(encoding="utf-8")
    )
    assert list(scale) == ["rules"]
    rules = scale["rules"]
    every = [rule for tier in QUALITY_SCALE_RULES.values() for rule in tier]
    assert len(every) == len(set(every)) == 54
    assert list(rules) == every  # each rule once, in hassfest's order
    for name, value in rules.items():
        if isinstance(value, str):
            assert value == "done", name
            continue
        assert set(value) == {"status", "comment"}, name
        assert value["status"] in ("done", "exempt"), name
        comment = value["comment"]
        assert isinstance(comment, str), name
        assert comment.strip(), name
    exempt = sorted(
        name
        for name, value in rules.items()
        if isinstance(value, dict) and value["status"] == "exempt"
    )
    assert exempt == ["discovery", "discovery-update-info", "docs-conditions"]
    identity = rules["unique-config-entry"]["comment"]
    assert "owner" in identity
    assert "e-mail" in identity  # says which part of the spec it overrides
    assert "digest" in identity  # and why Aldeamo keeps its own


def test_the_readme_explains_every_error_a_user_can_see() -> None:
    """The troubleshooting section names every translated error, form error and abort."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Troubleshooting", 1)[1].split("\n## ", 1)[0]
    english = TRANSLATIONS["en"]
    keys = (
        set(english["exceptions"])
        | set(english["config"]["error"])
        | set(english["config"]["abort"])
        - {"reauth_successful", "reconfigure_successful"}
    )
    missing = sorted(key for key in keys if f"`{key}`" not in section)
    assert missing == []
    for issue in english["issues"].values():
        assert issue["title"].split(" {")[0].split(" …")[0] in section
    assert "Enable debug logging" in section
    assert "Download\ndiagnostics" in section or "Download diagnostics" in section
