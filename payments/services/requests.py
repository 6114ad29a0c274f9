"""Payment requests: what the beneficiary may ask for, with which documents, and the service fait."""

import re
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.certificates import request_certificates
from applications.enums import PAYABLE_STATES
from applications.enums import DossierState as S
from applications.models import Dossier
from applications.uploads import validate_upload
from applications.workflow import TransitionError
from audit.services import audit_record
from instruction.models import ExpenseRetention
from instruction.selectors import instructors_emails
from organisations.conflicts import Action, check_conflict
from outbox.services import enqueue
from payments import permissions
from payments.enums import PaymentKind, RequestState, RetainStatus
from payments.models import Invoice, Payment, PaymentRequest, RecoveryOrder
from payments.services.shared import _agent, _member, _notify
from payments.workflow import REQUEST_WORKFLOW
from schemes.core import procedure
from schemes.engine import settle
from schemes.selectors import rule_versions
from schemes.templatetags.aides import euros


def planned_base(dossier: Dossier) -> Decimal:
    """The eligible expenses the aid was granted on: what the agent retained, else the engine's base."""
    retained = [r.amount for r in ExpenseRetention.objects.filter(line__dossier=dossier)]
    if retained and len(retained) == dossier.expenses.count():
        return sum(retained, Decimal("0"))
    return Decimal(str((dossier.result or {}).get("base") or "0"))


def advance_paid(dossier: Dossier) -> Decimal:
    payment = Payment.objects.filter(dossier=dossier, kind=PaymentKind.ADVANCE).first()
    return payment.amount if payment else Decimal("0")


def settle_for(dossier: Dossier, *, actual_base: Decimal | None = None) -> dict:
    data = {
        "scheme": dossier.scheme.code,
        "filed_on": (dossier.filed_on or timezone.localdate()).isoformat(),
        "award": str(dossier.awarded_amount or 0),
        "planned_base": str(planned_base(dossier)),
        "advance_paid": str(advance_paid(dossier)),
        "expense_basis": dossier.expense_basis,
    }
    if actual_base is not None:
        data["actual_base"] = str(actual_base)
    return settle(data)


def request_kinds(dossier: Dossier) -> list[str]:
    """What the beneficiary may ask for now: an aid that opens an advance (the rules core's
    `advance_rate` and `advance_threshold`, through settle) gives the advance, then the balance;
    otherwise a single payment on paid invoices."""
    if dossier.state not in PAYABLE_STATES or not dossier.awarded_amount:
        return []
    live = set(
        dossier.payment_requests.exclude(state=RequestState.REFUSED).values_list("kind", flat=True)
    )
    if live & {PaymentKind.SINGLE, PaymentKind.BALANCE}:
        return []
    if PaymentKind.ADVANCE in live:
        return [PaymentKind.BALANCE] if dossier.state == S.ADVANCE_PAID else []
    if settle_for(dossier)["advance"]["allowed"]:
        return [PaymentKind.ADVANCE, PaymentKind.SINGLE]
    return [PaymentKind.SINGLE]


# What a payment kind requires besides the bank details, from the schemes' texts: the advance on
# a signed quote or order; the balance (or single payment) on the receipted invoices, plus the
# signed statement of expenses and end-of-expenses certificate where the rules' cited
# `closing_documents` parameter says so (PDL FAQ Q31); the other texts name only the invoices.


def rules_for_payment(dossier: Dossier):
    """The dossier's rule version (in force at filing, else the scheme's latest)."""
    day = dossier.filed_on or timezone.localdate()
    code = dossier.scheme.code
    return procedure.version_for(code, day, rule_versions(scheme_code=code))


DOCUMENT_LABELS = {
    "quote": "Devis ou bon de commande signé, daté et tamponné",
    "invoices": "Factures acquittées (date de paiement, signature et tampon)",
    "statement": "État récapitulatif des dépenses, daté, signé et tamponné",
    "completion": "Attestation de fin des dépenses, datée, signée et tamponnée",
}


def required_documents(dossier: Dossier, kind: str) -> list[str]:
    """The documents a request of `kind` must carry, as keys of DOCUMENT_LABELS."""
    if kind == PaymentKind.ADVANCE:
        return ["quote"]
    version = rules_for_payment(dossier)
    if version is not None and procedure.needs_closing_documents(version):
        return ["invoices", "statement", "completion"]
    return ["invoices"]


def invoice_identity(supplier: str, number: str) -> tuple[str, str]:
    """What makes two invoice lines the same invoice: the supplier (case and spaces aside) and
    the number (separators aside: « FAC-1 », « fac 1 » and « FAC1 » are one invoice)."""
    return (
        " ".join(str(supplier).split()).casefold(),
        re.sub(r"[\W_]+", "", str(number)).casefold(),
    )


def _invoice_key(data: dict) -> tuple[str, str]:
    return invoice_identity(data.get("supplier", ""), data.get("number", ""))


