"""IDF-CN2 commission permanente: sessions, agenda (bulk), votes (bulk)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.params import id_or_none, ids_or_400
from accounts.permissions import regions_for_role
from applications.enums import DossierState as S
from instruction import forms
from instruction.commission import (
    bulk,
    dossier_schedule,
    dossier_unschedule,
    fr_long_date,
    session_create,
    vote_record,
)
from instruction.enums import Vote
from instruction.models import AgendaItem, CommissionSession
from instruction.selectors import dossiers_for_agent
from instruction.services import commission_schemes
from territories.models import Region


def _regions(user):
    if not (user.has_role(Role.AGENT) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("Réservé aux instructeurs.")
    return Region.objects.filter(
        pk__in=regions_for_role(user, Role.AGENT), schemes__code__in=commission_schemes()
    ).distinct()


def _report(request, report) -> None:
    done = [d.number for d, ok, _ in report if ok]
    if done:
        messages.success(request, f"{len(done)} dossier(s) traité(s) : {', '.join(done)}.")
    for dossier, ok, why in report:
        if not ok:
            messages.error(request, f"{dossier.number} : {why}")


@login_required
def sessions(request):
    regions = _regions(request.user)
    form = forms.SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        region = get_object_or_404(regions, pk=id_or_none(request.POST.get("region")))
        try:
            session = session_create(
                user=request.user,
                region=region,
                number=form.cleaned_data["number"],
                date=form.cleaned_data["date"],
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, f"La séance {session} est créée.")
            return redirect("instruction:session", session.pk)
    context = {
        "sessions": CommissionSession.objects.filter(region__in=regions)
        .select_related("region")  # its name on each row
        .prefetch_related("items"),
        "form": form,
        "regions": regions,
    }
    return render(request, "instruction/sessions.html", context)


@login_required
def session_detail(request, pk: int):
    regions = _regions(request.user)
    session = get_object_or_404(CommissionSession.objects.filter(region__in=regions), pk=pk)
    items = session.items.select_related("dossier__organisation", "dossier__review").order_by(
        "dossier__number"
    )
    candidates = (
        dossiers_for_agent(request.user)
        .filter(
            state=S.PROPOSED,
            scheme__code__in=commission_schemes(),
            scheme__region=session.region,
            review__proposal_favourable=True,
        )
        .select_related("organisation", "review")
        .order_by("number")
    )
    today = timezone.localdate()
    return render(
        request,
        "instruction/session.html",
        {
            "session": session,
            "items": items,
            "candidates": candidates,
            "region": session.region,
            "pending": any(item.vote == Vote.PENDING for item in items),
            "vote_open": session.date <= today,
            "session_long_date": fr_long_date(session.date),
        },
    )


@login_required
@require_POST
def session_schedule(request, pk: int):
    regions = _regions(request.user)
    session = get_object_or_404(CommissionSession.objects.filter(region__in=regions), pk=pk)
    dossiers = dossiers_for_agent(request.user).filter(
        pk__in=ids_or_400(request.POST.getlist("dossiers"))
    )
    if not dossiers:
        messages.error(request, "Cochez au moins un dossier.")
    else:
        _report(
            request,
            bulk(
                lambda dossier: dossier_schedule(
                    user=request.user, dossier=dossier, session=session
                ),
                dossiers,
            ),
        )
    return redirect("instruction:session", pk)


@login_required
@require_POST
def session_vote(request, pk: int):
    """Record the votes of the checked items (each through the same transition)."""
    regions = _regions(request.user)
    session = get_object_or_404(CommissionSession.objects.filter(region__in=regions), pk=pk)
    vote = request.POST.get("vote")
    if vote not in (Vote.FOR, Vote.AGAINST):
        messages.error(request, "Choisissez le sens du vote.")
        return redirect("instruction:session", pk)
    items = _checked_items(request, session)
    if not items:
        messages.error(request, "Cochez au moins un dossier.")
        return redirect("instruction:session", pk)
    numbers = request.POST.get("deliberation_number", "")
    by_dossier = {i.dossier_id: i for i in items}
    report = bulk(
        lambda dossier: vote_record(
            user=request.user, item=by_dossier[dossier.pk], vote=vote, deliberation_number=numbers
        ),
        [i.dossier for i in items],
    )
    _report(request, report)
    return redirect("instruction:session", pk)


def _checked_items(request, session):
    """The checked agenda items of `session` whose dossiers the agent may instruct."""
    items = AgendaItem.objects.filter(
        session=session, pk__in=ids_or_400(request.POST.getlist("items"))
    ).select_related("dossier__scheme", "session")
    allowed = set(
        dossiers_for_agent(request.user)
        .filter(pk__in=[i.dossier_id for i in items])
        .values_list("pk", flat=True)
    )
    return [i for i in items if i.dossier_id in allowed]


@login_required
@require_POST
def session_unschedule(request, pk: int):
    """Take the checked dossiers off the agenda (before their vote): they return to « proposé »."""
    regions = _regions(request.user)
    session = get_object_or_404(CommissionSession.objects.filter(region__in=regions), pk=pk)
    items = _checked_items(request, session)
    if not items:
        messages.error(request, "Cochez au moins un dossier.")
        return redirect("instruction:session", pk)
    by_dossier = {i.dossier_id: i for i in items}
    report = bulk(
        lambda dossier: dossier_unschedule(user=request.user, item=by_dossier[dossier.pk]),
        [i.dossier for i in items],
    )
    _report(request, report)
    return redirect("instruction:session", pk)


@login_required
@require_POST
def bulk_assign(request):
    """Assign the dossiers checked in the queue; each goes through the same per-dossier service."""
    from instruction.selectors import colleagues
    from instruction.services import dossier_assign

    if not (request.user.has_role(Role.AGENT) or request.user.has_role(Role.ADMIN)):
        raise PermissionDenied("Réservé aux instructeurs.")
    agent = colleagues(request.user).filter(pk=id_or_none(request.POST.get("agent"))).first()
    dossiers = (
        dossiers_for_agent(request.user)
        .filter(pk__in=ids_or_400(request.POST.getlist("dossiers")))
        .select_related("scheme")
    )
    if agent is None or not dossiers:
        messages.error(
            request, "Cochez des dossiers et choisissez l'instructeur à qui les attribuer."
        )
    else:
        _report(
            request,
            bulk(
                lambda dossier: dossier_assign(user=request.user, dossier=dossier, agent=agent),
                dossiers,
            ),
        )
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/instruction/") else "instruction:queue")
