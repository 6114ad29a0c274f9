"""The agent's side: service fait, decisions on provider changes; file downloads for both sides."""

import mimetypes
from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import Role
from accounts.params import parse_int
from accounts.permissions import regions_for_role
from applications.models import Dossier
from applications.scanning import unscanned_file_response
from applications.selectors import get_dossier_for_member
from applications.workflow import TransitionError
from common.files import private_file_response
from instruction.selectors import get_dossier_for_agent
from payments import services
from payments.forms import DecisionForm, RetainForm
from payments.models import Invoice, PaymentRequest, ProviderChange

REFUSALS = (ValidationError, TransitionError, PermissionDenied)
# URL kind → (file field, original-name field) of a payment request.
REQUEST_FILES = {
    "devis": ("quote", ""),
    "rib": ("rib", ""),
    "etat-recapitulatif": ("statement_file", "statement_file_name"),
    "attestation-fin": ("completion_file", "completion_file_name"),
}


def _to_review(dossier):
    return redirect(reverse("instruction:dossier", args=[dossier.pk]) + "#t-paiements")


def _messages_of(exc: Exception) -> str:
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


@login_required
@require_POST
def request_certify_view(request, pk: int, request_id: int):
    dossier = get_dossier_for_agent(request.user, pk)
    payment_request = get_object_or_404(PaymentRequest, pk=request_id, dossier=dossier)
    retained, errors = {}, []
    for invoice in payment_request.invoices.all():
        form = RetainForm(request.POST, prefix=f"invoice-{invoice.pk}")
        if form.is_valid():
            retained[invoice.pk] = form.retained()
        else:
            errors += [f"Facture {invoice.number} : {e}" for e in form.errors.get("status", [])]
            errors += [f"Facture {invoice.number} : {e}" for e in form.errors.get("amount", [])]
            errors += [f"Facture {invoice.number} : {e}" for e in form.errors.get("reason", [])]
    if errors:
        messages.error(request, " ".join(errors))
        return _to_review(dossier)
    version = request.POST.get("version", "")
    try:
        result = services.request_certify(
            user=request.user,
            request=payment_request,
            retained=retained,
            version=parse_int(version),
        )
    except REFUSALS as exc:
        messages.error(request, _messages_of(exc))
    else:
        if result.to_recover:
            messages.success(
                request,
                "Service fait certifié : l'avance dépasse l'aide finale, un titre de recette est "
                "émis pour le trop-perçu.",
            )
        else:
            messages.success(
                request, "Service fait certifié : le paiement est proposé au service financier."
            )
    return _to_review(dossier)


@login_required
@require_POST
def provider_change_decide_view(request, pk: int, change_id: int):
    dossier = get_dossier_for_agent(request.user, pk)
    change = get_object_or_404(ProviderChange, pk=change_id, dossier=dossier)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez d'accepter ou de refuser le changement.")
        return _to_review(dossier)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        services.provider_change_decide(
            user=request.user, change=change, accept=accept, comment=form.cleaned_data["comment"]
        )
    except REFUSALS as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(
            request,
            f"Changement de prestataire {'accepté' if accept else 'refusé'} : le bénéficiaire "
            "est prévenu.",
        )
    return _to_review(dossier)


def _dossier_for_reader(user, pk: int):
    """Agents of the dossier's scope, finance officers of its region (they check the invoices
    and a new RIB before validating), else members of its organisation; 404 for anyone else."""
    try:
        return get_dossier_for_agent(user, pk)
    except Http404:
        pass
    regions = regions_for_role(user, Role.FINANCE)
    if regions:
        dossier = Dossier.objects.filter(pk=pk, scheme__region_id__in=regions).first()
        if dossier is not None:
            return dossier
    return get_dossier_for_member(user, pk)


def _serve(request, field_file, name: str):
    if not field_file:
        raise Http404("Fichier introuvable.")
    # Uploaded by the applicant: never served infected, nor before a clean scan (CLAMAV_REQUIRED).
    refused = unscanned_file_response(request, field_file)
    if refused:
        return refused
    extension = PurePath(field_file.name).suffix.lower()
    if not PurePath(name).suffix:
        name += extension
    return private_file_response(
        field_file,
        filename=name,
        content_type=mimetypes.guess_type(f"x{extension}")[0] or "application/octet-stream",
        sandbox=True,
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def invoice_file(request, pk: int, invoice_id: int):
    dossier = _dossier_for_reader(request.user, pk)
    invoice = get_object_or_404(Invoice, pk=invoice_id, request__dossier=dossier)
    return _serve(request, invoice.file, invoice.file_name or f"facture-{invoice.number}")


@login_required
@require_http_methods(["GET", "HEAD"])
def payment_file(request, pk: int, kind: str, obj_id: int):
    """`devis`, `rib`, `etat-recapitulatif` and `attestation-fin` of a payment request,
    `devis-changement` of a provider change."""
    dossier = _dossier_for_reader(request.user, pk)
    if kind in REQUEST_FILES:
        payment_request = get_object_or_404(PaymentRequest, pk=obj_id, dossier=dossier)
        field, name_field = REQUEST_FILES[kind]
        name = getattr(payment_request, name_field, "") if name_field else ""
        return _serve(request, getattr(payment_request, field), name or f"{kind}-{dossier.number}")
    if kind == "devis-changement":
        change = get_object_or_404(ProviderChange, pk=obj_id, dossier=dossier)
        return _serve(request, change.quote, f"nouveau-devis-{dossier.number}")
    raise Http404("Fichier introuvable.")
