"""E-mails about a dossier, sent from Celery tasks (never from a request)."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from applications.models import Dossier, DossierDocument
from applications.receipt import PORTAL_NAME, fr_datetime, receipt_filename
from audit.models import AuditEvent
from audit.services import audit_record
from schemes.templatetags.aides import euros

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


def _lines(dossier: Dossier) -> dict:
    result = dossier.result or {}
    if result.get("eligible"):
        estimate = (
            f"Aide estimée : {euros(result.get('award'))} pour une assiette éligible de "
            f"{euros(result.get('base'))} {dossier.expense_basis}."
        )
    else:
        estimate = (
            "D'après les informations déclarées, le dossier ne remplit pas les conditions "
            "d'éligibilité : aucune aide n'est estimée."
        )
    return {
        "number": dossier.number,
        "submitted_at": fr_datetime(dossier.submitted_at),
        "scheme": f"{dossier.scheme.name} ({dossier.scheme.code})",
        "organisation": dossier.organisation.name,
        "estimate": estimate,
        "url": settings.SITE_URL + reverse("applications:detail", args=[dossier.pk]),
    }


def submission_email_body(dossier: Dossier) -> tuple[str, str]:
    """Plain-text and HTML bodies of the confirmation e-mail."""
    d = _lines(dossier)
    notice = (
        "Cette estimation est calculée à partir des informations déclarées ; seule la décision "
        "de la Région fixe l'aide accordée."
    )
    facts = [
        ("Numéro du dossier", d["number"]),
        ("Déposé le", f"{d['submitted_at']} (heure de Paris)"),
        ("Organisation", d["organisation"]),
        ("Dispositif", d["scheme"]),
    ]
    text = "\n".join(
        [
            "Bonjour,",
            "",
            f"Le dossier {d['number']} a bien été déposé sur le portail {PORTAL_NAME}.",
            "",
            *(f"{label} : {value}" for label, value in facts),
            "",
            d["estimate"],
            notice,
            "",
            "Le récépissé de dépôt est joint à ce message (PDF) ; conservez-le.",
            "Le dossier va maintenant être instruit par les services de la Région.",
            "",
            f"Suivre le dossier : {d['url']}",
            "",
            f"— L'équipe {PORTAL_NAME}",
            "Ce message est envoyé automatiquement, merci de ne pas y répondre.",
        ]
    )
    html = format_html(
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"></head><body>'
        "<p>Bonjour,</p>"
        "<p>Le dossier <strong>{}</strong> a bien été déposé sur le portail {}.</p>"
        "<ul>{}</ul>"
        "<p>{}<br>{}</p>"
        "<p>Le récépissé de dépôt est joint à ce message (PDF)&nbsp;; conservez-le. "
        "Le dossier va maintenant être instruit par les services de la Région.</p>"
        '<p><a href="{}">Suivre le dossier {}</a></p>'
        "<p>— L'équipe {}<br><small>Ce message est envoyé automatiquement, merci de ne pas "
        "y répondre.</small></p>"
        "</body></html>",
        d["number"],
        PORTAL_NAME,
        format_html_join("", "<li>{}&nbsp;: {}</li>", facts),
        d["estimate"],
        notice,
        d["url"],
        d["number"],
        PORTAL_NAME,
    )
    return text, str(html)


def send_submission_email(dossier: Dossier, receipt: DossierDocument) -> int:
    """E-mail the confirmation and the receipt to each recipient once; returns how many were sent.

    One message per recipient (members do not see each other's addresses), each recorded by an
    audit row before moving on, so a retried task only sends to those not reached yet.
    """
    recipients = submission_recipients(dossier)
    done = _already_sent_to(dossier)
    pending = [email for email in recipients if email.lower() not in done]
    if not pending:
        return 0
    subject = f"[{PORTAL_NAME}] Dossier {dossier.number} déposé"
    text, html = submission_email_body(dossier)
    with receipt.file.open("rb") as handle:
        pdf = handle.read()
    sent = 0
    with get_connection() as connection:
        for email in pending:
            message = EmailMultiAlternatives(
                subject=subject, body=text, to=[email], connection=connection
            )
            message.attach_alternative(html, "text/html")
            message.attach(receipt_filename(dossier), pdf, "application/pdf")
            message.send()
            audit_record(
                actor=None,
                action=SUBMISSION_EMAIL_SENT,
                obj=dossier,
                data={"to": email, "receipt": receipt.reference},
            )
            sent += 1
    logger.info("Submission e-mail of dossier %s sent to %d recipient(s)", dossier.pk, sent)
    return sent
