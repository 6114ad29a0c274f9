"""Side effects of instruction decisions, run by Celery after the transaction commits.

The lead's services queue `generate_document` with `transaction.on_commit` after
declare_admissible (acknowledgment), accept / vote_for (award), reject / vote_against (rejection).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils.html import format_html

from applications.models import Dossier, DossierDocument
from applications.notifications import submission_recipients
from applications.receipt import PORTAL_NAME
from audit.models import AuditEvent
from audit.services import audit_record

logger = logging.getLogger(__name__)

DOCUMENT_NOTIFIED = "document_notified"


def _already_notified(dossier: Dossier, document: DossierDocument) -> set[str]:
    events = AuditEvent.objects.for_object(dossier).filter(action=DOCUMENT_NOTIFIED)
    return {
        str(event.data.get("to", "")).lower()
        for event in events
        if event.data.get("reference") == document.reference
    }


def document_email_body(dossier: Dossier, document: DossierDocument) -> tuple[str, str, str]:
    """Subject, plain-text and HTML bodies of the e-mail announcing an official document."""
    label = document.get_kind_display()
    url = settings.SITE_URL + reverse("applications:detail", args=[dossier.pk])
    subject = f"[{PORTAL_NAME}] {label} — dossier {dossier.number}"
    text = "\n".join(
        [
            "Bonjour,",
            "",
            f"Un document officiel est disponible pour le dossier {dossier.number} "
            f"({dossier.scheme.name}) : {label.lower()}, référence {document.reference}.",
            "",
            "Il est joint à ce message (PDF) ; conservez-le. Vous pouvez aussi le télécharger "
            "depuis la page du dossier :",
            url,
            "",
            f"— L'équipe {PORTAL_NAME}",
            "Ce message est envoyé automatiquement, merci de ne pas y répondre.",
        ]
    )
    html = format_html(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        "<p>Bonjour,</p>"
        "<p>Un document officiel est disponible pour le dossier <strong>{}</strong> ({})&nbsp;: "
        "{}, référence {}.</p>"
        "<p>Il est joint à ce message (PDF)&nbsp;; conservez-le. Vous pouvez aussi le "
        'télécharger depuis <a href="{}">la page du dossier {}</a>.</p>'
        "<p>— L'équipe {}<br><small>Ce message est envoyé automatiquement, merci de ne pas "
        "y répondre.</small></p></body></html>",
        dossier.number,
        dossier.scheme.name,
        label.lower(),
        document.reference,
        url,
        dossier.number,
        PORTAL_NAME,
    )
    return subject, text, str(html)


def send_document_email(dossier: Dossier, document: DossierDocument) -> int:
    """E-mail the document to each member once (an audit row per recipient); returns the count."""
    from instruction.documents import document_filename

    done = _already_notified(dossier, document)
    pending = [email for email in submission_recipients(dossier) if email.lower() not in done]
    if not pending:
        return 0
    subject, text, html = document_email_body(dossier, document)
    with document.file.open("rb") as handle:
        pdf = handle.read()
    extra = []
    if document.kind == DossierDocument.Kind.AWARD:
        from instruction.signals import award_attachments

        for _receiver, attachments in award_attachments.send(sender=Dossier, dossier=dossier):
            extra.extend(attachments or [])
    sent = 0
    with get_connection() as connection:
        for email in pending:
            message = EmailMultiAlternatives(
                subject=subject, body=text, to=[email], connection=connection
            )
            message.attach_alternative(html, "text/html")
            message.attach(document_filename(document), pdf, "application/pdf")
            for name, content, mimetype in extra:
                message.attach(name, content, mimetype)
            message.send()
            audit_record(
                actor=None,
                action=DOCUMENT_NOTIFIED,
                obj=dossier,
                data={"to": email, "reference": document.reference, "kind": document.kind},
            )
            sent += 1
    logger.info("Document %s e-mailed to %d recipient(s)", document.reference, sent)
    return sent


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
