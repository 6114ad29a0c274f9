"""Settings for Aides numériques, read from the environment.

Production values are the defaults; the demo (`make demo`) and the tests override little.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    # Serving (gunicorn, Celery) without a configured key is refused; offline commands
    # (manage.py simulate, makemigrations...) and development use a key kept on this machine.
    if os.environ.get("PORTAL_SERVING") == "1" and not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set to serve the portal (DEBUG is off).")
    # A key kept on this machine, outside git.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "django_filters",
    "csp",
    # Foundations
    "audit",
    "documents",
    "outbox",
    "territories",
    "accounts",
    "organisations",
    # Business apps, lowest layer first
    "schemes",
    "applications",
    "instruction",
    "payments",
    "governance",
    "portal",
]

MIDDLEWARE = [
    # First: every log line of the request, and the tasks it enqueues, carry its id.
    "portal.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp, with the admin's style attributes allowed under /admin/ only (ADMIN_CSP_UPDATE).
    "portal.middleware.PortalCSPMiddleware",
    # After CSRF (the form is parsed), the staff checks (a password-only session goes to the code
    # page first) and the headers (its 400 page carries the CSP): portal/middleware.py
    "portal.middleware.HostileInputMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: a SQLite file under var/ unless DATABASE_URL is set (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # No JIT compilation: the queue's counters are estimated above jit_above_cost, and
        # compiling them costs more (tens of ms) than running them (OLTP pages, short queries).
        # Server-side cursors (QuerySet.iterator: the exports) are read to the end: plan them for
        # the whole result, not for the first tenth (six times slower on the queue's CSV export).
        # Random reads cost little more than sequential ones on SSDs and cached data: index scans
        # are preferred where they pay (counters of a search over one region's schemes).
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
            "-c jit=off -c cursor_tuple_fraction=1 -c random_page_cost=1.1"
        )
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: broker and cache when REDIS_URL is set; otherwise tasks run in-process.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or env_str("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = env_bool("CELERY_TASK_EAGER_PROPAGATES", False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "aides")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "outbox.services.relay_pending", "schedule": 60.0},
    "purge-expired-drafts": {
        "task": "applications.retention.purge_drafts",
        "schedule": crontab(hour=3, minute=15),
    },
    "flag-overdue-dossiers-and-remind": {
        "task": "instruction.deadlines.flag_overdue_and_remind",
        "schedule": crontab(hour=6, minute=30),
    },
    # The agents' digest of their late dossiers and coming deadlines, after the overdue flags.
    "agent-daily-digest": {
        "task": "instruction.digest.send_agent_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # The head of the audit chain, signed into the anchor file (audit/anchors.py) every hour.
    "anchor-audit-trail": {
        "task": "audit.tasks.anchor_audit_trail",
        "schedule": crontab(minute=7),
    },
    # Attachments whose scan is pending or failed (ClamAV down) are sent to the scanner again.
    "rescan-unscanned-attachments": {
        "task": "applications.scanning.rescan_unscanned",
        "schedule": crontab(minute="*/15"),
    },
    # Files joined to a payment request page never sent (payments.staging), after two days.
    "purge-staged-payment-uploads": {
        "task": "payments.tasks.purge_staged_uploads",
        "schedule": crontab(hour=3, minute=45),
    },
    # Export files (reporting/exports.py) deleted once EXPORT_RETENTION_HOURS have passed.
    "purge-expired-exports": {
        "task": "reporting.exports.purge_exports",
        "schedule": crontab(minute=35),
    },
}

# Exports of the queue are written by the worker (reporting/exports.py) and kept this long.
EXPORT_RETENTION_HOURS = env_int("EXPORT_RETENTION_HOURS", 24)

# One scheduler: beat keeps its schedule in Redis behind a lock (celery-redbeat). A second beat
# (another host, `--scale beat=2`) waits for the lock and takes over within REDBEAT_LOCK_TIMEOUT
# seconds if the first stops; it never sends the periodic tasks a second time.
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env_str(
        "REDBEAT_KEY_PREFIX", f"{env_str('CACHE_PREFIX', 'aides')}:redbeat"
    )
    CELERY_REDBEAT_LOCK_TIMEOUT = env_int("REDBEAT_LOCK_TIMEOUT", 60)
    # Beat wakes up at least this often (and extends its lock each time).
    CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("BEAT_MAX_LOOP_INTERVAL", 5)
# A probe entry (seconds; 0 = none) that checks and logs which scheduler sends: the two-beat
# tests and `make cluster-check` set it.
BEAT_PROBE_SECONDS = env_int("BEAT_PROBE_SECONDS", 0)
if BEAT_PROBE_SECONDS:
    CELERY_BEAT_SCHEDULE["beat-probe"] = {
        "task": "outbox.services.relay_pending",
        "schedule": float(BEAT_PROBE_SECONDS),
    }

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "aides"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Authentication: e-mail login through django-allauth, throttled by django-axes.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id first (accounts/hashers.py); PBKDF2 hashes of older accounts are upgraded at login.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:space"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", 3)
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
# The issue asks for a clear message on the form when an e-mail is already registered.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
# The reset form looks nobody up during the request (accounts.password_reset).
ACCOUNT_FORMS = {"reset_password": "accounts.password_reset.ResetPasswordForm"}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Aides numériques] "
ACCOUNT_RATE_LIMITS = {
    "login_failed": "20/m/ip,10/5m/key",
    # The public page that checks a document (portal/views_verify.py), per address.
    "verify_document": env_str("VERIFY_DOCUMENT_RATE", "20/m/ip,200/h/ip"),
}

# Staff (agents, finance officers, scheme managers, administrators) must use two-factor
# authentication (TOTP with backup codes) and are logged out after inactivity.
STAFF_OTP_REQUIRED = env_bool("STAFF_OTP_REQUIRED", True)
STAFF_IDLE_SECONDS = env_int("STAFF_IDLE_SECONDS", 30 * 60)
OTP_TOTP_ISSUER = "Aides numériques"
# A first authenticator app is enrolled through a one-time link (e-mailed, or printed by an
# administrator with `manage.py otp_enrolment_link`), valid this many hours.
OTP_ENROLMENT_HOURS = env_int("OTP_ENROLMENT_HOURS", 48)
# The address people write to when an e-mail does not arrive (shown as a mailto link).
SUPPORT_EMAIL = env_str("SUPPORT_EMAIL", "contact@aides-numeriques.fr")

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "accounts.axes.get_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Internationalisation: the portal speaks French.
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]
# The portal's own wording of django-allauth's pages and e-mails (one French word: courriel).
LOCALE_PATHS = [BASE_DIR / "accounts" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
# No automatic thousand separator: ids and versions in forms and URLs must stay plain numbers;
# amounts are formatted explicitly (schemes.templatetags.aides.euros: 1 234,56 €).
USE_THOUSAND_SEPARATOR = False

# Static files are served by the portal itself (no CDN).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live in a private folder that is never served as static or media: only views
# that check the user's rights stream them.
# Every read and write goes through Django's storage API (STORAGES["default"]): a local folder by
# default (one machine); an S3-compatible object store (MinIO, Scaleway, OVHcloud, Outscale...)
# when S3_BUCKET is set, shared by every web node and worker (docs/deployment.md).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
S3_BUCKET = env_str("S3_BUCKET")
# Downloads: streamed by the portal after the permission check (default), or, with S3 and
# S3_PRESIGNED_DOWNLOADS=1, a redirect to a pre-signed URL valid S3_URL_EXPIRE seconds (the
# object store must then be reachable by the browsers at S3_ENDPOINT_URL).
S3_PRESIGNED_DOWNLOADS = env_bool("S3_PRESIGNED_DOWNLOADS", False)
S3_URL_EXPIRE = env_int("S3_URL_EXPIRE", 60)


def s3_storage_options(bucket: str, location: str = "") -> dict:
    """django-storages' S3Storage options read from S3_* variables (private objects only)."""
    return {
        "bucket_name": bucket,
        "location": location,
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,
        "signature_version": "s3v4",
        # Never public: no ACL granted, every URL signed and short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": S3_URL_EXPIRE,
        # Two uploads with one name get two objects, as on the local disk (never overwritten).
        "file_overwrite": False,
        # Reading a large object spills to a temporary file instead of memory.
        "max_memory_size": 2 * 1024 * 1024,
    }


