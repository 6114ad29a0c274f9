"""Finance pages: validation queue, batches, recovery orders, budget envelopes, dashboard.

Views are thin: the scope (regions of the user's roles) is read once, objects outside it are 404,
writes go through the services and their refusals become French messages.
"""

import csv
import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.enums import Role
from accounts.params import parse_id, parse_int
from accounts.permissions import regions_for_role
from applications.workflow import TransitionError
from common.files import private_file_response
from common.numbers import NotANumber, parse_french_decimal
from common.spreadsheet import csv_row
from organisations.conflicts import Action, member_organisation_ids
from payments import batches, budget, permissions, services
from payments.enums import BatchState, RequestState
from payments.forms import DateForm, QueueFilterForm
from payments.models import Payment, PaymentBatch, PaymentRequest, RecoveryOrder
from schemes.models import BudgetEnvelope, Scheme
from schemes.templatetags.aides import euros
from territories.models import Region

PAGE_SIZE = 50
VIEW_ROLES = (Role.FINANCE, Role.SCHEME_MANAGER, Role.AGENT)
ERRORS = (PermissionDenied, TransitionError, ValidationError)
ALREADY_EXPORTED = "Ce lot est déjà exporté : ses fichiers sont inchangés."


def _finance_regions(user) -> list[int]:
    if not (user.has_role(Role.FINANCE) or user.has_role(Role.ADMIN)):
        raise PermissionDenied("Cette page est réservée aux agents financiers de la Région.")
    return regions_for_role(user, Role.FINANCE)


def _staff_regions(user) -> list[int]:
    """Finance officers, scheme managers and agents see their regions; admins see all."""
    if user.has_role(Role.ADMIN):
        return regions_for_role(user, Role.ADMIN)
    if not any(user.has_role(role) for role in VIEW_ROLES):
        raise PermissionDenied("Cette page est réservée aux agents de la Région.")
    return sorted({r for role in VIEW_ROLES for r in regions_for_role(user, role)})


def _error(request, exc: Exception) -> None:
    text = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    for message in text:
        messages.error(request, message)


def _back(request, default: str):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else default)


@login_required
@require_GET
def finance_queue(request):
    region_ids = _finance_regions(request.user)
    form = QueueFilterForm(request.GET or None, region_ids=region_ids)
    queryset = form.apply(
        PaymentRequest.objects.filter(
            state=RequestState.CERTIFIED, dossier__scheme__region_id__in=region_ids
        )
    )
    totals = queryset.aggregate(count=Count("pk"), total=Sum("amount"))
    rows = queryset.select_related(
        "dossier__scheme", "dossier__organisation", "dossier__review", "certified_by"
    ).order_by("certified_at", "pk")
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = totals["count"]
    page = paginator.get_page(request.GET.get("page"))
    member_of = member_organisation_ids(request.user)
    for item in page.object_list:
        # Shown on the row; the service enforces the same rule (organisations.conflicts).
        item.conflict = permissions.duty_conflict(
            request.user, Action.VALIDATE, item, member_of=member_of
        )
    return render(
        request,
        "payments/finance/queue.html",
        {"form": form, "totals": totals, "page_obj": page},
    )


def _request_in_scope(user, pk: int) -> PaymentRequest:
    return get_object_or_404(
        PaymentRequest.objects.select_related("dossier__organisation", "dossier__scheme"),
        pk=pk,
        dossier__scheme__region_id__in=_finance_regions(user),
    )


