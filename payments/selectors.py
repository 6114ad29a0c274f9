"""Reads of the payments app: what each person has to do with money (the payments home panels),
and what a dossier was asked, paid and owes (its payments panel)."""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.enums import Role
from accounts.permissions import regions_for_role
from applications.enums import PAYABLE_STATES
from instruction.permissions import agent_scope_q
from payments import batches, services
from payments.enums import BatchState, ChangeState, RequestState
from payments.models import Invoice, PaymentBatch, PaymentRequest, RecoveryOrder
from payments.models_finance import FinanceNumbers
from schemes.models import Scheme

# Who sees the budget envelopes of their regions' schemes.
BUDGET_ROLES = (Role.FINANCE, Role.SCHEME_MANAGER, Role.AGENT, Role.ADMIN)
AGENT_PANEL_ROWS = 50


def finance_panel(*, user) -> dict | None:
    """A finance officer's counts and totals: to validate, to batch, batches, recoveries due."""
    if not (user.has_role(Role.FINANCE) or user.has_role(Role.ADMIN)):
        return None
    region_ids = regions_for_role(user, Role.FINANCE)
    to_validate = PaymentRequest.objects.filter(
        state=RequestState.CERTIFIED, dossier__scheme__region_id__in=region_ids
    ).aggregate(count=Count("pk"), total=Sum("amount"))
    batchable = batches.batchable_payments(region_ids).aggregate(
        count=Count("pk"), total=Sum("amount")
    )
    lots = PaymentBatch.objects.filter(region_id__in=region_ids).aggregate(
        open=Count("pk", filter=Q(state=BatchState.OPEN)),
        exported=Count("pk", filter=Q(state=BatchState.EXPORTED)),
    )
    recoveries = RecoveryOrder.objects.filter(
        dossier__scheme__region_id__in=region_ids, received_on__isnull=True
    ).aggregate(count=Count("pk"), total=Sum("amount"))
    return {
        "to_validate": to_validate,
        "batchable": batchable,
        "batches": lots,
        "recoveries": recoveries,
    }


def agent_panel(*, user) -> dict | None:
    """The payment requests waiting for the agent's certification (first rows and count)."""
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        return None
    waiting = (
        PaymentRequest.objects.filter(
            agent_scope_q(user, prefix="dossier__"),
            state__in=[RequestState.SUBMITTED, RequestState.SENT_BACK],
        )
        .select_related("dossier__organisation", "dossier__scheme")
        .order_by("requested_at", "pk")
    )
    return {"waiting": waiting[:AGENT_PANEL_ROWS], "count": waiting.count()}


def is_budget_viewer(user) -> bool:
    return any(user.has_role(role) for role in BUDGET_ROLES)


def budget_schemes(*, user) -> list[Scheme]:
    """The schemes of the regions where the user sees the budget."""
    if not is_budget_viewer(user):
        return []
    region_ids = sorted({r for role in BUDGET_ROLES for r in regions_for_role(user, role)})
    return list(
        Scheme.objects.filter(region_id__in=region_ids)
        .select_related("region")
        .order_by("region__name", "code")
    )


def applicant_requests(*, user) -> QuerySet[PaymentRequest]:
    """The payment requests of the user's organisations, newest first."""
    return (
        PaymentRequest.objects.filter(dossier__organisation__memberships__user=user)
        .select_related("dossier__organisation", "dossier__scheme", "payment")
        .order_by("-requested_at", "-pk")
    )


def dossier_payment_overview(*, dossier, today: date | None = None) -> dict:
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
        "deadline_passed": bool(deadline and (today or timezone.localdate()) > deadline),
        "payable": awarded and dossier.state in PAYABLE_STATES,
        # The legal commitment (EJ) in the finance software, once finance recorded it.
        "commitment_number": (
            FinanceNumbers.objects.filter(dossier=dossier)
            .values_list("commitment_number", flat=True)
            .first()
            if awarded
            else None
        ),
    }
