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


class CertificatesPending(Exception):
    """API Entreprise failed for a passing reason: Celery retries the fetch."""


@shared_task(
    bind=True,
    autoretry_for=(CertificatesPending,),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=5,
    acks_late=True,
)
def fetch_company_certificates(self, dossier_id: int) -> None:
    """Fetch the company's certificates from API Entreprise (applications/certificates.py). After
    the last retry the applicant still uploads them, as before: nothing waits on this task."""
    from applications.certificates import certificates_fetch_missing

    dossier = Dossier.objects.select_related("scheme__region", "organisation").get(pk=dossier_id)
    failed = certificates_fetch_missing(dossier=dossier)
    if failed:
        raise CertificatesPending(", ".join(failed))


# The antivirus scan lives with the attachments; imported here so Celery registers it.
from applications.retention import purge_drafts  # noqa: E402,F401
from applications.scanning import scan_attachment  # noqa: E402,F401
