"""The agent's review of a dossier: criteria checklist, retained expenses, live award, notes, messages."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from applications.models import Dossier, ExpenseLine
from applications.situation import dossier_situation
from applications.uploads import validate_upload
from audit.services import audit_record
from instruction.documents import rules_for
from instruction.enums import CheckStatus, RetentionStatus
from instruction.models import CriterionCheck, ExpenseRetention, Message, Note
from instruction.selectors import expenses_with_retention, instructors_emails
from instruction.services import claim_version, require_agent, review_of
from outbox.notifications import notify
from schemes.engine import simulate


def review_situation(dossier: Dossier) -> dict:
    """The dossier's situation with the amounts the agent retained and the agent's region share."""
    # Already there when the dossier comes from get_dossier_for_agent; one query otherwise.
    prefetch_related_objects([dossier], expenses_with_retention())
    situation = dossier_situation(dossier, filed_on=dossier.filed_on or timezone.localdate())
    expenses = []
    for line, expense in zip(dossier.expenses.all(), situation["project"]["expenses"], strict=True):
        retention = getattr(line, "retention", None)
        if retention is None:
            expenses.append(expense)
        elif retention.amount > 0:
            expenses.append({**expense, "amount": str(retention.amount)})
    situation["project"]["expenses"] = expenses
    review = getattr(dossier, "review", None)
    if review is not None and review.region_share is not None:
        situation["applicant"]["region_share"] = str(review.region_share)
    return situation


def region_share_applies(dossier: Dossier) -> bool:
    """Whether the dossier's rules prorate the aid by its share of activity in the region
    (`region_share_proration`, PDL-IN FAQ 6): the agent may then set another share."""
    rules = rules_for(dossier)
    return bool(rules is not None and rules.value("region_share_proration"))


def review_estimate(dossier: Dossier) -> dict:
    """The award recomputed by the engine from what the agent retained."""
    return simulate(review_situation(dossier))


def sync_checks(dossier: Dossier, result: dict) -> list[CriterionCheck]:
    """Store the engine's checklist, keeping what the agent already confirmed or overrode.

    The first view of a dossier creates its checks in one INSERT; a colleague opening the same
    dossier at the same moment may create them too: the second INSERT skips what exists.
    """
    existing = {c.code: c for c in dossier.criterion_checks.all()}
    missing = []
    for check in result.get("checks", []):
        row = existing.get(check["code"])
        label = f"{check['label']} — {check.get('detail', '')}".strip(" —")[:300]
        if row is None:
            missing.append(
                CriterionCheck(
                    dossier=dossier,
                    code=check["code"],
                    label=label,
                    source=check.get("source", "")[:500],
                    engine_passed=check["passed"],
                )
            )
        elif (row.label, row.engine_passed) != (label, check["passed"]):
            row.label, row.engine_passed = label, check["passed"]
            row.save(update_fields=["label", "engine_passed"])
    if missing:
        CriterionCheck.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {c.code: c for c in dossier.criterion_checks.all()}
    return sorted(existing.values(), key=lambda c: c.pk)


@transaction.atomic
def check_record(
    *, user, dossier: Dossier, code: str, status: str, comment: str, version: int | None
) -> CriterionCheck:
    require_agent(user, dossier)
    if status not in (CheckStatus.CONFIRMED, CheckStatus.OVERRIDDEN):
        raise ValidationError("Choisissez de confirmer ou de corriger le critère.")
    if status == CheckStatus.OVERRIDDEN and not comment.strip():
        raise ValidationError("Expliquez pourquoi vous corrigez l'évaluation du moteur.")
    claim_version(dossier, version)
    check = dossier.criterion_checks.get(code=code)
    check.status, check.comment, check.checked_by, check.checked_at = (
        status,
        comment,
        user,
        timezone.now(),
    )
    check.save()
    audit_record(
        actor=user,
        action="criterion_check",
        obj=dossier,
        comment=comment,
        data={"code": code, "status": status},
    )
    return check


def _retention_refusal(line: ExpenseLine, status: str, amount: Decimal | None, reason: str) -> str:
    if status not in RetentionStatus.values:
        return "Choisissez comment la dépense est retenue."
    if status == RetentionStatus.PARTIAL and (
        amount is None or not (Decimal("0") < amount < line.amount)
    ):
        return (
            "Une dépense retenue en partie doit l'être pour un montant entre 0 et le montant "
            "présenté."
        )
    if status != RetentionStatus.FULL and not reason.strip():
        return "Indiquez le motif quand une dépense n'est pas retenue en totalité."
    return ""


def _retained_amount(line: ExpenseLine, status: str, amount: Decimal | None) -> Decimal:
    if status == RetentionStatus.FULL:
        return line.amount
    if status == RetentionStatus.NONE:
        return Decimal("0")
    return amount


def _retention_store(
    *,
    user,
    dossier: Dossier,
    line: ExpenseLine,
    status: str | None,
    amount: Decimal | None,
    reason: str,
) -> ExpenseRetention | None:
    """Write one line's retention (status None: back to the engine's amount) and audit it."""
    retention = None
    if status is None:
        ExpenseRetention.objects.filter(line=line).delete()
    else:
        retention, _ = ExpenseRetention.objects.update_or_create(
            line=line,
            defaults={"status": status, "amount": amount, "reason": reason, "decided_by": user},
        )
    audit_record(
        actor=user,
        action="expense_retain",
        obj=dossier,
        comment=reason,
        data={
            "line": line.pk,
            "status": status or "engine",
            "amount": "" if amount is None else str(amount),
        },
    )
    return retention


@transaction.atomic
def expense_retain(
    *,
    user,
    dossier: Dossier,
    line: ExpenseLine,
    status: str,
    amount: Decimal | None,
    reason: str,
    version: int | None,
) -> ExpenseRetention:
    """Retain an expense line fully, partly or not at all, with a reason when not fully."""
    require_agent(user, dossier)
    if line.dossier_id != dossier.pk:
        raise ValidationError("Cette dépense n'appartient pas au dossier.")
    refusal = _retention_refusal(line, status, amount, reason)
    if refusal:
        raise ValidationError(refusal)
    claim_version(dossier, version)
    return _retention_store(
        user=user,
        dossier=dossier,
        line=line,
        status=status,
        amount=_retained_amount(line, status, amount),
        reason=reason,
    )


@transaction.atomic
def checks_record(
    *, user, dossier: Dossier, decisions: dict[str, tuple[str, str]], version: int | None
) -> list[CriterionCheck]:
    """The whole checklist in one save: `decisions` maps each criterion code shown to the
    (status, comment) the page holds; only the criteria that differ from what is stored change.

    Every decision is checked before anything is written: a refusal names each criterion at
    fault (ValidationError keyed by code) and changes nothing.
    """
    require_agent(user, dossier)
    stored = {check.code: check for check in dossier.criterion_checks.all()}
    errors, changed = {}, []
    for code, (status, comment) in decisions.items():
        check = stored.get(code)
        if check is None:
            errors[code] = "Ce critère n'existe plus : rechargez la page."
            continue
        comment = comment.strip()
        if status not in CheckStatus.values:
            errors[code] = "Choisissez de confirmer ou de corriger le critère."
        elif status == CheckStatus.OVERRIDDEN and not comment:
            errors[code] = (
                f"« {check.label} » : expliquez pourquoi vous corrigez l'évaluation du moteur."
            )
        elif (status, comment) != (check.status, check.comment):
            changed.append((check, status, comment))
    if errors:
        raise ValidationError(errors)
    if not changed:
        return []
    claim_version(dossier, version)
    now = timezone.now()
    for check, status, comment in changed:
        check.status, check.comment = status, comment
        check.checked_by, check.checked_at = (
            (None, None) if status == CheckStatus.PENDING else (user, now)
        )
        check.save(update_fields=["status", "comment", "checked_by", "checked_at"])
        audit_record(
            actor=user,
            action="criterion_check",
            obj=dossier,
            comment=comment,
            data={"code": check.code, "status": status},
        )
    return [check for check, _, _ in changed]


@transaction.atomic
def retentions_record(
    *,
    user,
    dossier: Dossier,
    decisions: dict[int, tuple[str, Decimal | None, str]],
    version: int | None,
) -> int:
    """Every expense line of the page in one save: `decisions` maps each line id shown to the
    (status, amount, reason) the page holds; status "" means « as the engine computes it » (no
    retention stored). Only what differs from the database is written; returns how many lines
    changed. Everything is checked first: a refusal names each line at fault and changes nothing.
    """
    require_agent(user, dossier)
    lines = {line.pk: line for line in dossier.expenses.select_related("retention")}
    errors, changes = {}, []
    for position, (line_id, (status, amount, reason)) in enumerate(decisions.items(), start=1):
        line = lines.get(line_id)
        if line is None:
            errors[line_id] = "Cette dépense n'appartient pas au dossier : rechargez la page."
            continue
        retention = getattr(line, "retention", None)
        reason = reason.strip()
        if not status:
            if retention is not None:
                changes.append((line, None, None, ""))
            continue
        refusal = _retention_refusal(line, status, amount, reason)
        if refusal:
            errors[line_id] = f"Dépense {position} : {refusal}"
            continue
        kept = _retained_amount(line, status, amount)
        if retention is None or (retention.status, retention.amount, retention.reason) != (
            status,
            kept,
            reason,
        ):
            changes.append((line, status, kept, reason))
    if errors:
        raise ValidationError(errors)
    if not changes:
        return 0
    claim_version(dossier, version)
    for line, status, kept, reason in changes:
        _retention_store(
            user=user, dossier=dossier, line=line, status=status, amount=kept, reason=reason
        )
    return len(changes)


@transaction.atomic
def region_share_set(*, user, dossier: Dossier, share: Decimal | None, version: int | None) -> None:
    """PDL-IN FAQ question 6: the agent sets the share of activity in the region (None: the declared one)."""
    require_agent(user, dossier)
    if share is not None and not (Decimal("0") < share <= Decimal("1")):
        raise ValidationError("La part d'activité dans la région est comprise entre 0 et 100 %.")
    claim_version(dossier, version)
    review = review_of(dossier)
    before = review.region_share
    review.region_share = share
    review.save(update_fields=["region_share"])
    audit_record(
        actor=user,
        action="region_share_set",
        obj=dossier,
        data={"before": str(before), "after": str(share)},
    )


def note_add(*, user, dossier: Dossier, body: str) -> Note:
    require_agent(user, dossier)
    if not body.strip():
        raise ValidationError("La note est vide.")
    return Note.objects.create(dossier=dossier, author=user, body=body)


RESENT_WITHIN = timedelta(minutes=10)


@transaction.atomic
def message_post(
    *, user, dossier: Dossier, body: str, uploaded_file=None, from_region: bool
) -> Message:
    """A message of the thread; the other side is told by e-mail."""
    if from_region:
        require_agent(user, dossier)
    elif not dossier.organisation.memberships.filter(user=user).exists():
        raise ValidationError("Seuls les membres de l'organisation peuvent écrire sur ce dossier.")
    if not body.strip():
        raise ValidationError("Le message est vide.")
    # The same message sent again by its author moments later (back a step, « Envoyer » again,
    # two tabs) is the one already sent: it is neither stored nor e-mailed twice.
    Dossier.objects.select_for_update().filter(pk=dossier.pk).first()
    last = Message.objects.filter(dossier=dossier).order_by("-created_at", "-pk").first()
    if (
        last is not None
        and last.author_id == user.pk
        and last.body == body
        and uploaded_file is None
        and not last.attachment_name
        and timezone.now() - last.created_at < RESENT_WITHIN
    ):
        last.already_sent = True
        return last
    message = Message(dossier=dossier, author=user, from_region=from_region, body=body)
    if uploaded_file is not None:
        upload = validate_upload(uploaded_file, dossier=dossier)
        message.attachment.save(upload.storage_name, uploaded_file, save=False)
        message.attachment_name = upload.original_name
    message.save()
    if from_region:
        recipients = list(dossier.organisation.memberships.values_list("user__email", flat=True))
    else:
        recipients = instructors_emails(dossier)  # its agent, else the team
    page = "applications:detail" if from_region else "instruction:dossier"
    notify(
        "dossier_message",
        to=recipients,
        event=None if from_region else "dossier_message",
        context={
            "dossier": dossier,
            "body": body,
            "url": settings.SITE_URL + reverse(page, args=[dossier.pk]),
        },
        region=dossier.scheme.region,
    )
    return message
