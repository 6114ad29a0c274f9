"""The agents' daily digest: their late dossiers, the deadlines of the coming days (the dates
instruction.deadlines already computed and stored on each review) and the dossiers of their scope
nobody has taken yet. Sent at 7:00, after the overdue flags of 6:30; once per agent and day."""

from dataclasses import dataclass
from datetime import date, timedelta

from celery import shared_task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import User
from applications.enums import DossierState as S
from applications.models import Dossier
from instruction import deadlines
from instruction.models import AgentDigest, ComplementRequest
from instruction.selectors import dossiers_for_agent
from outbox.notifications import notify

HORIZON_DAYS = 7
OPEN_STATES = [
    S.SUBMITTED,
    S.IN_INSTRUCTION,
    S.COMPLEMENTS_REQUESTED,
    S.ADMISSIBLE,
    S.PROPOSED,
    S.ACCEPTED,
    S.ADVANCE_PAID,
]


@dataclass(frozen=True)
class Line:
    number: str
    organisation: str
    what: str
    url: str


def _url(dossier: Dossier) -> str:
    return settings.SITE_URL + reverse("instruction:dossier", args=[dossier.pk])


def _next_deadline(dossier: Dossier, today: date) -> tuple[date, str] | None:
    """The dossier's next deadline within the horizon, with what it is, or None."""
    review = dossier.review
    end = today + timedelta(days=HORIZON_DAYS)
    if (
        dossier.state in (S.SUBMITTED, S.IN_INSTRUCTION)
        and review.first_contact_on is None
        and review.first_contact_due_on
        and today <= review.first_contact_due_on <= end
    ):
        return review.first_contact_due_on, "Premier contact avant le"
    if dossier.state == S.COMPLEMENTS_REQUESTED:
        requests = [r for r in dossier.complement_requests.all() if r.answered_at is None]
        due = min((r.due_on for r in requests), default=None)
        if due and today <= due <= end:
            return due, "Compléments attendus du demandeur avant le"
    if (
        dossier.state in (S.ACCEPTED, S.ADVANCE_PAID)
        and review.proofs_deadline
        and today <= review.proofs_deadline <= end
    ):
        return review.proofs_deadline, "Justificatifs attendus avant le"
    return None


def digest_for(agent, today: date) -> dict:
    """What the digest of `agent` says on `today` (empty lists when nothing needs them)."""
    scope = dossiers_for_agent(agent)
    mine = (
        scope.filter(review__agent=agent, state__in=OPEN_STATES)
        .select_related("review", "organisation")
        .prefetch_related(
            Prefetch(
                "complement_requests",
                queryset=ComplementRequest.objects.filter(answered_at__isnull=True),
            )
        )
        .order_by("number")
    )
    late, coming = [], []
    for dossier in mine:
        reason = deadlines.overdue_reason(dossier.review, dossier, today)
        if reason:
            late.append(Line(dossier.number, dossier.organisation.name, reason, _url(dossier)))
            continue
        upcoming = _next_deadline(dossier, today)
        if upcoming:
            day, label = upcoming
            coming.append(
                (
                    day,
                    Line(
                        dossier.number,
                        dossier.organisation.name,
                        f"{label} {day:%d/%m/%Y}",
                        _url(dossier),
                    ),
                )
            )
    coming.sort(key=lambda pair: (pair[0], pair[1].number))
    unassigned = scope.filter(state=S.SUBMITTED, review__agent__isnull=True).count()
    return {
        "late": late,
        "coming": [line for _, line in coming],
        "unassigned": unassigned,
        "today": today,
        "horizon": HORIZON_DAYS,
        "queue_url": settings.SITE_URL + reverse("instruction:queue"),
    }


def _region_of(agent):
    """The agent's region when they work for one (the digest is signed with it)."""
    regions = {
        a.region for a in agent.role_assignments.select_related("region") if a.role == Role.AGENT
    }
    return regions.pop() if len(regions) == 1 else None


def _agents():
    return (
        User.objects.filter(role_assignments__role=Role.AGENT, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


@shared_task(acks_late=True)
def send_agent_digests(today: str | None = None) -> int:
    """Daily: e-mail each agent their digest when it has something to say. Returns how many."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    sent = 0
    for agent in _agents():
        context = digest_for(agent, day)
        if not (context["late"] or context["coming"] or context["unassigned"]):
            continue
        try:
            with transaction.atomic():
                AgentDigest.objects.create(agent=agent, day=day)
                if notify(
                    "agent_digest",
                    to=[agent.email],
                    context={**context, "name": agent.get_full_name() or agent.email},
                    region=_region_of(agent),
                    event="agent_digest",
                ):
                    sent += 1
        except IntegrityError:
            continue  # already sent today
    return sent
