"""The payment pages added for issue 13 (points 9, 10 and the /paiements/ home), in Chromium:
axe finds no violation, nothing scrolls sideways at 320 px, no Python value is shown, and a file
chosen before « Ajouter une facture » is still joined after it. (The role journeys are in
test_journey_*.py; this only opens the new pages and states.)"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from applications.services import dossier_submit
from instruction import review, services
from payments import batches
from payments import services as payment_services
from payments.enums import PaymentKind, RequestState
from payments.models import PaymentRequest
from portal.management.commands.seed_demo import Command as SeedDemo
from territories.models import Region
from tests.applications.factories import PDF_BYTES, DossierFactory
from tests.browser.journey import click, finish, goto, login, logout, visit_check
from tests.factories import RoleAssignmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def awarded_pdl():
    dossier = DossierFactory(scheme_code="PDL-IN", complete=True)
    member = dossier.organisation.memberships.first().user
    dossier = dossier_submit(user=member, dossier=dossier, sworn=True)
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    services.dossier_take(user=agent, dossier=dossier)
    services.dossier_declare_admissible(user=agent, dossier=dossier)
    award = Decimal(review.review_estimate(dossier)["award"])
    services.dossier_propose(
        user=agent, dossier=dossier, favourable=True, comment="Solide.", award=award
    )
    return services.dossier_accept(user=agent, dossier=dossier), member, agent


def test_new_payment_pages_are_accessible_and_keep_the_chosen_files(
    live_server, page, reference_data, tmp_path
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    dossier, member, agent = awarded_pdl()
    pdf = tmp_path / "facture-F-1.pdf"
    pdf.write_bytes(PDF_BYTES)
    kind = next(k for k in payment_services.request_kinds(dossier) if k != PaymentKind.ADVANCE)

    login(page, base, member.email)
    goto(page, f"{base}/paiements/")
    assert "Mes demandes de paiement" in page.locator("main").inner_text()
    goto(page, f"{base}/paiements/dossiers/{dossier.pk}/demande/{kind}/")
    main = page.locator("main")
    assert "État récapitulatif des dépenses, daté, signé et tamponné" in main.inner_text()
    page.get_by_label("Fournisseur").fill("Éditeur ERP")
    page.get_by_label("Numéro de facture").fill("F-1")
    page.get_by_label("Facture acquittée (fichier)").set_input_files(str(pdf))
    click(page, page.get_by_role("button", name="Ajouter une facture"), check=False)
    page.wait_for_load_state()
    page.__dict__["_journey_checked"].discard(re.sub(r"^https?://[^/]+", "", page.url))
    visit_check(page)  # the page with a file kept and a second invoice line
    text = main.inner_text()
    assert "Fichier joint : « facture-F-1.pdf »" in text, text[:1500]
    assert "Facture n° 2" in text
    logout(page)

    finance = RoleAssignmentFactory(role="finance", region_code="PDL").user
    request = PaymentRequest.objects.create(
        dossier=dossier,
        kind=kind,
        state=RequestState.CERTIFIED,
        requested_by=member,
        iban=dossier.iban,
        bic=dossier.bic,
        account_holder="Titulaire",
        amount=Decimal("1000.00"),
        to_recover=Decimal("0"),
        certified_by=agent,
        certified_at=timezone.now(),
    )
    login(page, base, finance.email)
    goto(page, f"{base}/paiements/")
    assert "1 paiement à valider" in page.locator("main").inner_text()
    goto(page, f"{base}/paiements/finance/{request.pk}/valider/")
    click(page, page.get_by_role("button", name=re.compile("^Confirmer la validation")))
    other = RoleAssignmentFactory(role="finance", region_code="PDL").user
    batch = batches.batch_create(
        user=other, region=Region.objects.get(code="PDL"), payments=[request.payment.pk]
    )
    goto(page, f"{base}/paiements/finance/lots/{batch.pk}/exporter/")
    assert "1 paiement" in page.locator("main").inner_text()
    finish(page)
