"""Instruction transitions, one function each: permission check, transition, audit, side effects."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from applications.enums import INSTRUCTION_ENDED_STATES, PAYMENT_REQUEST_FINAL_STATES
from applications.enums import DossierState as S
from applications.models import Dossier, DossierDocument
from applications.workflow import TransitionError, apply_transition
from audit.services import audit_record
from instruction import budget, deadlines
from instruction.models import ComplementRequest, Review
from instruction.permissions import can_instruct
from instruction.selectors import instructors_emails
from organisations.conflicts import Action, check_conflict
from outbox.notifications import notify
from outbox.services import enqueue
from schemes import core
from schemes.core import procedure
from schemes.selectors import rule_versions
from schemes.templatetags.aides import euros


def commission_schemes() -> frozenset[str]:
    """Schemes whose awards the commission permanente votes (a cited rule of the core)."""
    return procedure.commission_schemes(rule_versions())


class ConflictError(Exception):
    """Someone else changed the dossier since the page was loaded."""

    message = (
        "Un autre instructeur a modifié ce dossier pendant que vous le consultiez. "
        "Vos saisies sont conservées ci-dessous : vérifiez la version à jour puis enregistrez à nouveau."
    )


def require_agent(user, dossier: Dossier) -> None:
    allowed, why = can_instruct(user, dossier)
    if not allowed:
        raise PermissionDenied(why)
    # Separation of duties: never instruct the dossier of one's own organisation.
    check_conflict(user, Action.INSTRUCT, dossier)


def claim_version(dossier: Dossier, expected: int | None) -> None:
    """Optimistic lock: bump the dossier's version if it is still `expected`, else ConflictError."""
    if expected is None:
        return
    if not Dossier.objects.filter(pk=dossier.pk, lock_version=expected).update(
        lock_version=F("lock_version") + 1
    ):
        raise ConflictError()
    dossier.lock_version = expected + 1


def review_of(dossier: Dossier) -> Review:
    """The dossier's review, created on the first change an agent makes."""
    review, _ = Review.objects.get_or_create(dossier=dossier)
    return review


def review_shown(dossier: Dossier) -> Review:
    """The dossier's review to display: a blank, unsaved one until an agent acts.

    Opening a dossier writes no review: the queue's cached counters (which a review change
    invalidates) survive agents reading the dossiers "à prendre".
    """
    try:
        return dossier.review
    except Review.DoesNotExist:
        return Review(dossier=dossier)


def _members(dossier: Dossier) -> list[str]:
    return list(dossier.organisation.memberships.values_list("user__email", flat=True))


