"""The queue each agent shapes: columns, saved filters, labels (pages and POST actions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.params import id_or_none, ids_or_400
from accounts.permissions import regions_for_role
from instruction.models_queue import LabelColour, SavedFilter
from instruction.queue import COLUMNS
from instruction.selectors import dossiers_for_agent
from instruction.shaping import (
    dossier_label,
    label_create,
    label_delete,
    labels_for,
    queue_columns_set,
    saved_filter_delete,
    saved_filter_save,
)
from territories.models import Region

BULK_LABEL_MAX = 200  # a page of the queue at most; larger selections go through a batch job


def _agent_required(user) -> None:
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("Réservé aux instructeurs.")


def _back(request):
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/instruction/") else "instruction:queue")


def _error(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


@login_required
@require_POST
def columns(request):
    _agent_required(request.user)
    if request.POST.get("reset"):
        chosen = [key for key in COLUMNS if key not in ("failing", "de_minimis")]
    else:
        chosen = request.POST.getlist("columns")
    try:
        queue_columns_set(user=request.user, columns=chosen, allowed=list(COLUMNS))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, "Les colonnes de votre file sont enregistrées.")
    return _back(request)


@login_required
@require_POST
def filter_save(request):
    _agent_required(request.user)
    try:
        saved = saved_filter_save(
            user=request.user,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
            shared=request.POST.get("shared") == "1",
        )
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        shared = " et partagé avec l'équipe de la Région" if saved.shared else ""
        messages.success(request, f"Le filtre « {saved.name} » est enregistré{shared}.")
    return _back(request)


@login_required
@require_POST
def filter_delete(request, pk: int):
    _agent_required(request.user)
    saved = get_object_or_404(SavedFilter.objects.filter(owner=request.user), pk=pk)
    saved_filter_delete(user=request.user, saved=saved)
    messages.success(request, f"Le filtre « {saved.name} » est supprimé.")
    return _back(request)


@login_required
def labels(request):
    """The labels of the agent's region(s): list, creation, deletion."""
    _agent_required(request.user)
    regions = Region.objects.filter(pk__in=regions_for_role(request.user, Role.AGENT)).order_by(
        "name"
    )
    if request.method == "POST":
        region = regions.filter(pk=id_or_none(request.POST.get("region"))).first()
        if region is None and len(regions) == 1:
            region = regions[0]
        try:
            label = label_create(
                user=request.user,
                region=region,
                name=request.POST.get("name", ""),
                colour=request.POST.get("colour", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            _error(request, exc)
            status = 400
        else:
            messages.success(request, f"L'étiquette « {label.name} » est créée.")
            return redirect("instruction:labels")
    else:
        status = 200
    context = {
        "labels": labels_for(request.user).select_related("region"),
        "regions": regions,
        "colours": LabelColour.choices,
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "instruction/labels.html", context, status=status)


@login_required
@require_POST
def label_remove(request, pk: int):
    _agent_required(request.user)
    label = get_object_or_404(labels_for(request.user), pk=pk)
    label_delete(user=request.user, label=label)
    messages.success(request, f"L'étiquette « {label.name} » est supprimée de tous les dossiers.")
    return redirect("instruction:labels")


@login_required
@require_POST
def bulk_label(request):
    """Put a label on (or take it off) the dossiers checked in the queue, one by one."""
    _agent_required(request.user)
    label = labels_for(request.user).filter(pk=id_or_none(request.POST.get("label"))).first()
    ids = ids_or_400(request.POST.getlist("dossiers"))
    if label is None or not ids:
        messages.error(request, "Cochez des dossiers et choisissez une étiquette.")
        return _back(request)
    if len(ids) > BULK_LABEL_MAX:
        messages.error(request, f"Étiquetez au plus {BULK_LABEL_MAX} dossiers à la fois.")
        return _back(request)
    on = request.POST.get("remove") != "1"
    dossiers = dossiers_for_agent(request.user).filter(pk__in=ids).select_related("scheme")
    done, refused = [], []
    for dossier in dossiers.order_by("number"):
        try:
            dossier_label(user=request.user, dossier=dossier, label=label, on=on)
        except PermissionDenied as exc:
            refused.append(f"{dossier.number} : {exc}")
        else:
            done.append(dossier.number)
    if done:
        verb = "étiqueté(s)" if on else "sans l'étiquette"
        messages.success(request, f"{len(done)} dossier(s) {verb} « {label.name} ».")
    for line in refused:
        messages.error(request, line)
    return _back(request)
