"""The one e-mail sending task: it sends what the notification service rendered and recorded."""

import base64

from celery import shared_task
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives


def _attachment_content(attachment: dict) -> bytes:
    if "storage_name" in attachment:
        with default_storage.open(attachment["storage_name"], "rb") as handle:
            return handle.read()
    return base64.b64decode(attachment["base64"])


def _send(*, subject, body, to, html="", from_email=None, attachments=()) -> None:
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(
            attachment["filename"], _attachment_content(attachment), attachment["mimetype"]
        )
    message.send()


@shared_task(bind=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8, acks_late=True)
def send_notification(
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    from_email: str | None = None,
    attachments: list[dict] | tuple = (),
) -> None:
    """Send one rendered e-mail; retried with backoff when the mail server is unreachable."""
    _send(
        subject=subject,
        body=body,
        to=to,
        html=html,
        from_email=from_email,
        attachments=attachments,
    )


# Bulk messages (an agent writing to many applicants) leave at a steady pace: the worker runs at
# most this many per minute, so the mail server and the recipients' providers are not flooded.
BULK_RATE_LIMIT = "30/m"


@shared_task(
    bind=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=8,
    acks_late=True,
    rate_limit=BULK_RATE_LIMIT,
)
def send_bulk_notification(
    self,
    *,
    subject: str,
    body: str,
    to: list[str],
    html: str = "",
    from_email: str | None = None,
    attachments: list[dict] | tuple = (),
) -> None:
    """`send_notification`, throttled (Celery's per-worker rate limit) for messages sent in bulk."""
    _send(
        subject=subject,
        body=body,
        to=to,
        html=html,
        from_email=from_email,
        attachments=attachments,
    )
