"""The one error family both provider clients raise."""

from __future__ import annotations


class LatamMessagingError(Exception):
    """Base of every error the provider clients raise."""


class AuthenticationError(LatamMessagingError):
    """The provider refused the credentials (HTTP 401 or 403)."""


class NotFoundError(LatamMessagingError):
    """The provider does not know the requested resource (HTTP 404)."""


class ConflictError(LatamMessagingError):
    """The request conflicts with the resource's state (HTTP 409)."""


class ProviderError(LatamMessagingError):
    """The provider answered but refused the request, saying why."""

    def __init__(
        self, message: str, *, code: str | None = None, status: int | None = None
    ) -> None:
        """Keep the provider's own code and message."""
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status


class UnparseableResponseError(LatamMessagingError):
    """The provider's answer could not be decoded or did not have the expected shape."""


class TemporaryError(LatamMessagingError):
    """A failure that may go away by itself; polling may simply try again later."""


class ProviderConnectionError(TemporaryError):
    """The provider could not be reached or did not answer in time."""

    def __init__(self, message: str, *, may_have_reached_provider: bool) -> None:
        """Say whether the request may have been received before the failure."""
        super().__init__(message)
        self.may_have_reached_provider = may_have_reached_provider


class ServerError(TemporaryError):
    """The provider answered with a server error (HTTP 5xx)."""

    def __init__(self, message: str, *, status: int) -> None:
        """Keep the HTTP status."""
        super().__init__(message)
        self.status = status


class RateLimitedError(TemporaryError):
    """The provider asked us to slow down (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: float | None) -> None:
        """Keep the provider's Retry-After hint, in seconds, when it gave one."""
        super().__init__(message)
        self.retry_after = retry_after