if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_storage_options(S3_BUCKET, env_str("S3_PREFIX")),
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640

# E-mail: SMTP when EMAIL_HOST is set, a folder when EMAIL_FILE_PATH is set, the console otherwise.
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Aides numériques <ne-pas-repondre@aides-numeriques.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 30
elif EMAIL_FILE_PATH:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security: strict by default; the demo relaxes what plain HTTP on localhost needs.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^sante/"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
# Sessions are read from the cache (Redis, shared by the workers) and written through to the
# database: one query less on every page, and sessions survive a cache flush.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: everything from the portal itself, no inline script or style (the
# templates have none; a test scans them), no framing, forms only to the portal.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The Django admin (and django-simple-history's pages) carry style attributes: allowed under
# /admin/ only, and only style attributes (no <style> element, no inline script): portal/middleware.py.
ADMIN_CSP_UPDATE = {"style-src-attr": ["'unsafe-inline'"]}
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

FORM_RENDERER = "portal.form_renderer.FormRenderer"

# Attachments: limits shown before upload; a ClamAV daemon scans them when CLAMAV_ADDRESS is set
# ("host:port" or a Unix socket path); without it files are marked "not scanned".
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
DOSSIER_MAX_BYTES = env_int("DOSSIER_MAX_BYTES", 100 * 1024 * 1024)
CLAMAV_ADDRESS = env_str("CLAMAV_ADDRESS")
# Production: an attachment is offered to agents only once ClamAV has found it clean.
CLAMAV_REQUIRED = env_bool("CLAMAV_REQUIRED", not DEBUG)
# Infected attachments are moved under this prefix of the same storage (never served).
QUARANTINE_PREFIX = env_str("QUARANTINE_PREFIX", "quarantine").strip("/")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Audit trail anchors (audit/anchors.py): the chain head signed with an Ed25519 key that is not
# in the database, appended to a file the application only appends to.
AUDIT_SIGNING_KEY = env_str("AUDIT_SIGNING_KEY")
AUDIT_SIGNING_KEY_FILE = env_str("AUDIT_SIGNING_KEY_FILE")
AUDIT_SIGNING_KEY_AUTOGENERATE = DEBUG  # development only: a key kept in VAR_DIR
AUDIT_ANCHOR_PATH = Path(env_str("AUDIT_ANCHOR_PATH", str(VAR_DIR / "audit" / "anchors.jsonl")))
# Optional: the public key alone, to check anchors where the private key is not kept; an RFC 3161
# time-stamp authority that also stamps each anchor.
AUDIT_VERIFY_KEY = env_str("AUDIT_VERIFY_KEY")
AUDIT_TSA_URL = env_str("AUDIT_TSA_URL")
AUDIT_TSA_TIMEOUT = env_int("AUDIT_TSA_TIMEOUT", 10)