def duplicate_invoice_refusal(dossier: Dossier, invoices: list[dict]) -> str:
    """The same invoice (same supplier and number: one scanned file may hold several invoices)
    twice in a request, or already in another live request of the dossier: a French refusal,
    or ""."""
    seen: dict[tuple[str, str], dict] = {}
    for data in invoices:
        key = _invoice_key(data)
        if key in seen:
            return (
                f"La facture n° {data['number']} de {data['supplier']} figure deux fois dans la "
                "demande : retirez l'une des deux lignes."
            )
        seen[key] = data
    earlier = Invoice.objects.filter(request__dossier=dossier).exclude(
        request__state=RequestState.REFUSED
    )
    for invoice in earlier.only("supplier", "number"):
        key = _invoice_key({"supplier": invoice.supplier, "number": invoice.number})
        if key in seen:
            return (
                f"La facture n° {invoice.number} de {invoice.supplier} a déjà été présentée dans "
                "une autre demande de paiement de ce dossier."
            )
    return ""


def proof_deadline_refusal(dossier: Dossier, today: date) -> str:
    """After the deadline to send proofs, requests are refused and the dossier flagged for lapse."""
    review = getattr(dossier, "review", None)
    if review is not None and review.proofs_deadline and today > review.proofs_deadline:
        reason = f"Délai d'envoi des justificatifs dépassé le {review.proofs_deadline:%d/%m/%Y} : caducité à examiner"
        if review.overdue_reason != reason:
            review.overdue_since, review.overdue_reason = review.overdue_since or today, reason
            review.save(update_fields=["overdue_since", "overdue_reason"])
        return (
            f"Le délai pour transmettre les justificatifs a expiré le {review.proofs_deadline:%d/%m/%Y} : "
            "la demande ne peut plus être reçue. La Région examinera la caducité de l'aide."
        )
    return ""


def request_create(
    *,
    user,
    dossier: Dossier,
    kind: str,
    iban: str,
    bic: str,
    holder: str,
    rib_file=None,
    quote_file=None,
    invoices: list[dict] | None = None,
    statement_file=None,
    completion_file=None,
    today: date | None = None,
) -> PaymentRequest:
    """The beneficiary asks for a payment with every document its kind requires
    (`required_documents`); invoices carry their files; every file is validated like a dossier
    attachment (applications.uploads)."""
    _member(user, dossier)
    today = today or timezone.localdate()
    refusal = proof_deadline_refusal(dossier, today)
    if refusal:
        raise ValidationError(refusal)
    if kind not in request_kinds(dossier):
        raise ValidationError(
            "Cette demande de paiement n'est pas possible pour ce dossier aujourd'hui."
        )
    iban_changed = iban != dossier.iban
    if iban_changed and rib_file is None:
        raise ValidationError(
            "Un changement de compte bancaire doit être accompagné du RIB du nouveau compte."
        )
    if kind == PaymentKind.ADVANCE and quote_file is None:
        raise ValidationError("Joignez le devis ou le bon de commande signé, daté et tamponné.")
    required = required_documents(dossier, kind)
    if "invoices" in required and not invoices:
        raise ValidationError("Ajoutez au moins une facture acquittée.")
    missing = [
        DOCUMENT_LABELS[name]
        for name, upload in (("statement", statement_file), ("completion", completion_file))
        if name in required and upload is None
    ]
    if missing:
        raise ValidationError("Joignez : " + " ; ".join(missing) + ".")
    closing = {"statement": statement_file, "completion": completion_file}
    closing = {name: f for name, f in closing.items() if name in required}
    checked = {}
    for upload in [f for f in (rib_file, quote_file, *closing.values()) if f is not None] + [
        i["file"] for i in invoices or []
    ]:
        checked[id(upload)] = validate_upload(upload, dossier=dossier)
    for data in invoices or []:
        data["sha256"] = checked[id(data["file"])].sha256
    refusal = duplicate_invoice_refusal(dossier, invoices or [])
    if refusal:
        raise ValidationError(refusal)
    try:
        with transaction.atomic():
            request = PaymentRequest(
                dossier=dossier,
                kind=kind,
                requested_by=user,
                iban=iban,
                bic=bic,
                account_holder=holder,
                iban_changed=iban_changed,
                statement_confirmed="statement" in closing,
                completion_confirmed="completion" in closing,
            )
            for name, upload in closing.items():
                field = request.statement_file if name == "statement" else request.completion_file
                field.save(checked[id(upload)].storage_name, upload, save=False)
                setattr(request, f"{name}_file_name", checked[id(upload)].original_name)
            if rib_file is not None:
                request.rib.save(checked[id(rib_file)].storage_name, rib_file, save=False)
            if quote_file is not None:
                request.quote.save(checked[id(quote_file)].storage_name, quote_file, save=False)
            request.save()
            for data in invoices or []:
                data = dict(data)
                upload, digest = data.pop("file"), data.pop("sha256")
                invoice = Invoice(request=request, file_sha256=digest, **data)
                validated = checked[id(upload)]
                upload.seek(0)
                invoice.file.save(validated.storage_name, upload, save=False)
                invoice.file_name = validated.original_name
                invoice.full_clean(exclude=["file"])
                invoice.save()
            audit_record(
                actor=user,
                action="payment_request",
                obj=dossier,
                data={"kind": kind, "iban_changed": iban_changed},
            )
            if iban_changed:
                audit_record(
                    actor=user,
                    action="bank_details_change",
                    obj=dossier,
                    data={"iban_before": dossier.iban[-4:], "iban_after": iban[-4:]},
                )
    except IntegrityError as exc:
        raise ValidationError("Une demande de ce type est déjà en cours pour ce dossier.") from exc
    # Before a payment, expired URSSAF and DGFIP certificates are fetched again (API Entreprise).
    request_certificates(dossier)
    _notify(
        "payment_request_received",
        instructors_emails(dossier),  # its agent, else the team
        dossier,
        to_agent=True,
        event="payment_request_received",
        kind=request.get_kind_display(),
    )
    return request


