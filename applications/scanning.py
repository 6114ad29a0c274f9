"""Antivirus scan of attachments with ClamAV (clamd), run by Celery after the upload commits.

Settings: CLAMAV_ADDRESS ("host:port" or a unix socket path; "" = no scanner), CLAMAV_TIMEOUT
(seconds, 30), QUARANTINE_PREFIX ("quarantine", a folder of the same storage) and CLAMAV_REQUIRED
(on in production: a file is offered for download only once scanned clean, see
`Attachment.can_be_opened`; pending and failed scans are sent again by `rescan_unscanned`).

Files are read through the storage API and streamed to clamd (INSTREAM), never opened by a local
path: the worker may run on another machine than the web node that stored them (S3 storage).
"""

import datetime
import logging
import posixpath

from celery import shared_task
from clamav_client.clamd import BufferTooLongError, CommunicationError
from clamav_client.scanner import ScanResult
from clamav_client.scanner import get_scanner as clamav_get_scanner
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from applications.enums import ScanStatus
from applications.models import Attachment, StoredFileScan
from audit.services import audit_record
from common.files import move
from organisations.models import Membership
from outbox.notifications import notify
from outbox.services import enqueue

logger = logging.getLogger(__name__)

DONE = (ScanStatus.CLEAN, ScanStatus.INFECTED)
RESCAN_AFTER = datetime.timedelta(minutes=10)
RESCAN_BATCH = 500
# Both scan tasks: an unreachable ClamAV is retried with backoff, then the scan is marked failed.
SCAN_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "autoretry_for": (ConnectionError, OSError),
    "retry_backoff": True,
    "max_retries": 8,
}


class StorageScanner:
    """Scans a stored file by its storage name: read through the storage, streamed to clamd."""

    def __init__(self, client):
        self.client = client

    def scan(self, name: str) -> ScanResult:
        result = ScanResult(filename=name, state=None, details=None, err=None)
        try:
            with default_storage.open(name, "rb") as handle:
                report = self.client.instream(handle)
        except Exception as err:  # clamd unreachable, object missing...: as clamav-client does
            return result.update("ERROR", str(err), err)
        file_report = report.get("stream")
        if file_report is None:
            return result
        state, details = file_report
        return result.update(state, details)


def get_scanner() -> StorageScanner:
    """The scanner for the configured daemon (tests replace this function)."""
    clamd = clamav_get_scanner(
        {
            "backend": "clamd",
            "address": settings.CLAMAV_ADDRESS,
            "timeout": float(getattr(settings, "CLAMAV_TIMEOUT", 30)),
            "stream": True,
        }
    )
    return StorageScanner(clamd.client)


def quarantine_prefix() -> str:
    return (getattr(settings, "QUARANTINE_PREFIX", "") or "quarantine").strip("/")


def _is_connection_problem(result) -> bool:
    err = result.err
    if isinstance(err, (BufferTooLongError, FileNotFoundError)):
        return False  # too big for clamd's StreamMaxLength, or no file: retrying will not help
    return isinstance(err, (CommunicationError, ConnectionError, OSError))


def _quarantine(attachment: Attachment) -> str:
    """Move the stored file into the quarantine folder of the storage (never served, kept for
    the security team); return its new FileField name."""
    source = attachment.file.name
    target = posixpath.join(
        quarantine_prefix(),
        f"{attachment.dossier_id}-{attachment.pk}-{posixpath.basename(source)}",
    )
    return move(source, target, storage=attachment.file.storage)


