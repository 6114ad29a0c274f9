"""Antivirus scan of attachments with ClamAV (clamd), run by Celery after the upload commits.

Settings: CLAMAV_ADDRESS ("host:port" or a unix socket path; "" = no scanner), CLAMAV_TIMEOUT
(seconds, 30), QUARANTINE_ROOT (PRIVATE_MEDIA_ROOT / "quarantine") and CLAMAV_REQUIRED (on in
production: a file is offered for download only once scanned clean, see
`Attachment.can_be_opened`; pending and failed scans are sent again by `rescan_unscanned`).
"""

import datetime
import logging
import shutil
from pathlib import Path

from celery import shared_task
from clamav_client.clamd import BufferTooLongError, CommunicationError
from clamav_client.scanner import get_scanner as clamav_get_scanner
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from applications.enums import ScanStatus
from applications.models import Attachment
from audit.services import audit_record
from organisations.models import Membership

logger = logging.getLogger(__name__)

DONE = (ScanStatus.CLEAN, ScanStatus.INFECTED)
RESCAN_AFTER = datetime.timedelta(minutes=10)
RESCAN_BATCH = 500


def get_scanner():
    """The ClamAV client for the configured daemon (tests replace this function)."""
    return clamav_get_scanner(
        {
            "backend": "clamd",
            "address": settings.CLAMAV_ADDRESS,
            "timeout": float(getattr(settings, "CLAMAV_TIMEOUT", 30)),
            "stream": True,
        }
    )


def quarantine_root() -> Path:
    default = Path(settings.PRIVATE_MEDIA_ROOT) / "quarantine"
    return Path(getattr(settings, "QUARANTINE_ROOT", "") or default)


def _is_connection_problem(result) -> bool:
    err = result.err
    if isinstance(err, (BufferTooLongError, FileNotFoundError)):
        return False  # too big for clamd's StreamMaxLength, or no file: retrying will not help
    return isinstance(err, (CommunicationError, ConnectionError, OSError))


def _quarantine(attachment: Attachment) -> str:
    """Move the stored file out of the attachments folder; return its new FileField name."""
    source = Path(attachment.file.path)
    root = quarantine_root()
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = root / f"{attachment.dossier_id}-{attachment.pk}-{source.name}"
    shutil.move(source, target)
    target.chmod(0o600)
    storage_root = Path(default_storage.location).resolve()
    try:
        return str(target.resolve().relative_to(storage_root))
    except ValueError:
        return str(target)  # outside the storage: never served, kept for the security team


def _tell_applicant(attachment: Attachment) -> None:
    from accounts.tasks import send_email

    dossier = attachment.dossier
    emails = list(
        Membership.objects.filter(organisation_id=dossier.organisation_id)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not emails:
        return
    body = (
        "Bonjour,\n\n"
        f"Le fichier « {attachment.original_name} » déposé dans le dossier {dossier} a été "
        "détecté comme infecté par notre antivirus. Il a été mis en quarantaine : il ne sera "
        "pas transmis au service instructeur.\n\n"
        "Vérifiez votre poste de travail avec un antivirus à jour, puis déposez à nouveau "
        "une copie saine de cette pièce depuis la page « Pièces justificatives » de votre "
        "dossier.\n\n"
        "L'équipe Aides numériques"
    )
    send_email.delay(
        subject=f"Dossier {dossier} : un fichier déposé a été mis en quarantaine",
        body=body,
        to=emails,
    )


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(ConnectionError, OSError),
    retry_backoff=True,
    max_retries=8,
)
def scan_attachment(self, attachment_id: int) -> str:
    """Scan one attachment and record the verdict; safe to run twice."""
    attachment = Attachment.objects.select_related("dossier").filter(pk=attachment_id).first()
    if attachment is None or attachment.scan_status in DONE:
        return attachment.scan_status if attachment else "missing"
    result = get_scanner().scan(attachment.file.path)
    if result.state == "OK":
        _record(attachment, ScanStatus.CLEAN, "")
    elif result.state == "FOUND":
        with transaction.atomic():
            locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
            if locked.scan_status in DONE:
                return locked.scan_status
            locked.file.name = _quarantine(locked)
            locked.scan_status = ScanStatus.INFECTED
            locked.scan_detail = (result.details or "signature inconnue")[:255]
            locked.scanned_at = timezone.now()
            locked.save(update_fields=["file", "scan_status", "scan_detail", "scanned_at"])
            audit_record(
                actor=None,
                action="attachment_quarantine",
                obj=locked,
                from_state=attachment.scan_status,
                to_state=ScanStatus.INFECTED,
                data={"signature": locked.scan_detail, "sha256": locked.sha256},
            )
            transaction.on_commit(lambda: _tell_applicant(locked))
        logger.warning("Attachment %s infected (%s): quarantined", locked.pk, locked.scan_detail)
    elif _is_connection_problem(result) and self.request.retries < self.max_retries:
        # Celery's autoretry turns this into a retry with backoff.
        raise ConnectionError(f"ClamAV unreachable: {result.details}")
    else:
        _record(attachment, ScanStatus.ERROR, (result.details or "")[:255])
        logger.error("Attachment %s could not be scanned: %s", attachment.pk, result.details)
    return Attachment.objects.values_list("scan_status", flat=True).get(pk=attachment.pk)


def _record(attachment: Attachment, status: str, detail: str) -> None:
    """Compare-and-set: only a pending (or failed) scan gets a verdict."""
    Attachment.objects.filter(pk=attachment.pk).exclude(scan_status__in=DONE).update(
        scan_status=status, scan_detail=detail, scanned_at=timezone.now()
    )
    audit_record(
        actor=None,
        action="attachment_scan",
        obj=attachment,
        from_state=attachment.scan_status,
        to_state=status,
        data={"detail": detail},
    )


@shared_task(acks_late=True)
def rescan_unscanned() -> int:
    """Beat: queue again the scans that are pending or failed for a while (ClamAV was down, a
    worker was lost), and, where CLAMAV_REQUIRED, files stored before a scanner was set up.

    Without them such files would stay « analyse antivirus en cours » for agents forever.
    Returns the number of scans queued.
    """
    if not settings.CLAMAV_ADDRESS:
        return 0
    statuses = [ScanStatus.PENDING, ScanStatus.ERROR]
    if getattr(settings, "CLAMAV_REQUIRED", False):
        statuses.append(ScanStatus.NOT_SCANNED)
    before = timezone.now() - RESCAN_AFTER
    ids = list(
        Attachment.objects.filter(scan_status__in=statuses, uploaded_at__lt=before)
        .exclude(scanned_at__gte=before)
        .order_by("uploaded_at")
        .values_list("pk", flat=True)[:RESCAN_BATCH]
    )
    for attachment_id in ids:
        scan_attachment.delay(attachment_id)
    return len(ids)
