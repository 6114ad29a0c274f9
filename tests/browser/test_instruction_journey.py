"""In a real Chromium: an agent takes a submitted dossier, asks for a complement, the applicant
answers, the agent retains the expenses and decides, and the applicant downloads the award."""

import re

import pytest

from applications.services import dossier_submit
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import DossierFactory
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, RoleAssignmentFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def login(page, base, email):
    page.goto(f"{base}/comptes/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"{base}/espace/")


def logout(page):
    page.get_by_role("button", name=re.compile("Se déconnecter")).click()
    page.wait_for_load_state()


def test_agent_instructs_and_applicant_downloads_the_award(live_server, page, reference_data):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=applicant, dossier=dossier, sworn=True)
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user

    login(page, base, agent.email)
    page.get_by_role("link", name="Instruction").first.click()
    assert_accessible(page)
    page.get_by_role("link", name=dossier.number).click()
    page.get_by_role("button", name="Prendre en charge").click()
    assert_accessible(page)
    page.fill("#id_items", "Devis signé du fournisseur de l'ERP")
    page.fill("#id_due_on", "2099-01-31")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "Compléments demandés" in page.content()
    logout(page)

    login(page, base, applicant.email)
    page.goto(f"{base}/dossiers/{dossier.pk}/")
    assert "Devis signé du fournisseur de l'ERP" in page.content()
    assert_accessible(page)
    page.fill("#id_answer", "Le devis signé est joint au dossier.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    assert "l'instruction reprend" in page.content()
    logout(page)

    login(page, base, agent.email)
    page.goto(f"{base}/instruction/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Émettre l'accusé de réception").click()
    line = dossier.expenses.get(category="connected_equipment")
    page.select_option(f"#ret-{line.pk}-status", "partial")
    page.fill(f"#ret-{line.pk}-amount", "4000")
    page.fill(f"#ret-{line.pk}-reason", "Une machine sur deux est liée au projet.")
    page.locator(f"#ret-{line.pk}-status").locator("xpath=ancestor::form").get_by_role(
        "button", name="Enregistrer"
    ).click()
    aside = page.locator("aside").inner_text().replace("\xa0", " ")
    assert "9 000,00 €" in aside  # 50 % of 14 000 + 4 000 € HT
    assert_accessible(page)
    page.fill("#id_comment", "Projet cohérent, dépenses justifiées.")
    page.get_by_role("button", name="Proposer").click()
    page.get_by_role("button", name="Attribuer l'aide").click()
    assert "Aide attribuée" in page.content()
    logout(page)

    login(page, base, applicant.email)
    page.goto(f"{base}/dossiers/{dossier.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Décision d'attribution")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("ARR-")
    assert open(download.path(), "rb").read(5) == b"%PDF-"
