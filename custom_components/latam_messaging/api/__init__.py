"""Clients for the providers LatAm Messaging talks to; no Home Assistant here."""

from .aldeamo import (
    ALDEAMO_URL,
    LISTENING_CHANNELS,
    SENDING_CHANNELS,
    AldeamoClient,
    Listing,
    account_digest,
)
from .aldeamo_models import AldeamoMessage, AldeamoUser, ListedUser, parse_aldeamo_user
from .elibom import ELIBOM_URL, ElibomClient
from .elibom_models import (
    ElibomAccount,
    ElibomDelivery,
    ElibomMessage,
    ElibomSchedule,
    ElibomUser,
)
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
from .fields import COLOMBIA

__all__ = [
    "account_digest",
    "ALDEAMO_URL",
    "COLOMBIA",
    "ELIBOM_URL",
    "LISTENING_CHANNELS",
    "SENDING_CHANNELS",
    "AldeamoClient",
    "Listing",
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
