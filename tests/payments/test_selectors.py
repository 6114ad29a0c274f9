"""Reads of the payments app, moved out of the template tag and the home view (issue 17 point 7)."""

from datetime import timedelta

import pytest

from instruction.models import Review
from payments.selectors import dossier_payment_overview
from tests.applications.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_a_dossier_never_awarded_has_nothing_to_pay_nor_a_deadline():
    overview = dossier_payment_overview(dossier=DossierFactory(scheme_code="PDL-IN"))
    assert overview["requests"] == [] and overview["payments"] == []
    assert overview["proofs_deadline"] is None and not overview["payable"]


def test_the_proof_deadline_is_passed_the_day_after_it(awarded):
    dossier = awarded("PDL-IN")
    deadline = Review.objects.get(dossier=dossier).proofs_deadline
    assert deadline is not None
    on_the_day = dossier_payment_overview(dossier=dossier, today=deadline)
    assert on_the_day["proofs_deadline"] == deadline and not on_the_day["deadline_passed"]
    assert on_the_day["payable"]
    after = dossier_payment_overview(dossier=dossier, today=deadline + timedelta(days=1))
    assert after["deadline_passed"]
