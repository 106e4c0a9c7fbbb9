"""Which account an entry stands for, so that no account is added twice.

Elibom: the id of the account's owner, which `GET /account` names and which is the
same for every user and password of the account. Entries made before version 1.2
were keyed by the e-mail they log in with; they are keyed by the owner once set-up
has read the account (the owner is only known from the provider).

Aldeamo: the API key is the only identity the API offers, so the entry is keyed by
a digest of the key and URL it was created with (never the key itself). The digest
is not changed when the key is replaced (reauth) or the URL moves (reconfigure):
another entry is then recognised by its stored key and URL as well.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir

from .api import ElibomAccount, account_digest
from .const import (
    CONF_ACCOUNT_ID,
    CONF_API_KEY,
    CONF_PROVIDER,
    DOMAIN,
    LOGGER,
    PROVIDER_ALDEAMO,
    PROVIDER_ELIBOM,
)

KEYED_BY_OWNER = 2
"""The minor version from which Elibom entries are keyed by the account's owner."""


def duplicate_issue_id(entry_id: str) -> str:
    """Name the repair issue of an entry whose account another entry already has."""
    return f"duplicate_account_{entry_id}"


def elibom_unique_id(account: ElibomAccount, username: str) -> str:
    """Return the owner's id; the e-mail, lower-cased, if the answer names no owner."""
    return account.owner_id or username.lower()


def aldeamo_unique_id(api_key: str, url: str) -> str:
    """Return a stable digest of the key and URL (the key itself is never an id)."""
    return account_digest(api_key, url)


def _other_entry(
    hass: HomeAssistant, entry: ConfigEntry, unique_id: str
) -> ConfigEntry | None:
    return next(
        (
            other
            for other in hass.config_entries.async_entries(DOMAIN)
            if other.entry_id != entry.entry_id and other.unique_id == unique_id
        ),
        None,
    )


def elibom_login_taken(hass: HomeAssistant, username: str) -> bool:
    """Tell whether an Elibom entry logs in with this e-mail (in any letter case).

    Known before any request: the same login is the same account.
    """
    return any(
        other.data.get(CONF_PROVIDER) == PROVIDER_ELIBOM
        and str(other.data.get(CONF_USERNAME, "")).lower() == username.lower()
        for other in hass.config_entries.async_entries(DOMAIN)
    )


def aldeamo_key_taken(
    hass: HomeAssistant, api_key: str, url: str, *, besides: str | None = None
) -> bool:
    """Tell whether an Aldeamo entry (other than `besides`) uses this key and URL.

    Looked up by digest (the key it was created with) and by its current key and
    URL (which a reauth or reconfigure may have changed since).
    """
    digest = aldeamo_unique_id(api_key, url)
    return any(
        other.entry_id != besides
        and other.data.get(CONF_PROVIDER) == PROVIDER_ALDEAMO
        and (
            other.unique_id == digest
            or (
                other.data.get(CONF_API_KEY) == api_key
                and other.data.get(CONF_URL) == url
            )
        )
        for other in hass.config_entries.async_entries(DOMAIN)
    )


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry to version 1.2: Elibom keyed by the owner it has stored.

    An entry that never stored its owner keeps its e-mail until set-up reads the
    account (see `async_key_by_owner`); so does one whose owner another entry has.
    """
    if entry.version > 1:
        return False  # made by a newer version of the integration
    if entry.minor_version < KEYED_BY_OWNER:
        unique_id = entry.unique_id
        owner = entry.data.get(CONF_ACCOUNT_ID)
        if (
            entry.data.get(CONF_PROVIDER) == PROVIDER_ELIBOM
            and owner
            and _other_entry(hass, entry, str(owner)) is None
        ):
            unique_id = str(owner)
        hass.config_entries.async_update_entry(
            entry, unique_id=unique_id, minor_version=KEYED_BY_OWNER
        )
    return True


@callback
def async_key_by_owner(
    hass: HomeAssistant, entry: ConfigEntry, account: ElibomAccount
) -> None:
    """Key an Elibom entry by the owner the first account read names.

    Called at set-up, before the entry listens to its own updates. If another entry
    already stands for the account, this one keeps its key and a repair issue asks
    the user to remove one of the two.
    """
    owner = account.owner_id
    issue_id = duplicate_issue_id(entry.entry_id)
    if owner is None or entry.unique_id == owner:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    if (other := _other_entry(hass, entry, owner)) is not None:
        LOGGER.warning(
            "%s and %s are the same Elibom account; remove one of them",
            entry.title,
            other.title,
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="duplicate_account",
            translation_placeholders={"account": entry.title, "other": other.title},
        )
        return
    hass.config_entries.async_update_entry(
        entry, unique_id=owner, data={**entry.data, CONF_ACCOUNT_ID: owner}
    )
    ir.async_delete_issue(hass, DOMAIN, issue_id)
