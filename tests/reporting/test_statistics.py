"""Public statistics: figures per scheme and region from the data, a constant query count."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from payments.enums import PaymentKind
from reporting.statistics import CSV_COLUMNS
from tests.reporting.conftest import decide_on, pay

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"


def scheme_row(response, code):
    for region in response.context["regions"]:
        for figures in region.schemes:
            if figures.code == code:
                return region, figures
    raise AssertionError(code)


@pytest.fixture
def pdl_data(awarded, submitted):
    first = decide_on(
        awarded("PDL-IN", amount=Decimal("8000")), date(2025, 3, 11), date(2025, 3, 1)
    )
    second = decide_on(
        awarded("PDL-IN", amount=Decimal("4000.50")), date(2025, 5, 21), date(2025, 5, 1)
    )
    third = decide_on(
        awarded("PDL-IN", amount=Decimal("6000")), date(2025, 7, 31), date(2025, 7, 1)
    )
    pay(first, PaymentKind.ADVANCE, "2400.00", paid_on=date(2025, 4, 1))
    pay(second, PaymentKind.SINGLE, "4000.50", paid_on=date(2025, 9, 1))
    pay(third, PaymentKind.ADVANCE, "1800.00")  # validated, not paid yet
    submitted("PDL-IN")
    return first, second, third


def test_page_shows_the_figures_per_scheme_without_login(client, pdl_data):
    response = client.get(reverse("reporting:statistics"))
    assert response.status_code == 200
    region, pdl = scheme_row(response, "PDL-IN")
    assert region.name == "Pays de la Loire"
    assert pdl.filed == 4
    assert pdl.awarded == 3
    assert pdl.awarded_amount == Decimal("18000.50")
    assert pdl.paid_amount == Decimal("6400.50")
    assert pdl.decided == 3
    assert pdl.median_days == Decimal("20")  # 10, 20 and 30 days
    _, inac = scheme_row(response, "INAC")
    assert (inac.filed, inac.awarded, inac.median_days) == (0, 0, None)
    html = response.content.decode()
    assert f"18{NBSP}000,50{NBSP}€" in html
    assert "20&nbsp;jours" in html
    assert "<caption" in html and 'role="img"' in html and "<desc " in html
    assert "reporting/reporting.css" in html
    for dossier in pdl_data:  # no personal data
        assert dossier.organisation.name not in html and dossier.number not in html


def test_year_filter(client, pdl_data):
    response = client.get(reverse("reporting:statistics"), {"annee": "2024"})
    _, pdl = scheme_row(response, "PDL-IN")
    assert (pdl.awarded, pdl.paid_amount, pdl.decided) == (0, 0, 0)
    response = client.get(reverse("reporting:statistics"), {"annee": "2025"})
    _, pdl = scheme_row(response, "PDL-IN")
    assert (pdl.awarded, pdl.paid_amount, pdl.median_days) == (3, Decimal("6400.50"), 20)


def test_csv_has_the_same_figures(client, pdl_data):
    response = client.get(reverse("reporting:statistics_csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(rows[0]) == list(CSV_COLUMNS)
    [pdl] = [row for row in rows if row["code_dispositif"] == "PDL-IN"]
    assert pdl["dossiers_deposes"] == "4"
    assert pdl["montant_attribue"] == "18000.50"
    assert pdl["montant_paye"] == "6400.50"
    assert pdl["delai_median_instruction_jours"] == "20.0"


def test_query_count_does_not_grow_with_the_data(client, awarded, django_assert_num_queries):
    awarded("PDL-IN")
    client.get(reverse("reporting:statistics"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reporting:statistics"))
    for code in ("PDL-IN", "INAC", "INESS", "PDL-IN"):
        dossier = awarded(code)
        pay(dossier, PaymentKind.ADVANCE, "100.00", paid_on=date(2025, 1, 2))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("reporting:statistics"))
    assert response.context["overall"].awarded == 5
