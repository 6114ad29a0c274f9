"""Provider changes after the award: declared by the beneficiary, decided by the agent."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications.enums import PAYABLE_STATES
from applications.models import Dossier
from applications.uploads import validate_upload
from audit.services import audit_record
from organisations.conflicts import Action, check_conflict
from payments.enums import ChangeState
from payments.models import ProviderChange
from payments.services.shared import _agent, _member, _members, _notify
from payments.workflow import CHANGE_WORKFLOW


@transaction.atomic
def provider_change_declare(
    *, user, dossier: Dossier, line, supplier: str, amount: Decimal, quote_file, reason: str
) -> ProviderChange:
    _member(user, dossier)
    if dossier.state not in PAYABLE_STATES:
        raise ValidationError(
            "Un changement de prestataire se déclare après l'attribution de l'aide."
        )
    if line.dossier_id != dossier.pk:
        raise ValidationError("Cette dépense n'appartient pas au dossier.")
    if not reason.strip():
        raise ValidationError("Expliquez pourquoi vous changez de prestataire.")
    change = ProviderChange(
        dossier=dossier,
        expense_line=line,
        new_supplier=supplier,
        new_amount=amount,
        reason=reason,
        declared_by=user,
    )
    change.quote.save(
        validate_upload(quote_file, dossier=dossier).storage_name, quote_file, save=False
    )
    change.save()
    audit_record(
        actor=user,
        action="provider_change_declare",
        obj=dossier,
        data={"line": line.pk, "supplier": supplier, "amount": str(amount)},
    )
    return change


@transaction.atomic
def provider_change_decide(
    *, user, change: ProviderChange, accept: bool, comment: str
) -> ProviderChange:
    _agent(user, change.dossier)
    check_conflict(user, Action.INSTRUCT, change.dossier)
    if not accept and not comment.strip():
        raise ValidationError("Motivez le refus du changement de prestataire.")
    change = CHANGE_WORKFLOW.apply(
        change,
        "accept" if accept else "refuse",
        actor=user,
        comment=comment,
        fields={"decided_by": user, "decided_at": timezone.now(), "decision_comment": comment},
        refusal="Ce changement a déjà été examiné.",
        data={"accepted": accept},
    )
    _notify(
        "provider_change_decided",
        _members(change.dossier),
        change.dossier,
        change=change,
        accepted=accept,
        comment=comment,
    )
    return change


def accepted_supplier(line) -> str:
    """The supplier the payment checks use: the last accepted change, else the original quote's."""
    # .all(): the changes prefetched by the dossier pages are used as they are (no query per line).
    accepted = [c for c in line.provider_changes.all() if c.state == ChangeState.ACCEPTED]
    if not accepted:
        return line.supplier
    latest = max(accepted, key=lambda c: (c.decided_at is not None, c.decided_at, c.pk))
    return latest.new_supplier
