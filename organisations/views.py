from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from organisations.forms import OrganisationForm, SiretLookupForm
from organisations.lookup import CompanyLookupUnavailable, get_lookup
from organisations.models import Organisation
from organisations.selectors import get_organisation_for_member
from organisations.services import organisation_create, organisation_update
from territories.models import Department


def _initial_from_lookup(request, siret: str) -> dict:
    """Pre-fill the form from the company register; a clear message when that fails."""
    initial = {"siret": siret}
    try:
        info = get_lookup().find(siret)
    except CompanyLookupUnavailable as exc:
        messages.warning(request, exc.message)
        return initial
    if info is None:
        messages.info(
            request,
            "Aucun établissement n'a été trouvé pour ce SIRET dans le répertoire des entreprises : "
            "saisissez les informations de votre organisation.",
        )
        return initial
    data = info.as_initial()
    data["department"] = Department.objects.filter(code=data.pop("department")).first()
    messages.success(
        request, "Les informations du répertoire des entreprises ont été reprises : vérifiez-les."
    )
    return {**data, "siret": siret}


@login_required
def organisation_list(request):
    organisations = Organisation.objects.for_user(request.user).select_related("department__region")
    return render(request, "organisations/list.html", {"organisations": organisations})


@login_required
def organisation_add(request):
    """Two forms on one page: look the SIRET up (optional), then check and save."""
    lookup_form = SiretLookupForm(request.POST if "lookup" in request.POST else None)
    if request.method == "POST" and "lookup" in request.POST:
        form = OrganisationForm()
        if lookup_form.is_valid():
            form = OrganisationForm(
                initial=_initial_from_lookup(request, lookup_form.cleaned_data["siret"])
            )
    elif request.method == "POST":
        form = OrganisationForm(request.POST)
        if form.is_valid():
            organisation = organisation_create(user=request.user, data=form.cleaned_data)
            messages.success(request, f"L'organisation « {organisation.name} » est enregistrée.")
            return redirect("organisations:list")
    else:
        form = OrganisationForm()
    return render(
        request,
        "organisations/form.html",
        {"form": form, "lookup_form": lookup_form, "creating": True},
    )


@login_required
def organisation_edit(request, pk: int):
    organisation = get_organisation_for_member(request.user, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    form.fields["siret"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "siret"}
        organisation_update(user=request.user, organisation=organisation, data=data)
        messages.success(request, "Les informations de l'organisation sont mises à jour.")
        return redirect("organisations:list")
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})
