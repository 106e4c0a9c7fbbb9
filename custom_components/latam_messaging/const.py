"""Names shared across the integration; the public ones are a contract (see the spec)."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Final

DOMAIN: Final = "latam_messaging"
LOGGER = logging.getLogger(__package__)

# Entry data
CONF_PROVIDER: Final = "provider"
CONF_API_TOKEN: Final = "api_token"
CONF_API_KEY: Final = "api_key"
CONF_CHANNELS: Final = "channels"
CONF_ACCOUNT_ID: Final = "account_id"
CONF_NOTIFY_SERVICE: Final = "notify_service"
"""The classic notify service's name, decided once (see legacy_notify)."""
PROVIDER_ELIBOM: Final = "elibom"
PROVIDER_ALDEAMO: Final = "aldeamo"

# Options
CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_LOW_CREDIT_THRESHOLD: Final = "low_credit_threshold"
CONF_DEFAULT_COUNTRY_CODE: Final = "default_country_code"
CONF_PLAIN_ALPHABET: Final = "plain_alphabet"
CONF_DAILY_LIMIT: Final = "daily_limit"
DEFAULT_ELIBOM_SCAN_INTERVAL: Final = 60
DEFAULT_ALDEAMO_SCAN_INTERVAL: Final = 30
MIN_SCAN_INTERVAL: Final = 15
MAX_SCAN_INTERVAL: Final = 3600
DEFAULT_LOW_CREDIT_THRESHOLD: Final = 0.0
DEFAULT_COUNTRY_CODE: Final = "57"
DEFAULT_PLAIN_ALPHABET: Final = False
DEFAULT_DAILY_LIMIT: Final = 0
MAX_DAILY_LIMIT: Final = 1_000_000

# Subentries
SUBENTRY_RECIPIENT: Final = "recipient"
SUBENTRY_CONTACT: Final = "contact"
CONF_PHONE_NUMBER: Final = "phone_number"
CONF_CHANNEL: Final = "channel"
CONF_CLIENT_ID: Final = "client_id"
CHANNEL_NAMES: Final = {
    "facebook": "Facebook",
    "sms": "SMS",
    "twitter": "Twitter",
    "web": "Web",
    "whatsapp": "WhatsApp",
}
"""Channel names as their owners write them, the same in every language."""

# Actions and their fields
SERVICE_SEND_SMS: Final = "send_sms"
SERVICE_CANCEL_SCHEDULED_SMS: Final = "cancel_scheduled_sms"
SERVICE_GET_DELIVERY: Final = "get_delivery"
SERVICE_SEND_BOT_MESSAGE: Final = "send_bot_message"
ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_TO: Final = "to"
ATTR_RECIPIENTS: Final = "recipients"
ATTR_MESSAGE: Final = "message"
ATTR_SCHEDULE_AT: Final = "schedule_at"
ATTR_PLAIN_ALPHABET: Final = "plain_alphabet"
ATTR_SCHEDULE_ID: Final = "schedule_id"
ATTR_DELIVERY_TOKEN: Final = "delivery_token"
ATTR_CHANNEL: Final = "channel"
ATTR_CLIENT_ID: Final = "client_id"

# Events
EVENT_DELIVERY_STATUS: Final = "latam_messaging_delivery_status"
EVENT_SCHEDULE_STATUS: Final = "latam_messaging_schedule_status"
EVENT_MESSAGE_RECEIVED: Final = "latam_messaging_message_received"

# Elibom limits and states
SMS_MAX_LENGTH: Final = 160
BOT_MESSAGE_MAX_LENGTH: Final = 4096
"""Longest bot message accepted (WhatsApp's own limit; Aldeamo documents none)."""
DELIVERY_FINAL_STATES: Final = frozenset({"finished", "failed", "expired"})
DELIVERY_LOOKUP_WINDOW: Final = timedelta(hours=48)
BROADCAST_CHUNK_SIZE: Final = 100
"""Numbers per POST /messages: one request per chunk instead of one per number."""
BROADCAST_CONCURRENCY: Final = 4
"""Chunks of one broadcast in flight at once."""
DELIVERY_POLL_CONCURRENCY: Final = 8
"""GET /messages/{token} requests in flight at once during a refresh."""
USERS_REFRESH_EVERY: Final = 10
"""Account users change rarely: GET /users every this many credit polls."""

REQUEST_TIMEOUT: Final = 15.0

CONF_ASSIST: Final = "assist"
CONF_AGENT_ID: Final = "agent_id"
CONF_ASSIST_PIN: Final = "assist_pin"
"""The key word a person's messages start with to reach Assist."""
DEFAULT_AGENT_ID: Final = "conversation.home_assistant"
ASSIST_ANSWERS_PER_HOUR: Final = 20
"""Answers one person gets at most in any hour."""
