"""Finance: validation of a proposed payment, payment, recovery of an overpaid advance, closing."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.enums import PAYABLE_STATES
from applications.enums import DossierState as S
from applications.models import Dossier
from applications.workflow import TransitionError, apply_transition
from audit.services import audit_record
from organisations.conflicts import Action, check_conflict
from payments import permissions
from payments.enums import PaymentKind, RequestState
from payments.models import Payment, PaymentRequest, RecoveryOrder
from payments.services.shared import _members, _notify
from payments.workflow import REQUEST_WORKFLOW
from schemes.models import BudgetEnvelope


def mask_iban(iban: str) -> str:
    """« FR76 •••• •••• 0129 »: enough to recognise the account, not to copy it."""
    iban = (iban or "").replace(" ", "")
    if len(iban) < 8:
        return "•" * len(iban)
    return f"{iban[:4]} •••• •••• {iban[-4:]}"


def payment_validate(
    *, user, request: PaymentRequest, version: int | None = None
) -> Payment | None:
    """Finance validates a proposed payment. Two tabs or two officers at once make one payment:
    the request row is locked, its state compared, and the database refuses a second Payment.
    With `version` (the one the confirmation page showed), a proposal changed since is refused."""
    with transaction.atomic():
        # Lock the request row only: PostgreSQL refuses FOR UPDATE on the review's outer join.
        request = (
            PaymentRequest.objects.select_for_update(of=("self",))
            .select_related("dossier__scheme", "dossier__review")
            .get(pk=request.pk)
        )
        allowed, why = permissions.can_validate(user, request)
        if not allowed:
            raise PermissionDenied(why)
        if not REQUEST_WORKFLOW.allows("validate", request.state):
            raise TransitionError(
                f"Ce paiement est à l'état « {request.get_state_display()} » : il ne peut pas être validé."
            )
        if version is not None and version != request.lock_version:
            raise TransitionError(
                "Cette proposition a changé depuis l'affichage de la confirmation : "
                "vérifiez-la à nouveau avant de valider."
            )
        dossier = request.dossier
        if dossier.state not in PAYABLE_STATES:
            raise TransitionError(
                f"Le dossier est à l'état « {dossier.get_state_display()} » : "
                "ce paiement ne peut pas être validé."
            )
        year = (
            dossier.review.decided_at.year
            if getattr(dossier, "review", None) and dossier.review.decided_at
            else timezone.localdate().year
        )
        payment = None
        if request.amount and request.amount > 0:
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        request=request,
                        dossier=dossier,
                        kind=request.kind,
                        amount=request.amount,
                        envelope=BudgetEnvelope.objects.filter(
                            scheme=dossier.scheme, year=year
                        ).first(),
                        iban=request.iban,
                        bic=request.bic,
                        account_holder=request.account_holder,
                        validated_by=user,
                    )
            except IntegrityError as exc:
                raise TransitionError("Ce paiement a déjà été validé.") from exc
        REQUEST_WORKFLOW.apply(
            request,
            "validate" if payment else "validate_nothing_to_pay",
            actor=user,
            data={"request": request.pk, "amount": str(request.amount)},
        )
        if payment is None:
            _close_if_settled(dossier, actor=user)
    return payment


def _close_if_settled(dossier: Dossier, *, actor) -> None:
    """Closed when fully paid, or when what an advance overpaid was recovered."""
    dossier.refresh_from_db()
    if dossier.state not in PAYABLE_STATES:
        return
    final_kinds = {PaymentKind.BALANCE, PaymentKind.SINGLE}
    final = dossier.payment_requests.filter(kind__in=final_kinds, state=RequestState.PAID).exists()
    pending_recovery = dossier.recovery_orders.filter(received_on__isnull=True).exists()
    if final and not pending_recovery:
        apply_transition(dossier=dossier, name="close", actor=actor)


@transaction.atomic
def recovery_received(*, user, order: RecoveryOrder, on: date) -> None:
    if not permissions.is_finance_of(user, order.dossier):
        raise PermissionDenied(
            "Seuls les agents financiers de la Région enregistrent les reversements."
        )
    check_conflict(user, Action.RECOVERY, order.dossier, order.request)
    if RecoveryOrder.objects.filter(pk=order.pk, received_on__isnull=True).update(received_on=on):
        audit_record(
            actor=user,
            action="recovery_received",
            obj=order.dossier,
            data={"amount": str(order.amount), "on": on.isoformat()},
        )
        _close_if_settled(order.dossier, actor=user)


@transaction.atomic
def mark_payment_paid(*, payment: Payment, on: date, actor) -> None:
    """Called for each payment of a batch marked paid: moves its request and dossier on.

    The request goes VALIDATED → PAID through its transition: a payment marked paid twice (a
    batch and a return file, two clicks) is refused the second time (TransitionError)."""
    REQUEST_WORKFLOW.apply(
        payment.request,
        "pay",
        actor=actor,
        data={"request": payment.request_id, "amount": str(payment.amount), "on": on.isoformat()},
    )
    Payment.objects.filter(pk=payment.pk).update(paid_on=on)
    dossier = Dossier.objects.get(pk=payment.dossier_id)
    if payment.kind == PaymentKind.ADVANCE and dossier.state == S.ACCEPTED:
        apply_transition(dossier=dossier, name="pay_advance", actor=actor)
    else:
        _close_if_settled(dossier, actor=actor)
    _notify(
        "payment_paid",
        _members(dossier),
        dossier,
        payment=payment,
        paid_on=on,
        iban_end=payment.iban[-4:],
    )
