"""Budget envelopes (autorisations d'engagement): raising the vote, and the derived figures.

Only the voted amount is stored. What is committed comes from the awarded dossiers
(`instruction.budget.committed_amount`), what is paid from the paid payments, what is to recover
from the open recovery orders: no counter that can drift.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum

from accounts.enums import Role
from audit.services import audit_record
from instruction.budget import committed_amount
from payments.models import Payment, RecoveryOrder
from schemes.models import BudgetEnvelope, Scheme
from schemes.templatetags.aides import euros

ZERO = Decimal("0")


def can_raise(user, scheme: Scheme) -> bool:
    """Scheme managers of the scheme's region (within their schemes, if scoped) and admins."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    for assignment in user.role_assignments.filter(
        role=Role.SCHEME_MANAGER, region_id=scheme.region_id
    ):
        if not assignment.scheme_codes or scheme.code in assignment.scheme_codes:
            return True
    return False


@transaction.atomic
def envelope_raise(
    *, user, envelope: BudgetEnvelope, new_amount: Decimal, reason: str
) -> BudgetEnvelope:
    """A scheme manager raises the voted amount (never lowers it); history keeps each value."""
    envelope = (
        BudgetEnvelope.objects.select_for_update().select_related("scheme").get(pk=envelope.pk)
    )
    if not can_raise(user, envelope.scheme):
        raise PermissionDenied(
            "Seuls les gestionnaires du dispositif peuvent relever l'enveloppe budgétaire."
        )
    if not reason.strip():
        raise ValidationError("Indiquez le motif du relèvement (délibération, décision modificative…).")
    new_amount = Decimal(new_amount)
    if new_amount <= envelope.voted_amount:
        raise ValidationError(
            f"Le nouveau montant doit dépasser le montant voté actuel ({euros(envelope.voted_amount)})."
        )
    before = envelope.voted_amount
    envelope.voted_amount = new_amount
    envelope._change_reason = reason[:100]
    envelope.full_clean()
    envelope.save()
    audit_record(
        actor=user,
        action="envelope_raise",
        obj=envelope,
        comment=reason,
        data={"before": str(before), "after": str(new_amount), "year": envelope.year},
    )
    return envelope


@dataclass(frozen=True)
class EnvelopeFigures:
    scheme: Scheme
    year: int
    envelope: BudgetEnvelope | None
    voted: Decimal
    committed: Decimal
    paid: Decimal
    to_recover: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.voted - self.committed

    @property
    def committed_share(self) -> int:
        """Percentage of the vote committed, for the gauge (0 to 100)."""
        if not self.voted:
            return 0
        return max(0, min(100, int(self.committed * 100 / self.voted)))


def envelope_figures(scheme: Scheme, year: int) -> EnvelopeFigures:
    envelope = BudgetEnvelope.objects.filter(scheme=scheme, year=year).first()
    paid = ZERO
    if envelope is not None:
        paid = (
            Payment.objects.filter(envelope=envelope, paid_on__isnull=False).aggregate(
                total=Sum("amount")
            )["total"]
            or ZERO
        )
    to_recover = (
        RecoveryOrder.objects.filter(
            dossier__scheme=scheme,
            dossier__review__decided_at__year=year,
            received_on__isnull=True,
        ).aggregate(total=Sum("amount"))["total"]
        or ZERO
    )
    return EnvelopeFigures(
        scheme=scheme,
        year=year,
        envelope=envelope,
        voted=envelope.voted_amount if envelope else ZERO,
        committed=committed_amount(scheme=scheme, year=year),
        paid=paid,
        to_recover=to_recover,
    )


def scheme_figures(scheme: Scheme) -> list[EnvelopeFigures]:
    """The figures of every envelope of the scheme, latest year first."""
    years = scheme.envelopes.order_by("-year").values_list("year", flat=True)
    return [envelope_figures(scheme, year) for year in years]