def _dossier_url(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("applications:detail", args=[dossier.pk])


def _agent_url(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("instruction:dossier", args=[dossier.pk])


def _notify_applicant(dossier: Dossier, template: str, **context) -> None:
    """E-mail the members of the dossier's organisation (templates/emails/<template>)."""
    notify(
        template,
        to=_members(dossier),
        context={"dossier": dossier, "url": _dossier_url(dossier), **context},
        region=dossier.scheme.region,
    )


def _queue_document(dossier: Dossier, kind: str) -> None:
    from instruction.tasks import generate_document

    enqueue(generate_document, dossier_id=dossier.pk, kind=kind)


@transaction.atomic
def dossier_take(*, user, dossier: Dossier, agent=None) -> Dossier:
    """An agent takes a submitted dossier (for themself, or assigns it to `agent`)."""
    require_agent(user, dossier)
    agent = agent or user
    if agent != user:
        require_agent(agent, dossier)
    dossier = apply_transition(dossier=dossier, name="take", actor=user)
    review = review_of(dossier)
    review.agent, review.taken_at = agent, timezone.now()
    review.first_contact_due_on = review.first_contact_due_on or deadlines.first_contact_due(
        dossier.scheme.code, timezone.localdate(dossier.submitted_at)
    )
    review.save()
    return dossier


@transaction.atomic
def dossier_assign(*, user, dossier: Dossier, agent) -> Dossier:
    """Give a dossier to an agent: takes it if still to take, otherwise hands it over."""
    require_agent(user, dossier)
    require_agent(agent, dossier)
    if dossier.state == S.SUBMITTED:
        return dossier_take(user=user, dossier=dossier, agent=agent)
    if dossier.state in (*INSTRUCTION_ENDED_STATES, S.DRAFT):
        raise TransitionError("Un dossier décidé ou en brouillon ne se réattribue pas.")
    review = review_of(dossier)
    before = review.agent
    review.agent = agent
    review.save(update_fields=["agent"])
    audit_record(
        actor=user,
        action="dossier_assign",
        obj=dossier,
        data={"from": str(before or ""), "to": str(agent)},
    )
    return dossier


@transaction.atomic
def complements_request(*, user, dossier: Dossier, items: str, due_on: date) -> ComplementRequest:
    require_agent(user, dossier)
    if not items.strip():
        raise ValidationError("Listez les éléments attendus du demandeur.")
    if due_on <= timezone.localdate():
        raise ValidationError("La date limite de réponse doit être dans le futur.")
    dossier = apply_transition(
        dossier=dossier, name="request_complements", actor=user, comment=items
    )
    request = ComplementRequest.objects.create(
        dossier=dossier, items=items, due_on=due_on, requested_by=user
    )
    review = review_of(dossier)
    review.first_contact_on = review.first_contact_on or timezone.localdate()
    review.save(update_fields=["first_contact_on"])
    _notify_applicant(dossier, "complements_requested", due_on=due_on, items=request.item_list())
    return request


@transaction.atomic
def complements_answer(*, user, dossier: Dossier, answer: str) -> Dossier:
    """The applicant answers the open complements request and sends the dossier back."""
    if not dossier.organisation.memberships.filter(user=user).exists():
        raise PermissionDenied("Seuls les membres de l'organisation peuvent répondre.")
    if not answer.strip():
        raise ValidationError(
            "Écrivez votre réponse (vous pouvez aussi joindre des pièces au dossier)."
        )
    request = (
        dossier.complement_requests.filter(answered_at__isnull=True)
        .order_by("-requested_at")
        .first()
    )
    dossier = apply_transition(
        dossier=dossier, name="answer_complements", actor=user, comment=answer
    )
    if request:
        request.answer, request.answered_at, request.answered_by = answer, timezone.now(), user
        request.save(update_fields=["answer", "answered_at", "answered_by"])
    notify(
        "complements_received",
        to=instructors_emails(dossier),  # its agent, else the team
        context={"dossier": dossier, "answer": answer, "url": _agent_url(dossier)},
        region=dossier.scheme.region,
        event="complements_received",
    )
    return dossier


@transaction.atomic
def dossier_declare_admissible(*, user, dossier: Dossier, on: date | None = None) -> Dossier:
    """The acknowledgment of receipt: the dossier is complete; expenses count from its date (PDL FAQ Q15)."""
    require_agent(user, dossier)
    on = on or timezone.localdate()
    dossier = apply_transition(
        dossier=dossier, name="declare_admissible", actor=user, fields={"acknowledged_on": on}
    )
    _queue_document(dossier, DossierDocument.Kind.ACKNOWLEDGMENT)
    return dossier


@transaction.atomic
def dossier_propose(
    *, user, dossier: Dossier, favourable: bool, comment: str, award: Decimal | None = None
) -> Dossier:
    """Propose a decision on the award the rules engine computes from what the agent retained.

    `award` may only lower it (a test or a demo setting up a given amount); above the engine's
    amount it is refused: the proposal never trusts an amount computed elsewhere."""
    from instruction.review import review_estimate

    require_agent(user, dossier)
    try:
        computed = Decimal(str(review_estimate(dossier).get("award") or "0"))
    except core.InputError as exc:  # data the rules cannot read: a French message, not a 500
        raise ValidationError(exc.message) from exc
    if award is None:
        award = computed
    elif award > computed:
        raise ValidationError(
            f"L'aide proposée ({euros(award)}) dépasse l'aide calculée par les règles du "
            f"dispositif ({euros(computed)}) : vérifiez les dépenses retenues."
        )
    if favourable and award <= 0:
        raise ValidationError(
            "Une proposition favorable doit porter sur une aide positive : vérifiez les dépenses retenues."
        )
    if not comment.strip():
        raise ValidationError("Motivez la proposition.")
    review = review_of(dossier)
    review.proposed_award = award if favourable else Decimal("0")
    review.proposal_favourable = favourable
    review.proposal_comment = comment
    review.save(update_fields=["proposed_award", "proposal_favourable", "proposal_comment"])
    return apply_transition(dossier=dossier, name="propose", actor=user, comment=comment)


def project_start(dossier: Dossier, *, decided_on: date) -> date:
    """When the project's expenses start: the first signed quote, else the decision, never before
    the date from which the scheme counts expenses (IDF-CN2: expenses over one year at most, from
    their start; a fixed date such as 12/03/2020 is only the earliest possible start)."""
    from instruction.documents import expense_start_date

    quotes = [line.quote_date for line in dossier.expenses.all() if line.quote_date]
    start = min(quotes) if quotes else decided_on
    earliest = expense_start_date(dossier)
    return max(start, earliest) if earliest else start


def award_dossier(
    dossier: Dossier, *, actor, transition: str, comment: str = "", today: date | None = None
) -> Dossier:
    """Award inside the caller's transaction: the envelope row stays locked until it commits.

    `today` is the decision day (the commission's vote passes the day it is recorded)."""
    check_conflict(actor, Action.AWARD, dossier)
    review = review_of(dossier)
    today = today or timezone.localdate()
    # Lock the envelope, then re-check what is committed: concurrent awards queue here.
    refusal = budget.envelope_refusal(
        scheme=dossier.scheme,
        year=today.year,
        amount=review.proposed_award or Decimal("0"),
        lock=True,
    )
    if refusal:
        raise TransitionError(refusal)
    end, proofs = deadlines.realisation_deadlines(
        dossier.scheme.code,
        decided_on=today,
        expense_start=project_start(dossier, decided_on=today),
    )
    dossier = apply_transition(
        dossier=dossier,
        name=transition,
        actor=actor,
        comment=comment,
        fields={"awarded_amount": review.proposed_award},
    )
    review.decided_at, review.realisation_deadline, review.proofs_deadline = (
        timezone.now(),
        end,
        proofs,
    )
    review.save(update_fields=["decided_at", "realisation_deadline", "proofs_deadline"])
    _queue_document(dossier, DossierDocument.Kind.AWARD)
    return dossier


def refuse_dossier(dossier: Dossier, *, actor, transition: str, motivation: str) -> Dossier:
    if not motivation.strip():
        raise ValidationError(
            "La motivation du refus est obligatoire : elle figure dans la lettre au demandeur."
        )
    dossier = apply_transition(dossier=dossier, name=transition, actor=actor, comment=motivation)
    review = review_of(dossier)
    review.decision_motivation, review.decided_at = motivation, timezone.now()
    review.save(update_fields=["decision_motivation", "decided_at"])
    _queue_document(dossier, DossierDocument.Kind.REJECTION)
    return dossier


@transaction.atomic
def dossier_accept(*, user, dossier: Dossier, comment: str = "") -> Dossier:
    require_agent(user, dossier)
    if dossier.scheme.code in commission_schemes():
        raise TransitionError(
            "Ce dispositif est voté en commission permanente : inscrivez le dossier à une séance."
        )
    review = review_of(dossier)
    if not review.proposal_favourable:
        raise TransitionError(
            "La proposition est défavorable : refusez le dossier ou retirez la proposition."
        )
    return award_dossier(dossier, actor=user, transition="accept", comment=comment)


@transaction.atomic
def dossier_reject(*, user, dossier: Dossier, motivation: str) -> Dossier:
    require_agent(user, dossier)
    return refuse_dossier(dossier, actor=user, transition="reject", motivation=motivation)


@transaction.atomic
def dossier_abandon(*, user, dossier: Dossier, reason: str) -> Dossier:
    require_agent(user, dossier)
    if not reason.strip():
        raise ValidationError("Indiquez pourquoi le dossier est classé sans suite.")
    dossier = apply_transition(dossier=dossier, name="abandon", actor=user, comment=reason)
    _notify_applicant(dossier, "dossier_abandoned", reason=reason)
    return dossier


@transaction.atomic
def dossier_withdraw_proposal(*, user, dossier: Dossier, reason: str) -> Dossier:
    require_agent(user, dossier)
    if not reason.strip():
        raise ValidationError("Indiquez pourquoi la proposition est retirée.")
    return apply_transition(dossier=dossier, name="withdraw_proposal", actor=user, comment=reason)


@transaction.atomic
def dossier_reopen(*, user, dossier: Dossier, reason: str) -> Dossier:
    """Reopen a decided dossier: explicit, motivated, audited; its acts are superseded."""
    require_agent(user, dossier)
    if not reason.strip():
        raise ValidationError("La réouverture doit être motivée.")

    def no_payment_under_way(locked: Dossier) -> None:
        if locked.payment_requests.exclude(state__in=PAYMENT_REQUEST_FINAL_STATES).exists():
            raise TransitionError(
                "Une demande de paiement est en cours sur ce dossier : "
                "il ne peut pas être rouvert tant qu'elle n'est pas payée ou refusée."
            )

    try:
        with transaction.atomic():
            dossier = apply_transition(
                dossier=dossier,
                name="reopen",
                actor=user,
                comment=reason,
                fields={"awarded_amount": None},
                check=no_payment_under_way,
            )
    except IntegrityError as exc:
        raise TransitionError(
            "L'organisation a déjà un autre dossier en cours pour ce dispositif : réouverture impossible."
        ) from exc
    dossier.documents.filter(
        kind__in=DossierDocument.DECISION_KINDS,
        superseded_at__isnull=True,
    ).update(superseded_at=timezone.now())
    Review.objects.filter(dossier=dossier).update(
        decided_at=None, decision_motivation="", realisation_deadline=None, proofs_deadline=None
    )
    return dossier
