"""Documents of the payments: the recovery order (titre de recette) and the statement of expenses
(état récapitulatif) the beneficiary completes and signs. Each is rendered and stored once through
the `documents` foundation (versioned, SHA-256 recorded): the stored one is returned when it exists.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import Dossier, DossierDocument
from documents import issuing
from documents.formats import NBSP, PARIS, PORTAL_NAME, fr_date, fr_datetime
from documents.formats import decimal_or_none as _decimal
from documents.issuing import DocumentNotApplicable, issue_once
from documents.pdf import render_pdf
from instruction.documents import current_document
from payments import services
from payments.enums import ChangeState
from payments.models import ProviderChange, RecoveryOrder
from payments.services import advance_paid

KIND = DossierDocument.Kind.RECOVERY
TEMPLATE = "payments/pdf/recovery.html"
PAYMENT_DAYS = 30
STATEMENT = DossierDocument.Kind.STATEMENT


def recovery_reference(order: RecoveryOrder) -> str:
    """TR-<dossier number>, suffixed -2, -3… when the dossier already had one."""
    dossier = order.dossier
    version = issuing.next_version(DossierDocument, kind=KIND, dossier=dossier)
    return issuing.versioned_reference(f"TR-{dossier.number}", version)


def recovery_filename(document: DossierDocument) -> str:
    return f"titre-de-recette-{document.reference}.pdf"


def recovery_context(order: RecoveryOrder, *, reference: str, generated_at=None) -> dict:
    dossier = order.dossier
    organisation, region = dossier.organisation, dossier.scheme.region
    request = order.request
    result = request.settle_result or {}
    issued_on = timezone.localtime(order.created_at or timezone.now(), PARIS).date()
    return {
        "reference": reference,
        "dossier": dossier,
        "scheme": dossier.scheme,
        "organisation": organisation,
        "city_line": " ".join(p for p in (organisation.postal_code, organisation.city) if p),
        "region_name": region.name,
        "portal_name": PORTAL_NAME,
        "accent": region.accent,
        "tribunal": region.court,
        "date": fr_date(issued_on),
        "deadline": fr_date(issued_on + timedelta(days=PAYMENT_DAYS)),
        "payment_days": PAYMENT_DAYS,
        "amount": order.amount,
        "awarded": dossier.awarded_amount,
        "advance": advance_paid(dossier),
        "justified_base": request.justified_base,
        "final_award": request.final_award
        if request.final_award is not None
        else _decimal(result.get("final_award")),
        "explanation": result.get("explanation") or [],
        "generated_at": fr_datetime(generated_at or timezone.now()),
        "nbsp": NBSP,
    }


def render_recovery_pdf(order: RecoveryOrder, *, reference: str) -> bytes:
    return render_pdf(TEMPLATE, recovery_context(order, reference=reference))


def ensure_recovery_document(order: RecoveryOrder) -> DossierDocument:
    dossier = order.dossier
    existing = current_document(dossier, KIND)
    if existing is not None:
        return existing
    if not order.amount or order.amount <= Decimal("0"):
        raise ValueError(f"Recovery order {order.pk} has nothing to recover.")
    return issue_once(
        model=DossierDocument,
        owner={"dossier": dossier},
        kind=KIND,
        reference_base=f"TR-{dossier.number}",
        render=lambda reference: render_recovery_pdf(order, reference=reference),
        filename=lambda reference: f"titre-de-recette-{reference}.pdf",
    )


# --- Statement of expenses (état récapitulatif) ---------------------------------------------


def statement_context(dossier: Dossier, *, reference: str | None = None) -> dict:
    lines = []
    for index, line in enumerate(dossier.expenses.all(), start=1):
        retention = getattr(line, "retention", None)
        lines.append(
            {
                "number": index,
                "category": line.get_category_display(),
                "description": line.description,
                "supplier": services.accepted_supplier(line),
                "amount": retention.amount if retention else line.amount,
            }
        )
    return {
        "dossier": dossier,
        "reference": reference or f"ETAT-{dossier.number}",
        "portal_name": PORTAL_NAME,
        "region_name": dossier.scheme.region.name,
        "organisation": dossier.organisation,
        "basis": dossier.expense_basis,
        "lines": lines,
        "planned_base": services.planned_base(dossier),
        "award": dossier.awarded_amount,
        "blank_rows": range(max(3, 8 - len(lines))),
        "generated_at": fr_datetime(timezone.now()),
    }


def render_statement_pdf(dossier: Dossier, *, reference: str | None = None) -> bytes:
    return render_pdf(
        "payments/pdf/statement.html", statement_context(dossier, reference=reference)
    )


def statement_filename(dossier: Dossier) -> str:
    return f"etat-recapitulatif-{dossier.number}.pdf"


def _supplier_changed_since(dossier: Dossier, moment) -> bool:
    return ProviderChange.objects.filter(
        dossier=dossier, state=ChangeState.ACCEPTED, decided_at__gt=moment
    ).exists()


def ensure_statement(dossier: Dossier) -> DossierDocument:
    """The statement pre-filled from the award, rendered once per award (a reopened dossier's is
    superseded with its decision, DossierDocument.DECISION_KINDS) and again after an accepted
    change of provider."""
    if not dossier.awarded_amount:
        raise DocumentNotApplicable(f"Dossier {dossier.pk} has no award: no statement.")
    stored = current_document(dossier, STATEMENT)
    if stored is not None and _supplier_changed_since(dossier, stored.created_at):
        # The statement names each line's supplier: an accepted change of provider makes the
        # stored one out of date; it is superseded (compare-and-set) and version 2 is issued.
        DossierDocument.objects.filter(pk=stored.pk, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
    return issue_once(
        model=DossierDocument,
        owner={"dossier": dossier},
        kind=STATEMENT,
        reference_base=f"ETAT-{dossier.number}",
        render=lambda reference: render_statement_pdf(dossier, reference=reference),
        filename=lambda reference: statement_filename(dossier),
    )
