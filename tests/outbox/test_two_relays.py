"""Two outbox relays at once never hand the same message to the broker twice: rows are claimed
with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL; SQLite has no row locks, so skipped there)."""

import threading
import time
from collections import Counter

import pytest
from django.db import connection, connections

from outbox import services
from outbox.models import OutboxMessage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SKIP LOCKED) need PostgreSQL: set DATABASE_URL (.ci/run does)",
    ),
]

MESSAGES = 60


@pytest.fixture
def published(monkeypatch):
    """Every hand-over to the broker, by message, slowed down to widen any race."""
    sent = Counter()
    lock = threading.Lock()

    def publish(task, kwargs):
        time.sleep(0.005)
        with lock:
            sent[kwargs["n"]] += 1

    monkeypatch.setattr(services, "publish", publish)
    return sent


def run_together(*targets):
    """Run the callables in threads started at the same moment; return their results."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def run(index, target):
        barrier.wait()
        try:
            results[index] = target()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def pending(count):
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(task="outbox.services.relay_pending", kwargs={"n": n}) for n in range(count)
    )


def test_two_sweeps_at_once_send_each_message_exactly_once(published):
    pending(MESSAGES)
    first, second = run_together(services.relay_pending, services.relay_pending)
    assert first + second == MESSAGES
    assert first > 0 and second > 0  # both worked, on different rows
    assert sorted(published) == list(range(MESSAGES))
    assert set(published.values()) == {1}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_the_after_commit_relay_and_the_sweep_never_both_send(published):
    messages = pending(MESSAGES)

    def one_by_one():
        return sum(services.relay(message.pk) for message in messages)

    run_together(one_by_one, services.relay_pending)
    assert sorted(published) == list(range(MESSAGES))
    assert set(published.values()) == {1}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
