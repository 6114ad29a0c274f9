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
    """Hand one pending message to the broker; True if it was accepted (or already sent)."""
    message = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).first()
    if message is None:
        return True
    task = current_app.tasks[message.task]
    try:
        # No publish retry loop here: if the broker is down, the row waits for the next relay.
        task.apply_async(kwargs=message.kwargs, retry=False)
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


@shared_task(acks_late=True)
def relay_pending(limit: int = 500) -> int:
    """Beat task: hand over what the broker could not take earlier. Returns how many were relayed."""
    relayed = 0
    for message_id in OutboxMessage.objects.filter(sent_at__isnull=True).values_list(
        "pk", flat=True
    )[:limit]:
        if not relay(message_id):
            break
        relayed += 1
    return relayed
