"""De minimis: what a beneficiary received over the regulation's window at a given date.

The regimes and their ceilings are the rules core's `DE_MINIMIS_REGIMES` parameter
(schemes/core/params_common.py, with its citations); the window is computed exactly as the core's
`check_de_minimis` does (schemes/core/history.py), which does not expose it as a function:

- Regulation (EU) 1407/2013, aid granted until 2023-12-31: EUR 200 000 over the current fiscal
  year and the two previous ones (article 3(2); fiscal year = calendar year, the core's reading);
- Regulation (EU) 2023/2831, from 2024-01-01: EUR 300 000 over any period of three years
  (article 3(2)): the three years ending on the date, that date included.

What counts:
- aids granted through the portal: the awarded dossiers of schemes relying on de minimis
  (INAC, INESS, PDL-IN), for every establishment of the same company (same SIREN: the ceiling
  applies to the undertaking, not the establishment), at the decision date and awarded amount
  (an aid is granted when the right to it is conferred, article 3(4) of both regulations);
- aids declared by the beneficiary in its dossiers (DeMinimisAid), deduplicated across dossiers
  by (granting body, date, amount), and without those that repeat a portal aid (same date and
  amount): an applicant often declares the Region's earlier aid again.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from applications.models import DeMinimisAid, Dossier, DossierDocument
from documents.formats import NBSP, PORTAL_NAME, fr_date, fr_datetime
from documents.issuing import DocumentNotApplicable, issue_once, stored_bytes
from documents.pdf import render_pdf
from organisations.enums import OrganisationKind
from reporting.common import AWARDED_STATES, de_minimis_schemes, decimal_point, iso, local_date
from schemes.core import procedure
from schemes.core.catalog import REG_1407, REG_2831
from schemes.core.params_common import DE_MINIMIS_REGIMES, regime_at

ZERO = Decimal("0")
CONCERNED_KINDS = (OrganisationKind.COMPANY, OrganisationKind.ASSOCIATION)
ADOPTED = {REG_1407: "du 18 décembre 2013", REG_2831: "du 13 décembre 2023"}


@dataclass(frozen=True)
class Aid:
    granting_body: str
    granted_on: date
    amount: Decimal
    scheme: str = ""
    reference: str = ""


@dataclass
class DeMinimisSummary:
    on: date
    regulation: str
    window: str  # "fiscal_years" or "rolling"
    start: date
    end: date
    ceiling: Decimal
    portal: list[Aid] = field(default_factory=list)
    declared: list[Aid] = field(default_factory=list)

    @property
    def granted_total(self) -> Decimal:
        return sum((aid.amount for aid in self.portal), ZERO)

    @property
    def declared_total(self) -> Decimal:
        return sum((aid.amount for aid in self.declared), ZERO)

    @property
    def total(self) -> Decimal:
        return self.granted_total + self.declared_total

    @property
    def remaining(self) -> Decimal:
        """What can still be granted under the ceiling (negative when it is exceeded)."""
        return self.ceiling - self.total

    @property
    def exceeded(self) -> bool:
        return self.total > self.ceiling

    @property
    def regulation_text(self) -> str:
        """The regulation's name in lower case, to follow "au titre du" in a sentence."""
        return self.regulation[:1].lower() + self.regulation[1:]

    @property
    def adopted(self) -> str:
        return ADOPTED.get(self.regulation, "")

    @property
    def period_label(self) -> str:
        if self.window == "fiscal_years":
            return (
                f"exercices {self.start.year} à {self.end.year} (exercice en cours et les deux "
                "précédents)"
            )
        return f"trois ans glissants, du {fr_date(self.start)} au {fr_date(self.end)}"


def window_at(on: date) -> tuple[dict, date, date] | None:
    """The regime in force on `on` and its window (start, end), both days included."""
    return procedure.de_minimis_window(DE_MINIMIS_REGIMES.value, on)


def is_concerned(dossier: Dossier) -> bool:
    return (
        dossier.scheme.code in de_minimis_schemes() and dossier.organisation.kind in CONCERNED_KINDS
    )


def portal_aids(organisation, start: date, end: date) -> list[Aid]:
    """De minimis aids awarded through the portal to the company (same SIREN) in the window."""
    dossiers = (
        Dossier.objects.filter(
            organisation__siren=organisation.siren,
            scheme__code__in=de_minimis_schemes(),
            state__in=AWARDED_STATES,
            awarded_amount__isnull=False,
            review__decided_at__isnull=False,
        )
        .select_related("scheme__region", "review")
        .order_by("review__decided_at")
    )
    aids = []
    for dossier in dossiers:
        granted_on = local_date(dossier.review.decided_at)
        if start <= granted_on <= end:
            aids.append(
                Aid(
                    granting_body=f"Région {dossier.scheme.region.name}",
                    granted_on=granted_on,
                    amount=dossier.awarded_amount,
                    scheme=dossier.scheme.code,
                    reference=dossier.number,
                )
            )
    return aids


