"""The submission e-mail, recorded in the outbox by the Celery task that made the receipt."""

import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from applications.models import Dossier, DossierDocument
from applications.receipt import fr_datetime, receipt_filename
from audit.models import AuditEvent
from audit.services import audit_record
from outbox.notifications import Attachment, notify, render_email

logger = logging.getLogger(__name__)

SUBMISSION_EMAIL_SENT = "submission_email_sent"


def submission_recipients(dossier: Dossier) -> list[str]:
    """Active members of the organisation, plus the submitter if no longer a member."""
    users = [m.user for m in dossier.organisation.memberships.select_related("user")]
    if dossier.submitted_by is not None and dossier.submitted_by not in users:
        users.append(dossier.submitted_by)
    emails = {user.email.strip().lower(): user.email for user in users if user.is_active}
    return sorted(emails.values(), key=str.lower)


def _already_sent_to(dossier: Dossier) -> set[str]:
    events = AuditEvent.objects.for_object(dossier).filter(action=SUBMISSION_EMAIL_SENT)
    return {str(event.data.get("to", "")).lower() for event in events}


def _context(dossier: Dossier) -> dict:
    return {
        "dossier": dossier,
        "result": dossier.result or {},
        "submitted_at": fr_datetime(dossier.submitted_at),
        "url": settings.SITE_URL + reverse("applications:detail", args=[dossier.pk]),
    }


def submission_email_body(dossier: Dossier) -> tuple[str, str]:
    """Plain-text and HTML bodies of the confirmation e-mail (templates/emails/dossier_submitted)."""
    email = render_email("dossier_submitted", _context(dossier), region=dossier.scheme.region)
    return email.text, email.html


def send_submission_email(dossier: Dossier, receipt: DossierDocument) -> int:
    """E-mail the confirmation and the receipt to each recipient once; returns how many were queued.

    One message per recipient (members do not see each other's addresses), each recorded by an
    audit row in the same transaction as its outbox row, so a retried task only sends to those not
    reached yet.
    """
    recipients = submission_recipients(dossier)
    done = _already_sent_to(dossier)
    pending = [email for email in recipients if email.lower() not in done]
    if not pending:
        return 0
    attachment = Attachment(
        filename=receipt_filename(dossier), mimetype="application/pdf", file=receipt.file
    )
    with transaction.atomic():
        # The outbox rows and the audit rows commit together: a retried task skips those reached.
        notify(
            "dossier_submitted",
            to=pending,
            context=_context(dossier),
            region=dossier.scheme.region,
            attachments=[attachment],
            separately=True,
        )
        for email in pending:
            audit_record(
                actor=None,
                action=SUBMISSION_EMAIL_SENT,
                obj=dossier,
                data={"to": email, "receipt": receipt.reference},
            )
    sent = len(pending)
    logger.info("Submission e-mail of dossier %s sent to %d recipient(s)", dossier.pk, sent)
    return sent
