from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from organisations.forms import OrganisationForm, SiretLookupForm
from organisations.invitations import invitation_accept, invitation_create, invitation_revoke
from organisations.lookup import CompanyLookupUnavailable, get_lookup
from organisations.models import Invitation, Organisation
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


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de la personne à inviter")


@login_required
def organisation_members(request, pk: int):
    organisation = get_organisation_for_member(request.user, pk)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation_create(
                user=request.user, organisation=organisation, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
            return redirect("organisations:members", organisation.pk)
    context = {
        "organisation": organisation,
        "members": organisation.memberships.select_related("user"),
        "invitations": organisation.invitations.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "form": form,
    }
    return render(request, "organisations/members.html", context)


@login_required
@require_POST
def invitation_delete(request, pk: int, invitation_id: int):
    organisation = get_organisation_for_member(request.user, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    invitation_revoke(user=request.user, invitation=invitation)
    messages.success(request, f"L'invitation de {invitation.email} est retirée.")
    return redirect("organisations:members", organisation.pk)


@login_required
def invitation_answer(request, token: str):
    invitation = (
        Invitation.objects.filter(token=token).select_related("organisation", "invited_by").first()
    )
    if request.method == "POST":
        try:
            membership = invitation_accept(user=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, f"Vous êtes maintenant membre de {membership.organisation.name}."
            )
            return redirect("organisations:list")
    return render(request, "organisations/invitation.html", {"invitation": invitation})
