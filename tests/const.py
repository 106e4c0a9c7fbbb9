"""Account data the simulator is seeded with in tests."""

ELIBOM_USER = "Tienda@Example.com"
ELIBOM_TOKEN = "elibom-api-password-0001"
ELIBOM_ACCOUNT_NAME = "Tienda Doña Pérez"
ALDEAMO_KEY = "a4ec9860713e1940b50f1f7f222e900abde15021"
WEBHOOK_ID = "elibom-inbound-0123456789abcdef"
