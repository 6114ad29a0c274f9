"""In a real Chromium: a beneficiary asks for the payment with its invoices, the agent certifies
service fait, finance validates and exports the batch."""

import re
from decimal import Decimal

import pytest

from applications.services import dossier_submit
from instruction import review, services
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.conftest import assert_accessible
from tests.browser.test_instruction_journey import login, logout
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_beneficiary_agent_and_finance_pay_an_aid(live_server, page, reference_data, tmp_path):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    dossier = DossierFactory(scheme_code="INAC", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=applicant, dossier=dossier, sworn=True)
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    finance = RoleAssignmentFactory(role="finance", region_code="HDF").user
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    award = Decimal(review.review_estimate(dossier)["award"])
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Solide.", award=award
    )
    services.dossier_accept(user=agent, dossier=dossier)
    invoice_pdf = tmp_path / "facture.pdf"
    invoice_pdf.write_bytes(PDF_BYTES)
    line = dossier.expenses.order_by("position").first()

    login(page, base, applicant.email)
    page.goto(f"{base}/dossiers/{dossier.pk}/")
    page.get_by_role("link", name="Demander le versement unique").click()
    assert_accessible(page)
    page.fill("#id_invoices-0-supplier", "Agence Web du Nord")
    page.fill("#id_invoices-0-number", "F-2026-001")
    page.fill("#id_invoices-0-issued_on", "2026-11-02")
    page.fill("#id_invoices-0-amount", str(line.amount).replace(".", ","))
    page.fill("#id_invoices-0-paid_on", "2026-11-05")
    page.select_option("#id_invoices-0-expense_line", str(line.pk))
    page.set_input_files("#id_invoices-0-file", str(invoice_pdf))
    # HDF pays on the receipted invoices alone (INAC fiche): no statement nor certificate asked.
    page.check("#id_bank-bank_confirmed")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url(re.compile(rf"/dossiers/{dossier.pk}/"))
    assert "F-2026-001" in page.content()
    logout(page)

    login(page, base, agent.email)
    page.goto(f"{base}/instruction/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Certifier le service fait et proposer le paiement").click()
    assert_accessible(page)
    logout(page)

    login(page, base, finance.email)
    page.get_by_role("link", name="Finance").first.click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Valider.*{dossier.number}")).click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Confirmer la validation du paiement")).click()
    page.goto(f"{base}/paiements/finance/lots/")
    page.get_by_role("button", name="Créer un lot avec les paiements cochés").click()
    assert_accessible(page)
    page.get_by_role("link", name="Exporter le lot (CSV et XLSX) et le figer…").click()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Confirmer l'export et figer le lot")).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("CSV")).first.click()
    content = open(download_info.value.path(), "rb").read().decode("utf-8-sig")
    assert dossier.number in content and dossier.organisation.siret in content
    assert "FR7630006000011234567890189" in content
