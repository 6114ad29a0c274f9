"""Reads of the payments app: what each person has to do with money (the payments home panels)."""

from django.db.models import Count, Q, QuerySet, Sum

from accounts.enums import Role
from accounts.permissions import regions_for_role
from instruction.permissions import agent_scope_q
from payments import batches
from payments.enums import BatchState, RequestState
from payments.models import PaymentBatch, PaymentRequest, RecoveryOrder
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
