"""Journey of scheme managers in Chromium (issue 18): manager A of Pays de la Loire drafts a
version with a new rate at /gestion/, is refused a change without its citation and reason, sees
the diff, sees golden cases fail and updates their expectations with a reason, sees the impact
on dossiers, submits; A cannot publish; a Hauts-de-France manager sees none of it; manager B of
Pays de la Loire publishes; the public simulator gives the new amount for a filing after
`valid_from` and the old one before. The Django admin shows rule versions read-only.

Every page passes visit_check (axe, 320 px reflow, no Python value shown).
"""

import re

import pytest
from django.utils import timezone

from schemes.enums import RuleStatus
from schemes.models import RuleVersion
from tests.browser.journey import (
    click,
    finish,
    form_errors,
    goto,
    login,
    logout,
    visible_text,
    visit_check,
    watch_console,
)
from tests.factories import RoleAssignmentFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _manager(region: str):
    user = UserFactory(is_staff=True)
    RoleAssignmentFactory(user=user, role="scheme_manager", region_code=region)
    return user


def _simulate_pdl(page, base: str, filed_on: str) -> str:
    goto(page, f"{base}/dispositifs/simulateur/")
    page.get_by_label("Date de dépôt envisagée").fill(filed_on)
    department = page.get_by_label("Département de l'établissement qui porte le projet")
    department.select_option(
        label=next(
            label
            for label in department.locator("option").all_text_contents()
            if "Loire-Atlantique" in label
        )
    )
    page.get_by_label("Vous êtes").select_option(label="Entreprise")
    page.get_by_label("Forme juridique").fill("SAS")
    page.get_by_label("Code APE/NAF").fill("25.62B")
    page.get_by_label("Date de création ou d'immatriculation").fill("2015-01-01")
    page.get_by_label("Effectif salarié (équivalent temps plein)").fill("12")
    page.get_by_label("Chiffre d'affaires du dernier exercice clos (€ HT)").fill("1 500 000")
    page.get_by_label("Inscrite au registre du commerce et des sociétés (RCS)").check()
    line = page.locator("fieldset.expense-line").first
    category = line.get_by_label("Nature de la dépense")
    category.select_option(
        label=next(
            label
            for label in category.locator("option").all_text_contents()
            if label.startswith("Progiciel de gestion intégrée")
        )
    )
    line.get_by_label("Montant").fill("20 000")
    click(page, page.get_by_role("button", name="Calculer mon aide"))
    card = page.locator("article").filter(has=page.locator("#res-PDL-IN"))
    return " ".join(card.first.inner_text().split())


