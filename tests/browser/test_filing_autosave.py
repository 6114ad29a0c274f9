"""In Chromium: the autosave after editing only the description keeps every expense line (issue
13, defect 1, as it was seen), and a new line autosaved is named by the page (no duplicate)."""

import re

import pytest
from django.test import Client

from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_autosave_keeps_the_lines_and_names_the_new_ones(
    live_server, browser_context, page, reference_data
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    dossier = DossierFactory(scheme_code="INAC", complete=True)
    user = dossier.organisation.memberships.first().user
    dossier.created_by = user
    dossier.save()
    lines = list(dossier.expenses.values_list("category", "amount"))
    assert len(lines) == 2
    client = Client()
    client.force_login(user)
    browser_context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/projet/")
    status = page.locator("#dernier-enregistrement")

    page.get_by_label("Description du projet").fill("Seule la description change.")
    page.wait_for_function(
        "() => document.getElementById('dernier-enregistrement').textContent"
        ".includes('Enregistré automatiquement')"
    )
    dossier.refresh_from_db()
    assert dossier.description == "Seule la description change."
    assert list(dossier.expenses.values_list("category", "amount")) == lines

    # A new line in the blank line: stored by the autosave, then named by the page.
    page.select_option("#id_expenses-2-category", "crm")
    page.fill("#id_expenses-2-amount", "1 200,50")
    page.wait_for_function("() => document.getElementById('id_expenses-2-line_id').value !== ''")
    assert re.search(r"Enregistré automatiquement à \d\d:\d\d", status.inner_text())
    assert dossier.expenses.count() == 3
    new_id = int(page.input_value("#id_expenses-2-line_id"))
    assert dossier.expenses.get(pk=new_id).category == "crm"

    # « Enregistrer » then: the same three lines, the new one not created twice.
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_load_state()
    assert "Vos réponses sont enregistrées." in page.content()
    assert sorted(dossier.expenses.values_list("pk", flat=True))[-1] == new_id
    assert dossier.expenses.count() == 3
