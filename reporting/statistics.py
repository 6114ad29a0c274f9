"""Public statistics per scheme and region: dossiers filed, awarded, amounts awarded and paid,
median instruction time. Counts and sums only: no personal data.

Four queries whatever the volume: the schemes, one aggregate over the dossiers, one over the
payments, and the (submitted, decided) pairs of decided dossiers for the medians (SQLite, the
development database, has no percentile aggregate; one column pair per decided dossier is small).
"""

import statistics as pystats
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from applications.models import Dossier
from payments.models import Payment
from reporting.common import AWARDED_STATES, local_date
from schemes.models import Scheme

ZERO = Decimal("0")

CSV_COLUMNS = (
    "region",
    "dispositif",
    "code_dispositif",
    "dossiers_deposes",
    "aides_attribuees",
    "montant_attribue",
    "montant_paye",
    "dossiers_decides",
    "delai_median_instruction_jours",
)


@dataclass
class Figures:
    label: str
    region: str = ""
    code: str = ""
    filed: int = 0
    awarded: int = 0
    awarded_amount: Decimal = ZERO
    paid_amount: Decimal = ZERO
    durations: list[int] = field(default_factory=list)

    @property
    def decided(self) -> int:
        return len(self.durations)

    @property
    def median_days(self) -> Decimal | None:
        """Median of the days from submission to decision (None without any decision)."""
        if not self.durations:
            return None
        return Decimal(str(pystats.median(self.durations))).quantize(Decimal("0.1"))

    def add(self, other: "Figures") -> None:
        self.filed += other.filed
        self.awarded += other.awarded
        self.awarded_amount += other.awarded_amount
        self.paid_amount += other.paid_amount
        self.durations.extend(other.durations)


@dataclass
class RegionFigures:
    name: str
    code: str
    schemes: list[Figures]
    total: Figures


def statistics(year: int | None = None) -> tuple[list[RegionFigures], Figures]:
    """Figures per scheme, grouped by region, with region and overall totals.

    With a year: dossiers filed that year, aids decided that year, payments made that year,
    instruction times of the dossiers decided that year."""
    filed = Q(submitted_at__isnull=False) & (Q(submitted_at__year=year) if year else Q())
    decided = Q(review__decided_at__year=year) if year else Q()
    awarded = decided & Q(
        state__in=AWARDED_STATES, awarded_amount__isnull=False, review__decided_at__isnull=False
    )
    per_scheme = {
        row["scheme_id"]: row
        for row in Dossier.objects.values("scheme_id")
        .annotate(
            filed=Count("pk", filter=filed),
            awarded=Count("pk", filter=awarded),
            awarded_amount=Sum("awarded_amount", filter=awarded),
        )
        .order_by()
    }
    payments = Payment.objects.filter(paid_on__isnull=False)
    if year:
        payments = payments.filter(paid_on__year=year)
    paid = {
        row["dossier__scheme_id"]: row["total"]
        for row in payments.values("dossier__scheme_id").annotate(total=Sum("amount")).order_by()
    }
    durations: dict[int, list[int]] = {}
    pairs = Dossier.objects.filter(
        decided, submitted_at__isnull=False, review__decided_at__isnull=False
    ).values_list("scheme_id", "submitted_at", "review__decided_at")
    for scheme_id, submitted_at, decided_at in pairs:
        days = (local_date(decided_at) - local_date(submitted_at)).days
        durations.setdefault(scheme_id, []).append(max(days, 0))

    regions: dict[str, RegionFigures] = {}
    overall = Figures(label="Ensemble des dispositifs")
    for scheme in Scheme.objects.select_related("region").order_by("region__name", "code"):
        row = per_scheme.get(scheme.pk, {})
        figures = Figures(
            label=scheme.name,
            region=scheme.region.name,
            code=scheme.code,
            filed=row.get("filed") or 0,
            awarded=row.get("awarded") or 0,
            awarded_amount=row.get("awarded_amount") or ZERO,
            paid_amount=paid.get(scheme.pk) or ZERO,
            durations=sorted(durations.get(scheme.pk, [])),
        )
        region = regions.setdefault(
            scheme.region.code,
            RegionFigures(
                name=scheme.region.name,
                code=scheme.region.code,
                schemes=[],
                total=Figures(label=f"Total {scheme.region.name}", region=scheme.region.name),
            ),
        )
        region.schemes.append(figures)
        region.total.add(figures)
        overall.add(figures)
    return list(regions.values()), overall


def csv_rows(regions: list[RegionFigures]) -> list[dict[str, str]]:
    """One row per scheme, machine formats (point as decimal separator)."""
    rows = []
    for region in regions:
        for f in region.schemes:
            rows.append(
                {
                    "region": region.name,
                    "dispositif": f.label,
                    "code_dispositif": f.code,
                    "dossiers_deposes": str(f.filed),
                    "aides_attribuees": str(f.awarded),
                    "montant_attribue": f"{f.awarded_amount:.2f}",
                    "montant_paye": f"{f.paid_amount:.2f}",
                    "dossiers_decides": str(f.decided),
                    "delai_median_instruction_jours": (
                        f"{f.median_days:f}" if f.median_days is not None else ""
                    ),
                }
            )
    return rows
