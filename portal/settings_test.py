"""Test overlay: fast hashing, offline company lookup, mails kept in memory.

DATABASE_URL and REDIS_URL still come from the environment, so CI can run the same suite
against PostgreSQL and a real Celery worker.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-" + "x" * 40)

from portal.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
COMPANY_LOOKUP_BACKEND = "fixture"
API_ENTREPRISE_BACKEND = "fixture"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PRIVATE_MEDIA_ROOT = VAR_DIR / "test-private"  # noqa: F405
STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
}
# TEST_S3_ENDPOINT_URL (set by .ci/run, which starts an S3 protocol server: moto's): the private
# files go to an S3 bucket through django-storages instead of a local folder; each test gets its
# own prefix of the bucket (tests/conftest.py).
TEST_S3_ENDPOINT_URL = os.environ.get("TEST_S3_ENDPOINT_URL", "")
TEST_S3_BUCKET = os.environ.get("TEST_S3_BUCKET", "aides-tests")
if TEST_S3_ENDPOINT_URL:
    STORAGES["default"] = {  # noqa: F405
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **s3_storage_options(TEST_S3_BUCKET),  # noqa: F405
            "endpoint_url": TEST_S3_ENDPOINT_URL,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "addressing_style": "path",
        },
    }
CELERY_TASK_EAGER_PROPAGATES = True
# Tests run Celery tasks in-process, even when REDIS_URL points at a real broker: assertions on
# receipts and e-mails stay deterministic. tests/test_celery_worker.py switches to the real broker
# for itself, to prove a real worker runs the tasks.
CELERY_TASK_ALWAYS_EAGER = True
# Staff two-factor authentication is exercised by tests/accounts/test_two_factor.py, which turns
# it on; elsewhere staff tests log in directly.
STAFF_OTP_REQUIRED = False
# No antivirus in tests unless one asks for it: tests/applications/test_clamav_eicar.py uses the
# daemon at TEST_CLAMAV_ADDRESS (started by .ci/run with the EICAR test signature only).
CLAMAV_ADDRESS = ""
# Without a scanner, files stay downloadable as « Non analysé » (the production rule, files
# offered only once scanned clean, is tested with CLAMAV_REQUIRED on).
CLAMAV_REQUIRED = False
# Audit anchors are signed with a key generated once into VAR_DIR; each test writes its anchors
# to its own file (tests/conftest.py).
AUDIT_SIGNING_KEY = ""
AUDIT_SIGNING_KEY_FILE = ""
AUDIT_SIGNING_KEY_AUTOGENERATE = True
AUDIT_VERIFY_KEY = ""
AUDIT_TSA_URL = ""
# The tests' cache stays in memory, even when REDIS_URL is set (the Redis database is the Celery
# worker's broker in .ci/run's second run: clearing a Redis cache between tests would flush it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Acts are issued unsigned unless a test gives a certificate (tests/documents/test_signing.py).
DOCUMENTS_SIGNING_PKCS12 = ""
