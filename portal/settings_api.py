"""Settings of the REST API, the webhooks and reporting (kept apart from portal/settings.py)."""

from portal.env import env_int, env_str

API_APPS = ["rest_framework", "drf_spectacular", "drf_spectacular_sidecar", "api", "reporting"]

# Calls allowed per token (DRF rate syntax: "600/min", "10000/day").
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 200)

# Webhooks: one POST per state change, retried with exponential backoff on network errors and
# 5xx answers (at most WEBHOOK_MAX_RETRIES retries, waits capped at WEBHOOK_BACKOFF_MAX seconds).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
WEBHOOK_MAX_RETRIES = env_int("WEBHOOK_MAX_RETRIES", 8)
WEBHOOK_BACKOFF_MAX = env_int("WEBHOOK_BACKOFF_MAX", 3600)

REST_FRAMEWORK = {
    # Secure by default: only API tokens, no session or Basic authentication.
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasValidToken"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiTokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "API Aides numériques",
    "DESCRIPTION": (
        "API des outils de la Région : dossiers, décisions, paiements et dispositifs. "
        "Chaque appel porte un jeton (`Authorization: Bearer <jeton>`) créé par un "
        "administrateur, limité à une région et à des dispositifs, en lecture seule ou non, "
        "avec une date d'expiration. Les changements d'état passent par les mêmes règles que "
        "les pages d'instruction."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its documentation are public: they describe the API, not its data.
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "DossierStateEnum": "applications.enums.DossierState",
        "BatchStateEnum": "payments.enums.BatchState",
        "PaymentKindEnum": "payments.enums.PaymentKind",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
}
