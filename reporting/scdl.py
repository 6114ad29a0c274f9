"""Open data: the awarded aids of a region and year in the SCDL « subventions » format.

The file follows the national schema (Socle commun des données locales, OpenDataFrance,
https://schema.data.gouv.fr/scdl/subventions/; the format of the arrêté du 17 novembre 2017 taken
for the décret n° 2017-779 du 5 mai 2017), not the portal's French display formats:

- UTF-8 CSV, comma as separator, a header row with the schema's property names, in its order;
- dates in ISO 8601 (YYYY-MM-DD); a period of payments as an ISO interval YYYY-MM-DD/YYYY-MM-DD;
- amounts and rates with a point as decimal separator and no thousands separator
  (`montant` 12345.60, `pourcentageSubvention` 1.00).

The 16 columns are those of the schema's version 2.1.1, in its order, the optional ones included
(rnaBeneficiaire: an association's RNA number when it gave one, empty otherwise; dispositifAide:
empty, the portal keeps no national aid-scheme identifier); pourcentageSubvention is the
beneficiary's share of the aid, « 1.00 » for a single beneficiary as the schema says (every dossier
of the portal has one beneficiary: it is not the aid's rate); conditionsVersement is « unique » or « échelonné », two of the schema's three
values. The file is validated strictly against the official schema (tests/reporting/test_scdl.py,
with frictionless, against ../shared/standards/scdl-subventions-2.1.1.json), including its custom
check « one-of-required »: idBeneficiaire or rnaBeneficiaire is filled on every row.

Privacy. The SCDL publishes aids to legal persons. A beneficiary that is a natural person (an
individual entrepreneur, « EI », INSEE legal category 1xxx) is kept in the file, so that counts
and totals stay right, but its name is replaced by `BENEFICIARY_MASK`: the name of an EI is the
person's own name (personal data, RGPD article 6; CADA advice on the publication of aids to natural
persons). Its SIRET, an establishment's public identifier in the SIRENE register, stays: the schema
requires an identifier on every row (idBeneficiaire, or rnaBeneficiaire for an association).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from applications.models import Dossier, DossierDocument
from instruction.enums import Vote
from instruction.models import AgendaItem
from organisations.enums import OrganisationKind
from payments.enums import PaymentKind
from payments.models import Payment
from reporting.common import AWARDED_STATES, de_minimis_schemes, decimal_point, iso, local_date
from territories.models import Region

COLUMNS = (
    "nomAttribuant",
    "idAttribuant",
    "dateConvention",
    "referenceDecision",
    "nomBeneficiaire",
    "idBeneficiaire",
    "rnaBeneficiaire",
    "objet",
    "montant",
    "nature",
    "conditionsVersement",
    "datesPeriodeVersement",
    "idRAE",
    "notificationUE",
    "pourcentageSubvention",
    "dispositifAide",
)

NATURE = "aide en numéraire"
SINGLE, STAGGERED = "unique", "échelonné"
BENEFICIARY_MASK = "Entrepreneur individuel (nom non publié)"
INDIVIDUAL_LEGAL_FORMS = {"EI", "EIRL", "ENTREPRENEUR INDIVIDUEL", "MICRO-ENTREPRENEUR"}
MONEY = DecimalField(max_digits=14, decimal_places=2)


def region_or_404(code: str) -> Region:
    region = Region.objects.filter(code=code.upper()).first()
    if region is None or not region.siret:
        raise Http404("Région inconnue.")
    return region


def is_individual(organisation) -> bool:
    """A natural person: INSEE legal category 1xxx, or a declared EI legal form."""
    code = (organisation.legal_form_code or "").strip()
    form = (organisation.legal_form or "").strip().upper()
    return code.startswith("1") or form in INDIVIDUAL_LEGAL_FORMS


def awarded_in(region: Region, year: int):
    """The region's awarded dossiers decided in `year` (Paris time), with what the file needs."""
    award_reference = DossierDocument.objects.filter(
        dossier=OuterRef("pk"), kind=DossierDocument.Kind.AWARD, superseded_at__isnull=True
    ).order_by("-created_at")
    vote_date = AgendaItem.objects.filter(dossier=OuterRef("pk"), vote=Vote.FOR).order_by(
        "-session__date"
    )
    return (
        Dossier.objects.filter(
            scheme__region=region,
            state__in=AWARDED_STATES,
            awarded_amount__isnull=False,
            review__decided_at__year=year,
        )
        .select_related("scheme__region", "organisation", "review", "rule_version__scheme")
        .annotate(
            award_reference=Subquery(award_reference.values("reference")[:1]),
            vote_date=Subquery(vote_date.values("session__date")[:1]),
        )
        .order_by("review__decided_at", "number")
    )