def _tell_applicant(attachment: Attachment) -> None:
    """E-mail the members (recorded in the outbox, in the quarantine's transaction)."""
    dossier = attachment.dossier
    emails = list(
        Membership.objects.filter(organisation_id=dossier.organisation_id)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    notify(
        "file_quarantined",
        to=emails,
        context={
            "dossier": dossier,
            "filename": attachment.original_name,
            "url": settings.SITE_URL + reverse("applications:detail", args=[dossier.pk]),
        },
        region=dossier.scheme.region,
    )


@shared_task(**SCAN_TASK_OPTIONS)
def scan_attachment(self, attachment_id: int) -> str:
    """Scan one attachment and record the verdict; safe to run twice."""
    attachment = Attachment.objects.select_related("dossier").filter(pk=attachment_id).first()
    if attachment is None or attachment.scan_status in DONE:
        return attachment.scan_status if attachment else "missing"
    result = get_scanner().scan(attachment.file.name)
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
            _tell_applicant(locked)
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
    return len(ids) + _queue_stored_files(before)


# --- Other stored files: payment documents, message attachments, new quotes ----------------------


def _stored_file_fields():
    """(model, field name) of every file field but the attachments' (they have their own)."""
    for model in apps.get_models():
        if model is Attachment:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                yield model, field.name


def _queue_stored_files(before) -> int:
    """Queue the scans of stored files without a verdict, and of pending or failed ones."""
    queued = 0
    for model, field in _stored_file_fields():
        names = (
            model._default_manager.exclude(**{field: ""})
            .exclude(**{f"{field}__in": StoredFileScan.objects.values("name")})
            .values_list(field, flat=True)[:RESCAN_BATCH]
        )
        for name in names:
            StoredFileScan.objects.get_or_create(name=name)
            scan_stored_file.delay(name)
            queued += 1
    again = StoredFileScan.objects.filter(
        status__in=[ScanStatus.PENDING, ScanStatus.ERROR], created_at__lt=before
    ).exclude(scanned_at__gte=before)
    for name in again.values_list("name", flat=True)[:RESCAN_BATCH]:
        scan_stored_file.delay(name)
        queued += 1
    return queued


@shared_task(**SCAN_TASK_OPTIONS)
def scan_stored_file(self, name: str) -> str:
    """Scan one stored file (not an attachment) and record its verdict; safe to run twice.

    An infected file stays where it is (a model points at it) but is never served again.
    """
    scan, _ = StoredFileScan.objects.get_or_create(name=name)
    if scan.status in DONE:
        return scan.status
    result = get_scanner().scan(name)
    if result.state == "OK":
        status, detail = ScanStatus.CLEAN, ""
    elif result.state == "FOUND":
        status, detail = ScanStatus.INFECTED, (result.details or "signature inconnue")[:255]
        logger.warning("Stored file %s infected (%s): never served", name, detail)
    elif _is_connection_problem(result) and self.request.retries < self.max_retries:
        raise ConnectionError(f"ClamAV unreachable: {result.details}")
    else:
        status, detail = ScanStatus.ERROR, (result.details or "")[:255]
        logger.error("Stored file %s could not be scanned: %s", name, result.details)
    with transaction.atomic():
        updated = (
            StoredFileScan.objects.filter(pk=scan.pk)
            .exclude(status__in=DONE)
            .update(status=status, detail=detail, scanned_at=timezone.now())
        )
        if updated:
            audit_record(
                actor=None,
                action="stored_file_scan",
                from_state=scan.status,
                to_state=status,
                data={"file": name, "detail": detail},
            )
    return StoredFileScan.objects.values_list("status", flat=True).get(pk=scan.pk)


def stored_file_refusal(field_file) -> str | None:
    """Why a stored file (not an attachment) may not be served now, in French; None if it may.

    Infected: never. Where CLAMAV_REQUIRED: only once found clean; a file never seen by the
    antivirus has its scan queued here (the quarter-hourly sweep also finds it).
    """
    scan = StoredFileScan.objects.filter(name=field_file.name).first()
    if scan and scan.status == ScanStatus.INFECTED:
        return (
            "Ce fichier a été détecté comme infecté par l'antivirus : il ne peut pas être "
            "ouvert. Demandez au déposant une copie saine."
        )
    if not getattr(settings, "CLAMAV_REQUIRED", False) or (
        scan and scan.status == ScanStatus.CLEAN
    ):
        return None
    if scan is None and settings.CLAMAV_ADDRESS:
        with transaction.atomic():
            _, created = StoredFileScan.objects.get_or_create(name=field_file.name)
            if created:
                enqueue(scan_stored_file, name=field_file.name)
    return (
        "Analyse antivirus en cours : ce fichier pourra être ouvert dès que l'antivirus l'aura "
        "trouvé sain, en général dans quelques instants."
    )


def unscanned_file_response(request, field_file):
    """A 403 page when the stored file may not be served now (see above), else None."""
    reason = stored_file_refusal(field_file)
    if reason is None:
        return None
    return render(request, "applications/file_unavailable.html", {"reason": reason}, status=403)
