"""Reporting tests: fixtures of the payment and instruction tests are reused."""

from datetime import date
from decimal import Decimal

from django.utils import timezone

from instruction.models import Review
from payments.enums import PaymentKind, RequestState
from payments.models import Payment, PaymentRequest
from tests.instruction.conftest import agent_of, open_calls, submitted  # noqa: F401
from tests.payments.conftest import awarded, member_of  # noqa: F401


def decide_on(dossier, day: date, filed: date | None = None):
    """Move the decision (and the submission) of a dossier to given days, noon in Paris."""
    noon = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12))
    Review.objects.filter(dossier=dossier).update(decided_at=noon)
    if filed:
        at = timezone.make_aware(timezone.datetime(filed.year, filed.month, filed.day, 9))
        type(dossier).objects.filter(pk=dossier.pk).update(submitted_at=at, filed_on=filed)
    dossier.refresh_from_db()
    return dossier


def pay(dossier, kind=PaymentKind.SINGLE, amount="1000.00", paid_on: date | None = None):
    """A payment validated by finance (and paid on `paid_on`)."""
    request = PaymentRequest.objects.create(
        dossier=dossier,
        kind=kind,
        state=RequestState.CERTIFIED,
        requested_by=member_of(dossier),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        amount=Decimal(amount),
    )
    return Payment.objects.create(
        request=request,
        dossier=dossier,
        kind=kind,
        amount=Decimal(amount),
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        validated_by=dossier.agent,
        paid_on=paid_on,
    )
