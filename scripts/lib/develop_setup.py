"""Prepare the development Home Assistant through its own APIs, idempotently.

Onboards it (a user, the core settings, Home Assistant's language: --language es
makes the entity names Spanish too), adds one Elibom and one Aldeamo account
against the provider simulator through the config-flow API, one recipient and one
contact through the subentry-flow API, and saves the demo's own dashboard, shown
in the sidebar (/latam-messaging). Run by scripts/develop
once Home Assistant answers; a second run finds everything done and changes nothing.
With --no-accounts it only onboards (the browser test adds the accounts through the UI).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

import aiohttp

USERNAME = "demo"
PASSWORD = "latam-demo-1234"
DOMAIN = "latam_messaging"
OFFLINE_UNFRIENDLY = {"met", "radio_browser", "google_translate"}
ELIBOM_USER = "demo@example.com"
ELIBOM_TOKEN = "demo-api-password"
ALDEAMO_KEY = "demo-api-key"


class Api:
    """Home Assistant's REST and WebSocket APIs, as the frontend uses them."""

    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        """Talk to the Home Assistant at `base`, as the frontend served from there."""
        self.session = session
        self.base = base
        self.client_id = base.rstrip("/") + "/"
        self.token = ""

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        """Call the REST API and return its JSON answer."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        async with self.session.request(
            method, self.base + path, json=body, headers=headers
        ) as response:
            text = await response.text()
            if response.status >= 400:
                raise RuntimeError(f"{method} {path}: {response.status} {text}")
            return json.loads(text) if text else None

    async def token_from_code(self, code: str) -> None:
        """Exchange an authorization code for an access token."""
        async with self.session.post(
            self.base + "/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": self.client_id,
            },
        ) as response:
            self.token = (await response.json())["access_token"]

    async def websocket_reply(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one WebSocket command and return Home Assistant's whole reply."""
        async with self.session.ws_connect(self.base + "/api/websocket") as ws:
            await ws.receive_json()
            await ws.send_json({"type": "auth", "access_token": self.token})
            await ws.receive_json()
            await ws.send_json({"id": 1, **message})
            reply: dict[str, Any] = await ws.receive_json()
            return reply

    async def websocket(self, message: dict[str, Any]) -> Any:
        """Send one WebSocket command and return its result."""
        reply = await self.websocket_reply(message)
        if not reply.get("success"):
            raise RuntimeError(f"{message['type']}: {reply}")
        return reply.get("result")


async def onboard_or_log_in(api: Api, language: str) -> None:
    """Create the demo user on a new instance, or log in on a known one."""
    # Once onboarding is complete, Home Assistant no longer serves its API.
    async with api.session.get(api.base + "/api/onboarding") as response:
        steps = await response.json() if response.status == 200 else []
    done = {step["step"] for step in steps if step["done"]}
    if response.status == 404:
        done = {"user", "core_config", "analytics", "integration"}
    if "user" not in done:
        answer = await api.call(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": api.client_id,
                "name": "Demo",
                "username": USERNAME,
                "password": PASSWORD,
                "language": language,
            },
        )
        await api.token_from_code(answer["auth_code"])
    else:
        flow = await api.call(
            "POST",
            "/auth/login_flow",
            {
                "client_id": api.client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": api.client_id,
            },
        )
        result = await api.call(
            "POST",
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": api.client_id, "username": USERNAME, "password": PASSWORD},
        )
        await api.token_from_code(result["result"])
    if "core_config" not in done:
        await api.call("POST", "/api/onboarding/core_config")
        # Onboarding adds integrations that need the internet (weather, radio, text
        # to speech); this demo runs offline, so they would only show as failing.
        await asyncio.sleep(2)
        for entry in await api.call("GET", "/api/config/config_entries/entry"):
            if entry["domain"] in OFFLINE_UNFRIENDLY:
                await api.call(
                    "DELETE", f"/api/config/config_entries/entry/{entry['entry_id']}"
                )
    if "user" not in done:
        await set_language(api, language)
    if "analytics" not in done:
        await api.call("POST", "/api/onboarding/analytics")
    if "integration" not in done:
        await api.call(
            "POST",
            "/api/onboarding/integration",
            {"client_id": api.client_id, "redirect_uri": api.client_id},
        )


