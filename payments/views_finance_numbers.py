"""Finance pages of the finance software's numbers: export profile (imputations), a dossier's
tiers and EJ numbers, the import of a batch's return file."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from applications.models import Dossier
from applications.workflow import TransitionError
from payments import finance_numbers
from payments.models_finance import BudgetImputation, FinanceNumbers
from payments.views_finance import _batch_in_scope, _finance_regions
from schemes.models import Scheme

FIELDS = ("chapter", "article", "function", "programme")


@login_required
def profile(request):
    """The export profile of the officer's region(s): each scheme's budget imputation."""
    region_ids = _finance_regions(request.user)
    schemes = list(
        Scheme.objects.filter(region_id__in=region_ids)
        .select_related("region")
        .order_by("region__name", "code")
    )
    imputations = {i.scheme_id: i for i in BudgetImputation.objects.filter(scheme__in=schemes)}
    if request.method == "POST":
        changed = 0
        for scheme in schemes:
            values = {f: request.POST.get(f"{scheme.code}-{f}", "") for f in FIELDS}
            _, did = finance_numbers.imputation_save(user=request.user, scheme=scheme, **values)
            changed += did
        if changed:
            messages.success(
                request, f"Profil d'export enregistré ({changed} dispositif(s) modifié(s))."
            )
        else:
            messages.success(request, "Aucun changement : le profil d'export est déjà enregistré.")
        return redirect("payments:finance_profile")
    rows = [{"scheme": s, "imputation": imputations.get(s.pk)} for s in schemes]
    return render(request, "payments/finance/profile.html", {"rows": rows})


def _dossier_in_scope(user, pk: int) -> Dossier:
    return get_object_or_404(
        Dossier.objects.select_related("scheme__region", "organisation"),
        pk=pk,
        scheme__region_id__in=_finance_regions(user),
    )


@login_required
def numbers(request, pk: int):
    """The dossier's supplier (tiers) and legal commitment (EJ) numbers in the finance software."""
    dossier = _dossier_in_scope(request.user, pk)
    current = FinanceNumbers.objects.filter(dossier=dossier).first()
    status = 200
    if request.method == "POST":
        try:
            finance_numbers.finance_numbers_set(
                user=request.user,
                dossier=dossier,
                supplier_number=request.POST.get("supplier_number", ""),
                commitment_number=request.POST.get("commitment_number", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            for text in getattr(exc, "messages", [str(exc)]):
                messages.error(request, text)
            status = 400
        else:
            messages.success(request, f"Numéros du dossier {dossier.number} enregistrés.")
            back = request.POST.get("next", "")
            return redirect(back if back.startswith("/paiements/") else "payments:batches")
    context = {
        "dossier": dossier,
        "numbers": current,
        "posted": request.POST if request.method == "POST" else None,
        "next": request.GET.get("next") or request.POST.get("next", ""),
    }
    return render(request, "payments/finance/numbers.html", context, status=status)


@login_required
@require_POST
def batch_return(request, pk: int):
    """Import the finance software's return file of an exported batch (all or nothing)."""
    batch = _batch_in_scope(request.user, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Choisissez le fichier de retour du logiciel financier (CSV).")
        return redirect("payments:batch_detail", pk=pk)
    content = upload.read(finance_numbers.MAX_RETURN_BYTES + 1)
    try:
        batch = finance_numbers.batch_import_return(user=request.user, batch=batch, content=content)
    except (ValidationError, PermissionDenied, TransitionError) as exc:
        texts = (
            exc.messages
            if isinstance(exc, ValidationError)
            else [getattr(exc, "message", None) or str(exc)]
        )
        messages.error(request, "Fichier de retour refusé, rien n'est modifié.")
        for text in texts:
            messages.error(request, text)
    else:
        count = batch.payments.count()
        messages.success(
            request,
            f"Fichier de retour rapproché du lot : {count} paiement(s) marqué(s) payé(s), "
            "mandats enregistrés, bénéficiaires prévenus.",
        )
    return redirect("payments:batch_detail", pk=pk)
