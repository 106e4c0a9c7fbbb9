"""How an Aldeamo bot's message cursors are written to its store, and read back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from ..store import EntryStore, required_time, time_to_json
from .cursors import AldeamoState, Channel, Cursor


class AldeamoStore(EntryStore[AldeamoState]):
    """Message cursors of one Aldeamo bot."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Start empty."""
        super().__init__(hass, entry_id, AldeamoState())

    def _to_json(self) -> dict[str, Any]:
        return _aldeamo_to_json(self.state)

    def _from_json(self, raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
        return _aldeamo_from_json(raw, skipped)


def _aldeamo_to_json(state: AldeamoState) -> dict[str, Any]:
    return {
        "account": state.account,
        "channels": {
            name: {
                "since": time_to_json(channel.since),
                "users": {
                    user_id: [c.last_active, c.last_id, c.recheck]
                    for user_id, c in channel.users.items()
                },
            }
            for name, channel in state.channels.items()
        },
    }


def _aldeamo_from_json(raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
    state = AldeamoState(account=_optional_text(raw.get("account")))
    if "channels" not in raw:
        return _aldeamo_from_version_1(raw, skipped)
    channels = raw.get("channels", {})
    if not isinstance(channels, dict):
        skipped.append("channels is not an object")
        return state
    for name, channel in channels.items():
        try:
            state.channels[str(name)] = _channel_from_json(channel, skipped)
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            skipped.append(f"cursors of {name}: {err!r}")
    return state


def _aldeamo_from_version_1(raw: Mapping[str, Any], skipped: list[str]) -> AldeamoState:
    """Read cursors written before they were tied to an account (minor version 1).

    They were read with the entry's own key, so they are kept as they are; users
    never read count their messages from now on.
    """
    state = AldeamoState()
    channels = raw.get("cursors", {})
    if not isinstance(channels, dict):
        skipped.append("cursors is not an object")
        return state
    now = dt_util.utcnow()
    for name, users in channels.items():
        channel = state.channels.setdefault(str(name), Channel(since=now))
        for user_id, cursor in users.items() if isinstance(users, dict) else ():
            try:
                channel.users[str(user_id)] = Cursor(
                    last_active=_optional_text(cursor.get("last_active")),
                    last_id=_optional_text(cursor.get("last_id")),
                )
            except AttributeError as err:
                skipped.append(f"cursor of {name}: {err!r}")
    return state


def _channel_from_json(raw: Any, skipped: list[str]) -> Channel:
    channel = Channel(since=required_time(raw["since"], "the channel's start"))
    users = raw.get("users", {})
    for user_id, cursor in users.items() if isinstance(users, dict) else ():
        try:
            last_active, last_id, recheck = cursor
            channel.users[str(user_id)] = Cursor(
                last_active=_optional_text(last_active),
                last_id=_optional_text(last_id),
                recheck=recheck is True,
            )
        except (TypeError, ValueError) as err:
            skipped.append(f"a cursor: {err!r}")
    return channel


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
