"""Deadlines of instruction, from the texts, configurable per scheme (settings.INSTRUCTION_DEADLINES).

- first contact within a month of submission: PDL FAQ (« premier contact … dans le mois »), used for
  every scheme as a service commitment;
- answer to a complements request: the due date the agent sets (default 30 days);
- realisation and proofs: the cited parameters of the scheme's rule version
  (`realisation_months_after_award`, `realisation_months_after_start`, `proofs_months`: PDL FAQ 27,
  IDF « durée maximale d'un an »; the Hauts-de-France deliberation sets none), read through
  schemes.core.procedure; settings.INSTRUCTION_DEADLINES may override them per scheme.
"""

from datetime import date

from celery import shared_task
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from outbox.notifications import notify
from schemes.core import procedure
from schemes.selectors import rule_versions

DEFAULTS = {
    "first_contact_days": 30,
    "complements_days": 30,
    "realisation_months_after_award": None,
    "realisation_months_after_start": None,
    "proofs_months": None,
}


def deadline_settings(scheme_code: str, day: date | None = None) -> dict:
    """The scheme's deadlines: its rules' cited values, then the region's configuration."""
    configured = getattr(settings, "INSTRUCTION_DEADLINES", {}).get(scheme_code, {})
    version = procedure.version_for(
        scheme_code, day or timezone.localdate(), rule_versions(scheme_code=scheme_code)
    )
    rules = procedure.realisation_months(version) if version else {}
    return {**DEFAULTS, **rules, **configured}


def first_contact_due(scheme_code: str, submitted_on: date) -> date:
    return submitted_on + relativedelta(days=deadline_settings(scheme_code)["first_contact_days"])


def complements_due(scheme_code: str, today: date) -> date:
    return today + relativedelta(days=deadline_settings(scheme_code)["complements_days"])


def realisation_deadlines(
    scheme_code: str, *, decided_on: date, expense_start: date | None
) -> tuple[date | None, date | None]:
    """(end of realisation, end of the period to send the proofs) for an award decided on `decided_on`."""
    config = deadline_settings(scheme_code, decided_on)
    return procedure.months_deadlines(config, decided_on=decided_on, expense_start=expense_start)


def overdue_reason(review, dossier, today: date) -> str:
    """Why a dossier is late today, in French, or "" when it is not."""
    from applications.enums import DossierState as S

    if (
        dossier.state == S.SUBMITTED
        and review.first_contact_due_on
        and today > review.first_contact_due_on
    ):
        return f"Premier contact attendu avant le {review.first_contact_due_on:%d/%m/%Y}"
    if dossier.state == S.COMPLEMENTS_REQUESTED:
        request = (
            dossier.complement_requests.filter(answered_at__isnull=True)
            .order_by("-requested_at")
            .first()
        )
        if request and today > request.due_on:
            return f"Compléments attendus avant le {request.due_on:%d/%m/%Y}"
    if dossier.state == S.ACCEPTED and review.proofs_deadline and today > review.proofs_deadline:
        return f"Justificatifs attendus avant le {review.proofs_deadline:%d/%m/%Y} : caducité à examiner"
    return ""


def _reminder_recipients(dossier, review, kind: str) -> list[str]:
    """The agent for a first contact (the team when the dossier has none), else the members."""
    if kind == "first_contact":
        from instruction.selectors import team_emails

        return [review.agent.email] if review.agent else team_emails(dossier)
    return list(dossier.organisation.memberships.values_list("user__email", flat=True))


@shared_task(acks_late=True)
def flag_overdue_and_remind(today: str | None = None) -> int:
    """Daily: flag overdue dossiers in the queue and send each reminder once. Returns reminders sent."""
    from applications.enums import DossierState as S
    from applications.models import Dossier
    from instruction.models import Reminder, Review

    day = date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    watched = [
        S.SUBMITTED,
        S.IN_INSTRUCTION,
        S.COMPLEMENTS_REQUESTED,
        S.ADMISSIBLE,
        S.PROPOSED,
        S.ACCEPTED,
    ]
    dossiers = Dossier.objects.filter(state__in=watched).select_related(
        "review", "organisation", "review__agent", "scheme__region"
    )
    for dossier in dossiers.iterator(chunk_size=500):
        review, _ = Review.objects.get_or_create(dossier=dossier)
        reason = overdue_reason(review, dossier, day)
        if bool(reason) != bool(review.overdue_since) or reason != review.overdue_reason:
            review.overdue_since = (review.overdue_since or day) if reason else None
            review.overdue_reason = reason
            review.save(update_fields=["overdue_since", "overdue_reason"])
        if not reason:
            continue
        kind = {
            S.SUBMITTED: "first_contact",
            S.COMPLEMENTS_REQUESTED: "complements",
            S.ACCEPTED: "proofs",
        }.get(dossier.state, "other")
        try:
            with transaction.atomic():
                # The reminder row and its e-mail commit together: each reminder goes out once.
                Reminder.objects.create(dossier=dossier, kind=kind, due_on=review.overdue_since)
                if notify(
                    "deadline_reminder",
                    to=_reminder_recipients(dossier, review, kind),
                    context={
                        "dossier": dossier,
                        "reason": reason,
                        "url": settings.SITE_URL
                        + reverse(
                            "instruction:dossier"
                            if kind == "first_contact"
                            else "applications:detail",
                            args=[dossier.pk],
                        ),
                    },
                    region=dossier.scheme.region,
                    event="deadline_reminder" if kind == "first_contact" else None,
                ):
                    sent += 1
        except IntegrityError:
            continue  # already sent for this deadline
    return sent
