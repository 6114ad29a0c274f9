"""The receipt (récépissé de dépôt): a PDF rendered once at submission and stored with the dossier.

An official document is never regenerated silently: `ensure_receipt` returns the stored one when
it exists, so a retried Celery task or a second worker cannot replace what the applicant received.
"""

from decimal import Decimal

from django.utils import timezone

from applications.models import Dossier, DossierDocument

# PARIS and OfflineURLFetcher are still imported from here by older callers (re-exported).
from documents.formats import NBSP, PARIS, PORTAL_NAME, fr_datetime, fr_size  # noqa: F401
from documents.formats import decimal_or_none as _decimal
from documents.issuing import current_document, issue_once
from documents.pdf import OfflineURLFetcher, render_pdf  # noqa: F401

TEMPLATE = "applications/pdf/receipt.html"


def receipt_reference(dossier: Dossier) -> str:
    return f"REC-{dossier.number}"


def receipt_filename(dossier: Dossier) -> str:
    return f"recepisse-{dossier.number}.pdf"


def _document_labels(dossier: Dossier) -> dict[str, str]:
    """Labels of the required documents, from the rule version frozen at submission."""
    version = dossier.rule_version
    if version is None:
        return {}
    entries = (version.parameters or {}).get("required_documents", {})
    if isinstance(entries, dict):
        entries = entries.get("value", [])
    return {entry["code"]: entry["label"] for entry in entries or [] if "code" in entry}


def demo_rules(dossier: Dossier) -> str:
    """The ident of the dossier's rules when they are a demo version (no legal basis), else ""."""
    version = dossier.rule_version
    return version.ident if version is not None and version.is_demo else ""


def receipt_context(dossier: Dossier, *, generated_at=None) -> dict:
    result = dossier.result or {}
    result_lines = result.get("lines") or []
    lines = []
    total = Decimal("0")
    for index, expense in enumerate(dossier.expenses.all()):
        frozen = result_lines[index] if index < len(result_lines) else {}
        mode = expense.get_mode_display()
        if expense.months:
            mode = f"{mode} ({expense.months}{NBSP}mois)"
        lines.append(
            {
                "number": index + 1,
                "category": expense.get_category_display(),
                "description": expense.description,
                "supplier": expense.supplier,
                "mode": mode,
                "amount": expense.amount,
                "retained": _decimal(frozen.get("retained")),
                "note": frozen.get("note", ""),
            }
        )
        total += expense.amount
    labels = _document_labels(dossier)
    attachments = [
        {
            "label": labels.get(attachment.document_code, attachment.document_code),
            "name": attachment.original_name,
            "size": fr_size(attachment.size),
            "sha256": attachment.sha256,
        }
        for attachment in dossier.attachments.order_by("document_code", "uploaded_at", "pk")
    ]
    organisation = dossier.organisation
    submitter = dossier.submitted_by
    return {
        "dossier": dossier,
        "reference": receipt_reference(dossier),
        "portal_name": PORTAL_NAME,
        "region_name": dossier.scheme.region.name,
        "submitted_at": fr_datetime(dossier.submitted_at),
        "sworn_at": fr_datetime(dossier.sworn_statement_at) if dossier.sworn_statement_at else "",
        "generated_at": fr_datetime(generated_at or timezone.now()),
        "submitter": {
            "name": (submitter.get_full_name() or submitter.email) if submitter else "",
            "email": submitter.email if submitter else "",
        },
        "organisation": organisation,
        "city_line": " ".join(p for p in (organisation.postal_code, organisation.city) if p),
        "scheme": dossier.scheme,
        "rules": result.get("rules") or "",
        "demo_rules": demo_rules(dossier),
        "basis": dossier.expense_basis,
        "lines": lines,
        "total": total,
        "estimate": {
            "eligible": bool(result.get("eligible")),
            "base": _decimal(result.get("base")),
            "award": _decimal(result.get("award")),
            "reasons": result.get("reasons") or [],
        },
        "attachments": attachments,
    }


def render_receipt_pdf(dossier: Dossier, *, generated_at=None) -> bytes:
    """Render the receipt of a submitted dossier to PDF bytes (no storage, no database writes)."""
    if dossier.submitted_at is None:
        raise ValueError(f"Dossier {dossier.pk} has not been submitted: no receipt.")
    return render_pdf(TEMPLATE, receipt_context(dossier, generated_at=generated_at))


def get_receipt(dossier: Dossier) -> DossierDocument | None:
    return current_document(DossierDocument, kind=DossierDocument.Kind.RECEIPT, dossier=dossier)


def ensure_receipt(dossier: Dossier) -> DossierDocument:
    """The dossier's receipt: the stored one if any, else rendered, stored and returned once
    (documents.issuing: concurrency-safe, SHA-256 recorded)."""
    return issue_once(
        model=DossierDocument,
        owner={"dossier": dossier},
        kind=DossierDocument.Kind.RECEIPT,
        reference_base=receipt_reference(dossier),
        render=lambda reference: render_receipt_pdf(dossier),
        filename=lambda reference: receipt_filename(dossier),
    )
