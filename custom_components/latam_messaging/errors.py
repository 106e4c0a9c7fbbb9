"""The one place where client errors become Home Assistant errors with translation keys."""

from __future__ import annotations

from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    HomeAssistantError,
    ServiceValidationError,
)
from homeassistant.helpers.update_coordinator import UpdateFailed

from .api import (
    AuthenticationError,
    LatamMessagingError,
    ProviderConnectionError,
    ProviderError,
    RateLimitedError,
)
from .const import DOMAIN


def _key_for(err: LatamMessagingError, *, sending: bool) -> str:
    if isinstance(err, AuthenticationError):
        return "auth_failed"
    if isinstance(err, RateLimitedError):
        return "rate_limited"
    if isinstance(err, ProviderError):
        return "provider_refused"
    if isinstance(err, ProviderConnectionError) and not err.may_have_reached_provider:
        return "cannot_connect"
    # A timeout, a server error or an unreadable answer after a send: the provider
    # may have accepted it, and repeating it could send a paid message twice.
    return "send_outcome_unknown" if sending else "provider_unavailable"


def may_have_sent(err: LatamMessagingError) -> bool:
    """Tell whether a failed send may still have been accepted (and billed)."""
    return _key_for(err, sending=True) == "send_outcome_unknown"


def action_error(
    err: LatamMessagingError, provider: str, *, sending: bool = False
) -> HomeAssistantError:
    """Turn a failed call made for an action into the error shown to the caller."""
    message = err.message if isinstance(err, ProviderError) else str(err)
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=_key_for(err, sending=sending),
        translation_placeholders={"provider": provider, "error": message},
    )


def update_error(err: LatamMessagingError, provider: str) -> Exception:
    """Turn a failed poll into UpdateFailed, or ConfigEntryAuthFailed to start reauth."""
    placeholders = {"provider": provider, "error": str(err)}
    if isinstance(err, AuthenticationError):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN,
            translation_key="auth_failed",
            translation_placeholders=placeholders,
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="update_failed",
        translation_placeholders=placeholders,
        retry_after=err.retry_after if isinstance(err, RateLimitedError) else None,
    )


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """Build the translated error for input the caller must fix."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )
