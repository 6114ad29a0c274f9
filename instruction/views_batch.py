"""Batch operations from the queue: prepare (preview), launch, follow the job's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.params import ids_or_400
from instruction import batch
from instruction.models_batch import BatchAction, ItemOutcome, JobStatus
from instruction.queue import Scope, queue_list
from instruction.shaping import labels_for


def _agent_required(user) -> None:
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("Réservé aux instructeurs.")


def _selected_ids(request) -> list[int]:
    """The dossiers checked in the queue, or every dossier of its filtered list (`all`)."""
    if request.POST.get("all") == "1":
        params = QueryDict(request.POST.get("query", ""))
        result = queue_list(scope=Scope.for_user(request.user), params=params)
        return list(result.queryset.values_list("pk", flat=True)[: batch.BATCH_MAX + 1])
    return ids_or_400(request.POST.getlist("dossiers"))


def _prepare_page(request, *, action, ids, errors=None, status=200):
    rows = batch.batch_preview(user=request.user, action=action, ids=ids)
    possible = [row for row in rows if row["possible"]]
    context = {
        "action": action,
        "action_label": BatchAction(action).label,
        "rows": rows,
        "possible_count": len(possible),
        "ids": [row["dossier"].pk for row in rows],
        "token": request.POST.get("token") or batch.new_token(),
        "errors": errors or {},
        "posted": request.POST,
        "labels": labels_for(request.user) if action == BatchAction.LABEL else [],
        "batch_max": batch.BATCH_MAX,
        "next": request.POST.get("next", ""),
    }
    return render(request, "instruction/batch_prepare.html", context, status=status)


@login_required
@require_POST
def prepare(request):
    """The selection and the chosen operation: a preview per dossier before launching."""
    _agent_required(request.user)
    action = request.POST.get("batch_action", "")
    ids = _selected_ids(request)
    back = request.POST.get("next", "")
    back = back if back.startswith("/instruction/") else "instruction:queue"
    if action not in BatchAction.values:
        messages.error(request, "Choisissez l'opération à appliquer aux dossiers cochés.")
        return redirect(back)
    if not ids:
        messages.error(request, "Cochez au moins un dossier.")
        return redirect(back)
    if len(ids) > batch.BATCH_MAX:
        messages.error(
            request,
            f"Un lot compte au plus {batch.BATCH_MAX} dossiers : affinez les filtres de la file.",
        )
        return redirect(back)
    return _prepare_page(request, action=action, ids=ids)


@login_required
@require_POST
def start(request):
    _agent_required(request.user)
    action = request.POST.get("batch_action", "")
    if action not in BatchAction.values:
        messages.error(request, "Choisissez l'opération à appliquer aux dossiers cochés.")
        return redirect("instruction:queue")
    ids = ids_or_400(request.POST.getlist("dossiers"))
    try:
        params = batch.clean_params(user=request.user, action=action, data=request.POST)
        job = batch.batch_create(
            user=request.user,
            action=action,
            ids=ids,
            params=params,
            token=request.POST.get("token", "")[:64] or batch.new_token(),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        errors = {key: " ".join(value) for key, value in errors.items()}
        return _prepare_page(request, action=action, ids=ids, errors=errors, status=400)
    return redirect("instruction:batch", job.pk)


@login_required
def job(request, pk: int):
    _agent_required(request.user)
    found = batch.job_for_user(request.user, pk)
    items = found.items.select_related("dossier__organisation").order_by("position")
    context = {
        "job": found,
        "items": items,
        "summary": batch.job_summary(found),
        "running": found.status != JobStatus.DONE,
        "Outcome": ItemOutcome,
    }
    return render(request, "instruction/batch_job.html", context)


@login_required
def jobs(request):
    _agent_required(request.user)
    mine = request.user.batch_jobs.order_by("-created_at")[:30]
    return render(request, "instruction/batch_list.html", {"jobs": mine})
