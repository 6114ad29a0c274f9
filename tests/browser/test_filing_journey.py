"""In a real Chromium: a newcomer signs up, registers the company, files an INAC dossier with its
documents and downloads the receipt; every step is checked with axe-core."""

import re

import pytest

from portal.management.commands.seed_demo import Command as SeedDemo
from tests.applications.factories import PDF_BYTES
from tests.browser.conftest import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

EMAIL = "artisan@exemple.fr"
PASSWORD = "Un-mot-de-passe-long-7"


def click_continue(page):
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_load_state()


def test_newcomer_files_an_inac_dossier_and_downloads_the_receipt(
    live_server, page, mailbox, tmp_path, reference_data
):
    SeedDemo().extend_expired_schemes()
    SeedDemo().open_envelopes()
    base = live_server.url

    page.goto(f"{base}/comptes/signup/")
    page.fill("#id_first_name", "Alix")
    page.fill("#id_last_name", "Lefebvre")
    page.fill("#id_email", EMAIL)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    link = re.search(
        r"https?://\S+/comptes/confirm-email/\S+/", mailbox.wait_for(EMAIL).body
    ).group(0)
    page.goto(base + "/comptes/" + link.split("/comptes/", 1)[1])
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url(f"{base}/espace/")

    page.get_by_role("link", name="Ajouter une organisation").first.click()
    assert_accessible(page)
    page.fill("#id_lookup_siret", "81234567600017")
    page.get_by_role("button", name="Rechercher").click()
    assert page.input_value("#id_name") == "BOUTIQUE LUMIÈRE DU NORD"
    page.locator("form").filter(has=page.locator("#id_name")).get_by_role(
        "button", name="Enregistrer"
    ).click()
    page.wait_for_url(f"{base}/organisations/")

    page.goto(f"{base}/dossiers/nouveau/")
    assert_accessible(page)
    page.get_by_label(re.compile("Soutien aux investissements numériques des artisans")).check()
    page.get_by_role("button", name="Créer le dossier").click()
    page.wait_for_url(re.compile(r"/dossiers/\d+/organisation/$"))
    assert_accessible(page)
    click_continue(page)

    assert_accessible(page)
    page.get_by_label("Effectif salarié (équivalent temps plein)").fill("4")
    page.get_by_label("Chiffre d'affaires HT du dernier exercice clos (€)").fill("380000")
    page.get_by_label("Inscrite au registre du commerce et des sociétés (RCS)").check()
    page.get_by_label(re.compile("certifié par un tiers de confiance")).check()
    click_continue(page)

    assert_accessible(page)
    page.get_by_label("Intitulé du projet").fill("Boutique en ligne")
    page.get_by_label("Description du projet").fill(
        "Vendre nos luminaires en ligne avec un outil de gestion clients."
    )
    page.select_option("#id_expenses-0-category", "ecommerce_site")
    page.fill("#id_expenses-0-amount", "6000")
    page.fill("#id_expenses-0-supplier", "Agence Web du Nord")
    click_continue(page)
    assert "2 400,00 €" in page.locator("aside").inner_text().replace(
        "\xa0", " "
    )  # 40 % of 6 000 € HT

    assert_accessible(page)
    click_continue(page)  # no other public aid, no de minimis aid

    assert_accessible(page)
    pdf = tmp_path / "piece.pdf"
    pdf.write_bytes(PDF_BYTES)
    codes = page.eval_on_selector_all(
        "#id_document_code option", "options => options.map(o => o.value)"
    )
    for code in [c for c in codes if c and c != "other"]:
        page.select_option("#id_document_code", code)
        page.set_input_files("input[type=file]", str(pdf))
        page.get_by_role("button", name=re.compile("Ajouter|Joindre|Envoyer")).click()
        page.wait_for_load_state()
    assert_accessible(page)
    page.goto(page.url.replace("/pieces/", "/banque/"))

    assert_accessible(page)
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("BIC").fill("AGRIFRPPXXX")
    click_continue(page)

    assert_accessible(page)
    assert "Avant de déposer" not in page.content()
    page.get_by_label(re.compile("Je certifie sur l'honneur")).check()
    page.get_by_role("button", name="Déposer mon dossier").click()
    page.wait_for_url(re.compile(r"/dossiers/\d+/$"))
    assert "Déposé" in page.content()
    assert_accessible(page)

    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Récépissé de dépôt")).click()
    download = download_info.value
    assert download.suggested_filename.startswith("recepisse-INAC-")
    assert open(download.path(), "rb").read(5) == b"%PDF-"