def declared_aids(organisation, start: date, end: date, portal: list[Aid]) -> list[Aid]:
    """Aids the company declared in any of its dossiers, each counted once."""
    rows = DeMinimisAid.objects.filter(
        dossier__organisation__siren=organisation.siren, granted_on__range=(start, end)
    ).order_by("granted_on", "pk")
    seen = {(aid.granted_on, aid.amount) for aid in portal}
    keys: set[tuple] = set()
    aids = []
    for row in rows:
        key = (" ".join(row.granting_body.split()).casefold(), row.granted_on, row.amount)
        if key in keys or (row.granted_on, row.amount) in seen:
            continue
        keys.add(key)
        aids.append(Aid(row.granting_body.strip(), row.granted_on, row.amount))
    return aids


def de_minimis_summary(organisation, on: date) -> DeMinimisSummary | None:
    """Regime, window, ceiling, aids granted through the portal and declared, total and
    remaining on `on`; None when no regime was in force that day."""
    found = window_at(on)
    if found is None:
        return None
    regime, start, end = found
    portal = portal_aids(organisation, start, end)
    return DeMinimisSummary(
        on=on,
        regulation=regime["regulation"],
        window=regime["window"],
        start=start,
        end=end,
        ceiling=regime["ceiling"],
        portal=portal,
        declared=declared_aids(organisation, start, end, portal),
    )


def decision_date(dossier: Dossier) -> date | None:
    review = getattr(dossier, "review", None)
    return local_date(review.decided_at) if review is not None else None


# --- Attestation sent with the award decision -----------------------------------------------


def attestation_reference(dossier: Dossier) -> str:
    return f"DM-{dossier.number}"


def attestation_filename(dossier: Dossier) -> str:
    return f"attestation-de-minimis-{dossier.number}.pdf"


def attestation_context(dossier: Dossier, *, reference: str | None = None) -> dict:
    """What the attestation states; raises DocumentNotApplicable outside de minimis awards."""
    if not is_concerned(dossier):
        raise DocumentNotApplicable(f"Dossier {dossier.pk} is not granted under de minimis.")
    if dossier.awarded_amount is None:
        raise DocumentNotApplicable(f"Dossier {dossier.pk} has no awarded amount.")
    day = decision_date(dossier) or timezone.localdate()
    summary = de_minimis_summary(dossier.organisation, day)
    if summary is None:
        raise DocumentNotApplicable(f"No de minimis regime in force on {day}.")
    return {
        "dossier": dossier,
        "organisation": dossier.organisation,
        "scheme": dossier.scheme,
        "region_name": dossier.scheme.region.name,
        "portal_name": PORTAL_NAME,
        "reference": reference or attestation_reference(dossier),
        "date": fr_date(day),
        "amount": dossier.awarded_amount,
        "summary": summary,
        "generated_at": fr_datetime(timezone.now()),
        "nbsp": NBSP,
    }


def render_attestation_pdf(dossier: Dossier, *, reference: str | None = None) -> bytes:
    """The de minimis attestation of an award, as PDF bytes (no storage, no database writes)."""
    context = attestation_context(dossier, reference=reference)
    return render_pdf("reporting/pdf/attestation.html", context)


def ensure_attestation(dossier: Dossier) -> DossierDocument:
    """The attestation stored with the dossier, rendered once per award (documents foundation;
    superseded with the decision when the dossier is reopened)."""
    return issue_once(
        model=DossierDocument,
        owner={"dossier": dossier},
        kind=DossierDocument.Kind.DE_MINIMIS,
        reference_base=attestation_reference(dossier),
        render=lambda reference: render_attestation_pdf(dossier, reference=reference),
        filename=lambda reference: attestation_filename(dossier),
    )


def award_attachments(dossier: Dossier) -> list[tuple[str, bytes, str]]:
    """Attachments of the award e-mail: the attestation when the aid is de minimis, else none."""
    if not is_concerned(dossier) or dossier.awarded_amount is None:
        return []
    document = ensure_attestation(dossier)
    return [(attestation_filename(dossier), stored_bytes(document), "application/pdf")]


def award_attachments_receiver(sender, dossier: Dossier, **kwargs):
    """Receiver of instruction's `award_attachments` signal (connected in ReportingConfig)."""
    return award_attachments(dossier)


# --- Export for the national register ---------------------------------------------------------

REGISTER_COLUMNS = (
    "siren",
    "nom",
    "organisme_attributaire",
    "date_attribution",
    "montant",
    "reglement",
    "dispositif",
)


def register_rows(region, year: int, *, scope: Q | None = None) -> list[dict[str, str]]:
    """The region's de minimis aids decided in `year`, within `scope` (one query)."""
    dossiers = (
        Dossier.objects.filter(
            scope or Q(),
            scheme__region=region,
            scheme__code__in=de_minimis_schemes(),
            organisation__kind__in=CONCERNED_KINDS,
            state__in=AWARDED_STATES,
            awarded_amount__isnull=False,
            review__decided_at__year=year,
        )
        .select_related("organisation", "scheme", "review")
        .order_by("review__decided_at", "number")
    )
    rows = []
    for dossier in dossiers:
        granted_on = local_date(dossier.review.decided_at)
        regime = regime_at(DE_MINIMIS_REGIMES.value, granted_on)
        rows.append(
            {
                "siren": dossier.organisation.siren,
                "nom": dossier.organisation.name,
                "organisme_attributaire": f"Région {region.name}",
                "date_attribution": iso(granted_on),
                "montant": decimal_point(dossier.awarded_amount),
                "reglement": regime["regulation"] if regime else "",
                "dispositif": f"{dossier.scheme.code} — {dossier.scheme.name}",
            }
        )
    return rows
