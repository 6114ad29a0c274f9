"""One amount format everywhere a person reads an amount (issue 21, point 5)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.notifications import submission_email_body
from instruction import services
from schemes.core.fmt import fr_eur
from schemes.templatetags.aides import euros

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
EXPECTED = {
    "3960.2": f"3{NBSP}960,20{NBSP}€",
    "1234.125": f"1{NBSP}234,13{NBSP}€",  # half up to the cent, never half even
    "1234.135": f"1{NBSP}234,14{NBSP}€",
    "-0.005": f"-0,01{NBSP}€",
    "1000000": f"1{NBSP}000{NBSP}000,00{NBSP}€",
}


@pytest.mark.parametrize("value, expected", EXPECTED.items())
def test_the_engine_and_the_pages_format_alike(value, expected):
    assert fr_eur(Decimal(value)) == euros(value) == euros(Decimal(value)) == expected


def text(response) -> str:
    return response.content.decode()


def test_the_proposal_prints_the_amount_like_the_rest_of_the_review_page(
    client, submitted, agent_of
):
    dossier = submitted("PDL-IN")
    agent = agent_of("PDL")
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Avis.", award=Decimal("3960.20")
    )
    client.force_login(agent)
    page = text(client.get(reverse("instruction:dossier", args=[dossier.pk])))
    assert f"Proposition favorable : 3{NBSP}960,20{NBSP}€." in page
    assert "3960,20" not in page and "3960.20" not in page
    # Every other amount of the page has the same shape: digits grouped by no-break spaces.
    amounts = re.findall(r"[\d\s\u00a0\u202f]*\d,\d\d[\s\u00a0\u202f]*€", page)
    assert amounts
    for amount in amounts:
        assert re.fullmatch(r"\d{1,3}(\u00a0\d{3})*,\d\d\u00a0€", amount.strip()), repr(amount)


def test_the_submission_email_and_an_expense_line_format_alike(submitted):
    dossier = submitted("PDL-IN")
    plain, html = submission_email_body(dossier)
    award = euros(dossier.result["award"])
    assert f"Aide estimée : {award}" in plain
    line = dossier.expenses.first()
    assert str(line).endswith(euros(line.amount))


def test_the_award_pdf_prints_the_same_string(db):
    from datetime import date

    from applications.models import DossierDocument
    from instruction.documents import render_document_pdf
    from tests.applications.factories import DossierFactory
    from tests.instruction.test_official_documents import decided, pdf_text

    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    decided(dossier, amount="3960.20", on=date(2024, 3, 20))
    raw = pdf_text(render_document_pdf(dossier, DossierDocument.Kind.AWARD))
    assert euros("3960.2").replace(NBSP, " ") in raw
    assert "3960,20" not in raw
