"""Writes on dossiers, one function per action; each checks who may do it and is audited."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import permissions
from applications.completeness import missing_items
from applications.enums import DossierState
from applications.models import DeMinimisAid, Dossier, ExpenseLine
from applications.situation import dossier_situation
from applications.workflow import TransitionError, apply_transition
from audit.services import audit_record
from organisations.models import Membership, Organisation
from outbox.services import enqueue
from schemes import core
from schemes.engine import simulate
from schemes.models import RuleVersion, Scheme


def _require(allowed_and_why: tuple[bool, str]) -> None:
    allowed, why = allowed_and_why
    if not allowed:
        raise PermissionDenied(why)


def dossier_create(*, user, organisation: Organisation, scheme: Scheme, today: date) -> Dossier:
    """Open a draft for an organisation on a scheme whose call is open, once per scheme."""
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise PermissionDenied("Seuls les membres de l'organisation peuvent déposer pour elle.")
    if not any(period.is_open_on(today) for period in scheme.call_periods.all()):
        raise ValidationError("Aucun appel n'est ouvert aujourd'hui pour ce dispositif.")
    if organisation.kind not in scheme.applicant_kinds:
        raise ValidationError(
            f"Ce dispositif n'est pas ouvert aux structures de type « {organisation.get_kind_display().lower()} »."
        )
    if organisation.region is None or organisation.region.pk != scheme.region_id:
        raise ValidationError(
            f"Ce dispositif est réservé aux établissements situés en {scheme.region.name}."
        )
    try:
        with transaction.atomic():
            dossier = Dossier.objects.create(
                scheme=scheme, organisation=organisation, created_by=user
            )
            dossier.number = f"{scheme.code}-{today.year}-{dossier.pk:06d}"
            dossier.save(update_fields=["number"])
    except IntegrityError as exc:
        raise ValidationError(
            "Votre organisation a déjà un dossier en cours pour ce dispositif."
        ) from exc
    audit_record(actor=user, action="dossier_create", obj=dossier, to_state=dossier.state)
    # A company's URSSAF and DGFIP certificates are fetched rather than uploaded (when possible).
    from applications.certificates import request_certificates

    request_certificates(dossier)
    return dossier


def dossier_update(*, user, dossier: Dossier, data: dict) -> Dossier:
    """Save the fields of one step of the filing journey."""
    _require(permissions.can_edit(user, dossier))
    for field, value in data.items():
        setattr(dossier, field, value)
    # created_by is null once its author closed their account: the draft stays editable.
    dossier.full_clean(exclude=["number", "created_by"], validate_constraints=False)
    dossier.save()
    return dossier


@transaction.atomic
def dossier_set_expenses(*, user, dossier: Dossier, lines: list[dict]) -> list[int | None]:
    """Make the dossier's expenses exactly `lines`, in that order; return their ids.

    A line with an "id" of one of the dossier's stored lines updates that line; a line that is
    only {"id": ...} keeps the stored line as it is (the page showed it with an error); a line
    without a known id is created. Stored lines not named are deleted. The ids returned (None
    for a line that named no stored line and had nothing to store) let the page name its lines.
    """
    _require(permissions.can_edit(user, dossier))
    stored = {line.pk: line for line in dossier.expenses.select_for_update()}
    kept = set()
    ids: list[int | None] = []
    for position, data in enumerate(lines):
        data = dict(data)
        pk = data.pop("id", None)
        # The same id twice (a tampered page) names the stored line once only.
        expense = stored.get(pk) if pk not in kept else None
        if expense is None:
            if not data:
                ids.append(None)
                continue
            expense = ExpenseLine(dossier=dossier)
        for name, value in data.items():
            setattr(expense, name, value)
        expense.position = position
        expense.full_clean()
        expense.save()
        kept.add(expense.pk)
        ids.append(expense.pk)
    dossier.expenses.exclude(pk__in=kept).delete()
    dossier.save(update_fields=["last_saved_at"])
    return ids


@transaction.atomic
def dossier_set_funding(
    *,
    user,
    dossier: Dossier,
    other_public_funding,
    detail: str,
    aids: list[dict],
    declared: bool = True,
) -> None:
    """Save the funding step; `declared` False (a page with errors) keeps the step unanswered."""
    _require(permissions.can_edit(user, dossier))
    dossier.de_minimis_aids.all().delete()
    for aid in aids:
        row = DeMinimisAid(dossier=dossier, **aid)
        row.full_clean()
        row.save()
    dossier.other_public_funding = other_public_funding
    dossier.other_public_funding_detail = detail
    dossier.funding_declared = dossier.funding_declared or declared
    dossier.save(
        update_fields=[
            "other_public_funding",
            "other_public_funding_detail",
            "funding_declared",
            "last_saved_at",
        ]
    )


@transaction.atomic
def dossier_set_bank_details(*, user, dossier: Dossier, iban: str, bic: str, holder: str) -> None:
    _require(permissions.can_edit(user, dossier))
    before = dossier.iban
    dossier.iban, dossier.bic, dossier.account_holder = iban, bic, holder
    dossier.save(update_fields=["iban", "bic", "account_holder", "last_saved_at"])
    if before != iban:
        audit_record(
            actor=user,
            action="dossier_bank_details",
            obj=dossier,
            data={"iban_before": before[-4:] if before else "", "iban_after": iban[-4:]},
        )


def dossier_estimate(dossier: Dossier, *, on: date) -> dict | None:
    """The engine's live estimate for a dossier, once it has expenses."""
    if not dossier.expenses.exists():
        return None
    try:
        return simulate(dossier_situation(dossier, filed_on=on))
    except core.InputError as exc:  # data the rules cannot read: say so, never a server error
        return {"unavailable": exc.message}


def dossier_submit(*, user, dossier: Dossier, sworn: bool, now=None) -> Dossier:
    """Freeze a complete dossier, record the engine's result and queue the receipt and e-mail.

    A second call (double click, two tabs, two members) finds the dossier already submitted and
    raises TransitionError: one submission only.
    """
    _require(permissions.can_submit(user, dossier))
    if not sworn:
        raise ValidationError("Cochez la déclaration sur l'honneur pour déposer le dossier.")
    missing = missing_items(dossier)
    if missing:
        raise ValidationError(
            "Le dossier est incomplet : " + " ; ".join(item.message for item in missing)
        )
    now = now or timezone.now()
    filed_on = timezone.localdate(now)
    result = simulate(dossier_situation(dossier, filed_on=filed_on))
    version = RuleVersion.objects.filter(ident=result.get("rules")).first()
    with transaction.atomic():
        dossier = apply_transition(
            dossier=dossier,
            name="submit",
            actor=user,
            fields={
                "submitted_at": now,
                "submitted_by": user,
                "filed_on": filed_on,
                "sworn_statement_at": now,
                "result": result,
                "rule_version": version,
            },
        )
        from applications import tasks

        enqueue(tasks.after_submission, dossier_id=dossier.pk)
    return dossier


__all__ = [
    "TransitionError",
    "dossier_create",
    "dossier_estimate",
    "dossier_set_bank_details",
    "dossier_set_expenses",
    "dossier_set_funding",
    "dossier_submit",
    "dossier_update",
    "DossierState",
]
