"""A task sent through the real broker is run by a real Celery worker.

Runs only when .ci/run (or you) started a worker: REDIS_URL set and CELERY_WORKER_RUNNING=1, with
EMAIL_FILE_PATH the worker's e-mail folder. REQUIRE_WORKER=1 turns the skip into a failure.
"""

import email
import email.policy
import os
import time
import uuid
from pathlib import Path

import pytest

from accounts.tasks import send_email

pytestmark = pytest.mark.celery_worker
TIMEOUT = 30
SEPARATOR = b"-" * 79


@pytest.fixture
def worker_mail_folder() -> Path:
    missing = [
        text
        for text, ok in [
            ("REDIS_URL is not set", bool(os.environ.get("REDIS_URL"))),
            ("CELERY_WORKER_RUNNING is not 1", os.environ.get("CELERY_WORKER_RUNNING") == "1"),
            ("EMAIL_FILE_PATH is not set", bool(os.environ.get("EMAIL_FILE_PATH"))),
        ]
        if not ok
    ]
    if missing:
        reason = "no real Celery worker: " + ", ".join(missing)
        if os.environ.get("REQUIRE_WORKER") == "1":
            pytest.fail(f"{reason} (REQUIRE_WORKER=1)", pytrace=False)
        pytest.skip(reason)
    return Path(os.environ["EMAIL_FILE_PATH"])


@pytest.fixture
def real_broker(settings):
    """Tasks go through the broker for this test, even if the test settings make Celery eager."""
    conf = send_email.app.conf
    previous = conf.task_always_eager
    conf.task_always_eager = False
    yield
    conf.task_always_eager = previous


def test_settings_send_tasks_to_the_broker_when_redis_is_configured(settings, worker_mail_folder):
    # portal.settings: with REDIS_URL, tasks are queued for the worker, never run in-process.
    from portal import settings as production_settings

    assert production_settings.CELERY_TASK_ALWAYS_EAGER is False
    assert settings.CELERY_BROKER_URL == os.environ["REDIS_URL"]


def test_worker_sends_an_email_through_the_broker(settings, worker_mail_folder, real_broker):
    assert send_email.app.conf.task_always_eager is False
    assert send_email.app.conf.broker_url.startswith("redis://")
    subject = f"Test du worker Celery {uuid.uuid4().hex}"
    recipient = f"worker-{uuid.uuid4().hex[:8]}@example.org"

    send_email.apply_async(
        kwargs={"subject": subject, "body": "Envoyé par le worker.", "to": [recipient]},
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
    )

    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        for path in sorted(worker_mail_folder.glob("*")):
            content = path.read_bytes().rstrip()
            # The file backend ends each message with a line of 79 dashes once it is written.
            if subject.encode() not in content or not content.endswith(SEPARATOR):
                continue
            message = email.message_from_bytes(
                content.removesuffix(SEPARATOR), policy=email.policy.default
            )
            assert message["Subject"] == subject
            assert message["To"] == recipient
            assert message.get_body(preferencelist=("plain",)).get_content().strip() == (
                "Envoyé par le worker."
            )
            return
        time.sleep(0.25)
    pytest.fail(
        f"the worker wrote no e-mail with subject {subject!r} in {worker_mail_folder} "
        f"within {TIMEOUT} s",
        pytrace=False,
    )