async def confirm_http_settings(api: Api) -> None:
    """Confirm the HTTP settings Home Assistant 2026.11+ took from configuration.yaml.

    From 2026.11 the `http:` block (this demo's own address and port) is moved once into
    a pending configuration, which Home Assistant drops after 5 minutes, restarting on
    port 8123, unless an administrator confirms it. Versions before 2026.11 do not know
    the command, and once confirmed no revert is scheduled: nothing to do then.
    """
    reply = await api.websocket_reply({"type": "http/config"})
    if not reply.get("success"):
        if reply.get("error", {}).get("code") == "unknown_command":
            return
        raise RuntimeError(f"http/config: {reply}")
    if reply["result"].get("revert_at") is None:
        return
    await api.websocket({"type": "http/config/promote"})
    print("    confirmed the HTTP settings (Home Assistant reverts them otherwise)")


async def set_language(api: Api, language: str) -> None:
    """Set Home Assistant's own language, as Settings → System → General does.

    The server's language names new entities and the texts it writes (repairs,
    notifications); the user's own language only translates the frontend.
    """
    await api.websocket({"type": "config/core/update", "language": language})


async def run_flow(
    api: Api, start: str, step: str, handler: Any, *answers: dict[str, Any]
) -> Any:
    """Start a config or subentry flow and answer its steps in order."""
    result = await api.call("POST", start, {"handler": handler})
    for answer in answers:
        result = await api.call("POST", f"{step}/{result['flow_id']}", answer)
    if result["type"] != "create_entry":
        raise RuntimeError(f"the flow for {handler} ended with {result}")
    return result


async def configure(api: Api, simulator: str) -> None:
    """Add the two accounts, a recipient and a contact, unless they exist."""
    entries = await api.call("GET", f"/api/config/config_entries/entry?domain={DOMAIN}")
    by_provider = {}
    for entry in entries:
        details = await api.websocket(
            {"type": "config_entries/get_single", "entry_id": entry["entry_id"]}
        )
        by_provider[details["config_entry"]["title"]] = entry["entry_id"]
    flow, flow_step = (
        "/api/config/config_entries/flow",
        "/api/config/config_entries/flow",
    )
    sub, sub_step = (
        "/api/config/config_entries/subentries/flow",
        "/api/config/config_entries/subentries/flow",
    )
    if "Tienda Demo" not in by_provider:
        created = await run_flow(
            api,
            flow,
            flow_step,
            DOMAIN,
            {"next_step_id": "elibom"},
            {
                "username": ELIBOM_USER,
                "api_token": ELIBOM_TOKEN,
                "url": f"{simulator}/elibom",
            },
        )
        entry_id = created["result"]["entry_id"]
        await run_flow(
            api,
            sub,
            sub_step,
            [entry_id, "recipient"],
            {"name": "María Gómez", "phone_number": "300 111 2222"},
        )
        print("    added the Elibom account Tienda Demo and the recipient María Gómez")
    # Titled by its channels ("Aldeamo (Facebook, Web, WhatsApp)"); "Aldeamo bots" before.
    if not any(title.startswith("Aldeamo") for title in by_provider):
        created = await run_flow(
            api,
            flow,
            flow_step,
            DOMAIN,
            {"next_step_id": "aldeamo"},
            {
                "api_key": ALDEAMO_KEY,
                "channels": ["facebook", "web", "whatsapp"],
                "url": f"{simulator}/aldeamo",
            },
        )
        entry_id = created["result"]["entry_id"]
        await run_flow(
            api,
            sub,
            sub_step,
            [entry_id, "contact"],
            {"channel": "whatsapp"},
            {"client_id": "573001112222", "name": "María (WhatsApp)", "assist": True},
        )
        print(
            "    added the Aldeamo bot and the contact María (WhatsApp), "
            "who can talk to Assist"
        )
    await expose_demo_light(api)


DEMO_LIGHT = "input_boolean.kitchen_light"
"""What María may switch through Assist (defined in configuration.yaml)."""


async def expose_demo_light(api: Api) -> None:
    """Expose the demo's kitchen light to Assist, as Settings → Voice assistants does."""
    states = await api.call("GET", "/api/states")
    if not any(state["entity_id"] == DEMO_LIGHT for state in states):
        return  # a configuration made by an older scripts/develop
    await api.websocket(
        {
            "type": "homeassistant/expose_entity",
            "assistants": ["conversation"],
            "entity_ids": [DEMO_LIGHT],
            "should_expose": True,
        }
    )


DASHBOARD = "latam-messaging"
"""The demo dashboard's address (/latam-messaging), in the sidebar."""


