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
        raise ValidationError(
            "Indiquez le motif du relèvement (délibération, décision modificative…)."
        )
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


# --- Dashboard: per scheme and region, counts and amounts by state (no personal data) -------------

METRICS = [
    ("requested", "Demandé"),
    ("awarded", "Attribué"),
    ("committed", "Engagé"),
    ("paid", "Payé"),
    ("to_recover", "À reverser"),
]


def dashboard_data(region_ids: list[int], year: int | None = None) -> list[dict]:
    """One row per scheme of the regions, grouped by region, in four aggregate queries.

    Requested: submitted dossiers and their estimate at submission. Awarded: dossiers with an
    award decision. Committed: awards still charged on the envelope (instruction.budget's states).
    Paid: payments marked paid. To recover: recovery orders not yet received.
    """
    from django.db.models import Count, DecimalField, Q
    from django.db.models.fields.json import KT
    from django.db.models.functions import Cast

    from applications.enums import AWARDED_STATES, DossierState
    from applications.models import Dossier

    money = DecimalField(max_digits=14, decimal_places=2)
    estimate = Cast(KT("result__award"), money)
    submitted = Q(submitted_at__year=year) if year else Q()
    decided = Q(review__decided_at__year=year) if year else Q()
    awarded = decided & Q(awarded_amount__isnull=False)
    committed = decided & Q(state__in=AWARDED_STATES)
    dossiers = (
        Dossier.objects.filter(scheme__region_id__in=region_ids)
        .exclude(state=DossierState.DRAFT)
        .values("scheme_id")
        .annotate(
            n_requested=Count("pk", filter=submitted),
            s_requested=Sum(estimate, filter=submitted),
            n_awarded=Count("pk", filter=awarded),
            s_awarded=Sum("awarded_amount", filter=awarded),
            n_committed=Count("pk", filter=committed),
            s_committed=Sum("awarded_amount", filter=committed),
        )
        .order_by()
    )
    paid = Payment.objects.filter(paid_on__isnull=False, dossier__scheme__region_id__in=region_ids)
    recover = RecoveryOrder.objects.filter(
        received_on__isnull=True, dossier__scheme__region_id__in=region_ids
    )
    if year:
        paid, recover = paid.filter(paid_on__year=year), recover.filter(created_at__year=year)
    by_scheme: dict[int, dict] = {row["scheme_id"]: row for row in dossiers}
    for queryset, metric in ((paid, "paid"), (recover, "to_recover")):
        for row in (
            queryset.values("dossier__scheme_id")
            .annotate(count=Count("pk"), amount=Sum("amount"))
            .order_by()
        ):
            target = by_scheme.setdefault(row["dossier__scheme_id"], {})
            target[f"n_{metric}"], target[f"s_{metric}"] = row["count"], row["amount"]
    rows = []
    schemes = Scheme.objects.filter(region_id__in=region_ids).select_related("region")
    for scheme in schemes.order_by("region__name", "code"):
        data = by_scheme.get(scheme.pk, {})
        rows.append(
            {
                "region": scheme.region.name,
                "region_code": scheme.region.code,
                "scheme": scheme.code,
                "scheme_name": scheme.name,
                "metrics": [
                    {
                        "key": key,
                        "label": label,
                        "count": data.get(f"n_{key}") or 0,
                        "amount": data.get(f"s_{key}") or ZERO,
                    }
                    for key, label in METRICS
                ],
            }
        )
    return rows


def bar_chart(items: list[tuple[str, Decimal]], *, width: int = 560, bar: int = 22) -> dict:
    """Geometry of a horizontal bar chart drawn by a template as inline SVG (no JavaScript)."""
    label_width, gap, value_width = 110, 8, 130
    scale = max([value for _, value in items] + [ZERO])
    usable = width - label_width - value_width
    bars = []
    for index, (label, value) in enumerate(items):
        length = int(usable * value / scale) if scale else 0
        bars.append(
            {
                "label": label,
                "value": value,
                "y": index * (bar + gap),
                "text_y": index * (bar + gap) + bar * 0.7,
                "x": label_width,
                "length": max(length, 1 if value else 0),
                "value_x": label_width + max(length, 0) + 6,
            }
        )
    return {"width": width, "height": len(items) * (bar + gap), "bar": bar, "bars": bars}
