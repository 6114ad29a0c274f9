"""Side effects of payments, run by Celery after the transaction commits."""

import logging

from celery import shared_task

from instruction.tasks import send_document_email
from payments.models import RecoveryOrder

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
