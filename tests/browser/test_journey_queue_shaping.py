"""Journey of an agent shaping the queue, in Chromium (issue 22, point 6): labels created on the
region's page, put on checked dossiers, filtered on, carried in the CSV export; a search saved
and shared with a colleague; columns chosen, the engine's ones included. Every page passes
visit_check (axe, 320 px reflow, no Python value)."""

import re

import pytest

from applications.enums import DossierState as S
from tests.browser.journey import (
    click,
    download,
    finish,
    goto,
    login,
    logout,
    nav_link,
    press_enter,
    reload_until,
    visible_text,
    watch_console,
)
from tests.factories import RoleAssignmentFactory
from tests.instruction.test_queue import make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_labels_filters_saves_a_search_and_chooses_columns(live_server, page, reference_data):
    base = live_server.url
    agent = RoleAssignmentFactory(role="agent", region_code="HDF").user
    colleague = RoleAssignmentFactory(role="agent", region_code="HDF").user
    late = make(S.SUBMITTED, name="Boulangerie Dupré")
    other = make(S.SUBMITTED, name="Garage Lemoine")
    watch_console(page)

    login(page, base, agent.email)
    nav_link(page, "Instruction")
    main = page.get_by_role("main")
    click(page, main.get_by_role("link", name="Gérer les étiquettes de la Région"))
    page.get_by_label("Nom (40 caractères au plus)").fill("À relancer")
    page.get_by_label("Couleur").select_option(label="Orange")
    press_enter(page, page.get_by_label("Nom (40 caractères au plus)"))
    assert "L'étiquette « À relancer » est créée." in visible_text(page)
    # The same name again: refused, what was typed stays in the field.
    page.get_by_label("Nom (40 caractères au plus)").fill("À relancer")
    click(page, page.get_by_role("button", name="Créer l'étiquette"))
    assert "existe déjà dans la Région" in visible_text(page)
    assert page.get_by_label("Nom (40 caractères au plus)").input_value() == "À relancer"
    page.get_by_label("Nom (40 caractères au plus)").fill("Prêt pour la commission")
    page.get_by_label("Couleur").select_option(label="Vert")
    click(page, page.get_by_role("button", name="Créer l'étiquette"))
    table = visible_text(page, "table")
    assert "À relancer" in table and "Prêt pour la commission" in table

    # Back to the queue: check one dossier, label it.
    click(page, page.get_by_role("link", name="← Retour à la file d'instruction"))
    page.get_by_label(f"Sélectionner le dossier {late.number}").check()
    page.get_by_label("Étiquette à poser ou à retirer").select_option(label="À relancer")
    click(page, page.get_by_role("button", name="Étiqueter"))
    assert "1 dossier(s) étiqueté(s) « À relancer »." in visible_text(page)
    row = page.get_by_role("row", name=re.compile(late.number))
    assert "À relancer" in row.inner_text()
    assert "À relancer" not in page.get_by_role("row", name=re.compile(other.number)).inner_text()

    # Filter on the label, with the keyboard.
    filters = page.get_by_role("form", name="Rechercher et filtrer")
    filters.get_by_label("Étiquette").select_option(label="À relancer")
    press_enter(page, filters.get_by_label("Rechercher (numéro, SIREN, SIRET ou nom)"))
    table = visible_text(page, "table")
    assert late.number in table and other.number not in table

    # Save that search, shared with the team; saving twice keeps one filter.
    for _ in range(2):
        page.get_by_label("Enregistrer la recherche en cours sous le nom").fill("Relances")
        page.get_by_label("Partager avec l'équipe de la Région").check()
        click(page, page.get_by_role("button", name="Enregistrer le filtre"))
        assert "Le filtre « Relances » est enregistré et partagé" in visible_text(page)
    saved = page.get_by_role("link", name="Relances", exact=True)
    assert saved.count() == 1 and saved.get_attribute("aria-current") == "true"

    # The CSV export (prepared as a job, then downloaded) carries the label.
    queue_url = page.url
    click(page, page.get_by_role("link", name=re.compile("^CSV")))
    press_enter(page, page.get_by_role("button", name="Préparer le fichier CSV"))
    reload_until(page, lambda: "Télécharger" in page.content())
    name, content = download(page, page.get_by_role("link", name=re.compile("^Télécharger")))
    text = content.decode("utf-8-sig")
    assert name.endswith(".csv") and "Étiquettes" in text.splitlines()[0]
    assert f"{late.number};" in text and "À relancer" in text
    goto(page, queue_url)

    # Columns: the engine's two added, the département removed; saved twice, same result.
    columns = page.get_by_role("group", name=re.compile("^Colonnes affichées"))
    for _ in range(2):
        columns.get_by_label("Département", exact=True).uncheck()
        page.get_by_label("Critères non remplis (moteur)").check()
        page.get_by_label("Marge sous le plafond de minimis").check()
        click(page, page.get_by_role("button", name="Enregistrer les colonnes"))
        assert "Les colonnes de votre file sont enregistrées." in visible_text(page)
    headers = page.locator("table.queue-table thead").inner_text()
    assert "Critères non remplis (moteur)" in headers and "Marge sous le plafond" in headers
    assert "Département" not in headers
    # Going back a step (the browser's back) shows the list again, nothing lost.
    page.go_back()
    page.reload()
    assert "Critères non remplis (moteur)" in page.locator("table.queue-table thead").inner_text()
    logout(page)

    # The colleague finds the shared search and opens it.
    login(page, base, colleague.email)
    goto(page, f"{base}/instruction/")
    click(page, page.get_by_role("link", name="Relances", exact=True))
    table = visible_text(page, "table")
    assert late.number in table and other.number not in table
    assert "(partagé par" in visible_text(page, "section[aria-labelledby=ma-file-titre]")
    finish(page)