def test_managers_change_a_rate_with_four_eyes(live_server, page, reference_data):
    base = live_server.url
    author, colleague, outsider = _manager("PDL"), _manager("PDL"), _manager("HDF")
    next_year = timezone.localdate().year + 1
    watch_console(page)

    # Manager A: from their space to the scheme's page at /gestion/.
    login(page, base, author.email)
    section = page.get_by_role("region", name="Gestion des dispositifs")
    click(page, section.get_by_role("link", name="la gestion des dispositifs"))
    listing = visible_text(page, "main")
    assert "PDL-IN" in listing and "INAC" not in listing, listing[:800]
    click(page, page.get_by_role("link", name=re.compile(r"Pays de la Loire Investissement")))
    click(page, page.get_by_role("button", name="Préparer une nouvelle version"))

    # The editor starts from the version in force: rate 50 %, ceiling in French format.
    rate = page.get_by_label("Taux d'aide (%)", exact=True)
    assert rate.input_value() == "50"
    assert page.get_by_label("Plafond de l'aide (€)", exact=True).input_value() == "15 000"
    assert not page.get_by_label("Version de démonstration, sans base juridique").is_checked()
    page.get_by_label("Dossiers déposés à partir du").fill(f"{next_year}-01-01")
    rate.fill("40")
    # Saved without a citation or a reason: refused on the field, what was typed is kept.
    click(page, page.get_by_role("button", name="Enregistrer le brouillon"))
    errors = " ".join(form_errors(page))
    assert "Taux d'aide : indiquez la raison de ce changement." in errors, errors[:800]
    assert page.get_by_label("Taux d'aide (%)", exact=True).input_value() == "40"
    card = page.locator("#parametre-rate")
    card.get_by_label("Texte cité (Taux d'aide)").fill(f"Délibération {next_year - 1}-123")
    card.get_by_label("Passage cité (Taux d'aide)").fill("article 2 : « taux de 40 % »")
    card.get_by_label("Raison du changement (Taux d'aide)").fill("Baisse votée en séance")
    click(page, page.get_by_role("button", name="Enregistrer le brouillon"))
    assert "/apercu/" in page.url, form_errors(page)

    # The diff: old → new with both citations.
    diff = visible_text(page, "#differences")
    assert "Taux d'aide" in diff and "50 %" in diff and "40 %" in diff, diff
    assert "question 10" in diff and "article 2 : « taux de 40 % »" in diff, diff

    # Golden cases fail with the new rate; A adopts the new results with a reason.
    cases = visible_text(page, "#cas-de-reference")
    assert "Échec : FAQ 10 : projet de 20 000 € HT, aide de 10 000 €" in cases, cases[:1500]
    assert "attendu 10 000,00 €, obtenu 8 000,00 €" in cases, cases[:1500]
    while page.get_by_role("button", name=re.compile("Adopter le résultat obtenu")).count():
        form = page.locator("#cas-de-reference form").first
        form.get_by_label(re.compile("Raison du nouveau résultat attendu")).fill(
            "Le taux passe à 40 %"
        )
        click(page, form.get_by_role("button", name=re.compile("Adopter le résultat obtenu")))
    assert "0 en échec" in visible_text(page, "#cas-de-reference")

    # The impact on dossiers (run by Celery; eager here).
    click(page, page.get_by_role("button", name=re.compile("simulation de l'impact")))
    impact = visible_text(page, "#impact")
    assert "Aides en baisse" in impact and "Enveloppe" in impact, impact[:800]

    # A submits, and cannot publish their own version.
    click(page, page.get_by_role("button", name="Soumettre à publication"))
    assert page.get_by_role("button", name="Publier la version").count() == 0
    assert "un autre gestionnaire de la région" in visible_text(page, "#publication-impossible")
    version = RuleVersion.objects.get(ident=f"PDL-IN/{next_year}-01-01")
    assert version.status == RuleStatus.SUBMITTED
    preview_url = page.url
    logout(page)

    # A manager of another region sees none of it.
    login(page, base, outsider.email)
    goto(page, f"{base}/gestion/")
    assert "PDL-IN" not in visible_text(page, "main")
    assert page.goto(preview_url).status == 404
    logout(page)

    # Manager B of the same region publishes.
    login(page, base, colleague.email)
    goto(page, preview_url)
    click(page, page.get_by_role("button", name="Publier la version"))
    assert "Version publiée" in visible_text(page, "main")
    version.refresh_from_db()
    assert version.status == RuleStatus.PUBLISHED and version.published_by == colleague
    logout(page)

    # The public simulator: the new amount from valid_from, the old one before.
    after = _simulate_pdl(page, base, f"{next_year}-01-05")
    assert "8 000,00 €" in after, after[:800]
    before = _simulate_pdl(page, base, f"{next_year - 1}-12-31")
    assert "10 000,00 €" in before, before[:800]

    # The public scheme page shows the scheduled version with its date, and the history with
    # each version's citations.
    goto(page, f"{base}/dispositifs/pdl-in/")
    assert f"à partir du 01/01/{next_year}" in visible_text(page, "#prochaine-version")
    page.get_by_text("Historique des versions et de leurs changements").click()
    history = visible_text(page, "#versions-des-regles")
    assert "Taux d'aide : 50 % → 40 %" in history, history[:800]
    assert "article 2 : « taux de 40 % »" in history, history[:800]
    finish(page)


def test_the_admin_shows_rule_versions_read_only(live_server, page, reference_data):
    manager = _manager("PDL")
    login(page, live_server.url, manager.email)
    version = RuleVersion.objects.get(ident="PDL-IN/2019-01-01")
    page.goto(f"{live_server.url}/admin/schemes/ruleversion/{version.pk}/change/")
    visit_check(page)
    assert page.get_by_role("button", name="Enregistrer", exact=True).count() == 0
    assert page.goto(f"{live_server.url}/admin/schemes/ruleversion/add/").status == 403
    finish(page)
