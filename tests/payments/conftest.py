"""Fixtures of the payment tests: a dossier awarded through the real instruction services."""

from decimal import Decimal

import pytest

from applications.services import dossier_submit
from instruction import review, services
from tests.applications.factories import DossierFactory
from tests.instruction.conftest import REGION_OF, agent_of, open_calls, submitted  # noqa: F401


def member_of(dossier):
    return dossier.organisation.memberships.first().user


@pytest.fixture
def awarded(open_calls, agent_of):  # noqa: F811
    """`awarded("PDL-IN", lines=[("erp", "24000"), ...], amount=None)`: an accepted dossier.

    `lines` replaces the factory's expense lines before submission (the planned base);
    `amount` overrides the award proposed by the agent (else the engine's estimate)."""

    def make(code="PDL-IN", amount=None, lines=None):
        if amount is None and lines is None:
            return DossierFactory(scheme_code=code, awarded=True)  # the engine's award
        dossier = DossierFactory(scheme_code=code, complete=True)
        if lines:
            expenses = list(dossier.expenses.order_by("position"))
            for line, (category, value) in zip(expenses, lines, strict=True):
                line.category, line.amount = category, Decimal(value)
                line.save(update_fields=["category", "amount"])
        dossier = dossier_submit(user=member_of(dossier), dossier=dossier, sworn=True)
        agent = agent_of(REGION_OF[code])
        services.dossier_take(user=agent, dossier=dossier)
        services.dossier_declare_admissible(user=agent, dossier=dossier)
        award = amount if amount is not None else Decimal(review.review_estimate(dossier)["award"])
        services.dossier_propose(
            user=agent, dossier=dossier, favourable=True, comment="Projet solide.", award=award
        )
        dossier = services.dossier_accept(user=agent, dossier=dossier)
        dossier.agent = agent
        return dossier

    return make