# Electronic signature of the acts (documents/signing.py, docs/security.md « Actes signés »):
# the region's certificate as a PKCS#12 file (`{region}` in the path is replaced by the region's
# code: HDF, PDL, IDF), its passphrase, the PEM/DER files of its certification chain, and an
# optional RFC 3161 time-stamp authority. In development the default is the demo certificate that
# `seed_demo` generates into VAR_DIR (self-signed, flagged as a demonstration).
DOCUMENTS_DEMO_SIGNING_DIR = VAR_DIR / "demo-signing"
DOCUMENTS_SIGNING_PKCS12 = env_str(
    "DOCUMENTS_SIGNING_PKCS12", str(DOCUMENTS_DEMO_SIGNING_DIR / "{region}.p12") if DEBUG else ""
)
DOCUMENTS_SIGNING_PASSPHRASE = env_str("DOCUMENTS_SIGNING_PASSPHRASE")
DOCUMENTS_SIGNING_CHAIN = env_list("DOCUMENTS_SIGNING_CHAIN", [])
DOCUMENTS_TSA_URL = env_str("DOCUMENTS_TSA_URL")
DOCUMENTS_TSA_TIMEOUT = env_int("DOCUMENTS_TSA_TIMEOUT", 10)

# Company lookup by SIRET: the public "API Recherche d'entreprises", or an offline fixture.
COMPANY_LOOKUP_BACKEND = env_str("COMPANY_LOOKUP_BACKEND", "api")
COMPANY_LOOKUP_URL = env_str(
    "COMPANY_LOOKUP_URL", "https://recherche-entreprises.api.gouv.fr/search"
)
COMPANY_LOOKUP_TIMEOUT = env_int("COMPANY_LOOKUP_TIMEOUT", 5)
COMPANY_LOOKUP_CACHE_SECONDS = env_int("COMPANY_LOOKUP_CACHE_SECONDS", 24 * 3600)

# Company certificates (URSSAF vigilance, DGFIP fiscal) fetched from API Entreprise
# (organisations/api_entreprise.py): "api" in production, with the token the DINUM issued for the
# portal; "fixture" answers offline (demo, tests). Without a token the "api" backend fetches
# nothing and applicants upload the certificates themselves, as before.
API_ENTREPRISE_BACKEND = env_str("API_ENTREPRISE_BACKEND", "api")
API_ENTREPRISE_URL = env_str("API_ENTREPRISE_URL", "https://entreprise.api.gouv.fr")
API_ENTREPRISE_TOKEN = env_str("API_ENTREPRISE_TOKEN")
API_ENTREPRISE_CONTEXT = env_str("API_ENTREPRISE_CONTEXT", "Instruction d'une aide régionale")
API_ENTREPRISE_TIMEOUT = env_int("API_ENTREPRISE_TIMEOUT", 10)
API_ENTREPRISE_FISCAL_VALIDITY_MONTHS = env_int("API_ENTREPRISE_FISCAL_VALIDITY_MONTHS", 6)

# Logs: one JSON object per line on stderr (portal/observability.py), with the request id, which
# the Celery tasks a request enqueues carry too; LOG_FORMAT=text for a human-readable console
# (the default with DEBUG on).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or text.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "portal.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

# The worker and beat log through LOGGING too (JSON lines), not through Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors of the web and of the worker reported to Sentry when SENTRY_DSN is set (no personal data).
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    from portal.observability import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", ""),
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0") or 0),
    )

# REST API, webhooks and reporting.
from portal.settings_api import *  # noqa: E402,F403

INSTALLED_APPS += API_APPS  # noqa: F405
