"""Every form of the portal, sent with errors, comes back with an error summary.

At the top of the content: each error as a link to its field, the summary focusable and focused
(tabindex="-1", autofocus, and a small script served by the portal), and the page's title starts
with « Erreur : ». Written once in base.html, so forms of every app get it.
"""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.applications.factories import DossierFactory
from tests.factories import PASSWORD, UserFactory
from tests.instruction.conftest import agent_of, open_calls  # noqa: F401
from tests.payments.conftest import awarded, member_of  # noqa: F401

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(
    r'<div class="alert alert-danger error-summary" id="resume-erreurs"[^>]*>(.*?)</div>', re.S
)


def assert_error_summary(response, *anchors: str) -> list[str]:
    """The page says « Erreur : » first, and its summary links to each of `anchors`."""
    assert response.status_code == 200
    page = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
    assert title.startswith("Erreur : "), title
    opening = re.search(r'<div[^>]*id="resume-erreurs"[^>]*>', page)
    assert opening, "no error summary"
    assert 'tabindex="-1"' in opening.group(0) and "autofocus" in opening.group(0)
    assert page.index('id="resume-erreurs"') < page.index("<h1"), "the summary comes first"
    assert "/static/js/error-summary.js" in page
    summary = SUMMARY.search(page).group(1)
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)
    assert links, summary
    for anchor, _ in links:
        assert f'id="{anchor}"' in page, f"the link #{anchor} leads nowhere"
    for anchor in anchors:
        assert anchor in [a for a, _ in links], (anchor, links)
    return [html.unescape(re.sub(r"<[^>]+>", "", text)) for _, text in links]


def test_no_summary_on_a_form_without_errors(client):
    page = client.get(reverse("schemes:simulator")).content.decode()
    assert "resume-erreurs" not in page
    assert not re.search(r"<title>\s*Erreur", page)


def test_simulator_with_errors_has_a_summary(client):
    response = client.post(
        reverse("schemes:simulator"),
        {
            "kind": "company",
            "expense_basis": "HT",
            "filed_on": "",
            "expenses-TOTAL_FORMS": "1",
            "expenses-INITIAL_FORMS": "0",
            "expenses-0-category": "erp",
            "expenses-0-amount": "-5",
            "expenses-0-mode": "purchase",
        },
    )
    texts = assert_error_summary(response, "id_department", "id_filed_on", "id_expenses-0-amount")
    assert any(t.startswith("Date de dépôt envisagée : ") for t in texts), texts
    assert any("Ligne 1 — Montant (€) : Le montant doit être supérieur à zéro." in t for t in texts)


def test_login_with_a_wrong_password_has_a_summary(client):
    user = UserFactory()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD + "x"}
    )
    assert_error_summary(response, "id_login")


def test_filing_step_with_errors_has_a_summary(client):
    dossier = DossierFactory(scheme_code="PDL-IN")
    client.force_login(dossier.organisation.memberships.first().user)
    response = client.post(
        reverse("applications:step_bank", args=[dossier.pk]),
        {"iban": "FR76 0000", "bic": "", "account_holder": "Titulaire"},
    )
    texts = assert_error_summary(response, "id_iban", "id_bic")
    assert any(t.startswith("IBAN : Cet IBAN n'est pas valide") for t in texts), texts


def test_payment_request_with_errors_has_a_summary(client, awarded):  # noqa: F811
    dossier = awarded("PDL-IN")
    client.force_login(member_of(dossier))
    day = (timezone.localdate() - timedelta(days=10)).isoformat()
    url = reverse("payments:request_new", args=[dossier.pk, "single"])
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "invoices-TOTAL_FORMS": "1",
            "invoices-INITIAL_FORMS": "0",
            "invoices-0-supplier": "ERP Atlantique",
            "invoices-0-number": "F-1",
            "invoices-0-issued_on": day,
            "invoices-0-amount": "abc",
            "invoices-0-paid_on": day,
            "bank-iban": dossier.iban,
            "bank-bic": dossier.bic,
            "bank-account_holder": dossier.account_holder,
        },
    )
    assert_error_summary(response, "id_invoices-0-amount")


def test_a_refusal_told_by_an_error_message_is_an_error_page_too(client):
    """« Nouvelle demande » sent without a choice: the view answers with an error message."""
    dossier = DossierFactory(scheme_code="PDL-IN")
    client.force_login(dossier.organisation.memberships.first().user)
    response = client.post(reverse("applications:new"), {"choice": ""}, follow=True)
    page = response.content.decode()
    assert "Choisissez une organisation et un dispositif ouvert." in page
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
    assert title.startswith("Erreur : "), title
    opening = re.search(r'<div class="messages"[^>]*>', page).group(0)
    assert 'id="message-erreur"' in opening and 'tabindex="-1"' in opening
    assert "autofocus" in opening and "/static/js/error-summary.js" in page


def test_a_success_message_is_not_an_error(client):
    dossier = DossierFactory(scheme_code="PDL-IN")
    client.force_login(dossier.organisation.memberships.first().user)
    response = client.post(
        reverse("applications:step_bank", args=[dossier.pk]),
        {
            "iban": "FR7630006000011234567890189",
            "bic": "AGRIFRPPXXX",
            "account_holder": "Titulaire",
        },
        follow=True,
    )
    page = response.content.decode()
    assert '<div class="messages"' in page  # the page says the answers are saved
    assert not re.search(r"<title>\s*Erreur", page)
    assert "message-erreur" not in page and "resume-erreurs" not in page
