"""The beneficiary's side: payment requests, the statement to sign, a change of provider."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.views.decorators.http import require_GET, require_http_methods
from weasyprint import HTML

from applications.receipt import PORTAL_NAME, OfflineURLFetcher, fr_datetime
from applications.selectors import get_dossier_for_member
from payments import services
from payments.enums import PaymentKind
from payments.forms import (
    FILES_AGAIN,
    AdvanceForm,
    ClosingForm,
    InvoiceFormSet,
    PaymentBankForm,
    ProviderChangeForm,
)
from schemes.formsets import with_one_more_form

INVOICES = "invoices"


def _to_dossier(dossier):
    return redirect("applications:detail", pk=dossier.pk)


def _add_errors(form, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


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
    files = request.FILES if posted and not adding else None
    bank = PaymentBankForm(data, files, dossier=dossier, prefix="bank")
    advance = kind == PaymentKind.ADVANCE
    quote = AdvanceForm(data, files, dossier=dossier, prefix="advance") if advance else None
    invoices = (
        None
        if advance
        else InvoiceFormSet(
            data,
            files,
            prefix=INVOICES,
            form_kwargs={"dossier": dossier, "basis": dossier.expense_basis},
        )
    )
    closing = None if advance else ClosingForm(data, prefix="closing")
    parts = [f for f in (bank, quote, invoices, closing) if f is not None]
    if posted and not adding and all(f.is_valid() for f in parts):
        try:
            services.request_create(
                user=request.user,
                dossier=dossier,
                kind=kind,
                iban=bank.cleaned_data["iban"],
                bic=bank.cleaned_data["bic"],
                holder=bank.cleaned_data["account_holder"],
                rib_file=bank.cleaned_data.get("rib") or None,
                quote_file=quote.cleaned_data["quote"] if quote else None,
                invoices=(
                    [f.invoice() for f in invoices.forms if f.has_changed()] if invoices else None
                ),
                statement_confirmed=bool(closing and closing.cleaned_data["statement_confirmed"]),
                completion_confirmed=bool(closing and closing.cleaned_data["completion_confirmed"]),
            )
        except (ValidationError, PermissionDenied) as exc:
            _add_errors(
                bank, exc if isinstance(exc, ValidationError) else ValidationError(str(exc))
            )
        else:
            messages.success(
                request,
                "Votre demande de paiement est envoyée : l'instructeur vérifie les pièces avant "
                "de proposer le paiement.",
            )
            return _to_dossier(dossier)
    context = {
        "dossier": dossier,
        "kind": kind,
        "kind_label": PaymentKind(kind).label,
        "bank": bank,
        "quote": quote,
        "invoices": invoices,
        "closing": closing,
        "files_again": FILES_AGAIN if posted else "",
        "has_errors": posted and not adding and any(f.errors for f in parts),
        "proofs_deadline": getattr(getattr(dossier, "review", None), "proofs_deadline", None),
    }
    return render(request, "payments/request_form.html", context)


def statement_context(dossier) -> dict:
    lines = []
    for index, line in enumerate(dossier.expenses.all(), start=1):
        retention = getattr(line, "retention", None)
        lines.append(
            {
                "number": index,
                "category": line.get_category_display(),
                "description": line.description,
                "supplier": services.accepted_supplier(line),
                "amount": retention.amount if retention else line.amount,
            }
        )
    return {
        "dossier": dossier,
        "reference": f"ETAT-{dossier.number}",
        "portal_name": PORTAL_NAME,
        "region_name": dossier.scheme.region.name,
        "organisation": dossier.organisation,
        "basis": dossier.expense_basis,
        "lines": lines,
        "planned_base": services.planned_base(dossier),
        "award": dossier.awarded_amount,
        "blank_rows": range(max(3, 8 - len(lines))),
        "generated_at": fr_datetime(timezone.now()),
    }


def render_statement_pdf(dossier) -> bytes:
    with translation.override("fr"):
        html = render_to_string("payments/pdf/statement.html", statement_context(dossier))
    return HTML(string=html, url_fetcher=OfflineURLFetcher(timeout=1)).write_pdf(pdf_tags=True)


@login_required
@require_GET
def statement_pdf(request, pk: int):
    """The état récapitulatif pre-filled from the award, to complete, date, sign and stamp."""
    dossier = get_dossier_for_member(request.user, pk)
    if not dossier.awarded_amount:
        messages.info(request, "L'état récapitulatif est disponible une fois l'aide attribuée.")
        return _to_dossier(dossier)
    response = HttpResponse(render_statement_pdf(dossier), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="etat-recapitulatif-{dossier.number}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def provider_change_new(request, pk: int):
    dossier = get_dossier_for_member(request.user, pk)
    if dossier.state not in services.PAYABLE_STATES:
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
