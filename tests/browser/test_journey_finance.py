"""Journey of the payment of an aid, in Chromium (issue 13, « Tests of a new kind »): the
beneficiary of a Pays de la Loire aid asks for the single payment with its receipted invoices and closing documents, the
agent certifies service fait, the finance officer validates the payment (after a confirmation
step showing amount and beneficiary: issue 13 point 9), builds a batch, exports it (after a
confirmation step showing the batch's totals), downloads the files and marks the batch paid.

What the people check: the amount to pay in French format at every step, the beneficiary, the
documents each payment kind requires (issue 13 point 10), and the exported CSV's content.
Every page passes visit_check.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.services import dossier_submit
from instruction import review, services
from payments.models import PaymentRequest
from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.journey import (
    click,
    download,
    finish,
    login,
    logout,
    nav_link,
    open_from_queue,
    text_of,
    visible_text,
    watch_console,
)
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AMOUNT = "10 000,00 €"  # 50 % of (14 000 + 6 000) € HT, both invoices retained in full


def awarded_pdl_dossier(agent):
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    applicant = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=applicant, dossier=dossier, sworn=True)
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    award = Decimal(review.review_estimate(dossier)["award"])
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Solide.", award=award
    )
    services.dossier_accept(user=agent, dossier=dossier)
    return dossier, applicant


def button_or_link(page, name: str):
    """What the person clicks, whether the page made it a button or a link to a next step."""
    pattern = re.compile(name)
    return page.get_by_role("button", name=pattern).or_(page.get_by_role("link", name=pattern))


def invoice_group(page, number: int):
    legend = page.locator("legend").filter(has_text=re.compile(rf"^\s*Facture n° {number}\s*$"))
    return page.locator("fieldset").filter(has=legend).last


def test_payment_from_request_to_exported_batch(live_server, page, reference_data, tmp_path):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    finance = RoleAssignmentFactory(role="finance", region_code="PDL").user
    dossier, applicant = awarded_pdl_dossier(agent)
    lines = list(dossier.expenses.order_by("position"))
    pdf = tmp_path / "justificatif.pdf"
    pdf.write_bytes(PDF_BYTES)
    today = timezone.localdate()
    watch_console(page)

    # The beneficiary asks for the payment: one line per invoice, then the files.
    login(page, base, applicant.email)
    nav_link(page, "Mes dossiers")
    click(page, page.get_by_role("link", name=dossier.number))
    click(page, page.get_by_role("link", name="Demander le versement unique"))
    assert f"aide attribuée {AMOUNT}" in visible_text(page, "main")
    # One invoice, its file chosen; « Ajouter une facture »; the second one (issue 21 point 4:
    # the file chosen for the first stays attached).
    for number, line in enumerate(lines, start=1):
        if number > 1:
            click(page, page.get_by_role("button", name="Ajouter une facture"))
        group = invoice_group(page, number)
        group.get_by_label("Fournisseur").fill(f"Fournisseur {number}")
        group.get_by_label("Numéro de facture").fill(f"F-2026-00{number}")
        group.get_by_label("Date de la facture").fill(
            (today - datetime.timedelta(days=20)).isoformat()
        )
        group.get_by_label("Montant").fill(
            f"{line.amount:,.2f}".replace(",", " ").replace(".", ",")
        )
        group.get_by_label("Payée le").fill((today - datetime.timedelta(days=10)).isoformat())
        group.get_by_label("Dépense du dossier concernée").select_option(value=str(line.pk))
        group.get_by_label("Facture acquittée (fichier)").set_input_files(str(pdf))
    # Issue 13 point 10 (PDL FAQ 31): the signed statement and the end-of-expenses certificate
    # each have a field to attach them.
    closing = page.locator("fieldset").filter(
        has=page.locator("legend", has_text="État récapitulatif")
    )
    uploads = closing.last.locator("input[type=file]") if closing.count() else None
    assert uploads is not None and uploads.count() >= 2, (
        "the signed statement and the end-of-expenses certificate have no field to attach "
        "them (issue 13 point 10): "
        + (text_of(closing.last) if closing.count() else visible_text(page, "form")[:600])
    )
    for upload in uploads.all():
        upload.set_input_files(str(pdf))
    for box in closing.last.locator("input[type=checkbox]").all():
        box.check()
    page.get_by_label("Je confirme que l'aide doit être versée sur ce compte.").check()
    click(page, page.get_by_role("button", name="Envoyer la demande"))
    assert re.search(rf"/dossiers/{dossier.pk}/$", page.url), visible_text(page, "main")[:800]
    assert "F-2026-001" in visible_text(page) and "F-2026-002" in visible_text(page)
    request = PaymentRequest.objects.get(dossier=dossier)
    assert all(invoice.file for invoice in request.invoices.all()), (
        "the first invoice's file was lost when the second invoice was added (issue 21 point 4)"
    )
    logout(page)

    # The agent certifies service fait.
    login(page, base, agent.email)
    open_from_queue(page, dossier.number)
    click(
        page, page.get_by_role("button", name="Certifier le service fait et proposer le paiement")
    )
    payments = visible_text(page, "section[aria-labelledby=t-paiements]")
    assert f"Montant à payer {AMOUNT}" in payments, payments
    logout(page)

    # Finance: the queue, then validation after a confirmation step.
    login(page, base, finance.email)
    nav_link(page, "Finance")
    assert f"1 paiement proposé pour un total de {AMOUNT}" in visible_text(page, "main")
    click(page, button_or_link(page, rf"^Valider.* le paiement du dossier {dossier.number}$"))
    payment = PaymentRequest.objects.get(dossier=dossier)
    assert payment.state != "validated", (
        "the payment is validated by a single click, with no confirmation step (issue 13 point 9)"
    )
    confirm = visible_text(page, "main")
    assert AMOUNT in confirm and dossier.organisation.name in confirm, confirm[:800]
    click(page, page.get_by_role("button", name=re.compile("^Confirmer")))
    payment.refresh_from_db()
    assert payment.state == "validated", visible_text(page, "main")[:600]
    assert "Aucun paiement à valider" in visible_text(page, "main")

    # The batch: create it with the validated payment, export it after confirming its totals.
    nav = page.get_by_role("navigation", name="Menu du service financier")
    click(page, nav.get_by_role("link", name="Lots de paiements"))
    assert dossier.number in visible_text(page, "main")
    click(page, page.get_by_role("button", name="Créer un lot avec les paiements cochés"))
    assert f"1 paiement, total {AMOUNT}" in visible_text(page, "main")
    click(page, button_or_link(page, r"^Exporter le lot"))
    assert "Fichiers exportés" not in visible_text(page, "main"), (
        "the batch is frozen by a single click, with no confirmation step (issue 13 point 9)"
    )
    confirm = visible_text(page, "main")
    assert "1 paiement" in confirm and AMOUNT in confirm, confirm[:800]
    click(page, page.get_by_role("button", name=re.compile("^Confirmer")))
    assert "Fichiers exportés le" in visible_text(page, "main")

    name, content = download(page, page.get_by_role("link", name=re.compile("Télécharger le CSV")))
    assert name.endswith(".csv"), name
    csv = content.decode("utf-8-sig")
    assert dossier.number in csv and dossier.organisation.siret in csv, csv
    assert "FR7630006000011234567890189" in csv, csv
    assert re.search(r"10\s?000[.,]00", csv), csv
    name, content = download(page, page.get_by_role("link", name=re.compile("Excel")))
    assert name.endswith(".xlsx") and content[:2] == b"PK", name

    page.get_by_label("Payé le").fill(today.isoformat())
    click(page, page.get_by_role("button", name="Marquer le lot payé"))
    assert f"Lot payé le {today:%d/%m/%Y}" in visible_text(page, "main")
    nav = page.get_by_role("navigation", name="Menu du service financier")
    click(page, nav.get_by_role("link", name="Tableau de bord"))
    finish(page)
