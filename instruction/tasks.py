"""Side effects of instruction decisions, run by Celery after the transaction commits.

The lead's services queue `generate_document` with `transaction.on_commit` after
declare_admissible (acknowledgment), accept / vote_for (award), reject / vote_against (rejection).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from applications.models import Dossier, DossierDocument
from applications.notifications import submission_recipients
from audit.models import AuditEvent
from audit.services import audit_record
from outbox.notifications import Attachment, notify, render_email

logger = logging.getLogger(__name__)

DOCUMENT_NOTIFIED = "document_notified"


def _already_notified(dossier: Dossier, document: DossierDocument) -> set[str]:
    events = AuditEvent.objects.for_object(dossier).filter(action=DOCUMENT_NOTIFIED)
    return {
        str(event.data.get("to", "")).lower()
        for event in events
        if event.data.get("reference") == document.reference
    }


def _context(dossier: Dossier, document: DossierDocument) -> dict:
    return {
        "dossier": dossier,
        "document": document,
        "label": document.get_kind_display(),
        "url": settings.SITE_URL + reverse("applications:detail", args=[dossier.pk]),
    }


def document_email_body(dossier: Dossier, document: DossierDocument) -> tuple[str, str, str]:
    """Subject, plain-text and HTML bodies of the e-mail announcing an official document."""
    email = render_email(
        "document_issued", _context(dossier, document), region=dossier.scheme.region
    )
    return email.subject, email.text, email.html


def send_document_email(dossier: Dossier, document: DossierDocument) -> int:
    """E-mail the document to each member once (an audit row per recipient); returns the count."""
    from instruction.documents import document_filename

    done = _already_notified(dossier, document)
    pending = [email for email in submission_recipients(dossier) if email.lower() not in done]
    if not pending:
        return 0
    attachments = [
        Attachment(
            filename=document_filename(document), mimetype="application/pdf", file=document.file
        )
    ]
    if document.kind == DossierDocument.Kind.AWARD:
        from instruction.signals import award_attachments

        for _receiver, extra in award_attachments.send(sender=Dossier, dossier=dossier):
            attachments.extend(
                Attachment(filename=name, mimetype=mimetype, content=content)
                for name, content, mimetype in extra or []
            )
    with transaction.atomic():
        # The outbox rows and the audit rows commit together: a retried task skips those reached.
        notify(
            "document_issued",
            to=pending,
            context=_context(dossier, document),
            region=dossier.scheme.region,
            attachments=attachments,
            separately=True,
        )
        for email in pending:
            audit_record(
                actor=None,
                action=DOCUMENT_NOTIFIED,
                obj=dossier,
                data={"to": email, "reference": document.reference, "kind": document.kind},
            )
    logger.info("Document %s e-mailed to %d recipient(s)", document.reference, len(pending))
    return len(pending)


@shared_task(
    bind=True, acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=6
)
def generate_document(self, dossier_id: int, kind: str) -> str | None:
    """Generate the official document of `kind` (idempotent) and e-mail it to the members."""
    from instruction.documents import DocumentNotApplicable, ensure_document

    dossier = Dossier.objects.select_related("scheme__region", "organisation", "rule_version").get(
        pk=dossier_id
    )
    try:
        document = ensure_document(dossier, kind)
    except DocumentNotApplicable as exc:  # a missing decision does not appear by retrying
        logger.error("No %s for dossier %s: %s", kind, dossier_id, exc)
        return None
    send_document_email(dossier, document)
    return document.reference


@shared_task(acks_late=True)
def run_batch(job_id: int) -> int:
    """A batch operation of the queue (instruction.batch): every pending dossier, in order."""
    from instruction.batch import batch_run

    return batch_run(job_id=job_id)


# The bulk messages' job lives with its service; imported here so Celery registers it.
from instruction.bulk_messages import bulk_message_send  # noqa: E402,F401
from instruction.digest import send_agent_digests  # noqa: E402,F401
