"""One invalid line does not lose the rest of the page (issue 21, point 1).

A draft is a draft: the valid fields and lines of the page are saved, the faulty line is marked
with its French error, and the page shows exactly what was typed, the faulty line included.
"""

from decimal import Decimal

import pytest

from tests.applications.pages import Page
from tests.applications.test_lines_kept import AUTOSAVE, open_page, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(filled_dossier):
    return filled_dossier


def text(response) -> str:
    return response.content.decode().replace("&#x27;", "'").replace("&nbsp;", "\u00a0")


def test_a_negative_amount_keeps_the_title_the_description_and_the_other_lines(
    filer_client, dossier
):
    page = open_page(filer_client, "applications:step_project", dossier)
    before = stored(dossier, "expenses")
    page.set("title", "Un nouvel intitulé")
    page.set("description", "Une description que j'ai mis dix minutes à écrire.")
    page.set("expenses-0-amount", "15 000")
    page.set("expenses-1-amount", "-50")
    page.set("expenses-2-category", "erp")
    page.set("expenses-2-amount", "2 400,50")
    page.set("expenses-2-supplier", "Nouveau prestataire")

    response = filer_client.post(page.url, page.data("continue"))

    # The same page again, with the error on the faulty line and everything as typed.
    assert response.status_code == 200
    html = text(response)
    assert "Le montant doit être supérieur à zéro." in html
    assert "Vos réponses valides sont enregistrées" in html
    again = Page(html, url=page.url)
    new_id = dossier.expenses.order_by("position")[2].pk
    assert again.fields == {
        **page.fields,
        "csrfmiddlewaretoken": again.fields["csrfmiddlewaretoken"],
        "expenses-2-line_id": str(new_id),  # the new line is stored: the page now names it
    }
    # Saved: the valid fields and lines; the faulty line keeps what was stored for it.
    dossier.refresh_from_db()
    assert dossier.title == "Un nouvel intitulé"
    assert dossier.description.startswith("Une description que j'ai")
    assert stored(dossier, "expenses") == [
        (before[0][0], Decimal("15000"), "", ""),
        before[1],
        ("erp", Decimal("2400.50"), "", "Nouveau prestataire"),
    ]

    # Corrected and saved again: every line as shown.
    again.set("expenses-1-amount", "50")
    response = filer_client.post(page.url, again.data("save"))
    assert response.status_code == 302
    assert [line[1] for line in stored(dossier, "expenses")] == [
        Decimal("15000"),
        Decimal("50"),
        Decimal("2400.50"),
    ]


def test_a_faulty_new_line_is_shown_as_typed_and_the_rest_is_saved(filer_client, dossier):
    page = open_page(filer_client, "applications:step_project", dossier)
    before = stored(dossier, "expenses")
    page.set("description", "Texte tapé avant l'erreur.")
    page.set("expenses-2-category", "erp")
    page.set("expenses-2-amount", "douze cents")
    response = filer_client.post(page.url, page.data("save"))
    assert response.status_code == 200
    html = text(response)
    assert "Saisissez un nombre en chiffres, par exemple 7\u00a0500,50." in html or (
        "Saisissez un nombre en chiffres, par exemple 7 500,50." in html
    )
    assert Page(html).fields["expenses-2-amount"] == "douze cents"
    dossier.refresh_from_db()
    assert dossier.description == "Texte tapé avant l'erreur."
    assert stored(dossier, "expenses") == before


def test_the_autosave_saves_what_is_valid_and_says_a_field_is_to_be_corrected(
    filer_client, dossier
):
    page = open_page(filer_client, "applications:step_project", dossier)
    before = stored(dossier, "expenses")
    page.set("expenses-0-amount", "-1")
    page.set("title", "Tapé pendant que l'autosave tourne")
    response = filer_client.post(page.url, page.autosave_data(), **AUTOSAVE)
    assert response.status_code == 400
    answer = response.json()
    assert answer["ok"] is False and answer["partial"] is True and answer["saved_at"]
    dossier.refresh_from_db()
    assert dossier.title == "Tapé pendant que l'autosave tourne"
    assert stored(dossier, "expenses") == before


def test_a_faulty_answer_or_holding_keeps_the_other_answers(filer_client, dossier):
    page = open_page(filer_client, "applications:step_eligibility", dossier)
    holdings = stored(dossier, "holdings")
    page.set("headcount", "31")
    page.set("turnover", "beaucoup")
    page.set("holdings-1-share", "250")
    response = filer_client.post(page.url, page.data("save"))
    assert response.status_code == 200
    html = text(response)
    assert "Saisissez un nombre inférieur ou égal à 100." in html
    shown = Page(html)
    assert shown.fields["turnover"] == "beaucoup" and shown.fields["holdings-1-share"] == "250"
    dossier.refresh_from_db()
    assert dossier.answers["headcount"] == 31
    assert dossier.answers["turnover"] == "3200000"  # the stored answer, until corrected
    assert stored(dossier, "holdings") == holdings


def test_a_faulty_aid_keeps_the_other_funding_answers(filer_client, dossier):
    page = open_page(filer_client, "applications:step_funding", dossier)
    aids = stored(dossier, "aids")
    page.set("other_public_funding", "1 500,50 €")
    page.set("aids-0-amount", "0")
    response = filer_client.post(page.url, page.data("save"))
    assert response.status_code == 200
    assert Page(text(response)).fields["aids-0-amount"] == "0"
    dossier.refresh_from_db()
    assert dossier.other_public_funding == Decimal("1500.50")
    assert stored(dossier, "aids") == aids


def test_a_faulty_organisation_field_keeps_the_others(filer_client, dossier):
    page = open_page(filer_client, "applications:step_organisation", dossier)
    page.set("name", "Menuiserie du Bocage")
    page.set("naf", "12345X")
    response = filer_client.post(page.url, page.data("continue"))
    assert response.status_code == 200
    html = text(response)
    assert "Le code NAF s'écrit comme 47.71Z" in html
    assert Page(html).fields["naf"] == "12345X"
    organisation = dossier.organisation
    naf = organisation.naf
    organisation.refresh_from_db()
    assert organisation.name == "Menuiserie du Bocage" and organisation.naf == naf


def test_a_new_line_autosaved_then_made_faulty_keeps_its_stored_version(filer_client, dossier):
    page = open_page(filer_client, "applications:step_project", dossier)
    page.set("expenses-2-category", "erp")
    page.set("expenses-2-amount", "2 400")
    response = filer_client.post(page.url, page.autosave_data(), **AUTOSAVE)
    assert response.json()["ok"]
    page.autosaved(response.json())  # what static/js/autosave.js does with the answer
    stored_line = dossier.expenses.get(position=2)
    assert page.fields["expenses-2-line_id"] == str(stored_line.pk)
    page.set("expenses-2-amount", "-2 400")  # a slip while editing it
    response = filer_client.post(page.url, page.autosave_data(), **AUTOSAVE)
    assert response.json()["partial"]
    assert dossier.expenses.get(pk=stored_line.pk).amount == Decimal("2400")
    assert dossier.expenses.count() == 3
