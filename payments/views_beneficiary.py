"""The beneficiary's side: payment requests, the statement to sign, a change of provider."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from applications.enums import PAYABLE_STATES
from applications.selectors import get_dossier_for_member
from payments import services, staging
from payments.documents import ensure_statement, statement_filename
from payments.enums import PaymentKind
from payments.forms import (
    FILES_AGAIN,
    FILES_KEPT,
    AdvanceForm,
    ClosingDocumentsForm,
    InvoiceFormSet,
    PaymentBankForm,
    ProviderChangeForm,
)
from schemes.core import procedure
from schemes.formsets import with_one_more_form

INVOICES = "invoices"


def _to_dossier(dossier):
    return redirect("applications:detail", pk=dossier.pk)


def _add_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


def _file_forms(parts) -> list:
    """Every form of the page that has file fields (the formset's forms one by one)."""
    forms_ = []
    for part in parts:
        forms_.extend(part.forms if hasattr(part, "forms") else [part])
    return forms_


def _show_refusals(parts, refusals: dict) -> None:
    """A refused file is named on its own field; the rest of the page stays as typed."""
    for form in _file_forms(parts):
        for name in form.fields:
            exc = refusals.get(form.add_prefix(name))
            if exc is not None:
                form.errors.pop(name, None)  # the refusal says more than « joignez le fichier »
                form.add_error(name, exc)


@login_required
@require_http_methods(["GET", "POST"])
def payment_request_new(request, pk: int, kind: str):
    dossier = get_dossier_for_member(request.user, pk)
    if kind not in services.request_kinds(dossier):
        messages.error(
            request, "Cette demande de paiement n'est pas possible pour ce dossier aujourd'hui."
        )
        return _to_dossier(dossier)
    posted = request.method == "POST"
    adding = posted and "add_invoice" in request.POST
    data = request.POST if posted else None
    if adding:
        data = with_one_more_form(data, INVOICES)
    if not posted:
        staging.clear(request.session, dossier, kind)  # a fresh page starts with no file
    # Every accepted file is kept (also on « Ajouter une facture »): never chosen twice.
    refusals = staging.stage_uploads(
        request.session, dossier, kind, request.FILES if posted else None
    )
    staged = staging.staged(request.session, dossier, kind)
    required = services.required_documents(dossier, kind)
    bank = PaymentBankForm(data, dossier=dossier, prefix="bank", staged=staged)
    quote = AdvanceForm(data, prefix="advance", staged=staged) if "quote" in required else None
    invoices = (
        InvoiceFormSet(
            data,
            prefix=INVOICES,
            form_kwargs={"dossier": dossier, "basis": dossier.expense_basis, "staged": staged},
        )
        if "invoices" in required
        else None
    )
    closing = (
        ClosingDocumentsForm(data, prefix="closing", staged=staged)
        if "statement" in required
        else None
    )
    parts = [f for f in (bank, quote, invoices, closing) if f is not None]
    checking = posted and not adding
    valid = checking and all(f.is_valid() for f in parts) and not refusals
    if checking:
        _show_refusals(parts, refusals)
    if valid:
        try:
            services.request_create(
                user=request.user,
                dossier=dossier,
                kind=kind,
                iban=bank.cleaned_data["iban"],
                bic=bank.cleaned_data["bic"],
                holder=bank.cleaned_data["account_holder"],
                rib_file=bank.cleaned_data.get("rib") or bank.joined("rib"),
                quote_file=(quote.cleaned_data.get("quote") or quote.joined("quote"))
                if quote
                else None,
                invoices=[f.invoice() for f in invoices.kept_forms()] if invoices else None,
                statement_file=closing.document("statement") if closing else None,
                completion_file=closing.document("completion") if closing else None,
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(
                bank, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            staging.clear(request.session, dossier, kind)
            messages.success(
                request,
                "Votre demande de paiement est envoyée : l'instructeur vérifie les pièces avant "
                "de proposer le paiement.",
            )
            return _to_dossier(dossier)
    elif adding:
        _show_refusals(parts, refusals)
    context = {
        "dossier": dossier,
        "kind": kind,
        "kind_label": PaymentKind(kind).label,
        "bank": bank,
        "quote": quote,
        "invoices": invoices,
        "closing": closing,
        "required": [services.DOCUMENT_LABELS[name] for name in required],
        "files_kept": FILES_KEPT if posted and staged else "",
        "has_errors": checking and (bool(refusals) or any(_errors(f) for f in parts)),
        "proofs_deadline": getattr(getattr(dossier, "review", None), "proofs_deadline", None),
        "advance_rate": _advance_rate(dossier) if quote else "",
    }
    return render(request, "payments/request_form.html", context)


def _advance_rate(dossier) -> str:
    """« 30 % »: the advance rate of the dossier's rules (schemes.core.procedure)."""
    version = services.rules_for_payment(dossier)
    return procedure.advance_rate_label(version) if version else ""


def _errors(part) -> bool:
    if hasattr(part, "total_error_count"):
        return part.total_error_count() > 0
    return bool(part.errors)


@login_required
@require_GET
def statement_pdf(request, pk: int):
    """The état récapitulatif pre-filled from the award, to complete, date, sign and stamp."""
    dossier = get_dossier_for_member(request.user, pk)
    if not dossier.awarded_amount:
        messages.info(request, "L'état récapitulatif est disponible une fois l'aide attribuée.")
        return _to_dossier(dossier)
    document = ensure_statement(dossier)  # rendered and stored once (documents foundation)
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=statement_filename(dossier),
        content_type="application/pdf",
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def provider_change_new(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if dossier.state not in PAYABLE_STATES:
        messages.error(
            request, "Un changement de prestataire se déclare après l'attribution de l'aide."
        )
        return _to_dossier(dossier)
    posted = request.method == "POST"
    form = ProviderChangeForm(
        request.POST if posted else None, request.FILES if posted else None, dossier=dossier
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            services.provider_change_declare(
                user=request.user,
                dossier=dossier,
                line=form.line(),
                supplier=data["new_supplier"],
                amount=data["new_amount"],
                quote_file=data["quote"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                "Le changement de prestataire est déclaré : l'instructeur vous répondra.",
            )
            return _to_dossier(dossier)
    context = {"dossier": dossier, "form": form, "files_again": FILES_AGAIN if posted else ""}
    return render(request, "payments/provider_change_form.html", context)
