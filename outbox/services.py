"""The outbox: every side effect (e-mail, PDF, scan) is recorded before it is queued."""

import logging

from celery import current_app, shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


def enqueue(task, **kwargs) -> OutboxMessage:
    """Record `task(**kwargs)` in the current transaction; hand it to the broker after the commit."""
    message = OutboxMessage.objects.create(task=task.name, kwargs=kwargs)
    transaction.on_commit(lambda: relay(message.pk), robust=True)
    return message


def relay(message_id: int) -> bool:
    """Hand one pending message to the broker; True if it was accepted (or already sent).

    The row is claimed with SELECT … FOR UPDATE SKIP LOCKED (PostgreSQL): while one relay hands
    it over, another relay (the beat sweep, another web node) skips it, then finds it sent.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, sent_at__isnull=True)
            .first()
        )
        if message is None:
            return True  # sent already, or being sent by another relay right now
        return _hand_over(message)


def publish(task, kwargs: dict) -> None:
    """Send one task to the broker (tests count the calls)."""
    # No publish retry loop here: if the broker is down, the row waits for the next relay.
    task.apply_async(kwargs=kwargs, retry=False)


def _hand_over(message: OutboxMessage) -> bool:
    """Publish a claimed (locked) message and mark it sent; on failure count the attempt."""
    task = current_app.tasks[message.task]
    try:
        # A savepoint: a task run in-process (eager mode) that fails leaves the claim usable.
        with transaction.atomic():
            publish(task, message.kwargs)
    except Exception as exc:  # kombu's OperationalError, socket errors...
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=str(exc)[:1000]
        )
        logger.warning("Outbox message %s not relayed: %s", message.pk, exc)
        return False
    OutboxMessage.objects.filter(pk=message.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), attempts=F("attempts") + 1
    )
    return True


CLAIM_BATCH = 50


@shared_task(acks_late=True)
def relay_pending(limit: int = 500) -> int:
    """Beat task: hand over what the broker could not take earlier. Returns how many were relayed.

    Claims pending rows by batches with SELECT … FOR UPDATE SKIP LOCKED, each batch in its own
    transaction: two relays running at once share the rows, never send one twice.
    """
    relayed = 0
    while relayed < limit:
        with transaction.atomic():
            batch = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True)
                .order_by("id")[: min(CLAIM_BATCH, limit - relayed)]
            )
            if not batch:
                return relayed
            for message in batch:
                if not _hand_over(message):
                    return relayed  # the broker is down: the rest waits for the next run
                relayed += 1
    return relayed
