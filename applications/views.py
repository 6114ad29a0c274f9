from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.views.decorators.http import require_POST

from applications import services
from applications.completeness import missing_for_display
from applications.forms import (
    BankForm,
    DeMinimisFormSet,
    EligibilityForm,
    ExpenseForm,
    ExpenseFormSet,
    FundingForm,
    HoldingFormSet,
    ProjectForm,
    SubmitForm,
)
from applications.lines import INVALID, KEEP, bind_lines, posted_lines
from applications.selectors import (
    dossiers_of_member,
    get_dossier_for_member,
    open_dossiers_by_pair,
)
from applications.steps import STEPS, next_step
from applications.workflow import TRANSITIONS, TransitionError
from organisations.forms import OrganisationForm
from organisations.models import Organisation
from organisations.services import organisation_update
from schemes.formsets import with_one_more_form
from schemes.models import Scheme
from schemes.selectors import version_to_show


def step_context(dossier, step: str, *, live_estimate: bool = True, **extra) -> dict:
    """What every step page shows: the stepper, the live estimate, the region's colours."""
    today = timezone.localdate()
    estimate = None
    if live_estimate:
        estimate = services.dossier_estimate(dossier, on=dossier.filed_on or today)
    return {
        "dossier": dossier,
        "step": step,
        "steps": STEPS,
        "region": dossier.scheme.region,
        "estimate": estimate,
        **extra,
    }


def _editable_or_redirect(request, dossier):
    if not dossier.is_editable:
        messages.info(request, "Ce dossier a été déposé : il ne peut plus être modifié.")
        return redirect("applications:detail", dossier.pk)
    return None


def _is_autosave(request) -> bool:
    """A save sent by static/js/autosave.js (it answers JSON, not a page)."""
    return request.headers.get("X-Requested-With") == "autosave"


def _saved_state(dossier, ids: dict | None) -> dict:
    """What the autosave script shows and writes into the page after a save."""
    saved = timezone.localtime(dossier.last_saved_at)
    return {"saved_at": formats.time_format(saved, "H:i"), "ids": ids or {}}


def _after_save(request, dossier, step: str, ids: dict | None = None):
    """Autosave answers JSON; "save" stays on the page; "continue" goes to the next step.

    `ids`: the stored line of each new line of the page (field name of its hidden id -> id),
    which the autosave script writes into the page so that the next save updates those lines.
    """
    if _is_autosave(request):
        return JsonResponse({"ok": True, **_saved_state(dossier, ids)})
    messages.success(request, "Vos réponses sont enregistrées.")
    following = next_step(step)
    if "continue" in request.POST and following:
        return redirect(following.url_name, dossier.pk)
    return redirect(request.path)


def _invalid(request):
    if _is_autosave(request):
        return JsonResponse({"ok": False}, status=400)
    return None


def _partly_saved(request, dossier, ids: dict | None = None):
    """A page with errors whose valid fields were saved: say so (autosave: in JSON)."""
    if _is_autosave(request):
        return JsonResponse(
            {"ok": False, "partial": True, **_saved_state(dossier, ids)}, status=400
        )
    messages.warning(
        request,
        "Vos réponses valides sont enregistrées. Corrigez les champs signalés : "
        "ils ne sont pas encore enregistrés, mais ce que vous avez saisi reste affiché.",
    )
    return None


@login_required
def dossier_list(request):
    return render(request, "applications/list.html", {"dossiers": dossiers_of_member(request.user)})


