"""Nothing is lost when the broker is down: side effects wait in the outbox, then go out once."""

import os

import pytest
from celery import current_app
from django.core import mail
from kombu import pools

from applications.services import dossier_submit
from outbox.models import OutboxMessage
from outbox.services import relay_pending
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db

CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def broker(monkeypatch):
    """Point the Celery app at a broker URL, for real (no in-process execution)."""

    def reset_pool():
        # Forget the connection and producer pools (kombu keeps a registry per broker URL), so
        # the next publish connects to the broker now configured.
        pools.reset()
        current_app._pool = None
        current_app.amqp._producer_pool = None

    def use(url: str, queue: str | None = None):
        current_app.conf.task_always_eager = url == "eager"
        if url != "eager":
            current_app.conf.broker_url = url
            reset_pool()
            if queue:
                current_app.conf.task_default_queue = queue

    saved = (
        current_app.conf.task_always_eager,
        current_app.conf.broker_url,
        current_app.conf.task_default_queue,
    )
    yield use
    (
        current_app.conf.task_always_eager,
        current_app.conf.broker_url,
        current_app.conf.task_default_queue,
    ) = saved
    reset_pool()


def submit_dossier():
    dossier = DossierFactory(complete=True)
    member = dossier.organisation.memberships.first().user
    return dossier_submit(user=member, dossier=dossier, sworn=True)


def test_a_submission_succeeds_with_the_broker_down_and_its_email_goes_out_once_it_is_back(
    open_calls, broker, django_capture_on_commit_callbacks
):
    broker(CLOSED_PORT_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_dossier()
    assert dossier.state == "submitted"  # the applicant's submission is not lost
    pending = OutboxMessage.objects.get(task="applications.tasks.after_submission")
    assert pending.sent_at is None and pending.attempts == 1 and pending.last_error
    assert not dossier.documents.exists() and not mail.outbox

    assert relay_pending() == 0  # still down: nothing relayed, nothing lost
    broker("eager")  # the broker is back (in-process here)
    # The receipt's task, then the e-mail it recorded in the outbox in its turn (same sweep).
    assert relay_pending() == 2
    pending.refresh_from_db()
    assert pending.sent_at is not None
    assert dossier.documents.filter(kind="receipt").count() == 1
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert len([m for m in mail.outbox if dossier.number in m.subject]) >= 1
    sent = len(mail.outbox)
    assert relay_pending() == 0  # relayed once only
    assert len(mail.outbox) == sent


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL): run by .ci/run"
)
def test_pending_messages_are_handed_to_redis_once_it_answers(
    open_calls, broker, django_capture_on_commit_callbacks
):
    import redis

    broker(CLOSED_PORT_BROKER)
    with django_capture_on_commit_callbacks(execute=True):
        submit_dossier()
    queue = f"outbox-test-{os.getpid()}"  # a queue no worker consumes
    broker(os.environ["REDIS_URL"], queue=queue)
    assert relay_pending() == 1
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        assert client.llen(queue) == 1
    finally:
        client.delete(queue)
