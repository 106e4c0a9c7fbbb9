"""Clients for the providers LatAm Messaging talks to; no Home Assistant here."""

from .aldeamo import (
    ALDEAMO_URL,
    LISTENING_CHANNELS,
    SENDING_CHANNELS,
    AldeamoClient,
    account_digest,
)
from .elibom import ELIBOM_URL, ElibomClient
from .errors import (
    AuthenticationError,
    ConflictError,
    LatamMessagingError,
    NotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitedError,
    ServerError,
    TemporaryError,
    UnparseableResponseError,
)
from .models import (
    COLOMBIA,
    AldeamoMessage,
    AldeamoUser,
    ElibomAccount,
    ElibomDelivery,
    ElibomMessage,
    ElibomSchedule,
    ElibomUser,
    ListedUser,
    parse_aldeamo_user,
)

__all__ = [
    "account_digest",
    "ALDEAMO_URL",
    "COLOMBIA",
    "ELIBOM_URL",
    "LISTENING_CHANNELS",
    "SENDING_CHANNELS",
    "AldeamoClient",
    "AldeamoMessage",
    "AldeamoUser",
    "AuthenticationError",
    "ConflictError",
    "ElibomAccount",
    "ElibomClient",
    "ElibomDelivery",
    "ElibomMessage",
    "ElibomSchedule",
    "ElibomUser",
    "LatamMessagingError",
    "ListedUser",
    "NotFoundError",
    "ProviderConnectionError",
    "ProviderError",
    "RateLimitedError",
    "ServerError",
    "TemporaryError",
    "UnparseableResponseError",
    "parse_aldeamo_user",
]