async def our_entities(api: Api) -> list[tuple[str, str, bool]]:
    """Return (translation key, entity id, a person's?) of our entities with a state.

    A subentry just added reloads its account in the background: its entities are in
    the registry before they have a state. Wait (a few seconds at most) for every
    enabled one, so that no card is saved without the contact's entities.
    """
    for _ in range(20):
        states = {state["entity_id"] for state in await api.call("GET", "/api/states")}
        registered = [
            entry
            for entry in await api.websocket({"type": "config/entity_registry/list"})
            if entry["platform"] == DOMAIN and entry["disabled_by"] is None
        ]
        if all(entry["entity_id"] in states for entry in registered):
            break
        await asyncio.sleep(0.5)
    # By translation key, not by entity id: ids follow the language at registration.
    return sorted(
        (
            entry["translation_key"] or "",
            entry["entity_id"],
            entry.get("config_subentry_id") is not None,
        )
        for entry in registered
        if entry["entity_id"] in states
    )


async def save_dashboard(api: Api) -> None:
    """Create the demo's own dashboard if needed and save it, built from our entities.

    Every card has entities (an empty one shows as a configuration error): the credit
    history, each person's entities (what they wrote, what their last SMS did), a
    button per person to send to, and the messages received, which the activity
    view tells in words.
    """
    ours = await our_entities(api)

    def having(key: str) -> list[str]:
        return [
            entity_id
            for translation_key, entity_id, _ in ours
            if translation_key == key
        ]

    sms = [
        *having("credits"),
        *having("pending_deliveries"),
        *having("scheduled_messages"),
        *having("account_users"),
    ]
    bots = [
        entity_id
        for translation_key, entity_id, _ in ours
        if translation_key.startswith("users_")
    ]
    ids = [entity_id for _, entity_id, _ in ours]
    events = [i for i in ids if i.startswith("event.")]
    notify = [i for i in ids if i.startswith("notify.")]
    people = [
        entity_id
        for _, entity_id, person in ours
        if person and entity_id.split(".")[0] in {"event", "sensor"}
    ]
    # A notify entity's state is when it last sent ("Desconocido" until then): each
    # is a button that sends a greeting instead, which is what the card is for.
    send = [
        {
            "type": "button",
            "entity": entity_id,
            "action_name": "Saludar",
            "tap_action": {
                "action": "perform-action",
                "perform_action": "notify.send_message",
                "target": {"entity_id": entity_id},
                "data": {"message": "Hola desde Home Assistant"},
            },
        }
        for entity_id in notify
    ]
    cards: list[dict[str, Any]] = [
        {"type": "entities", "title": "SMS (Elibom)", "entities": sms},
        {"type": "history-graph", "title": "Créditos", "entities": having("credits")},
        {"type": "entities", "title": "Bots (Aldeamo)", "entities": bots + events},
        {"type": "entities", "title": "Personas", "entities": people},
        {"type": "entities", "title": "Enviar", "entities": send},
        {
            "type": "logbook",
            "title": "Mensajes recibidos",
            "target": {"entity_id": events},
        },
    ]
    config = {
        "title": "LatAm Messaging",
        "views": [
            {
                "title": "Mensajería",
                "path": "messaging",
                # A card with nothing to show (an account not added) is left out.
                "cards": [
                    card
                    for card in cards
                    if card.get("entities") or card.get("target", {}).get("entity_id")
                ],
            }
        ],
    }
    dashboards = await api.websocket({"type": "lovelace/dashboards/list"})
    if not any(board["url_path"] == DASHBOARD for board in dashboards):
        await api.websocket(
            {
                "type": "lovelace/dashboards/create",
                "url_path": DASHBOARD,
                "title": "LatAm Messaging",
                "icon": "mdi:message-text-outline",
                "show_in_sidebar": True,
                "require_admin": False,
                "mode": "storage",
            }
        )
    await api.websocket(
        {"type": "lovelace/config/save", "url_path": DASHBOARD, "config": config}
    )


async def main() -> int:
    """Wait for Home Assistant, then prepare it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8123")
    parser.add_argument("--simulator", default="http://127.0.0.1:8910")
    parser.add_argument("--language", default="en")
    parser.add_argument(
        "--wait", type=float, default=180, help="seconds to wait for it to start"
    )
    parser.add_argument(
        "--no-accounts",
        action="store_true",
        help="only onboard: add no account, recipient, contact or dashboard",
    )
    args = parser.parse_args()
    async with aiohttp.ClientSession() as session:
        api = Api(session, args.url)
        for _ in range(int(args.wait * 2)):
            try:
                async with session.get(args.url + "/auth/providers") as response:
                    await response.read()
                break
            except aiohttp.ClientError:
                await asyncio.sleep(0.5)
        else:
            print(f"Home Assistant did not answer on {args.url}", file=sys.stderr)
            return 1
        await onboard_or_log_in(api, args.language)
        await confirm_http_settings(api)
        if not args.no_accounts:
            await configure(api, args.simulator)
            await save_dashboard(api)
            print(f"    dashboard: {args.url}/{DASHBOARD} (in the sidebar)")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