def _payments_by_dossier(dossier_ids: list[int]) -> dict[int, list[tuple[str, date | None]]]:
    payments: dict[int, list[tuple[str, date | None]]] = {}
    rows = Payment.objects.filter(dossier_id__in=dossier_ids).values_list(
        "dossier_id", "kind", "paid_on"
    )
    for dossier_id, kind, paid_on in rows:
        payments.setdefault(dossier_id, []).append((kind, paid_on))
    return payments


def _staggered(dossier: Dossier, payments: list[tuple[str, date | None]]) -> bool:
    """Advance then balance: an advance was paid, or the rules provide one for this amount."""
    if any(kind == PaymentKind.ADVANCE for kind, _ in payments):
        return True
    if dossier.rule_version is None:
        return False
    rules = dossier.rule_version.as_core()
    rate = rules.value("advance_rate") or Decimal("0")
    threshold = rules.value("advance_threshold")
    return rate > 0 and (threshold is None or dossier.awarded_amount > threshold)


def _payment_period(decided: date | None, proofs_deadline, paid: list[date]) -> str:
    """The days of the payments made; before any payment, the decision date to the proof
    deadline (the period in which the aid may be paid), or the decision date alone."""
    if paid:
        first, last = min(paid), max(paid)
        return iso(first) if first == last else f"{iso(first)}/{iso(last)}"
    if decided and proofs_deadline and proofs_deadline > decided:
        return f"{iso(decided)}/{iso(proofs_deadline)}"
    return iso(decided)


# « Dans le cas d'un bénéficiaire unique, le pourcentage est 100%, soit '1.00' » (schema 2.1.1).
SINGLE_BENEFICIARY_SHARE = "1.00"


@dataclass(frozen=True)
class ScdlFile:
    region: Region
    year: int
    rows: list[dict[str, str]]

    @property
    def filename(self) -> str:
        return f"subventions-{self.region.code.lower()}-{self.year}.csv"

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue()


def scdl_file(region: Region, year: int) -> ScdlFile:
    """The SCDL rows of the region's aids decided in `year` (three queries, whatever the rows)."""
    dossiers = list(awarded_in(region, year))
    payments = _payments_by_dossier([d.pk for d in dossiers])
    under_de_minimis = de_minimis_schemes()
    rows = []
    for dossier in dossiers:
        organisation = dossier.organisation
        decided = dossier.vote_date or local_date(dossier.review.decided_at)
        mine = payments.get(dossier.pk, [])
        individual = is_individual(organisation)
        rows.append(
            {
                "nomAttribuant": f"Région {region.name}",
                "idAttribuant": region.siret,
                "dateConvention": iso(decided),
                "referenceDecision": dossier.award_reference or "",
                "nomBeneficiaire": BENEFICIARY_MASK if individual else organisation.name,
                "idBeneficiaire": organisation.siret,
                "rnaBeneficiaire": organisation.rna
                if organisation.kind == OrganisationKind.ASSOCIATION
                else "",
                "objet": " — ".join(p for p in (dossier.scheme.name, dossier.title) if p),
                "montant": decimal_point(dossier.awarded_amount),
                "nature": NATURE,
                "conditionsVersement": STAGGERED if _staggered(dossier, mine) else SINGLE,
                "datesPeriodeVersement": _payment_period(
                    decided, dossier.review.proofs_deadline, [p for _, p in mine if p]
                ),
                "idRAE": "",
                "notificationUE": "oui" if dossier.scheme.code in under_de_minimis else "non",
                "pourcentageSubvention": SINGLE_BENEFICIARY_SHARE,
                "dispositifAide": "",
            }
        )
    return ScdlFile(region=region, year=year, rows=rows)


def published_files() -> list[dict]:
    """Per region and decision year: the number of aids and their total (one query)."""
    counts = (
        Dossier.objects.filter(
            state__in=AWARDED_STATES,
            awarded_amount__isnull=False,
            review__decided_at__isnull=False,
            scheme__region__siret__gt="",
        )
        .annotate(year=ExtractYear("review__decided_at"))
        .values("scheme__region__code", "scheme__region__name", "year")
        .annotate(count=Count("pk"), total=Sum("awarded_amount"))
        .order_by("scheme__region__name", "-year")
    )
    return [
        {
            "region_code": row["scheme__region__code"],
            "region_name": row["scheme__region__name"],
            "year": row["year"],
            "count": row["count"],
            "total": row["total"],
        }
        for row in counts
    ]
