"""IDF-CN2: favourable proposals go to a session of the commission permanente, which votes them."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.enums import Role
from applications.models import Dossier
from applications.workflow import TransitionError, apply_transition
from audit.services import audit_record
from instruction.enums import Vote
from instruction.models import AgendaItem, CommissionSession
from instruction.services import (
    award_dossier,
    commission_schemes,
    refuse_dossier,
    require_agent,
    review_of,
)


def session_create(*, user, region, number: str, date) -> CommissionSession:
    if not (
        user.has_role(Role.ADMIN)
        or user.role_assignments.filter(role=Role.AGENT, region=region).exists()
    ):
        raise PermissionDenied("Seuls les instructeurs de la Région créent ses séances.")
    try:
        with transaction.atomic():
            session = CommissionSession.objects.create(
                region=region, number=number.strip(), date=date, created_by=user
            )
    except IntegrityError as exc:
        raise ValidationError(f"La séance n° {number} existe déjà.") from exc
    audit_record(actor=user, action="commission_session_create", obj=session)
    return session


@transaction.atomic
def dossier_schedule(*, user, dossier: Dossier, session: CommissionSession) -> AgendaItem:
    """Put a favourable IDF-CN2 proposal on the agenda of a session."""
    require_agent(user, dossier)
    if dossier.scheme.code not in commission_schemes():
        raise TransitionError("Ce dispositif n'est pas voté en commission permanente.")
    if session.region_id != dossier.scheme.region_id:
        raise TransitionError("Cette séance est celle d'une autre Région.")
    if not review_of(dossier).proposal_favourable:
        raise TransitionError(
            "Seules les propositions favorables sont inscrites en commission permanente."
        )
    if session.date < timezone.localdate():
        raise TransitionError("Cette séance est passée.")
    apply_transition(dossier=dossier, name="schedule", actor=user, comment=str(session))
    return AgendaItem.objects.create(session=session, dossier=dossier)


@transaction.atomic
def dossier_unschedule(*, user, item: AgendaItem, reason: str = "") -> Dossier:
    """Take a dossier off a session's agenda before the vote: it goes back to « proposé »."""
    dossier = item.dossier
    require_agent(user, dossier)
    if item.vote != Vote.PENDING:
        raise TransitionError("Le vote de ce dossier est enregistré : il reste à l'ordre du jour.")
    dossier = apply_transition(
        dossier=dossier,
        name="unschedule",
        actor=user,
        comment=reason or f"Retiré de l'ordre du jour de la {item.session}",
    )
    item.delete()
    return dossier


MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def fr_long_date(day: date) -> str:
    """date(2026, 12, 1) -> « 1er décembre 2026 »."""
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]} {day.year}"


def vote_refusal(*, session_date: date, today: date) -> str:
    """Why a vote cannot be recorded `today` for a session held on `session_date` ("" if it can).

    The commission votes during its session: nothing is voted before the session's date.
    """
    if today < session_date:
        return (
            f"Le vote ne peut être enregistré qu'à partir du {fr_long_date(session_date)}, "
            "date de la séance."
        )
    return ""


@transaction.atomic
def vote_record(
    *,
    user,
    item: AgendaItem,
    vote: str,
    deliberation_number: str = "",
    today: date | None = None,
) -> Dossier:
    """Record the commission's vote for one dossier; only then is it accepted (or refused) and notified.

    `today` is the day the vote is recorded (the current day unless given).
    """
    dossier = item.dossier
    require_agent(user, dossier)
    if item.vote != Vote.PENDING:
        raise TransitionError("Le vote de ce dossier est déjà enregistré.")
    today = today or timezone.localdate()
    refusal = vote_refusal(session_date=item.session.date, today=today)
    if refusal:
        raise TransitionError(refusal)
    if vote not in (Vote.FOR, Vote.AGAINST):
        raise ValidationError("Choisissez « favorable » ou « défavorable ».")
    item.vote, item.deliberation_number = vote, deliberation_number.strip()
    item.recorded_by, item.recorded_at = user, timezone.now()
    item.save()
    if vote == Vote.FOR:
        return award_dossier(
            dossier,
            actor=user,
            today=today,
            transition="vote_for",
            comment=f"{item.session} — délibération {item.deliberation_number}".strip(" —"),
        )
    return refuse_dossier(
        dossier,
        actor=user,
        transition="vote_against",
        motivation=f"La commission permanente du {item.session.date:%d/%m/%Y} (séance n° {item.session.number}) a émis un avis défavorable.",
    )


def bulk(action, dossiers, **kwargs) -> list[tuple[Dossier, bool, str]]:
    """Apply the same per-dossier service to each dossier; report success or the reason of failure."""
    report = []
    for dossier in dossiers:
        try:
            action(dossier=dossier, **kwargs)
        except (TransitionError, ValidationError, PermissionDenied) as exc:
            message = getattr(exc, "message", None) or " ".join(
                getattr(exc, "messages", [str(exc)])
            )
            report.append((dossier, False, message))
        else:
            report.append((dossier, True, "Fait."))
    return report
