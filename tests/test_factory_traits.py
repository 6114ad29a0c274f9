"""The factories' situation traits reach their state through the real services: the state, the
transition log rows and the agent are what the instruction and payment pages would show."""

import pytest

from applications.enums import DossierState as S
from payments.enums import RequestState
from tests.applications.factories import DossierFactory
from tests.factories import PaymentRequestFactory
from tests.instruction.conftest import open_calls  # noqa: F401

pytestmark = pytest.mark.usefixtures("open_calls")


@pytest.mark.parametrize(
    "trait, state, transitions",
    [
        ("submitted", S.SUBMITTED, ["submit"]),
        ("taken", S.IN_INSTRUCTION, ["submit", "take"]),
        ("admissible", S.ADMISSIBLE, ["submit", "take", "declare_admissible"]),
        ("proposed", S.PROPOSED, ["submit", "take", "declare_admissible", "propose"]),
        ("awarded", S.ACCEPTED, ["submit", "take", "declare_admissible", "propose", "accept"]),
        ("rejected", S.REJECTED, ["submit", "take", "declare_admissible", "reject"]),
    ],
)
def test_each_dossier_situation_is_reached_through_its_transitions(trait, state, transitions):
    dossier = DossierFactory(scheme_code="PDL-IN", **{trait: True})
    assert dossier.state == state
    logged = list(dossier.transitions.order_by("pk").values_list("transition", flat=True))
    assert logged == transitions
    if trait != "submitted":
        assert dossier.agent.role_assignments.get().region == dossier.scheme.region


def test_a_plain_dossier_stays_a_draft():
    assert DossierFactory(scheme_code="PDL-IN").state == S.DRAFT


@pytest.mark.parametrize(
    "trait, state",
    [
        (None, RequestState.SUBMITTED),
        ("certified", RequestState.CERTIFIED),
        ("validated", RequestState.VALIDATED),
        ("sent_back", RequestState.SENT_BACK),
    ],
)
def test_each_payment_situation_is_reached_through_the_services(trait, state):
    request = PaymentRequestFactory(**({trait: True} if trait else {}))
    assert request.state == state
    assert request.dossier.state == S.ACCEPTED
    if trait in ("certified", "validated", "sent_back"):
        assert request.certified_by == request.dossier.agent and request.amount > 0
    if trait == "validated":
        assert request.payment.amount == request.amount
    if trait == "sent_back":
        assert request.sent_back_reason
