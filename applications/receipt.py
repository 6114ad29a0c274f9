"""The receipt (récépissé de dépôt): a PDF rendered once at submission and stored with the dossier.

An official document is never regenerated silently: `ensure_receipt` returns the stored one when
it exists, so a retried Celery task or a second worker cannot replace what the applicant received.
"""

import hashlib
import logging
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML, URLFetcher

from applications.models import Dossier, DossierDocument

logger = logging.getLogger(__name__)

PARIS = ZoneInfo("Europe/Paris")
PORTAL_NAME = "Aides numériques"
TEMPLATE = "applications/pdf/receipt.html"
NBSP = "\u00a0"


class OfflineURLFetcher(URLFetcher):
    """Refuses every URL except inline `data:` ones: rendering never reaches the network or disk."""

    def fetch(self, url, headers=None):
        if not url.startswith("data:"):
            raise ValueError(f"External resource refused while rendering a PDF: {url}")
        return super().fetch(url, headers)


def fr_datetime(value) -> str:
    """An aware datetime as "22/11/2026 à 14:05", in Paris time."""
    local = timezone.localtime(value, PARIS)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


def fr_size(size: int) -> str:
    """1536 -> "1,5 Ko" (French units, decimal comma)."""
    if size < 1024:
        return f"{size}{NBSP}octet" + ("s" if size > 1 else "")
    for unit in ("Ko", "Mo", "Go"):
        size /= 1024
        if size < 1024 or unit == "Go":
            return f"{size:.1f}".replace(".", ",") + f"{NBSP}{unit}"
    raise AssertionError("unreachable")


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


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
    with translation.override("fr"):
        html = render_to_string(TEMPLATE, receipt_context(dossier, generated_at=generated_at))
    return HTML(string=html, url_fetcher=OfflineURLFetcher(timeout=1)).write_pdf(pdf_tags=True)


def get_receipt(dossier: Dossier) -> DossierDocument | None:
    return DossierDocument.objects.filter(
        dossier=dossier, kind=DossierDocument.Kind.RECEIPT
    ).first()


def ensure_receipt(dossier: Dossier) -> DossierDocument:
    """The dossier's receipt: the stored one if any, else rendered, stored and returned.

    Safe against two concurrent runs: the unique (dossier, kind) constraint lets one insert win;
    the loser deletes the file it wrote and returns the winner's document.
    """
    existing = get_receipt(dossier)
    if existing is not None:
        return existing
    pdf = render_receipt_pdf(dossier)
    document = DossierDocument(
        dossier=dossier,
        kind=DossierDocument.Kind.RECEIPT,
        reference=receipt_reference(dossier),
        sha256=hashlib.sha256(pdf).hexdigest(),
    )
    document.file.save(receipt_filename(dossier), ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        winner = get_receipt(dossier)
        if winner is None:  # the conflict was on something else: let the task retry
            raise
        logger.info("Receipt of dossier %s already generated concurrently", dossier.pk)
        return winner
    except BaseException:
        document.file.delete(save=False)
        raise
    return document
