"""The payments' audience of the agents' bulk messages (instruction.bulk_messages)."""

from datetime import date

from django.db.models import QuerySet

from applications.enums import DossierState as S
from instruction.bulk_messages import Audience, register_audience
from payments.enums import PaymentKind, RequestState
from payments.models import PaymentRequest


def awards_without_payment_request(dossiers: QuerySet, today: date) -> QuerySet:
    """Awarded dossiers (advance paid or not) whose proofs deadline has not passed and that have
    no balance or single payment request under way or paid."""
    requested = PaymentRequest.objects.filter(
        kind__in=[PaymentKind.BALANCE, PaymentKind.SINGLE]
    ).exclude(state=RequestState.REFUSED)
    return dossiers.filter(
        state__in=[S.ACCEPTED, S.ADVANCE_PAID], review__proofs_deadline__gte=today
    ).exclude(pk__in=requested.values("dossier_id"))


def register() -> None:
    register_audience(
        Audience(
            "awards_without_payment_request",
            "Aides attribuées sans demande de paiement, avant la date limite des justificatifs",
            awards_without_payment_request,
        )
    )
