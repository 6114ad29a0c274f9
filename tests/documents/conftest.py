"""A decided dossier (award or rejection) with everything each official document states."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from instruction.models import Review
from payments.enums import PaymentKind, RequestState
from payments.models import PaymentRequest, RecoveryOrder
from tests.applications.factories import DossierFactory

PARIS = ZoneInfo("Europe/Paris")


def decided_dossier(*, scheme_code="INAC", amount="3200.00", motivation="", state="accepted"):
    """Submitted, acknowledged and decided on 15/06/2022, without the services (data only)."""
    dossier = DossierFactory(scheme_code=scheme_code, complete=True, filed_on=date(2022, 5, 10))
    dossier.state = state
    dossier.submitted_at = datetime(2022, 5, 10, 9, 30, tzinfo=PARIS)
    dossier.sworn_statement_at = dossier.submitted_at
    dossier.acknowledged_on = date(2022, 5, 20)
    dossier.awarded_amount = Decimal(amount) if amount is not None else None
    dossier.save()
    Review.objects.create(
        dossier=dossier,
        decided_at=datetime(2022, 6, 15, 11, 0, tzinfo=PARIS),
        decision_motivation=motivation,
        realisation_deadline=date(2023, 6, 15),
        proofs_deadline=date(2023, 12, 15),
    )
    return dossier


@pytest.fixture
def award(db):
    return decided_dossier()


@pytest.fixture
def rejection(db):
    return decided_dossier(
        amount=None, state="rejected", motivation="Les dépenses présentées ne sont pas éligibles."
    )


def recovery_order(dossier) -> RecoveryOrder:
    """The dossier's recovery order on a certified balance (created on the first call)."""
    existing = RecoveryOrder.objects.filter(dossier=dossier).first()
    if existing is not None:
        return existing
    member = dossier.organisation.memberships.first().user
    request = PaymentRequest.objects.create(
        dossier=dossier,
        kind=PaymentKind.BALANCE,
        state=RequestState.CERTIFIED,
        requested_by=member,
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        amount=Decimal("0"),
        to_recover=Decimal("500.00"),
    )
    return RecoveryOrder.objects.create(dossier=dossier, request=request, amount=Decimal("500"))
