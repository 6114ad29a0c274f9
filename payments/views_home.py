"""The payments home (/paiements/): what each person has to do with money, by role."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.enums import Role
from accounts.permissions import regions_for_role
from instruction.permissions import agent_scope_q
from payments import batches
from payments.enums import BatchState, RequestState
from payments.models import PaymentBatch, PaymentRequest, RecoveryOrder
from schemes.models import Scheme

BUDGET_ROLES = (Role.FINANCE, Role.SCHEME_MANAGER, Role.AGENT, Role.ADMIN)


def _finance_panel(user) -> dict | None:
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


def _agent_panel(user) -> dict | None:
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
    return {"waiting": waiting[:50], "count": waiting.count()}


def _budget_schemes(user) -> list[Scheme]:
    if not any(user.has_role(role) for role in BUDGET_ROLES):
        return []
    region_ids = sorted({r for role in BUDGET_ROLES for r in regions_for_role(user, role)})
    return list(
        Scheme.objects.filter(region_id__in=region_ids)
        .select_related("region")
        .order_by("region__name", "code")
    )


def _applicant_requests(user):
    return (
        PaymentRequest.objects.filter(dossier__organisation__memberships__user=user)
        .select_related("dossier__organisation", "dossier__scheme", "payment")
        .order_by("-requested_at", "-pk")
    )


@login_required
@require_GET
def home(request):
    user = request.user
    context = {
        "finance": _finance_panel(user),
        "agent": _agent_panel(user),
        "budget_schemes": _budget_schemes(user),
        "my_requests": list(_applicant_requests(user)[:100]),
        "is_staff_viewer": any(user.has_role(role) for role in BUDGET_ROLES),
    }
    return render(request, "payments/home.html", context)
