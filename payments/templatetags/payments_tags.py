"""Payment data for the pages of lower apps (the applicant's dossier page, the agent's review page):
templates include the payments panels, which load these tags; Python of those apps never imports
payments."""

from django import template
from django.db.models import Prefetch
from django.utils import timezone

from applications.enums import PAYABLE_STATES
from payments import services
from payments.enums import ChangeState, PaymentKind, RequestState
from payments.models import Invoice

register = template.Library()


@register.simple_tag
def payment_kinds(dossier) -> list[dict]:
    """What the beneficiary may ask for now: [{"code": "advance", "label": "Avance"}, ...]."""
    return [{"code": k, "label": PaymentKind(k).label} for k in services.request_kinds(dossier)]


@register.simple_tag
def payment_overview(dossier) -> dict:
    """Requests (with invoices and the supplier each line's accepted quote names), payments,
    recovery orders, provider changes and the proof deadline of a dossier."""
    requests = list(
        dossier.payment_requests.select_related("payment", "recovery_order").prefetch_related(
            Prefetch(
                "invoices",
                queryset=Invoice.objects.select_related("expense_line").prefetch_related(
                    "expense_line__provider_changes"
                ),
            )
        )
    )
    for payment_request in requests:
        for invoice in payment_request.invoices.all():
            line = invoice.expense_line
            invoice.accepted_supplier = services.accepted_supplier(line) if line else ""
            invoice.supplier_differs = bool(
                line
                and invoice.accepted_supplier
                and invoice.supplier.strip().casefold() != invoice.accepted_supplier.casefold()
            )
        payment_request.open_for_certify = payment_request.state in (
            RequestState.SUBMITTED,
            RequestState.SENT_BACK,
        )
        explanation = (payment_request.settle_result or {}).get("explanation") or []
        payment_request.explanation = (
            explanation if isinstance(explanation, list) else [str(explanation)]
        )
    changes = list(dossier.provider_changes.select_related("expense_line"))
    # Never awarded and nothing asked: no payment, recovery order or deadline to read.
    awarded = bool(requests or dossier.awarded_amount)
    payments = list(dossier.payments.order_by("validated_at")) if awarded else []
    deadline = (
        getattr(getattr(dossier, "review", None), "proofs_deadline", None) if awarded else None
    )
    return {
        "requests": requests,
        "payments": payments,
        "paid_total": sum((p.amount for p in payments if p.paid_on), 0),
        "recoveries": list(dossier.recovery_orders.all()) if awarded else [],
        "changes": changes,
        "pending_changes": [c for c in changes if c.state == ChangeState.PENDING],
        "proofs_deadline": deadline,
        "deadline_passed": bool(deadline and timezone.localdate() > deadline),
        "payable": awarded and dossier.state in PAYABLE_STATES,
    }
