"""The recovery order (titre de recette): a PDF rendered once and stored with the dossier.

Same pattern as the instruction's official documents: `ensure_recovery_document` returns the
current one when it exists; the unique constraint on the current (dossier, kind) lets one
concurrent insert win, the loser deletes its file and returns the winner's document.
"""

import hashlib
import logging
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML

from applications.models import DossierDocument
from applications.receipt import NBSP, PARIS, PORTAL_NAME, OfflineURLFetcher, _decimal, fr_datetime
from instruction.documents import REGIONS, current_document, fr_date
from payments.models import RecoveryOrder
from payments.services import advance_paid

logger = logging.getLogger(__name__)

KIND = DossierDocument.Kind.RECOVERY
TEMPLATE = "payments/pdf/recovery.html"
PAYMENT_DAYS = 30


def recovery_reference(order: RecoveryOrder) -> str:
    """TR-<dossier number>, suffixed -2, -3… when the dossier already had one."""
    dossier = order.dossier
    previous = DossierDocument.objects.filter(dossier=dossier, kind=KIND).count()
    base = f"TR-{dossier.number}"
    return base if previous == 0 else f"{base}-{previous + 1}"


def recovery_filename(document: DossierDocument) -> str:
    return f"titre-de-recette-{document.reference}.pdf"


def recovery_context(order: RecoveryOrder, *, reference: str, generated_at=None) -> dict:
    dossier = order.dossier
    organisation, region = dossier.organisation, dossier.scheme.region
    style = REGIONS.get(region.code)
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
        "accent": style.accent if style else "#1F4E8C",
        "tribunal": f"tribunal administratif de {style.tribunal}"
        if style
        else "tribunal administratif compétent",
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
    with translation.override("fr"):
        html = render_to_string(TEMPLATE, recovery_context(order, reference=reference))
    return HTML(string=html, url_fetcher=OfflineURLFetcher(timeout=1)).write_pdf(pdf_tags=True)


def ensure_recovery_document(order: RecoveryOrder) -> DossierDocument:
    dossier = order.dossier
    existing = current_document(dossier, KIND)
    if existing is not None:
        return existing
    if not order.amount or order.amount <= Decimal("0"):
        raise ValueError(f"Recovery order {order.pk} has nothing to recover.")
    reference = recovery_reference(order)
    pdf = render_recovery_pdf(order, reference=reference)
    document = DossierDocument(
        dossier=dossier, kind=KIND, reference=reference, sha256=hashlib.sha256(pdf).hexdigest()
    )
    document.file.save(recovery_filename(document), ContentFile(pdf), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        document.file.delete(save=False)
        winner = current_document(dossier, KIND)
        if winner is None:
            raise
        logger.info("Recovery order of dossier %s generated concurrently", dossier.pk)
        return winner
    except BaseException:
        document.file.delete(save=False)
        raise
    logger.info("Recovery order %s generated for dossier %s", reference, dossier.pk)
    return document
