from datetime import date
from decimal import Decimal

import pytest

from applications.models import DeMinimisAid
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory


@pytest.fixture
def open_calls(db):
    """The Hauts-de-France texts ended in 2022: open them today with the demo extension."""
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()


@pytest.fixture
def filled_dossier(open_calls):
    """A PDL-IN draft with something on every step: 2 expenses, 2 holdings, 2 de minimis aids."""
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    dossier.created_by = dossier.organisation.memberships.first().user
    dossier.answers = {
        **dossier.answers,
        "holdings": [
            {"share": "0.3000", "headcount": 12, "turnover": "800000"},
            {"share": "0.2500", "headcount": 3, "turnover": "150000.50"},
        ],
    }
    dossier.save()
    DeMinimisAid.objects.create(
        dossier=dossier, granting_body="BPI", granted_on=date(2025, 3, 1), amount=Decimal("12000")
    )
    DeMinimisAid.objects.create(
        dossier=dossier,
        granting_body="Département",
        granted_on=date(2025, 9, 15),
        amount=Decimal("4500.50"),
    )
    return dossier


@pytest.fixture
def filer_client(client, filled_dossier):
    client.force_login(filled_dossier.organisation.memberships.first().user)
    return client