@transaction.atomic
def request_certify(
    *,
    user,
    request: PaymentRequest,
    retained: dict[int, tuple[str, Decimal | None, str]] | None = None,
    version: int | None = None,
) -> PaymentRequest:
    """Service fait: the agent retains each invoice, the engine computes what to pay or recover."""
    request = (
        PaymentRequest.objects.select_for_update()
        .select_related("dossier__scheme")
        .get(pk=request.pk)
    )
    dossier = request.dossier
    _agent(user, dossier)
    check_conflict(user, Action.CERTIFY, dossier, request)
    if dossier.state not in PAYABLE_STATES:
        raise TransitionError(
            f"Le dossier est à l'état « {dossier.get_state_display()} » : "
            "le service fait ne peut pas être certifié."
        )
    if version is not None and version != request.lock_version:
        raise TransitionError("Cette demande a été modifiée entre-temps : rechargez la page.")
    if not REQUEST_WORKFLOW.allows("certify", request.state):
        raise TransitionError(
            f"Cette demande est à l'état « {request.get_state_display()} » : le service fait ne peut plus être certifié."
        )
    if request.kind == PaymentKind.ADVANCE:
        result = settle_for(dossier)
        if not result["advance"]["allowed"]:
            raise ValidationError("Ce dossier n'ouvre pas droit à une avance.")
        request.amount, request.to_recover, request.final_award, request.justified_base = (
            Decimal(result["advance"]["amount"]),
            Decimal("0"),
            None,
            None,
        )
    else:
        retained = retained or {}
        total = Decimal("0")
        for invoice in request.invoices.all():
            status, amount, reason = retained.get(invoice.pk, (RetainStatus.FULL, None, ""))
            if status == RetainStatus.FULL:
                amount = invoice.amount
            elif status == RetainStatus.NONE:
                amount = Decimal("0")
            elif amount is None or not (Decimal("0") < amount < invoice.amount):
                raise ValidationError(
                    f"Facture {invoice.number} : le montant retenu en partie doit être entre 0 et {euros(invoice.amount)}."
                )
            if status != RetainStatus.FULL and not reason.strip():
                raise ValidationError(f"Facture {invoice.number} : indiquez le motif.")
            invoice.retained_status, invoice.retained_amount, invoice.retained_reason = (
                status,
                amount,
                reason,
            )
            invoice.save(update_fields=["retained_status", "retained_amount", "retained_reason"])
            total += amount
        result = settle_for(dossier, actual_base=total)
        request.justified_base, request.final_award = total, Decimal(result["final_award"])
        request.amount, request.to_recover = (
            Decimal(result["balance"]),
            Decimal(result["to_recover"]),
        )
    request = REQUEST_WORKFLOW.apply(
        request,
        "certify",
        actor=user,
        fields={
            "justified_base": request.justified_base,
            "final_award": request.final_award,
            "amount": request.amount,
            "to_recover": request.to_recover,
            "settle_result": result,
            "certified_by": user,
            "certified_at": timezone.now(),
        },
        data={
            "request": request.pk,
            "amount": str(request.amount),
            "to_recover": str(request.to_recover),
        },
    )
    if request.to_recover and request.to_recover > 0:
        order, created = RecoveryOrder.objects.get_or_create(
            request=request,
            defaults={"dossier": dossier, "amount": request.to_recover, "created_by": user},
        )
        if created:
            from payments.tasks import generate_recovery_order

            enqueue(generate_recovery_order, order_id=order.pk)
    return request


@transaction.atomic
def request_send_back(*, user, request: PaymentRequest, reason: str) -> PaymentRequest:
    request = (
        PaymentRequest.objects.select_for_update()
        .select_related("dossier__scheme")
        .get(pk=request.pk)
    )
    if not permissions.is_finance_of(user, request.dossier):
        raise PermissionDenied(
            "Seuls les agents financiers de la Région renvoient une proposition."
        )
    check_conflict(user, Action.VALIDATE, request.dossier, request)
    if not reason.strip():
        raise ValidationError("Indiquez le motif du renvoi.")
    return REQUEST_WORKFLOW.apply(
        request,
        "send_back",
        actor=user,
        comment=reason,
        fields={"sent_back_reason": reason},
        refusal="Seule une proposition en attente de validation peut être renvoyée.",
        data={"request": request.pk},
    )