@login_required
@require_http_methods(["GET", "POST"])
def finance_validate(request, pk: int):
    """GET: what validating will do (amount, beneficiary, masked IBAN); POST with the
    confirmation: validate exactly the version shown. Works without JavaScript."""
    item = _request_in_scope(request.user, pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        raw = request.POST.get("version", "")
        version = parse_int(raw, maximum=10**9)
        version = -1 if version is None else version
        try:
            payment = services.payment_validate(user=request.user, request=item, version=version)
        except ERRORS as exc:
            existing = Payment.objects.filter(request=item, validated_by=request.user).first()
            if existing is not None:  # a double click: the first click made the payment
                messages.info(
                    request,
                    f"Le paiement du dossier {item.dossier.number} est déjà validé "
                    f"({euros(existing.amount)}) : un seul paiement est enregistré.",
                )
            else:
                _error(request, exc)
        else:
            amount = payment.amount if payment else Decimal("0")
            messages.success(
                request, f"Paiement du dossier {item.dossier.number} validé ({euros(amount)})."
            )
        return _back(request, "payments:finance_queue")
    if item.state != RequestState.CERTIFIED:
        messages.info(
            request,
            f"La demande du dossier {item.dossier.number} est à l'état "
            f"« {item.get_state_display()} » : il n'y a rien à valider.",
        )
        return redirect("payments:finance_queue")
    allowed, why = permissions.can_validate(request.user, item)
    return render(
        request,
        "payments/finance/validate_confirm.html",
        {
            "item": item,
            "masked_iban": services.mask_iban(item.iban),
            "invoices": item.invoices.all(),
            "allowed": allowed,
            "why": why,
        },
    )


@login_required
@require_POST
def finance_send_back(request, pk: int):
    item = _request_in_scope(request.user, pk)
    try:
        services.request_send_back(
            user=request.user, request=item, reason=request.POST.get("reason", "")
        )
    except ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(request, f"Proposition du dossier {item.dossier.number} renvoyée.")
    return _back(request, "payments:finance_queue")


def _mark_batch_conflicts(user, payments) -> None:
    """Sets each payment's `conflict`: why this user may not batch it, or "" (the service refuses
    the same, organisations.conflicts)."""
    member_of = member_organisation_ids(user)
    for payment in payments:
        payment.conflict = permissions.duty_conflict(
            user, Action.BATCH, payment.request, dossier=payment.dossier, member_of=member_of
        )


@login_required
@require_GET
def batch_list(request):
    region_ids = _finance_regions(request.user)
    batchable = list(
        batches.batchable_payments(region_ids)
        .select_related("request", "dossier__organisation", "dossier__scheme__region")
        .select_related("dossier__review")
        .order_by("dossier__scheme__region__name", "validated_at")
    )
    _mark_batch_conflicts(request.user, batchable)
    lots = (
        PaymentBatch.objects.filter(region_id__in=region_ids)
        .select_related("region")
        .annotate(count=Count("payments"), total=Sum("payments__amount"))
    )
    return render(
        request, "payments/finance/batches.html", {"batchable": batchable, "batches": lots}
    )


@login_required
@require_POST
def batch_create(request):
    region_ids = _finance_regions(request.user)
    ids = [n for v in request.POST.getlist("payments") if (n := parse_id(v)) is not None]
    regions = set(
        Payment.objects.filter(pk__in=ids, dossier__scheme__region_id__in=region_ids).values_list(
            "dossier__scheme__region_id", flat=True
        )
    )
    if not ids:
        messages.error(request, "Cochez au moins un paiement validé.")
        return redirect("payments:batches")
    if len(regions) != 1:
        messages.error(request, "Un lot ne regroupe que des paiements d'une même région.")
        return redirect("payments:batches")
    try:
        batch = batches.batch_create(
            user=request.user, region=Region.objects.get(pk=regions.pop()), payments=ids
        )
    except ERRORS as exc:
        _error(request, exc)
        return redirect("payments:batches")
    messages.success(request, f"{batch.label} créé.")
    return redirect("payments:batch_detail", pk=batch.pk)


def _batch_in_scope(user, pk: int) -> PaymentBatch:
    return get_object_or_404(
        PaymentBatch.objects.select_related("region"),
        pk=pk,
        region_id__in=_finance_regions(user),
    )


@login_required
@require_GET
def batch_detail(request, pk: int):
    batch = _batch_in_scope(request.user, pk)
    payments = batch.payments.select_related(
        "dossier__organisation", "dossier__scheme", "dossier__finance_numbers", "mandate"
    ).order_by("dossier__number")
    totals = payments.aggregate(count=Count("pk"), total=Sum("amount"))
    return render(
        request,
        "payments/finance/batch_detail.html",
        {"batch": batch, "payments": payments, "totals": totals, "columns": batches.COLUMNS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def batch_export(request, pk: int):
    """GET: what freezing will do (count, total, each payment); POST with the confirmation:
    export and freeze exactly the batch shown."""
    batch = _batch_in_scope(request.user, pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        already = batch.state != BatchState.OPEN
        try:
            batches.batch_export(
                user=request.user, batch=batch, fingerprint=request.POST.get("fingerprint", "")
            )
        except ERRORS as exc:
            _error(request, exc)
            if isinstance(exc, TransitionError):
                return redirect("payments:batch_export", pk=pk)
        else:
            if already:
                messages.info(request, ALREADY_EXPORTED)
            else:
                messages.success(request, "Lot exporté : il est désormais figé.")
        return redirect("payments:batch_detail", pk=pk)
    if batch.state != BatchState.OPEN:
        messages.info(request, ALREADY_EXPORTED)
        return redirect("payments:batch_detail", pk=pk)
    payments = batch.payments.select_related(
        "request", "dossier__organisation", "dossier__scheme", "dossier__review"
    ).order_by("dossier__number")
    totals = payments.aggregate(count=Count("pk"), total=Sum("amount"))
    _mark_batch_conflicts(request.user, payments)
    for payment in payments:
        payment.masked_iban = services.mask_iban(payment.iban)
    return render(
        request,
        "payments/finance/batch_export_confirm.html",
        {
            "batch": batch,
            "payments": payments,
            "totals": totals,
            "fingerprint": batches.batch_fingerprint(batch),
            "conflicts": [p for p in payments if p.conflict],
        },
    )


@login_required
@require_POST
def batch_remove(request, pk: int, payment_pk: int):
    batch = _batch_in_scope(request.user, pk)
    payment = get_object_or_404(Payment, pk=payment_pk, batch=batch)
    try:
        batches.batch_remove_payment(user=request.user, batch=batch, payment=payment)
    except ERRORS as exc:
        _error(request, exc)
    return redirect("payments:batch_detail", pk=pk)


@login_required
@require_GET
def batch_file(request, pk: int, fmt: str):
    batch = _batch_in_scope(request.user, pk)
    if fmt not in ("csv", "xlsx"):
        raise Http404("Format inconnu.")
    field = batch.csv_file if fmt == "csv" else batch.xlsx_file
    if not field:
        messages.error(request, "Ce lot n'a pas encore été exporté.")
        return redirect("payments:batch_detail", pk=pk)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else batches.XLSX_TYPE
    name = field.name.rsplit("/", 1)[-1]
    return private_file_response(field, filename=name, content_type=content_type)


@login_required
@require_POST
def batch_paid(request, pk: int):
    batch = _batch_in_scope(request.user, pk)
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date du paiement (JJ/MM/AAAA).")
        return redirect("payments:batch_detail", pk=pk)
    try:
        batches.batch_mark_paid(user=request.user, batch=batch, paid_on=form.cleaned_data["on"])
    except ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(request, "Lot marqué payé : les bénéficiaires sont prévenus.")
    return redirect("payments:batch_detail", pk=pk)


@login_required
@require_GET
def recoveries(request):
    region_ids = _finance_regions(request.user)
    orders = (
        RecoveryOrder.objects.filter(dossier__scheme__region_id__in=region_ids)
        .select_related("dossier__organisation", "dossier__scheme")
        .order_by("received_on", "-created_at")
    )
    return render(
        request,
        "payments/finance/recoveries.html",
        {"orders": orders, "today": timezone.localdate()},
    )


@login_required
@require_POST
def recovery_received(request, pk: int):
    order = get_object_or_404(
        RecoveryOrder, pk=pk, dossier__scheme__region_id__in=_finance_regions(request.user)
    )
    form = DateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez la date du reversement (JJ/MM/AAAA).")
        return redirect("payments:recoveries")
    try:
        services.recovery_received(user=request.user, order=order, on=form.cleaned_data["on"])
    except ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(request, f"Reversement du dossier {order.dossier.number} enregistré.")
    return redirect("payments:recoveries")


def _scheme_in_scope(user, code: str) -> Scheme:
    return get_object_or_404(
        Scheme.objects.select_related("region"), code=code, region_id__in=_staff_regions(user)
    )


@login_required
@require_GET
def budget_page(request, code: str):
    scheme = _scheme_in_scope(request.user, code)
    return render(
        request,
        "payments/finance/budget.html",
        {
            "scheme": scheme,
            "figures": budget.scheme_figures(scheme),
            "can_raise": budget.can_raise(request.user, scheme),
        },
    )


@login_required
@require_POST
def budget_raise(request, code: str, year: int):
    scheme = _scheme_in_scope(request.user, code)
    envelope = get_object_or_404(BudgetEnvelope, scheme=scheme, year=year)
    try:
        amount = parse_french_decimal(request.POST.get("amount", ""))
    except NotANumber:
        amount = None
    if amount is None:
        messages.error(request, "Indiquez un montant en euros, par exemple 1 500 000,00.")
        return redirect("payments:budget", code=code)
    try:
        budget.envelope_raise(
            user=request.user,
            envelope=envelope,
            new_amount=amount,
            reason=request.POST.get("reason", ""),
        )
    except ERRORS as exc:
        _error(request, exc)
    else:
        messages.success(request, f"Enveloppe {year} relevée.")
    return redirect("payments:budget", code=code)


def _year(request) -> int | None:
    raw = request.GET.get("annee", "")
    return parse_int(raw, minimum=2000, maximum=2100)


@login_required
@require_GET
def dashboard(request):
    year = _year(request)
    rows = budget.dashboard_data(_staff_regions(request.user), year)
    for row in rows:
        row["chart"] = budget.bar_chart([(m["label"], m["amount"]) for m in row["metrics"]])
    return render(
        request,
        "payments/finance/dashboard.html",
        {
            "rows": rows,
            "year": year,
            "metrics": budget.METRICS,
            "finance_nav": request.user.has_role(Role.FINANCE) or request.user.has_role(Role.ADMIN),
        },
    )


@login_required
@require_GET
def dashboard_csv(request):
    year = _year(request)
    rows = budget.dashboard_data(_staff_regions(request.user), year)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = ["Région", "Dispositif"]
    for _, label in budget.METRICS:
        header += [f"{label} (nombre)", f"{label} (montant €)"]
    writer.writerow(header)
    for row in rows:
        cells = csv_row([row["region"], row["scheme"]])
        for metric in row["metrics"]:
            cells += [metric["count"], f"{Decimal(metric['amount']):.2f}".replace(".", ",")]
        writer.writerow(cells)
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    suffix = f"-{year}" if year else ""
    response["Content-Disposition"] = f'attachment; filename="tableau-de-bord{suffix}.csv"'
    return response
