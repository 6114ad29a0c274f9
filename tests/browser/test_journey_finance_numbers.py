"""Journey of a finance officer and the finance software's numbers, in Chromium (issue 22,
point 9): the region's export profile is filled (and saved twice unchanged), a dossier's tiers
and EJ numbers are recorded (a bad one first), the batch is exported with them, a return file
that does not reconcile is refused whole, the right one marks the payments paid with their
mandate; the agent then reads the commitment number on the dossier. Every page passes
visit_check."""

import hashlib
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from payments import services as payment_services
from tests.browser.journey import (
    click,
    download,
    finish,
    goto,
    login,
    logout,
    visible_text,
    watch_console,
)
from tests.browser.test_journey_finance import awarded_pdl_dossier
from tests.factories import RoleAssignmentFactory
from tests.payments.test_finance import proposed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_officer_sends_the_numbers_and_reads_the_return_file(
    live_server, page, reference_data, tmp_path
):
    from portal.management.commands.seed_demo import Command as SeedDemo

    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url
    agent = RoleAssignmentFactory(role="agent", region_code="PDL").user
    officer = RoleAssignmentFactory(role="finance", region_code="PDL").user
    dossier, _ = awarded_pdl_dossier(agent)
    dossier.agent = agent
    request = proposed(dossier, amount="4000.00")
    payment_services.payment_validate(user=officer, request=request)
    watch_console(page)

    login(page, base, officer.email)
    goto(page, f"{base}/paiements/finance/")
    nav = page.get_by_role("navigation", name="Menu du service financier")
    click(page, nav.get_by_role("link", name="Profil d'export"))
    group = page.get_by_role("group", name=re.compile("^PDL-IN"))
    group.get_by_label("Chapitre").fill("939")
    group.get_by_label("Article (nature)").fill("20422")
    group.get_by_label("Fonction").fill("93")
    group.get_by_label("AP/AE").fill("AE-2026-ECO-12")
    click(page, page.get_by_role("button", name="Enregistrer le profil d'export"))
    assert "Profil d'export enregistré (1 dispositif(s) modifié(s))." in visible_text(page)
    click(page, page.get_by_role("button", name="Enregistrer le profil d'export"))
    assert "Aucun changement" in visible_text(page)

    # The batch, then the dossier's numbers from the batch's page.
    nav = page.get_by_role("navigation", name="Menu du service financier")
    click(page, nav.get_by_role("link", name="Lots de paiements"))
    click(page, page.get_by_role("button", name="Créer un lot avec les paiements cochés"))
    batch_url = page.url
    click(page, page.get_by_role("link", name=f"Modifier les numéros du dossier {dossier.number}"))
    page.get_by_label("Numéro de tiers").fill("T 42")
    click(page, page.get_by_role("button", name="Enregistrer les numéros"))
    assert "au plus 30 lettres, chiffres" in visible_text(page)
    assert page.get_by_label("Numéro de tiers").input_value() == "T 42"  # nothing lost
    page.get_by_label("Numéro de tiers").fill("T00042")
    page.get_by_label("Numéro d'engagement juridique (EJ)").fill("EJ-7781")
    click(page, page.get_by_role("button", name="Enregistrer les numéros"))
    assert page.url == batch_url
    assert "T00042 / EJ-7781" in visible_text(page, "table")

    click(page, page.get_by_role("link", name=re.compile("^Exporter le lot")))
    click(page, page.get_by_role("button", name=re.compile("^Confirmer")))
    _, content = download(page, page.get_by_role("link", name=re.compile("Télécharger le CSV")))
    sha = hashlib.sha256(content).hexdigest()
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].endswith(
        "Chapitre;Article;Fonction;AP/AE;Numéro de tiers;Numéro d'engagement juridique (EJ)"
    )
    assert lines[1].endswith("939;20422;93;AE-2026-ECO-12;T00042;EJ-7781")

    today = timezone.localdate()
    header = "Empreinte du lot;Numéro de dossier;Type de paiement;Montant;Numéro de mandat;Date de paiement"
    wrong = tmp_path / "retour-faux.csv"
    wrong.write_text(
        f"{header}\n{'0' * 64};{dossier.number};Versement unique;4000,00;M-1;{today:%d/%m/%Y}\n"
    )
    page.get_by_label("Fichier de retour (CSV)").set_input_files(str(wrong))
    click(page, page.get_by_role("button", name="Importer et rapprocher"))
    assert "Fichier de retour refusé" in visible_text(page)
    assert "l'empreinte ne correspond pas au lot exporté" in visible_text(page)

    right = tmp_path / "retour.csv"
    amount = f"{Decimal('4000.00'):.2f}".replace(".", ",")
    right.write_text(
        f"{header}\n{sha};{dossier.number};Versement unique;{amount};M-2026-100;{today:%d/%m/%Y}\n"
    )
    page.get_by_label("Fichier de retour (CSV)").set_input_files(str(right))
    click(page, page.get_by_role("button", name="Importer et rapprocher"))
    assert "1 paiement(s) marqué(s) payé(s)" in visible_text(page)
    assert "M-2026-100" in visible_text(page, "table")
    assert f"Lot payé le {today:%d/%m/%Y}" in visible_text(page)
    logout(page)

    # The agent reads the commitment number on the dossier.
    login(page, base, agent.email)
    goto(page, f"{base}/instruction/dossiers/{dossier.pk}/")
    assert "Engagement juridique (EJ) n° EJ-7781" in visible_text(page)
    finish(page)