@login_required
def dossier_new(request):
    today = timezone.localdate()
    organisations = list(
        Organisation.objects.for_user(request.user).select_related("department__region")
    )
    schemes = list(
        Scheme.objects.open_on(today).select_related("region").prefetch_related("call_periods")
    )
    in_progress = open_dossiers_by_pair(organisations)
    # Each organisation with the schemes open to it, and its dossier in progress for each, if any.
    options = [
        (
            organisation,
            [
                (s, in_progress.get((organisation.pk, s.pk)))
                for s in schemes
                if organisation.region
                and s.region_id == organisation.region.pk
                and organisation.kind in s.applicant_kinds
            ],
        )
        for organisation in organisations
    ]
    startable = any(existing is None for _, pairs in options for _, existing in pairs)
    if request.method == "POST":
        organisation_id, _, scheme_code = request.POST.get("choice", "").partition("|")
        try:
            organisation = next(o for o in organisations if str(o.pk) == organisation_id)
            scheme = next(s for s in schemes if s.code == scheme_code)
        except StopIteration:
            messages.error(request, "Choisissez une organisation et un dispositif ouvert.")
        else:
            existing = in_progress.get((organisation.pk, scheme.pk))
            if existing is not None:  # a page drawn before the dossier was created (two tabs)
                messages.info(
                    request,
                    f"{organisation.name} a déjà un dossier en cours pour ce dispositif : "
                    f"le dossier {existing.number}, que voici.",
                )
                return redirect("applications:detail", existing.pk)
            try:
                dossier = services.dossier_create(
                    user=request.user, organisation=organisation, scheme=scheme, today=today
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(
                    request,
                    f"Le dossier {dossier.number} est créé : il est enregistré à chaque étape.",
                )
                return redirect("applications:step_organisation", dossier.pk)
    return render(request, "applications/new.html", {"options": options, "startable": startable})


@login_required
def dossier_detail(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    # A submitted dossier shows the estimate frozen at submission (dossier.result), not a new one.
    context = step_context(dossier, "", live_estimate=not dossier.result)
    context["timeline"] = [
        {
            "event": event,
            "label": TRANSITIONS[event.transition].label
            if event.transition in TRANSITIONS
            else event.transition,
        }
        for event in dossier.transitions.select_related("actor")
    ]
    context["missing"] = missing_for_display(dossier) if dossier.is_editable else []
    return render(request, "applications/detail.html", context)


@login_required
def step_organisation(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if response := _editable_or_redirect(request, dossier):
        return response
    organisation = dossier.organisation
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    form.fields["siret"].disabled = True
    if request.method == "POST":
        complete = form.is_valid()
        # A field with an error keeps its stored value; the valid ones are saved all the same.
        data = {k: v for k, v in form.cleaned_data.items() if k != "siret"}
        try:
            organisation_update(user=request.user, organisation=organisation, data=data)
        except ValidationError:
            if complete:
                raise
        else:
            services.dossier_update(user=request.user, dossier=dossier, data={})
        if complete:
            return _after_save(request, dossier, "organisation")
        if response := _partly_saved(request, dossier):
            return response
    return render(
        request,
        "applications/step_organisation.html",
        step_context(dossier, "organisation", form=form),
    )


def _holding(form) -> dict:
    return {
        "share": str((form.cleaned_data["share"] / 100).quantize(Decimal("0.0001"))),
        "headcount": form.cleaned_data["headcount"],
        "turnover": str(form.cleaned_data["turnover"]),
    }


def _asks_holdings(dossier) -> bool:
    """The partner and linked enterprises are asked where the scheme's rules add them up (the
    cited `sme_aggregation` parameter: PDL FAQ 4 and 5)."""
    day = dossier.filed_on or timezone.localdate()
    version = version_to_show(scheme_code=dossier.scheme.code, day=day)
    return bool(version and version.value("sme_aggregation"))


@login_required
def step_eligibility(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if response := _editable_or_redirect(request, dossier):
        return response
    code = dossier.scheme.code
    data = request.POST if request.method == "POST" else None
    adding = data is not None and "add_line" in data
    if adding:
        data = with_one_more_form(data, "holdings")
    form = EligibilityForm(
        data,
        scheme_code=code,
        answers=dossier.answers,
        organisation=dossier.organisation,
    )
    holdings_initial = [
        {
            "share": Decimal(h["share"]) * 100,
            "headcount": h["headcount"],
            "turnover": Decimal(h["turnover"]),
        }
        for h in dossier.answers.get("holdings", [])
    ]
    holdings = (
        bind_lines(HoldingFormSet, data, prefix="holdings", initial=holdings_initial)
        if _asks_holdings(dossier)
        else None
    )
    if request.method == "POST":
        form.is_valid()
        answers = form.answers(dossier.answers)
        complete = not form.errors
        if holdings is not None:
            posted = posted_lines(holdings)
            if posted.complete and holdings.is_valid():
                answers["holdings"] = [_holding(f) for state, f in posted.forms if state == KEEP]
            else:  # the stored holdings stay; the page shows what was typed, with the errors
                complete = False
        services.dossier_update(user=request.user, dossier=dossier, data={"answers": answers})
        if complete and not adding:
            return _after_save(request, dossier, "eligibilite")
        if not complete and (response := _partly_saved(request, dossier)):
            return response
    return render(
        request,
        "applications/step_eligibility.html",
        step_context(dossier, "eligibilite", form=form, holdings=holdings),
    )


def _expense_lines(dossier) -> list[dict]:
    """The stored lines as the project page's forms start from them."""
    fields = ExpenseForm.Meta.fields
    return [
        {"line_id": line.pk, **{f: getattr(line, f) for f in fields}}
        for line in dossier.expenses.all()
    ]


def _save_project(request, dossier, form, formset, bases: list[str]) -> tuple[bool, dict]:
    """Save every valid field and line of the project page: (the page had no error, the ids).

    A line with an error keeps its stored version (if it had one); the page shows what was typed.
    The ids map the hidden id field of each line the page did not know yet to its stored line.
    """
    form.is_valid()
    cleaned = form.cleaned_data
    fields = {name: cleaned[name] for name in ("title", "description") if name in cleaned}
    if "expense_basis" not in form.fields:
        fields["expense_basis"] = bases[0]
    elif "expense_basis" in cleaned:
        fields["expense_basis"] = cleaned["expense_basis"] or bases[0]
    fields["report"] = {**(dossier.report or {}), **form.report()}
    services.dossier_update(user=request.user, dossier=dossier, data=fields)
    posted = posted_lines(formset)
    ids = {}
    if posted.readable:
        lines, forms = [], []
        for state, line in posted.forms:
            if state == KEEP:
                lines.append(line.line())
            elif state == INVALID and line.stored_id():
                lines.append({"id": line.stored_id()})
            else:
                continue
            forms.append(line)
        stored = services.dossier_set_expenses(user=request.user, dossier=dossier, lines=lines)
        ids = {
            line["line_id"].html_name: pk
            for line, pk in zip(forms, stored, strict=True)
            if pk is not None and line.stored_id() != pk
        }
        for name, pk in ids.items():  # the page drawn again from this post names them too
            formset.data[name] = str(pk)
    return not form.errors and posted.complete and formset.is_valid(), ids


@login_required
def step_project(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if response := _editable_or_redirect(request, dossier):
        return response
    version = version_to_show(scheme_code=dossier.scheme.code, day=timezone.localdate())
    bases = list(version.value("expense_bases") or ["HT"]) if version else ["HT"]
    categories = list(version.value("eligible_categories") or []) if version else []
    # A copy: the page drawn again from this post gets the ids of the lines it created.
    data = request.POST.copy() if request.method == "POST" else None
    adding = data is not None and "add_line" in data
    if adding:
        data = with_one_more_form(data, "expenses")
    initial = {
        "title": dossier.title,
        "description": dossier.description,
        "expense_basis": dossier.expense_basis,
    }
    initial.update({f"report_{k}": v for k, v in (dossier.report or {}).items()})
    form = ProjectForm(data, scheme_code=dossier.scheme.code, expense_bases=bases, initial=initial)
    formset = bind_lines(
        ExpenseFormSet,
        data,
        prefix="expenses",
        initial=_expense_lines(dossier),
        form_kwargs={"categories": categories},
    )
    if request.method == "POST":
        complete, ids = _save_project(request, dossier, form, formset, bases)
        if complete and not adding:
            return _after_save(request, dossier, "projet", ids)
        if not complete and (response := _partly_saved(request, dossier, ids)):
            return response
    context = step_context(dossier, "projet", form=form, formset=formset)
    return render(request, "applications/step_project.html", context)


@login_required
def step_funding(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if response := _editable_or_redirect(request, dossier):
        return response
    data = request.POST if request.method == "POST" else None
    adding = data is not None and "add_line" in data
    if adding:
        data = with_one_more_form(data, "aids")
    form = FundingForm(
        data,
        initial={
            "other_public_funding": dossier.other_public_funding,
            "other_public_funding_detail": dossier.other_public_funding_detail,
        },
    )
    fields = ("granting_body", "granted_on", "amount")
    stored = [{k: getattr(a, k) for k in fields} for a in dossier.de_minimis_aids.all()]
    aids = bind_lines(DeMinimisFormSet, data, prefix="aids", initial=stored)
    if request.method == "POST":
        form.is_valid()
        cleaned = form.cleaned_data
        posted = posted_lines(aids)
        lines_ok = posted.complete and aids.is_valid()
        services.dossier_set_funding(
            user=request.user,
            dossier=dossier,
            other_public_funding=cleaned.get("other_public_funding", dossier.other_public_funding),
            detail=cleaned.get("other_public_funding_detail", dossier.other_public_funding_detail),
            # Lines with an error: the stored aids stay until the page is corrected.
            aids=[
                {k: f.cleaned_data[k] for k in fields} for state, f in posted.forms if state == KEEP
            ]
            if lines_ok
            else stored,
            declared=not form.errors,
        )
        complete = lines_ok and not form.errors
        if complete and not adding:
            return _after_save(request, dossier, "financements")
        if not complete and (response := _partly_saved(request, dossier)):
            return response
    return render(
        request,
        "applications/step_funding.html",
        step_context(dossier, "financements", form=form, aids=aids),
    )


@login_required
def step_bank(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if response := _editable_or_redirect(request, dossier):
        return response
    initial = {
        "iban": dossier.iban,
        "bic": dossier.bic,
        "account_holder": dossier.account_holder or dossier.organisation.name,
    }
    form = BankForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            services.dossier_set_bank_details(
                user=request.user,
                dossier=dossier,
                iban=form.cleaned_data["iban"],
                bic=form.cleaned_data["bic"],
                holder=form.cleaned_data["account_holder"],
            )
            return _after_save(request, dossier, "banque")
        if response := _invalid(request):
            return response
    return render(
        request, "applications/step_bank.html", step_context(dossier, "banque", form=form)
    )


@login_required
def step_summary(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if response := _editable_or_redirect(request, dossier):
        return response
    form = SubmitForm()
    context = step_context(
        dossier, "recapitulatif", form=form, missing=missing_for_display(dossier)
    )
    return render(request, "applications/step_summary.html", context)


@login_required
@require_POST
def dossier_submit(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        context = step_context(
            dossier, "recapitulatif", form=form, missing=missing_for_display(dossier)
        )
        return render(request, "applications/step_summary.html", context, status=400)
    try:
        services.dossier_submit(user=request.user, dossier=dossier, sworn=True)
    except TransitionError as exc:
        messages.info(
            request, f"{exc.message} Il a déjà été déposé : une seule soumission est enregistrée."
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("applications:step_summary", dossier.pk)
    else:
        messages.success(
            request, "Votre dossier est déposé. Le récépissé vous est envoyé par courriel."
        )
    return redirect(reverse("applications:detail", args=[dossier.pk]))
