"""Side effects of payments, run by Celery after the transaction commits."""

import logging
from datetime import timedelta

from celery import shared_task
from django.core.files.storage import default_storage
from django.utils import timezone

from instruction.tasks import send_document_email
from payments.models import RecoveryOrder
from payments.staging import FOLDER

logger = logging.getLogger(__name__)


@shared_task(
    bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=6
)
def generate_recovery_order(self, order_id: int) -> str:
    """Render the titre de recette once and e-mail it to the members (once each, audited)."""
    from payments.documents import ensure_recovery_document

    order = RecoveryOrder.objects.select_related(
        "request", "dossier__scheme__region", "dossier__organisation"
    ).get(pk=order_id)
    document = ensure_recovery_document(order)
    send_document_email(order.dossier, document)
    return document.reference


@shared_task(acks_late=True)
def purge_staged_uploads(max_age_hours: int = 48) -> int:
    """Files joined to a payment request page that was never sent (payments.staging) are
    deleted after two days. Returns how many were deleted."""
    folder = FOLDER.rstrip("/")
    try:  # an object store has no folders: listing an empty prefix gives nothing
        names = default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return 0
    limit = timezone.now() - timedelta(hours=max_age_hours)
    deleted = 0
    for name in names:
        path = f"{FOLDER}{name}"
        if default_storage.get_modified_time(path) < limit:
            default_storage.delete(path)
            deleted += 1
    if deleted:
        logger.info("Deleted %s payment file(s) joined to pages never sent", deleted)
    return deleted
