"""Side effects of the filing journey, run by Celery after the transaction commits."""

from celery import shared_task

from applications.models import Dossier


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=6, acks_late=True
)
def after_submission(self, dossier_id: int) -> None:
    """Generate the receipt (idempotent) and e-mail it to the members of the organisation."""
    from applications.notifications import send_submission_email
    from applications.receipt import ensure_receipt

    dossier = Dossier.objects.select_related("scheme", "organisation").get(pk=dossier_id)
    receipt = ensure_receipt(dossier)
    send_submission_email(dossier, receipt)


# The antivirus scan lives with the attachments; imported here so Celery registers it.
from applications.retention import purge_drafts  # noqa: E402,F401
from applications.scanning import scan_attachment  # noqa: E402,F401
