"""Messages to many applicants at once, targeted by the state of their dossier.

An agent picks an audience (drafts missing a piece, drafts without bank details, awards without a
payment request before the proofs deadline…), sees how many dossiers and people it reaches, writes
the message; a Celery job then writes it into each dossier's thread (instruction.Message, as if
written on the dossier's page) and e-mails the members through the outbox's throttled task.
Audiences are computed inside the agent's scope (region and schemes) when the job runs.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from applications.completeness import missing_items
from applications.enums import DossierState as S
from applications.models import Dossier
from audit.services import audit_record
from instruction.models import BulkMessage, BulkMessageRecipient, Message
from instruction.selectors import dossiers_for_agent
from instruction.services import require_agent
from organisations.models import Membership
from outbox.notifications import notify
from outbox.services import enqueue

logger = logging.getLogger(__name__)

MAX_BODY = 5000


@dataclass(frozen=True)
class Audience:
    """Who a bulk message is for: `select(dossiers, today)` narrows the agent's dossiers."""

    code: str
    label: str
    select: Callable[[QuerySet, date], Iterable[Dossier]]


AUDIENCES: dict[str, Audience] = {}


def register_audience(audience: Audience) -> None:
    """Add an audience (higher apps add theirs from their AppConfig.ready, e.g. payments)."""
    AUDIENCES[audience.code] = audience


def _drafts_missing_a_piece(dossiers: QuerySet, today: date) -> Iterable[Dossier]:
    drafts = dossiers.filter(state=S.DRAFT).select_related("scheme", "organisation")
    for dossier in drafts.prefetch_related("attachments").iterator(chunk_size=200):
        if any(item.step == "pieces" for item in missing_items(dossier)):
            yield dossier


def _drafts_without_bank_details(dossiers: QuerySet, today: date) -> QuerySet:
    return dossiers.filter(state=S.DRAFT).filter(Q(iban="") | Q(bic="") | Q(account_holder=""))


register_audience(
    Audience(
        "drafts_missing_piece",
        "Brouillons auxquels il manque une pièce justificative",
        _drafts_missing_a_piece,
    )
)
register_audience(
    Audience(
        "drafts_missing_bank_details",
        "Brouillons sans coordonnées bancaires complètes",
        _drafts_without_bank_details,
    )
)


def audience_choices() -> list[tuple[str, str]]:
    return [(audience.code, audience.label) for audience in AUDIENCES.values()]


def _require_agent(user) -> None:
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("Les messages groupés sont réservés aux instructeurs de la Région.")


def audience_dossiers(user, code: str, *, today: date | None = None) -> list[Dossier]:
    """The dossiers of the audience `code` in the user's scope, by number."""
    _require_agent(user)
    if code not in AUDIENCES:
        raise ValidationError("Choisissez les destinataires.")
    scoped = dossiers_for_agent(user).order_by("number", "pk")
    return list(AUDIENCES[code].select(scoped, today or timezone.localdate()))


def _member_emails(dossier_ids: list[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = {}
    rows = (
        Membership.objects.filter(organisation__dossiers__pk__in=dossier_ids, user__is_active=True)
        .exclude(user__email="")
        .values_list("organisation__dossiers__pk", "user__email")
    )
    for dossier_id, email in rows:
        emails.setdefault(dossier_id, []).append(email)
    return emails


def audience_preview(user, code: str, *, today: date | None = None) -> dict:
    """How many dossiers and people the audience reaches now (the job recomputes it)."""
    dossiers = audience_dossiers(user, code, today=today)
    emails = _member_emails([d.pk for d in dossiers])
    people = {email.lower() for addresses in emails.values() for email in addresses}
    return {"dossiers": len(dossiers), "people": len(people), "sample": dossiers[:10]}


@transaction.atomic
def bulk_message_create(*, user, audience: str, body: str, token) -> BulkMessage:
    """Record the message and queue its job (after the commit). The form's token makes a second
    click (or a resent form) find the first message instead of sending twice."""
    _require_agent(user)
    if audience not in AUDIENCES:
        raise ValidationError("Choisissez les destinataires.")
    body = body.strip()
    if not body:
        raise ValidationError("Le message est vide.")
    if len(body) > MAX_BODY:
        raise ValidationError(f"Le message dépasse {MAX_BODY} caractères.")
    existing = BulkMessage.objects.filter(token=token).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            bulk = BulkMessage.objects.create(
                token=token, author=user, audience=audience, body=body
            )
    except IntegrityError:  # the same form, posted twice at once
        return BulkMessage.objects.get(token=token)
    audit_record(
        actor=user,
        action="bulk_message_create",
        obj=bulk,
        data={"audience": audience},
    )
    enqueue(bulk_message_send, bulk_id=bulk.pk)
    return bulk


def _send_one(bulk: BulkMessage, dossier: Dossier, emails: list[str]) -> bool:
    """Write the message in the dossier's thread and e-mail its members, once."""
    with transaction.atomic():
        if BulkMessageRecipient.objects.filter(bulk=bulk, dossier=dossier).exists():
            return False
        message = Message.objects.create(
            dossier=dossier, author=bulk.author, from_region=True, body=bulk.body
        )
        BulkMessageRecipient.objects.create(bulk=bulk, dossier=dossier, message=message)
        audit_record(
            actor=bulk.author,
            action="bulk_message_post",
            obj=message,
            data={"bulk": bulk.pk, "dossier": dossier.number},
        )
        notify(
            "dossier_message",
            to=emails,
            context={
                "dossier": dossier,
                "body": bulk.body,
                "url": settings.SITE_URL + reverse("applications:detail", args=[dossier.pk]),
            },
            region=dossier.scheme.region,
            bulk=True,
        )
    return True


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True)
def bulk_message_send(self, bulk_id: int) -> int:
    """The job: reach each dossier of the audience once; progress in `sent`. Returns how many."""
    bulk = BulkMessage.objects.select_related("author").get(pk=bulk_id)
    if bulk.finished_at is not None or bulk.author is None:
        return 0
    dossiers = audience_dossiers(bulk.author, bulk.audience)
    dossiers = list(
        Dossier.objects.filter(pk__in=[d.pk for d in dossiers])
        .select_related("scheme__region")
        .order_by("number", "pk")
    )
    BulkMessage.objects.filter(pk=bulk.pk).update(total=len(dossiers))
    emails = _member_emails([d.pk for d in dossiers])
    reached = 0
    BulkMessage.objects.filter(pk=bulk.pk).update(
        sent=BulkMessageRecipient.objects.filter(bulk=bulk).count()  # a retried job goes on
    )
    refused = 0
    for dossier in dossiers:
        try:  # the checks of a message written on the dossier's page (review.message_post)
            require_agent(bulk.author, dossier)
        except PermissionDenied as exc:
            refused += 1
            logger.info("Bulk message %s: dossier %s skipped (%s)", bulk.pk, dossier.pk, exc)
            continue
        if _send_one(bulk, dossier, emails.get(dossier.pk, [])):
            reached += 1
            BulkMessage.objects.filter(pk=bulk.pk).update(sent=F("sent") + 1)
    BulkMessage.objects.filter(pk=bulk.pk).update(finished_at=timezone.now(), refused=refused)
    logger.info("Bulk message %s written to %d dossier(s), %d skipped", bulk.pk, reached, refused)
    return reached
