"""Webhook delivery: a signed POST, retried with exponential backoff, each attempt recorded."""

import logging
import time

import requests
from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from api.targets import validate_target_url
from api.webhooks import encode, signature

logger = logging.getLogger(__name__)


class RetryableDeliveryError(Exception):
    """The target answered 5xx (or 429): worth another try later."""


def _record(delivery, *, status: int | None, error: str, delivered: bool, final: bool) -> None:
    from api.models import WebhookDelivery

    now = timezone.now()
    entry = {"at": now.isoformat(), "status": status, "error": error[:500]}
    fields = {
        "attempts": F("attempts") + 1,
        "last_status": status,
        "last_error": error[:2000],
        "attempt_log": [*delivery.attempt_log, entry],
    }
    if delivered:
        fields["delivered_at"] = now
    elif final:
        fields["failed_at"] = now
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(requests.ConnectionError, requests.Timeout, RetryableDeliveryError),
    max_retries=settings.WEBHOOK_MAX_RETRIES,
    retry_backoff=True,
    retry_backoff_max=settings.WEBHOOK_BACKOFF_MAX,
    retry_jitter=True,
)
def deliver_webhook(self, delivery_id: int) -> str:
    from api.models import WebhookDelivery

    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.delivered_at or delivery.failed_at:
        return "skipped"
    webhook = delivery.webhook
    last_try = self.request.retries >= self.max_retries
    if not webhook.active:
        _record(delivery, status=None, error="Webhook désactivé.", delivered=False, final=True)
        return "inactive"
    try:
        validate_target_url(webhook.target_url, allow_private=webhook.allow_private)
    except ValidationError as exc:
        # Refused addresses are not retried: an administrator must fix the webhook.
        _record(delivery, status=None, error=" ".join(exc.messages), delivered=False, final=True)
        return "refused"
    body = encode(delivery.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Aides-numeriques-webhooks/1.0",
        "X-Aides-Event": delivery.event,
        "X-Aides-Delivery": str(delivery.pk),
        "X-Aides-Signature": signature(webhook.secret, body),
    }
    started = time.monotonic()
    try:
        response = requests.post(
            webhook.target_url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
    except (requests.ConnectionError, requests.Timeout) as exc:
        _record(delivery, status=None, error=str(exc), delivered=False, final=last_try)
        raise
    except requests.RequestException as exc:
        _record(delivery, status=None, error=str(exc), delivered=False, final=True)
        return "error"
    elapsed = int((time.monotonic() - started) * 1000)
    status = response.status_code
    if 200 <= status < 300:
        _record(delivery, status=status, error="", delivered=True, final=True)
        return "delivered"
    error = f"Réponse HTTP {status} en {elapsed} ms."
    if status >= 500 or status == 429:
        _record(delivery, status=status, error=error, delivered=False, final=last_try)
        raise RetryableDeliveryError(error)
    _record(delivery, status=status, error=error, delivered=False, final=True)
    logger.warning("Webhook delivery %s refused by the target: HTTP %s", delivery.pk, status)
    return "rejected"
